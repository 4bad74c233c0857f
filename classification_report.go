package mlp

import (
	"fmt"
	"strings"
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
// accuracy, and the macro and support-weighted averages, as scikit-learn's
// classification_report computes them. String prints it in scikit-learn's
// layout.
type ClassificationReport struct {
	// Classes has one entry per class, in class order.
	Classes []ClassScores
	// Accuracy is the fraction of samples whose prediction is right.
	Accuracy float64
	// Macro averages the per-class scores with equal weight; Weighted
	// weights them by support.
	Macro, Weighted ClassScores
}

// NewClassificationReport returns the report of the predicted classes pred
// against the true classes labels, both indices into names (the class
// names, one per class). It returns an error wrapping ErrData when pred and
// labels differ in length or are empty, or hold an index outside names, and
// one wrapping ErrSetting when names is empty, has more than MaxClasses
// entries, or repeats a name. It allocates O(len(names)) and never
// classes×classes.
func NewClassificationReport(pred, labels []int, names []string) (*ClassificationReport, error) {
	k := len(names)
	if err := checkClassNames(names); err != nil {
		return nil, err
	}
	if err := checkClassIndices(pred, labels, k); err != nil {
		return nil, err
	}
	tp := make([]int, k)
	actual := make([]int, k)
	predicted := make([]int, k)
	for i, p := range pred {
		t := labels[i]
		actual[t]++
		predicted[p]++
		if p == t {
			tp[t]++
		}
	}
	n := len(pred)
	r := &ClassificationReport{
		Classes:  make([]ClassScores, k),
		Macro:    ClassScores{Class: "macro avg", Support: n},
		Weighted: ClassScores{Class: "weighted avg", Support: n},
	}
	correct := 0
	for c := range k {
		s := ClassScores{
			Class:     names[c],
			Precision: classScore(scorePrecision, tp[c], actual[c], predicted[c]),
			Recall:    classScore(scoreRecall, tp[c], actual[c], predicted[c]),
			F1:        classScore(scoreF1, tp[c], actual[c], predicted[c]),
			Support:   actual[c],
		}
		r.Classes[c] = s
		correct += tp[c]
		w := float64(s.Support) / float64(n)
		r.Macro.Precision += s.Precision / float64(k)
		r.Macro.Recall += s.Recall / float64(k)
		r.Macro.F1 += s.F1 / float64(k)
		r.Weighted.Precision += float64(s.Precision * w)
		r.Weighted.Recall += float64(s.Recall * w)
		r.Weighted.F1 += float64(s.F1 * w)
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
// blank line, then the accuracy, macro and weighted average lines.
func (r *ClassificationReport) String() string {
	width := len("weighted avg")
	for _, c := range r.Classes {
		width = max(width, len(c.Class))
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
