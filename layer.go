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
// both shapes. In steady state (same batch size, or smaller than one seen
// before) they allocate nothing.
//
// A Layer is not safe for concurrent use: it owns its buffers.
type Layer interface {
	Forward(x *mat.Dense) *mat.Dense
	Backward(grad *mat.Dense) *mat.Dense

	// Params returns the trainable parameters, nil if there are none.
	Params() []Param

	// Dims returns the number of input and output columns, or 0, 0 for a
	// layer that takes any width and keeps it (an activation).
	Dims() (in, out int)

	// String names the layer in messages, for example "Linear(30->16)".
	String() string
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
