package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

// BinaryCrossEntropy is the mean negative log-likelihood of binary labels
// under predicted probabilities of class 1, for a model with one output
// column (ending in a Sigmoid), as PyTorch's BCELoss with reduction mean:
//
//	L = -(1/n) Σ_i [y_i·log p̂_i + (1-y_i)·log(1-p̂_i)],  p̂_i = min(max(p_i, 1e-8), 1-1e-8)
//
// with the labels, 0 or 1, in Targets.Labels. The probability is clipped
// to [1e-8, 1-1e-8], so a sample's loss is at most -log(1e-8) ≈ 18.4
// (PyTorch instead bounds each logarithm below by -100).
//
// The model must end in a Sigmoid (NewTrainer refuses another). Loss,
// given only probabilities, clips them; Backprop and the Trainer, which see
// the Sigmoid's input z, compute the loss from it exactly with the
// softplus form of PyTorch's BCEWithLogitsLoss,
//
//	l_i = max(z_i, 0) - y_i·z_i + log(1 + exp(-|z_i|))
//
// and the gradient (p - y)/n with respect to z, which unlike Grad does not
// vanish where the clipping applies.
//
// With per-sample weights s (Targets.Weights, scikit-learn's
// sample_weight) the loss is the weighted mean Σ_i s_i·l_i / Σ_i s_i and
// every gradient above has s_i/Σ s in place of 1/n; BatchWeight returns
// Σ s. A batch whose weights are all 0 has loss 0 and gradient 0. The
// zero value is ready
// to use. A BinaryCrossEntropy owns its gradient buffer and is not safe for
// concurrent use.
type BinaryCrossEntropy struct {
	grad mat.Dense
}

// checkBinary panics unless pred has one column and y one label, 0 or 1,
// per row of pred.
func checkBinary(where string, pred *mat.Dense, y Targets) (r int) {
	r, c := pred.Dims()
	if c != 1 {
		shapePanic(where, "prediction is %dx%d, want one column", r, c)
	}
	if len(y.Labels) != r {
		shapePanic(where, "prediction is %dx%d but there are %d labels", r, c, len(y.Labels))
	}
	for i, l := range y.Labels {
		if l != 0 && l != 1 {
			panic(misuse(ErrData, where, "label %d of row %d is not 0 or 1", l, i))
		}
	}
	return r
}

// ReadsTargets returns ClassLabels.
func (b *BinaryCrossEntropy) ReadsTargets() TargetKind { return ClassLabels }

// ValidateOutput returns an error wrapping ErrSetting, naming what to build
// instead, unless the model has one output column and ends in a Sigmoid (a
// layer declaring SigmoidProbabilities).
func (b *BinaryCrossEntropy) ValidateOutput(outputs int, last Layer) error {
	if outputs != 1 {
		return fmt.Errorf("%w: BinaryCrossEntropy needs one output column (the probability of class 1), the model has %d: "+
			"for %d classes train with CrossEntropy and a final Softmax, or end the model with Linear(in, 1) and Sigmoid",
			ErrSetting, outputs, outputs)
	}
	if probabilityKind(last) != SigmoidProbabilities {
		return fmt.Errorf("%w: BinaryCrossEntropy reads the probability of class 1, but the model ends in %v: "+
			"end it with a Sigmoid", ErrSetting, last)
	}
	return nil
}

// Loss returns -(1/n) Σ [y log p̂ + (1-y) log(1-p̂)] with p̂ the prediction
// clipped to [1e-8, 1-1e-8]. It panics with an error wrapping ErrShape if
// pred does not have one column or the labels are not one per row, with one
// wrapping ErrData if a label is not 0 or 1, and with one wrapping ErrMisuse
// if pred holds a value outside [0, 1] (not a probability).
func (b *BinaryCrossEntropy) Loss(pred *mat.Dense, y Targets) float64 {
	r := checkBinary("BinaryCrossEntropy.Loss", pred, y)
	pm := pred.RawMatrix()
	var sum float64
	for i, l := range y.Labels {
		checkProbability("BinaryCrossEntropy.Loss", pm.Data[i*pm.Stride:i*pm.Stride+1], i)
		p := min(max(pm.Data[i*pm.Stride], probFloor), 1-probFloor)
		var li float64
		if l == 1 {
			li = -fmath.Log(p)
		} else {
			li = -fmath.Log(1 - p)
		}
		if y.Weights != nil {
			li *= y.Weights[i]
		}
		sum += li
	}
	return binaryMean(sum, r, y)
}

// binaryMean returns sum / Σ s for sample weights s, sum/n without them,
// and 0 when the weights sum to 0.
func binaryMean(sum float64, n int, y Targets) float64 {
	total := weightSum(y, n)
	if total == 0 {
		return 0
	}
	return sum / total
}

// weightSum returns Σ y.Weights, or n when y.Weights is nil.
func weightSum(y Targets, n int) float64 {
	if y.Weights == nil {
		return float64(n)
	}
	var total float64
	for _, w := range y.Weights {
		total += w
	}
	return total
}

// BatchWeight returns Σ y.Weights, or the number of labels when y.Weights
// is nil.
func (b *BinaryCrossEntropy) BatchWeight(y Targets) float64 { return weightSum(y, len(y.Labels)) }

// ReadsWeights returns true: sample i counts y.Weights[i] times.
func (b *BinaryCrossEntropy) ReadsWeights() bool { return true }

// Grad returns dL/dp: -1/(n·p) for label 1 and 1/(n·(1-p)) for label 0, and
// 0 where p is outside [1e-8, 1-1e-8] and the clipping applies. It panics as
// Loss does.
func (b *BinaryCrossEntropy) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r := checkBinary("BinaryCrossEntropy.Grad", pred, y)
	reuse(&b.grad, r, 1)
	pm, gm := pred.RawMatrix(), b.grad.RawMatrix()
	n := weightSum(y, r)
	for i, l := range y.Labels {
		p, g := pm.Data[i*pm.Stride], 0.0
		if p >= probFloor && p <= 1-probFloor && n != 0 {
			if l == 1 {
				g = -1 / (n * p)
			} else {
				g = 1 / (n * (1 - p))
			}
			if y.Weights != nil {
				g *= y.Weights[i]
			}
		}
		gm.Data[i*gm.Stride] = g
	}
	return &b.grad
}

// fusedLoss returns the loss computed exactly from the logits z of a final
// layer declaring SigmoidProbabilities, (1/n) Σ max(z, 0) - y·z +
// log(1 + exp(-|z|)), and false for any other final layer.
func (b *BinaryCrossEntropy) fusedLoss(last Layer, p *mat.Dense, y Targets) (float64, bool) {
	z := fusedLogits(last, SigmoidProbabilities, false)
	if r, c := p.Dims(); z == nil || !sameDims(z, r, c) {
		return 0, false
	}
	r := checkBinary("BinaryCrossEntropy", z, y)
	zm := z.RawMatrix()
	var sum float64
	for i, l := range y.Labels {
		v := zm.Data[i*zm.Stride]
		li := max(v, 0) - float64(float64(l)*v) + fmath.Log1p(fmath.Exp(-math.Abs(v)))
		if y.Weights != nil {
			li *= y.Weights[i]
		}
		sum += li
	}
	return binaryMean(sum, r, y), true
}

// fusedGrad returns (p - y)/n, the gradient with respect to the input of a
// final layer declaring SigmoidProbabilities whose output is p, and nil for
// any other final layer.
func (b *BinaryCrossEntropy) fusedGrad(last Layer, p *mat.Dense, y Targets) *mat.Dense {
	if probabilityKind(last) != SigmoidProbabilities {
		return nil
	}
	r := checkBinary("BinaryCrossEntropy", p, y)
	reuse(&b.grad, r, 1)
	pm, gm := p.RawMatrix(), b.grad.RawMatrix()
	total := weightSum(y, r)
	if total == 0 {
		clear(gm.Data[:r*gm.Stride])
		return &b.grad
	}
	inv := 1 / total
	for i, l := range y.Labels {
		g := (pm.Data[i*pm.Stride] - float64(l)) * inv
		if y.Weights != nil {
			g *= y.Weights[i]
		}
		gm.Data[i*gm.Stride] = g
	}
	return &b.grad
}

// String returns "BinaryCrossEntropy".
func (b *BinaryCrossEntropy) String() string { return "BinaryCrossEntropy" }

var (
	_ Loss            = (*BinaryCrossEntropy)(nil)
	_ fusedLoss       = (*BinaryCrossEntropy)(nil)
	_ TargetReader    = (*BinaryCrossEntropy)(nil)
	_ OutputValidator = (*BinaryCrossEntropy)(nil)
	_ BatchWeighter   = (*BinaryCrossEntropy)(nil)
	_ WeightReader    = (*BinaryCrossEntropy)(nil)
)
