package tabular

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// squaredLoss gives scikit-learn's squared_loss, half of mlp.MSE, and the
// gradient of its _backprop, (pred − y)/n. The figures are by hand:
// differences [1 0; 2 4], squares summing to 21, over 2·2·2.
func TestSquaredLoss(t *testing.T) {
	pred := mat.NewDense(2, 2, []float64{1, 2, 3, 5})
	y := mlp.Targets{Values: mat.NewDense(2, 2, []float64{0, 2, 1, 1})}
	var l squaredLoss
	if got, want := l.Loss(pred, y), 2.625; math.Abs(got-want) > 1e-15 {
		t.Errorf("Loss = %v, want %v", got, want)
	}
	if got, want := l.Loss(pred, y), (&mlp.MSE{}).Loss(pred, y)/2; got != want {
		t.Errorf("Loss = %v, want MSE/2 = %v", got, want)
	}
	want := mat.NewDense(2, 2, []float64{0.5, 0, 1, 2})
	if got := l.Grad(pred, y); !mat.EqualApprox(got, want, 1e-15) {
		t.Errorf("Grad = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
	// One output: the gradient is the derivative of the loss.
	p1 := mat.NewDense(3, 1, []float64{0.5, -1, 2})
	y1 := mlp.Targets{Values: mat.NewDense(3, 1, []float64{0, 1, 1.5})}
	g := mat.DenseCopyOf(l.Grad(p1, y1))
	const h = 1e-6
	for i := range 3 {
		v := p1.At(i, 0)
		p1.Set(i, 0, v+h)
		up := l.Loss(p1, y1)
		p1.Set(i, 0, v-h)
		down := l.Loss(p1, y1)
		p1.Set(i, 0, v)
		if fd := (up - down) / (2 * h); math.Abs(fd-g.At(i, 0)) > 1e-8 {
			t.Errorf("row %d: gradient %v, central difference %v", i, g.At(i, 0), fd)
		}
	}
}
