package mlp

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Classify writes the class each row of pred predicts into dst and returns
// it. It is the one rule by which the package reads a class from a model's
// output, wherever it does so (Sequential.PredictClasses, Accuracy, the
// macro scores, EarlyStopping through them, the Trainer):
//
//   - one column is the probability of class 1 (a Sigmoid output): the row
//     predicts 1 when its entry is greater than 0.5 and 0 otherwise;
//   - several columns are scores of the classes (Softmax probabilities or
//     logits): the row predicts the column of its largest entry, the first
//     one on ties. NaN entries are never selected, except as a row's first
//     entry.
//
// A model with one column of any other kind (a one-column Softmax, which
// always outputs 1, or a one-column Linear) cannot express a choice under
// this rule; NewTrainer refuses such a model with a classification loss or
// metric.
//
// dst is reused when its capacity is at least the number of rows of pred;
// otherwise Classify allocates a new slice. Classify keeps no state and is
// safe for concurrent use on distinct dst.
func Classify(pred *mat.Dense, dst []int) []int {
	if pred == nil {
		misusePanic("Classify", "nil predictions")
	}
	r, _ := pred.Dims()
	if cap(dst) >= r {
		dst = dst[:r]
	} else {
		dst = make([]int, r)
	}
	for i := range r {
		dst[i] = rowClass(pred.RawRowView(i))
	}
	return dst
}

// rowClass returns the class one row of model output predicts, by the rule
// documented on Classify.
func rowClass(row []float64) int {
	if len(row) == 1 {
		if row[0] > 0.5 {
			return 1
		}
		return 0
	}
	best := 0
	for j := 1; j < len(row); j++ {
		if row[j] > row[best] {
			best = j
		}
	}
	return best
}

// ClassCount returns the number of classes an output of c columns can
// express under the rule of Classify: c, or 2 for a single column.
func ClassCount(c int) int {
	if c == 1 {
		return 2
	}
	return c
}

// checkClassOutput returns an error wrapping ErrSetting unless a model with
// the given number of output columns and final layer last can express a
// choice of class under the rule of Classify, for what (a loss or metric)
// to read. One column must be a Sigmoid probability (a layer declaring
// SigmoidProbabilities); the number of classes must not exceed
// MaxClasses.
func checkClassOutput(what string, outputs int, last Layer) error {
	if outputs > MaxClasses {
		return fmt.Errorf("%w: %s: the model has %d outputs; at most %d classes are supported", ErrSetting, what, outputs, MaxClasses)
	}
	if outputs != 1 {
		return nil
	}
	if probabilityKind(last) == SigmoidProbabilities {
		return nil
	}
	if probabilityKind(last) == SoftmaxProbabilities {
		return fmt.Errorf("%w: %s: a Softmax over one column always outputs 1 and cannot choose a class; "+
			"end the model with Linear(in, 1) and Sigmoid (with BinaryCrossEntropy), or with Linear(in, 2) and Softmax (with CrossEntropy)",
			ErrSetting, what)
	}
	return fmt.Errorf("%w: %s: one output column is read as the probability of class 1, but the model ends in %v; "+
		"end it with a Sigmoid (with BinaryCrossEntropy), or give it one column per class and a Softmax (with CrossEntropy)",
		ErrSetting, what, last)
}

// probabilityKind returns what the layer declares through ProbabilityOutput,
// or 0 when it does not implement it.
func probabilityKind(l Layer) ProbabilityKind {
	if p, ok := l.(ProbabilityOutput); ok {
		return p.Probabilities()
	}
	return 0
}
