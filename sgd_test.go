package mlp

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// scalarParam returns a 1×1 parameter with value w and gradient 0.
func scalarParam(w float64) Param {
	return Param{Name: "w", Value: mat.NewDense(1, 1, []float64{w}), Grad: mat.NewDense(1, 1, nil)}
}

// TestSGDSettingErrors checks that every setting out of range gives an
// error wrapping ErrSetting that names the field, and that valid edge
// values are accepted.
func TestSGDSettingErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     SGDSettings
		field string // "" for valid settings
	}{
		{name: "LR/zero", s: SGDSettings{}, field: "LR"},
		{name: "LR/negative", s: SGDSettings{LR: -0.1}, field: "LR"},
		{name: "LR/NaN", s: SGDSettings{LR: math.NaN()}, field: "LR"},
		{name: "LR/+Inf", s: SGDSettings{LR: math.Inf(1)}, field: "LR"},
		{name: "LR/-Inf", s: SGDSettings{LR: math.Inf(-1)}, field: "LR"},
		{name: "Momentum/negative", s: SGDSettings{LR: 0.1, Momentum: -0.1}, field: "Momentum"},
		{name: "Momentum/one", s: SGDSettings{LR: 0.1, Momentum: 1}, field: "Momentum"},
		{name: "Momentum/NaN", s: SGDSettings{LR: 0.1, Momentum: math.NaN()}, field: "Momentum"},
		{name: "Nesterov/without-momentum", s: SGDSettings{LR: 0.1, Nesterov: true}, field: "Nesterov"},
		{name: "WeightDecay/negative", s: SGDSettings{LR: 0.1, WeightDecay: -1e-4}, field: "WeightDecay"},
		{name: "WeightDecay/NaN", s: SGDSettings{LR: 0.1, WeightDecay: math.NaN()}, field: "WeightDecay"},
		{name: "WeightDecay/+Inf", s: SGDSettings{LR: 0.1, WeightDecay: math.Inf(1)}, field: "WeightDecay"},
		{name: "valid/plain", s: SGDSettings{LR: 1e-9}},
		{name: "valid/momentum-near-one", s: SGDSettings{LR: 10, Momentum: 0.999}},
		{name: "valid/all", s: SGDSettings{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := NewSGD([]Param{scalarParam(1)}, tc.s)
			if tc.field == "" {
				if err != nil || o == nil {
					t.Fatalf("NewSGD(%+v) = %v, %v; want an optimizer", tc.s, o, err)
				}
				return
			}
			if o != nil {
				t.Error("NewSGD returned an optimizer with its error")
			}
			if !errors.Is(err, ErrSetting) {
				t.Fatalf("NewSGD(%+v) error = %v, want one wrapping ErrSetting", tc.s, err)
			}
			if !strings.Contains(err.Error(), "SGDSettings."+tc.field) {
				t.Errorf("error %q does not name SGDSettings.%s", err, tc.field)
			}
		})
	}

	// The message names the field and the value, for the parameters of a
	// model, and a parameter without a gradient.
	inf, nan := math.Inf(1), math.NaN()
	checkErrorCases(t, []errorCase{
		{"LR 0", func(t *testing.T) error { _, err := NewSGD(smallNet(t).Params(), SGDSettings{}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got 0"}},
		{"LR negative", func(t *testing.T) error { _, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: -1}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got -1"}},
		{"LR NaN", func(t *testing.T) error { _, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: nan}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got NaN"}},
		{"LR +Inf", func(t *testing.T) error { _, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: inf}); return err },
			[]error{ErrSetting}, []string{"SGDSettings.LR", "got +Inf"}},
		{"momentum 1", func(t *testing.T) error {
			_, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: 0.1, Momentum: 1})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got 1"}},
		{"momentum negative", func(t *testing.T) error {
			_, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: 0.1, Momentum: -0.5})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got -0.5"}},
		{"momentum NaN", func(t *testing.T) error {
			_, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: 0.1, Momentum: nan})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Momentum", "got NaN"}},
		{"Nesterov without momentum", func(t *testing.T) error {
			_, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: 0.1, Nesterov: true})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.Nesterov"}},
		{"weight decay +Inf", func(t *testing.T) error {
			_, err := NewSGD(smallNet(t).Params(), SGDSettings{LR: 0.1, WeightDecay: inf})
			return err
		}, []error{ErrSetting}, []string{"SGDSettings.WeightDecay", "got +Inf"}},
		{"parameter without gradient", func(*testing.T) error {
			_, err := NewSGD([]Param{{Name: "w", Value: mat.NewDense(1, 1, nil)}}, SGDSettings{LR: 0.1})
			return err
		}, []error{ErrSetting}, []string{"parameter 0 (w)"}},
	})
}

// TestSGDCopies checks that NewSGD keeps its own copy of the settings and
// of the parameter list: changing them afterwards does not change the
// optimizer, and SetLearningRate does not write back to the caller.
func TestSGDCopies(t *testing.T) {
	s := SGDSettings{LR: 0.5, Momentum: 0.5}
	orig := s
	a, b := scalarParam(1), scalarParam(1)
	params := []Param{a}
	o, err := NewSGD(params, s)
	if err != nil {
		t.Fatal(err)
	}
	if s != orig {
		t.Errorf("settings changed to %+v, want %+v", s, orig)
	}
	s.LR = 100
	params[0] = b
	o.SetLearningRate(0.25)
	if s.LR != 100 || o.LearningRate() != 0.25 {
		t.Errorf("caller's LR %v, optimizer's %v; want 100 and 0.25", s.LR, o.LearningRate())
	}
	a.Grad.Set(0, 0, 2)
	b.Grad.Set(0, 0, 2)
	o.Step()
	// First step with momentum: v = g = 2, w = 1 - 0.25·2 = 0.5.
	if got := a.Value.At(0, 0); got != 0.5 {
		t.Errorf("bound parameter = %v after one step, want 0.5", got)
	}
	if got := b.Value.At(0, 0); got != 1 {
		t.Errorf("parameter swapped into the caller's slice changed to %v", got)
	}
}

// TestSGDTrajectory checks two steps of each SGD variant on the
// one-parameter loss f(w) = w², gradient 2w, from w = 1 with lr = 0.1,
// against values computed by hand from PyTorch's formulas (dampening 0):
//
//	g = 2w + wd·w
//	v = g on the first step, then v = mu·v + g
//	d = g + mu·v (Nesterov), v (momentum), g (plain)
//	w = w - lr·d
//
// Tolerance 1e-15.
func TestSGDTrajectory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      SGDSettings
		w1, w2 float64
	}{
		// g = 2, w1 = 1 - 0.2 = 0.8; g = 1.6, w2 = 0.8 - 0.16 = 0.64.
		{name: "plain", s: SGDSettings{LR: 0.1}, w1: 0.8, w2: 0.64},
		// g = v = 2, w1 = 0.8; g = 1.6, v = 0.9·2 + 1.6 = 3.4, w2 = 0.8 - 0.34 = 0.46.
		{name: "momentum", s: SGDSettings{LR: 0.1, Momentum: 0.9}, w1: 0.8, w2: 0.46},
		// g = v = 2, d = 2 + 1.8 = 3.8, w1 = 0.62;
		// g = 1.24, v = 1.8 + 1.24 = 3.04, d = 1.24 + 2.736 = 3.976, w2 = 0.62 - 0.3976 = 0.2224.
		{name: "nesterov", s: SGDSettings{LR: 0.1, Momentum: 0.9, Nesterov: true}, w1: 0.62, w2: 0.2224},
		// g = 2 + 0.1 = 2.1, w1 = 0.79; g = 1.58 + 0.079 = 1.659, w2 = 0.79 - 0.1659 = 0.6241.
		{name: "weight-decay", s: SGDSettings{LR: 0.1, WeightDecay: 0.1}, w1: 0.79, w2: 0.6241},
		// g = v = 2.1, w1 = 0.79; g = 1.659, v = 1.89 + 1.659 = 3.549, w2 = 0.79 - 0.3549 = 0.4351.
		{name: "momentum-weight-decay", s: SGDSettings{LR: 0.1, Momentum: 0.9, WeightDecay: 0.1}, w1: 0.79, w2: 0.4351},
		// g = v = 2.1, d = 2.1 + 1.89 = 3.99, w1 = 0.601;
		// g = 1.202 + 0.0601 = 1.2621, v = 1.89 + 1.2621 = 3.1521,
		// d = 1.2621 + 2.83689 = 4.09899, w2 = 0.601 - 0.409899 = 0.191101.
		{name: "nesterov-weight-decay", s: SGDSettings{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.1}, w1: 0.601, w2: 0.191101},
		// Momentum 0.5, lr 0.5: g = v = 2, w1 = 0; g = 0, v = 1, w2 = -0.5.
		{name: "momentum-carries-past-minimum", s: SGDSettings{LR: 0.5, Momentum: 0.5}, w1: 0, w2: -0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := scalarParam(1)
			o, err := NewSGD([]Param{p}, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			for step, want := range []float64{tc.w1, tc.w2} {
				p.Grad.Set(0, 0, 2*p.Value.At(0, 0))
				o.Step()
				if got := p.Value.At(0, 0); math.Abs(got-want) > 1e-15 {
					t.Errorf("w after step %d = %.17g, want %.17g", step+1, got, want)
				}
			}
		})
	}
}

// TestSGDSeveralParams checks that Step updates every bound parameter,
// element by element, with its own momentum buffer: two parameters of
// different shapes with the same gradients follow the same trajectory.
func TestSGDSeveralParams(t *testing.T) {
	a := Param{Name: "a", Value: mat.NewDense(2, 3, []float64{1, 1, 1, 1, 1, 1}), Grad: mat.NewDense(2, 3, nil)}
	b := scalarParam(1)
	o, err := NewSGD([]Param{a, b}, SGDSettings{LR: 0.1, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []float64{0.8, 0.46} { // the momentum case of TestSGDTrajectory
		for _, p := range []Param{a, b} {
			d := p.Value.RawMatrix().Data
			g := p.Grad.RawMatrix().Data
			for k := range d {
				g[k] = 2 * d[k]
			}
		}
		o.Step()
		for _, p := range []Param{a, b} {
			for k, v := range p.Value.RawMatrix().Data {
				if math.Abs(v-want) > 1e-15 {
					t.Errorf("%s[%d] = %.17g, want %.17g", p.Name, k, v, want)
				}
			}
		}
	}
}
