package mlp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/datasets"
)

// randDense returns an r×c matrix of normal values scaled by s.
func randDense(rng *rand.Rand, r, c int, s float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = s * rng.NormFloat64()
	}
	return m
}

// to32 returns m rounded to float32, in a new matrix.
func to32(m *mat.Dense) blas32.General {
	var g blas32.General
	round32(&g, m)
	return g
}

// to64 returns g widened to float64, in a new matrix.
func to64(g blas32.General) *mat.Dense {
	var m mat.Dense
	widen64(&m, g)
	return &m
}

// maxRelDiff returns max |a - b| / max(max |b|, tiny) over the entries.
func maxRelDiff(a, b *mat.Dense) float64 {
	var d, s float64
	ar, br := a.RawMatrix(), b.RawMatrix()
	r, c := b.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x, y := ar.Data[i*ar.Stride+j], br.Data[i*br.Stride+j]
			d = max(d, math.Abs(x-y))
			s = max(s, math.Abs(y))
		}
	}
	return d / max(s, 1e-300)
}

// TestFloat32LayersMatchFloat64 checks each layer's Forward32 and
// Backward32 against Forward and Backward on the same (float32-exact)
// inputs: outputs, input gradients and parameter gradients agree to 1e-5
// of the largest magnitude, what float32 products of up to 64 terms give
// (each rounding 2^-24 ≈ 6e-8, accumulated over the inner dimension, for
// data of mixed signs). Element-wise layers whose float32 value is the
// float64 one rounded once must agree to 2^-24 relative, element by
// element (checked through the 1e-7 bound).
func TestFloat32LayersMatchFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 1))
	drop := func() Layer {
		d, err := NewDropout(0.3, rand.NewPCG(5, 5))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name   string
		make   func() Layer
		in     int
		tol    float64
		params bool
	}{
		{"Linear", func() Layer { return NewLinear(64, 10, rand.NewPCG(3, 3)) }, 64, 1e-5, true},
		{"ReLU", func() Layer { return &ReLU{} }, 12, 0, false},
		{"Sigmoid", func() Layer { return &Sigmoid{} }, 12, 1e-7, false},
		{"Tanh", func() Layer { return &Tanh{} }, 12, 1e-7, false},
		{"LeakyReLU", func() Layer { return &LeakyReLU{Slope: 0.1} }, 12, 1e-7, false},
		{"GELU", func() Layer { return &GELU{} }, 12, 1e-7, false},
		{"Softmax", func() Layer { return &Softmax{} }, 12, 1e-6, false},
		{"Dropout", drop, 12, 1e-7, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := to64(to32(randDense(rng, 33, tc.in, 2)))
			l64, l32 := tc.make(), tc.make()
			if tc.params {
				copyParams(t, l32, l64)
			}
			y64 := mat.DenseCopyOf(l64.Forward(x))
			f32 := l32.(Float32Layer)
			y32 := to64(f32.Forward32(to32(x)))
			_, c := y64.Dims()
			g := to64(to32(randDense(rng, 33, c, 1)))
			dx64 := mat.DenseCopyOf(l64.Backward(g))
			dx32 := to64(f32.Backward32(to32(g)))
			if d := maxRelDiff(y32, y64); d > tc.tol {
				t.Errorf("output: relative difference %.3g, want <= %g", d, tc.tol)
			}
			if d := maxRelDiff(dx32, dx64); d > tc.tol {
				t.Errorf("input gradient: relative difference %.3g, want <= %g", d, tc.tol)
			}
			if tc.params {
				p64, p32 := layerParams(l64), layerParams(l32)
				for i := range p64 {
					if d := maxRelDiff(p32[i].Grad, p64[i].Grad); d > tc.tol {
						t.Errorf("gradient of %s: relative difference %.3g, want <= %g", p64[i].Name, d, tc.tol)
					}
				}
			}
		})
	}
}

// copyParams copies the parameters of src into dst, layers of one kind.
func copyParams(t *testing.T, dst, src Layer) {
	t.Helper()
	d, s := layerParams(dst), layerParams(src)
	for i := range d {
		d[i].Value.Copy(s[i].Value)
	}
}

// TestFloat32MixedCallsPanic checks that Backward32 before any Forward32,
// Backward after Forward32, and Backward32 after Forward, panic with
// ErrMisuse rather than read stale or missing buffers.
func TestFloat32MixedCallsPanic(t *testing.T) {
	x := mat.NewDense(2, 3, []float64{1, -2, 3, -4, 5, -6})
	for _, mk := range []func() Layer{
		func() Layer { return NewLinear(3, 3, rand.NewPCG(1, 1)) },
		func() Layer { return &ReLU{} }, func() Layer { return &Sigmoid{} }, func() Layer { return &Softmax{} },
		func() Layer { d, _ := NewDropout(0.5, rand.NewPCG(1, 1)); return d },
	} {
		l := mk()
		f := l.(Float32Layer)
		if err := panicError(func() { f.Backward32(to32(mat.NewDense(2, 3, nil))) }); !errors.Is(err, ErrMisuse) {
			t.Errorf("%v: Backward32 before any Forward32: %v, want ErrMisuse", l, err)
		}
		f.Forward32(to32(x))
		if err := panicError(func() { l.Backward(mat.NewDense(2, 3, nil)) }); !errors.Is(err, ErrMisuse) {
			t.Errorf("%v: Backward after Forward32: %v, want ErrMisuse", l, err)
		}
		l.Forward(x)
		if err := panicError(func() { f.Backward32(to32(mat.NewDense(2, 3, nil))) }); !errors.Is(err, ErrMisuse) {
			t.Errorf("%v: Backward32 after Forward: %v, want ErrMisuse", l, err)
		}
	}
}

// plainLayer runs a layer through the Layer methods only, as a user's
// layer without Float32Layer would.
type plainLayer struct{ l Layer }

func (p plainLayer) Forward(x *mat.Dense) *mat.Dense  { return p.l.Forward(x) }
func (p plainLayer) Backward(g *mat.Dense) *mat.Dense { return p.l.Backward(g) }
func (p plainLayer) Dims() (int, int)                 { return p.l.Dims() }
func (p plainLayer) String() string                   { return "plain " + p.l.String() }
func (p plainLayer) Params() []Param                  { return layerParams(p.l) }

func (p plainLayer) SetTraining(training bool) {
	if m, ok := p.l.(TrainingModer); ok {
		m.SetTraining(training)
	}
}

func (p plainLayer) Probabilities() ProbabilityKind {
	if o, ok := p.l.(ProbabilityOutput); ok {
		return o.Probabilities()
	}
	return 0
}

func (p plainLayer) Logits() *mat.Dense { return p.l.(ProbabilityOutput).Logits() }

// adamTrainer is a Trainer of m in d: Adam (learning rate 0.01),
// CrossEntropy, and the accuracy among its metrics.
func adamTrainer(t *testing.T, m *Sequential, d DType) *Trainer {
	t.Helper()
	opt, err := NewAdam(m.Params(), AdamSettings{LR: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{DType: d, Metrics: []Metric{&Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// trainRun trains a 64-48-10 network (Linear, ReLU, Dropout, Linear,
// Softmax; wrap replaces each activation and the Dropout by a layer without
// Float32Layer when set) for 3 epochs of Adam with CrossEntropy in the
// given type on seeded data, and returns its parameters and history.
func trainRun(t *testing.T, d DType, wrap bool) ([][]float64, *History) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	x := randDense(rng, 200, 64, 1)
	labels := make([]int, 200)
	for i := range labels {
		labels[i] = rng.IntN(10)
		x.Set(i, labels[i], x.At(i, labels[i])+2)
	}
	ds, err := NewDataset(x, Targets{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(7, 8)
	drop, err := NewDropout(0.2, rand.NewPCG(7, 9))
	if err != nil {
		t.Fatal(err)
	}
	acts := []Layer{&ReLU{}, drop, &Softmax{}}
	if wrap {
		for i, a := range acts {
			acts[i] = plainLayer{a}
		}
	}
	m, err := NewSequential(NewLinear(64, 48, src), acts[0], acts[1], NewLinear(48, 10, src), acts[2])
	if err != nil {
		t.Fatal(err)
	}
	tr := adamTrainer(t, m, d)
	l := mustLoader(t, ds, LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(7, 10)})
	h, err := tr.Fit(context.Background(), l, l, 3)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot(m.Params()), h
}

// TestFloat32BoundaryLayers checks that layers without Float32Layer train
// inside a float32 model through Sequential's conversions: a ReLU, a
// Dropout and a final Softmax run through their float64 methods between a
// widening and a rounding give exactly the bits of their float32 methods,
// so the whole run is the same bits; and that float32 training is close to
// float64 training (1e-5 relative on the weights after 21 Adam steps at lr
// 1e-2, where float32's rounding of the products, 6e-8 per step, grows
// through the steps).
func TestFloat32BoundaryLayers(t *testing.T) {
	native, h1 := trainRun(t, Float32, false)
	wrapped, h2 := trainRun(t, Float32, true)
	for i := range native {
		for j := range native[i] {
			if math.Float64bits(native[i][j]) != math.Float64bits(wrapped[i][j]) {
				t.Fatalf("parameter %d element %d: %v with Float32Layer activations, %v through the boundary", i, j, native[i][j], wrapped[i][j])
			}
		}
	}
	for e := range h1.Epochs {
		if h1.Epochs[e].Loss != h2.Epochs[e].Loss || h1.Epochs[e].ValLoss != h2.Epochs[e].ValLoss {
			t.Errorf("epoch %d: losses %v, %v native and %v, %v through the boundary", e,
				h1.Epochs[e].Loss, h1.Epochs[e].ValLoss, h2.Epochs[e].Loss, h2.Epochs[e].ValLoss)
		}
	}
	f64, h64 := trainRun(t, Float64, false)
	var d, s float64
	for i := range f64 {
		for j := range f64[i] {
			d = max(d, math.Abs(native[i][j]-f64[i][j]))
			s = max(s, math.Abs(f64[i][j]))
		}
	}
	t.Logf("largest weight difference float32 - float64: %.3g (largest weight %.3g); losses %v and %v",
		d, s, h1.Epochs[2].Loss, h64.Epochs[2].Loss)
	if d > 1e-5*s {
		t.Errorf("float32 weights differ from float64 by %.3g, want <= 1e-5 × %.3g", d, s)
	}
	if r := math.Abs(h1.Epochs[2].Loss-h64.Epochs[2].Loss) / h64.Epochs[2].Loss; r > 1e-5 {
		t.Errorf("last training loss %v in float32, %v in float64: relative difference %.3g, want <= 1e-5",
			h1.Epochs[2].Loss, h64.Epochs[2].Loss, r)
	}
}

// TestFloat32Settings checks the errors of the float32 path: an unknown
// DType, and a feature beyond float32's range, named with its place.
func TestFloat32Settings(t *testing.T) {
	m := reluNet(t, rand.NewPCG(1, 1), []int{2, 3, 2})
	opt, err := NewSGD(m.Params(), SGDSettings{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{DType: 7}); !errors.Is(err, ErrSetting) ||
		!strings.Contains(err.Error(), "TrainerSettings.DType") {
		t.Errorf("DType 7: %v, want ErrSetting naming TrainerSettings.DType", err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{DType: Float32})
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 1e39, 5, 6})
	ds, err := NewDataset(x, Targets{Labels: []int{0, 1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Fit(context.Background(), mustLoader(t, ds, LoaderSettings{BatchSize: 2}), nil, 1)
	if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "row 1, column 1") || !strings.Contains(err.Error(), "float32") {
		t.Errorf("feature 1e39: %v, want ErrData naming row 1, column 1 and float32", err)
	}
	if got := Float32.String() + " " + Float64.String(); got != "float32 float64" {
		t.Errorf("DType names %q", got)
	}
}

// goldenTrain32Hash is goldenTrainHash for the same run in Float32: the
// same on every kernel path, build and architecture (CI checks each).
const goldenTrain32Hash = "bae81b9c7ce9b8b97628ce13af2897f21893ce356c9a35ebe47a160c5f1d9002"

// TestGoldenTraining32 checks that a seeded float32 training run gives the
// same bits on every supported machine and kernel path.
func TestGoldenTraining32(t *testing.T) {
	path, _ := KernelPath()
	if got := goldenTrain(t, Float32); got != goldenTrain32Hash {
		t.Errorf("kernel path %s: hash of the float32-trained weights and history %s, want %s", path, got, goldenTrain32Hash)
	}
}

// TestTrainAllocs32 checks that a float32 training step and a whole epoch
// allocate nothing once the buffers are sized, for the small benchmark
// networks and, unless -short, the mnist-shape one.
func TestTrainAllocs32(t *testing.T) {
	ws := benchWorkloads[:4]
	if testing.Short() {
		ws = ws[:3]
	}
	for _, w := range ws {
		t.Run(w.name, func(t *testing.T) {
			if w.rows > 0 {
				w.rows = 2 * w.batch
			}
			tr, l := benchTrainerAs(t, w, Float32)
			checkTrainAllocs(t, tr, l, 10, "a float32 training")
		})
	}
}

// TestFloat32Accuracy trains the same network on each embedded
// classification set in Float64 and in Float32, from the same weights and
// batches, and checks that the held-out accuracies (20% of the rows, seed
// 9) differ by at most 0.005.
func TestFloat32Accuracy(t *testing.T) {
	for _, c := range []struct {
		csv    string
		hidden int
		epochs int
	}{
		{"breast_cancer.csv", 16, 30},
		{"iris.csv", 16, 60},
		{"digits.csv", 64, 15},
		{"wine.csv", 16, 40},
	} {
		t.Run(c.csv, func(t *testing.T) {
			w := benchWorkload{name: c.csv, csv: c.csv}
			r, err := datasets.Open(c.csv)
			if err != nil {
				t.Fatal(err)
			}
			all, err := readLabelled(r)
			if err != nil {
				t.Fatal(err)
			}
			train, test, err := Split(all, SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(9, 1)})
			if err != nil {
				t.Fatal(err)
			}
			sc := FitStandardScaler(train.X)
			if train, err = sc.TransformDataset(train); err != nil {
				t.Fatal(err)
			}
			if test, err = sc.TransformDataset(test); err != nil {
				t.Fatal(err)
			}
			classes := 0
			for _, l := range all.Y.Labels {
				classes = max(classes, l+1)
			}
			_, in := all.X.Dims()
			w.sizes = []int{in, c.hidden, classes}
			acc := map[DType]float64{}
			for _, d := range []DType{Float64, Float32} {
				m := reluNet(t, rand.NewPCG(9, 2), w.sizes)
				tr := adamTrainer(t, m, d)
				l := mustLoader(t, train, LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(9, 3)})
				if _, err := tr.Fit(context.Background(), l, nil, c.epochs); err != nil {
					t.Fatal(err)
				}
				s, err := tr.Evaluate(context.Background(), mustLoader(t, test, LoaderSettings{BatchSize: 64}))
				if err != nil {
					t.Fatal(err)
				}
				acc[d] = s.Metrics["accuracy"]
			}
			t.Logf("held-out accuracy %.4f in float64, %.4f in float32", acc[Float64], acc[Float32])
			if math.Abs(acc[Float64]-acc[Float32]) > 0.005 {
				t.Errorf("held-out accuracy %.4f in float64, %.4f in float32: differ by more than 0.005", acc[Float64], acc[Float32])
			}
			if acc[Float32] < 0.85 {
				t.Errorf("held-out accuracy %.4f in float32, want >= 0.85", acc[Float32])
			}
		})
	}
}

// TestFloat32Overflow checks that activations beyond float32's range stop
// Fit with a *DivergenceError naming the loss, before any weight changes,
// where the same data and weights train in float64.
func TestFloat32Overflow(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{1e20, 1, 1, 1e20})
	ds, err := NewDataset(x, Targets{Labels: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []DType{Float64, Float32} {
		lin := newLinear(2, 2)
		if err := lin.SetParams(mat.NewDense(2, 2, []float64{1e20, 0, 0, 1e20}), []float64{0, 0}); err != nil {
			t.Fatal(err)
		}
		m, err := NewSequential(lin, &Softmax{})
		if err != nil {
			t.Fatal(err)
		}
		opt, err := NewSGD(m.Params(), SGDSettings{LR: 1e-30})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{DType: d})
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Fit(context.Background(), mustLoader(t, ds, LoaderSettings{BatchSize: 2}), nil, 1)
		var div *DivergenceError
		switch {
		case d == Float64 && err != nil:
			t.Errorf("float64: %v, want training (logits 1e40 are finite in float64)", err)
		case d == Float32 && (!errors.As(err, &div) || div.What != "loss"):
			t.Errorf("float32: %v, want a *DivergenceError naming the loss (logits 1e40 overflow float32)", err)
		case d == Float32 && lin.Weights().At(0, 0) != 1e20:
			t.Errorf("float32: weight %v after the refused step, want 1e20", lin.Weights().At(0, 0))
		}
	}
}

// TestFillRows32 checks that fillRows sets every row, and nothing past
// them, for row counts that are and are not powers of two.
func TestFillRows(t *testing.T) {
	v := []float32{1, -2, 3}
	for _, r := range []int{0, 1, 2, 3, 5, 8, 33} {
		y := make([]float32, r*len(v)+2)
		y[len(y)-2], y[len(y)-1] = 7, 7
		fillRows(y, r, v)
		for i := range r {
			for j, w := range v {
				if y[i*len(v)+j] != w {
					t.Fatalf("r=%d: y[%d][%d] = %v, want %v", r, i, j, y[i*len(v)+j], w)
				}
			}
		}
		if y[len(y)-2] != 7 || y[len(y)-1] != 7 {
			t.Fatalf("r=%d: wrote past the rows: %v", r, y[len(y)-2:])
		}
	}
}
