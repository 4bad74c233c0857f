package tabular

import (
	"errors"
	"fmt"

	"github.com/mlpkit/mlp"
)

// Errors of package tabular.
//
// Every error the package returns wraps one of the classes of package mlp,
// so that a caller can tell them apart with errors.Is: mlp.ErrData for data
// that cannot be used (a bad cell, a missing column, a label that is not
// one of the classes), mlp.ErrSetting for settings that cannot work,
// mlp.ErrFormat for a saved pipeline that cannot be read, and
// mlp.ErrTooLarge for input or a model beyond a cap. An error about a CSV
// input or a cell also wraps one of the sentinels below, which says what
// is wrong; its message says where. A *ParseError (a CSV input) and a
// *RecordError (a record given to predict) carry the place as fields.
var (
	// ErrEmptyInput means a CSV input has no header row, or no data rows
	// after the header (counting rows whose target is missing as absent),
	// or a header of one column that looks delimited by another rune.
	ErrEmptyInput = errors.New("empty input")

	// ErrRagged means a CSV row has a different number of fields from the
	// header.
	ErrRagged = errors.New("wrong number of fields")

	// ErrNotNumber means a cell of a numeric column is text.
	ErrNotNumber = errors.New("not a number")

	// ErrOutOfRange means a number is beyond float64's range (1e309).
	ErrOutOfRange = errors.New("number out of range")

	// ErrNotFinite means a cell is Inf, or NaN where NaN is not a missing
	// value.
	ErrNotFinite = errors.New("value is not finite")

	// ErrNoColumn means a column named in the settings is not in the
	// header, or an index is out of range; the message lists the header.
	ErrNoColumn = errors.New("no such column")

	// ErrDuplicateColumn means two header columns have the same name.
	ErrDuplicateColumn = errors.New("duplicate column name")

	// ErrUnnamedColumn means a header column has an empty name (after
	// trimming spaces), as in "a,,b". It is refused even for a column the
	// settings would ignore: a feature named "" could not be matched by
	// name later.
	ErrUnnamedColumn = errors.New("unnamed column")

	// ErrMixedColumn means a column holds both numbers and text where
	// numbers are needed. CSVReader no longer returns it: a column of
	// numbers and text is text, as pandas reads it.
	ErrMixedColumn = errors.New("column mixes numbers and text")

	// ErrInvalidUTF8 means a header name, or a text that becomes a class
	// or a category, is not valid UTF-8: two such texts may print alike,
	// and no JSON key can name them. It wraps mlp.ErrData.
	ErrInvalidUTF8 error = &dataError{"text is not valid UTF-8"}

	// ErrBadLabel means a class label cannot be read as one: a number whose
	// text is not exactly an integer, or a target that does not fit the
	// task asked for.
	ErrBadLabel = errors.New("bad class label")

	// ErrLimit means a CSV input exceeds one of the reader's Limits
	// (MaxBytes, MaxLineBytes, MaxFields, MaxFieldBytes, MaxCategories).
	// It wraps mlp.ErrTooLarge, so errors.Is(err, mlp.ErrTooLarge) holds
	// for every error wrapping it.
	ErrLimit error = &tooLargeError{"input exceeds a limit"}
)

// dataError is a sentinel error that also matches mlp.ErrData, without
// mlp.ErrData's text in its message.
type dataError struct{ msg string }

func (e *dataError) Error() string { return e.msg }

// Unwrap returns mlp.ErrData.
func (e *dataError) Unwrap() error { return mlp.ErrData }

// tooLargeError is a sentinel error that also matches mlp.ErrTooLarge,
// without mlp.ErrTooLarge's text in its message.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string { return e.msg }

// Unwrap returns mlp.ErrTooLarge.
func (e *tooLargeError) Unwrap() error { return mlp.ErrTooLarge }

// overCap returns err, which says that data passes a cap of the package,
// as an error that also matches mlp.ErrTooLarge, with err's message.
func overCap(err error) error { return &overCapError{err} }

// overCapError is the error of overCap.
type overCapError struct{ err error }

func (e *overCapError) Error() string { return e.err.Error() }

// Unwrap returns the error and mlp.ErrTooLarge.
func (e *overCapError) Unwrap() []error { return []error{e.err, mlp.ErrTooLarge} }

// ParseError is the error CSVReader.ReadAll returns for input it cannot
// use. It unwraps to Err, which wraps one of the sentinels above or is an
// error of encoding/csv (a misplaced quote, say), and it matches
// mlp.ErrData with errors.Is.
type ParseError struct {
	// Line is the 1-based line of the input where the error is.
	Line int

	// Column is the 1-based field (cell) number within the record, not a
	// byte offset: for a ragged row, the first missing or extra field. It
	// is 0 when the error is about the whole input or the header, or when
	// encoding/csv does not say which field.
	Column int

	// Err is the underlying error.
	Err error
}

// Error returns a message of the form
// "mlp: csv line 7, column 3: not a number: ...".
func (e *ParseError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("mlp: csv line %d, column %d: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("mlp: csv line %d: %v", e.Line, e.Err)
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// Is reports whether target is mlp.ErrData, so that every ParseError
// matches errors.Is(err, mlp.ErrData).
func (e *ParseError) Is(target error) bool { return target == mlp.ErrData }
