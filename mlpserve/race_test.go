//go:build race

package mlpserve

// raceEnabled reports whether the tests run under the race detector, which
// makes every request about ten times slower.
const raceEnabled = true
