package mlp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkPredictParallel predicts with one model shared by every
// goroutine of b.RunParallel (run it with -cpu 1,2): one row through
// PredictInto, and batches of 64 rows, each into a
// buffer of the goroutine's. It reports predictions (rows) per second over
// all goroutines; allocs/op is per call.
func BenchmarkPredictParallel(b *testing.B) {
	for _, w := range []struct {
		name  string
		sizes []int
	}{
		{"bc", []int{30, 16, 2}},
		{"digits", []int{64, 128, 10}},
		{"mnist-shape", []int{784, 256, 128, 10}},
	} {
		m := benchNet(b, w.sizes)
		m.SetTraining(false)
		for _, rows := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/rows=%d", w.name, rows), func(b *testing.B) {
				x := gradNormal(rand.New(rand.NewPCG(1, 2)), rows, w.sizes[0], 1)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					dst := mat.NewDense(rows, m.OutputSize(), nil)
					for pb.Next() {
						if err := m.PredictInto(dst, x); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "predictions/s")
			})
		}
	}
}

// BenchmarkPredictClonePerRequest is what serving cost when a model could
// not be shared: a Clone per request, then a one-row PredictProba.
func BenchmarkPredictClonePerRequest(b *testing.B) {
	m := benchNet(b, []int{30, 16, 2})
	m.SetTraining(false)
	x := gradNormal(rand.New(rand.NewPCG(1, 2)), 1, 30, 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, err := m.Clone()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.PredictProba(x); err != nil {
			b.Fatal(err)
		}
	}
}
