package mlp

import (
	"gonum.org/v1/gonum/mat"
)

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
