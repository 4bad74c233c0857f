package tabular

import (
	"math"

	"github.com/mlpkit/mlp"
)

// sklearnAdam is scikit-learn 1.2's Adam update (AdamOptimizer in
// sklearn/neural_network/_stochastic_optimizers.py), which MLPClassifier
// and MLPRegressor train with. For each parameter entry w with gradient g,
// at step t counting from 1:
//
//	m = β1·m + (1−β1)·g
//	v = β2·v + (1−β2)·g²
//	w = w + (−lr·√(1−β2ᵗ)/(1−β1ᵗ))·m / (√v + ε)
//
// ε is added to √v, not to the bias-corrected √v̂ as in mlp.Adam (PyTorch's
// update); the two differ where √v is comparable to ε. The operations are
// those of scikit-learn in its order, each product rounded on its own, so
// that equal gradients give equal weights to the last bits or so. m and v
// start at zero and are allocated by newSklearnAdam; Step allocates nothing.
// A sklearnAdam is not safe for concurrent use.
type sklearnAdam struct {
	params          []mlp.Param
	m, v            [][]float64
	lr, b1, b2, eps float64
	t               int
}

var (
	_ mlp.Optimizer    = (*sklearnAdam)(nil)
	_ mlp.StateChecker = (*sklearnAdam)(nil)
)

// newSklearnAdam returns scikit-learn's Adam for params with learning rate
// lr, decay rates b1 and b2 and ε eps, which the caller has checked.
func newSklearnAdam(params []mlp.Param, lr, b1, b2, eps float64) *sklearnAdam {
	o := &sklearnAdam{params: params, lr: lr, b1: b1, b2: b2, eps: eps}
	n := 0
	for _, p := range params {
		n += len(p.Value.RawMatrix().Data)
	}
	buf := make([]float64, 2*n)
	for _, p := range params {
		k := len(p.Value.RawMatrix().Data)
		o.m = append(o.m, buf[:k:k])
		o.v = append(o.v, buf[k:2*k:2*k])
		buf = buf[2*k:]
	}
	return o
}

// Step applies one update to every parameter from its gradient.
func (o *sklearnAdam) Step() {
	o.t++
	t := float64(o.t)
	b1, b2, eps := o.b1, o.b2, o.eps
	step := o.lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
	for i, p := range o.params {
		w := p.Value.RawMatrix().Data
		g := p.Grad.RawMatrix().Data[:len(w)]
		m := o.m[i][:len(w)]
		v := o.v[i][:len(w)]
		for k, gk := range g {
			// The conversions keep the compiler from fusing a product
			// into a sum, as NumPy does not.
			m[k] = float64(b1*m[k]) + float64((1-b1)*gk)
			v[k] = float64(b2*v[k]) + float64((1-b2)*float64(gk*gk))
			w[k] += float64(-step*m[k]) / (math.Sqrt(v[k]) + eps)
		}
	}
}

// LearningRate returns the learning rate, scikit-learn's learning_rate_init.
func (o *sklearnAdam) LearningRate() float64 { return o.lr }

// SetLearningRate sets the learning rate of the next steps, keeping the
// moments and the step count.
func (o *sklearnAdam) SetLearningRate(lr float64) { o.lr = lr }

// StateFinite reports whether every moment estimate is finite.
func (o *sklearnAdam) StateFinite() bool {
	for i := range o.m {
		for k := range o.m[i] {
			if math.IsInf(o.m[i][k], 0) || math.IsNaN(o.m[i][k]) || math.IsInf(o.v[i][k], 0) || math.IsNaN(o.v[i][k]) {
				return false
			}
		}
	}
	return true
}
