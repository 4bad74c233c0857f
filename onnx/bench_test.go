package onnx_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
)

// BenchmarkPredictImported times prediction by a net imported from
// PyTorch (testdata/torch_bench.onnx, 64-128-10 with ReLU and Softmax)
// against a native net of the same shapes: one row through PredictInto (what
// a server does per request, allocating nothing), one row through Predict,
// and 256 rows through PredictInto. The imported net is an ordinary
// Sequential, so the two should match. For onnxruntime's one-row latency on
// the same file, run
//
//	node testdata/ort.js bench testdata/torch_bench.onnx 20000
//
// which reports the median of one-row calls, as median-ns/call here does.
func BenchmarkPredictImported(b *testing.B) {
	file, _ := readFixture(b, "bench")
	imported, err := onnx.Import(bytes.NewReader(file), nil)
	if err != nil {
		b.Fatal(err)
	}
	src := rand.NewPCG(1, 2)
	native, err := mlp.NewSequential(mlp.NewLinear(64, 128, src), &mlp.ReLU{}, mlp.NewLinear(128, 10, src), &mlp.Softmax{})
	if err != nil {
		b.Fatal(err)
	}
	native.SetTraining(false)
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.NewDense(256, 64, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = rng.NormFloat64()
	}
	row := x.Slice(0, 1, 0, 64).(*mat.Dense)
	out := mat.NewDense(1, 10, nil)
	var dst mat.Dense
	for _, net := range []struct {
		name string
		m    *mlp.Sequential
	}{{"imported", imported.Net}, {"native", native}} {
		for _, tc := range []struct {
			name string
			rows int
			run  func() error
		}{
			{"PredictInto_1row", 1, func() error { return net.m.PredictInto(out, row) }},
			{"Predict_1row", 1, func() error { _, err := net.m.Predict(row); return err }},
			{"PredictInto_256rows", 256, func() error { return net.m.PredictInto(&dst, x) }},
		} {
			b.Run(net.name+"/"+tc.name, func(b *testing.B) {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
				// The median time of one call, as testdata/ort.js reports
				// onnxruntime's: on a shared machine the mean (ns/op)
				// carries every preemption.
				calls := make([]time.Duration, min(b.N, 1<<16))
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if err := tc.run(); err != nil {
						b.Fatal(err)
					}
					if i < len(calls) {
						calls[i] = time.Since(t0)
					}
				}
				sec := time.Since(start).Seconds()
				b.ReportMetric(float64(b.N*tc.rows)/sec, "samples/s")
				slices.Sort(calls)
				b.ReportMetric(float64(calls[len(calls)/2].Nanoseconds()), "median-ns/call")
			})
		}
	}
}
