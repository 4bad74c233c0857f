package mlp

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Sequential chains layers: the output of each is the input of the next. It
// holds no criterion; Backprop combines a model with a Loss, and a Trainer
// ties model, criterion and optimizer.
//
// A Sequential owns the buffers of its layers and is not safe for concurrent
// use, prediction included. Use Clone to predict from several goroutines.
type Sequential struct {
	layers []Layer
	in     int
	out    *mat.Dense // output of the last Forward
	outW   int
	eval   bool
	dx     *mat.Dense // input gradient of the last backward pass
}

// NewSequential returns a model made of layers, in order. It returns an
// error wrapping ErrShape if two layers with fixed widths do not chain (the
// message names both), and an error if there are no layers, a layer is nil
// (a nil interface or a nil pointer such as (*Linear)(nil)), or none of
// them fixes the input width.
func NewSequential(layers ...Layer) (*Sequential, error) {
	in, out, err := chain("NewSequential", layers)
	if err != nil {
		return nil, err
	}
	return &Sequential{layers: append([]Layer(nil), layers...), in: in, outW: out}, nil
}

// chain returns the input width of the first layer with a fixed width and
// the output width of the last, or an error wrapping ErrShape, starting with
// where, if there are no layers, one is nil, two do not chain or none fixes
// the input width.
func chain(where string, layers []Layer) (in, out int, err error) {
	if len(layers) == 0 {
		return 0, 0, fmt.Errorf("%w: %s: no layers", ErrShape, where)
	}
	width, prev := 0, -1
	for i, l := range layers {
		if isNil(l) {
			return 0, 0, fmt.Errorf("%w: %s: layer %d is nil", ErrShape, where, i)
		}
		li, lo := l.Dims()
		if li == 0 {
			continue
		}
		if prev < 0 {
			in = li
		} else if li != width {
			return 0, 0, fmt.Errorf("%w: %s: layer %d %v takes %d inputs but layer %d %v gives %d",
				ErrShape, where, i, l, li, prev, layers[prev], width)
		}
		width, prev = lo, i
	}
	if prev < 0 {
		return 0, 0, fmt.Errorf("%w: %s: no layer fixes the input width", ErrShape, where)
	}
	return in, width, nil
}

// check returns an error wrapping ErrShape, starting with where, unless
// the layers still chain with the widths the model was made with: the slice
// Layers returns is the model's own, and a layer replaced in it by nil or by
// one of another width would make Forward panic.
func (s *Sequential) check(where string) error {
	in, out, err := chain(where, s.layers)
	if err != nil {
		return err
	}
	if in != s.in || out != s.outW {
		return fmt.Errorf("%w: %s: the layers now take %d and give %d columns; the model was made taking %d and giving %d",
			ErrShape, where, in, out, s.in, s.outW)
	}
	return nil
}

// Layers returns the model's layers, in order. The slice is the model's own.
func (s *Sequential) Layers() []Layer { return s.layers }

// InputSize returns the number of input columns the model takes.
func (s *Sequential) InputSize() int { return s.in }

// OutputSize returns the number of output columns the model gives.
func (s *Sequential) OutputSize() int { return s.outW }

// Params returns the parameters of every layer, in layer order.
func (s *Sequential) Params() []Param {
	var ps []Param
	for _, l := range s.layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// SetTraining switches every layer that behaves differently in training and
// evaluation (Dropout) to training mode (true) or evaluation mode (false).
// A new model is in training mode.
func (s *Sequential) SetTraining(training bool) {
	s.eval = !training
	for _, l := range s.layers {
		if t, ok := l.(interface{ SetTraining(bool) }); ok {
			t.SetTraining(training)
		}
	}
}

// Training reports whether the model is in training mode.
func (s *Sequential) Training() bool { return !s.eval }

// Forward runs x through every layer and returns the last layer's output,
// owned by that layer and valid until the next Forward. It panics with an
// error wrapping ErrShape if x does not have InputSize columns.
func (s *Sequential) Forward(x *mat.Dense) *mat.Dense {
	if _, c := x.Dims(); c != s.in {
		shapePanic("Sequential.Forward", "input is %s, the model takes %d columns", dimsOf(x), s.in)
	}
	for _, l := range s.layers {
		x = l.Forward(x)
	}
	s.out = x
	return x
}

// Backward takes dLoss/dOutput for the batch of the last Forward,
// propagates it through every layer, filling the parameter gradients, and
// returns dLoss/dInput.
func (s *Sequential) Backward(grad *mat.Dense) *mat.Dense {
	return s.backwardFrom(len(s.layers)-1, grad, true)
}

// backwardFrom propagates grad, the gradient with respect to the output of
// layer i, back through layers i, i-1, ..., 0. With inputGrad false, a
// first layer that can fill its parameter gradients alone (Linear) skips
// computing dLoss/dInput, and backwardFrom returns nil.
func (s *Sequential) backwardFrom(i int, grad *mat.Dense, inputGrad bool) *mat.Dense {
	for ; i >= 0; i-- {
		if i == 0 && !inputGrad {
			if l, ok := s.layers[0].(interface{ backwardParams(*mat.Dense) }); ok {
				l.backwardParams(grad)
				s.dx = nil
				return nil
			}
		}
		grad = s.layers[i].Backward(grad)
	}
	s.dx = grad
	return grad
}

// InputGrad returns dLoss/dInput computed by the last Backward or Backprop,
// owned by the first layer and valid until the next backward pass; nil
// before the first. The steps of Trainer.Fit do not compute it: after them
// it is nil when the first layer is a Linear.
func (s *Sequential) InputGrad() *mat.Dense { return s.dx }

// predictChunk is the number of rows prediction runs through the model at
// once, so that predicting a large matrix does not grow the layers' buffers
// beyond it.
const predictChunk = 512

// PredictProba returns the model's output for x (class probabilities when
// the model ends in Softmax), in a new matrix. It runs in evaluation mode and
// restores the previous mode. It returns an error wrapping ErrData if x does
// not have InputSize columns or holds NaN or Inf, and one wrapping
// ErrSetting if s is nil.
//
// PredictProba uses the model's buffers: it is not safe for concurrent use
// and must not run between a Forward and its Backward.
func (s *Sequential) PredictProba(x mat.Matrix) (*mat.Dense, error) {
	if err := s.checkInput(x); err != nil {
		return nil, err
	}
	r, _ := x.Dims()
	res := mat.NewDense(r, s.outW, nil)
	wasTraining := !s.eval
	if wasTraining {
		s.SetTraining(false)
		defer s.SetTraining(true)
	}
	xd, ok := x.(*mat.Dense)
	if !ok {
		xd = mat.DenseCopyOf(x)
	}
	for i := 0; i < r; i += predictChunk {
		n := min(predictChunk, r-i)
		out := s.Forward(xd.Slice(i, i+n, 0, s.in).(*mat.Dense))
		res.Slice(i, i+n, 0, s.outW).(*mat.Dense).Copy(out)
	}
	return res, nil
}

// PredictClasses returns the class each row of x predicts, by the rule of
// Classify: one output column is the probability of class 1 (> 0.5 predicts
// 1), several give the column of the largest entry (the first on ties).
// Errors are those of PredictProba.
func (s *Sequential) PredictClasses(x mat.Matrix) ([]int, error) {
	p, err := s.PredictProba(x)
	if err != nil {
		return nil, err
	}
	return Classify(p, nil), nil
}

// checkInput returns an error unless x has the model's input width and only
// finite values.
func (s *Sequential) checkInput(x mat.Matrix) error {
	if s == nil || len(s.layers) == 0 {
		return fmt.Errorf("%w: the model is nil or has no layers; make it with NewSequential", ErrSetting)
	}
	if err := s.check("predict"); err != nil {
		return err
	}
	if isNil(x) {
		return fmt.Errorf("%w: input is nil", ErrData)
	}
	r, c := x.Dims()
	if c != s.in {
		return fmt.Errorf("%w: input has %d columns, the model takes %d", ErrData, c, s.in)
	}
	if r == 0 {
		return fmt.Errorf("%w: input has no rows", ErrData)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := x.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: input row %d, column %d is %v", ErrData, i, j, v)
			}
		}
	}
	return nil
}

// Clone returns a deep copy of s: the same layers with the same weights, bit
// for bit, and buffers of its own, in the same training or evaluation mode.
// The copy shares nothing with s: training s afterwards does not change it,
// and goroutines that each have their own copy can predict concurrently.
//
// Clone writes s with Save and reads it back with Load, so it copies the
// layer types Save knows; for a model with another layer type or a
// non-finite weight it returns the error of Save, which wraps ErrFormat and
// names the layer. A Dropout of the copy draws its masks from the source Load
// gives it (see Load), not from the original's source. Clone allocates the
// encoded model, 8 bytes per weight and bias, besides the copy itself.
func (s *Sequential) Clone() (*Sequential, error) {
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		return nil, err
	}
	c, err := Load(&buf)
	if err != nil {
		return nil, fmt.Errorf("mlp: Clone: reading back the saved model: %w", err)
	}
	c.SetTraining(s.Training())
	return c, nil
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
	last := len(m.layers) - 1
	loss := criterionLoss(crit, m.layers[last], out, y)
	if f, ok := crit.(fusedLoss); ok {
		if g := f.fusedGrad(m.layers[last], out, y); g != nil {
			m.backwardFrom(last-1, g, inputGrad)
			return loss
		}
	}
	m.backwardFrom(last, crit.Grad(out, y), inputGrad)
	return loss
}
