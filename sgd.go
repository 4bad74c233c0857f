package mlp

import (
	"fmt"
	"math"

	"github.com/mlpkit/mlp/internal/kernel"
)

// Optimizer updates a fixed set of parameters from their gradients. It is
// bound to the parameters when it is made; Step applies one update from the
// gradients the last Backward left in them. The learning rate can be read and
// changed between steps (schedules do so once per epoch).
//
// An Optimizer keeps per-parameter state and is not safe for concurrent use.
type Optimizer interface {
	Step()
	LearningRate() float64
	SetLearningRate(lr float64)
}

// SGDSettings configure stochastic gradient descent. The zero value of every
// field but LR means "off".
type SGDSettings struct {
	// LR is the learning rate. It is required: zero, negative, NaN and Inf
	// are errors.
	LR float64
	// Momentum in [0, 1); 0 means plain SGD.
	Momentum float64
	// Nesterov selects Nesterov momentum; it needs Momentum > 0.
	Nesterov bool
	// WeightDecay >= 0 adds WeightDecay·w to every gradient (L2
	// regularisation), biases included, as PyTorch does.
	WeightDecay float64
}

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and weight decay, with PyTorch's semantics (dampening 0):
//
//	g = grad + weightDecay·w
//	v = g on the first step, then v = momentum·v + g
//	d = g + momentum·v with Nesterov, v with momentum, g without
//	w = w - lr·d
type SGD struct {
	s      SGDSettings
	params []Param
	vel    [][]float64 // momentum buffers, one per parameter
	steps  int
}

var _ Optimizer = (*SGD)(nil)

// NewSGD returns an SGD optimizer for params. It returns an error wrapping
// ErrSetting, naming the field, when a setting is out of range. The settings
// are copied; s is not changed.
func NewSGD(params []Param, s SGDSettings) (*SGD, error) {
	if err := checkLR("SGDSettings.LR", s.LR); err != nil {
		return nil, err
	}
	if !(s.Momentum >= 0 && s.Momentum < 1) {
		return nil, fmt.Errorf("%w: SGDSettings.Momentum must be in [0, 1), got %v", ErrSetting, s.Momentum)
	}
	if s.Nesterov && s.Momentum == 0 {
		return nil, fmt.Errorf("%w: SGDSettings.Nesterov needs Momentum > 0", ErrSetting)
	}
	if !(s.WeightDecay >= 0) || math.IsInf(s.WeightDecay, 1) {
		return nil, fmt.Errorf("%w: SGDSettings.WeightDecay must be >= 0 and finite, got %v", ErrSetting, s.WeightDecay)
	}
	if err := checkParams("NewSGD", params); err != nil {
		return nil, err
	}
	o := &SGD{s: s, params: append([]Param(nil), params...)}
	if s.Momentum > 0 {
		o.vel = make([][]float64, len(params))
		for i, p := range params {
			o.vel[i] = make([]float64, len(p.Value.RawMatrix().Data))
		}
	}
	return o, nil
}

// checkLR returns an error unless lr is positive and finite.
func checkLR(field string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("%w: %s must be positive and finite, got %v", ErrSetting, field, lr)
	}
	return nil
}

// checkParams returns an error unless every parameter has a value and a
// gradient of the same contiguous shape.
func checkParams(where string, params []Param) error {
	for i, p := range params {
		if p.Value == nil || p.Grad == nil {
			return fmt.Errorf("%w: %s: parameter %d (%s) has no value or gradient", ErrSetting, where, i, p.Name)
		}
		v, g := p.Value.RawMatrix(), p.Grad.RawMatrix()
		if v.Rows != g.Rows || v.Cols != g.Cols || v.Stride != v.Cols || g.Stride != g.Cols {
			return fmt.Errorf("%w: %s: parameter %d (%s) value %dx%d and gradient %dx%d are not contiguous matrices of one shape",
				ErrSetting, where, i, p.Name, v.Rows, v.Cols, g.Rows, g.Cols)
		}
	}
	return nil
}

// Step applies one SGD update to every parameter.
func (o *SGD) Step() {
	lr, mu, wd := o.s.LR, o.s.Momentum, o.s.WeightDecay
	first := o.steps == 0
	o.steps++
	for i, p := range o.params {
		w := p.Value.RawMatrix().Data
		g := p.Grad.RawMatrix().Data
		g = g[:len(w)]
		if mu == 0 {
			kernel.SGDStep(w, g, lr, wd) // w[k] -= lr * (g[k] + wd*w[k])
			continue
		}
		v := o.vel[i][:len(w)]
		for k, gk := range g {
			gk += wd * w[k]
			if first {
				v[k] = gk
			} else {
				v[k] = mu*v[k] + gk
			}
			if o.s.Nesterov {
				w[k] -= lr * (gk + mu*v[k])
			} else {
				w[k] -= lr * v[k]
			}
		}
	}
}

// LearningRate returns the current learning rate.
func (o *SGD) LearningRate() float64 { return o.s.LR }

// SetLearningRate sets the learning rate used by the next steps.
func (o *SGD) SetLearningRate(lr float64) { o.s.LR = lr }
