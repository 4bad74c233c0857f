package mlp

import "gonum.org/v1/gonum/mat"

// Loss is a training criterion comparing a network's output with targets.
//
// Loss returns the loss averaged over the batch. Grad returns dLoss/dPred,
// a matrix owned by the criterion and valid until the next call to Grad.
// Both panic with an error wrapping ErrShape when pred and y do not fit
// (different row counts, a label outside [0, columns)). User-facing entry
// points (Trainer, Evaluate) check the data first and return errors instead.
//
// A loss may implement the capabilities TargetReader (which targets it
// reads), OutputValidator (whether a model suits it), Validator (its own
// settings), BatchWeighter (a weighted batch mean) and WeightReader
// (per-sample weights in Targets.Weights). The package's losses
// implement those that apply, and NewTrainer and Fit use them for a user's
// loss exactly as for the package's: a loss that embeds or wraps MSE and
// forwards ReadsTargets trains on real-valued targets.
type Loss interface {
	Loss(pred *mat.Dense, y Targets) float64
	Grad(pred *mat.Dense, y Targets) *mat.Dense
}

// fusedLoss is implemented by criteria that compute their loss and its
// gradient exactly from the logits of a final layer that turns logits into
// probabilities (see ProbabilityOutput): CrossEntropy after a Softmax,
// BinaryCrossEntropy after a Sigmoid. Given the final layer and its output,
// fusedLoss returns the loss computed with the layer's logits and fusedGrad
// the gradient with respect to them; they report false and nil when the
// final layer is not one the criterion fuses with.
type fusedLoss interface {
	fusedLoss(last Layer, out *mat.Dense, y Targets) (float64, bool)
	fusedGrad(last Layer, out *mat.Dense, y Targets) *mat.Dense
}

// fusedLogits returns the logits of last's last Forward when last declares
// the probability kind want and the criterion reads probabilities (not
// fromLogits), and nil otherwise.
func fusedLogits(last Layer, want ProbabilityKind, fromLogits bool) *mat.Dense {
	if fromLogits {
		return nil
	}
	p, ok := last.(ProbabilityOutput)
	if !ok || p.Probabilities() != want {
		return nil
	}
	return p.Logits()
}

// criterionLoss returns crit's loss of out, the output of the final layer
// last, against y: computed from last's logits when crit fuses with it
// (exact where the probabilities would be clipped), and crit.Loss(out, y)
// otherwise.
func criterionLoss(crit Loss, last Layer, out *mat.Dense, y Targets) float64 {
	if f, ok := crit.(fusedLoss); ok {
		if l, ok := f.fusedLoss(last, out, y); ok {
			return l
		}
	}
	return crit.Loss(out, y)
}

// batchWeight returns the weight of a batch in a whole-set mean of crit:
// its BatchWeight when crit is a BatchWeighter, and its number of rows
// otherwise.
func batchWeight(crit Loss, y Targets) float64 {
	if w, ok := crit.(BatchWeighter); ok {
		return w.BatchWeight(y)
	}
	return float64(y.Len())
}

// probFloor is the smallest probability a loss that reads probabilities
// takes the logarithm of: p is clipped to [probFloor, 1].
const probFloor = 1e-8
