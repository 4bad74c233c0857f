//go:build race

package fmath

// raceEnabled is true in builds with the race detector, which runs
// TestFMA32's big.Float references about 30 times slower: it checks fewer
// triples there.
const raceEnabled = true
