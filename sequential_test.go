package mlp

import (
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
