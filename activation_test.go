package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
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
