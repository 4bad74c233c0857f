package mlp

import (
	"fmt"
	"math"
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
