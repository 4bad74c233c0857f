package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials32 are the float32 values whose handling the element-wise
// functions must get exactly right.
var specials32 = []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32}

// TestElementwise32 checks AllFinite32, ReLU32, ReLUGrad32 and SGDStep32
// on every path against their plain Go versions, bit for bit, for every
// length up to 40 with special values at every position, and the ReLU's
// values at the specials themselves.
func TestElementwise32(t *testing.T) {
	forEachPath(t, func(name string) {
		rng := rand.New(rand.NewPCG(5, 6))
		for n := 0; n <= 40; n++ {
			for _, sp := range specials32 {
				for pos := 0; pos < max(n, 1); pos++ {
					x, g := randSlice32(rng, n), randSlice32(rng, n)
					if n > 0 {
						x[pos] = sp
					}
					if got, want := AllFinite32(x), goAllFinite32(x); got != want {
						t.Fatalf("%s n=%d special %v at %d: AllFinite32 = %v, want %v", name, n, sp, pos, got, want)
					}
					want := make([]float32, n)
					goReLU32(want, x)
					got := make([]float32, n+1)
					got[n] = 7
					ReLU32(got, x)
					same32(t, name+" ReLU32", got, append(want, 7))
					goReLUGrad32(want, g, x)
					for i := range got[:n] {
						got[i] = 7
					}
					ReLUGrad32(got, g, x)
					same32(t, name+" ReLUGrad32", got, append(want, 7))
					for _, wd := range []float32{0, 1e-4, 0.5} {
						w := randSlice32(rng, n)
						if n > 0 {
							w[rng.IntN(n)] = sp
						}
						want := append([]float32(nil), w...)
						goSGD32(want, g, 0.1, wd)
						got := append(append([]float32(nil), w...), 7)
						SGDStep32(got[:n], g, 0.1, wd)
						same32(t, name+" SGDStep32", got, append(want, 7))
					}
				}
			}
		}
	})
}

// TestElementwise32Values checks the Go loops themselves against the
// values they must give: AllFinite32 false exactly for NaN and ±Inf, ReLU
// NaN for NaN and +0 for -0 and negatives, the gradient passing where
// y > 0 or NaN, and SGDStep32 rounding each operation to float32.
func TestElementwise32Values(t *testing.T) {
	for _, sp := range specials32 {
		want := !math.IsNaN(float64(sp)) && !math.IsInf(float64(sp), 0)
		if got := goAllFinite32([]float32{1, sp, 2}); got != want {
			t.Errorf("goAllFinite32 with %v = %v, want %v", sp, got, want)
		}
		y := make([]float32, 1)
		goReLU32(y, []float32{sp})
		switch {
		case sp != sp:
			if y[0] == y[0] {
				t.Errorf("ReLU32(NaN) = %v, want NaN", y[0])
			}
		case sp > 0:
			if y[0] != sp {
				t.Errorf("ReLU32(%v) = %v", sp, y[0])
			}
		default:
			if math.Float32bits(y[0]) != 0 {
				t.Errorf("ReLU32(%v) = %v, want +0", sp, y[0])
			}
		}
		goReLUGrad32(y, []float32{3}, []float32{sp})
		if pass := sp > 0 || sp != sp; (y[0] == 3) != pass {
			t.Errorf("ReLUGrad32 at y=%v = %v, passes %v", sp, y[0], pass)
		}
	}
	// w - lr·(g + wd·w) with every step rounded to float32, computed in
	// float64 and rounded after each operation.
	w, g, lr, wd := float32(0.7), float32(-1.3), float32(0.1), float32(0.01)
	r := func(v float64) float64 { return float64(float32(v)) }
	want := float32(r(float64(w) - r(float64(lr)*r(float64(g)+r(float64(wd)*float64(w))))))
	ws := []float32{w}
	goSGD32(ws, []float32{g}, lr, wd)
	if ws[0] != want {
		t.Errorf("SGDStep32 = %v, want %v", ws[0], want)
	}
}
