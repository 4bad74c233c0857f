package mlp

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// clipParams returns parameters whose gradients hold the given entries, one
// parameter per slice.
func clipParams(grads ...[]float64) []Param {
	ps := make([]Param, len(grads))
	for i, g := range grads {
		ps[i] = Param{Name: "p", Value: mat.NewDense(1, len(g), nil), Grad: mat.NewDense(1, len(g), append([]float64(nil), g...))}
	}
	return ps
}

func TestClipGradNorm(t *testing.T) {
	big := 1e200
	cases := []struct {
		name    string
		grads   [][]float64
		maxNorm float64
		total   float64 // the norm before clipping
		scale   float64 // expected factor on every entry; 1: unchanged
	}{
		// Norm sqrt(3² + 4² + 12²) = 13 over two parameters.
		{"below max", [][]float64{{3, 4}, {12}}, 20, 13, 1},
		{"just above 1e-6 below max", [][]float64{{3, 4}, {12}}, 13 + 2e-6, 13, 1},
		{"infinite max", [][]float64{{3, 4}, {12}}, math.Inf(1), 13, 1},
		{"above max", [][]float64{{3, 4}, {12}}, 6.5, 13, 6.5 / (13 + 1e-6)},
		{"far above max", [][]float64{{-3, 4}, {-12}}, 1e-3, 13, 1e-3 / (13 + 1e-6)},
		// As PyTorch: at total == maxNorm the 1e-6 still scales, by just under 1.
		{"at max", [][]float64{{3, 4}, {12}}, 13, 13, 13 / (13 + 1e-6)},
		{"zero gradients", [][]float64{{0, 0}, {0}}, 1, 0, 1},
		{"no parameters", nil, 1, 0, 1},
		// sqrt(2)·1e200: the sum of squares overflows, the norm does not.
		{"overflowing squares", [][]float64{{big}, {-big}}, 1, math.Sqrt2 * big, 1 / (math.Sqrt2*big + 1e-6)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := clipParams(c.grads...)
			total := ClipGradNorm(ps, c.maxNorm)
			if math.Abs(total-c.total) > 1e-15*c.total {
				t.Errorf("returned %.17g, want the norm before clipping %.17g", total, c.total)
			}
			var ss float64
			for i, g := range c.grads {
				got := ps[i].Grad.RawMatrix().Data
				for k, want := range g {
					want *= c.scale
					if math.Abs(got[k]-want) > 1e-15*math.Abs(want) {
						t.Errorf("grad %d[%d] = %.17g, want %.17g", i, k, got[k], want)
					}
					ss += got[k] * got[k]
				}
			}
			if c.scale != 1 {
				// The new norm is maxNorm/(total+1e-6)·total.
				newNorm, want := math.Sqrt(ss), c.maxNorm/(c.total+1e-6)*c.total
				if math.Abs(newNorm-want) > 1e-15*want {
					t.Errorf("norm after clipping %.17g, want %.17g", newNorm, want)
				}
				if newNorm >= c.maxNorm {
					t.Errorf("norm after clipping %.17g is not below maxNorm %v", newNorm, c.maxNorm)
				}
			}
		})
	}
}

func TestClipGradNormSkipsMissingGradients(t *testing.T) {
	ps := append(clipParams([]float64{6, 8}), Param{Name: "frozen", Value: mat.NewDense(1, 1, nil)})
	if total := ClipGradNorm(ps, 5); total != 10 {
		t.Errorf("returned %v, want 10", total)
	}
	g := ps[0].Grad.RawMatrix().Data
	if f := 5 / (10 + 1e-6); g[0] != 6*f || g[1] != 8*f {
		t.Errorf("gradient %v, want [6 8]·%v", g, f)
	}
}

func TestClipGradNormNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name  string
		grads [][]float64
		total float64
		after []float64 // flattened gradients afterwards; NaN matches NaN
	}{
		{"NaN entry: unchanged", [][]float64{{1, nan}, {2}}, nan, []float64{1, nan, 2}},
		{"Inf entry: scaled by zero", [][]float64{{1, inf}, {-2}}, inf, []float64{0, nan, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := clipParams(c.grads...)
			total := ClipGradNorm(ps, 1)
			if !(total == c.total || math.IsNaN(total) && math.IsNaN(c.total)) {
				t.Errorf("returned %v, want %v", total, c.total)
			}
			var got []float64
			for _, p := range ps {
				got = append(got, p.Grad.RawMatrix().Data...)
			}
			for k, want := range c.after {
				if !(got[k] == want || math.IsNaN(got[k]) && math.IsNaN(want)) {
					t.Errorf("gradients %v, want %v", got, c.after)
					break
				}
			}
		})
	}
}

func TestClipGradNormPanics(t *testing.T) {
	cases := []struct {
		name    string
		maxNorm float64
	}{
		{"zero", 0},
		{"negative", -1},
		{"NaN", math.NaN()},
		{"negative Inf", math.Inf(-1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				if !ok || !errors.Is(err, ErrSetting) {
					t.Errorf("recovered %v, want a panic wrapping ErrSetting", err)
				}
			}()
			ClipGradNorm(clipParams([]float64{1}), c.maxNorm)
		})
	}
}

func TestClipGradNormAllocs(t *testing.T) {
	ps := clipParams([]float64{3, 4, 5}, make([]float64, 100), []float64{-1})
	for _, maxNorm := range []float64{1e-3, 1e3} { // clipping, and not
		if n := testing.AllocsPerRun(100, func() { ClipGradNorm(ps, maxNorm) }); n != 0 {
			t.Errorf("ClipGradNorm(ps, %v) allocates %v times, want 0", maxNorm, n)
		}
	}
}
