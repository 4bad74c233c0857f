package tabular

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// squaredLoss is the loss MLPRegressor trains on, scikit-learn 1.2's
// squared_loss with the gradient its _backprop uses
// (sklearn/neural_network/_base.py and _multilayer_perceptron.py):
//
//	L = Σ_i Σ_j (pred[i][j] − y[i][j])² / (2·n·m)
//	G[i][j] = (pred[i][j] − y[i][j]) / n
//
// for n rows and m outputs. With sample weights s (Targets.Weights) each
// row's terms are multiplied by s_i and n becomes Σ s, as scikit-learn 1.7
// weighs them:
//
//	L = Σ_i s_i·Σ_j (pred[i][j] − y[i][j])² / (2·Σs·m)
//	G[i][j] = s_i·(pred[i][j] − y[i][j]) / Σs
//
// L is half of mlp.MSE, so History, Tol and Alpha
// act on scikit-learn's scale. For one output G is dL/dpred; for m > 1
// outputs scikit-learn's gradient is m times dL/dpred, and squaredLoss
// follows it, so that training takes scikit-learn's steps. A squaredLoss
// owns its gradient buffer and is not safe for concurrent use.
type squaredLoss struct {
	grad mat.Dense
}

var (
	_ mlp.Loss          = (*squaredLoss)(nil)
	_ mlp.TargetReader  = (*squaredLoss)(nil)
	_ mlp.WeightReader  = (*squaredLoss)(nil)
	_ mlp.BatchWeighter = (*squaredLoss)(nil)
)

// ReadsWeights returns true.
func (*squaredLoss) ReadsWeights() bool { return true }

// BatchWeight returns Σ y.Weights, or the number of rows without weights.
func (*squaredLoss) BatchWeight(y mlp.Targets) float64 { return rowWeight(y) }

// rowWeight returns Σ y.Weights, or y.Len() when y.Weights is nil.
func rowWeight(y mlp.Targets) float64 {
	if y.Weights == nil {
		return float64(y.Len())
	}
	var s float64
	for _, w := range y.Weights {
		s += w
	}
	return s
}

// ReadsTargets returns mlp.RealValues.
func (*squaredLoss) ReadsTargets() mlp.TargetKind { return mlp.RealValues }

// dims panics with an error wrapping mlp.ErrShape unless y.Values has
// pred's shape.
func (*squaredLoss) dims(where string, pred *mat.Dense, y mlp.Targets) (r, c int) {
	r, c = pred.Dims()
	if y.Values == nil {
		panic(fmt.Errorf("%w: tabular: %s: prediction is %dx%d but Targets.Values is nil", mlp.ErrShape, where, r, c))
	}
	if yr, yc := y.Values.Dims(); yr != r || yc != c {
		panic(fmt.Errorf("%w: tabular: %s: prediction is %dx%d, targets are %dx%d", mlp.ErrShape, where, r, c, yr, yc))
	}
	return r, c
}

// Loss returns Σ (pred − y)² / (2·n·m).
func (l *squaredLoss) Loss(pred *mat.Dense, y mlp.Targets) float64 {
	r, c := l.dims("squared_loss", pred, y)
	var sum float64
	if y.Weights == nil {
		for i := range r {
			ys := y.Values.RawRowView(i)
			for j, p := range pred.RawRowView(i) {
				d := p - ys[j]
				sum += float64(d * d)
			}
		}
		return sum / float64(r*c) / 2
	}
	for i := range r {
		ys := y.Values.RawRowView(i)
		var row float64
		for j, p := range pred.RawRowView(i) {
			d := p - ys[j]
			row += float64(d * d)
		}
		sum += row * y.Weights[i]
	}
	total := rowWeight(y)
	if total == 0 {
		return 0
	}
	return sum / (total * float64(c)) / 2
}

// Grad returns (pred − y) / n, in a buffer reused by the next call.
func (l *squaredLoss) Grad(pred *mat.Dense, y mlp.Targets) *mat.Dense {
	r, c := l.dims("squared_loss", pred, y)
	if gr, gc := l.grad.Dims(); gr != r || gc != c {
		if l.grad.IsEmpty() || cap(l.grad.RawMatrix().Data) < r*c {
			l.grad = *mat.NewDense(r, c, nil)
		} else {
			l.grad.Reset()
			l.grad.ReuseAs(r, c)
		}
	}
	n := rowWeight(y)
	for i := range r {
		ys := y.Values.RawRowView(i)
		gs := l.grad.RawRowView(i)
		s := 1.0
		if y.Weights != nil {
			s = y.Weights[i]
		}
		for j, p := range pred.RawRowView(i) {
			if y.Weights == nil {
				gs[j] = (p - ys[j]) / n
			} else if n == 0 {
				gs[j] = 0
			} else {
				gs[j] = s * (p - ys[j]) / n
			}
		}
	}
	return &l.grad
}

// String returns "squared_loss".
func (*squaredLoss) String() string { return "squared_loss" }
