package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMulAdd reports the speed of MulAdd at the forward shapes of the
// mlp benchmark networks.
func BenchmarkMulAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{50, 16, 30}, {16, 16, 4}, {32, 128, 64}, {64, 128, 32}, {128, 256, 784}, {256, 1024, 1024}} {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			a, bb, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float64, m*n)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				MulAdd(m, n, k, a, k, 1, bb, n, c, n)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
