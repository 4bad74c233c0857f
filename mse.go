package mlp

import "gonum.org/v1/gonum/mat"

// MSE is the mean squared error of regression outputs, averaged over every
// entry of the batch, as PyTorch's MSELoss with reduction mean:
//
//	L = (1/(n·m)) Σ_i Σ_j (pred[i][j] - y[i][j])²
//
// for n rows and m outputs, with the targets in Targets.Values. Its
// gradient is 2(pred - y)/(n·m). The zero value is ready to use. An MSE owns
// its gradient buffer and is not safe for concurrent use.
type MSE struct {
	grad mat.Dense
}

// ReadsTargets returns RealValues.
func (*MSE) ReadsTargets() TargetKind { return RealValues }

// checkValues panics unless y.Values is set and has the shape of pred.
func checkValues(where string, pred *mat.Dense, y Targets) (r, c int) {
	r, c = pred.Dims()
	if y.Values == nil {
		shapePanic(where, "prediction is %dx%d but Targets.Values is nil", r, c)
	}
	if yr, yc := y.Values.Dims(); yr != r || yc != c {
		shapePanic(where, "prediction is %dx%d, targets are %dx%d", r, c, yr, yc)
	}
	return r, c
}

// Loss returns the mean over all entries of (pred - y)². It panics with an
// error wrapping ErrShape if y.Values is nil or its shape differs from
// pred's.
func (l *MSE) Loss(pred *mat.Dense, y Targets) float64 {
	r, c := checkValues("MSE.Loss", pred, y)
	var sum float64
	for i := 0; i < r; i++ {
		ps := pred.RawRowView(i)
		ys := y.Values.RawRowView(i)
		for j, p := range ps {
			d := p - ys[j]
			sum += float64(d * d)
		}
	}
	return sum / float64(r*c)
}

// Grad returns dL/dpred = 2(pred - y)/(n·m). It panics as Loss does.
func (l *MSE) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r, c := checkValues("MSE.Grad", pred, y)
	reuse(&l.grad, r, c)
	s := 2 / float64(r*c)
	for i := 0; i < r; i++ {
		ps := pred.RawRowView(i)
		ys := y.Values.RawRowView(i)
		gs := l.grad.RawRowView(i)
		for j, p := range ps {
			gs[j] = s * (p - ys[j])
		}
	}
	return &l.grad
}

// String returns "MSE".
func (l *MSE) String() string { return "MSE" }

var (
	_ Loss         = (*MSE)(nil)
	_ TargetReader = (*MSE)(nil)
)
