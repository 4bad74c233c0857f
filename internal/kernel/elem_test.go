package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are values whose handling the element-wise functions must get
// exactly right.
var specials = []float64{0, math.Copysign(0, -1), 1, -1, math.NaN(), math.Inf(1), math.Inf(-1),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}

// TestElementwise checks AllFinite, ReLU and ReLUGrad on every path
// against their plain Go versions, bit for bit, for every length up to 40
// with special values at every position.
func TestElementwise(t *testing.T) {
	forEachPath(t, func(name string) { testElementwise(t, name) })
}

func testElementwise(t *testing.T, path string) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 40; n++ {
		for _, sp := range specials {
			for pos := 0; pos < max(n, 1); pos++ {
				x, g := randSlice(rng, n), randSlice(rng, n)
				if n > 0 {
					x[pos] = sp
				}
				if got, want := AllFinite(x), goAllFinite(x); got != want {
					t.Fatalf("%s n=%d special %v at %d: AllFinite = %v, want %v", path, n, sp, pos, got, want)
				}
				want := make([]float64, n)
				goReLU(want, x)
				got := make([]float64, n+1)
				got[n] = 7
				ReLU(got, x)
				same(t, path+" ReLU", n, sp, pos, got, want)
				goReLUGrad(want, g, x)
				for i := range got[:n] {
					got[i] = 7
				}
				ReLUGrad(got, g, x)
				same(t, path+" ReLUGrad", n, sp, pos, got, want)
			}
		}
	}
}

// same fails unless got holds want bit for bit followed by the untouched
// sentinel 7.
func same(t *testing.T, what string, n int, sp float64, pos int, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s n=%d special %v at %d: [%d] = %v, want %v", what, n, sp, pos, i, got[i], want[i])
		}
	}
	if got[n] != 7 {
		t.Fatalf("%s n=%d wrote past the end", what, n)
	}
}

// TestSGDStep checks SGDStep on every path against the plain Go loop, bit
// for bit, for every length up to 40 with special values in w and g.
func TestSGDStep(t *testing.T) {
	forEachPath(t, func(name string) { testSGDStep(t, name) })
}

func testSGDStep(t *testing.T, path string) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 0; n <= 40; n++ {
		for _, sp := range specials {
			for _, wd := range []float64{0, 1e-4, 0.5} {
				w, g := randSlice(rng, n), randSlice(rng, n)
				if n > 0 {
					w[rng.IntN(n)] = sp
					g[rng.IntN(n)] = sp
				}
				want := append([]float64(nil), w...)
				goSGD(want, g, 0.1, wd)
				got := append(append([]float64(nil), w...), 7)
				SGDStep(got[:n], g, 0.1, wd)
				same(t, path+" SGDStep", n, sp, 0, got, want)
			}
		}
	}
}

func TestGoAllFinite(t *testing.T) {
	for _, sp := range specials {
		want := !math.IsNaN(sp) && !math.IsInf(sp, 0)
		if got := goAllFinite([]float64{1, sp, 2}); got != want {
			t.Errorf("goAllFinite with %v = %v, want %v", sp, got, want)
		}
	}
}

// TestReLUSpecials checks ReLU and ReLUGrad against the values they must
// give at special inputs (NaN in, NaN out; the gradient passes at a NaN
// output, as in PyTorch), on every path this CPU can run and on the one
// chosen at start-up, at every position of vectors up to 40 long so that the full
// vector blocks and the masked tail of the assembly are both reached.
func TestReLUSpecials(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name    string
		x, want float64 // ReLU(x), and whether the gradient passes at y = x
		passes  bool
	}{
		{"NaN", nan, nan, true},
		{"+Inf", inf, inf, true},
		{"-Inf", -inf, 0, false},
		{"+0", 0, 0, false},
		{"-0", negZero, 0, false},
		{"1", 1, 1, true},
		{"-1", -1, 0, false},
		{"smallest subnormal", math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64, true},
		{"-smallest subnormal", -math.SmallestNonzeroFloat64, 0, false},
	}
	type path struct {
		name           string
		relu, reluGrad func(dst, x []float64)
	}
	paths := []path{{"dispatched", ReLU, func(dst, y []float64) { ReLUGrad(dst, ones(len(y)), y) }}}
	for _, im := range impls() {
		if im.missing != "" {
			t.Logf("path %s not tested: %s", im.name, im.missing)
			continue
		}
		paths = append(paths, path{im.name, im.relu, func(dst, y []float64) { im.reluGrad(dst, ones(len(y)), y) }})
	}
	bits := math.Float64bits
	for _, p := range paths {
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				for n := 1; n <= 40; n++ {
					for pos := 0; pos < n; pos++ {
						x := make([]float64, n)
						for i := range x {
							x[i] = -2 // ReLU gives 0, the gradient does not pass
						}
						x[pos] = tc.x
						y := make([]float64, n)
						p.relu(y, x)
						if got := y[pos]; bits(got) != bits(tc.want) && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
							t.Fatalf("n=%d pos=%d: ReLU(%v) = %v (bits %#x), want %v", n, pos, tc.x, got, bits(got), tc.want)
						}
						g := make([]float64, n)
						p.reluGrad(g, x)
						if want := map[bool]float64{true: 1, false: 0}[tc.passes]; bits(g[pos]) != bits(want) {
							t.Fatalf("n=%d pos=%d: ReLUGrad at y=%v = %v, want %v", n, pos, tc.x, g[pos], want)
						}
						for i := range x {
							if i != pos && (bits(y[i]) != 0 || bits(g[i]) != 0) {
								t.Fatalf("n=%d pos=%d: element %d gives %v, %v, want +0, +0", n, pos, i, y[i], g[i])
							}
						}
					}
				}
			})
		}
	}
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}
