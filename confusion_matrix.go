package mlp

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxPrintedClasses is the largest number of classes whose confusion matrix
// ConfusionMatrix.String prints in full; beyond it, it prints a summary.
const MaxPrintedClasses = 20

// ConfusionMatrix counts samples by true and predicted class, with class
// names. Unlike Confusion it stores only the pairs that occur, so it costs
// O(samples + classes) memory whatever the number of classes.
type ConfusionMatrix struct {
	names  []string
	counts map[[2]int]int // (true, predicted) -> samples
	n      int
}

// NewConfusionMatrix counts the predicted classes pred against the true
// classes labels, both indices into names. Its errors are those of
// NewClassificationReport.
func NewConfusionMatrix(pred, labels []int, names []string) (*ConfusionMatrix, error) {
	if err := checkClassNames(names); err != nil {
		return nil, err
	}
	if err := checkClassIndices(pred, labels, len(names)); err != nil {
		return nil, err
	}
	m := &ConfusionMatrix{names: slices.Clone(names), counts: make(map[[2]int]int), n: len(pred)}
	for i, p := range pred {
		m.counts[[2]int{labels[i], p}]++
	}
	return m, nil
}

// Classes returns a copy of the class names.
func (m *ConfusionMatrix) Classes() []string { return slices.Clone(m.names) }

// At returns the number of samples of true class t predicted as class p.
// It panics if t or p is not in [0, len(Classes())).
func (m *ConfusionMatrix) At(t, p int) int {
	if k := len(m.names); t < 0 || t >= k || p < 0 || p >= k {
		panic(fmt.Errorf("%w: ConfusionMatrix.At(%d, %d) outside %d classes", ErrShape, t, p, k))
	}
	return m.counts[[2]int{t, p}]
}

// String prints the matrix with one row per true class and one column per
// predicted class, labelled with the class names under the corner
// "true\pred", when there are at most MaxPrintedClasses classes. With more,
// it prints one line saying so and the ten most frequent confusions
// (true -> predicted: count), so its length does not grow with the number
// of classes.
func (m *ConfusionMatrix) String() string {
	const corner = `true\pred`
	k := len(m.names)
	if k > MaxPrintedClasses {
		return m.summary()
	}
	w := 1
	rowW := len(corner)
	for _, n := range m.names {
		w = max(w, len(n))
		rowW = max(rowW, len(n))
	}
	for _, c := range m.counts {
		w = max(w, len(strconv.Itoa(c)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s", rowW, corner)
	for _, n := range m.names {
		fmt.Fprintf(&b, " %*s", w, n)
	}
	for t, tn := range m.names {
		fmt.Fprintf(&b, "\n%-*s", rowW, tn)
		for p := range k {
			fmt.Fprintf(&b, " %*d", w, m.counts[[2]int{t, p}])
		}
	}
	return b.String()
}

// summary is String for more than MaxPrintedClasses classes.
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
	fmt.Fprintf(&b, "confusion matrix of %d classes, too many to print: %d of %d samples on the diagonal", len(m.names), right, m.n)
	if len(wrong) > 0 {
		b.WriteString("; most frequent confusions (true -> predicted: samples):")
	}
	for _, w := range wrong[:min(10, len(wrong))] {
		fmt.Fprintf(&b, "\n  %s -> %s: %d", quoteLong(m.names[w.t]), quoteLong(m.names[w.p]), w.n)
	}
	return b.String()
}

// quoteLong returns s, cut to its first 40 bytes with "..." when longer.
func quoteLong(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:40] + "..."
}
