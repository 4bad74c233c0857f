package mlp

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Metric is a streaming evaluation measure. A trainer calls Reset at the start
// of an evaluation, Update once per batch and Value at the end.
//
// pred holds the model's output with one row per sample: class probabilities
// for classification (or, with a single column, the probability of class 1),
// real values for regression. Classification metrics read y.Labels,
// regression metrics read y.Values.
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
	_ Metric = (*MacroF1)(nil)
	_ Metric = (*MacroPrecision)(nil)
	_ Metric = (*MacroRecall)(nil)
	_ Metric = (*RMSE)(nil)
	_ Metric = (*MAE)(nil)
	_ Metric = (*R2)(nil)
)

// rowClass returns the class predicted by one row of model output: the index
// of the largest entry, the first one on ties. A single entry is read as the
// probability of class 1, predicted when it is greater than 0.5. NaN entries
// are never selected, except as the first entry of a row.
func rowClass(row []float64) int {
	if len(row) == 1 {
		if row[0] > 0.5 {
			return 1
		}
		return 0
	}
	best := 0
	for j := 1; j < len(row); j++ {
		if row[j] > row[best] {
			best = j
		}
	}
	return best
}

// predClasses is the number of classes a prediction matrix with c columns
// can express: c, or 2 for a single probability column.
func predClasses(c int) int {
	if c == 1 {
		return 2
	}
	return c
}

// checkMetricLabels panics unless labels holds one label per row of pred, each
// within the classes pred can express. It returns the number of classes.
func checkMetricLabels(name string, pred *mat.Dense, labels []int) int {
	r, c := pred.Dims()
	if len(labels) != r {
		shapePanic(name, "%d labels for %d prediction rows", len(labels), r)
	}
	k := predClasses(c)
	for i, l := range labels {
		if l < 0 || l >= k {
			panic(fmt.Errorf("%w: %s: label %d of row %d not in [0,%d) for %d prediction columns", ErrData, name, l, i, k, c))
		}
	}
	return k
}

// Argmax writes the class predicted by each row of pred into dst and returns
// it: the column of the row's largest entry, the first one on ties. A pred
// with a single column is read as the probability of class 1, so a row
// predicts 1 when its entry is greater than 0.5 and 0 otherwise.
//
// dst is reused when its capacity is at least the number of rows of pred;
// otherwise Argmax allocates a new slice.
func Argmax(pred *mat.Dense, dst []int) []int {
	r, c := pred.Dims()
	if cap(dst) >= r {
		dst = dst[:r]
	} else {
		dst = make([]int, r)
	}
	raw := pred.RawMatrix()
	for i := range r {
		dst[i] = rowClass(raw.Data[i*raw.Stride : i*raw.Stride+c])
	}
	return dst
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
// Argmax) equals the label. The zero value is ready to use.
type Accuracy struct {
	correct, total int
}

// Name returns "accuracy".
func (*Accuracy) Name() string { return "accuracy" }

// Reset forgets every sample seen so far.
func (a *Accuracy) Reset() { a.correct, a.total = 0, 0 }

// Update adds the samples of one batch: pred has one row per sample and
// y.Labels one label per row. It panics as described for Metric and
// allocates nothing.
func (a *Accuracy) Update(pred *mat.Dense, y Targets) {
	checkMetricLabels("accuracy", pred, y.Labels)
	_, c := pred.Dims()
	raw := pred.RawMatrix()
	for i, l := range y.Labels {
		if rowClass(raw.Data[i*raw.Stride:i*raw.Stride+c]) == l {
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
	_, c := pred.Dims()
	raw := pred.RawMatrix()
	for i, l := range labels {
		p := rowClass(raw.Data[i*raw.Stride : i*raw.Stride+c])
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
// whose score is 0/0 counts as 0. Predicted classes are as in Argmax.
//
// The zero value is ready to use. Update allocates only when a batch has
// more prediction columns than any before it.
type MacroF1 struct {
	cc confusionCounts
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
	cc confusionCounts
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
	cc confusionCounts
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

// maxConfusionClasses is the largest number of classes NewConfusion
// accepts: its matrix of 4096×4096 ints takes 128 MiB.
const maxConfusionClasses = 1 << 12

// NewConfusion counts the pairs (labels[i], pred[i]) into a classes×classes
// confusion matrix. It returns an error wrapping ErrSetting when classes is
// less than 1 or more than 4096, and an error wrapping ErrData when the
// slices differ in length, are empty, or hold a class outside [0, classes).
func NewConfusion(pred, labels []int, classes int) (*Confusion, error) {
	if classes < 1 || classes > maxConfusionClasses {
		return nil, fmt.Errorf("%w: NewConfusion: %d classes; want 1 to %d", ErrSetting, classes, maxConfusionClasses)
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
		panic(fmt.Errorf("%w: Confusion.%s: class %d not in [0,%d)", ErrData, method, class, len(c.Counts)))
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

// checkMetricValues panics with an error wrapping ErrShape unless target has the
// shape of pred.
func checkMetricValues(name string, pred, target *mat.Dense) {
	r, c := pred.Dims()
	if target == nil {
		shapePanic(name, "no target values for %dx%d predictions", r, c)
	}
	tr, tc := target.Dims()
	if tr != r || tc != c {
		shapePanic(name, "%dx%d targets for %dx%d predictions", tr, tc, r, c)
	}
}

// RMSE is the streaming root mean squared error over every entry of the
// predictions: sqrt(Σ(pred−y)² / (samples·outputs)), the square root of the
// mean squared error pooled over all outputs. With one output it equals
// scikit-learn's root_mean_squared_error; with several it is the square root
// of mean_squared_error, not the mean of per-output RMSEs. It reads
// y.Values, which must have the shape of pred.
//
// The zero value is ready to use; Update allocates nothing.
type RMSE struct {
	sum float64
	n   int
}

// Name returns "rmse".
func (*RMSE) Name() string { return "rmse" }

// Reset forgets every sample seen so far.
func (m *RMSE) Reset() { m.sum, m.n = 0, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *RMSE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("rmse", pred, y.Values)
	r, c := pred.Dims()
	p, t := pred.RawMatrix(), y.Values.RawMatrix()
	for i := range r {
		pr := p.Data[i*p.Stride : i*p.Stride+c]
		tr := t.Data[i*t.Stride : i*t.Stride+c]
		for j, v := range pr {
			e := v - tr[j]
			m.sum += e * e
		}
	}
	m.n += r * c
}

// Value returns the RMSE since the last Reset, or NaN when no entry has been
// seen.
func (m *RMSE) Value() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return math.Sqrt(m.sum / float64(m.n))
}

// MAE is the streaming mean absolute error over every entry of the
// predictions: Σ|pred−y| / (samples·outputs), which equals scikit-learn's
// mean_absolute_error with multioutput="uniform_average". It reads y.Values,
// which must have the shape of pred.
//
// The zero value is ready to use; Update allocates nothing.
type MAE struct {
	sum float64
	n   int
}

// Name returns "mae".
func (*MAE) Name() string { return "mae" }

// Reset forgets every sample seen so far.
func (m *MAE) Reset() { m.sum, m.n = 0, 0 }

// Update adds the entries of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil or its shape differs from pred's.
func (m *MAE) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("mae", pred, y.Values)
	r, c := pred.Dims()
	p, t := pred.RawMatrix(), y.Values.RawMatrix()
	for i := range r {
		pr := p.Data[i*p.Stride : i*p.Stride+c]
		tr := t.Data[i*t.Stride : i*t.Stride+c]
		for j, v := range pr {
			m.sum += math.Abs(v - tr[j])
		}
	}
	m.n += r * c
}

// Value returns the MAE since the last Reset, or NaN when no entry has been
// seen.
func (m *MAE) Value() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.sum / float64(m.n)
}

// R2 is the streaming coefficient of determination, averaged over outputs as
// scikit-learn's r2_score with multioutput="uniform_average": for each
// output column j, R²ⱼ = 1 − SS_res/SS_tot with SS_res = Σ(yᵢⱼ − predᵢⱼ)² and
// SS_tot = Σ(yᵢⱼ − ȳⱼ)², and Value is the mean of R²ⱼ over the columns. A
// column with SS_tot = 0 scores 1 when it is predicted exactly and 0
// otherwise (scikit-learn's force_finite=True). It reads y.Values, which must
// have the shape of pred.
//
// SS_tot is accumulated with Welford's update of the running mean, so it
// stays accurate when the targets have a large offset from zero.
//
// The zero value is ready to use. Update allocates only on the first batch
// after the zero value or when the number of outputs grows after a Reset.
type R2 struct {
	n     int
	mean  []float64 // running mean of y per column
	m2    []float64 // Σ(y − mean)² per column
	ssRes []float64 // Σ(y − pred)² per column
}

// Name returns "r2".
func (*R2) Name() string { return "r2" }

// Reset forgets every sample seen so far, keeping the per-column storage.
func (m *R2) Reset() {
	m.n = 0
	m.mean = m.mean[:0]
	m.m2 = m.m2[:0]
	m.ssRes = m.ssRes[:0]
}

// Update adds the rows of one batch. It panics with an error wrapping
// ErrShape when y.Values is nil, when its shape differs from pred's, or when
// the number of columns differs from earlier batches since the last Reset.
func (m *R2) Update(pred *mat.Dense, y Targets) {
	checkMetricValues("r2", pred, y.Values)
	r, c := pred.Dims()
	if r == 0 {
		return
	}
	if m.n == 0 {
		m.mean = zeroedFloats(m.mean, c)
		m.m2 = zeroedFloats(m.m2, c)
		m.ssRes = zeroedFloats(m.ssRes, c)
	} else if len(m.mean) != c {
		shapePanic("r2", "%d outputs after batches with %d", c, len(m.mean))
	}
	p, t := pred.RawMatrix(), y.Values.RawMatrix()
	for i := range r {
		m.n++
		inv := 1 / float64(m.n)
		pr := p.Data[i*p.Stride : i*p.Stride+c]
		tr := t.Data[i*t.Stride : i*t.Stride+c]
		for j, v := range tr {
			d := v - m.mean[j]
			m.mean[j] += d * inv
			m.m2[j] += d * (v - m.mean[j])
			e := v - pr[j]
			m.ssRes[j] += e * e
		}
	}
}

// zeroedFloats returns s with length n and every element zero, reusing its
// storage when the capacity suffices.
func zeroedFloats(s []float64, n int) []float64 {
	if cap(s) >= n {
		s = s[:n]
	} else {
		s = make([]float64, n)
	}
	clear(s)
	return s
}

// Value returns the mean R² over output columns since the last Reset, or NaN
// when fewer than two samples have been seen (R² is not defined there, as in
// scikit-learn).
func (m *R2) Value() float64 {
	if m.n < 2 {
		return math.NaN()
	}
	sum := 0.0
	for j, tot := range m.m2 {
		res := m.ssRes[j]
		switch {
		case tot != 0:
			sum += 1 - res/tot
		case res == 0:
			sum++
		}
	}
	return sum / float64(len(m.m2))
}
