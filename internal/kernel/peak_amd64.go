//go:build !purego

package kernel

// fmaPeakAVX512 and fmaPeakAVX2 (and their float32 twins ...PS) run n rounds of independent chains of
// fused multiply-adds and nothing else; clockLoop runs n rounds of 16
// dependent integer additions, one cycle each. BenchmarkFMAPeak times them
// to measure the FMA throughput of one core, in flops per second and per
// cycle, which CPUID does not report. n must be > 0.
//
//go:noescape
func fmaPeakAVX512(n int)

//go:noescape
func fmaPeakAVX2(n int)

//go:noescape
func fmaPeakAVX512PS(n int)

//go:noescape
func fmaPeakAVX2PS(n int)

//go:noescape
func clockLoop(n int)

// peakLoop is a loop of independent FMA chains on float64 or float32
// (bits 64 or 32) and the flops of one of its rounds.
type peakLoop struct {
	path  string
	bits  int
	run   func(n int)
	flops int
}

// peakLoops are the FMA peak loops of this build, and clock is the loop
// of 16 one-cycle additions per round, nil where there is none.
var (
	peakLoops = []peakLoop{
		{"avx512", 64, fmaPeakAVX512, 24 * 8 * 2},
		{"avx2", 64, fmaPeakAVX2, 12 * 4 * 2},
		{"avx512", 32, fmaPeakAVX512PS, 24 * 16 * 2},
		{"avx2", 32, fmaPeakAVX2PS, 12 * 8 * 2},
	}
	clock = clockLoop
)
