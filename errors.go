package mlp

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these, so
// callers can match them with errors.Is; the message around it says what is
// wrong and where.
var (
	// ErrShape is wrapped by the panics of the low-level Layer and Loss
	// methods when the shapes of their arguments do not fit.
	ErrShape = errors.New("mlp: dimension mismatch")

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
)

// shapePanic panics with an error wrapping ErrShape whose message starts
// with the name of the layer or function and says what it expected.
func shapePanic(where string, format string, args ...any) {
	panic(fmt.Errorf("%w: %s: %s", ErrShape, where, fmt.Sprintf(format, args...)))
}
