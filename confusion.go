package mlp

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// confusionCounts is a streaming confusion matrix stored row-major in one
// slice: counts[t*k+p] is the number of samples of true class t predicted as
// p. It grows only when a batch with more classes than seen before arrives.
type confusionCounts struct {
	k      int
	counts []int
}

func (cc *confusionCounts) reset() {
	clear(cc.counts)
}

func (cc *confusionCounts) update(name string, pred *mat.Dense, labels []int) {
	k := checkMetricLabels(name, pred, labels)
	if k > cc.k {
		grown := make([]int, k*k)
		for t := range cc.k {
			copy(grown[t*k:t*k+cc.k], cc.counts[t*cc.k:(t+1)*cc.k])
		}
		cc.k, cc.counts = k, grown
	}
	for i, l := range labels {
		p := rowClass(pred.RawRowView(i))
		cc.counts[l*cc.k+p]++
	}
}

func (cc *confusionCounts) at(t, p int) int { return cc.counts[t*cc.k+p] }

// Kinds of per-class score averaged by macroScore.
const (
	scorePrecision = iota
	scoreRecall
	scoreF1
)

// classScore returns the precision, recall or F1 of one class from its true
// positives, the number of samples with that true class and the number of
// samples predicted as that class. An undefined ratio (0/0) is 0, as
// scikit-learn's zero_division=0.
func classScore(kind, tp, actual, predicted int) float64 {
	var num, den int
	switch kind {
	case scorePrecision:
		num, den = tp, predicted
	case scoreRecall:
		num, den = tp, actual
	default:
		// 2PR/(P+R) = 2tp/(2tp+fp+fn), defined whenever tp+fp+fn > 0.
		num, den = 2*tp, actual+predicted
	}
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// macroScore returns the unweighted mean of a per-class score over the
// classes that occur among the true labels or the predictions of the k×k
// confusion matrix given by at. It returns NaN when the matrix is empty.
func macroScore(kind, k int, at func(t, p int) int) float64 {
	sum, n := 0.0, 0
	for c := range k {
		tp := at(c, c)
		actual, predicted := 0, 0
		for j := range k {
			actual += at(c, j)
			predicted += at(j, c)
		}
		if actual == 0 && predicted == 0 {
			continue
		}
		sum += classScore(kind, tp, actual, predicted)
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// MacroF1 is the streaming macro-averaged F1 score: the unweighted mean over
// classes of F1 = 2·tp/(2·tp + fp + fn), taken over the classes that occur
// among the labels or the predictions seen since the last Reset (the label
// set scikit-learn's f1_score(average="macro") uses by default). A class
// whose score is 0/0 counts as 0. Predicted classes are as in Classify.
//
// The zero value is ready to use. Update allocates only when a batch has
// more prediction columns than any before it.
type MacroF1 struct {
	classMetric
	cc confusionCounts
}

// ValidateOutput returns an error wrapping ErrSetting unless the model's
// output can express a class under the rule of Classify, with at most
// MaxClasses classes.
func (*MacroF1) ValidateOutput(outputs int, last Layer) error {
	return checkClassOutput("macro_f1", outputs, last)
}

// Name returns "macro_f1".
func (*MacroF1) Name() string { return "macro_f1" }

// Reset forgets every sample seen so far, keeping the count storage.
func (m *MacroF1) Reset() { m.cc.reset() }

// Update adds the samples of one batch to the confusion counts. It panics as
// described for Metric.
func (m *MacroF1) Update(pred *mat.Dense, y Targets) { m.cc.update("macro_f1", pred, y.Labels) }

// Value returns the macro F1 score, or NaN when no sample has been seen.
func (m *MacroF1) Value() float64 { return macroScore(scoreF1, m.cc.k, m.cc.at) }

// MacroPrecision is the streaming macro-averaged precision: the unweighted
// mean over classes of tp/(tp + fp), over the same classes as MacroF1, with
// 0/0 counted as 0.
//
// The zero value is ready to use. Update allocates only when a batch has
// more prediction columns than any before it.
type MacroPrecision struct {
	classMetric
	cc confusionCounts
}

// ValidateOutput returns an error wrapping ErrSetting unless the model's
// output can express a class under the rule of Classify, with at most
// MaxClasses classes.
func (*MacroPrecision) ValidateOutput(outputs int, last Layer) error {
	return checkClassOutput("macro_precision", outputs, last)
}

// Name returns "macro_precision".
func (*MacroPrecision) Name() string { return "macro_precision" }

// Reset forgets every sample seen so far, keeping the count storage.
func (m *MacroPrecision) Reset() { m.cc.reset() }

// Update adds the samples of one batch to the confusion counts. It panics as
// described for Metric.
func (m *MacroPrecision) Update(pred *mat.Dense, y Targets) {
	m.cc.update("macro_precision", pred, y.Labels)
}

// Value returns the macro precision, or NaN when no sample has been seen.
func (m *MacroPrecision) Value() float64 { return macroScore(scorePrecision, m.cc.k, m.cc.at) }

// MacroRecall is the streaming macro-averaged recall: the unweighted mean
// over classes of tp/(tp + fn), over the same classes as MacroF1, with 0/0
// counted as 0.
//
// The zero value is ready to use. Update allocates only when a batch has
// more prediction columns than any before it.
type MacroRecall struct {
	classMetric
	cc confusionCounts
}

// ValidateOutput returns an error wrapping ErrSetting unless the model's
// output can express a class under the rule of Classify, with at most
// MaxClasses classes.
func (*MacroRecall) ValidateOutput(outputs int, last Layer) error {
	return checkClassOutput("macro_recall", outputs, last)
}

// Name returns "macro_recall".
func (*MacroRecall) Name() string { return "macro_recall" }

// Reset forgets every sample seen so far, keeping the count storage.
func (m *MacroRecall) Reset() { m.cc.reset() }

// Update adds the samples of one batch to the confusion counts. It panics as
// described for Metric.
func (m *MacroRecall) Update(pred *mat.Dense, y Targets) {
	m.cc.update("macro_recall", pred, y.Labels)
}

// Value returns the macro recall, or NaN when no sample has been seen.
func (m *MacroRecall) Value() float64 { return macroScore(scoreRecall, m.cc.k, m.cc.at) }

// Confusion is a confusion matrix over classes 0..Classes()-1.
// Counts[t][p] is the number of samples of true class t predicted as class p.
//
// Per-class scores follow scikit-learn with zero_division=0: a ratio whose
// denominator is 0 is 0. Macro averages are unweighted means over the
// classes that occur among the true labels or the predictions, which is the
// label set scikit-learn uses when none is given; classes with neither are
// left out.
type Confusion struct {
	// Counts has one row per true class and one column per predicted class.
	Counts [][]int
}

// MaxClasses is the largest number of classes the package counts: the
// limit of NewConfusion, of MacroF1, MacroPrecision and MacroRecall (whose
// NewTrainer check refuses a wider model and whose Update panics on a wider
// prediction) and of the classification metrics' model check. A
// MaxClasses×MaxClasses matrix of ints takes 128 MiB.
const MaxClasses = 1 << 12

// NewConfusion counts the pairs (labels[i], pred[i]) into a classes×classes
// confusion matrix. It returns an error wrapping ErrSetting when classes is
// less than 1 or more than 4096, and an error wrapping ErrData when the
// slices differ in length, are empty, or hold a class outside [0, classes).
func NewConfusion(pred, labels []int, classes int) (*Confusion, error) {
	if classes < 1 || classes > MaxClasses {
		return nil, fmt.Errorf("%w: NewConfusion: %d classes; want 1 to %d", ErrSetting, classes, MaxClasses)
	}
	if len(pred) != len(labels) {
		return nil, fmt.Errorf("%w: NewConfusion: %d predictions for %d labels", ErrData, len(pred), len(labels))
	}
	if len(pred) == 0 {
		return nil, fmt.Errorf("%w: NewConfusion: no samples", ErrData)
	}
	data := make([]int, classes*classes)
	counts := make([][]int, classes)
	for t := range counts {
		counts[t] = data[t*classes : (t+1)*classes : (t+1)*classes]
	}
	for i, p := range pred {
		t := labels[i]
		if t < 0 || t >= classes {
			return nil, fmt.Errorf("%w: NewConfusion: label %d at index %d not in [0,%d)", ErrData, t, i, classes)
		}
		if p < 0 || p >= classes {
			return nil, fmt.Errorf("%w: NewConfusion: prediction %d at index %d not in [0,%d)", ErrData, p, i, classes)
		}
		counts[t][p]++
	}
	return &Confusion{Counts: counts}, nil
}

// Classes returns the number of classes, len(c.Counts).
func (c *Confusion) Classes() int { return len(c.Counts) }

func (c *Confusion) at(t, p int) int { return c.Counts[t][p] }

// checkClass panics with an error wrapping ErrData when class is not a valid
// class index.
func (c *Confusion) checkClass(method string, class int) {
	if class < 0 || class >= len(c.Counts) {
		panic(misuse(ErrData, "Confusion."+method, "class %d not in [0,%d)", class, len(c.Counts)))
	}
}

// classTotals returns the true positives of class, the number of samples
// whose true class it is and the number predicted as it.
func (c *Confusion) classTotals(class int) (tp, actual, predicted int) {
	for j := range c.Counts {
		actual += c.Counts[class][j]
		predicted += c.Counts[j][class]
	}
	return c.Counts[class][class], actual, predicted
}

// Accuracy returns the fraction of samples on the diagonal, or NaN when the
// matrix counts no sample.
func (c *Confusion) Accuracy() float64 {
	correct, total := 0, 0
	for t, row := range c.Counts {
		correct += row[t]
		for _, n := range row {
			total += n
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return float64(correct) / float64(total)
}

// Precision returns tp/(tp+fp) for class, or 0 when nothing was predicted as
// class. It panics when class is not in [0, Classes()).
func (c *Confusion) Precision(class int) float64 {
	c.checkClass("Precision", class)
	tp, actual, predicted := c.classTotals(class)
	return classScore(scorePrecision, tp, actual, predicted)
}

// Recall returns tp/(tp+fn) for class, or 0 when no sample has class as its
// true class. It panics when class is not in [0, Classes()).
func (c *Confusion) Recall(class int) float64 {
	c.checkClass("Recall", class)
	tp, actual, predicted := c.classTotals(class)
	return classScore(scoreRecall, tp, actual, predicted)
}

// F1 returns the harmonic mean of the precision and recall of class,
// computed as 2·tp/(2·tp + fp + fn), or 0 when class is neither a true nor a
// predicted class of any sample. It panics when class is not in
// [0, Classes()).
func (c *Confusion) F1(class int) float64 {
	c.checkClass("F1", class)
	tp, actual, predicted := c.classTotals(class)
	return classScore(scoreF1, tp, actual, predicted)
}

// MacroPrecision returns the unweighted mean of Precision over the classes
// that occur among the true labels or the predictions, or NaN when the
// matrix counts no sample.
func (c *Confusion) MacroPrecision() float64 {
	return macroScore(scorePrecision, len(c.Counts), c.at)
}

// MacroRecall returns the unweighted mean of Recall over the classes that
// occur among the true labels or the predictions, or NaN when the matrix
// counts no sample.
func (c *Confusion) MacroRecall() float64 {
	return macroScore(scoreRecall, len(c.Counts), c.at)
}

// MacroF1 returns the unweighted mean of F1 over the classes that occur
// among the true labels or the predictions, or NaN when the matrix counts no
// sample. As in scikit-learn, this is the mean of the per-class F1 scores,
// not the harmonic mean of MacroPrecision and MacroRecall.
func (c *Confusion) MacroF1() float64 {
	return macroScore(scoreF1, len(c.Counts), c.at)
}

// String renders the counts as a right-aligned table: a header row of
// predicted classes under "true\pred", then one row per true class.
func (c *Confusion) String() string {
	if c == nil {
		return "<nil>"
	}
	const corner = `true\pred`
	w := 1
	for t, row := range c.Counts {
		w = max(w, len(strconv.Itoa(t)))
		for _, n := range row {
			w = max(w, len(strconv.Itoa(n)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s", len(corner), corner)
	for p := range c.Counts {
		fmt.Fprintf(&b, " %*d", w, p)
	}
	for t, row := range c.Counts {
		fmt.Fprintf(&b, "\n%*d", len(corner), t)
		for _, n := range row {
			fmt.Fprintf(&b, " %*d", w, n)
		}
	}
	return b.String()
}
