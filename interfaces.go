package mlp

import "gonum.org/v1/gonum/mat"

// This file names the capabilities the Trainer and the losses ask for. Each
// is a small interface that a type may implement; the package's own losses,
// metrics, layers, optimizers and hooks implement them, and a user's own
// type that implements one is treated exactly as the package's are (gonum's
// optimize/interfaces.go works the same way).

// TargetKind is the kind of targets a loss or metric reads.
type TargetKind int

const (
	// ClassLabels are integer class labels, in Targets.Labels.
	ClassLabels TargetKind = iota + 1
	// RealValues are real-valued targets, in Targets.Values.
	RealValues
)

// String returns "class labels" or "real values".
func (k TargetKind) String() string {
	switch k {
	case ClassLabels:
		return "class labels"
	case RealValues:
		return "real values"
	}
	return "unknown targets"
}

// TargetReader is implemented by a loss or metric that says which kind of
// targets it reads. Trainer.Fit and Evaluate refuse data of the other kind
// before the first step, with an error wrapping ErrData. A loss or metric
// that does not implement it is given the data as it is.
type TargetReader interface {
	ReadsTargets() TargetKind
}

// Goal says whether a smaller or a larger value of a figure is better.
type Goal int

const (
	// Minimize: smaller is better (losses, RMSE, MAE).
	Minimize Goal = iota + 1
	// Maximize: larger is better (accuracy, F1, R²).
	Maximize
)

// Goaler is implemented by a metric that says whether its larger or its
// smaller values are better. EarlyStopping with Mode "auto" (the default)
// reads it to know which way a monitored metric should go.
type Goaler interface {
	Goal() Goal
}

// OutputValidator is implemented by a loss or metric that can tell whether
// a model's output suits it: outputs is the number of output columns and
// last the model's final layer. NewTrainer calls ValidateOutput and returns
// its error, which should wrap ErrSetting and say what to build instead.
type OutputValidator interface {
	ValidateOutput(outputs int, last Layer) error
}

// Validator is implemented by settings-bearing values (a loss, a metric, a
// hook, a schedule) that can check their own settings. NewTrainer calls
// Validate on each and returns its error, which should wrap ErrSetting and
// name the field.
type Validator interface {
	Validate() error
}

// ProbabilityKind says how a layer turns its input, the logits, into
// probabilities.
type ProbabilityKind int

const (
	// SoftmaxProbabilities: each row is a distribution over the columns
	// (Softmax).
	SoftmaxProbabilities ProbabilityKind = iota + 1
	// SigmoidProbabilities: each entry is a probability on its own
	// (Sigmoid); one column is read as the probability of class 1.
	SigmoidProbabilities
)

// ProbabilityOutput is implemented by a layer that turns logits into
// probabilities: Softmax and Sigmoid. When such a layer ends a model, the
// matching loss (CrossEntropy after SoftmaxProbabilities,
// BinaryCrossEntropy after SigmoidProbabilities) computes its loss and
// gradient from the logits, exactly, and Backprop skips the layer's
// Backward. Logits returns the input of the layer's last Forward (not a
// copy), nil before the first.
type ProbabilityOutput interface {
	Probabilities() ProbabilityKind
	Logits() *mat.Dense
}

// BatchWeighter is implemented by a loss whose value on a batch is a
// weighted mean Σ w_i·l_i / Σ w_i (CrossEntropy with class weights).
// BatchWeight returns the batch's Σ w_i; Trainer sums Loss·BatchWeight and
// BatchWeight over the batches of a set and divides, so that a whole-set
// figure does not depend on the batch size. For a loss that does not
// implement it, the weight of a batch is its number of rows.
type BatchWeighter interface {
	BatchWeight(y Targets) float64
}

// WeightReader is implemented by a loss that reads per-sample weights
// (Targets.Weights) when ReadsWeights returns true: CrossEntropy and
// BinaryCrossEntropy. Trainer.Fit and Evaluate refuse weighted data for a
// loss that does not, with an error wrapping ErrData, rather than ignore
// the weights. A loss that reads them should also be a BatchWeighter whose
// BatchWeight includes them.
type WeightReader interface {
	ReadsWeights() bool
}

// StateChecker is implemented by an optimizer that can tell whether its
// internal state (Adam's moment estimates) is still finite. Trainer.Fit
// asks after every step and stops with a *DivergenceError when it is not,
// since updates computed from an infinite state are silently wrong (Adam's
// step becomes 0 once its second moment overflows).
type StateChecker interface {
	StateFinite() bool
}

// BatchSource yields the mini-batches of one epoch at a time, as DataLoader
// does: Reset starts an epoch, Next prepares the next batch and reports
// whether there is one, and Batch returns it. Trainer.Fit and Evaluate read
// their data through it, checking every batch against the model before
// using it.
type BatchSource interface {
	Reset()
	Next() bool
	Batch() Batch
}

// DatasetSource is implemented by a BatchSource that draws its batches from
// one Dataset (DataLoader). Trainer.Fit checks the whole data set against
// the model before the first step, not batch by batch.
type DatasetSource interface {
	Dataset() *Dataset
}

// FitEnder is implemented by a Hook that acts when Fit ends normally: its
// epochs have run out or a hook asked to stop. EarlyStopping restores the
// best weights there. FitEnd is not called when Fit returns an error.
type FitEnder interface {
	FitEnd(e EpochEnd) error
}
