package mlp_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// A user's own loss, metric, layer and batch source train through
// Trainer.Fit exactly where the package's own do: Fit asks for capabilities
// (TargetReader, Goaler, OutputValidator, ProbabilityOutput, BatchSource),
// never for the package's concrete types.

// embeddedMSE embeds MSE and so inherits its capabilities.
type embeddedMSE struct{ mlp.MSE }

// wrappedMSE holds an MSE and declares nothing: Fit gives it the data as
// it is.
type wrappedMSE struct{ inner mlp.MSE }

func (w *wrappedMSE) Loss(p *mat.Dense, y mlp.Targets) float64    { return w.inner.Loss(p, y) }
func (w *wrappedMSE) Grad(p *mat.Dense, y mlp.Targets) *mat.Dense { return w.inner.Grad(p, y) }

// maxError is a user's regression metric: the largest absolute error. It
// declares the targets it reads and that smaller is better.
type maxError struct{ v float64 }

func (m *maxError) Name() string                 { return "max_error" }
func (m *maxError) Reset()                       { m.v = 0 }
func (m *maxError) ReadsTargets() mlp.TargetKind { return mlp.RealValues }
func (m *maxError) Goal() mlp.Goal               { return mlp.Minimize }
func (m *maxError) Update(p *mat.Dense, y mlp.Targets) {
	r, c := p.Dims()
	for i := range r {
		for j := range c {
			m.v = math.Max(m.v, math.Abs(p.At(i, j)-y.Values.At(i, j)))
		}
	}
}
func (m *maxError) Value() float64 { return m.v }

// scale is a user's layer: y = 0.5·x, no parameters.
type scale struct{ y, dx mat.Dense }

func (s *scale) Forward(x *mat.Dense) *mat.Dense  { s.y.Scale(0.5, x); return &s.y }
func (s *scale) Backward(g *mat.Dense) *mat.Dense { s.dx.Scale(0.5, g); return &s.dx }
func (s *scale) Params() []mlp.Param              { return nil }
func (s *scale) Dims() (int, int)                 { return 0, 0 }
func (s *scale) String() string                   { return "scale" }

// sliceSource is a user's batch source over fixed batches.
type sliceSource struct {
	batches []mlp.Batch
	i       int
}

func (s *sliceSource) Reset()           { s.i = -1 }
func (s *sliceSource) Next() bool       { s.i++; return s.i < len(s.batches) }
func (s *sliceSource) Batch() mlp.Batch { return s.batches[s.i] }

// line returns y = 2x + 1 at n points in [-1, 1].
func line(t *testing.T, n int) *mlp.Dataset {
	t.Helper()
	x, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := range n {
		v := -1 + 2*float64(i)/float64(n-1)
		x.Set(i, 0, v)
		y.Set(i, 0, 2*v+1)
	}
	d, err := mlp.NewDataset(x, mlp.Targets{Values: y})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestUserTypesTrain(t *testing.T) {
	d := line(t, 20)
	for _, tc := range []struct {
		name   string
		loss   mlp.Loss
		metric mlp.Metric
		layer  mlp.Layer
		source bool
	}{
		{"loss embedding MSE", &embeddedMSE{}, &mlp.RMSE{}, nil, false},
		{"loss holding an MSE", &wrappedMSE{}, &mlp.RMSE{}, nil, false},
		{"user metric", &mlp.MSE{}, &maxError{}, nil, false},
		{"user layer", &mlp.MSE{}, &mlp.RMSE{}, &scale{}, false},
		{"user batch source", &mlp.MSE{}, &mlp.RMSE{}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layers := []mlp.Layer{mlp.NewLinear(1, 1, rand.NewPCG(3, 3))}
			if tc.layer != nil {
				layers = append(layers, tc.layer)
			}
			m, err := mlp.NewSequential(layers...)
			if err != nil {
				t.Fatal(err)
			}
			opt, err := mlp.NewSGD(m.Params(), mlp.SGDSettings{LR: 0.2})
			if err != nil {
				t.Fatal(err)
			}
			es := &mlp.EarlyStopping{Monitor: "val_" + tc.metric.Name(), Patience: 2}
			tr, err := mlp.NewTrainer(m, tc.loss, opt, mlp.TrainerSettings{Metrics: []mlp.Metric{tc.metric}, Hooks: []mlp.Hook{es}})
			if err != nil {
				t.Fatalf("NewTrainer: %v", err)
			}
			var src mlp.BatchSource
			if tc.source {
				src = &sliceSource{batches: []mlp.Batch{
					{X: d.X.Slice(0, 10, 0, 1).(*mat.Dense), Y: mlp.Targets{Values: d.Y.Values.Slice(0, 10, 0, 1).(*mat.Dense)}},
					{X: d.X.Slice(10, 20, 0, 1).(*mat.Dense), Y: mlp.Targets{Values: d.Y.Values.Slice(10, 20, 0, 1).(*mat.Dense)}},
				}}
			} else {
				src, err = mlp.NewDataLoader(d, mlp.LoaderSettings{BatchSize: 5})
				if err != nil {
					t.Fatal(err)
				}
			}
			h, err := tr.Fit(context.Background(), src, src, 300)
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			v, err := h.Metric("val_" + tc.metric.Name())
			if err != nil {
				t.Fatal(err)
			}
			if first, last := v[0], v[len(v)-1]; !(last < 0.05 && last < first) {
				t.Errorf("val_%s went from %.4g to %.4g in %d epochs; want below 0.05", tc.metric.Name(), first, last, len(v))
			}
		})
	}
}

// userSoftmax is a user's own softmax layer: it declares its probabilities
// and logits, so CrossEntropy fuses with it as with the package's Softmax.
type userSoftmax struct{ mlp.Softmax }

func (u *userSoftmax) String() string { return "userSoftmax" }

// TestUserProbabilityLayer checks that a user's layer that declares
// ProbabilityOutput gets the exact loss from the logits, as Softmax does:
// logits [-431, 279, 427] with label 0 cost 858 (PyTorch's value), not the
// 18.42 of the clipped probability.
func TestUserProbabilityLayer(t *testing.T) {
	for _, last := range []mlp.Layer{&mlp.Softmax{}, &userSoftmax{}} {
		lin := mlp.NewLinear(3, 3, rand.NewPCG(1, 1))
		eye := mat.NewDense(3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
		if err := lin.SetParams(eye, []float64{0, 0, 0}); err != nil {
			t.Fatal(err)
		}
		m, err := mlp.NewSequential(lin, last)
		if err != nil {
			t.Fatal(err)
		}
		m.Forward(mat.NewDense(1, 3, []float64{-431, 279, 427}))
		if got := mlp.Backprop(m, &mlp.CrossEntropy{}, mlp.Targets{Labels: []int{0}}); math.Abs(got-858) > 1e-12 {
			t.Errorf("%v: loss %.17g, want 858", last, got)
		}
	}
}
