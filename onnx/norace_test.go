//go:build !race

package onnx_test

// raceEnabled reports whether the tests run with the race detector, whose
// shadow memory makes peak memory figures meaningless.
const raceEnabled = false
