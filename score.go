package mlp

import (
	"math"
	"strconv"

	"github.com/mlpkit/mlp/internal/fmath"
)

// Score names a per-class classification score: the figure a
// ConfusionMatrix reports for one class or averages over the classes, and
// the figure a MacroAverage metric averages. Each is computed from the
// class's true positives tp, false positives fp and false negatives fn, as
// scikit-learn 1.2's precision_recall_fscore_support computes it with
// zero_division=0 (its default "warn" gives the same figures): a ratio
// whose denominator is 0 is 0. zero_division=1 is not offered. See
// docs/conventions.md.
type Score int

const (
	// F1 is the harmonic mean of precision P and recall R,
	// 2·P·R/(P + R), computed from P and R as scikit-learn does (it
	// equals 2·tp/(2·tp + fp + fn) up to rounding), and 0 when P + R is 0.
	// It is the zero Score.
	F1 Score = iota
	// Precision is tp/(tp + fp).
	Precision
	// Recall is tp/(tp + fn).
	Recall
)

// name returns the lower-case name of s: "f1", "precision" or "recall",
// or "score(n)" for another value.
func (s Score) name() string {
	switch s {
	case F1:
		return "f1"
	case Precision:
		return "precision"
	case Recall:
		return "recall"
	}
	return "score(" + strconv.Itoa(int(s)) + ")"
}

// valid reports whether s is F1, Precision or Recall.
func (s Score) valid() bool { return s == F1 || s == Precision || s == Recall }

// MaxClasses is the largest number of classes the package counts: the
// limit of NewConfusionMatrix and NewClassificationReport, of MacroAverage
// (whose NewTrainer check refuses a wider model and whose Update panics on
// a wider prediction) and of the classification metrics' model check.
const MaxClasses = 1 << 12

// classCounts holds, for each class c, its true positives tp[c], the
// number of samples whose true class is c (actual[c], its support) and the
// number predicted as c (predicted[c]). It is the one place where the
// package computes per-class scores and their macro average: the
// ConfusionMatrix, the ClassificationReport and the MacroAverage metric all
// call score and macro.
type classCounts struct {
	tp, actual, predicted []int
	buf                   []float64 // the terms of an average, in class order
}

// grow makes room for k classes, keeping the counts so far. It allocates
// only when k exceeds every earlier k.
func (cc *classCounts) grow(k int) {
	if k <= len(cc.tp) {
		return
	}
	cc.tp = append(cc.tp, make([]int, k-len(cc.tp))...)
	cc.actual = append(cc.actual, make([]int, k-len(cc.actual))...)
	cc.predicted = append(cc.predicted, make([]int, k-len(cc.predicted))...)
	cc.buf = make([]float64, k)
}

// reset sets every count to zero, keeping the storage.
func (cc *classCounts) reset() {
	clear(cc.tp)
	clear(cc.actual)
	clear(cc.predicted)
}

// add counts one sample of true class t predicted as p; both are below the
// k of the last grow.
func (cc *classCounts) add(t, p int) {
	cc.actual[t]++
	cc.predicted[p]++
	if t == p {
		cc.tp[t]++
	}
}

// present reports whether class c occurs among the true classes or the
// predictions.
func (cc *classCounts) present(c int) bool { return cc.actual[c] > 0 || cc.predicted[c] > 0 }

// score returns the score s of class c, 0 when its denominator is 0, in
// scikit-learn's arithmetic (see Score).
func (cc *classCounts) score(s Score, c int) float64 {
	ratio := func(num, den int) float64 {
		if den == 0 {
			return 0
		}
		return float64(num) / float64(den)
	}
	p := ratio(cc.tp[c], cc.predicted[c])
	r := ratio(cc.tp[c], cc.actual[c])
	switch s {
	case Precision:
		return p
	case Recall:
		return r
	}
	if p+r == 0 {
		return 0
	}
	return float64(2*p*r) / (p + r)
}

// macro returns the unweighted mean of score s over the classes present
// among the true classes or the predictions, the classes scikit-learn
// averages over when no labels are given (f1_score(average="macro"),
// classification_report): a class absent from both counts in neither the
// sum nor the number of classes. The scores are summed in numpy's order
// (fmath.PairwiseSum), so that the mean has np.average's bits. It returns
// NaN when no sample has been counted, and allocates nothing.
func (cc *classCounts) macro(s Score) float64 {
	n := 0
	for c := range cc.tp {
		if cc.present(c) {
			cc.buf[n] = cc.score(s, c)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return fmath.PairwiseSum(cc.buf[:n]) / float64(n)
}

// weighted returns the mean of score s over the classes present, weighted
// by their support, scikit-learn's average="weighted": Σ score·support
// summed in numpy's order, over the number of samples. It returns NaN when
// no sample has been counted, and allocates nothing.
func (cc *classCounts) weighted(s Score) float64 {
	m, n := 0, 0
	for c, a := range cc.actual {
		if cc.present(c) {
			cc.buf[m] = cc.score(s, c) * float64(a)
			m++
			n += a
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return fmath.PairwiseSum(cc.buf[:m]) / float64(n)
}
