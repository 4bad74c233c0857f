package mlp

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLinearInit checks NewLinear's initialisation: W within ±1/√in and
// spread over nearly all of that range, b zero, the same seed giving the
// same weights bit for bit and another seed different ones.
func TestLinearInit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out int
		// fill is the fraction of the bound the largest |w| must reach;
		// only checked for layers with enough weights to get there.
		fill float64
	}{
		{name: "1->1", in: 1, out: 1},
		{name: "3->2", in: 3, out: 2},
		{name: "30->16", in: 30, out: 16, fill: 0.95},
		{name: "784->256", in: 784, out: 256, fill: 0.999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLinear(tc.in, tc.out, rand.NewPCG(3, 4))
			if in, out := l.Dims(); in != tc.in || out != tc.out {
				t.Fatalf("Dims() = %d, %d, want %d, %d", in, out, tc.in, tc.out)
			}
			if r, c := l.Weights().Dims(); r != tc.in || c != tc.out {
				t.Fatalf("weights are %dx%d, want %dx%d", r, c, tc.in, tc.out)
			}
			bound := 1 / math.Sqrt(float64(tc.in))
			w := l.Weights().RawMatrix().Data
			lo, hi := math.Inf(1), math.Inf(-1)
			for i, v := range w {
				if !(math.Abs(v) <= bound) {
					t.Fatalf("w[%d] = %v outside ±%v", i, v, bound)
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			if tc.fill > 0 && (hi < tc.fill*bound || lo > -tc.fill*bound) {
				t.Errorf("weights span [%v, %v], want nearly ±%v", lo, hi, bound)
			}
			if len(l.Bias()) != tc.out {
				t.Fatalf("bias has %d entries, want %d", len(l.Bias()), tc.out)
			}
			for j, v := range l.Bias() {
				if v != 0 {
					t.Errorf("b[%d] = %v, want 0", j, v)
				}
			}
			same := NewLinear(tc.in, tc.out, rand.NewPCG(3, 4))
			if !mat.Equal(l.Weights(), same.Weights()) {
				t.Error("two layers from the same seed differ")
			}
			other := NewLinear(tc.in, tc.out, rand.NewPCG(3, 5))
			if mat.Equal(l.Weights(), other.Weights()) {
				t.Error("two layers from different seeds are equal")
			}
		})
	}
}

// TestLinearWeightsAreLive checks that Weights and Bias return the layer's
// own storage, as documented: a change through them changes the output.
func TestLinearWeightsAreLive(t *testing.T) {
	l := NewLinear(2, 2, rand.NewPCG(1, 1))
	l.Weights().Copy(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	copy(l.Bias(), []float64{10, 20})
	got := l.Forward(mat.NewDense(1, 2, []float64{1, 1}))
	// [1 1]·[[1 2] [3 4]] + [10 20] = [14 26]
	if want := mat.NewDense(1, 2, []float64{14, 26}); !mat.Equal(got, want) {
		t.Errorf("Forward = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
}

// TestLinearSetParams checks that SetParams copies correct shapes (later
// changes to the arguments do not reach the layer), and that wrong shapes
// give an error wrapping ErrShape that names the layer and both sizes and
// leave the layer unchanged.
func TestLinearSetParams(t *testing.T) {
	for _, tc := range []struct {
		name    string
		w       mat.Matrix
		b       []float64
		wantErr []string // substrings of the error; nil for success
	}{
		{name: "ok", w: mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}), b: []float64{7, 8}},
		{name: "ok/transpose-view", w: mat.NewDense(2, 3, []float64{1, 3, 5, 2, 4, 6}).T(), b: []float64{7, 8}},
		{name: "weights-rows", w: mat.NewDense(2, 2, nil), b: []float64{7, 8}, wantErr: []string{"Linear(3->2)", "2x2", "3x2"}},
		{name: "weights-transposed", w: mat.NewDense(2, 3, nil), b: []float64{7, 8}, wantErr: []string{"Linear(3->2)", "2x3", "3x2"}},
		{name: "bias-short", w: mat.NewDense(3, 2, nil), b: []float64{7}, wantErr: []string{"Linear(3->2)", "1 entries", "want 2"}},
		{name: "bias-long", w: mat.NewDense(3, 2, nil), b: []float64{7, 8, 9}, wantErr: []string{"Linear(3->2)", "3 entries", "want 2"}},
		{name: "bias-nil", w: mat.NewDense(3, 2, nil), b: nil, wantErr: []string{"Linear(3->2)", "0 entries", "want 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLinear(3, 2, rand.NewPCG(5, 6))
			copy(l.Bias(), []float64{-1, -2})
			w0 := mat.DenseCopyOf(l.Weights())
			b0 := append([]float64(nil), l.Bias()...)
			err := l.SetParams(tc.w, tc.b)
			if tc.wantErr != nil {
				if !errors.Is(err, ErrShape) {
					t.Fatalf("SetParams error = %v, want one wrapping ErrShape", err)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				if !mat.Equal(l.Weights(), w0) || !equalFloats(l.Bias(), b0) {
					t.Errorf("failed SetParams changed the layer: W = %v, b = %v", mat.Formatted(l.Weights()), l.Bias())
				}
				return
			}
			if err != nil {
				t.Fatalf("SetParams: %v", err)
			}
			if !mat.Equal(l.Weights(), tc.w) || !equalFloats(l.Bias(), tc.b) {
				t.Fatalf("after SetParams W = %v, b = %v, want %v, %v", mat.Formatted(l.Weights()), l.Bias(), mat.Formatted(tc.w), tc.b)
			}
			tc.b[0] = 100
			if l.Bias()[0] == 100 {
				t.Error("SetParams kept the caller's bias slice instead of copying it")
			}
			tc.b[0] = 7
		})
	}
}

// equalFloats reports whether a and b have the same length and entries.
func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLinearHandValues checks Forward and Backward of a 2->3 layer against
// values computed by hand: Y = X·W + b, dW = Xᵀ·G, db = Σ rows of G,
// dX = G·Wᵀ, exact in floating point (small integers).
func TestLinearHandValues(t *testing.T) {
	l := NewLinear(2, 3, rand.NewPCG(1, 2))
	if err := l.SetParams(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}), []float64{1, -1, 0.5}); err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(2, 2, []float64{1, 2, -1, 0})
	g := mat.NewDense(2, 3, []float64{1, 0, 2, -1, 1, 1})
	for _, tc := range []struct {
		name string
		got  func() mat.Matrix
		want *mat.Dense
	}{
		// [1 2]·W = [9 12 15], [-1 0]·W = [-1 -2 -3], plus b.
		{name: "Y", got: func() mat.Matrix { return l.Forward(x) }, want: mat.NewDense(2, 3, []float64{10, 11, 15.5, 0, -3, -2.5})},
		// G·Wᵀ: [1 0 2]·[1 2 3] = 7, ·[4 5 6] = 16; [-1 1 1] gives 4, 7.
		{name: "dX", got: func() mat.Matrix { return l.Backward(g) }, want: mat.NewDense(2, 2, []float64{7, 16, 4, 7})},
		// Xᵀ·G: row 0 = 1·[1 0 2] - 1·[-1 1 1] = [2 -1 1]; row 1 = 2·[1 0 2].
		{name: "dW", got: func() mat.Matrix { return l.Params()[0].Grad }, want: mat.NewDense(2, 3, []float64{2, -1, 1, 2, 0, 4})},
		{name: "db", got: func() mat.Matrix { return l.Params()[1].Grad }, want: mat.NewDense(1, 3, []float64{0, 1, 3})},
	} {
		if got := tc.got(); !mat.Equal(got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, mat.Formatted(got), mat.Formatted(tc.want))
		}
	}
}

// TestLinearStridedInput checks that Forward and Backward accept a view
// whose stride exceeds its width, as PredictProba passes them, and give the
// results of a contiguous copy.
func TestLinearStridedInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	big := gradNormal(rng, 6, 7, 1)
	view := big.Slice(1, 5, 2, 6).(*mat.Dense)
	cp := mat.DenseCopyOf(view)
	g := gradNormal(rng, 4, 3, 1)
	a, b := NewLinear(4, 3, rand.NewPCG(1, 1)), NewLinear(4, 3, rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name     string
		got, ref mat.Matrix
	}{
		{"Y", mat.DenseCopyOf(a.Forward(view)), b.Forward(cp)},
		{"dX", mat.DenseCopyOf(a.Backward(g)), b.Backward(g)},
		{"dW", a.Params()[0].Grad, b.Params()[0].Grad},
		{"db", a.Params()[1].Grad, b.Params()[1].Grad},
	} {
		if !mat.EqualApprox(tc.got, tc.ref, 1e-15) {
			t.Errorf("%s from a strided view differs from a contiguous copy:\n%v\nwant\n%v", tc.name, mat.Formatted(tc.got), mat.Formatted(tc.ref))
		}
	}
}

// TestBackwardOverwritesGrads checks that Backward overwrites the parameter
// gradients instead of adding to them: after two Backward calls with
// different upstream gradients, the gradients are those of the second alone
// (exactly, as both come from the same products), so nothing needs zeroing
// between steps.
func TestBackwardOverwritesGrads(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	x := gradNormal(rng, 5, 4, 1)
	g1, g2 := gradNormal(rng, 5, 3, 1), gradNormal(rng, 5, 3, 1)
	for _, tc := range []struct {
		name   string
		before func(l *Linear)
	}{
		{name: "same-forward", before: func(l *Linear) { l.Backward(g1) }},
		{name: "forward-between", before: func(l *Linear) { l.Backward(g1); l.Forward(x) }},
		{name: "smaller-batch-first", before: func(l *Linear) {
			l.Forward(x.Slice(0, 2, 0, 4).(*mat.Dense))
			l.Backward(g1.Slice(0, 2, 0, 3).(*mat.Dense))
			l.Forward(x)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ref := NewLinear(4, 3, rand.NewPCG(1, 1)), NewLinear(4, 3, rand.NewPCG(1, 1))
			l.Forward(x)
			tc.before(l)
			dx := l.Backward(g2)
			ref.Forward(x)
			want := ref.Backward(g2)
			if !mat.Equal(dx, want) {
				t.Errorf("dX = %v, want %v", mat.Formatted(dx), mat.Formatted(want))
			}
			for k, p := range l.Params() {
				if q := ref.Params()[k]; !mat.Equal(p.Grad, q.Grad) {
					t.Errorf("d%s = %v, want %v", p.Name, mat.Formatted(p.Grad), mat.Formatted(q.Grad))
				}
			}
		})
	}
}

// TestLinearSetParamsErrors checks that SetParams refuses weights and
// biases that are nil, of the wrong shape or not finite, naming the entry.
func TestLinearSetParamsErrors(t *testing.T) {
	src := rand.NewPCG(5, 6)
	var nilDense *mat.Dense
	inf, nan := math.Inf(1), math.NaN()
	checkErrorCases(t, []errorCase{
		{"NaN weight", func(*testing.T) error {
			w := mat.NewDense(2, 3, nil)
			w.Set(1, 2, nan)
			return NewLinear(2, 3, src).SetParams(w, make([]float64, 3))
		}, []error{ErrData}, []string{"Linear(2->3).SetParams: weight W[1,2] is NaN"}},
		{"Inf bias", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(2, 3, nil), []float64{0, inf, 0})
		}, []error{ErrData}, []string{"Linear(2->3).SetParams: bias b[1] is +Inf"}},
		{"nil weights", func(*testing.T) error { return NewLinear(2, 3, src).SetParams(nil, make([]float64, 3)) },
			[]error{ErrShape}, []string{"Linear(2->3).SetParams: weights are nil"}},
		{"typed nil weights", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(nilDense, make([]float64, 3))
		}, []error{ErrShape}, []string{"Linear(2->3).SetParams: weights are nil"}},
		{"transposed weights", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(3, 2, nil), make([]float64, 3))
		}, []error{ErrShape}, []string{"weights are 3x2, want 2x3"}},
		{"short bias", func(*testing.T) error {
			return NewLinear(2, 3, src).SetParams(mat.NewDense(2, 3, nil), make([]float64, 1))
		}, []error{ErrShape}, []string{"bias has 1 entries, want 3"}},
	})
}
