package mlp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
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
// ConfusionMatrix.Macro. String prints it in scikit-learn's layout.
type ClassificationReport struct {
	// Classes has one entry per class present, in class order.
	Classes []ClassScores
	// Accuracy is the fraction of samples whose prediction is right.
	Accuracy float64
	// Macro averages the per-class scores with equal weight; Weighted
	// weights them by support.
	Macro, Weighted ClassScores
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

// String returns the report in the layout of scikit-learn's
// classification_report with digits=2: a header, one line per class, a
// blank line, then the accuracy, macro and weighted average lines. The
// class names are right-aligned in a column as wide as the longest of
// them and "weighted avg", counting characters (Unicode code points, as
// Python's len does), not bytes. Supports are printed as integers, also
// where scikit-learn 1.2.1 prints "2.0" because no prediction is right
// (see docs/conventions.md).
func (r *ClassificationReport) String() string {
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
