package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// l2Penalty adds scikit-learn's L2 penalty on weight matrices to a loss and
// its gradient, as MLPClassifier and MLPRegressor train:
//
//	loss += 0.5·alpha·Σ‖W‖² / n
//	∂loss/∂W += alpha·W / n
//
// where the sums run over the weight matrices only (biases are not
// penalised) and n is the number of samples in the batch, or the sum of
// their weights when the batch has sample weights (Targets.Weights, as
// scikit-learn 1.7 divides by sample_weight.sum())
// (sklearn/neural_network/_multilayer_perceptron.py, _backprop and
// _compute_loss_grad). The penalty wraps the data loss through Loss (it
// records n and adds the penalty to the value) and the optimizer through
// Step (it adds the gradient term to each weight's gradient before the
// update), because the trainer computes parameter gradients between the two.
//
// An l2Penalty is not safe for concurrent use.
//
// NewL2Penalty builds one.
type l2Penalty struct {
	base    Loss
	weights []Param // the penalised weight matrices
	alpha   float64
	n       float64 // Σ sample weights (rows, without weights) of the last batch the loss saw
}

var (
	_ Loss          = (*l2Penalty)(nil)
	_ fusedLoss     = (*l2Penalty)(nil)
	_ TargetReader  = (*l2Penalty)(nil)
	_ BatchWeighter = (*l2Penalty)(nil)
	_ WeightReader  = (*l2Penalty)(nil)
)

// value returns 0.5·alpha·Σ‖W‖² / n for batch weight n.
func (p *l2Penalty) value(n float64) float64 {
	var ss float64
	for _, w := range p.weights {
		for _, v := range w.Value.RawMatrix().Data {
			ss += float64(v * v)
		}
	}
	if n == 0 {
		return 0
	}
	return 0.5 * p.alpha * ss / n
}

func (p *l2Penalty) Loss(pred *mat.Dense, y Targets) float64 {
	p.n = weightSum(y, y.Len())
	return p.base.Loss(pred, y) + p.value(p.n)
}

func (p *l2Penalty) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	p.n = weightSum(y, y.Len())
	return p.base.Grad(pred, y)
}

func (p *l2Penalty) fusedLoss(last Layer, out *mat.Dense, y Targets) (float64, bool) {
	f, ok := p.base.(fusedLoss)
	if !ok {
		return 0, false
	}
	l, ok := f.fusedLoss(last, out, y)
	if !ok {
		return 0, false
	}
	p.n = weightSum(y, y.Len())
	return l + p.value(p.n), true
}

func (p *l2Penalty) fusedGrad(last Layer, out *mat.Dense, y Targets) *mat.Dense {
	if f, ok := p.base.(fusedLoss); ok {
		p.n = weightSum(y, y.Len())
		return f.fusedGrad(last, out, y)
	}
	return nil
}

func (p *l2Penalty) ReadsTargets() TargetKind {
	if r, ok := p.base.(TargetReader); ok {
		return r.ReadsTargets()
	}
	return 0
}

func (p *l2Penalty) ValidateOutput(outputs int, last Layer) error {
	if v, ok := p.base.(OutputValidator); ok {
		return v.ValidateOutput(outputs, last)
	}
	return nil
}

func (p *l2Penalty) BatchWeight(y Targets) float64 { return batchWeight(p.base, y) }

func (p *l2Penalty) ReadsWeights() bool { return readsWeights(p.base) }

func (p *l2Penalty) String() string { return describe(p.base) + " + L2" }

// addGrad adds alpha·W/n to the gradient of every penalised weight, for the
// batch the loss saw last.
func (p *l2Penalty) addGrad() {
	if p.n == 0 {
		return
	}
	c := p.alpha / p.n
	for _, w := range p.weights {
		g, v := w.Grad.RawMatrix().Data, w.Value.RawMatrix().Data
		for i := range g {
			g[i] += float64(c * v[i])
		}
	}
}

// NewL2Penalty returns loss and opt wrapped so that a Trainer given both
// minimises scikit-learn's penalised loss
//
//	loss + 0.5·alpha·Σ‖W‖² / n
//
// over the weight matrices in weights (biases are not penalised; n is the
// batch's row count), as scikit-learn's MLPClassifier and MLPRegressor do
// (sklearn/neural_network/_multilayer_perceptron.py, _backprop): the loss
// adds the penalty to its value, and the optimizer adds alpha·W/n to each
// weight's gradient before its step. This is not PyTorch's weight_decay,
// which adds alpha·W to the gradient whatever the batch size. The wrapped
// loss keeps loss's capabilities (the targets it reads, the output it
// accepts, its batch weights, its exact form with a final Softmax or
// Sigmoid); the wrapped optimizer reports opt's state to the divergence
// check. Use the two together, with one Trainer, and neither is safe for
// concurrent use.
//
// It returns an error wrapping ErrSetting for a nil loss or optimizer, an
// alpha that is negative, NaN or Inf, or a weight with a nil Value or Grad.
func NewL2Penalty(loss Loss, opt Optimizer, weights []Param, alpha float64) (Loss, Optimizer, error) {
	switch {
	case isNil(loss):
		return nil, nil, fmt.Errorf("%w: NewL2Penalty: nil loss", ErrSetting)
	case isNil(opt):
		return nil, nil, fmt.Errorf("%w: NewL2Penalty: nil optimizer", ErrSetting)
	case !(alpha >= 0) || math.IsInf(alpha, 1):
		return nil, nil, fmt.Errorf("%w: NewL2Penalty: alpha %v is not a finite number ≥ 0", ErrSetting, alpha)
	}
	for i, w := range weights {
		if w.Value == nil || w.Grad == nil {
			return nil, nil, fmt.Errorf("%w: NewL2Penalty: weights[%d] has a nil Value or Grad", ErrSetting, i)
		}
	}
	p := &l2Penalty{base: loss, weights: weights, alpha: alpha}
	return p, penalizedOptimizer{opt, p}, nil
}

// penalizedOptimizer adds the gradient of an l2Penalty before each step of
// the optimizer it wraps.
type penalizedOptimizer struct {
	Optimizer
	p *l2Penalty
}

var _ StateChecker = penalizedOptimizer{}

func (o penalizedOptimizer) Step() {
	o.p.addGrad()
	o.Optimizer.Step()
}

func (o penalizedOptimizer) StateFinite() bool {
	if s, ok := o.Optimizer.(StateChecker); ok {
		return s.StateFinite()
	}
	return true
}
