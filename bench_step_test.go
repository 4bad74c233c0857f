package mlp

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// stepBenchNets are the networks of BenchmarkStep: Linear layers of the
// given widths with ReLU between them and Softmax at the end.
var stepBenchNets = []struct {
	name  string
	sizes []int
	batch int
}{
	{name: "bc", sizes: []int{30, 16, 2}, batch: 50},
	{name: "iris", sizes: []int{4, 16, 3}, batch: 16},
	{name: "digits", sizes: []int{64, 128, 10}, batch: 32},
	{name: "mnist-shape", sizes: []int{784, 256, 128, 10}, batch: 128},
	{name: "wide", sizes: []int{1024, 1024, 1024, 10}, batch: 256},
}

// BenchmarkStep measures one training step, Forward + Backprop with
// CrossEntropy + SGD.Step at lr 0.1, on one batch of N(0, 1) inputs and
// random labels from a seeded source, and reports samples per second.
func BenchmarkStep(b *testing.B) {
	for _, nb := range stepBenchNets {
		b.Run(nb.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(61, 62))
			src := rand.NewPCG(63, 64)
			var layers []Layer
			for i := 0; i+1 < len(nb.sizes); i++ {
				layers = append(layers, NewLinear(nb.sizes[i], nb.sizes[i+1], src))
				if i+2 < len(nb.sizes) {
					layers = append(layers, &ReLU{})
				}
			}
			m, err := NewSequential(append(layers, &Softmax{})...)
			if err != nil {
				b.Fatal(err)
			}
			opt, err := NewSGD(m.Params(), SGDSettings{LR: 0.1})
			if err != nil {
				b.Fatal(err)
			}
			x := mat.NewDense(nb.batch, nb.sizes[0], nil)
			for i := range x.RawMatrix().Data {
				x.RawMatrix().Data[i] = rng.NormFloat64()
			}
			classes := nb.sizes[len(nb.sizes)-1]
			y := Targets{Labels: make([]int, nb.batch)}
			for i := range y.Labels {
				y.Labels[i] = rng.IntN(classes)
			}
			crit := &CrossEntropy{}
			step := func() {
				m.Forward(x)
				Backprop(m, crit, y)
				opt.Step()
			}
			step() // size the buffers outside the timing

			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
			b.StopTimer()
			if s := b.Elapsed().Seconds(); s > 0 {
				b.ReportMetric(float64(b.N*nb.batch)/s, "samples/s")
			}
		})
	}
}
