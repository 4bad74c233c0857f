package mlp

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestNewDropoutErrors(t *testing.T) {
	tests := []struct {
		name string
		p    float64
		src  rand.Source
		ok   bool
	}{
		{"zero", 0, rand.NewPCG(1, 1), true},
		{"half", 0.5, rand.NewPCG(1, 1), true},
		{"near-one", 0.999, rand.NewPCG(1, 1), true},
		{"negative", -0.1, rand.NewPCG(1, 1), false},
		{"one", 1, rand.NewPCG(1, 1), false},
		{"above-one", 1.5, rand.NewPCG(1, 1), false},
		{"NaN", math.NaN(), rand.NewPCG(1, 1), false},
		{"Inf", math.Inf(1), rand.NewPCG(1, 1), false},
		{"nil-source", 0.5, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDropout(tc.p, tc.src)
			if tc.ok {
				if err != nil || d == nil {
					t.Fatalf("NewDropout(%v) = %v, %v, want a layer", tc.p, d, err)
				}
				if d.P() != tc.p || !d.Training() {
					t.Errorf("P() = %v, Training() = %v, want %v, true", d.P(), d.Training(), tc.p)
				}
				return
			}
			if !errors.Is(err, ErrSetting) || d != nil {
				t.Errorf("NewDropout(%v) = %v, %v, want an error wrapping ErrSetting", tc.p, d, err)
			}
		})
	}

	// The message names the constructor and the value.
	src := rand.NewPCG(5, 6)
	nan := math.NaN()
	checkErrorCases(t, []errorCase{
		{"p 1", func(*testing.T) error { _, err := NewDropout(1, src); return err },
			[]error{ErrSetting}, []string{"NewDropout: probability 1"}},
		{"p NaN", func(*testing.T) error { _, err := NewDropout(nan, src); return err },
			[]error{ErrSetting}, []string{"NewDropout: probability NaN"}},
		{"nil source", func(*testing.T) error { _, err := NewDropout(0.5, nil); return err },
			[]error{ErrSetting}, []string{"NewDropout: nil random source"}},
	})
}

// dropoutInput returns an r×c matrix of values in [1, 2), none of them zero,
// so that a zero in the output marks a dropped element.
func dropoutInput(r, c int) *mat.Dense {
	rng := rand.New(rand.NewPCG(21, 22))
	d := make([]float64, r*c)
	for i := range d {
		d[i] = 1 + rng.Float64()
	}
	return mat.NewDense(r, c, d)
}

func newDropout(t *testing.T, p float64, seed uint64) *Dropout {
	t.Helper()
	d, err := NewDropout(p, rand.NewPCG(seed, 99))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDropoutTraining checks on 100 000 elements that about p of them are
// dropped (within 0.01), that every kept one is multiplied by exactly
// 1/(1-p), and that the sum is preserved within 1%.
func TestDropoutTraining(t *testing.T) {
	x := dropoutInput(100, 1000)
	for _, tc := range []struct {
		name string
		p    float64
	}{
		{"p0", 0},
		{"p0.1", 0.1},
		{"p0.5", 0.5},
		{"p0.8", 0.8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDropout(t, tc.p, 1)
			y := d.Forward(x)
			scale := 1 / (1 - tc.p)
			xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
			var dropped int
			var sumX, sumY float64
			for i, v := range ys {
				sumX += xs[i]
				sumY += v
				switch {
				case v == 0:
					dropped++
				case v != xs[i]*scale:
					t.Fatalf("element %d: %v kept as %v, want exactly %v·%v = %v", i, xs[i], v, xs[i], scale, xs[i]*scale)
				}
			}
			if frac := float64(dropped) / float64(len(ys)); math.Abs(frac-tc.p) > 0.01 {
				t.Errorf("dropped fraction %.4f, want %v ± 0.01", frac, tc.p)
			}
			if ratio := sumY / sumX; math.Abs(ratio-1) > 0.01 {
				t.Errorf("sum of outputs / sum of inputs = %.4f, want 1 ± 0.01", ratio)
			}
			if x.At(0, 0) < 1 {
				t.Error("Forward changed its input")
			}
		})
	}
}

// TestDropoutBackwardUsesMask checks that Backward zeroes the gradient
// exactly where Forward dropped and scales it by 1/(1-p) elsewhere.
func TestDropoutBackwardUsesMask(t *testing.T) {
	const p = 0.3
	x := dropoutInput(20, 30)
	g := dropoutInput(20, 30)
	d := newDropout(t, p, 2)
	y := mat.DenseCopyOf(d.Forward(x))
	dx := d.Backward(g)
	scale := 1 / (1 - p)
	for i := 0; i < 20; i++ {
		for j := 0; j < 30; j++ {
			want := g.At(i, j) * scale
			if y.At(i, j) == 0 {
				want = 0
			}
			if got := dx.At(i, j); got != want {
				t.Fatalf("dx[%d][%d] = %v, want %v (y = %v)", i, j, got, want, y.At(i, j))
			}
		}
	}
}

// TestDropoutSameSeed checks that the same source gives the same masks,
// call after call, and that consecutive calls draw new masks.
func TestDropoutSameSeed(t *testing.T) {
	x := dropoutInput(10, 50)
	a, b, c := newDropout(t, 0.5, 7), newDropout(t, 0.5, 7), newDropout(t, 0.5, 8)
	first := mat.DenseCopyOf(a.Forward(x))
	if !mat.Equal(first, b.Forward(x)) {
		t.Error("two layers with the same seed drew different masks")
	}
	if mat.Equal(first, c.Forward(x)) {
		t.Error("layers with different seeds drew the same mask")
	}
	second := a.Forward(x)
	if mat.Equal(first, second) {
		t.Error("the second Forward reused the first mask")
	}
	if !mat.Equal(second, b.Forward(x)) {
		t.Error("the second masks of two layers with the same seed differ")
	}
}

// TestDropoutEvaluation checks that in evaluation mode Forward returns its
// input and Backward its gradient, the very matrices, and that the mode
// comes from Sequential.SetTraining.
func TestDropoutEvaluation(t *testing.T) {
	d := newDropout(t, 0.5, 3)
	lin := NewLinear(4, 6, rand.NewPCG(1, 2))
	m, err := NewSequential(lin, d)
	if err != nil {
		t.Fatal(err)
	}
	m.SetTraining(false)
	if d.Training() {
		t.Fatal("Sequential.SetTraining(false) left Dropout in training mode")
	}
	x := dropoutInput(5, 4)
	out := m.Forward(x)
	if linOut := lin.Forward(x); out != linOut {
		t.Error("evaluation-mode Forward did not return its input")
	}
	g := dropoutInput(5, 6)
	if got := d.Backward(g); got != g {
		t.Error("evaluation-mode Backward did not return its gradient")
	}
	m.SetTraining(true)
	if !d.Training() {
		t.Fatal("Sequential.SetTraining(true) left Dropout in evaluation mode")
	}
	if y := d.Forward(x); y == x {
		t.Error("training-mode Forward returned its input")
	}
}

// TestDropoutBackwardFollowsForwardMode checks that Backward uses the mode
// of the last Forward, not the current one.
func TestDropoutBackwardFollowsForwardMode(t *testing.T) {
	x, g := dropoutInput(8, 8), dropoutInput(8, 8)
	d := newDropout(t, 0.5, 4)
	y := mat.DenseCopyOf(d.Forward(x))
	d.SetTraining(false)
	dx := d.Backward(g)
	if dx == g {
		t.Fatal("Backward after a training Forward returned grad unmasked")
	}
	for i, v := range y.RawMatrix().Data {
		if (v == 0) != (dx.RawMatrix().Data[i] == 0) {
			t.Fatalf("element %d: output %v but gradient %v", i, v, dx.RawMatrix().Data[i])
		}
	}
}

func TestDropoutPanics(t *testing.T) {
	t.Run("before-forward", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("Backward before Forward did not panic")
			}
		}()
		newDropout(t, 0.5, 5).Backward(mat.NewDense(2, 2, nil))
	})
	for _, training := range []bool{true, false} {
		name := map[bool]string{true: "training", false: "evaluation"}[training]
		t.Run(name+"/wrong-shape", func(t *testing.T) {
			d := newDropout(t, 0.5, 5)
			d.SetTraining(training)
			d.Forward(mat.NewDense(2, 3, nil))
			extPanics(t, ErrShape, func() { d.Backward(mat.NewDense(2, 4, nil)) })
		})
	}
}

func TestDropoutString(t *testing.T) {
	d := newDropout(t, 0.25, 6)
	if got := d.String(); got != "Dropout(0.25)" {
		t.Errorf("String() = %q, want %q", got, "Dropout(0.25)")
	}
	if in, out := d.Dims(); in != 0 || out != 0 {
		t.Errorf("Dims() = %d, %d, want 0, 0", in, out)
	}
	if _, ok := Layer(d).(Parameterized); ok {
		t.Error("Dropout implements Parameterized, want no parameters")
	}
}

func TestDropoutAllocs(t *testing.T) {
	x, g := dropoutInput(16, 10), dropoutInput(16, 10)
	for _, training := range []bool{true, false} {
		name := map[bool]string{true: "training", false: "evaluation"}[training]
		t.Run(name, func(t *testing.T) {
			d := newDropout(t, 0.5, 7)
			d.SetTraining(training)
			d.Forward(x)
			d.Backward(g)
			if n := testing.AllocsPerRun(20, func() {
				d.Forward(x)
				d.Backward(g)
			}); n != 0 {
				t.Errorf("Forward+Backward allocate %v times per run, want 0", n)
			}
		})
	}
}
