package mlp

import (
	"fmt"
	"math"

	"github.com/mlpkit/mlp/internal/kernel"
)

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

func (o *SGD) heldParams() []Param { return o.params }

// NewSGD returns an SGD optimizer for params. It returns an error wrapping
// ErrSetting, naming the field, when a setting is out of range, and one
// when params is empty (as PyTorch's optimizers refuse). The settings
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
			gk += float64(wd * w[k]) // each product rounded on its own, never fused
			if first {
				v[k] = gk
			} else {
				v[k] = float64(mu*v[k]) + gk
			}
			if o.s.Nesterov {
				w[k] -= float64(lr * (gk + float64(mu*v[k])))
			} else {
				w[k] -= float64(lr * v[k])
			}
		}
	}
}

// LearningRate returns the current learning rate.
func (o *SGD) LearningRate() float64 { return o.s.LR }

// SetLearningRate sets the learning rate used by the next steps.
func (o *SGD) SetLearningRate(lr float64) { o.s.LR = lr }
