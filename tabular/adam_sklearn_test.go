package tabular

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// TestSklearnAdamFirstStep checks the first step of scikit-learn's Adam
// against its closed form: with m = 0.1·g and v = 0.001·g², the step is
// w − lr·√0.001·g/(√0.001·|g| + ε). For |g| ≫ ε this is PyTorch's step
// w − lr·g/(|g| + ε) to 1e-5 relative; for g = 1e-9 scikit-learn's ε counts
// √1000 times more, and its step is about 29 times smaller than mlp.Adam's.
func TestSklearnAdamFirstStep(t *testing.T) {
	const lr, eps = 0.01, 1e-8
	g := []float64{0.5, -2, 1e-9}
	w0 := []float64{1, -1, 0.25}
	param := func() mlp.Param {
		return mlp.Param{Name: "w", Value: mat.NewDense(1, 3, append([]float64(nil), w0...)), Grad: mat.NewDense(1, 3, append([]float64(nil), g...))}
	}
	sk, pt := param(), param()
	o := newSklearnAdam([]mlp.Param{sk}, lr, 0.9, 0.999, eps)
	o.Step()
	a, err := mlp.NewAdam([]mlp.Param{pt}, mlp.AdamSettings{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	a.Step()
	s := math.Sqrt(0.001)
	for k := range g {
		want := w0[k] - lr*s*g[k]/(s*math.Abs(g[k])+eps)
		if got := sk.Value.At(0, k); math.Abs(got-want) > 1e-15*math.Abs(want) {
			t.Errorf("entry %d: %.17g, want %.17g", k, got, want)
		}
	}
	skStep, ptStep := w0[2]-sk.Value.At(0, 2), w0[2]-pt.Value.At(0, 2)
	if r := ptStep / skStep; !(r > 25 && r < 35) {
		t.Errorf("for g = 1e-9 mlp.Adam steps %.3g, scikit-learn's Adam %.3g: ratio %.3g, want about 29", ptStep, skStep, r)
	}
	for k := range 2 {
		if d := math.Abs((w0[k]-sk.Value.At(0, k))/(w0[k]-pt.Value.At(0, k)) - 1); d > 1e-5 {
			t.Errorf("entry %d: the two updates differ by %.2g relative; want below 1e-5", k, d)
		}
	}
	if !o.StateFinite() {
		t.Error("StateFinite = false after a finite step")
	}
	o.SetLearningRate(0.5)
	if o.LearningRate() != 0.5 {
		t.Errorf("LearningRate = %v after SetLearningRate(0.5)", o.LearningRate())
	}
	sk.Grad.Set(0, 1, math.Inf(1))
	o.Step()
	if o.StateFinite() {
		t.Error("StateFinite = true after an infinite gradient")
	}
}
