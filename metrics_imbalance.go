package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

var (
	_ Metric          = (*BalancedAccuracy)(nil)
	_ OutputValidator = (*BalancedAccuracy)(nil)
)

// BalancedAccuracy is the streaming balanced accuracy, scikit-learn 1.2.1's
// balanced_accuracy_score(y, pred, sample_weight=w) with adjusted=False: the
// unweighted mean, over the classes that have samples, of each class's
// recall (the share of its samples predicted as it), so that a rare class
// counts as much as a common one. A model that always predicts one class
// scores 1/(classes present), however imbalanced the set. Classes are read
// from the output by Classify. Sample weights (Targets.Weights) weigh each
// sample in its class's recall, as sample_weight does; a class whose
// samples all weigh 0 is left out, as balanced_accuracy_score leaves it
// out (with its warning "y_pred contains classes not in y_true"). The
// recalls are summed in numpy's order.
//
// It keeps two float64 a class. Value is NaN when no sample of positive
// weight has been seen. Update panics as Metric documents, and allocates
// only when a batch has more columns than any before. The zero value is
// ready to use.
type BalancedAccuracy struct {
	classMetric
	right, support []float64 // per true class: weight predicted right, weight in all
	buf            []float64
}

// Name returns "balanced_accuracy".
func (*BalancedAccuracy) Name() string { return "balanced_accuracy" }

// ValidateOutput returns an error wrapping ErrSetting unless the model's
// output can express a class under the rule of Classify.
func (*BalancedAccuracy) ValidateOutput(outputs int, last Layer) error {
	return checkClassOutput("balanced_accuracy", outputs, last)
}

// Reset forgets every sample seen so far, keeping the storage.
func (m *BalancedAccuracy) Reset() {
	clear(m.right)
	clear(m.support)
}

// Update adds the samples of one batch.
func (m *BalancedAccuracy) Update(pred *mat.Dense, y Targets) {
	if m == nil || pred == nil {
		misusePanic("BalancedAccuracy.Update", "nil BalancedAccuracy or predictions")
	}
	k := checkMetricLabels("balanced_accuracy", pred, y.Labels)
	if err := checkSampleWeights("balanced_accuracy", y.Weights, len(y.Labels)); err != nil {
		panic(misuseWrap(err))
	}
	if k > len(m.right) {
		m.right = append(m.right, make([]float64, k-len(m.right))...)
		m.support = append(m.support, make([]float64, k-len(m.support))...)
		m.buf = make([]float64, k)
	}
	for i, l := range y.Labels {
		w := 1.0
		if y.Weights != nil {
			w = y.Weights[i]
		}
		m.support[l] += w
		if rowClass(pred.RawRowView(i)) == l {
			m.right[l] += w
		}
	}
}

// Value returns the balanced accuracy since the last Reset, or NaN when no
// sample of positive weight has been seen.
func (m *BalancedAccuracy) Value() float64 { return balancedAccuracy(m.right, m.support, m.buf) }

// balancedAccuracy returns the mean of right[c]/support[c] over the classes
// of positive support, summed in numpy's order in buf, or NaN when there
// is none.
func balancedAccuracy(right, support, buf []float64) float64 {
	n := 0
	for c, s := range support {
		if s > 0 {
			buf[n] = right[c] / s
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return fmath.PairwiseSum(buf[:n]) / float64(n)
}

// checkSampleWeights returns an error wrapping ErrData unless w is nil or
// holds n finite, non-negative weights.
func checkSampleWeights(what string, w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("%w: %s: %d sample weights for %d samples", ErrData, what, len(w), n)
	}
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: %s: sample weight %v of sample %d is not finite and non-negative", ErrData, what, v, i)
		}
	}
	return nil
}

// BalancedAccuracyScore returns the balanced accuracy of the predicted
// classes pred against the true classes labels (class indices, compared
// element by element), weighted by weights when not nil: the figure of the
// BalancedAccuracy metric, which documents the rule. It returns an error
// wrapping ErrData when the slices differ in length or are empty, hold a
// negative index or one of MaxClasses or more, a weight is negative or not
// finite, or no sample has positive weight (where scikit-learn returns NaN
// with a warning). It allocates O(classes).
func BalancedAccuracyScore(pred, labels []int, weights []float64) (float64, error) {
	k, err := checkClasses(pred, labels, nil)
	if err != nil {
		return 0, fmt.Errorf("BalancedAccuracyScore: %w", err)
	}
	if err := checkSampleWeights("BalancedAccuracyScore", weights, len(labels)); err != nil {
		return 0, err
	}
	right, support := make([]float64, k), make([]float64, k)
	for i, l := range labels {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		support[l] += w
		if pred[i] == l {
			right[l] += w
		}
	}
	v := balancedAccuracy(right, support, make([]float64, k))
	if math.IsNaN(v) {
		return v, fmt.Errorf("%w: BalancedAccuracyScore: every sample weight is 0", ErrData)
	}
	return v, nil
}
