package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Metric is a streaming evaluation measure. A trainer calls Reset at the start
// of an evaluation, Update once per batch and Value at the end.
//
// pred holds the model's output with one row per sample: class probabilities
// for classification (or, with a single column, the probability of class 1),
// real values for regression. Classification metrics read y.Labels,
// regression metrics read y.Values.
//
// Update panics with an error wrapping ErrShape when y does not match pred
// (the message starts with "mlp: " and names the metric and both sizes), and
// with an error wrapping ErrData when a label is outside the classes pred can
// express. In steady state Update allocates nothing. Value returns NaN when
// no sample has been seen since the last Reset. Metrics are not safe for
// concurrent use.
type Metric interface {
	// Name is the metric's short identifier, such as "accuracy" or "rmse".
	Name() string
	// Reset forgets every sample seen so far, keeping allocated storage.
	Reset()
	// Update adds the samples of one batch.
	Update(pred *mat.Dense, y Targets)
	// Value is the metric over every sample since the last Reset.
	Value() float64
}

var (
	_ Metric = (*Accuracy)(nil)
	_ Metric = (*MacroF1)(nil)
	_ Metric = (*MacroPrecision)(nil)
	_ Metric = (*MacroRecall)(nil)
	_ Metric = (*RMSE)(nil)
	_ Metric = (*MAE)(nil)
	_ Metric = (*R2)(nil)
)

// rowClass returns the class predicted by one row of model output: the index
// of the largest entry, the first one on ties. A single entry is read as the
// probability of class 1, predicted when it is greater than 0.5. NaN entries
// are never selected, except as the first entry of a row.
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

// predClasses is the number of classes a prediction matrix with c columns
// can express: c, or 2 for a single probability column.
func predClasses(c int) int {
	if c == 1 {
		return 2
	}
	return c
}

// checkMetricLabels panics unless labels holds one label per row of pred, each
// within the classes pred can express. It returns the number of classes.
func checkMetricLabels(name string, pred *mat.Dense, labels []int) int {
	r, c := pred.Dims()
	if len(labels) != r {
		shapePanic(name, "%d labels for %d prediction rows", len(labels), r)
	}
	k := predClasses(c)
	for i, l := range labels {
		if l < 0 || l >= k {
			panic(fmt.Errorf("%w: %s: label %d of row %d not in [0,%d) for %d prediction columns", ErrData, name, l, i, k, c))
		}
	}
	return k
}

// Argmax writes the class predicted by each row of pred into dst and returns
// it: the column of the row's largest entry, the first one on ties. A pred
// with a single column is read as the probability of class 1, so a row
// predicts 1 when its entry is greater than 0.5 and 0 otherwise.
//
// dst is reused when its capacity is at least the number of rows of pred;
// otherwise Argmax allocates a new slice.
func Argmax(pred *mat.Dense, dst []int) []int {
	r, c := pred.Dims()
	if cap(dst) >= r {
		dst = dst[:r]
	} else {
		dst = make([]int, r)
	}
	raw := pred.RawMatrix()
	for i := range r {
		dst[i] = rowClass(raw.Data[i*raw.Stride : i*raw.Stride+c])
	}
	return dst
}

// AccuracyScore returns the fraction of positions where pred and labels hold
// the same class. The slices are compared element by element, so they must
// have the same, non-zero length; otherwise AccuracyScore returns an error
// wrapping ErrData.
func AccuracyScore(pred, labels []int) (float64, error) {
	if len(pred) != len(labels) {
		return 0, fmt.Errorf("%w: AccuracyScore: %d predictions for %d labels", ErrData, len(pred), len(labels))
	}
	if len(pred) == 0 {
		return 0, fmt.Errorf("%w: AccuracyScore: no samples", ErrData)
	}
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(pred)), nil
}

// Accuracy is the streaming fraction of samples whose predicted class (see
// Argmax) equals the label. The zero value is ready to use.
type Accuracy struct {
	correct, total int
}

// Name returns "accuracy".
func (*Accuracy) Name() string { return "accuracy" }

// Reset forgets every sample seen so far.
func (a *Accuracy) Reset() { a.correct, a.total = 0, 0 }

// Update adds the samples of one batch: pred has one row per sample and
// y.Labels one label per row. It panics as described for Metric and
// allocates nothing.
func (a *Accuracy) Update(pred *mat.Dense, y Targets) {
	checkMetricLabels("accuracy", pred, y.Labels)
	_, c := pred.Dims()
	raw := pred.RawMatrix()
	for i, l := range y.Labels {
		if rowClass(raw.Data[i*raw.Stride:i*raw.Stride+c]) == l {
			a.correct++
		}
	}
	a.total += len(y.Labels)
}

// Value returns correct/total over every sample since the last Reset, or NaN
// when there is none.
func (a *Accuracy) Value() float64 {
	if a.total == 0 {
		return math.NaN()
	}
	return float64(a.correct) / float64(a.total)
}
