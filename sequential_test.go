package mlp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNewSequentialErrors checks the models NewSequential refuses: widths
// that do not chain (the error names both layers and their indices), no
// layers, only activations, a nil layer.
func TestNewSequentialErrors(t *testing.T) {
	src := rand.NewPCG(1, 2)
	for _, tc := range []struct {
		name   string
		layers []Layer
		want   []string // substrings of the error
	}{
		{
			name:   "widths-do-not-chain",
			layers: []Layer{NewLinear(4, 8, src), &ReLU{}, NewLinear(6, 3, src), &Softmax{}},
			want:   []string{"layer 2", "Linear(6->3)", "layer 0", "Linear(4->8)", "6 inputs", "gives 8"},
		},
		{
			name:   "adjacent",
			layers: []Layer{NewLinear(4, 8, src), NewLinear(8, 5, src), NewLinear(4, 3, src)},
			want:   []string{"layer 2", "Linear(4->3)", "layer 1", "Linear(8->5)"},
		},
		{name: "no-layers", layers: nil, want: []string{"no layers"}},
		{name: "only-activations", layers: []Layer{&ReLU{}, &Softmax{}}, want: []string{"input width"}},
		{name: "nil-layer", layers: []Layer{NewLinear(2, 2, src), nil}, want: []string{"layer 1", "nil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewSequential(tc.layers...)
			if err == nil {
				t.Fatalf("NewSequential returned a model of %d layers and no error", len(m.Layers()))
			}
			if m != nil {
				t.Error("NewSequential returned a model with its error")
			}
			if !errors.Is(err, ErrShape) {
				t.Errorf("error %q does not wrap ErrShape", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// TestNewSequentialSizes checks InputSize and OutputSize, leading and
// trailing activations included, and that the model keeps its own copy of
// the layer list.
func TestNewSequentialSizes(t *testing.T) {
	src := rand.NewPCG(3, 4)
	for _, tc := range []struct {
		name    string
		layers  []Layer
		in, out int
	}{
		{name: "linear", layers: []Layer{NewLinear(4, 3, src)}, in: 4, out: 3},
		{name: "mlp", layers: []Layer{NewLinear(4, 8, src), &ReLU{}, NewLinear(8, 3, src), &Softmax{}}, in: 4, out: 3},
		{name: "leading-activation", layers: []Layer{&ReLU{}, NewLinear(5, 2, src)}, in: 5, out: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layers := append([]Layer(nil), tc.layers...)
			m, err := NewSequential(layers...)
			if err != nil {
				t.Fatal(err)
			}
			if m.InputSize() != tc.in || m.OutputSize() != tc.out {
				t.Errorf("sizes %d->%d, want %d->%d", m.InputSize(), m.OutputSize(), tc.in, tc.out)
			}
			layers[0] = nil
			if m.Layers()[0] == nil || len(m.Layers()) != len(tc.layers) {
				t.Error("the model shares the caller's layer slice")
			}
			if !m.Training() {
				t.Error("a new model is not in training mode")
			}
		})
	}
}

// predictModel returns a seeded 6-16-3 model ending in Softmax.
func predictModel(t *testing.T) *Sequential {
	t.Helper()
	src := rand.NewPCG(51, 52)
	m, err := NewSequential(NewLinear(6, 16, src), &ReLU{}, NewLinear(16, 3, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPredictErrors checks that PredictProba and PredictClasses return an
// error wrapping ErrData, not a panic, for input that does not fit, and
// that the error names the width or the row and column of a NaN or Inf.
func TestPredictErrors(t *testing.T) {
	bad := func(r, c, i, j int, v float64) *mat.Dense {
		x := mat.NewDense(r, c, nil)
		x.Set(i, j, v)
		return x
	}
	for _, tc := range []struct {
		name string
		x    mat.Matrix
		want []string
	}{
		{name: "narrow", x: mat.NewDense(3, 5, nil), want: []string{"5 columns", "takes 6"}},
		{name: "wide", x: mat.NewDense(3, 7, nil), want: []string{"7 columns", "takes 6"}},
		{name: "NaN", x: bad(4, 6, 2, 1, math.NaN()), want: []string{"row 2", "column 1", "NaN"}},
		{name: "+Inf", x: bad(4, 6, 3, 5, math.Inf(1)), want: []string{"row 3", "column 5", "+Inf"}},
		{name: "-Inf-first", x: bad(1, 6, 0, 0, math.Inf(-1)), want: []string{"row 0", "column 0", "-Inf"}},
		{name: "NaN-after-chunk", x: bad(600, 6, 599, 4, math.NaN()), want: []string{"row 599", "column 4"}},
		{name: "nil", x: nil, want: []string{"nil"}},
	} {
		for _, method := range []struct {
			name string
			call func(m *Sequential, x mat.Matrix) (any, error)
		}{
			{"PredictProba", func(m *Sequential, x mat.Matrix) (any, error) { return m.PredictProba(x) }},
			{"PredictClasses", func(m *Sequential, x mat.Matrix) (any, error) { return m.PredictClasses(x) }},
		} {
			t.Run(tc.name+"/"+method.name, func(t *testing.T) {
				m := predictModel(t)
				var err error
				if p := panicError(func() { _, err = method.call(m, tc.x) }); p != nil {
					t.Fatalf("panicked: %v", p)
				}
				if !errors.Is(err, ErrData) {
					t.Fatalf("error %v does not wrap ErrData", err)
				}
				for _, s := range tc.want {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
			})
		}
	}
}

// TestPredictMatchesForward checks PredictProba and PredictClasses against
// Forward run one row at a time, within 1e-14, for batches smaller than,
// equal to and larger than the internal chunk of 512 rows (1500 spans three
// chunks), and for an input that is not a *mat.Dense.
func TestPredictMatchesForward(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rows      int
		transpose bool // pass the input as a mat.Transpose view
	}{
		{name: "1", rows: 1},
		{name: "511", rows: 511},
		{name: "512", rows: 512},
		{name: "1500", rows: 1500},
		{name: "1500/transpose-view", rows: 1500, transpose: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(53, uint64(tc.rows)))
			x := gradNormal(rng, tc.rows, 6, 2)
			var in mat.Matrix = x
			if tc.transpose {
				in = mat.DenseCopyOf(x.T()).T()
			}
			m := predictModel(t)
			proba, err := m.PredictProba(in)
			if err != nil {
				t.Fatal(err)
			}
			classes, err := m.PredictClasses(in)
			if err != nil {
				t.Fatal(err)
			}
			if r, c := proba.Dims(); r != tc.rows || c != 3 || len(classes) != tc.rows {
				t.Fatalf("PredictProba gave %dx%d and PredictClasses %d entries for %d rows", r, c, len(classes), tc.rows)
			}
			ref := predictModel(t)
			for i := range tc.rows {
				want := ref.Forward(mat.NewDense(1, 6, x.RawRowView(i)))
				best := 0
				for j := range 3 {
					if got := proba.At(i, j); math.Abs(got-want.At(0, j)) > 1e-14 {
						t.Fatalf("row %d column %d: PredictProba %.17g, Forward %.17g", i, j, got, want.At(0, j))
					}
					if want.At(0, j) > want.At(0, best) {
						best = j
					}
				}
				if classes[i] != best {
					t.Fatalf("row %d: PredictClasses %d, argmax of Forward %d", i, classes[i], best)
				}
			}
		})
	}
}

// modeProbe is an activation that keeps its input and records whether it
// was in training mode at its last Forward.
type modeProbe struct {
	training, sawTraining bool
	forwards              int
}

func (p *modeProbe) Forward(x *mat.Dense) *mat.Dense {
	p.sawTraining = p.training
	p.forwards++
	return x
}
func (p *modeProbe) Backward(g *mat.Dense) *mat.Dense { return g }
func (p *modeProbe) Params() []Param                  { return nil }
func (p *modeProbe) Dims() (in, out int)              { return 0, 0 }
func (p *modeProbe) String() string                   { return "modeProbe" }
func (p *modeProbe) SetTraining(training bool)        { p.training = training }

// TestPredictMode checks that prediction runs every layer in evaluation
// mode and leaves the model in the mode it found.
func TestPredictMode(t *testing.T) {
	for _, training := range []bool{true, false} {
		name := "eval"
		if training {
			name = "training"
		}
		t.Run(name, func(t *testing.T) {
			probe := &modeProbe{training: true}
			m, err := NewSequential(NewLinear(2, 3, rand.NewPCG(1, 1)), probe, &Softmax{})
			if err != nil {
				t.Fatal(err)
			}
			m.SetTraining(training)
			if probe.training != training {
				t.Fatalf("SetTraining(%v) did not reach the layer", training)
			}
			x := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
			if _, err := m.PredictProba(x); err != nil {
				t.Fatal(err)
			}
			if _, err := m.PredictClasses(x); err != nil {
				t.Fatal(err)
			}
			if probe.forwards != 2 || probe.sawTraining {
				t.Errorf("prediction ran %d forwards, the last in training mode %v; want 2 in evaluation mode", probe.forwards, probe.sawTraining)
			}
			if m.Training() != training || probe.training != training {
				t.Errorf("after prediction the model is in training mode %v and the layer %v, want %v", m.Training(), probe.training, training)
			}
		})
	}
}

// TestLayersIsACopy checks that changing the slice Layers returns changes
// nothing in the model.
func TestLayersIsACopy(t *testing.T) {
	m := predictModel(t)
	before := m.String()
	ls := m.Layers()
	ls[0], ls[2] = nil, NewLinear(3, 3, rand.NewPCG(1, 1))
	if got := m.String(); got != before {
		t.Errorf("after changing the slice of Layers the model is %s, want %s", got, before)
	}
	if _, err := m.Predict(mat.NewDense(1, 6, nil)); err != nil {
		t.Errorf("Predict after changing the slice of Layers: %v", err)
	}
}

// TestSetLayer checks that SetLayer replaces a layer, may change the model's
// widths, gives the new layer the model's mode, and leaves the model
// unchanged when it refuses.
func TestSetLayer(t *testing.T) {
	src := rand.NewPCG(5, 6)
	m := predictModel(t)
	m.SetTraining(false)
	d, err := NewDropout(0.5, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetLayer(1, d); err != nil {
		t.Fatal(err)
	}
	if d.Training() {
		t.Error("a Dropout put into a model in evaluation mode is in training mode")
	}
	if err := m.SetLayer(2, NewLinear(16, 5, src)); err != nil {
		t.Fatal(err)
	}
	if got, want := m.String(), "Sequential(Linear(6->16), Dropout(0.5), Linear(16->5), Softmax)"; got != want {
		t.Errorf("model %s, want %s", got, want)
	}
	if m.OutputSize() != 5 {
		t.Errorf("OutputSize %d after replacing the last Linear with one of 5 outputs, want 5", m.OutputSize())
	}
	v := m.version
	if err := m.SetLayer(0, NewLinear(7, 16, src)); err != nil || m.InputSize() != 7 {
		t.Errorf("SetLayer of a wider first layer: %v, InputSize %d; want nil, 7", err, m.InputSize())
	}
	if m.version == v {
		t.Error("SetLayer did not change the model's version")
	}
	before, v := m.String(), m.version
	for _, l := range []Layer{nil, NewLinear(3, 5, src), m.Layers()[0]} {
		if err := m.SetLayer(2, l); err == nil {
			t.Errorf("SetLayer(2, %v) gave no error", l)
		}
	}
	if m.String() != before || m.version != v {
		t.Errorf("refused SetLayer changed the model to %s", m)
	}
	if err := m.SetLayer(0, m.Layers()[0]); err != nil || m.version != v {
		t.Errorf("SetLayer of a layer with itself: %v, version changed %v; want nil, unchanged", err, m.version != v)
	}
}

// TestTrainerRefusesReplacedLayer checks that a layer replaced after
// NewTrainer (before Fit, or by a hook during Fit) makes Fit return an error
// instead of training the parameters the optimizer no longer reaches (with
// the old slice assignment the loss stayed constant) or panicking.
func TestTrainerRefusesReplacedLayer(t *testing.T) {
	src := rand.NewPCG(7, 8)
	d := relData(t)
	ctx := context.Background()
	t.Run("before-fit", func(t *testing.T) {
		m := testNet(t, 3, 2, 3, 2)
		tr := relTrainer(t, m, TrainerSettings{})
		if err := m.SetLayer(2, NewLinear(3, 2, src)); err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(ctx, mustLoader(t, d, LoaderSettings{}), nil, 3)
		if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "layer 2 Linear(3->2) was replaced") {
			t.Fatalf("Fit after SetLayer: %v, want an error naming the replaced layer", err)
		}
		if len(h.Epochs) != 0 {
			t.Errorf("Fit ran %d epochs", len(h.Epochs))
		}
	})
	for _, repl := range []struct {
		name  string
		layer func() Layer
	}{
		{"same-width", func() Layer { return NewLinear(3, 2, src) }},
		{"other-width", func() Layer { return NewLinear(3, 5, src) }},
	} {
		t.Run("hook/"+repl.name, func(t *testing.T) {
			m := testNet(t, 3, 2, 3, 2)
			hook := HookFunc(func(e EpochEnd) (bool, error) {
				if e.Epoch == 1 {
					return false, e.Model.SetLayer(2, repl.layer())
				}
				return false, nil
			})
			tr := relTrainer(t, m, TrainerSettings{Hooks: []Hook{hook}})
			var h *History
			var err error
			if p := panicError(func() { h, err = tr.Fit(ctx, mustLoader(t, d, LoaderSettings{}), nil, 5) }); p != nil {
				t.Fatalf("Fit panicked: %v", p)
			}
			if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "after the Trainer was made") {
				t.Fatalf("Fit with a hook that replaces a layer: %v, want an error", err)
			}
			if len(h.Epochs) != 2 {
				t.Errorf("Fit ran %d epochs, want 2 (the hook replaced the layer after epoch 1)", len(h.Epochs))
			}
		})
	}
}

// TestRepeatedLayerInstances checks that one layer instance in two places is
// refused, naming both, and that the same model with distinct instances has
// the gradient finite differences give. With the ReLU shared, Backward of
// its first place read the output of its second: dW[0,0] of the first
// Linear was 0.0125 where finite differences give 0.1151.
func TestRepeatedLayerInstances(t *testing.T) {
	src := rand.NewPCG(11, 12)
	l1, l2, l3 := NewLinear(2, 3, src), NewLinear(3, 3, src), NewLinear(3, 1, src)
	r := &ReLU{}
	if _, err := NewSequential(l1, r, l2, r, l3); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "layers 1 and 3") {
		t.Fatalf("NewSequential with one ReLU twice: %v, want an error naming layers 1 and 3", err)
	}
	if _, err := NewSequential(l2, &ReLU{}, l2); err == nil || !strings.Contains(err.Error(), "layers 0 and 2") {
		t.Fatalf("NewSequential with one Linear twice: %v, want an error naming layers 0 and 2", err)
	}
	if _, err := NewSequential(l1, &zeroSizeLayer{}, &zeroSizeLayer{}); err != nil {
		t.Errorf("two zero-size layers: %v", err)
	}
	m, err := NewSequential(l1, &ReLU{}, l2, &ReLU{}, l3)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(4, 2, []float64{1, 2, -1, 0.5, 0.3, -2, 2, 1})
	y := Targets{Values: mat.NewDense(4, 1, []float64{1, -1, 0.5, 2})}
	m.Forward(x)
	Backprop(m, &MSE{}, y)
	w := l1.Weights()
	f := func() float64 {
		return (&MSE{}).Loss(m.Forward(x), y)
	}
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			got := l1.Params()[0].Grad.At(i, j)
			v := w.At(i, j)
			w.Set(i, j, v+1e-6)
			up := f()
			w.Set(i, j, v-1e-6)
			down := f()
			w.Set(i, j, v)
			if want := (up - down) / 2e-6; math.Abs(got-want) > 1e-7 {
				t.Errorf("dW[%d,%d] = %.6g, finite differences %.6g", i, j, got, want)
			}
		}
	}
}

// zeroSizeLayer is a layer with no state, the identity.
type zeroSizeLayer struct{}

func (*zeroSizeLayer) Forward(x *mat.Dense) *mat.Dense  { return x }
func (*zeroSizeLayer) Backward(g *mat.Dense) *mat.Dense { return g }
func (*zeroSizeLayer) Dims() (in, out int)              { return 0, 0 }
func (*zeroSizeLayer) String() string                   { return "Identity" }

// TestSequentialString checks the architecture String prints.
func TestSequentialString(t *testing.T) {
	src := rand.NewPCG(1, 2)
	d, _ := NewDropout(0.25, src)
	m, err := NewSequential(NewLinear(4, 16, src), &ReLU{}, d, NewLinear(16, 3, src), &LeakyReLU{}, &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Sequential(Linear(4->16), ReLU, Dropout(0.25), Linear(16->3), LeakyReLU(0.01), Softmax)"
	if got := m.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestCloneLayerByLayer checks that Clone copies every layer type of the
// package without Save: a layer type Save does not know is copied when it
// implements Cloner, NaN weights are copied as they are, Dropout masks
// continue as the original's would, the copy shares no memory with the
// original, and a layer without Cloner is an error naming its type.
func TestCloneLayerByLayer(t *testing.T) {
	src := rand.NewPCG(21, 22)
	d, _ := NewDropout(0.3, rand.NewPCG(5, 5))
	lin := NewLinear(3, 4, src)
	lin.Bias()[1] = math.NaN()
	m, err := NewSequential(lin, &LeakyReLU{Slope: 0.2}, d, &cloneOnlyLayer{k: 2}, NewLinear(4, 4, src),
		&GELU{}, &Tanh{}, &Sigmoid{}, &ReLU{}, NewLinear(4, 2, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != m.String() || !c.Training() {
		t.Fatalf("clone %s (training %v), want %s in training mode", c, c.Training(), m)
	}
	for i, p := range m.Params() {
		q := c.Params()[i]
		if p.Value == q.Value || &p.Value.RawMatrix().Data[0] == &q.Value.RawMatrix().Data[0] {
			t.Fatalf("parameter %d shares memory with the clone", i)
		}
		for k, v := range p.Value.RawMatrix().Data {
			if w := q.Value.RawMatrix().Data[k]; math.Float64bits(v) != math.Float64bits(w) {
				t.Fatalf("parameter %d entry %d: clone %v, original %v", i, k, w, v)
			}
		}
	}
	for i, l := range m.Layers() {
		if l == c.Layers()[i] {
			t.Errorf("layer %d %v is shared with the clone", i, l)
		}
	}
	x := mat.NewDense(5, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1, 2, 2, 2})
	lin.Bias()[1] = 0.5
	c.Layers()[0].(*Linear).Bias()[1] = 0.5
	for step := 0; step < 3; step++ { // the same masks, step after step
		a, b := m.Forward(x), c.Forward(x)
		if !mat.Equal(a, b) {
			t.Fatalf("step %d: clone output differs from the original", step)
		}
	}
	if _, err := NewSequential(NewLinear(2, 2, src), &zeroSizeLayer{}); err != nil {
		t.Fatal(err)
	}
	u, _ := NewSequential(NewLinear(2, 2, src), &zeroSizeLayer{})
	if _, err := u.Clone(); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "layer 1 Identity is a *mlp.zeroSizeLayer") {
		t.Errorf("Clone of a model with a layer without Cloner: %v", err)
	}
}

// cloneOnlyLayer multiplies by k; it implements Cloner but not Predictor,
// and Save does not know it.
type cloneOnlyLayer struct {
	k    float64
	y, d mat.Dense
}

func (l *cloneOnlyLayer) Forward(x *mat.Dense) *mat.Dense {
	l.y.Reset()
	l.y.Scale(l.k, x)
	return &l.y
}
func (l *cloneOnlyLayer) Backward(g *mat.Dense) *mat.Dense {
	l.d.Reset()
	l.d.Scale(l.k, g)
	return &l.d
}
func (l *cloneOnlyLayer) Dims() (in, out int)        { return 0, 0 }
func (l *cloneOnlyLayer) String() string             { return "Scale" }
func (l *cloneOnlyLayer) CloneLayer() (Layer, error) { return &cloneOnlyLayer{k: l.k}, nil }
