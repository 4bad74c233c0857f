package mlp

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the package returns wraps one of these, so
// callers can match them with errors.Is; the message around it says what is
// wrong and where.
var (
	// ErrShape is wrapped by the panics of the low-level Layer and Loss
	// methods when the shapes of their arguments do not fit, and by the
	// errors of NewSequential and SetLayer when layers do not chain.
	ErrShape = errors.New("mlp: dimension mismatch")

	// ErrMisuse is wrapped by every panic of the package: each is a
	// programming mistake, never a fault of the data (the list is in the
	// package documentation, under Errors and panics). A panic about shapes
	// wraps ErrShape too. errors.Is(recover().(error), ErrMisuse) tells
	// such a panic from others.
	ErrMisuse = errors.New("mlp: misuse")

	// ErrSetting is wrapped by errors about settings out of range:
	// learning rates, momentum, batch sizes, epochs.
	ErrSetting = errors.New("mlp: invalid setting")

	// ErrData is wrapped by errors about data that does not fit: a width
	// that differs from the model's input, labels out of range, NaN or Inf.
	ErrData = errors.New("mlp: invalid data")

	// ErrDiverged is wrapped by the error that stops training when a step
	// would leave a non-finite loss, gradient or weight.
	ErrDiverged = errors.New("mlp: training diverged")

	// ErrFormat is wrapped by errors about a saved model that cannot be
	// read: a wrong magic header, an unknown version, a truncated or
	// inconsistent file.
	ErrFormat = errors.New("mlp: invalid model file")

	// ErrTooLarge is wrapped by errors about a model larger than the
	// ModelLimits in force: too many layers or parameters, a layer too
	// wide, or more activation memory per row than a prediction may take.
	ErrTooLarge = errors.New("mlp: model too large")
)

// shapePanic panics with an error wrapping ErrShape and ErrMisuse whose
// message starts with the name of the layer or function and says what it
// expected.
func shapePanic(where string, format string, args ...any) {
	panic(misuse(ErrShape, where, format, args...))
}

// misusePanic panics with an error wrapping ErrMisuse whose message starts
// with the name of the layer or function and says what is wrong.
func misusePanic(where string, format string, args ...any) {
	panic(misuse(nil, where, format, args...))
}

// misuse returns the panic value for a programming mistake found in where:
// an error wrapping ErrMisuse and kind (ErrShape, ErrSetting or ErrData, or
// nil), with the message "<kind>: <where>: <format with args>". It
// allocates once; the message is formatted when asked for.
func misuse(kind error, where, format string, args ...any) error {
	return &misuseError{kind: kind, where: where, format: format, args: args}
}

// misuseWrap returns err as a panic value that wraps ErrMisuse as well.
func misuseWrap(err error) error { return &misuseError{kind: err} }

// misuseError is the panic value of a programming mistake.
type misuseError struct {
	kind          error
	where, format string
	args          []any
}

func (e *misuseError) Error() string {
	kind := ErrMisuse
	if e.kind != nil {
		kind = e.kind
	}
	if e.where == "" && e.format == "" {
		return kind.Error()
	}
	return kind.Error() + ": " + e.where + ": " + fmt.Sprintf(e.format, e.args...)
}

func (e *misuseError) Unwrap() []error {
	if e.kind == nil {
		return []error{ErrMisuse}
	}
	return []error{e.kind, ErrMisuse}
}

// DivergenceError reports a training step that would have left a
// non-finite loss, gradient, weight or optimizer state, or a validation or
// evaluation batch whose loss is not finite although its data is. It wraps
// ErrDiverged.
type DivergenceError struct {
	// Epoch and Batch locate the step or the batch (0-based).
	Epoch, Batch int
	// What names what became non-finite: "loss", "gradient of <param>",
	// "weights of <param>", "the state of the optimizer <type>",
	// "validation loss" or "evaluation loss".
	What string
}

func (e *DivergenceError) Error() string {
	if strings.HasPrefix(e.What, "validation ") || strings.HasPrefix(e.What, "evaluation ") {
		return fmt.Sprintf("mlp: the model diverged: the %s of batch %d at epoch %d is not finite", e.What, e.Batch, e.Epoch)
	}
	return fmt.Sprintf("mlp: training diverged at epoch %d, batch %d: %s is not finite; the model keeps the weights from before this step",
		e.Epoch, e.Batch, e.What)
}

// Unwrap returns ErrDiverged.
func (e *DivergenceError) Unwrap() error { return ErrDiverged }
