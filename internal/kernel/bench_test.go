package kernel

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchShapes are the m×n×k forward products of the mlp benchmark
// networks (bc, iris, digits, mnist-shape 784-256-128-10 at batch 128 and
// wide 1024-1024-1024-10 at batch 256), and every backward product of the
// two large ones: the weight gradients Xᵀ·G, whose A is transposed, and
// the input gradients G·Wᵀ (the first layer's is not computed). With
// these, the benchmark covers each product of a training step of the two.
var benchShapes = []struct {
	m, n, k int
	trans   bool
}{
	{50, 16, 30, false}, {16, 16, 4, false}, {32, 128, 64, false}, {64, 128, 32, true},
	// The last layers of bc, iris and digits: forward, weight gradient.
	{50, 2, 16, false}, {16, 3, 16, false}, {32, 10, 128, false},
	{16, 2, 50, true}, {16, 3, 16, true}, {128, 10, 32, true},
	// mnist-shape: forward, weight gradients, input gradients.
	{128, 256, 784, false}, {128, 128, 256, false}, {128, 10, 128, false},
	{784, 256, 128, true}, {256, 128, 128, true}, {128, 10, 128, true},
	{128, 256, 128, false}, {128, 128, 10, false},
	// wide: forward, weight gradients, input gradients.
	{256, 1024, 1024, false}, {256, 10, 1024, false},
	{1024, 1024, 256, true}, {1024, 10, 256, true},
	{256, 1024, 10, false},
}

// peakOnce measures, once per benchmark binary, the FMA peak of each
// path that has a peak loop, in GFLOP/s, keyed by path and precision
// (peakKey).
var (
	peakOnce sync.Once
	peakRate map[string]float64
)

// timer measures the time a benchmark's goroutine runs: the CPU time of
// its thread where the system gives it (the goroutine is locked to its
// thread meanwhile), so that other work on a shared machine does not
// count, and the wall time elsewhere.
type timer struct {
	wall   time.Time
	cpu    time.Duration
	useCPU bool
}

// startTimer locks the goroutine to its thread and starts a timer.
func startTimer() *timer {
	runtime.LockOSThread()
	t := &timer{wall: time.Now(), cpu: threadTime()}
	t.useCPU = t.cpu > 0
	return t
}

// stop unlocks the goroutine and returns the time since startTimer.
func (t *timer) stop() time.Duration {
	defer runtime.UnlockOSThread()
	if t.useCPU {
		return threadTime() - t.cpu
	}
	return time.Since(t.wall)
}

// timeLoop runs f with growing n until one run takes at least d, and
// returns n and the time of that run.
func timeLoop(f func(n int), d time.Duration) (int, time.Duration) {
	for n := 1 << 12; ; n *= 2 {
		t := startTimer()
		f(n)
		if el := t.stop(); el >= d {
			return n, el
		}
	}
}

// measurePeak returns the rate of a loop of independent FMA chains run for
// about d, in GFLOP/s.
func measurePeak(p peakLoop, d time.Duration) float64 {
	n, el := timeLoop(p.run, d)
	return float64(p.flops) * float64(n) / el.Seconds() / 1e9
}

// measureClock returns the clock rate of the core, in GHz, from the time
// of about d of one-cycle dependent additions.
func measureClock(d time.Duration) float64 {
	n, el := timeLoop(clock, d)
	return 16 * float64(n) / el.Seconds() / 1e9
}

// peaks returns the FMA peak of each path with a peak loop on this CPU,
// in GFLOP/s, the best of five measurements.
func peaks() map[string]float64 {
	peakOnce.Do(func() {
		peakRate = map[string]float64{}
		for _, p := range peakLoops {
			if !runnable(p.path) {
				continue
			}
			for range 5 {
				key := peakKey(p.path, p.bits)
				peakRate[key] = max(peakRate[key], measurePeak(p, 20*time.Millisecond))
			}
		}
	})
	return peakRate
}

// peakKey is the key of peaks for the named path and precision (64 or
// 32 bits).
func peakKey(path string, bits int) string { return fmt.Sprintf("%s/float%d", path, bits) }

// runnable reports whether the CPU can run the named path.
func runnable(name string) bool {
	for _, im := range impls() {
		if im.name == name {
			return im.missing == ""
		}
	}
	return false
}

// The rates of BenchmarkFMAPeak and BenchmarkMulAdd are per second of the
// benchmark thread's CPU time on Linux (per second of wall time
// elsewhere), so that they hold on a machine shared with other work;
// ns/op is wall time, as always.

// BenchmarkFMAPeak measures one core's FMA peak on each vector path, in
// float64 and float32: GFLOP/s of independent FMA chains and, with the clock rate
// measured by a chain of one-cycle additions just before, flops per
// cycle. These are the ceilings against which BenchmarkMulAdd reports the
// share of peak of its products.
func BenchmarkFMAPeak(b *testing.B) {
	for _, p := range peakLoops {
		if !runnable(p.path) {
			continue
		}
		b.Run(peakKey(p.path, p.bits), func(b *testing.B) {
			ghz := measureClock(20 * time.Millisecond)
			b.ResetTimer()
			const rounds = 1 << 16
			t := startTimer()
			for i := 0; i < b.N; i++ {
				p.run(rounds)
			}
			gflops := float64(p.flops) * rounds * float64(b.N) / t.stop().Seconds() / 1e9
			b.ReportMetric(gflops, "GFLOP/s")
			b.ReportMetric(ghz, "GHz")
			b.ReportMetric(gflops/ghz, "flops/cycle")
		})
	}
}

// BenchmarkMulAdd reports the speed of MulAdd on every path the CPU can
// run, and of gonum's Dgemm (pure Go, or whatever BLAS the build links) on
// the same products, at the shapes of the mlp benchmark networks, one
// goroutine each. On amd64 it also reports the share of one core's FMA
// peak (BenchmarkFMAPeak) that each path reaches: of its own vector
// width's peak for avx512 and avx2, of the best path's for the others. The ratio of the go and gonum lines is what the
// products cost on a CPU with no assembly path, now that they no longer
// go to gonum.
func BenchmarkMulAdd(b *testing.B) {
	benchMulAdd(b, 64, MulAdd, func(m, n, k int, a, bb, c []float64) {
		ga := blas64.General{Rows: m, Cols: k, Stride: k, Data: a}
		gb := blas64.General{Rows: k, Cols: n, Stride: n, Data: bb}
		gc := blas64.General{Rows: m, Cols: n, Stride: n, Data: c}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 1, gc)
	})
}

// BenchmarkMulAdd32 is BenchmarkMulAdd for MulAdd32, against gonum's
// Sgemm, with the shares of the float32 FMA peak.
func BenchmarkMulAdd32(b *testing.B) {
	benchMulAdd(b, 32, MulAdd32, func(m, n, k int, a, bb, c []float32) {
		ga := blas32.General{Rows: m, Cols: k, Stride: k, Data: a}
		gb := blas32.General{Rows: k, Cols: n, Stride: n, Data: bb}
		gc := blas32.General{Rows: m, Cols: n, Stride: n, Data: c}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 1, gc)
	})
}

// benchMulAdd runs BenchmarkMulAdd or BenchmarkMulAdd32: mulAdd on every
// path and gonum's gemm on the plain shapes, with the shares of the FMA
// peak of the precision of T (bits).
func benchMulAdd[T elem](b *testing.B, bits int, mulAdd func(m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int),
	gonum func(m, n, k int, a, b, c []T)) {
	rng := rand.New(rand.NewPCG(1, 2))
	peak := peaks()
	best := 0.0
	for _, p := range peakLoops {
		best = max(best, peak[peakKey(p.path, bits)])
	}
	vals := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
		return s
	}
	for _, s := range benchShapes {
		m, n, k := s.m, s.n, s.k
		a, bb, c := vals(m*k), vals(k*n), make([]T, m*n)
		ars, acs, shape := k, 1, fmt.Sprintf("%dx%dx%d", m, n, k)
		if s.trans {
			ars, acs, shape = 1, m, shape+"T"
		}
		forEachPathB(b, func(name string) {
			b.Run(name+"/"+shape, func(b *testing.B) {
				b.ReportAllocs()
				mulAdd(m, n, k, a, ars, acs, bb, n, c, n) // first touches of C and of a packing buffer
				t := startTimer()
				for i := 0; i < b.N; i++ {
					mulAdd(m, n, k, a, ars, acs, bb, n, c, n)
				}
				gflops := 2 * float64(m*n*k) * float64(b.N) / t.stop().Seconds() / 1e9
				b.ReportMetric(gflops, "GFLOP/s")
				if p := peak[peakKey(name, bits)]; p > 0 {
					b.ReportMetric(100*gflops/p, "%peak")
				} else if best > 0 {
					b.ReportMetric(100*gflops/best, "%peak")
				}
			})
		})
		if s.trans {
			continue
		}
		b.Run("gonum/"+shape, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				gonum(m, n, k, a, bb, c)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// forEachPathB is forEachPath for benchmarks.
func forEachPathB(b *testing.B, f func(name string)) {
	saved := cur
	defer func() { cur = saved }()
	for _, im := range impls() {
		if im.missing != "" {
			continue
		}
		cur = im
		f(im.name)
	}
}

// BenchmarkGroupMulAdd reports the speed of Group.MulAdd on the path in use
// at the large shapes of benchShapes, in GFLOP/s of wall time: run it with
// -cpu 1,2 to see what a second core adds.
func BenchmarkGroupMulAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range benchShapes {
		m, n, k := s.m, s.n, s.k
		if m*n*k < ParallelMin {
			continue
		}
		a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float64, m*n)
		ars, acs, shape := k, 1, fmt.Sprintf("%dx%dx%d", m, n, k)
		if s.trans {
			ars, acs, shape = 1, m, shape+"T"
		}
		b.Run(shape, func(b *testing.B) {
			var g Group
			g.MulAdd(m, n, k, a, ars, acs, bb, n, c, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.MulAdd(m, n, k, a, ars, acs, bb, n, c, n)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
