package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
)

// CrossEntropy is the negative log-likelihood of integer class labels under
// predicted class probabilities, one row per sample, averaged over the
// batch, as PyTorch's CrossEntropyLoss (reduction mean).
//
// What it reads depends on FromLogits. By default the predictions are
// probabilities, the output of a final Softmax, and the model must end in
// one (NewTrainer refuses another model, naming both fixes). With
// FromLogits set (Keras's from_logits) the predictions are logits z, the
// model must not end in a Softmax, and the loss computes the log-softmax
// itself, as PyTorch's CrossEntropyLoss does:
//
//	L = -(1/n) Σ_i log p[i][y_i],  log p[i][j] = z[i][j] - log Σ_k exp(z[i][k])
//
// with the log-sum-exp taken after subtracting the row maximum, so that
// confident mistakes report their true cost (logits [-431, 279, 427] with
// label 0 give 858). When a Softmax ends the network, Loss is given only
// its probabilities and takes -log max(p, 1e-8); Backprop and the Trainer,
// which see the Softmax's input, compute the loss from those logits
// exactly as above and the gradient (p - onehot)/n with respect to them,
// skipping Softmax.Backward.
//
// Weights and Smoothing follow PyTorch's weight and label_smoothing. With K
// classes, class weights w (all 1 when Weights is nil) and smoothing e, the
// target of row i is q[i][j] = (1-e)·[j = y_i] + e/K and
//
//	L = Σ_i Σ_j w_j·q[i][j]·(-log p[i][j]) / Σ_i w[y_i]
//
// that is (1-e)·(weighted mean NLL) + (e/K)·Σ_i Σ_j w_j(-log p[i][j]) / Σ_i w[y_i]:
// the smoothing term is normalised by the weights of the labels, as in
// PyTorch. The gradient with respect to the logits z is then
//
//	dL/dz[i][j] = (S_i·p[i][j] - w_j·q[i][j]) / Σ_k w[y_k],  S_i = Σ_j w_j·q[i][j]
//
// Per-sample weights s (Targets.Weights, scikit-learn's sample_weight)
// multiply each row's terms: row i counts s_i times in both sums, so w[y_i]
// becomes s_i·w[y_i] in the normaliser and the gradient of row i is
// multiplied by s_i.
//
// A batch whose labels all have weight 0 has loss 0 and gradient 0, so a
// training step on it changes nothing (PyTorch gives 0/0 = NaN there).
// Whole-set figures of a Trainer are Σ w·l / Σ w over the set (see
// BatchWeighter), whatever the batch size; a set whose labels all weigh 0
// is an error.
//
// The zero value is ready to use; the fields may be set before first use. A
// CrossEntropy owns its gradient buffer and is not safe for concurrent use.
type CrossEntropy struct {
	// Weights, when not nil, holds one weight per class (length K), each
	// finite and non-negative and not all zero; sample i counts
	// Weights[y_i] times. Nil means every class weighs 1.
	Weights []float64

	// Smoothing is the label-smoothing factor e in [0, 1): the target
	// puts 1-e+e/K on the label and e/K on every other class. Zero means
	// one-hot targets.
	Smoothing float64

	// FromLogits makes the loss read logits (a model with no final
	// Softmax) instead of probabilities.
	FromLogits bool

	grad mat.Dense
}

// checkLabels panics unless y has one label per row of pred, each in
// [0, columns of pred).
func checkLabels(where string, pred *mat.Dense, y Targets) (r, c int) {
	r, c = pred.Dims()
	if len(y.Labels) != r {
		shapePanic(where, "prediction is %dx%d but there are %d labels", r, c, len(y.Labels))
	}
	for i, l := range y.Labels {
		if l < 0 || l >= c {
			panic(misuse(ErrData, where, "label %d of row %d is outside [0, %d)", l, i, c))
		}
	}
	return r, c
}

// ReadsTargets returns ClassLabels.
func (ce *CrossEntropy) ReadsTargets() TargetKind { return ClassLabels }

// BatchWeight returns Σ_i s_i·w[y_i] for sample weights s (y.Weights, all
// 1 when nil): the number of labels when both are nil.
func (ce *CrossEntropy) BatchWeight(y Targets) float64 { return ce.labelWeight(y) }

// ReadsWeights returns true: sample i counts y.Weights[i]·Weights[y_i]
// times.
func (ce *CrossEntropy) ReadsWeights() bool { return true }

// Loss returns the loss of the type's documentation: from probabilities,
// -log max(p, 1e-8) per entry, or with FromLogits, the exact log-softmax of
// the logits. It panics with an error wrapping ErrShape if the labels are
// not one per row of pred or Weights does not have one entry per column of
// pred, with one wrapping ErrData if a label is outside [0, columns), with
// one wrapping ErrMisuse if pred holds a value outside [0, 1] without
// FromLogits (logits given as probabilities would give a wrong, even
// negative, loss), and with the error of Validate if Weights or Smoothing
// is out of range (NewTrainer calls Validate and returns that error
// instead).
func (ce *CrossEntropy) Loss(pred *mat.Dense, y Targets) float64 {
	_, c := checkLabels("CrossEntropy.Loss", pred, y)
	ce.check("CrossEntropy.Loss", c)
	if ce.FromLogits {
		return ce.loss(nil, pred, y)
	}
	return ce.loss(pred, nil, y)
}

// loss returns the loss of the rows of p (probabilities) or z (logits)
// against the labels of y, each row counting y.Weights[i] times when
// y.Weights is not nil; p or z may be nil. See negLogRow for how each
// entry's -log p is taken.
func (ce *CrossEntropy) loss(p, z *mat.Dense, y Targets) float64 {
	var c int
	if p != nil {
		_, c = p.Dims()
	} else {
		_, c = z.Dims()
	}
	e := ce.Smoothing
	var nll, smooth, total float64 // Σ w_y(-log p_y), Σ Σ w_j(-log p_j), Σ w_y
	var row negLogRow
	for i, l := range y.Labels {
		row.set(p, z, i)
		if z == nil {
			checkProbability("CrossEntropy.Loss", row.p, i)
		}
		s := sampleWeight(y.Weights, i)
		wl := s * ce.weight(l)
		total += wl
		if wl != 0 {
			nll += float64(wl * row.at(l))
		}
		if e != 0 && s != 0 {
			for j := range c {
				smooth += float64(s * ce.weight(j) * row.at(j))
			}
		}
	}
	if total == 0 {
		return 0
	}
	if e == 0 {
		return nll / total
	}
	return float64((1-e)*(nll/total)) + float64(e/float64(c)*(smooth/total))
}

// checkProbability panics with an error wrapping ErrMisuse unless every
// entry of row i is in [0, 1] or NaN: a loss that reads probabilities was
// given something else, such as the logits of a model without a final
// Softmax or Sigmoid (NewTrainer refuses such a model; a direct call of
// Loss or Backprop would otherwise report a wrong, even negative, loss).
func checkProbability(where string, row []float64, i int) {
	for j, v := range row {
		if v < 0 || v > 1 {
			misusePanic(where, "prediction %v at row %d, column %d is not a probability; "+
				"end the model with Softmax (or Sigmoid for BinaryCrossEntropy), or give CrossEntropy logits with FromLogits", v, i, j)
		}
	}
}

// minExactProb is the smallest probability whose logarithm the fused loss
// takes directly: above it a Softmax probability is a normal number with a
// few ulps of relative error, so -log p is as exact as lse - z and cheaper.
const minExactProb = 0x1p-1000

// negLogRow gives -log p[i][j] for one row i: from logits z alone, lse - z
// with lse = log Σ exp(z) taken once per row; from probabilities p alone,
// -log max(p, 1e-8); from both (the fused case), -log p where p is at least
// 2^-1000 and lse - z below it, where p may have underflowed.
type negLogRow struct {
	p, z []float64
	lse  float64
	have bool // lse is computed
}

// set points r at row i of p and z (either may be nil).
func (r *negLogRow) set(p, z *mat.Dense, i int) {
	r.p, r.z, r.have = nil, nil, false
	if p != nil {
		r.p = p.RawRowView(i)
	}
	if z != nil {
		r.z = z.RawRowView(i)
	}
}

// at returns -log p[i][j].
func (r *negLogRow) at(j int) float64 {
	switch {
	case r.z == nil:
		return -fmath.Log(max(r.p[j], probFloor))
	case r.p != nil && r.p[j] >= minExactProb:
		return -fmath.Log(r.p[j])
	}
	if !r.have {
		r.lse, r.have = logSumExp(r.z), true
	}
	return r.lse - r.z[j]
}

// logSumExp returns log Σ exp(z_j), computed as m + log Σ exp(z_j - m) with
// m the largest z_j, so that no exponent overflows.
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	var sum float64
	for _, v := range z {
		sum += fmath.Exp(v - m)
	}
	return m + fmath.Log(sum)
}

// weight returns the weight of class j, 1 when Weights is nil.
func (ce *CrossEntropy) weight(j int) float64 {
	if ce.Weights == nil {
		return 1
	}
	return ce.Weights[j]
}

// check panics unless Weights has one entry per class of a c-column
// prediction (ErrShape) and Validate accepts the settings.
func (ce *CrossEntropy) check(where string, c int) {
	if ce.Weights != nil && len(ce.Weights) != c {
		shapePanic(where, "%d class weights for %d classes", len(ce.Weights), c)
	}
	if ce.plain() {
		return
	}
	if err := ce.Validate(); err != nil {
		panic(misuseWrap(err))
	}
}

// plain reports whether ce has neither class weights nor smoothing.
func (ce *CrossEntropy) plain() bool { return ce.Weights == nil && ce.Smoothing == 0 }

// Validate returns an error wrapping ErrSetting unless Smoothing is in
// [0, 1) and Weights is nil or holds finite, non-negative entries that are
// not all zero. It allocates only when it returns an error.
func (ce *CrossEntropy) Validate() error {
	if e := ce.Smoothing; !(e >= 0 && e < 1) {
		return fmt.Errorf("%w: CrossEntropy.Smoothing %v is not in [0, 1)", ErrSetting, e)
	}
	var sum float64
	for j, w := range ce.Weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("%w: CrossEntropy.Weights: weight %v of class %d is not a finite non-negative number", ErrSetting, w, j)
		}
		sum += w
	}
	if ce.Weights != nil && sum == 0 {
		return fmt.Errorf("%w: CrossEntropy.Weights: every class weight is zero", ErrSetting)
	}
	return nil
}

// ValidateOutput returns an error wrapping ErrSetting, naming what to build
// instead, unless a model with the given number of output columns and final
// layer last suits the loss: at least two columns (at most MaxClasses),
// one class weight per column when Weights is set, and a final Softmax
// (a layer declaring SoftmaxProbabilities), or with FromLogits, a final
// layer that is not one.
func (ce *CrossEntropy) ValidateOutput(outputs int, last Layer) error {
	kind := probabilityKind(last)
	switch {
	case outputs == 1 && kind == SigmoidProbabilities:
		return fmt.Errorf("%w: CrossEntropy needs one column per class, but the model has one Sigmoid output: "+
			"train it with BinaryCrossEntropy, or end it with Linear(in, 2) and Softmax", ErrSetting)
	case outputs == 1:
		return fmt.Errorf("%w: CrossEntropy needs one column per class, but the model has one output column: "+
			"for two classes end it with Linear(in, 2) and Softmax, or with Linear(in, 1) and Sigmoid and train with BinaryCrossEntropy", ErrSetting)
	case outputs > MaxClasses:
		return fmt.Errorf("%w: CrossEntropy: the model has %d outputs; at most %d classes are supported", ErrSetting, outputs, MaxClasses)
	case ce.Weights != nil && len(ce.Weights) != outputs:
		return fmt.Errorf("%w: CrossEntropy.Weights has %d class weights for a model with %d outputs", ErrSetting, len(ce.Weights), outputs)
	case ce.FromLogits && kind == SoftmaxProbabilities:
		return fmt.Errorf("%w: CrossEntropy.FromLogits reads logits, but the model ends in %v: "+
			"remove the final Softmax, or leave FromLogits false", ErrSetting, last)
	case !ce.FromLogits && kind != SoftmaxProbabilities:
		return fmt.Errorf("%w: CrossEntropy reads probabilities, but the model ends in %v, not Softmax: "+
			"add a final Softmax, or set CrossEntropy.FromLogits to train on the logits (as PyTorch's CrossEntropyLoss does)", ErrSetting, last)
	}
	return nil
}

// Grad returns dL/dpred. From probabilities it is -w_j·q[i][j] /
// (p[i][j]·Σ_k w[y_k]), -1/(n·p[i][y_i]) at each label without weights or
// smoothing, and 0 where p[i][j] < 1e-8 and the clipping applies. With
// FromLogits it is the gradient with respect to the logits given in the
// type's documentation. It is 0 for a batch whose labels all weigh 0. It
// panics as Loss does.
func (ce *CrossEntropy) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r, c := checkLabels("CrossEntropy.Grad", pred, y)
	ce.check("CrossEntropy.Grad", c)
	reuse(&ce.grad, r, c)
	if ce.FromLogits {
		for i := range r {
			softmaxRow(ce.grad.RawRowView(i), pred.RawRowView(i))
		}
		ce.logitGrad(&ce.grad, &ce.grad, y)
		return &ce.grad
	}
	ce.grad.Zero()
	total := ce.labelWeight(y)
	if total == 0 {
		return &ce.grad
	}
	e, k := ce.Smoothing, float64(c)
	for i, l := range y.Labels {
		ps := pred.RawRowView(i)
		gs := ce.grad.RawRowView(i)
		for j, p := range ps {
			q := e / k
			if j == l {
				q += 1 - e
			}
			if wq := sampleWeight(y.Weights, i) * ce.weight(j) * q; wq != 0 && p >= probFloor {
				gs[j] = -wq / (p * total)
			}
		}
	}
	return &ce.grad
}

// labelWeight returns Σ_i s_i·w[y_i], the normaliser of the weighted loss.
func (ce *CrossEntropy) labelWeight(y Targets) float64 {
	if ce.Weights == nil && y.Weights == nil {
		return float64(len(y.Labels))
	}
	var total float64
	for i, l := range y.Labels {
		total += sampleWeight(y.Weights, i) * ce.weight(l)
	}
	return total
}

// sampleWeight returns w[i], or 1 when w is nil.
func sampleWeight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// logitGrad writes into g the gradient with respect to the logits whose
// softmax is p, one row per sample: (p - onehot)/n without weights or
// smoothing, (S_i·p[i][j] - w_j·q[i][j]) / Σ_k w[y_k] with them, and 0 when
// the labels all weigh 0. g may be p.
func (ce *CrossEntropy) logitGrad(g, p *mat.Dense, y Targets) {
	labels := y.Labels
	_, c := g.Dims()
	total := ce.labelWeight(y)
	if total == 0 {
		for i := range labels {
			clear(g.RawRowView(i))
		}
		return
	}
	inv := 1 / total
	if ce.plain() && y.Weights == nil {
		for i, l := range labels {
			gs, ps := g.RawRowView(i), p.RawRowView(i)
			for j, v := range ps {
				gs[j] = v * inv
			}
			gs[l] -= inv
		}
		return
	}
	e, k := ce.Smoothing, float64(c)
	var sumW float64 // Σ_j w_j
	for j := 0; j < c; j++ {
		sumW += ce.weight(j)
	}
	for i, l := range labels {
		gs, ps := g.RawRowView(i), p.RawRowView(i)
		wl := ce.weight(l)
		si := float64((1-e)*wl) + float64(e/k*sumW) // S_i = Σ_j w_j·q[i][j]
		for j, v := range ps {
			gs[j] = (float64(si*v) - float64(ce.weight(j)*e/k)) * inv
		}
		gs[l] -= float64((1 - e) * wl * inv)
		if y.Weights != nil {
			for j := range gs {
				gs[j] *= y.Weights[i]
			}
		}
	}
}

// fusedLoss returns the loss computed exactly from p, the output of a final
// layer declaring SoftmaxProbabilities, and its logits (see negLogRow), and
// false for any other final layer (or with FromLogits, where pred already
// holds the logits).
func (ce *CrossEntropy) fusedLoss(last Layer, p *mat.Dense, y Targets) (float64, bool) {
	z := fusedLogits(last, SoftmaxProbabilities, ce.FromLogits)
	if r, c := p.Dims(); z == nil || !sameDims(z, r, c) {
		return 0, false
	}
	_, c := checkLabels("CrossEntropy", p, y)
	ce.check("CrossEntropy", c)
	return ce.loss(p, z, y), true
}

// fusedGrad returns the gradient with respect to the logits of a final
// layer declaring SoftmaxProbabilities whose output is p (see logitGrad),
// and nil for any other final layer.
func (ce *CrossEntropy) fusedGrad(last Layer, p *mat.Dense, y Targets) *mat.Dense {
	if ce.FromLogits || probabilityKind(last) != SoftmaxProbabilities {
		return nil
	}
	r, c := checkLabels("CrossEntropy", p, y)
	ce.check("CrossEntropy", c)
	reuse(&ce.grad, r, c)
	ce.logitGrad(&ce.grad, p, y)
	return &ce.grad
}

// String returns "CrossEntropy", or "CrossEntropy(FromLogits)".
func (ce *CrossEntropy) String() string {
	if ce.FromLogits {
		return "CrossEntropy(FromLogits)"
	}
	return "CrossEntropy"
}

var (
	_ Loss            = (*CrossEntropy)(nil)
	_ fusedLoss       = (*CrossEntropy)(nil)
	_ TargetReader    = (*CrossEntropy)(nil)
	_ BatchWeighter   = (*CrossEntropy)(nil)
	_ WeightReader    = (*CrossEntropy)(nil)
	_ Validator       = (*CrossEntropy)(nil)
	_ OutputValidator = (*CrossEntropy)(nil)
)
