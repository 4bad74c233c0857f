package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Targets holds what a model should output for a batch or a data set: class
// labels for classification, or real values for regression. Exactly one of
// the two is set.
type Targets struct {
	// Labels are class indices in [0, classes), one per row.
	Labels []int
	// Values are regression targets, one row per sample and one column per
	// output.
	Values *mat.Dense
}

// Len returns the number of samples the targets describe.
func (t Targets) Len() int {
	if t.Values != nil {
		r, _ := t.Values.Dims()
		return r
	}
	return len(t.Labels)
}

// Loss is a training criterion comparing a network's output with targets.
//
// Loss returns the loss averaged over the batch. Grad returns dLoss/dPred,
// a matrix owned by the criterion and valid until the next call to Grad.
// Both panic with an error wrapping ErrShape when pred and y do not fit
// (different row counts, a label outside [0, columns)). User-facing entry
// points (Trainer, Evaluate) check the data first and return errors instead.
type Loss interface {
	Loss(pred *mat.Dense, y Targets) float64
	Grad(pred *mat.Dense, y Targets) *mat.Dense
}

// fusedLoss is implemented by criteria that know the exact gradient with
// respect to the input of a particular final layer (a Softmax for
// CrossEntropy). fusedGrad returns that gradient given the final layer and
// its output, or nil when the final layer is not one it fuses with.
type fusedLoss interface {
	fusedGrad(last Layer, out *mat.Dense, y Targets) *mat.Dense
}

// probFloor is the smallest probability CrossEntropy takes the logarithm
// of: p is clipped to [probFloor, 1].
const probFloor = 1e-8

// CrossEntropy is the negative log-likelihood of integer class labels under
// predicted class probabilities, one row per sample, averaged over the
// batch. With its zero value, as PyTorch's CrossEntropyLoss (reduction
// mean) applied to the logits:
//
//	L = -(1/n) Σ_i log max(p[i][y_i], 1e-8)
//
// Every class counts, not only class 1. The predictions are probabilities
// (the output of a Softmax). When a Softmax ends the network, Backprop uses
// the fused gradient (p - onehot)/n with respect to the Softmax's input,
// which stays exact for confident predictions where 1/p would blow up.
//
// Weights and Smoothing follow PyTorch's weight and label_smoothing. With K
// classes, class weights w (all 1 when Weights is nil) and smoothing e, the
// target of row i is q[i][j] = (1-e)·[j = y_i] + e/K and
//
//	L = Σ_i Σ_j w_j·q[i][j]·(-log max(p[i][j], 1e-8)) / Σ_i w[y_i]
//
// that is (1-e)·(weighted mean NLL) + (e/K)·Σ_i Σ_j w_j(-log p[i][j]) / Σ_i w[y_i]:
// the smoothing term is normalised by the weights of the labels, as in
// PyTorch. The fused gradient with respect to the Softmax input z is then
//
//	dL/dz[i][j] = (S_i·p[i][j] - w_j·q[i][j]) / Σ_k w[y_k],  S_i = Σ_j w_j·q[i][j]
//
// If every label of a batch has weight 0 the loss is 0/0 = NaN, as in
// PyTorch.
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

	grad mat.Dense
}

var (
	_ Loss      = (*CrossEntropy)(nil)
	_ fusedLoss = (*CrossEntropy)(nil)
)

// checkLabels panics unless y has one label per row of pred, each in
// [0, columns of pred).
func checkLabels(where string, pred *mat.Dense, y Targets) (r, c int) {
	r, c = pred.Dims()
	if len(y.Labels) != r {
		shapePanic(where, "prediction is %dx%d but there are %d labels", r, c, len(y.Labels))
	}
	for i, l := range y.Labels {
		if l < 0 || l >= c {
			shapePanic(where, "label %d of row %d is outside [0, %d)", l, i, c)
		}
	}
	return r, c
}

// Loss returns -(1/n) Σ log max(p[i][y_i], 1e-8), or the weighted and
// smoothed loss given in the type's documentation when Weights or Smoothing
// is set. It panics with an error wrapping ErrShape if the labels do not fit
// pred or Weights does not have one entry per column of pred, and with the
// error of Validate if Weights or Smoothing is out of range (Trainer calls
// Validate first and returns that error instead).
func (ce *CrossEntropy) Loss(pred *mat.Dense, y Targets) float64 {
	r, c := checkLabels("CrossEntropy.Loss", pred, y)
	pm := pred.RawMatrix()
	if ce.plain() {
		var sum float64
		for i, l := range y.Labels {
			sum -= math.Log(max(pm.Data[i*pm.Stride+l], probFloor))
		}
		return sum / float64(r)
	}
	ce.check("CrossEntropy.Loss", c)
	e := ce.Smoothing
	var nll, smooth, total float64 // Σ w_y(-log p_y), Σ Σ w_j(-log p_j), Σ w_y
	for i, l := range y.Labels {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		wl := ce.weight(l)
		total += wl
		nll -= wl * math.Log(max(ps[l], probFloor))
		if e != 0 {
			for j, p := range ps {
				smooth -= ce.weight(j) * math.Log(max(p, probFloor))
			}
		}
	}
	if e == 0 {
		return nll / total
	}
	return (1-e)*(nll/total) + e/float64(c)*(smooth/total)
}

// plain reports whether ce has neither class weights nor smoothing, the
// case of the unweighted formulas.
func (ce *CrossEntropy) plain() bool { return ce.Weights == nil && ce.Smoothing == 0 }

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
	if err := ce.Validate(c); err != nil {
		panic(err)
	}
}

// Validate returns an error wrapping ErrSetting unless the settings fit a
// problem with the given number of classes: Weights nil or of length
// classes, with finite, non-negative entries not all zero, and Smoothing in
// [0, 1). It allocates only when it returns an error.
func (ce *CrossEntropy) Validate(classes int) error {
	if e := ce.Smoothing; !(e >= 0 && e < 1) {
		return fmt.Errorf("%w: CrossEntropy: smoothing %v is not in [0, 1)", ErrSetting, e)
	}
	if ce.Weights == nil {
		return nil
	}
	if len(ce.Weights) != classes {
		return fmt.Errorf("%w: CrossEntropy: %d class weights for %d classes", ErrSetting, len(ce.Weights), classes)
	}
	var sum float64
	for j, w := range ce.Weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("%w: CrossEntropy: weight %v of class %d is not a finite non-negative number", ErrSetting, w, j)
		}
		sum += w
	}
	if sum == 0 {
		return fmt.Errorf("%w: CrossEntropy: every class weight is zero", ErrSetting)
	}
	return nil
}

// Grad returns dL/dp: -1/(n·p[i][y_i]) at each label, 0 elsewhere and where
// the probability was clipped. With Weights or Smoothing set it is
// -w_j·q[i][j] / (p[i][j]·Σ_k w[y_k]), still 0 where p[i][j] < 1e-8. It
// panics as Loss does.
func (ce *CrossEntropy) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r, c := checkLabels("CrossEntropy.Grad", pred, y)
	reuse(&ce.grad, r, c)
	ce.grad.Zero()
	pm, gm := pred.RawMatrix(), ce.grad.RawMatrix()
	if ce.plain() {
		n := float64(r)
		for i, l := range y.Labels {
			if p := pm.Data[i*pm.Stride+l]; p >= probFloor {
				gm.Data[i*gm.Stride+l] = -1 / (n * p)
			}
		}
		return &ce.grad
	}
	ce.check("CrossEntropy.Grad", c)
	total := ce.labelWeight(y.Labels)
	e, k := ce.Smoothing, float64(c)
	for i, l := range y.Labels {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		for j, p := range ps {
			q := e / k
			if j == l {
				q += 1 - e
			}
			if wq := ce.weight(j) * q; wq != 0 && p >= probFloor {
				gs[j] = -wq / (p * total)
			}
		}
	}
	return &ce.grad
}

// labelWeight returns Σ_i w[y_i], the normaliser of the weighted loss.
func (ce *CrossEntropy) labelWeight(labels []int) float64 {
	var total float64
	for _, l := range labels {
		total += ce.weight(l)
	}
	return total
}

// fusedGrad returns the gradient with respect to the logits of a final
// Softmax, (p - onehot)/n without weights or smoothing and
// (S_i·p[i][j] - w_j·q[i][j]) / Σ_k w[y_k] with them, and nil for any other
// final layer.
func (ce *CrossEntropy) fusedGrad(last Layer, p *mat.Dense, y Targets) *mat.Dense {
	if _, ok := last.(*Softmax); !ok {
		return nil
	}
	r, c := checkLabels("CrossEntropy", p, y)
	reuse(&ce.grad, r, c)
	pm, gm := p.RawMatrix(), ce.grad.RawMatrix()
	if ce.plain() {
		inv := 1 / float64(r)
		for i, l := range y.Labels {
			ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
			gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
			for j, v := range ps {
				gs[j] = v * inv
			}
			gs[l] -= inv
		}
		return &ce.grad
	}
	ce.check("CrossEntropy", c)
	inv := 1 / ce.labelWeight(y.Labels)
	e, k := ce.Smoothing, float64(c)
	var sumW float64 // Σ_j w_j
	for j := 0; j < c; j++ {
		sumW += ce.weight(j)
	}
	for i, l := range y.Labels {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		wl := ce.weight(l)
		si := (1-e)*wl + e/k*sumW // S_i = Σ_j w_j·q[i][j]
		for j, v := range ps {
			gs[j] = (si*v - ce.weight(j)*e/k) * inv
		}
		gs[l] -= (1 - e) * wl * inv
	}
	return &ce.grad
}

// Backprop computes crit's loss of the output of m's last Forward against y,
// then propagates its gradient back through every layer of m, filling the
// gradients of all parameters. When crit has an exact gradient with respect
// to the input of m's final layer (CrossEntropy after Softmax), the backward
// pass starts there and the final layer's Backward is skipped.
//
// It returns the loss. It panics if Forward has not been called or if y does
// not fit the output; it allocates nothing in steady state.
func Backprop(m *Sequential, crit Loss, y Targets) float64 {
	return backprop(m, crit, y, true)
}

// backprop is Backprop; with inputGrad false it leaves out the gradient
// with respect to the model's input where it can (see
// Sequential.backwardFrom), which a training step does not need.
func backprop(m *Sequential, crit Loss, y Targets, inputGrad bool) float64 {
	out := m.out
	if out == nil {
		panic("mlp: Backprop called before Sequential.Forward")
	}
	loss := crit.Loss(out, y)
	last := len(m.layers) - 1
	if f, ok := crit.(fusedLoss); ok {
		if g := f.fusedGrad(m.layers[last], out, y); g != nil {
			m.backwardFrom(last-1, g, inputGrad)
			return loss
		}
	}
	m.backwardFrom(last, crit.Grad(out, y), inputGrad)
	return loss
}

// String returns "CrossEntropy".
func (ce *CrossEntropy) String() string { return "CrossEntropy" }

// MSE is the mean squared error of regression outputs, averaged over every
// entry of the batch, as PyTorch's MSELoss with reduction mean:
//
//	L = (1/(n·m)) Σ_i Σ_j (pred[i][j] - y[i][j])²
//
// for n rows and m outputs, with the targets in Targets.Values. Its
// gradient is 2(pred - y)/(n·m). The zero value is ready to use. An MSE owns
// its gradient buffer and is not safe for concurrent use.
type MSE struct {
	grad mat.Dense
}

var _ Loss = (*MSE)(nil)

// acceptsValues marks MSE as a criterion for real-valued targets.
func (*MSE) acceptsValues() {}

// checkValues panics unless y.Values is set and has the shape of pred.
func checkValues(where string, pred *mat.Dense, y Targets) (r, c int) {
	r, c = pred.Dims()
	if y.Values == nil {
		shapePanic(where, "prediction is %dx%d but Targets.Values is nil", r, c)
	}
	if yr, yc := y.Values.Dims(); yr != r || yc != c {
		shapePanic(where, "prediction is %dx%d, targets are %dx%d", r, c, yr, yc)
	}
	return r, c
}

// Loss returns the mean over all entries of (pred - y)². It panics with an
// error wrapping ErrShape if y.Values is nil or its shape differs from
// pred's.
func (l *MSE) Loss(pred *mat.Dense, y Targets) float64 {
	r, c := checkValues("MSE.Loss", pred, y)
	pm, ym := pred.RawMatrix(), y.Values.RawMatrix()
	var sum float64
	for i := 0; i < r; i++ {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		ys := ym.Data[i*ym.Stride : i*ym.Stride+c]
		for j, p := range ps {
			d := p - ys[j]
			sum += d * d
		}
	}
	return sum / float64(r*c)
}

// Grad returns dL/dpred = 2(pred - y)/(n·m). It panics as Loss does.
func (l *MSE) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r, c := checkValues("MSE.Grad", pred, y)
	reuse(&l.grad, r, c)
	pm, ym, gm := pred.RawMatrix(), y.Values.RawMatrix(), l.grad.RawMatrix()
	s := 2 / float64(r*c)
	for i := 0; i < r; i++ {
		ps := pm.Data[i*pm.Stride : i*pm.Stride+c]
		ys := ym.Data[i*ym.Stride : i*ym.Stride+c]
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		for j, p := range ps {
			gs[j] = s * (p - ys[j])
		}
	}
	return &l.grad
}

// String returns "MSE".
func (l *MSE) String() string { return "MSE" }

// BinaryCrossEntropy is the mean negative log-likelihood of binary labels
// under predicted probabilities of class 1, for a model with one output
// column (ending in a Sigmoid), as PyTorch's BCELoss with reduction mean:
//
//	L = -(1/n) Σ_i [y_i·log p̂_i + (1-y_i)·log(1-p̂_i)],  p̂_i = min(max(p_i, 1e-8), 1-1e-8)
//
// with the labels, 0 or 1, in Targets.Labels. The probability is clipped
// to [1e-8, 1-1e-8], so a sample's loss is at most -log(1e-8) ≈ 18.4
// (PyTorch instead bounds each logarithm below by -100).
//
// When a Sigmoid ends the network, Backprop uses the fused gradient
// (p - y)/n with respect to the Sigmoid's input, which is exact and, unlike
// Grad, does not vanish where the clipping applies. The zero value is ready
// to use. A BinaryCrossEntropy owns its gradient buffer and is not safe for
// concurrent use.
type BinaryCrossEntropy struct {
	grad mat.Dense
}

var (
	_ Loss      = (*BinaryCrossEntropy)(nil)
	_ fusedLoss = (*BinaryCrossEntropy)(nil)
)

// checkBinary panics unless pred has one column and y one label, 0 or 1,
// per row of pred.
func checkBinary(where string, pred *mat.Dense, y Targets) (r int) {
	r, c := pred.Dims()
	if c != 1 {
		shapePanic(where, "prediction is %dx%d, want one column", r, c)
	}
	if len(y.Labels) != r {
		shapePanic(where, "prediction is %dx%d but there are %d labels", r, c, len(y.Labels))
	}
	for i, l := range y.Labels {
		if l != 0 && l != 1 {
			shapePanic(where, "label %d of row %d is not 0 or 1", l, i)
		}
	}
	return r
}

// Validate returns an error wrapping ErrSetting unless outputs, the
// number of columns the model gives, is 1.
func (b *BinaryCrossEntropy) Validate(outputs int) error {
	if outputs != 1 {
		return fmt.Errorf("%w: BinaryCrossEntropy needs a model with one output column, the model has %d", ErrSetting, outputs)
	}
	return nil
}

// Loss returns -(1/n) Σ [y log p̂ + (1-y) log(1-p̂)] with p̂ the prediction
// clipped to [1e-8, 1-1e-8]. It panics with an error wrapping ErrShape if
// pred does not have one column, or the labels are not one per row, each 0
// or 1.
func (b *BinaryCrossEntropy) Loss(pred *mat.Dense, y Targets) float64 {
	r := checkBinary("BinaryCrossEntropy.Loss", pred, y)
	pm := pred.RawMatrix()
	var sum float64
	for i, l := range y.Labels {
		p := min(max(pm.Data[i*pm.Stride], probFloor), 1-probFloor)
		if l == 1 {
			sum -= math.Log(p)
		} else {
			sum -= math.Log(1 - p)
		}
	}
	return sum / float64(r)
}

// Grad returns dL/dp: -1/(n·p) for label 1 and 1/(n·(1-p)) for label 0, and
// 0 where p is outside [1e-8, 1-1e-8] and the clipping applies. It panics as
// Loss does.
func (b *BinaryCrossEntropy) Grad(pred *mat.Dense, y Targets) *mat.Dense {
	r := checkBinary("BinaryCrossEntropy.Grad", pred, y)
	reuse(&b.grad, r, 1)
	pm, gm := pred.RawMatrix(), b.grad.RawMatrix()
	n := float64(r)
	for i, l := range y.Labels {
		p, g := pm.Data[i*pm.Stride], 0.0
		if p >= probFloor && p <= 1-probFloor {
			if l == 1 {
				g = -1 / (n * p)
			} else {
				g = 1 / (n * (1 - p))
			}
		}
		gm.Data[i*gm.Stride] = g
	}
	return &b.grad
}

// fusedGrad returns (p - y)/n, the gradient with respect to the input of a
// final Sigmoid whose output is p, and nil for any other final layer.
func (b *BinaryCrossEntropy) fusedGrad(last Layer, p *mat.Dense, y Targets) *mat.Dense {
	if _, ok := last.(*Sigmoid); !ok {
		return nil
	}
	r := checkBinary("BinaryCrossEntropy", p, y)
	reuse(&b.grad, r, 1)
	pm, gm := p.RawMatrix(), b.grad.RawMatrix()
	inv := 1 / float64(r)
	for i, l := range y.Labels {
		gm.Data[i*gm.Stride] = (pm.Data[i*pm.Stride] - float64(l)) * inv
	}
	return &b.grad
}

// String returns "BinaryCrossEntropy".
func (b *BinaryCrossEntropy) String() string { return "BinaryCrossEntropy" }
