package mlp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/text"
)

// ClassScores are the scores of one class, or their averages, in a
// ClassificationReport.
type ClassScores struct {
	// Class is the class name, or "macro avg" / "weighted avg".
	Class string
	// Precision is TP/(TP+FP), Recall TP/(TP+FN) and F1 their harmonic
	// mean 2·TP/(2·TP+FP+FN); each is 0 when its denominator is 0, as
	// scikit-learn's zero_division="warn" reports.
	Precision, Recall, F1 float64
	// Support is the number of samples whose true class this is (for the
	// averages: all samples).
	Support int
}

// ClassificationReport holds per-class precision, recall, F1 and support,
// accuracy, and the macro and support-weighted averages, as scikit-learn
// 1.2's classification_report computes them with its default labels
// (docs/conventions.md lists what the library follows): the
// classes reported and averaged are those that occur among the true
// classes or the predictions; a class absent from both has no line and
// counts in neither average. The scores follow the one rule of Score and
// ConfusionMatrix.Macro. Table prints it in scikit-learn's layout; String
// adds the majority-class rate, the balanced accuracy and the probability
// scores.
type ClassificationReport struct {
	// Classes has one entry per class present, in class order.
	Classes []ClassScores
	// Accuracy is the fraction of samples whose prediction is right.
	Accuracy float64
	// Macro averages the per-class scores with equal weight; Weighted
	// weights them by support.
	Macro, Weighted ClassScores

	// MajorityRate is the share of the most frequent true class among the
	// samples: the accuracy of always predicting it, what scikit-learn's
	// DummyClassifier(strategy="most_frequent") scores when fitted and
	// scored on these samples. Majority names that class (the first in
	// class order on ties). A model whose Accuracy is below MajorityRate
	// does worse than that constant prediction; String says so.
	MajorityRate float64
	Majority     string
	// BalancedAccuracy is the mean recall over the classes that have
	// samples, balanced_accuracy_score (see BalancedAccuracy).
	BalancedAccuracy float64
	// Probability holds the scores of the model's probabilities: nil when
	// the report was made from classes alone (NewClassificationReport);
	// set by NewClassificationReportProba, or by a caller that scores
	// probabilities itself.
	Probability *ProbabilityScores
}

// ProbabilityScores are the scores of a classifier's probabilities in a
// ClassificationReport, unweighted: ROCAUCScore, AveragePrecisionScore and
// LogLossScore.
type ProbabilityScores struct {
	// ROCAUC is NaN when the AUC is undefined, and ROCAUCUndefined then
	// says why (only one class present, a class with no sample); it is ""
	// when ROCAUC is a number.
	ROCAUC          float64
	ROCAUCUndefined string
	// AveragePrecision and LogLoss are always numbers.
	AveragePrecision, LogLoss float64
	// Rows is the number of samples scored: fewer than the report's when
	// some true classes are not among the model's (they have no
	// probability), as the tabular package and the command report them.
	Rows int
}

// NewProbabilityScores returns the probability scores of proba (one row
// per sample: one column P(class 1), or one column per class summing to 1)
// against labels. It returns the errors of ROCAUCScore for arguments that
// do not fit; an undefined AUC is not an error but a NaN ROCAUC with its
// reason. It allocates O(rows·columns).
func NewProbabilityScores(proba *mat.Dense, labels []int) (*ProbabilityScores, error) {
	var m ROCAUC
	if err := fillStore(&m.s, "NewProbabilityScores", proba, labels, nil); err != nil {
		return nil, err
	}
	ps := &ProbabilityScores{ROCAUC: m.Value(), AveragePrecision: m.s.figure(avgPrecision), Rows: len(labels)}
	if math.IsNaN(ps.ROCAUC) {
		ps.ROCAUCUndefined = m.s.undefined()
	}
	var ll LogLoss
	ll.Update(proba, Targets{Labels: labels})
	ps.LogLoss = ll.Value()
	return ps, nil
}

// NewClassificationReportProba returns the report of the classes that
// Classify reads from proba (laid out as for NewProbabilityScores) against
// the true classes labels, with the probability scores. names, when not
// nil, holds one distinct name per class of proba (ClassCount of its
// columns). Its errors are those of NewClassificationReport and
// NewProbabilityScores. It allocates O(rows·columns).
func NewClassificationReportProba(proba *mat.Dense, labels []int, names []string) (*ClassificationReport, error) {
	ps, err := NewProbabilityScores(proba, labels)
	if err != nil {
		return nil, err
	}
	if _, c := proba.Dims(); names != nil && len(names) != ClassCount(c) {
		return nil, fmt.Errorf("%w: %d class names for %d probability columns (%d classes)", ErrSetting, len(names), c, ClassCount(c))
	}
	r, err := NewClassificationReport(Classify(proba, nil), labels, names)
	if err != nil {
		return nil, err
	}
	r.Probability = ps
	return r, nil
}

// NewClassificationReport returns the report of the predicted classes pred
// against the true classes labels, both class indices. names, when not
// nil, holds one distinct name per class; a nil names names each class by
// its index in decimal. Its errors are those of NewConfusionMatrix. It
// allocates O(classes) and never classes×classes.
func NewClassificationReport(pred, labels []int, names []string) (*ClassificationReport, error) {
	k, err := checkClasses(pred, labels, names)
	if err != nil {
		return nil, err
	}
	var cc classCounts
	cc.grow(k)
	for i, p := range pred {
		cc.add(labels[i], p)
	}
	n := len(pred)
	r := &ClassificationReport{
		Macro:    ClassScores{Class: "macro avg", Support: n, Precision: cc.macro(Precision), Recall: cc.macro(Recall), F1: cc.macro(F1)},
		Weighted: ClassScores{Class: "weighted avg", Support: n, Precision: cc.weighted(Precision), Recall: cc.weighted(Recall), F1: cc.weighted(F1)},
	}
	correct := 0
	for c := range k {
		correct += cc.tp[c]
		if !cc.present(c) {
			continue
		}
		name := strconv.Itoa(c)
		if names != nil {
			name = names[c]
		}
		r.Classes = append(r.Classes, ClassScores{
			Class:     name,
			Precision: cc.score(Precision, c),
			Recall:    cc.score(Recall, c),
			F1:        cc.score(F1, c),
			Support:   cc.actual[c],
		})
	}
	r.Accuracy = float64(correct) / float64(n)
	right, support := make([]float64, k), make([]float64, k)
	major := 0
	for c := range k {
		right[c], support[c] = float64(cc.tp[c]), float64(cc.actual[c])
		if cc.actual[c] > cc.actual[major] {
			major = c
		}
	}
	r.BalancedAccuracy = balancedAccuracy(right, support, make([]float64, k))
	r.MajorityRate = float64(cc.actual[major]) / float64(n)
	r.Majority = strconv.Itoa(major)
	if names != nil {
		r.Majority = names[major]
	}
	return r, nil
}

// checkClassNames returns an error wrapping ErrSetting unless names holds 1
// to MaxClasses distinct names.
func checkClassNames(names []string) error {
	if len(names) == 0 || len(names) > MaxClasses {
		return fmt.Errorf("%w: %d class names; want 1 to %d", ErrSetting, len(names), MaxClasses)
	}
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if j, ok := seen[n]; ok {
			return fmt.Errorf("%w: class names %d and %d are both %q", ErrSetting, j, i, n)
		}
		seen[n] = i
	}
	return nil
}

// checkClassIndices returns an error wrapping ErrData unless pred and
// labels have the same non-zero length and hold indices in [0, k).
func checkClassIndices(pred, labels []int, k int) error {
	if len(pred) != len(labels) {
		return fmt.Errorf("%w: %d predictions for %d labels", ErrData, len(pred), len(labels))
	}
	if len(pred) == 0 {
		return fmt.Errorf("%w: no samples to report on", ErrData)
	}
	for i, p := range pred {
		if t := labels[i]; t < 0 || t >= k {
			return fmt.Errorf("%w: label %d of sample %d is not a class index in [0, %d)", ErrData, t, i, k)
		}
		if p < 0 || p >= k {
			return fmt.Errorf("%w: prediction %d of sample %d is not a class index in [0, %d)", ErrData, p, i, k)
		}
	}
	return nil
}

// Table returns the report in the layout of scikit-learn's
// classification_report with digits=2, byte for byte: a header, one line
// per class, a blank line, then the accuracy, macro and weighted average
// lines. The class names are right-aligned in a column as wide as the
// longest of them and "weighted avg", counting characters (Unicode code
// points, as Python's len does), not bytes. Supports are printed as
// integers, also where scikit-learn 1.2.1 prints "2.0" because no
// prediction is right (see docs/conventions.md).
func (r *ClassificationReport) Table() string {
	width := len("weighted avg")
	for _, c := range r.Classes {
		width = max(width, utf8.RuneCountInString(c.Class))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	line := func(s ClassScores) {
		fmt.Fprintf(&b, "%*s  %9.2f %9.2f %9.2f %9d\n", width, s.Class, s.Precision, s.Recall, s.F1, s.Support)
	}
	for _, c := range r.Classes {
		line(c)
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "%*s  %9s %9s %9.2f %9d\n", width, "accuracy", "", "", r.Accuracy, r.Macro.Support)
	line(r.Macro)
	line(r.Weighted)
	return b.String()
}

// Summary returns the lines String prints after the table, to four
// decimals: the accuracy beside the majority-class rate (naming the
// majority class) and the balanced accuracy; with Probability, the ROC
// AUC (or why it is undefined), the average precision and the log loss,
// and over how many rows when not all; and a note when the accuracy is
// below the majority-class rate. Lines are at most 80 characters: longer
// ones are wrapped between words.
func (r *ClassificationReport) Summary() string {
	var b strings.Builder
	line := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%19s  "+format+"\n", append([]any{name}, args...)...)
	}
	line("accuracy", "%.4f", r.Accuracy)
	line("majority-class rate", "%.4f  (always predicting %q)", r.MajorityRate, text.Cut(r.Majority, 26)) // 80 characters at most
	line("balanced accuracy", "%.4f", r.BalancedAccuracy)
	if p := r.Probability; p != nil {
		if p.ROCAUCUndefined != "" {
			b.WriteString(wrap(fmt.Sprintf("%19s  ", "ROC AUC"), "undefined: "+p.ROCAUCUndefined, summaryWidth, strings.Repeat(" ", 21)))
		} else {
			line("ROC AUC", "%.4f", p.ROCAUC)
		}
		line("average precision", "%.4f", p.AveragePrecision)
		line("log loss", "%.4f", p.LogLoss)
		if n := r.Macro.Support; p.Rows < n {
			b.WriteString(wrap("", fmt.Sprintf("(ROC AUC, average precision and log loss over the %d of %d rows whose class the model knows)", p.Rows, n), summaryWidth, " "))
		}
	}
	if r.Accuracy < r.MajorityRate {
		b.WriteString(wrap("", fmt.Sprintf("note: accuracy %.4f is below the majority-class rate %.4f: always predicting %q would score higher; judge the model by its balanced accuracy and per-class recall",
			r.Accuracy, r.MajorityRate, text.Cut(r.Majority, 30)), summaryWidth, "  "))
	}
	return b.String()
}

// summaryWidth is the widest line Summary writes, in characters, unless a
// single word is wider.
const summaryWidth = 80

// wrap writes prefix as it is, then breaks s between words into lines of
// at most width characters, the lines after the first starting with
// indent, and ends each with a newline.
func wrap(prefix, s string, width int, indent string) string {
	var b strings.Builder
	b.WriteString(prefix)
	n := utf8.RuneCountInString(prefix)
	for i, w := range strings.Fields(s) {
		l := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case n+1+l > width:
			b.WriteString("\n" + indent)
			n = utf8.RuneCountInString(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	b.WriteByte('\n')
	return b.String()
}

// String returns Table, a blank line and Summary.
func (r *ClassificationReport) String() string {
	return r.Table() + "\n" + r.Summary()
}
