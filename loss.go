package mlp

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Targets holds what a model should output for a batch or a data set: class
// labels for classification, or real values for regression. Exactly one of
// the two is set.
type Targets struct {
	// Labels are class indices in [0, classes), one per row.
	Labels []int
	// Values are regression targets, one row per sample and one column per
	// output.
	Values *mat.Dense
}

// Len returns the number of samples the targets describe.
func (t Targets) Len() int {
	if t.Values != nil {
		r, _ := t.Values.Dims()
		return r
	}
	return len(t.Labels)
}

// Loss is a training criterion comparing a network's output with targets.
//
// Loss returns the loss averaged over the batch. Grad returns dLoss/dPred,
// a matrix owned by the criterion and valid until the next call to Grad.
// Both panic with an error wrapping ErrShape when pred and y do not fit
// (different row counts, a label outside [0, columns)). User-facing entry
// points (Trainer, Evaluate) check the data first and return errors instead.
type Loss interface {
	Loss(pred *mat.Dense, y Targets) float64
	Grad(pred *mat.Dense, y Targets) *mat.Dense
}

// fusedLoss is implemented by criteria that know the exact gradient with
// respect to the input of a particular final layer (a Softmax for
// CrossEntropy). fusedGrad returns that gradient given the final layer and
// its output, or nil when the final layer is not one it fuses with.
type fusedLoss interface {
	fusedGrad(last Layer, out *mat.Dense, y Targets) *mat.Dense
}

// probFloor is the smallest probability CrossEntropy takes the logarithm
// of: p is clipped to [probFloor, 1].
const probFloor = 1e-8

// CrossEntropy is the mean negative log-likelihood of integer class labels
// under predicted class probabilities, one row per sample:
//
//	L = -(1/n) Σ_i log max(p[i][y_i], 1e-8)
//
// Every class counts, not only class 1. The predictions are probabilities
// (the output of a Softmax). When a Softmax ends the network, Backprop uses
// the fused gradient (p - onehot)/n with respect to the Softmax's input,
// which stays exact for confident predictions where 1/p would blow up.
//
// The zero value is ready to use. A CrossEntropy owns its gradient buffer and
// is not safe for concurrent use.
type CrossEntropy struct {
	grad mat.Dense
}

var (
	_ Loss      = (*CrossEntropy)(nil)
	_ fusedLoss = (*CrossEntropy)(nil)
)

// checkLabels panics unless y has one label per row of pred, each in
// [0, columns of pred).
func checkLabels(where string, pred *mat.Dense, y Targets) (r, c int) {
	r, c = pred.Dims()
	if len(y.Labels) != r {
		shapePanic(where, "prediction is %dx%d but there are %d labels", r, c, len(y.Labels))
	}
	for i, l := range y.Labels {
		if l < 0 || l >= c {
			shapePanic(where, "label %d of row %d is outside [0, %d)", l, i, c)
		}
	}
	return r, c
}

// Loss returns -(1/n) Σ log max(p[i][y_i], 1e-8). It panics if the labels do
// not fit pred.
func (ce *CrossEntropy) Loss(pred *mat.Dense, y Targets) float64 {
	r, _ := checkLabels("CrossEntropy.Loss", pred, y)
	pm := pred.RawMatrix()
	var sum float64
	for i, l := range y.Labels {
		sum -= math.Log(max(pm.Data[i*pm.Stride+l], probFloor))
	}
	return sum / float64(r)
}

// Grad returns dL/dp: -1/(n·p[i][y_i]) at each label, 0 elsewhere and where
// the probability was clipped.
func (ce *CrossEntropy) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r, c := checkLabels("CrossEntropy.Grad", pred, y)
	reuse(&ce.grad, r, c)
	ce.grad.Zero()
	pm, gm := pred.RawMatrix(), ce.grad.RawMatrix()
	n := float64(r)
	for i, l := range y.Labels {
		if p := pm.Data[i*pm.Stride+l]; p >= probFloor {
			gm.Data[i*gm.Stride+l] = -1 / (n * p)
		}
	}
	return &ce.grad
}

// fusedGrad returns (p - onehot)/n, the gradient with respect to the logits
// of a final Softmax, and nil for any other final layer.
func (ce *CrossEntropy) fusedGrad(last Layer, p *mat.Dense, y Targets) *mat.Dense {
	if _, ok := last.(*Softmax); !ok {
		return nil
	}
	r, c := checkLabels("CrossEntropy", p, y)
	reuse(&ce.grad, r, c)
	pm, gm := p.RawMatrix(), ce.grad.RawMatrix()
	inv := 1 / float64(r)
	for i, l := range y.Labels {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		for j, v := range ps {
			gs[j] = v * inv
		}
		gs[l] -= inv
	}
	return &ce.grad
}

// Backprop computes crit's loss of the output of m's last Forward against y,
// then propagates its gradient back through every layer of m, filling the
// gradients of all parameters. When crit has an exact gradient with respect
// to the input of m's final layer (CrossEntropy after Softmax), the backward
// pass starts there and the final layer's Backward is skipped.
//
// It returns the loss. It panics if Forward has not been called or if y does
// not fit the output; it allocates nothing in steady state.
func Backprop(m *Sequential, crit Loss, y Targets) float64 {
	out := m.out
	if out == nil {
		panic("mlp: Backprop called before Sequential.Forward")
	}
	loss := crit.Loss(out, y)
	last := len(m.layers) - 1
	if f, ok := crit.(fusedLoss); ok {
		if g := f.fusedGrad(m.layers[last], out, y); g != nil {
			m.backwardFrom(last-1, g)
			return loss
		}
	}
	m.backwardFrom(last, crit.Grad(out, y))
	return loss
}

// String returns "CrossEntropy".
func (ce *CrossEntropy) String() string { return "CrossEntropy" }
