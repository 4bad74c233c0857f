package mlp

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// optimScalar returns a single 1x1 parameter with value w.
func optimScalar(w float64) Param {
	return Param{Name: "w", Value: mat.NewDense(1, 1, []float64{w}), Grad: mat.NewDense(1, 1, nil)}
}

// optimAdamMakers builds Adam and AdamW through one signature.
var optimAdamMakers = []struct {
	name string
	make func([]Param, AdamSettings) (Optimizer, error)
}{
	{"Adam", func(ps []Param, s AdamSettings) (Optimizer, error) { return NewAdam(ps, s) }},
	{"AdamW", func(ps []Param, s AdamSettings) (Optimizer, error) { return NewAdamW(ps, s) }},
}

func TestAdamSettingErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := []Param{optimScalar(1)}
	cases := []struct {
		name   string
		s      AdamSettings
		params []Param
		field  string // the message must contain it
	}{
		{"LR zero", AdamSettings{}, good, "AdamSettings.LR"},
		{"LR negative", AdamSettings{LR: -0.1}, good, "AdamSettings.LR"},
		{"LR NaN", AdamSettings{LR: nan}, good, "AdamSettings.LR"},
		{"LR Inf", AdamSettings{LR: inf}, good, "AdamSettings.LR"},
		{"Beta1 negative", AdamSettings{LR: 0.1, Betas: [2]float64{-0.1, 0.999}}, good, "AdamSettings.Betas[0]"},
		{"Beta1 one", AdamSettings{LR: 0.1, Betas: [2]float64{1, 0.999}}, good, "AdamSettings.Betas[0]"},
		{"Beta1 NaN", AdamSettings{LR: 0.1, Betas: [2]float64{nan, 0.999}}, good, "AdamSettings.Betas[0]"},
		{"Beta2 one", AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 1}}, good, "AdamSettings.Betas[1]"},
		{"Beta2 above one", AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 1.5}}, good, "AdamSettings.Betas[1]"},
		{"Beta2 negative", AdamSettings{LR: 0.1, Betas: [2]float64{0.9, -0.5}}, good, "AdamSettings.Betas[1]"},
		{"Beta2 NaN", AdamSettings{LR: 0.1, Betas: [2]float64{0.9, nan}}, good, "AdamSettings.Betas[1]"},
		{"only Beta2 set, zero Beta1 kept, Beta2 bad", AdamSettings{LR: 0.1, Betas: [2]float64{0, 1}}, good, "AdamSettings.Betas[1]"},
		{"Eps negative", AdamSettings{LR: 0.1, Eps: -1e-8}, good, "AdamSettings.Eps"},
		{"Eps NaN", AdamSettings{LR: 0.1, Eps: nan}, good, "AdamSettings.Eps"},
		{"Eps Inf", AdamSettings{LR: 0.1, Eps: inf}, good, "AdamSettings.Eps"},
		{"WeightDecay negative", AdamSettings{LR: 0.1, WeightDecay: -0.01}, good, "AdamSettings.WeightDecay"},
		{"WeightDecay NaN", AdamSettings{LR: 0.1, WeightDecay: nan}, good, "AdamSettings.WeightDecay"},
		{"WeightDecay Inf", AdamSettings{LR: 0.1, WeightDecay: inf}, good, "AdamSettings.WeightDecay"},
		{"param without gradient", AdamSettings{LR: 0.1}, []Param{{Name: "W", Value: mat.NewDense(2, 2, nil)}}, "parameter 0 (W)"},
		{"param shapes differ", AdamSettings{LR: 0.1}, []Param{optimScalar(1), {Name: "b", Value: mat.NewDense(1, 3, nil), Grad: mat.NewDense(3, 1, nil)}}, "parameter 1 (b)"},
	}
	for _, mk := range optimAdamMakers {
		for _, c := range cases {
			t.Run(mk.name+"/"+c.name, func(t *testing.T) {
				o, err := mk.make(c.params, c.s)
				if err == nil {
					t.Fatalf("got optimizer %T, want an error", o)
				}
				if !errors.Is(err, ErrSetting) {
					t.Errorf("error %q does not wrap ErrSetting", err)
				}
				if !strings.Contains(err.Error(), c.field) {
					t.Errorf("error %q does not name %s", err, c.field)
				}
			})
		}
	}

	// The message names the field and the value, for the parameters of a
	// model.
	checkErrorCases(t, []errorCase{
		{"LR NaN", func(t *testing.T) error { _, err := NewAdam(smallNet(t).Params(), AdamSettings{LR: nan}); return err },
			[]error{ErrSetting}, []string{"AdamSettings.LR", "got NaN"}},
		{"beta2 1", func(t *testing.T) error {
			_, err := NewAdam(smallNet(t).Params(), AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 1}})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Betas[1]", "got 1"}},
		{"beta1 NaN", func(t *testing.T) error {
			_, err := NewAdam(smallNet(t).Params(), AdamSettings{LR: 0.1, Betas: [2]float64{nan, 0.999}})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Betas[0]", "got NaN"}},
		{"eps +Inf", func(t *testing.T) error {
			_, err := NewAdam(smallNet(t).Params(), AdamSettings{LR: 0.1, Eps: inf})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.Eps", "got +Inf"}},
		{"weight decay negative", func(t *testing.T) error {
			_, err := NewAdamW(smallNet(t).Params(), AdamSettings{LR: 0.1, WeightDecay: -1})
			return err
		}, []error{ErrSetting}, []string{"AdamSettings.WeightDecay", "got -1"}},
		{"LR +Inf", func(t *testing.T) error { _, err := NewAdamW(smallNet(t).Params(), AdamSettings{LR: inf}); return err },
			[]error{ErrSetting}, []string{"AdamSettings.LR", "got +Inf"}},
	})
}

func TestAdamSettingsAccepted(t *testing.T) {
	cases := []struct {
		name string
		s    AdamSettings
		want AdamSettings // the settings in effect
	}{
		{"defaults", AdamSettings{LR: 0.1}, AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8}},
		{"beta1 zero", AdamSettings{LR: 0.1, Betas: [2]float64{0, 0.99}}, AdamSettings{LR: 0.1, Betas: [2]float64{0, 0.99}, Eps: 1e-8}},
		{"beta2 zero", AdamSettings{LR: 0.1, Betas: [2]float64{0.5, 0}}, AdamSettings{LR: 0.1, Betas: [2]float64{0.5, 0}, Eps: 1e-8}},
		{"all set", AdamSettings{LR: 2, Betas: [2]float64{0.8, 0.9}, Eps: 1e-6, WeightDecay: 0.5}, AdamSettings{LR: 2, Betas: [2]float64{0.8, 0.9}, Eps: 1e-6, WeightDecay: 0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.s
			a, err := NewAdam([]Param{optimScalar(1)}, s)
			if err != nil {
				t.Fatal(err)
			}
			aw, err := NewAdamW([]Param{optimScalar(1)}, s)
			if err != nil {
				t.Fatal(err)
			}
			if a.c.s != c.want || aw.c.s != c.want {
				t.Errorf("settings in effect %+v (Adam), %+v (AdamW), want %+v", a.c.s, aw.c.s, c.want)
			}
			if aw.c.decoupled == a.c.decoupled {
				t.Errorf("Adam decoupled %v, AdamW decoupled %v", a.c.decoupled, aw.c.decoupled)
			}
			// The settings go by value; this guards against a change of
			// signature that would let the constructor fill in the caller's
			// struct.
			if s != c.s {
				t.Errorf("caller's settings changed to %+v", s)
			}
		})
	}
}

// TestAdamDefaultsTrajectory checks that zero Betas and Eps give bit for
// bit the trajectory of PyTorch's defaults written out.
func TestAdamDefaultsTrajectory(t *testing.T) {
	for _, mk := range optimAdamMakers {
		t.Run(mk.name, func(t *testing.T) {
			pz, pe := optimScalar(1), optimScalar(1)
			oz, err := mk.make([]Param{pz}, AdamSettings{LR: 0.1, WeightDecay: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			oe, err := mk.make([]Param{pe}, AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8, WeightDecay: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range []float64{0.5, -0.25, 3, 1e-9} {
				pz.Grad.Set(0, 0, g)
				pe.Grad.Set(0, 0, g)
				oz.Step()
				oe.Step()
				if z, e := pz.Value.At(0, 0), pe.Value.At(0, 0); z != e {
					t.Errorf("step %d: w = %.17g with zero settings, %.17g with explicit defaults", k+1, z, e)
				}
			}
		})
	}
}

// TestAdamTrajectory replays two steps on one scalar parameter w, starting
// at 1, with gradients 0.5 then -0.25, lr 0.1, betas (0.9, 0.999), eps 1e-8
// and weight decay 0.1. The expected values were computed by hand with
// 40-digit decimals.
func TestAdamTrajectory(t *testing.T) {
	const tol = 1e-15 // absolute; w is below 1
	cases := []struct {
		name string
		make func([]Param, AdamSettings) (Optimizer, error)
		want [2]float64
	}{
		// Adam, g = grad + 0.1·w.
		// Step 1: g = 0.5 + 0.1·1 = 0.6, m = 0.06, v = 0.00036,
		//   m̂ = 0.06/0.1 = 0.6, v̂ = 0.00036/0.001 = 0.36, sqrt(v̂) = 0.6,
		//   w = 1 - 0.1·0.6/(0.6+1e-8) = 0.90000000166666663888888935...
		// Step 2: g = -0.25 + 0.1·w = -0.15999999983333333611111106...,
		//   m = 0.9·0.06 + 0.1·g = 0.03800000001666666638888889...,
		//   v = 0.999·0.00036 + 0.001·g² = 0.00038523999994666666758333...,
		//   m̂ = m/0.19 = 0.20000000008771929678362575...,
		//   v̂ = v/0.001999 = 0.19271635815240953856094713...,
		//   sqrt(v̂) = 0.43899471312580694741205202...,
		//   w = w - 0.1·m̂/(sqrt(v̂)+1e-8) = 0.85444136746176222827076615...
		{"Adam", optimAdamMakers[0].make, [2]float64{0.90000000166666663888888935, 0.85444136746176222827076615}},
		// AdamW, w = w·(1 - 0.1·0.1) first, g = grad.
		// Step 1: w = 0.99, g = 0.5, m = 0.05, v = 0.00025,
		//   m̂ = 0.5, v̂ = 0.25, sqrt(v̂) = 0.5,
		//   w = 0.99 - 0.1·0.5/(0.5+1e-8) = 0.89000000199999996000000080...
		// Step 2: w = 0.99·w = 0.88110000197999996040000079...,
		//   g = -0.25, m = 0.9·0.05 - 0.025 = 0.02,
		//   v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225,
		//   m̂ = 0.02/0.19 = 0.10526315789473684210526316...,
		//   v̂ = 0.00031225/0.001999 = 0.15620310155077538769384692...,
		//   sqrt(v̂) = 0.39522538070166418361279619...,
		//   w = w - 0.1·m̂/(sqrt(v̂)+1e-8) = 0.85446629868784616295937639...
		{"AdamW", optimAdamMakers[1].make, [2]float64{0.89000000199999996000000080, 0.85446629868784616295937639}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := optimScalar(1)
			o, err := c.make([]Param{p}, AdamSettings{LR: 0.1, Betas: [2]float64{0.9, 0.999}, Eps: 1e-8, WeightDecay: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range []float64{0.5, -0.25} {
				p.Grad.Set(0, 0, g)
				o.Step()
				if got := p.Value.At(0, 0); math.Abs(got-c.want[k]) > tol {
					t.Errorf("after step %d: w = %.17g, want %.17g (diff %.3g)", k+1, got, c.want[k], got-c.want[k])
				}
			}
		})
	}
}

// TestAdamSetLearningRate checks that a new rate is used by the next step,
// for AdamW's decay too, and that the moments are kept: a second step at
// lr 0.2 moves w by twice what it moves at lr 0.1 from the same state.
func TestAdamSetLearningRate(t *testing.T) {
	for _, mk := range optimAdamMakers {
		t.Run(mk.name, func(t *testing.T) {
			delta := func(lr2 float64) float64 {
				p := optimScalar(0)
				o, err := mk.make([]Param{p}, AdamSettings{LR: 0.1, WeightDecay: 0})
				if err != nil {
					t.Fatal(err)
				}
				p.Grad.Set(0, 0, 1)
				o.Step()
				o.SetLearningRate(lr2)
				if got := o.LearningRate(); got != lr2 {
					t.Fatalf("LearningRate() = %v after SetLearningRate(%v)", got, lr2)
				}
				w := p.Value.At(0, 0)
				p.Grad.Set(0, 0, -2)
				o.Step()
				return p.Value.At(0, 0) - w
			}
			d1, d2 := delta(0.1), delta(0.2)
			if math.Abs(d2-2*d1) > 1e-15 {
				t.Errorf("second step moved w by %.17g at lr 0.2, %.17g at lr 0.1", d2, d1)
			}
		})
	}
	p := optimScalar(1)
	o, err := NewAdamW([]Param{p}, AdamSettings{LR: 0.1, WeightDecay: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	o.SetLearningRate(1)
	o.Step() // gradient 0: only the decay w·(1 - 1·0.5) moves w
	if got := p.Value.At(0, 0); got != 0.5 {
		t.Errorf("AdamW decay after SetLearningRate(1): w = %v, want 0.5", got)
	}
}

func TestAdamStepAllocs(t *testing.T) {
	src := rand.NewPCG(3, 4)
	m, err := NewSequential(NewLinear(5, 4, src), &ReLU{}, NewLinear(4, 3, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		g := p.Grad.RawMatrix().Data
		for k := range g {
			g[k] = float64(k%7) - 3
		}
	}
	for _, mk := range optimAdamMakers {
		t.Run(mk.name, func(t *testing.T) {
			o, err := mk.make(m.Params(), AdamSettings{LR: 1e-3, WeightDecay: 0.01})
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(100, o.Step); n != 0 {
				t.Errorf("Step allocates %v times, want 0", n)
			}
		})
	}
}
