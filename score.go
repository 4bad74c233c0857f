package mlp

import (
	"math"
	"strconv"
)

// Score names a per-class classification score: the figure a
// ConfusionMatrix reports for one class or averages over the classes, and
// the figure a MacroAverage metric averages. Each is computed from the
// class's true positives tp, false positives fp and false negatives fn, as
// scikit-learn computes it with zero_division=0: a ratio whose denominator
// is 0 is 0.
type Score int

const (
	// F1 is the harmonic mean of precision and recall,
	// 2·tp/(2·tp + fp + fn). It is the zero Score.
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

// score returns the score s of class c, 0 when its denominator is 0.
func (cc *classCounts) score(s Score, c int) float64 {
	tp := cc.tp[c]
	var den int
	num := tp
	switch s {
	case Precision:
		den = cc.predicted[c]
	case Recall:
		den = cc.actual[c]
	default:
		// 2PR/(P+R) = 2tp/(2tp+fp+fn), defined whenever tp+fp+fn > 0.
		num, den = 2*tp, cc.actual[c]+cc.predicted[c]
	}
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// macro returns the unweighted mean of score s over the classes present
// among the true classes or the predictions, the classes scikit-learn
// averages over when no labels are given (f1_score(average="macro"),
// classification_report): a class absent from both counts in neither the
// sum nor the number of classes. It returns NaN when no sample has been
// counted.
func (cc *classCounts) macro(s Score) float64 {
	sum, n := 0.0, 0
	for c := range cc.tp {
		if !cc.present(c) {
			continue
		}
		sum += cc.score(s, c)
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// weighted returns the mean of score s over the classes weighted by their
// support, scikit-learn's average="weighted", or NaN when no sample has
// been counted.
func (cc *classCounts) weighted(s Score) float64 {
	sum, n := 0.0, 0
	for c, a := range cc.actual {
		if a == 0 {
			continue
		}
		sum += cc.score(s, c) * float64(a)
		n += a
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}
