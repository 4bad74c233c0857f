package mlp

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

// This file holds the metrics that read a classifier's probabilities and
// rank the samples by them: ROCAUC and AveragePrecision, and the functions
// ROCAUCScore and AveragePrecisionScore. LogLoss is in metrics_logloss.go.

var (
	_ Metric          = (*ROCAUC)(nil)
	_ Metric          = (*AveragePrecision)(nil)
	_ Goaler          = (*ROCAUC)(nil)
	_ TargetReader    = (*ROCAUC)(nil)
	_ OutputValidator = (*ROCAUC)(nil)
	_ OutputValidator = (*AveragePrecision)(nil)
)

// ClassProbability returns the probability of class c that one row of a
// classifier's probabilities gives: with one column (a Sigmoid output),
// P(class 1) = row[0] and P(class 0) = 1 − row[0]; with several (a Softmax
// output), row[c]. It is the one rule by which the probability metrics
// (ROCAUC, AveragePrecision, LogLoss) read a model's output, as Classify is
// the rule by which a class is read. It panics if c is outside the classes
// the row can express (see ClassCount).
func ClassProbability(row []float64, c int) float64 {
	if len(row) == 1 {
		switch c {
		case 0:
			return 1 - row[0]
		case 1:
			return row[0]
		}
	} else if c >= 0 && c < len(row) {
		return row[c]
	}
	panic(misuse(ErrShape, "ClassProbability", "class %d of a row of %d columns", c, len(row)))
}

// checkProbaOutput returns an error wrapping ErrSetting unless the model's
// output is a probability for each class under the rule of
// ClassProbability: one Sigmoid column, or a Softmax over two to MaxClasses
// columns. The message says what to build instead.
func checkProbaOutput(what string, outputs int, last Layer) error {
	if err := checkClassOutput(what, outputs, last); err != nil {
		return err
	}
	if outputs == 1 || probabilityKind(last) == SoftmaxProbabilities {
		return nil // checkClassOutput has seen a Sigmoid on one column
	}
	if probabilityKind(last) == SigmoidProbabilities {
		return fmt.Errorf("%w: %s reads class probabilities, but a Sigmoid over %d columns gives each column a probability of its own, "+
			"not a distribution over the classes; end the model with Linear(in, %d) and Softmax (with CrossEntropy), or for two classes with Linear(in, 1) and Sigmoid (with BinaryCrossEntropy)",
			ErrSetting, what, outputs, outputs)
	}
	return fmt.Errorf("%w: %s reads class probabilities, but the model ends in %v, whose %d outputs are not probabilities; "+
		"end it with a Softmax over the %d columns (CrossEntropy without FromLogits then computes the loss from the Softmax's input, as exactly), "+
		"or for two classes with Linear(in, 1) and Sigmoid (with BinaryCrossEntropy)",
		ErrSetting, what, last, outputs, outputs)
}

// checkProba returns the number of classes of proba (see ClassCount), or an
// error wrapping ErrData unless proba has rows, at most MaxClasses columns,
// entries in [0, 1] (NaN refused), rows summing to 1 (within numpy's
// allclose: |1 − Σ| ≤ 1e-8 + 1e-5·|Σ|) when it has several columns, one
// label in [0, classes) per row and, when weights is not nil, one finite,
// non-negative weight per row. what names the caller in the message.
func checkProba(what string, proba *mat.Dense, labels []int, weights []float64) (int, error) {
	if proba == nil || proba.IsEmpty() {
		return 0, fmt.Errorf("%w: %s: no probabilities", ErrData, what)
	}
	r, c := proba.Dims()
	k := ClassCount(c)
	switch {
	case len(labels) != r:
		return 0, fmt.Errorf("%w: %s: %d labels for %d rows of probabilities", ErrData, what, len(labels), r)
	case weights != nil && len(weights) != r:
		return 0, fmt.Errorf("%w: %s: %d sample weights for %d rows of probabilities", ErrData, what, len(weights), r)
	case k > MaxClasses:
		return 0, fmt.Errorf("%w: %s: %d probability columns; at most %d classes are supported", ErrData, what, c, MaxClasses)
	}
	for i := range r {
		row := proba.RawRowView(i)
		var sum float64
		for j, v := range row {
			if !(v >= 0 && v <= 1) {
				return 0, fmt.Errorf("%w: %s: entry %v of row %d, column %d is not a probability in [0, 1]", ErrData, what, v, i, j)
			}
			sum += v
		}
		if c > 1 && !(math.Abs(1-sum) <= 1e-8+1e-5*sum) {
			return 0, fmt.Errorf("%w: %s: row %d of the probabilities sums to %v, not 1; give a distribution over the classes (a Softmax output)", ErrData, what, i, sum)
		}
		if l := labels[i]; l < 0 || l >= k {
			return 0, fmt.Errorf("%w: %s: label %d of row %d is not a class in [0, %d) for %d probability columns", ErrData, what, l, i, k, c)
		}
		if weights != nil {
			if w := weights[i]; !(w >= 0) || math.IsInf(w, 1) {
				return 0, fmt.Errorf("%w: %s: sample weight %v of row %d is not finite and non-negative", ErrData, what, w, i)
			}
		}
	}
	return k, nil
}

// probaStore keeps every sample's probabilities, label and weight since the
// last reset, for the metrics that rank the whole set: 8·(columns+1) bytes
// and one int a sample.
type probaStore struct {
	cols   int       // columns of the stored rows; 0 when there are none
	p      []float64 // row-major, cols a row
	labels []int
	w      []float64 // a weight a row, 1 for a batch without weights
	score  []float64 // Value's buffers: the scores of one class,
	order  []int     // the rows of non-zero weight by decreasing score,
	terms  []float64 // the per-class figures of a macro average
}

func (s *probaStore) reset() {
	s.cols, s.p, s.labels, s.w = 0, s.p[:0], s.labels[:0], s.w[:0]
}

// add appends a batch, panicking as Metric.Update documents.
func (s *probaStore) add(name string, pred *mat.Dense, y Targets) {
	if pred == nil {
		misusePanic(name, "nil predictions")
	}
	r, c := pred.Dims()
	if len(y.Labels) != r {
		shapePanic(name, "%d labels for %d prediction rows", len(y.Labels), r)
	}
	if s.cols != 0 && c != s.cols {
		shapePanic(name, "a batch of %d prediction columns after batches of %d", c, s.cols)
	}
	if _, err := checkProba(name, pred, y.Labels, y.Weights); err != nil {
		panic(misuseWrap(err))
	}
	s.cols = c
	for i := range r {
		s.p = append(s.p, pred.RawRowView(i)...)
		w := 1.0
		if y.Weights != nil {
			w = y.Weights[i]
		}
		s.w = append(s.w, w)
	}
	s.labels = append(s.labels, y.Labels...)
}

// rankFigure names what binary computes.
type rankFigure int

const (
	rocArea rankFigure = iota + 1
	avgPrecision
)

// binary returns the figure f of class c against the rest, scored by the
// probability of c (ClassProbability): the area under the ROC curve of
// scikit-learn 1.2.1's roc_curve and auc, or the step-wise average
// precision of its precision_recall_curve, with sample weights. As
// scikit-learn's _binary_clf_curve does, rows of weight 0 are left out,
// the rows are ranked by decreasing score, and tied scores form one
// threshold: the ROC area is the trapezoid Σ (FPR_i − FPR_i−1)·(TPR_i +
// TPR_i−1)/2 over the distinct thresholds from (0, 0), and the average
// precision Σ (R_i − R_i−1)·P_i. The ROC area is NaN (undefined) when the
// labels, weights aside, hold no sample of c or only samples of c
// (scikit-learn raises "Only one class present in y_true"), or when the
// samples of c or of the rest all weigh 0 (scikit-learn's roc_curve
// warns and its AUC is NaN). The average precision is 0 when the samples
// of c weigh nothing in all (scikit-learn warns "No positive class found"
// and returns 0) and NaN when every weight is 0.
func (s *probaStore) binary(f rankFigure, c int) float64 {
	n := len(s.labels)
	s.score = grow(s.score, n)
	s.order = s.order[:0]
	var pos, neg float64 // the total weights of c and of the rest
	for i := range n {
		if w := s.w[i]; w != 0 {
			s.score[i] = ClassProbability(s.p[i*s.cols:(i+1)*s.cols], c)
			s.order = append(s.order, i)
			if s.labels[i] == c {
				pos += w
			} else {
				neg += w
			}
		}
	}
	switch {
	case len(s.order) == 0:
		return math.NaN()
	case f == avgPrecision && pos == 0:
		return 0
	case f == rocArea && (pos == 0 || neg == 0):
		return math.NaN()
	}
	score := s.score
	slices.SortFunc(s.order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	// The rates are taken over the totals as each point is added, as
	// roc_curve and precision_recall_curve divide, so that no product of
	// large weights overflows.
	var tp, fp, prevTP, prevFP, area, ap float64
	for j := 0; j < len(s.order); {
		v := score[s.order[j]]
		for ; j < len(s.order) && score[s.order[j]] == v; j++ {
			if i := s.order[j]; s.labels[i] == c {
				tp += s.w[i]
			} else {
				fp += s.w[i]
			}
		}
		if f == rocArea {
			area += (fp/neg - prevFP/neg) * (tp/pos + prevTP/pos) / 2
		} else {
			ap += (tp/pos - prevTP/pos) * (tp / (tp + fp))
		}
		prevTP, prevFP = tp, fp
	}
	if f == avgPrecision {
		return ap
	}
	return area
}

// figure returns f for the stored samples: of class 1 against class 0
// with two classes, and otherwise the unweighted mean over every class of
// the model of that class against the rest (one-vs-rest, macro), summed in
// numpy's order. It is NaN when no sample has been stored or when the
// figure of any class is NaN.
func (s *probaStore) figure(f rankFigure) float64 {
	if s.cols == 0 {
		return math.NaN()
	}
	k := ClassCount(s.cols)
	if k == 2 {
		return s.binary(f, 1)
	}
	s.terms = grow(s.terms, k)
	for c := range k {
		s.terms[c] = s.binary(f, c)
	}
	return fmath.PairwiseSum(s.terms) / float64(k)
}

// ROCAUC is the streaming area under the ROC curve, scikit-learn 1.2.1's
// roc_auc_score: with two classes that of P(class 1) (a one-column Sigmoid
// output, or column 1 of a Softmax), roc_auc_score(y, p1); with more, the
// macro average of each class against the rest, roc_auc_score(y, proba,
// multi_class="ovr", average="macro", labels=range(k)). Tied scores count
// as one threshold and the curve between thresholds is a trapezoid, as
// scikit-learn computes it (see docs/conventions.md). Sample weights
// (Targets.Weights) weigh the samples as roc_auc_score's sample_weight.
//
// The ROC curve needs every score of the set, so ROCAUC keeps each sample's
// probabilities, label and weight until Reset: 8·(columns+1) bytes and one
// int a sample. Value sorts them once per class, O(k·n log n), and
// allocates nothing once its buffers have reached the set's size.
//
// Value is NaN when the AUC is undefined: no sample, a class of the model
// (either class with two) with no sample or with every sample (where
// scikit-learn raises "Only one class present in y_true"), or the samples
// of a class or of the rest all of weight 0 (where scikit-learn returns
// NaN). ROCAUCScore returns an error for each of these.
//
// NewTrainer refuses a model whose output is not class probabilities
// (OutputValidator). Update panics as Metric documents, and with an error
// wrapping ErrData when a prediction is not a probability or, with several
// columns, a row does not sum to 1. The zero value is ready to use.
type ROCAUC struct {
	classMetric
	s probaStore
}

// Name returns "roc_auc".
func (*ROCAUC) Name() string { return "roc_auc" }

// ValidateOutput returns an error wrapping ErrSetting unless the model ends
// in a Sigmoid over one column or a Softmax over two to MaxClasses columns;
// the message says what to build (a model that outputs logits, for
// CrossEntropy with FromLogits, gives no probabilities).
func (*ROCAUC) ValidateOutput(outputs int, last Layer) error {
	return checkProbaOutput("roc_auc", outputs, last)
}

// Reset forgets every sample, keeping the storage.
func (m *ROCAUC) Reset() { m.s.reset() }

// Update keeps the probabilities, labels and weights of one batch.
func (m *ROCAUC) Update(pred *mat.Dense, y Targets) {
	if m == nil {
		misusePanic("ROCAUC.Update", "nil ROCAUC")
	}
	m.s.add("roc_auc", pred, y)
}

// Value returns the area under the ROC curve of every sample since the
// last Reset, or NaN when it is undefined.
func (m *ROCAUC) Value() float64 { return m.s.figure(rocArea) }

// AveragePrecision is the streaming average precision, scikit-learn 1.2.1's
// average_precision_score: the step-wise sum Σ (R_i − R_i−1)·P_i of
// precision P_i at each distinct threshold, weighted by the gain in recall
// R_i, not an interpolated area. With two classes it is that of P(class 1),
// average_precision_score(y, p1); with more, the macro average of each
// class against the rest, average_precision_score(label_binarize(y,
// classes=range(k)), proba, average="macro") (scikit-learn 1.2.1 refuses
// multiclass y itself; 1.3 computes this). Sample weights weigh the samples
// as average_precision_score's sample_weight.
//
// A class with no sample of positive weight has average precision 0, as
// scikit-learn returns it (with a warning "No positive class found in
// y_true"). Value is NaN only when no sample, or no sample of positive
// weight, has been seen. Like ROCAUC it keeps every sample's probabilities,
// label and weight until Reset (8·(columns+1) bytes and one int a sample),
// and its Update panics as ROCAUC's does. The zero value is ready to use.
type AveragePrecision struct {
	classMetric
	s probaStore
}

// Name returns "average_precision".
func (*AveragePrecision) Name() string { return "average_precision" }

// ValidateOutput returns the errors of ROCAUC.ValidateOutput.
func (*AveragePrecision) ValidateOutput(outputs int, last Layer) error {
	return checkProbaOutput("average_precision", outputs, last)
}

// Reset forgets every sample, keeping the storage.
func (m *AveragePrecision) Reset() { m.s.reset() }

// Update keeps the probabilities, labels and weights of one batch.
func (m *AveragePrecision) Update(pred *mat.Dense, y Targets) {
	if m == nil {
		misusePanic("AveragePrecision.Update", "nil AveragePrecision")
	}
	m.s.add("average_precision", pred, y)
}

// Value returns the average precision of every sample since the last
// Reset, or NaN when no sample of positive weight has been seen.
func (m *AveragePrecision) Value() float64 { return m.s.figure(avgPrecision) }

// ROCAUCScore returns the area under the ROC curve of the probabilities
// proba (one row per sample: one column P(class 1), or one column per
// class summing to 1) against the class labels, weighted by weights when
// not nil: the figure of the ROCAUC metric, which documents the rule. It
// returns an error wrapping ErrData when the arguments do not fit (see
// ROCAUC.Update) and, with NaN, when the AUC is undefined: a class with no
// sample or with all of them (scikit-learn raises), or the samples of a
// class or of the rest weighing 0 in all (scikit-learn returns NaN with a
// warning). It allocates O(rows·columns).
func ROCAUCScore(proba *mat.Dense, labels []int, weights []float64) (float64, error) {
	var m ROCAUC
	if err := fillStore(&m.s, "ROCAUCScore", proba, labels, weights); err != nil {
		return 0, err
	}
	v := m.Value()
	if math.IsNaN(v) {
		return v, fmt.Errorf("%w: ROCAUCScore: the ROC AUC is undefined: %s", ErrData, m.s.undefined())
	}
	return v, nil
}

// AveragePrecisionScore returns the average precision of the probabilities
// proba (laid out as for ROCAUCScore) against the class labels, weighted by
// weights when not nil: the figure of the AveragePrecision metric, which
// documents the rule; a class with no sample of positive weight scores 0,
// as in scikit-learn. It returns an error wrapping ErrData when the
// arguments do not fit, and with NaN when every weight is 0. It allocates
// O(rows·columns).
func AveragePrecisionScore(proba *mat.Dense, labels []int, weights []float64) (float64, error) {
	var m AveragePrecision
	if err := fillStore(&m.s, "AveragePrecisionScore", proba, labels, weights); err != nil {
		return 0, err
	}
	v := m.Value()
	if math.IsNaN(v) {
		return v, fmt.Errorf("%w: AveragePrecisionScore: every sample weight is 0", ErrData)
	}
	return v, nil
}

// fillStore checks the arguments of a score function and stores them.
func fillStore(s *probaStore, what string, proba *mat.Dense, labels []int, weights []float64) error {
	if _, err := checkProba(what, proba, labels, weights); err != nil {
		return err
	}
	s.add(what, proba, Targets{Labels: labels, Weights: weights})
	return nil
}

// undefined says why the ROC AUC of the stored samples is NaN.
func (s *probaStore) undefined() string {
	k := ClassCount(s.cols)
	first, last := 0, k-1
	if k == 2 {
		first = 1
	}
	for c := first; c <= last; c++ {
		var pos, neg int
		var wpos, wneg float64
		for i, l := range s.labels {
			if l == c {
				pos, wpos = pos+1, wpos+s.w[i]
			} else {
				neg, wneg = neg+1, wneg+s.w[i]
			}
		}
		switch {
		case k == 2 && (pos == 0 || neg == 0):
			return fmt.Sprintf("only one class (%d) is present in the labels", btoiClass(pos > 0))
		case pos == 0:
			return fmt.Sprintf("class %d of %d has no sample (one-vs-rest needs every class)", c, k)
		case neg == 0:
			return fmt.Sprintf("every sample is of class %d", c)
		case wpos == 0 || wneg == 0:
			return fmt.Sprintf("the samples of class %d, or of the other classes, all have weight 0", c)
		}
	}
	return "every sample weight is 0"
}

// btoiClass returns 1 for true and 0 for false.
func btoiClass(b bool) int {
	if b {
		return 1
	}
	return 0
}
