//go:build !amd64 || purego

package kernel

// peakLoop is a loop of independent FMA chains and the flops of one of
// its rounds.
type peakLoop struct {
	path  string
	bits  int
	run   func(n int)
	flops int
}

// peakLoops and clock are the FMA peak loops and the clock loop of amd64
// builds; this build has none.
var (
	peakLoops []peakLoop
	clock     func(n int)
)
