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
// or scores for classification (or, with a single column, the probability of
// class 1: see Classify, the one rule by which a class is read), real values
// for regression. Classification metrics read y.Labels, regression metrics
// read y.Values. The metrics that follow a scikit-learn function taking
// sample_weight (BalancedAccuracy, ROCAUC, AveragePrecision, LogLoss) also
// weigh the samples by y.Weights when it is not nil; Accuracy, MacroAverage
// and the regression metrics count every sample once.
//
// A metric may implement the capabilities TargetReader (which targets it
// reads), Goaler (which way is better) and OutputValidator (whether a model
// suits it); the package's metrics implement all that apply, and a user's
// metric that implements them is checked in the same way.
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
	_ Metric = (*MacroAverage)(nil)
	_ Metric = (*RMSE)(nil)
	_ Metric = (*MAE)(nil)
	_ Metric = (*R2)(nil)
)

// checkMetricLabels panics unless labels holds one label per row of pred, each
// within the classes pred can express (see Classify), and pred has at most
// MaxClasses columns. It returns the number of classes.
func checkMetricLabels(name string, pred *mat.Dense, labels []int) int {
	r, c := pred.Dims()
	if len(labels) != r {
		shapePanic(name, "%d labels for %d prediction rows", len(labels), r)
	}
	k := ClassCount(c)
	if k > MaxClasses {
		panic(misuse(ErrData, name, "%d prediction columns; at most %d classes are supported", c, MaxClasses))
	}
	for i, l := range labels {
		if l < 0 || l >= k {
			panic(misuse(ErrData, name, "label %d of row %d not in [0,%d) for %d prediction columns", l, i, k, c))
		}
	}
	return k
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
// Classify) equals the label. The zero value is ready to use.
type Accuracy struct {
	classMetric
	correct, total int
}

// classMetric supplies the capabilities every classification metric of the
// package shares: it reads class labels and larger is better.
type classMetric struct{}

// ReadsTargets returns ClassLabels.
func (classMetric) ReadsTargets() TargetKind { return ClassLabels }

// Goal returns Maximize.
func (classMetric) Goal() Goal { return Maximize }

// Name returns "accuracy".
func (*Accuracy) Name() string { return "accuracy" }

// ValidateOutput returns an error wrapping ErrSetting unless the model's
// output can express a class under the rule of Classify.
func (*Accuracy) ValidateOutput(outputs int, last Layer) error {
	return checkClassOutput("accuracy", outputs, last)
}

// Reset forgets every sample seen so far.
func (a *Accuracy) Reset() { a.correct, a.total = 0, 0 }

// Update adds the samples of one batch: pred has one row per sample and
// y.Labels one label per row. It panics as described for Metric and
// allocates nothing.
func (a *Accuracy) Update(pred *mat.Dense, y Targets) {
	if a == nil || pred == nil {
		misusePanic("Accuracy.Update", "nil Accuracy or predictions")
	}
	checkMetricLabels("accuracy", pred, y.Labels)
	for i, l := range y.Labels {
		if rowClass(pred.RawRowView(i)) == l {
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

// MacroAverage is the streaming macro average of a per-class Score: the
// unweighted mean of the score over the classes that occur among the
// labels or the predictions seen since the last Reset, a class whose score
// is 0/0 counting as 0. It is the rule of ConfusionMatrix.Macro and of
// scikit-learn's f1_score, precision_score and recall_score with
// average="macro" and no labels given, computed by the same function
// (docs/conventions.md).
// Predicted classes are as in Classify. MacroAverage{} is the macro F1
// score; MacroAverage{Score: Precision} the macro precision.
//
// The zero value is ready to use. Update allocates only when a batch has
// more prediction columns than any before it.
type MacroAverage struct {
	classMetric
	// Score is the per-class score averaged; the zero value is F1.
	Score Score

	cc classCounts
}

// Name returns "macro_f1", "macro_precision" or "macro_recall". It allocates nothing.
func (m *MacroAverage) Name() string {
	switch m.Score {
	case F1:
		return "macro_f1"
	case Precision:
		return "macro_precision"
	case Recall:
		return "macro_recall"
	}
	return "macro_" + m.Score.name()
}

// ValidateOutput returns an error wrapping ErrSetting unless Score is F1,
// Precision or Recall and the model's output can express a class under
// the rule of Classify, with at most MaxClasses classes.
func (m *MacroAverage) ValidateOutput(outputs int, last Layer) error {
	if !m.Score.valid() {
		return fmt.Errorf("%w: MacroAverage.Score is %d; want F1, Precision or Recall", ErrSetting, int(m.Score))
	}
	return checkClassOutput(m.Name(), outputs, last)
}

// Reset forgets every sample seen so far, keeping the count storage.
func (m *MacroAverage) Reset() { m.cc.reset() }

// Update adds the samples of one batch to the per-class counts. It panics
// as described for Metric, and with an error wrapping ErrSetting if Score
// is not F1, Precision or Recall.
func (m *MacroAverage) Update(pred *mat.Dense, y Targets) {
	if m == nil || pred == nil {
		misusePanic("MacroAverage.Update", "nil MacroAverage or predictions")
	}
	checkScore("MacroAverage.Update", m.Score)
	k := checkMetricLabels(m.Name(), pred, y.Labels)
	m.cc.grow(k)
	for i, l := range y.Labels {
		m.cc.add(l, rowClass(pred.RawRowView(i)))
	}
}

// Value returns the macro average, or NaN when no sample has been seen
// since the last Reset.
func (m *MacroAverage) Value() float64 { return m.cc.macro(m.Score) }
