package onnx

import (
	"errors"
	"fmt"
)

// ErrUnsupported is wrapped by the errors of Export for a model it cannot
// write (a layer type it does not know, categorical columns) and of Import
// for a valid ONNX graph that is not a feedforward net of the operators it
// reads (a convolution, a second input, a weight computed at run time).
// Errors about files that are not valid ONNX, or that exceed Import's caps,
// wrap mlp.ErrFormat instead.
var ErrUnsupported = errors.New("onnx: unsupported")

// NodeError is the error of Import about one node of the graph. It wraps
// ErrUnsupported or mlp.ErrFormat.
type NodeError struct {
	// Index is the node's position in the graph, from 0.
	Index int
	// Name is the node's name, possibly empty.
	Name string
	// Op is the node's operator, for example "Conv".
	Op string
	// Err says what is wrong.
	Err error
}

// Error returns, for example,
// `node 3 "/conv/Conv" (Conv): onnx: unsupported: operator Conv is not part of a feedforward net that Import reads`;
// Import returns it wrapped, after "onnx: Import: ".
func (e *NodeError) Error() string {
	return fmt.Sprintf("node %d %q (%s): %v", e.Index, e.Name, e.Op, e.Err)
}

// Unwrap returns Err.
func (e *NodeError) Unwrap() error { return e.Err }
