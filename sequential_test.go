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
// layers, only activations, a nil or typed nil layer, and a layer instance
// given twice, each with the sentinel it wraps.
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
	checkErrorCases(t, []errorCase{
		{"no layers", func(*testing.T) error { _, err := NewSequential(); return err },
			[]error{ErrShape}, []string{"no layers"}},
		{"nil layer", func(t *testing.T) error {
			_, err := NewSequential(NewLinear(2, 2, src), nil)
			return err
		}, []error{ErrShape}, []string{"layer 1 is nil"}},
		{"typed nil layer", func(*testing.T) error { _, err := NewSequential((*Linear)(nil)); return err },
			[]error{ErrShape}, []string{"layer 0 is nil"}},
		{"widths do not chain", func(*testing.T) error {
			_, err := NewSequential(NewLinear(2, 3, src), &ReLU{}, NewLinear(4, 2, src))
			return err
		}, []error{ErrShape}, []string{"layer 2 Linear(4->2) takes 4 inputs but layer 0 Linear(2->3) gives 3"}},
		{"only activations", func(*testing.T) error { _, err := NewSequential(&ReLU{}, &Softmax{}); return err },
			[]error{ErrShape}, []string{"no layer fixes the input width"}},
		{"repeated ReLU", func(*testing.T) error {
			r := &ReLU{}
			_, err := NewSequential(NewLinear(2, 3, src), r, NewLinear(3, 3, src), r, NewLinear(3, 2, src))
			return err
		}, []error{ErrSetting}, []string{"layers 1 and 3 are the same ReLU instance"}},
		{"repeated Linear", func(*testing.T) error {
			l := NewLinear(3, 3, src)
			_, err := NewSequential(l, &ReLU{}, l)
			return err
		}, []error{ErrSetting}, []string{"layers 0 and 2 are the same Linear(3->3) instance"}},
	})
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
	d := smallLabeled(t)
	ctx := context.Background()
	t.Run("before-fit", func(t *testing.T) {
		m := testNet(t, 3, 2, 3, 2)
		tr := smallTrainer(t, m, TrainerSettings{})
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
			tr := smallTrainer(t, m, TrainerSettings{Hooks: []Hook{hook}})
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

// TestSetLayerErrors checks the layers SetLayer refuses, naming the index:
// nil, one whose width breaks the chain, one already in the model, an index
// out of range, and a nil model.
func TestSetLayerErrors(t *testing.T) {
	src := rand.NewPCG(5, 6)
	checkErrorCases(t, []errorCase{
		{"nil", func(t *testing.T) error { return smallNet(t).SetLayer(1, nil) },
			[]error{ErrShape}, []string{"SetLayer(1): layer 1 is nil"}},
		{"another width", func(t *testing.T) error { return smallNet(t).SetLayer(2, NewLinear(4, 2, src)) },
			[]error{ErrShape}, []string{"layer 2 Linear(4->2) takes 4 inputs but layer 0 Linear(2->3) gives 3"}},
		{"index out of range", func(t *testing.T) error { return smallNet(t).SetLayer(4, &ReLU{}) },
			[]error{ErrSetting}, []string{"index 4 out of range for a model of 4 layers"}},
		{"layer of the model", func(t *testing.T) error {
			m := smallNet(t)
			return m.SetLayer(2, m.Layers()[0])
		}, []error{ErrSetting}, []string{"layers 0 and 2 are the same Linear(2->3) instance"}},
		{"nil model", func(*testing.T) error { var m *Sequential; return m.SetLayer(0, &ReLU{}) },
			[]error{ErrSetting}, []string{"model is nil"}},
	})
}

// uncloneableLayer is a layer type that does not implement Cloner, the
// identity.
type uncloneableLayer struct{}

func (uncloneableLayer) Forward(x *mat.Dense) *mat.Dense  { return x }
func (uncloneableLayer) Backward(g *mat.Dense) *mat.Dense { return g }
func (uncloneableLayer) Dims() (in, out int)              { return 0, 0 }
func (uncloneableLayer) String() string                   { return "Custom" }

// uncopyableSource is a random source whose state cannot be copied.
type uncopyableSource struct{}

func (uncopyableSource) Uint64() uint64 { return 42 }

// TestCloneErrors checks that Clone refuses a model holding a layer it
// cannot copy, naming the layer and its type.
func TestCloneErrors(t *testing.T) {
	src := rand.NewPCG(5, 6)
	checkErrorCases(t, []errorCase{
		{"unknown layer type", func(*testing.T) error {
			m, err := NewSequential(NewLinear(2, 2, src), uncloneableLayer{})
			if err != nil {
				return err
			}
			_, err = m.Clone()
			return err
		}, []error{ErrSetting}, []string{"layer 1 Custom is a mlp.uncloneableLayer, which does not implement Cloner"}},
		{"uncopyable random source", func(t *testing.T) error {
			d, err := NewDropout(0.5, uncopyableSource{})
			if err != nil {
				return err
			}
			m, err := NewSequential(NewLinear(2, 2, src), d)
			if err != nil {
				return err
			}
			_, err = m.Clone()
			return err
		}, []error{ErrSetting}, []string{"layer 1 Dropout(0.5)", "random source mlp.uncopyableSource cannot be copied"}},
	})
}
