package fmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fn is one function under test, with its reference, the package math
// function it replaces and the ranges it is tested on.
type fn struct {
	name   string
	f      func(float64) float64
	ref    func(float64) *big.Float
	std    func(float64) float64
	maxULP float64      // the largest error allowed, in ulps
	ranges [][2]float64 // inputs are uniform in each range
}

var fns = []fn{
	{"Exp", Exp, refExp, math.Exp, 1, [][2]float64{{-20, 0}, {-745, 709.7}, {-1e-6, 1e-6}, {-1, 1}}},
	{"Log", Log, refLog, math.Log, 1, [][2]float64{{0.5, 2}, {1e-300, 1e-290}, {0, 1e300}, {1 - 1e-6, 1 + 1e-6}, {1e-10, 1}}},
	{"Tanh", Tanh, refTanh, math.Tanh, 1, [][2]float64{{-0.7, 0.7}, {-20, 20}, {-1e-5, 1e-5}, {0.6, 1.5}}},
	{"Erf", Erf, refErf, math.Erf, 1, [][2]float64{{-1.3, 1.3}, {-6, 6}, {-1e-5, 1e-5}, {2, 3}}},
	{"Erfc", Erfc, refErfc, math.Erfc, 3.5, [][2]float64{{-1.3, 1.3}, {-6, 6}, {0.2, 0.9}, {1.2, 3}, {3, 10}}},
	{"Log1p", Log1p, refLog1p, math.Log1p, 1, [][2]float64{{-1e-9, 1e-9}, {-0.3, 0.42}, {-0.999, 10}, {0, 1e300}, {-1e-20, 1e-20}}},
}

// TestAccuracy checks each function against its big.Float reference on
// random inputs in several ranges: the error must stay within 1 ulp, or 3.5
// for Erfc, whose msun algorithm (package math's too) reaches 3.1 ulp just
// below x = 0.84375, where it computes 1 - erf x.
func TestAccuracy(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			worst, worstX := 0.0, 0.0
			for _, r := range f.ranges {
				for i := 0; i < n/len(f.ranges); i++ {
					x := r[0] + (r[1]-r[0])*rng.Float64()
					if e := ulps(f.f(x), f.ref(x)); e > worst {
						worst, worstX = e, x
					}
				}
			}
			t.Logf("%s: largest error %.3f ulp, at %v", f.name, worst, worstX)
			if worst > f.maxULP {
				t.Errorf("%s(%v) is off by %.3f ulp, want at most %v", f.name, worstX, worst, f.maxULP)
			}
		})
	}
}

// TestAgainstMath checks each function against package math on many
// inputs: both are accurate to maxULP, so they may differ by twice that,
// unless package math is the one that is wrong.
func TestAgainstMath(t *testing.T) {
	for _, f := range fns {
		t.Run(f.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			differ := 0
			total := 0
			for _, r := range f.ranges {
				for i := 0; i < 50000; i++ {
					x := r[0] + (r[1]-r[0])*rng.Float64()
					got, want := f.f(x), f.std(x)
					total++
					if got == want {
						continue
					}
					differ++
					// Package math is not always right: amd64's Exp
					// overflows early, its Log is wrong for subnormals.
					if ulps(got, newF(want)) > 2*f.maxULP && ulps(got, f.ref(x)) > f.maxULP {
						t.Fatalf("%s(%v) = %v, math gives %v", f.name, x, got, want)
					}
				}
			}
			t.Logf("%s differs from package math in the last bit on %d of %d inputs", f.name, differ, total)
		})
	}
}

// TestSpecial checks infinities, NaN, zeros and the edges of the ranges
// against package math, which defines them.
func TestSpecial(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1,
		709.78, 709.79, -745.13, -745.14, 1e-300, 5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64,
		0.625, -0.625, 44.01, 44.02, 0.84375, 1.25, 1 / 0.35, 6, -6, 2.848094538889218e-306, 1.0 / (1 << 28)}
	for _, f := range fns {
		for _, x := range xs {
			got, want := f.f(x), f.std(x)
			if math.IsNaN(want) {
				if !math.IsNaN(got) {
					t.Errorf("%s(%v) = %v, want NaN", f.name, x, got)
				}
				continue
			}
			if math.Float64bits(got) != math.Float64bits(want) && ulps(got, newF(want)) > f.maxULP && ulps(got, f.ref(x)) > f.maxULP {
				t.Errorf("%s(%v) = %v, want %v", f.name, x, got, want)
			}
		}
	}
}
