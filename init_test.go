package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNewLinearInitMatchesNewLinear checks that UniformInit, and a nil
// Initializer, reproduce NewLinear's weights bit for bit from the same
// source.
func TestNewLinearInitMatchesNewLinear(t *testing.T) {
	for _, tc := range []struct{ in, out int }{{1, 1}, {3, 4}, {30, 16}, {7, 1}, {400, 300}} {
		for _, init := range []Initializer{UniformInit{}, nil} {
			t.Run(fmt.Sprintf("%dx%d/%T", tc.in, tc.out, init), func(t *testing.T) {
				want := NewLinear(tc.in, tc.out, rand.NewPCG(uint64(tc.in), uint64(tc.out)))
				got := NewLinearInit(tc.in, tc.out, init, rand.NewPCG(uint64(tc.in), uint64(tc.out)))
				if !mat.Equal(got.Weights(), want.Weights()) {
					t.Error("weights differ from NewLinear's")
				}
				for j, b := range got.Bias() {
					if b != 0 {
						t.Fatalf("bias[%d] = %v, want 0", j, b)
					}
				}
				if got.String() != want.String() {
					t.Errorf("String() = %q, want %q", got.String(), want.String())
				}
			})
		}
	}
}

// TestInitializerDistributions draws a 400×300 matrix (fanIn 400, fanOut
// 300, 120 000 entries) with each initializer and checks the bound, the
// mean and the variance. With 120 000 draws the sample variance is within
// about 0.3% (uniform) or 0.4% (normal) of the true one, one standard
// error, so the 2% tolerance is five standard errors or more; the mean is
// within 0.003σ, tolerance 0.02σ. The seed is fixed, so the test is
// deterministic.
func TestInitializerDistributions(t *testing.T) {
	const fanIn, fanOut = 400, 300
	tests := []struct {
		name     string
		init     Initializer
		bound    float64 // 0 for an unbounded distribution
		variance float64
	}{
		{"UniformInit", UniformInit{}, 1 / math.Sqrt(fanIn), 1.0 / (3 * fanIn)},
		{"XavierUniform", XavierUniform{}, math.Sqrt(6.0 / (fanIn + fanOut)), 2.0 / (fanIn + fanOut)},
		{"HeUniform", HeUniform{}, math.Sqrt(6.0 / fanIn), 2.0 / fanIn},
		{"HeNormal", HeNormal{}, 0, 2.0 / fanIn},
	}
	for ti, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := mat.NewDense(fanIn, fanOut, nil)
			tc.init.Init(w, rand.New(rand.NewPCG(61, uint64(ti))))
			d := w.RawMatrix().Data
			var sum, sumSq, maxAbs float64
			within1 := 0 // entries within one standard deviation
			std := math.Sqrt(tc.variance)
			for _, v := range d {
				sum += v
				sumSq += v * v
				maxAbs = math.Max(maxAbs, math.Abs(v))
				if math.Abs(v) <= std {
					within1++
				}
			}
			n := float64(len(d))
			mean := sum / n
			variance := sumSq/n - mean*mean
			if math.Abs(mean) > 0.02*std {
				t.Errorf("mean %.3g, want 0 ± %.3g", mean, 0.02*std)
			}
			if r := variance / tc.variance; math.Abs(r-1) > 0.02 {
				t.Errorf("variance %.5g, want %.5g ± 2%% (ratio %.4f)", variance, tc.variance, r)
			}
			frac := float64(within1) / n
			if tc.bound > 0 {
				if maxAbs > tc.bound {
					t.Errorf("max |w| = %.6g exceeds the bound %.6g", maxAbs, tc.bound)
				}
				if maxAbs < 0.999*tc.bound {
					t.Errorf("max |w| = %.6g, want close to the bound %.6g", maxAbs, tc.bound)
				}
				// Uniform on (-a, a) with σ = a/√3: P(|w| ≤ σ) = 1/√3.
				if math.Abs(frac-1/math.Sqrt(3)) > 0.01 {
					t.Errorf("fraction within one σ %.4f, want %.4f ± 0.01", frac, 1/math.Sqrt(3))
				}
			} else {
				// Normal: P(|w| ≤ σ) = erf(1/√2) ≈ 0.6827; no entry beyond 6σ.
				if want := math.Erf(1 / math.Sqrt2); math.Abs(frac-want) > 0.01 {
					t.Errorf("fraction within one σ %.4f, want %.4f ± 0.01", frac, want)
				}
				if maxAbs > 6*std {
					t.Errorf("max |w| = %.4g is beyond 6σ = %.4g", maxAbs, 6*std)
				}
			}
		})
	}
}

// TestInitializerSameSeed checks that each initializer gives the same
// matrix from the same seed and a different one from another seed.
func TestInitializerSameSeed(t *testing.T) {
	for _, init := range []Initializer{UniformInit{}, XavierUniform{}, HeUniform{}, HeNormal{}} {
		t.Run(fmt.Sprintf("%T", init), func(t *testing.T) {
			a := NewLinearInit(20, 10, init, rand.NewPCG(1, 2))
			b := NewLinearInit(20, 10, init, rand.NewPCG(1, 2))
			c := NewLinearInit(20, 10, init, rand.NewPCG(1, 3))
			if !mat.Equal(a.Weights(), b.Weights()) {
				t.Error("the same seed gave different weights")
			}
			if mat.Equal(a.Weights(), c.Weights()) {
				t.Error("different seeds gave the same weights")
			}
		})
	}
}

// TestInitializerView checks that Init on a view of a larger matrix fills
// the view and leaves the rest alone.
func TestInitializerView(t *testing.T) {
	for _, init := range []Initializer{UniformInit{}, XavierUniform{}, HeUniform{}, HeNormal{}} {
		t.Run(fmt.Sprintf("%T", init), func(t *testing.T) {
			big := mat.NewDense(6, 7, nil)
			view := big.Slice(1, 4, 2, 5).(*mat.Dense)
			init.Init(view, rand.New(rand.NewPCG(3, 4)))
			for i := 0; i < 6; i++ {
				for j := 0; j < 7; j++ {
					inView := i >= 1 && i < 4 && j >= 2 && j < 5
					if v := big.At(i, j); inView == (v == 0) {
						t.Errorf("entry (%d, %d) = %v, in view: %v", i, j, v, inView)
					}
				}
			}
			// The view's fanIn is 3, not the 6 rows of the matrix under it.
			want := mat.NewDense(3, 3, nil)
			init.Init(want, rand.New(rand.NewPCG(3, 4)))
			if !mat.Equal(view, want) {
				t.Error("the view differs from a 3×3 matrix drawn from the same seed")
			}
		})
	}
}

func TestInitializerEmptyPanics(t *testing.T) {
	for _, init := range []Initializer{UniformInit{}, XavierUniform{}, HeUniform{}, HeNormal{}} {
		t.Run(fmt.Sprintf("%T", init), func(t *testing.T) {
			extPanics(t, ErrShape, func() { init.Init(&mat.Dense{}, rand.New(rand.NewPCG(1, 1))) })
		})
	}
}

// TestInitializerComparable checks that initializers can be compared, so a
// setting holding one can be checked against a value.
func TestInitializerComparable(t *testing.T) {
	var init Initializer = HeNormal{}
	if init != (HeNormal{}) || init == (HeUniform{}) {
		t.Errorf("comparison of %T values is wrong", init)
	}
}
