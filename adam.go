package mlp

import (
	"fmt"
	"math"
)

// The defaults a zero AdamSettings field stands for, PyTorch's.
const (
	defaultAdamBeta1 = 0.9
	defaultAdamBeta2 = 0.999
	defaultAdamEps   = 1e-8
)

// AdamSettings configure Adam and AdamW. LR is required; a zero Betas or
// Eps means PyTorch's default, and a zero WeightDecay means no decay.
type AdamSettings struct {
	// LR is the learning rate. It is required: zero, negative, NaN and Inf
	// are errors.
	LR float64

	// Betas are the decay rates of the running averages of the gradient
	// and of its square. The zero value [0, 0] means PyTorch's defaults
	// [0.9, 0.999]; any other value
	// must have both entries in [0, 1). A single zero beta, such as
	// [0, 0.999], is allowed, but both betas exactly 0 cannot be expressed.
	Betas [2]float64

	// Eps >= 0 is added to the denominator for numerical stability; zero
	// means 1e-8, PyTorch's default. Negative, NaN and Inf are errors.
	Eps float64

	// WeightDecay >= 0 is the weight decay, applied to weights and biases
	// alike as PyTorch does. Adam adds WeightDecay·w to the gradient (L2
	// regularisation); AdamW multiplies w by 1 - lr·WeightDecay before the
	// update (decoupled decay). Zero means no decay for both, although
	// PyTorch's AdamW defaults to 0.01: set it explicitly. Negative, NaN and
	// Inf are errors.
	WeightDecay float64
}

// Adam is the Adam optimizer (Kingma and Ba, 2015) with PyTorch's
// semantics, weight decay as an L2 term in the gradient. For each parameter
// entry w with gradient grad, at step t counting from 1:
//
//	g = grad + weightDecay·w
//	m = β1·m + (1-β1)·g
//	v = β2·v + (1-β2)·g²
//	w = w - lr·(m/(1-β1ᵗ)) / (sqrt(v/(1-β2ᵗ)) + eps)
//
// m and v start at zero. Their storage is allocated by NewAdam; Step
// allocates nothing. An Adam is not safe for concurrent use.
type Adam struct {
	c adamCore
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter, 2019)
// and PyTorch's semantics: each step first shrinks every parameter entry,
//
//	w = w·(1 - lr·weightDecay)
//
// and then applies the Adam update of Adam with no weight decay term in the
// gradient. The state is allocated by NewAdamW; Step allocates nothing. An
// AdamW is not safe for concurrent use.
type AdamW struct {
	c adamCore
}

func (o *Adam) heldParams() []Param  { return o.c.params }
func (o *AdamW) heldParams() []Param { return o.c.params }

var (
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*AdamW)(nil)
)

// NewAdam returns an Adam optimizer for params. The zero fields of s take
// their documented defaults; s itself is not changed. It returns an error
// wrapping ErrSetting, naming the field, when a setting is out of range,
// when params is empty (as PyTorch's optimizers refuse), or when a
// parameter has no value or gradient or they differ in shape.
// The first- and second-moment buffers, one float64 each per parameter
// entry, are allocated here.
func NewAdam(params []Param, s AdamSettings) (*Adam, error) {
	c, err := newAdamCore("NewAdam", params, s, false)
	if err != nil {
		return nil, err
	}
	return &Adam{c: c}, nil
}

// NewAdamW returns an AdamW optimizer for params. The zero fields of s take
// their documented defaults (a zero WeightDecay means no decay, not
// PyTorch's 0.01); s itself is not changed. It returns an error wrapping
// ErrSetting, naming the field, when a setting is out of range, when params
// is empty (as PyTorch's optimizers refuse), or when a
// parameter has no value or gradient or they differ in shape. The first-
// and second-moment buffers, one float64 each per parameter entry, are
// allocated here.
func NewAdamW(params []Param, s AdamSettings) (*AdamW, error) {
	c, err := newAdamCore("NewAdamW", params, s, true)
	if err != nil {
		return nil, err
	}
	return &AdamW{c: c}, nil
}

// Step applies one Adam update to every parameter from its current
// gradient. It allocates nothing.
func (o *Adam) Step() { o.c.step() }

// LearningRate returns the current learning rate.
func (o *Adam) LearningRate() float64 { return o.c.s.LR }

// SetLearningRate sets the learning rate used by the next steps. The moment
// estimates and the step count are kept.
func (o *Adam) SetLearningRate(lr float64) { o.c.s.LR = lr }

// Step applies the decoupled weight decay and then one Adam update to every
// parameter from its current gradient. It allocates nothing.
func (o *AdamW) Step() { o.c.step() }

// LearningRate returns the current learning rate.
func (o *AdamW) LearningRate() float64 { return o.c.s.LR }

// SetLearningRate sets the learning rate used by the next steps, for the
// Adam update and the weight decay alike. The moment estimates and the step
// count are kept.
func (o *AdamW) SetLearningRate(lr float64) { o.c.s.LR = lr }

// adamCore is the state and update shared by Adam and AdamW.
type adamCore struct {
	s         AdamSettings // with the defaults filled in
	decoupled bool         // AdamW: decay the weights instead of the gradient
	params    []Param
	m, v      [][]float64 // first- and second-moment estimates per parameter
	steps     int
}

// newAdamCore checks s and params and allocates the moment buffers. where
// names the constructor in messages about params.
func newAdamCore(where string, params []Param, s AdamSettings, decoupled bool) (adamCore, error) {
	if err := checkLR("AdamSettings.LR", s.LR); err != nil {
		return adamCore{}, err
	}
	if s.Betas == [2]float64{} {
		s.Betas = [2]float64{defaultAdamBeta1, defaultAdamBeta2}
	}
	for i, b := range s.Betas {
		if !(b >= 0 && b < 1) {
			return adamCore{}, fmt.Errorf("%w: AdamSettings.Betas[%d] must be in [0, 1), got %v", ErrSetting, i, b)
		}
	}
	if !(s.Eps >= 0) || math.IsInf(s.Eps, 1) {
		return adamCore{}, fmt.Errorf("%w: AdamSettings.Eps must be >= 0 and finite, got %v", ErrSetting, s.Eps)
	}
	if s.Eps == 0 {
		s.Eps = defaultAdamEps
	}
	if !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 1) {
		return adamCore{}, fmt.Errorf("%w: AdamSettings.WeightDecay must be >= 0 and finite, got %v", ErrSetting, s.WeightDecay)
	}
	if err := checkParams(where, params); err != nil {
		return adamCore{}, err
	}
	c := adamCore{
		s:         s,
		decoupled: decoupled,
		params:    append([]Param(nil), params...),
		m:         make([][]float64, len(params)),
		v:         make([][]float64, len(params)),
	}
	n := 0
	for _, p := range params {
		n += len(p.Value.RawMatrix().Data)
	}
	buf := make([]float64, 2*n)
	for i, p := range params {
		k := len(p.Value.RawMatrix().Data)
		c.m[i], buf = buf[:k:k], buf[k:]
		c.v[i], buf = buf[:k:k], buf[k:]
	}
	return c, nil
}

// step applies one update. The order of operations follows PyTorch's
// single-tensor implementation, so results agree to the last bits or so.
func (c *adamCore) step() {
	c.steps++
	t := float64(c.steps)
	lr, b1, b2, eps := c.s.LR, c.s.Betas[0], c.s.Betas[1], c.s.Eps
	stepSize := lr / (1 - math.Pow(b1, t))
	bc2Sqrt := math.Sqrt(1 - math.Pow(b2, t))
	wd, decay := c.s.WeightDecay, 1.0
	if c.decoupled {
		wd, decay = 0, 1-float64(lr*c.s.WeightDecay)
	}
	for i, p := range c.params {
		w := p.Value.RawMatrix().Data
		g := p.Grad.RawMatrix().Data[:len(w)]
		m := c.m[i][:len(w)]
		v := c.v[i][:len(w)]
		for k, gk := range g {
			if c.decoupled {
				w[k] *= decay
			} else {
				gk += float64(wd * w[k])
			}
			// The conversions round each product on its own: no compiler
			// fuses it into the sum (Go may on arm64 and amd64 v3).
			m[k] = float64(b1*m[k]) + float64((1-b1)*gk)
			v[k] = float64(b2*v[k]) + float64((1-b2)*gk*gk)
			w[k] -= float64(stepSize * (m[k] / (math.Sqrt(v[k])/bc2Sqrt + eps)))
		}
	}
}

// stateFinite reports whether every moment estimate is finite.
func (c *adamCore) stateFinite() bool {
	for i := range c.m {
		if !allFinite(c.m[i]) || !allFinite(c.v[i]) {
			return false
		}
	}
	return true
}

// StateFinite reports whether Adam's moment estimates are all finite. A
// finite gradient can overflow the second moment (g² > 1.8e308 for
// |g| > 1.3e154), after which every update is 0; Trainer.Fit asks after
// each step (see StateChecker) and stops with a *DivergenceError.
func (o *Adam) StateFinite() bool { return o.c.stateFinite() }

// StateFinite reports whether AdamW's moment estimates are all finite (see
// Adam.StateFinite).
func (o *AdamW) StateFinite() bool { return o.c.stateFinite() }

var (
	_ StateChecker = (*Adam)(nil)
	_ StateChecker = (*AdamW)(nil)
)
