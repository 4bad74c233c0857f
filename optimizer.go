package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
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

// paramHolder is implemented by the package's optimizers: the parameters
// the optimizer was made for, which NewTrainer checks against the model's.
type paramHolder interface {
	heldParams() []Param
}

// checkOptimizerParams returns an error wrapping ErrSetting when opt
// declares its parameters (paramHolder) and one of them is not a parameter
// of the model, whose parameters are model: an optimizer made for another
// model, or for the model before a Clone, would step matrices the model
// does not use and train nothing. An optimizer for a subset of the model's
// parameters is accepted (the rest stay frozen).
func checkOptimizerParams(opt Optimizer, model []Param) error {
	h, ok := opt.(paramHolder)
	if !ok {
		return nil
	}
	own := make(map[*mat.Dense]bool, len(model))
	for _, p := range model {
		own[p.Value] = true
	}
	for i, p := range h.heldParams() {
		if !own[p.Value] {
			return fmt.Errorf("%w: NewTrainer: parameter %d (%s) of the %T is not a parameter of the model: the optimizer was made for another model (or for this one before a Clone or SetLayer); make it with model.Params()",
				ErrSetting, i, p.Name, opt)
		}
	}
	return nil
}

// checkLR returns an error unless lr is positive and finite.
func checkLR(field string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 1) {
		return fmt.Errorf("%w: %s must be positive and finite, got %v", ErrSetting, field, lr)
	}
	return nil
}

// checkParams returns an error unless there is at least one parameter (as
// PyTorch refuses an empty parameter list) and every parameter has a value
// and a gradient of the same contiguous shape.
func checkParams(where string, params []Param) error {
	if len(params) == 0 {
		return fmt.Errorf("%w: %s: no parameters to optimize", ErrSetting, where)
	}
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
