package mlp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

// softmaxShiftedRef is the softmax of one row computed the textbook stable
// way, exp(z_j - max z) / Σ_k exp(z_k - max z), as the reference for Softmax.
func softmaxShiftedRef(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	p := make([]float64, len(z))
	var sum float64
	for j, v := range z {
		p[j] = math.Exp(v - m)
		sum += p[j]
	}
	for j := range p {
		p[j] /= sum
	}
	return p
}

// TestSoftmaxStability feeds Softmax logits whose exponentials overflow or
// underflow without the max subtraction (exp(1000) = +Inf, exp(-1000) = 0,
// giving Inf/Inf or 0/0 = NaN). The probabilities must be finite, within
// 1e-15 of the softmax of the shifted logits (and of hand values where
// given), and each row must sum to 1 within 1e-15.
func TestSoftmaxStability(t *testing.T) {
	const tol = 1e-15
	for _, tc := range []struct {
		name   string
		logits []float64
		want   []float64 // hand values; nil to use the shifted reference only
	}{
		// 1/(1+e⁻¹+e⁻²), e⁻¹/(1+e⁻¹+e⁻²), e⁻²/(1+e⁻¹+e⁻²)
		{name: "large", logits: []float64{1000, 999, 998}, want: []float64{0.6652409557748218, 0.24472847105479764, 0.09003057317038046}},
		// e⁻¹⁰⁰⁰ and e⁻²⁰⁰⁰ underflow to 0 in float64.
		{name: "spread", logits: []float64{-1000, 0, 1000}, want: []float64{0, 0, 1}},
		{name: "very-negative", logits: []float64{-1000, -999, -998}, want: []float64{0.09003057317038046, 0.24472847105479764, 0.6652409557748218}},
		{name: "equal-huge", logits: []float64{1e300, 1e300}, want: []float64{0.5, 0.5}},
		{name: "max-float", logits: []float64{math.MaxFloat64, 0, -math.MaxFloat64}, want: []float64{1, 0, 0}},
		{name: "ordinary", logits: []float64{0.5, -1.25, 2, 0}},
		{name: "one-column", logits: []float64{-1e6}, want: []float64{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Two rows, the second reversed, to check rows are independent.
			n := len(tc.logits)
			x := mat.NewDense(2, n, nil)
			for j, v := range tc.logits {
				x.Set(0, j, v)
				x.Set(1, n-1-j, v)
			}
			p := (&Softmax{}).Forward(x)
			ref := softmaxShiftedRef(tc.logits)
			for i := 0; i < 2; i++ {
				var sum float64
				for j := 0; j < n; j++ {
					src := j
					if i == 1 {
						src = n - 1 - j
					}
					got := p.At(i, j)
					if math.IsNaN(got) || math.IsInf(got, 0) {
						t.Fatalf("p[%d][%d] = %v for logits %v", i, j, got, tc.logits)
					}
					if math.Abs(got-ref[src]) > tol {
						t.Errorf("p[%d][%d] = %.17g, shifted reference %.17g", i, j, got, ref[src])
					}
					if tc.want != nil && math.Abs(got-tc.want[src]) > tol {
						t.Errorf("p[%d][%d] = %.17g, hand value %.17g", i, j, got, tc.want[src])
					}
					sum += got
				}
				if math.Abs(sum-1) > tol {
					t.Errorf("row %d sums to %.17g, want 1", i, sum)
				}
			}
		})
	}
}

// TestReLUAtZero checks ReLU's output and its derivative around 0: the
// derivative is 0 at exactly 0 (and at -0), as in PyTorch.
func TestReLUAtZero(t *testing.T) {
	for _, tc := range []struct {
		name     string
		x        []float64
		wantY    []float64
		wantGrad []float64 // for an upstream gradient of 5 everywhere
	}{
		{name: "zero", x: []float64{0}, wantY: []float64{0}, wantGrad: []float64{0}},
		{name: "negative-zero", x: []float64{math.Copysign(0, -1)}, wantY: []float64{0}, wantGrad: []float64{0}},
		{name: "tiny-positive", x: []float64{5e-324}, wantY: []float64{5e-324}, wantGrad: []float64{5}},
		{name: "tiny-negative", x: []float64{-5e-324}, wantY: []float64{0}, wantGrad: []float64{0}},
		{name: "mixed", x: []float64{-2, 0, 3, -0.5, 0}, wantY: []float64{0, 0, 3, 0, 0}, wantGrad: []float64{0, 0, 5, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a ReLU
			n := len(tc.x)
			y := a.Forward(mat.NewDense(1, n, append([]float64(nil), tc.x...)))
			g := mat.NewDense(1, n, nil)
			for j := range n {
				g.Set(0, j, 5)
			}
			dx := a.Backward(g)
			for j := range n {
				if got := y.At(0, j); got != tc.wantY[j] {
					t.Errorf("ReLU(%v) = %v, want %v", tc.x[j], got, tc.wantY[j])
				}
				if got := dx.At(0, j); got != tc.wantGrad[j] {
					t.Errorf("gradient at %v = %v, want %v", tc.x[j], got, tc.wantGrad[j])
				}
			}
		})
	}
}

// TestLayersPropagateNaN checks that a NaN input gives a NaN output in every
// layer, ReLU included, and that ReLU passes the gradient at a NaN as
// PyTorch's threshold_backward does.
func TestLayersPropagateNaN(t *testing.T) {
	checkHostileCases(t, []hostileCase{
		{hostileWrong, "ReLU NaN in gives NaN out", func(*testing.T) error {
			y := (&ReLU{}).Forward(mat.NewDense(1, 3, []float64{math.NaN(), -1, 2}))
			if !math.IsNaN(y.At(0, 0)) || y.At(0, 1) != 0 || y.At(0, 2) != 2 {
				return fmt.Errorf("ReLU(NaN, -1, 2) = %v, want NaN, 0, 2", mat.Row(nil, 0, y))
			}
			return nil
		}},
		{hostileWrong, "every layer NaN in gives NaN out", func(*testing.T) error {
			d, err := NewDropout(0.5, rand.NewPCG(1, 2))
			if err != nil {
				return err
			}
			for _, l := range []Layer{NewLinear(3, 3, rand.NewPCG(1, 2)), &ReLU{}, &LeakyReLU{}, &Sigmoid{}, &Tanh{}, &GELU{}, &Softmax{}, d} {
				if y := l.Forward(mat.NewDense(1, 3, []float64{math.NaN(), 1, -1})); !math.IsNaN(y.At(0, 0)) {
					return fmt.Errorf("%v maps NaN to %v", l, y.At(0, 0))
				}
			}
			return nil
		}},
		{hostileWrong, "ReLU gradient passes at NaN", func(*testing.T) error {
			r := &ReLU{}
			r.Forward(mat.NewDense(1, 2, []float64{math.NaN(), -1}))
			g := r.Backward(mat.NewDense(1, 2, []float64{3, 4}))
			if g.At(0, 0) != 3 || g.At(0, 1) != 0 {
				return fmt.Errorf("gradient %v, want 3, 0 (PyTorch's threshold_backward)", mat.Row(nil, 0, g))
			}
			return nil
		}},
	})
}

// actRandDense returns an r×c matrix of values uniform in [lo, hi) whose
// magnitude is at least 1e-2, away from the kink of LeakyReLU.
func actRandDense(rng *rand.Rand, r, c int, lo, hi float64) *mat.Dense {
	d := make([]float64, r*c)
	for i := range d {
		for {
			d[i] = lo + (hi-lo)*rng.Float64()
			if math.Abs(d[i]) >= 1e-2 {
				break
			}
		}
	}
	return mat.NewDense(r, c, d)
}

// extPanics fails t unless f panics with an error wrapping target.
func extPanics(t *testing.T, target error, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic, want one wrapping %v", target)
			return
		}
		err, ok := r.(error)
		if !ok || !errors.Is(err, target) {
			t.Errorf("panic %v, want an error wrapping %v", r, target)
		}
	}()
	f()
}

// newActivations lists the element-wise activations with a name for
// subtests; each call returns fresh layers. Their gradients are checked
// against finite differences in gradcheck_test.go (layerGradCases).
func newActivations() []struct {
	name  string
	layer Layer
} {
	return []struct {
		name  string
		layer Layer
	}{
		{"Sigmoid", &Sigmoid{}},
		{"Tanh", &Tanh{}},
		{"LeakyReLU/default", &LeakyReLU{}},
		{"LeakyReLU/slope0.2", &LeakyReLU{Slope: 0.2}},
		{"LeakyReLU/negative-slope", &LeakyReLU{Slope: -0.3}},
		{"GELU", &GELU{}},
	}
}

// TestActivationValues compares single values with their closed forms,
// computed independently of the layers.
func TestActivationValues(t *testing.T) {
	const (
		phi1  = 0.8413447460685429    // Φ(1) = ½(1 + erf(1/√2)), torch.special.ndtr(1)
		phiM3 = 0.0013498980316300957 // Φ(-3)
	)
	tests := []struct {
		name  string
		layer Layer
		x     float64
		y, dy float64 // output and derivative
		tol   float64
	}{
		{"Sigmoid/0", &Sigmoid{}, 0, 0.5, 0.25, 0},
		{"Sigmoid/2", &Sigmoid{}, 2, 1 / (1 + math.Exp(-2)), math.Exp(-2) / ((1 + math.Exp(-2)) * (1 + math.Exp(-2))), 1e-15},
		{"Sigmoid/-2", &Sigmoid{}, -2, 1 / (1 + math.Exp(2)), math.Exp(2) / ((1 + math.Exp(2)) * (1 + math.Exp(2))), 1e-15},
		{"Sigmoid/1000", &Sigmoid{}, 1000, 1, 0, 0},
		{"Sigmoid/-1000", &Sigmoid{}, -1000, 0, 0, 0},
		{"Tanh/0.5", &Tanh{}, 0.5, math.Tanh(0.5), 1 / (math.Cosh(0.5) * math.Cosh(0.5)), 1e-15},
		{"Tanh/-1000", &Tanh{}, -1000, -1, 0, 0},
		{"LeakyReLU/default/-2", &LeakyReLU{}, -2, -0.02, 0.01, 0},
		{"LeakyReLU/default/3", &LeakyReLU{}, 3, 3, 1, 0},
		{"LeakyReLU/default/0", &LeakyReLU{}, 0, 0, 0.01, 0}, // PyTorch: slope at 0
		{"LeakyReLU/0.2/-2", &LeakyReLU{Slope: 0.2}, -2, -0.4, 0.2, 1e-16},
		{"GELU/0", &GELU{}, 0, 0, 0.5, 0},
		{"GELU/1", &GELU{}, 1, phi1, phi1 + math.Exp(-0.5)/math.Sqrt(2*math.Pi), 1e-15},
		{"GELU/-1", &GELU{}, -1, -(1 - phi1), (1 - phi1) - math.Exp(-0.5)/math.Sqrt(2*math.Pi), 1e-15},
		{"GELU/-3", &GELU{}, -3, -3 * phiM3, phiM3 - 3*math.Exp(-4.5)/math.Sqrt(2*math.Pi), 1e-15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			y := tc.layer.Forward(mat.NewDense(1, 1, []float64{tc.x})).At(0, 0)
			dy := tc.layer.Backward(mat.NewDense(1, 1, []float64{1})).At(0, 0)
			if math.IsNaN(y) || math.IsInf(y, 0) || math.IsNaN(dy) || math.IsInf(dy, 0) {
				t.Fatalf("f(%v) = %v, f'(%v) = %v, want finite", tc.x, y, tc.x, dy)
			}
			if math.Abs(y-tc.y) > tc.tol {
				t.Errorf("f(%v) = %.17g, want %.17g", tc.x, y, tc.y)
			}
			if math.Abs(dy-tc.dy) > tc.tol {
				t.Errorf("f'(%v) = %.17g, want %.17g", tc.x, dy, tc.dy)
			}
		})
	}
}

// TestSigmoidExtremeInputs checks that large inputs of either sign give
// finite outputs and gradients, with no NaN from exp overflow.
func TestSigmoidExtremeInputs(t *testing.T) {
	x := mat.NewDense(1, 6, []float64{-1000, -745, -710, 710, 745, 1000})
	var s Sigmoid
	y := s.Forward(x)
	dx := s.Backward(mat.NewDense(1, 6, []float64{1, 1, 1, 1, 1, 1}))
	for j := 0; j < 6; j++ {
		v, d := y.At(0, j), dx.At(0, j)
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 || math.IsNaN(d) || math.IsInf(d, 0) {
			t.Errorf("x = %v: σ = %v, σ' = %v, want finite values in [0, 1]", x.At(0, j), v, d)
		}
	}
	if y.At(0, 0) != 0 || y.At(0, 5) != 1 {
		t.Errorf("σ(-1000), σ(1000) = %v, %v, want 0, 1", y.At(0, 0), y.At(0, 5))
	}
}

func TestActivationString(t *testing.T) {
	tests := []struct {
		layer Layer
		want  string
	}{
		{&Sigmoid{}, "Sigmoid"},
		{&Tanh{}, "Tanh"},
		{&LeakyReLU{}, "LeakyReLU(0.01)"},
		{&LeakyReLU{Slope: 0.2}, "LeakyReLU(0.2)"},
		{&GELU{}, "GELU"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.layer.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if in, out := tc.layer.Dims(); in != 0 || out != 0 {
				t.Errorf("Dims() = %d, %d, want 0, 0", in, out)
			}
			if _, ok := tc.layer.(Parameterized); ok {
				t.Errorf("%v implements Parameterized, want no parameters", tc.layer)
			}
		})
	}
}

// TestLeakyReLUZeroSlopeUnchanged checks that the default slope is used
// without writing it into the caller's struct.
func TestLeakyReLUZeroSlopeUnchanged(t *testing.T) {
	var a LeakyReLU
	a.Forward(mat.NewDense(1, 1, []float64{-1}))
	if a.Slope != 0 {
		t.Errorf("Slope = %v after Forward, want 0 kept", a.Slope)
	}
}

func TestActivationBackwardPanics(t *testing.T) {
	for _, tc := range newActivations() {
		t.Run(tc.name+"/before-forward", func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Backward before Forward did not panic")
				}
			}()
			tc.layer.Backward(mat.NewDense(2, 3, nil))
		})
		t.Run(tc.name+"/wrong-shape", func(t *testing.T) {
			tc.layer.Forward(mat.NewDense(2, 3, nil))
			extPanics(t, ErrShape, func() { tc.layer.Backward(mat.NewDense(2, 4, nil)) })
			extPanics(t, ErrShape, func() { tc.layer.Backward(mat.NewDense(3, 3, nil)) })
		})
	}
}

// TestActivationBatchSizes runs a large batch, then a small one, then the
// large one again, and checks each result against the per-element function.
func TestActivationBatchSizes(t *testing.T) {
	for _, tc := range newActivations() {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			ref := newActivationsByName(tc.name)
			for _, rows := range []int{8, 3, 8} {
				x := actRandDense(rng, rows, 4, -3, 3)
				y := tc.layer.Forward(x)
				for i := 0; i < rows; i++ {
					for j := 0; j < 4; j++ {
						xi := mat.NewDense(1, 1, []float64{x.At(i, j)})
						if got, want := y.At(i, j), ref.Forward(xi).At(0, 0); got != want {
							t.Fatalf("rows %d: y[%d][%d] = %v, want %v", rows, i, j, got, want)
						}
					}
				}
			}
		})
	}
}

func newActivationsByName(name string) Layer {
	for _, tc := range newActivations() {
		if tc.name == name {
			return tc.layer
		}
	}
	panic("no activation " + name)
}

// TestActivationAllocs checks that a steady-state Forward and Backward
// allocate nothing.
func TestActivationAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := actRandDense(rng, 16, 10, -3, 3)
	g := actRandDense(rng, 16, 10, -1, 1)
	for _, tc := range newActivations() {
		t.Run(tc.name, func(t *testing.T) {
			tc.layer.Forward(x)
			tc.layer.Backward(g)
			if n := testing.AllocsPerRun(20, func() {
				tc.layer.Forward(x)
				tc.layer.Backward(g)
			}); n != 0 {
				t.Errorf("Forward+Backward allocate %v times per run, want 0", n)
			}
		})
	}
}

// TestSoftmaxRowSpecials checks softmaxRow, bit for bit, against the
// definition with a comparison loop for the maximum (NaNs skipped) and
// fmath.Exp, on rows with NaN, ±Inf and signed zeros, where shiftRow's
// builtin max takes its second path or picks a different zero.
func TestSoftmaxRowSpecials(t *testing.T) {
	nan, inf, negz := math.NaN(), math.Inf(1), math.Copysign(0, -1)
	rows := map[string][]float64{
		"ordinary":       {0.5, -1, 2, 3.25},
		"-0 then +0":     {negz, 0, -1},
		"+0 then -0":     {0, negz, -2},
		"NaN first":      {nan, 1, 2},
		"NaN last":       {1, 2, nan},
		"all NaN":        {nan, nan},
		"+Inf":           {1, inf, 2},
		"-Inf":           {-inf, 0, 1},
		"all -Inf":       {-inf, -inf},
		"NaN and -Inf":   {-inf, nan},
		"large and tiny": {700, -800, 1e-300},
	}
	for name, z := range rows {
		t.Run(name, func(t *testing.T) {
			m := math.Inf(-1)
			for _, v := range z {
				if v > m {
					m = v
				}
			}
			want := make([]float64, len(z))
			var sum float64
			for j, v := range z {
				want[j] = fmath.Exp(v - m)
				sum += want[j]
			}
			inv := 1 / sum
			for j := range want {
				want[j] *= inv
			}
			got := make([]float64, len(z))
			softmaxRow(got, z)
			for j := range z {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Errorf("softmaxRow(%v)[%d] = %v (%#x), want %v (%#x)", z, j, got[j], math.Float64bits(got[j]), want[j], math.Float64bits(want[j]))
				}
			}
		})
	}
}
