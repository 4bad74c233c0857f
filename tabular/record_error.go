package tabular

import (
	"fmt"

	"github.com/mlpkit/mlp"
)

// RecordError reports a cell that a Pipeline cannot read when it predicts
// raw records (PredictRecords, PredictMaps): which record of the call
// (0-based, in the order given), which column, and why. Programs that know
// where the records came from turn it into their own terms, such as a CSV
// line. It matches mlp.ErrData with errors.Is, and unwraps to Err, which may
// wrap ErrNotNumber, ErrNotFinite or ErrOutOfRange.
type RecordError struct {
	// Record is the 0-based index of the record in the call.
	Record int
	// Column is the name of the column.
	Column string
	// Err says what is wrong with the cell.
	Err error
}

// Error returns a message of the form
// `record 3 (0-based), column "age": not a number: "old"`.
func (e *RecordError) Error() string {
	return fmt.Sprintf("record %d (0-based), column %s: %v", e.Record, quote(e.Column), e.Err)
}

// Unwrap returns e.Err.
func (e *RecordError) Unwrap() error { return e.Err }

// Is reports whether target is mlp.ErrData, so that every RecordError matches
// errors.Is(err, mlp.ErrData).
func (e *RecordError) Is(target error) bool { return target == mlp.ErrData }
