package mlp

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Param is one trainable parameter of a layer: its value and the gradient of
// the loss with respect to it. Both matrices have the same shape and are
// contiguous (their stride equals their number of columns), so optimizers
// can update them element by element through RawMatrix().Data without
// knowing which layer they belong to.
//
// A layer's Backward overwrites Grad; gradients are never accumulated across
// calls, so there is nothing to zero between steps.
type Param struct {
	// Name identifies the parameter inside its layer, "W" or "b".
	Name string
	// Value is the parameter itself, owned by the layer.
	Value *mat.Dense
	// Grad is dLoss/dValue after the last Backward, owned by the layer.
	Grad *mat.Dense
}

// Layer is one stage of a feedforward network. Rows are samples.
//
// Forward computes the layer's output for the batch x and returns a matrix
// owned by the layer, valid until the next call to Forward. The layer keeps
// what it needs for Backward (x itself or its own output), so x must not be
// changed between Forward and Backward.
//
// Backward takes dLoss/dOutput for the batch of the last Forward, fills the
// gradients of the layer's parameters and returns dLoss/dInput, a matrix owned
// by the layer and valid until the next call to Backward.
//
// Forward and Backward panic with an error wrapping ErrShape when a matrix
// does not have the shape the layer expects; the message names the layer and
// both shapes. Backward panics with an error wrapping ErrMisuse when Forward
// has not run. In steady state (same batch size, or smaller than one seen
// before) they allocate nothing.
//
// What else a layer can do is declared by the optional capabilities
// Parameterized (trainable parameters), Predictor (prediction that writes
// nothing shared), Cloner (a deep copy) and TrainingModer (different
// behaviour in training and evaluation); every layer of this package has
// the ones that apply to it. A user's own layer needs only the methods of
// Layer.
//
// Forward and Backward are not safe for concurrent use: a layer owns its
// buffers.
type Layer interface {
	Forward(x *mat.Dense) *mat.Dense
	Backward(grad *mat.Dense) *mat.Dense

	// Dims returns the number of input and output columns, or 0, 0 for a
	// layer that takes any width and keeps it (an activation).
	Dims() (in, out int)

	// String names the layer in messages, for example "Linear(30->16)".
	String() string
}

// Parameterized is implemented by layers with trainable parameters.
// Sequential.Params collects the parameters of the layers that implement
// it; a layer without parameters need not.
//
// Params returns the parameters, in a fixed order; the matrices are the
// layer's own, so an optimizer made for them updates the layer.
type Parameterized interface {
	Params() []Param
}

// TrainingModer is implemented by layers that behave differently in
// training and evaluation, such as Dropout. Sequential.SetTraining
// switches every layer that implements it.
type TrainingModer interface {
	SetTraining(training bool)
}

// Cloner is implemented by layers that can make a deep copy of themselves.
// Sequential.Clone copies a model layer by layer through it.
//
// CloneLayer returns a new layer of the same type, configuration and
// parameters, bit for bit, in the same training or evaluation mode, that
// shares no memory with the original, or an error if the layer cannot be
// copied (for example a random source whose state cannot be read). It
// reads the original only.
type Cloner interface {
	CloneLayer() (Layer, error)
}

// Predictor is implemented by layers that can compute their output without
// writing to themselves, so that one model predicts from many goroutines at
// once. Every layer of this package implements it; Sequential's prediction
// methods run a layer without it through Forward, one call at a time (see
// Sequential.Predict).
//
// PredictInto writes the layer's output for x in evaluation mode into dst,
// which the caller sizes: x's rows by the layer's output width (the width
// of x for a layer that keeps it). dst does not overlap x. ws is scratch
// memory of the calling goroutine, which the layer may use while
// PredictInto runs; a nil ws is allowed (the layer then allocates what it
// needs). PredictInto must read the layer's parameters and settings only
// and write nothing but dst and ws, so that any number of calls may run at
// once with distinct dst and ws. It panics with an error wrapping ErrShape
// when x or dst does not have the expected shape.
type Predictor interface {
	PredictInto(dst, x *mat.Dense, ws *Workspace)
}

// reuse sizes d as an r×c matrix, keeping its backing array whenever it is
// large enough, so that alternating batch sizes allocate nothing.
func reuse(d *mat.Dense, r, c int) {
	if !d.IsEmpty() {
		if dr, dc := d.Dims(); dr == r && dc == c {
			return
		}
		d.Reset()
	}
	d.ReuseAs(r, c)
}

// dimsOf returns the dimensions of m as "rxc", for messages.
func dimsOf(m mat.Matrix) string {
	r, c := m.Dims()
	return fmt.Sprintf("%dx%d", r, c)
}
