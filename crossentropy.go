package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

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

// String returns "CrossEntropy".
func (ce *CrossEntropy) String() string { return "CrossEntropy" }

var (
	_ Loss      = (*CrossEntropy)(nil)
	_ fusedLoss = (*CrossEntropy)(nil)
)
