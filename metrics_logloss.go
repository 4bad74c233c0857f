package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

var (
	_ Metric          = (*LogLoss)(nil)
	_ Goaler          = (*LogLoss)(nil)
	_ TargetReader    = (*LogLoss)(nil)
	_ OutputValidator = (*LogLoss)(nil)
)

// logLossEps is the clipping bound of LogLoss: np.finfo(np.float64).eps,
// 2⁻⁵², what scikit-learn 1.2.1's log_loss takes for eps="auto" on float64
// probabilities.
const logLossEps = 0x1p-52

// LogLoss is the streaming log loss (cross-entropy) of a classifier's
// probabilities, scikit-learn 1.2.1's log_loss(y, proba,
// labels=range(k), sample_weight=w) with its default eps="auto":
//
//	L = Σ_i w_i·(−log(q_i,y_i / Σ_j q_i,j)) / Σ_i w_i,  q_i,j = min(max(p_i,j, ε), 1 − ε)
//
// where ε = 2⁻⁵² ≈ 2.2e-16 (np.finfo(float64).eps: eps="auto" for float64
// input, the default since scikit-learn 1.2; before, 1e-15), p the model's output
// clipped to [ε, 1 − ε] and each row renormalised, as log_loss does; a
// one-column Sigmoid output p is first clipped, then read as the row
// [1 − p, p] (ClassProbability). A certain wrong prediction thus costs
// −log(2⁻⁵²) ≈ 36.04, not infinity. Because the model's classes are known,
// a set whose labels hold a single class is scored (scikit-learn needs
// labels= for it). Sample weights weigh the rows as sample_weight does.
//
// Smaller is better (Goal returns Minimize). Unlike the CrossEntropy loss,
// which is computed from the logits and clips at 1e-8 only when it reads
// probabilities, LogLoss reads the probabilities the model outputs, so its
// figure is scikit-learn's. The sums are compensated (Neumaier), so the
// figure does not depend on the batch size beyond rounding; memory is
// O(1). Value is NaN when no sample, or no sample of positive weight, has
// been seen. NewTrainer refuses a model whose output is not class
// probabilities, and Update panics as ROCAUC's does. The zero value is
// ready to use.
type LogLoss struct {
	sum, comp, weight, wcomp float64
	n                        int
}

// Name returns "log_loss".
func (*LogLoss) Name() string { return "log_loss" }

// Goal returns Minimize.
func (*LogLoss) Goal() Goal { return Minimize }

// ReadsTargets returns ClassLabels.
func (*LogLoss) ReadsTargets() TargetKind { return ClassLabels }

// ValidateOutput returns the errors of ROCAUC.ValidateOutput.
func (*LogLoss) ValidateOutput(outputs int, last Layer) error {
	return checkProbaOutput("log_loss", outputs, last)
}

// Reset forgets every sample seen so far.
func (m *LogLoss) Reset() { *m = LogLoss{} }

// Update adds the samples of one batch. It allocates nothing.
func (m *LogLoss) Update(pred *mat.Dense, y Targets) {
	if m == nil || pred == nil {
		misusePanic("LogLoss.Update", "nil LogLoss or predictions")
	}
	r, _ := pred.Dims()
	if len(y.Labels) != r {
		shapePanic("log_loss", "%d labels for %d prediction rows", len(y.Labels), r)
	}
	if _, err := checkProba("log_loss", pred, y.Labels, y.Weights); err != nil {
		panic(misuseWrap(err))
	}
	for i, l := range y.Labels {
		w := 1.0
		if y.Weights != nil {
			w = y.Weights[i]
		}
		m.sum, m.comp = neumaier(m.sum, m.comp, w*rowLogLoss(pred.RawRowView(i), l))
		m.weight, m.wcomp = neumaier(m.weight, m.wcomp, w)
	}
	m.n += r
}

// Value returns the weighted mean log loss since the last Reset, or NaN
// when the weights seen sum to 0 or no sample has been seen.
func (m *LogLoss) Value() float64 {
	if w := m.weight + m.wcomp; w > 0 {
		return (m.sum + m.comp) / w
	}
	return math.NaN()
}

// rowLogLoss returns −log(q_l / Σ q) for one row of probabilities, clipped
// and renormalised as LogLoss documents.
func rowLogLoss(row []float64, l int) float64 {
	clip := func(v float64) float64 { return min(max(v, logLossEps), 1-logLossEps) }
	if len(row) == 1 {
		p := clip(row[0])
		q := p
		if l == 0 {
			q = 1 - p
		}
		return -fmath.Log(q / ((1 - p) + p))
	}
	var sum float64
	for _, v := range row {
		sum += clip(v)
	}
	return -fmath.Log(clip(row[l]) / sum)
}

// neumaier adds x to the compensated sum (s, c) and returns the new pair;
// s + c is the sum.
func neumaier(s, c, x float64) (float64, float64) {
	t := s + x
	if math.Abs(s) >= math.Abs(x) {
		c += (s - t) + x
	} else {
		c += (x - t) + s
	}
	return t, c
}

// LogLossScore returns the log loss of the probabilities proba (one row
// per sample: one column P(class 1), or one column per class summing to 1)
// against the class labels, weighted by weights when not nil: the figure
// of the LogLoss metric, which documents the rule (scikit-learn 1.2.1's
// log_loss with eps="auto" and labels=range(k)). It returns an error
// wrapping ErrData when the arguments do not fit (see ROCAUC.Update; rows
// that do not sum to 1 are refused, where log_loss renormalises them
// silently) or every weight is 0 (where log_loss raises
// ZeroDivisionError). It allocates nothing.
func LogLossScore(proba *mat.Dense, labels []int, weights []float64) (float64, error) {
	if _, err := checkProba("LogLossScore", proba, labels, weights); err != nil {
		return 0, err
	}
	var m LogLoss
	m.Update(proba, Targets{Labels: labels, Weights: weights})
	v := m.Value()
	if math.IsNaN(v) {
		return v, fmt.Errorf("%w: LogLossScore: every sample weight is 0", ErrData)
	}
	return v, nil
}
