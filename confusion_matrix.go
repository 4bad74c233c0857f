package mlp

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlpkit/mlp/internal/text"
)

// maxPrintedClasses is the largest number of classes whose confusion
// matrix ConfusionMatrix.String prints in full; beyond it, it prints a
// summary.
const maxPrintedClasses = 20

// ConfusionMatrix counts samples by true and predicted class, and gives
// the per-class scores and their macro averages (see Score). It stores only
// the pairs that occur and the totals of each class, so it costs
// O(samples + classes) memory whatever the number of classes, and never
// classes×classes.
//
// A ConfusionMatrix does not change once made; its methods are safe for
// concurrent use.
type ConfusionMatrix struct {
	names  []string       // class names; nil for the indices in decimal
	counts map[[2]int]int // (true, predicted) -> samples
	totals classCounts    // per class: true positives, support, predictions
	n      int
}

// NewConfusionMatrix counts the predicted classes pred against the true
// classes labels, both class indices. names, when not nil, holds one
// distinct name per class and fixes the number of classes; a nil names
// means the classes are 0 to the largest index in pred or labels, named by
// their index in decimal.
//
// It returns an error wrapping ErrData when pred and labels differ in
// length or are empty, or hold an index that is negative, outside names or
// (without names) at least MaxClasses, and one wrapping ErrSetting when
// names is not nil but empty, has more than MaxClasses entries, or repeats
// a name. It allocates O(len(pred) + classes).
func NewConfusionMatrix(pred, labels []int, names []string) (*ConfusionMatrix, error) {
	k, err := checkClasses(pred, labels, names)
	if err != nil {
		return nil, err
	}
	m := &ConfusionMatrix{names: slices.Clone(names), counts: make(map[[2]int]int), n: len(pred)}
	m.totals.grow(k)
	for i, p := range pred {
		m.counts[[2]int{labels[i], p}]++
		m.totals.add(labels[i], p)
	}
	return m, nil
}

// checkClasses returns the number of classes of pred and labels with the
// given names (see NewConfusionMatrix), or an error wrapping ErrData or
// ErrSetting naming what is wrong and where.
func checkClasses(pred, labels []int, names []string) (int, error) {
	if names != nil {
		if err := checkClassNames(names); err != nil {
			return 0, err
		}
		return len(names), checkClassIndices(pred, labels, len(names))
	}
	k := 0
	for _, v := range pred {
		k = max(k, v+1)
	}
	for _, v := range labels {
		k = max(k, v+1)
	}
	return k, checkClassIndices(pred, labels, min(k, MaxClasses))
}

// Classes returns the class names, in class order: a copy of the names
// given to NewConfusionMatrix, or the class indices in decimal.
func (m *ConfusionMatrix) Classes() []string {
	if m.names != nil {
		return slices.Clone(m.names)
	}
	names := make([]string, len(m.totals.tp))
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// name returns the name of class c.
func (m *ConfusionMatrix) name(c int) string {
	if m.names != nil {
		return m.names[c]
	}
	return strconv.Itoa(c)
}

// At returns the number of samples of true class t predicted as class p.
// It panics with an error wrapping ErrShape if t or p is not in
// [0, len(Classes())).
func (m *ConfusionMatrix) At(t, p int) int {
	if k := len(m.totals.tp); t < 0 || t >= k || p < 0 || p >= k {
		panic(misuse(ErrShape, "ConfusionMatrix.At", "(%d, %d) outside %d classes", t, p, k))
	}
	return m.counts[[2]int{t, p}]
}

// ClassScore returns the score s (F1, Precision or Recall) of one class,
// 0 when its denominator is 0 (no sample predicted as class for
// Precision, none of true class class for Recall, neither for F1). It
// panics with an error wrapping ErrData if class is not in
// [0, len(Classes())), and with one wrapping ErrSetting if s is not a
// Score of the package.
func (m *ConfusionMatrix) ClassScore(s Score, class int) float64 {
	if k := len(m.totals.tp); class < 0 || class >= k {
		panic(misuse(ErrData, "ConfusionMatrix.ClassScore", "class %d not in [0,%d)", class, k))
	}
	checkScore("ConfusionMatrix.ClassScore", s)
	return m.totals.score(s, class)
}

// Macro returns the unweighted mean of ClassScore(s, c) over the classes c
// that occur among the true classes or the predictions, the average
// scikit-learn's f1_score, precision_score and recall_score compute with
// average="macro" and no labels given; a class absent from both is left
// out (docs/conventions.md). It is the figure of the MacroAverage metric and of a
// ClassificationReport's Macro line. It is not the harmonic mean of the
// macro precision and recall. It panics as ClassScore does for an invalid
// s.
func (m *ConfusionMatrix) Macro(s Score) float64 {
	checkScore("ConfusionMatrix.Macro", s)
	return m.totals.macro(s)
}

// checkScore panics with an error wrapping ErrSetting unless s is F1,
// Precision or Recall.
func checkScore(where string, s Score) {
	if !s.valid() {
		panic(misuse(ErrSetting, where, "Score %d is not F1, Precision or Recall", int(s)))
	}
}

// String prints the matrix with one row per true class and one column per
// predicted class, labelled with the class names under the corner
// "true\pred", when there are at most 20 classes; widths count
// characters (runes), not bytes, as fmt pads. With more,
// it prints one line saying so and the ten most frequent confusions
// (true -> predicted: count), so its length does not grow with the number
// of classes.
func (m *ConfusionMatrix) String() string {
	const corner = `true\pred`
	if m == nil {
		return "<nil>"
	}
	k := len(m.totals.tp)
	if k > maxPrintedClasses {
		return m.summary()
	}
	w := 1
	rowW := len(corner)
	names := m.Classes()
	for _, n := range names {
		w = max(w, utf8.RuneCountInString(n))
		rowW = max(rowW, utf8.RuneCountInString(n))
	}
	for _, c := range m.counts {
		w = max(w, len(strconv.Itoa(c)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", rowW, corner)
	for _, n := range names {
		fmt.Fprintf(&b, " %*s", w, n)
	}
	for t, tn := range names {
		fmt.Fprintf(&b, "\n%-*s", rowW, tn)
		for p := range k {
			fmt.Fprintf(&b, " %*d", w, m.counts[[2]int{t, p}])
		}
	}
	return b.String()
}

// summary is String for more than maxPrintedClasses classes.
func (m *ConfusionMatrix) summary() string {
	type pair struct{ t, p, n int }
	var wrong []pair
	right := 0
	for k, n := range m.counts {
		if k[0] == k[1] {
			right += n
			continue
		}
		wrong = append(wrong, pair{k[0], k[1], n})
	}
	slices.SortFunc(wrong, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.t, b.t), cmp.Compare(a.p, b.p))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "confusion matrix of %d classes, too many to print: %d of %d samples on the diagonal", len(m.totals.tp), right, m.n)
	if len(wrong) > 0 {
		b.WriteString("; most frequent confusions (true -> predicted: samples):")
	}
	for _, w := range wrong[:min(10, len(wrong))] {
		fmt.Fprintf(&b, "\n  %s -> %s: %d", quoteLong(m.name(w.t)), quoteLong(m.name(w.p)), w.n)
	}
	return b.String()
}

// quoteLong returns s, cut to its first 40 characters (runes) with "..."
// when longer (text.Cut); it never cuts a character in two.
func quoteLong(s string) string { return text.Cut(s, 40) }
