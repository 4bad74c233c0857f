package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchShapes are the m×n×k forward products of the mlp benchmark
// networks.
var benchShapes = [][3]int{{50, 16, 30}, {16, 16, 4}, {32, 128, 64}, {64, 128, 32}, {128, 256, 784}, {256, 1024, 1024}}

// BenchmarkMulAdd reports the speed of MulAdd on every path the CPU can
// run, and of gonum's Dgemm (pure Go, or whatever BLAS the build links) on
// the same products, at the forward shapes of the mlp benchmark networks,
// one goroutine each. The ratio of the go and gonum lines is what the
// products cost on a CPU with no assembly path, now that they no longer
// go to gonum.
func BenchmarkMulAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range benchShapes {
		m, n, k := s[0], s[1], s[2]
		a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float64, m*n)
		flops := func(b *testing.B) {
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		forEachPathB(b, func(name string) {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", name, m, n, k), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					MulAdd(m, n, k, a, k, 1, bb, n, c, n)
				}
				flops(b)
			})
		})
		b.Run(fmt.Sprintf("gonum/%dx%dx%d", m, n, k), func(b *testing.B) {
			ga := blas64.General{Rows: m, Cols: k, Stride: k, Data: a}
			gb := blas64.General{Rows: k, Cols: n, Stride: n, Data: bb}
			gc := blas64.General{Rows: m, Cols: n, Stride: n, Data: c}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 1, gc)
			}
			flops(b)
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
