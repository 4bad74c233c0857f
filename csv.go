package mlp

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Sentinel errors of CSVReader. A *ParseError wraps one of them (or an error
// of encoding/csv) and also matches ErrData with errors.Is.
var (
	// ErrEmptyInput means the input has no header row, a header with
	// fewer than two columns, or no data rows after the header.
	ErrEmptyInput = errors.New("empty input")

	// ErrRagged means a row has a different number of fields from the
	// header.
	ErrRagged = errors.New("wrong number of fields")

	// ErrNotNumber means a feature or regression target cell is not a
	// number.
	ErrNotNumber = errors.New("not a number")

	// ErrNotFinite means a feature or regression target cell is NaN or
	// infinite.
	ErrNotFinite = errors.New("value is not finite")

	// ErrNoTargetColumn means the header has no column named
	// CSVReader.Target.
	ErrNoTargetColumn = errors.New("no such target column")

	// ErrBadLabel means a class label cell is not a non-negative integer.
	ErrBadLabel = errors.New("bad class label")
)

// ParseError is the error CSVReader.Read returns for input it cannot use.
// It unwraps to Err, which wraps one of ErrEmptyInput, ErrRagged,
// ErrNotNumber, ErrNotFinite, ErrNoTargetColumn and ErrBadLabel or is an
// error of encoding/csv (a misplaced quote, say), and it matches ErrData with
// errors.Is.
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

// Is reports whether target is ErrData, so that every ParseError matches
// errors.Is(err, ErrData).
func (e *ParseError) Is(target error) bool { return target == ErrData }

// CSVReader reads a Dataset from comma-separated values: a header row of
// column names, then one row per sample. One column, Target, holds the
// target; all others are features, read as float64, and their header names
// become Dataset.FeatureNames. Spaces around cells are ignored and empty
// lines are skipped.
//
// As with encoding/csv, NewCSVReader sets the defaults and the exported
// fields may be changed before Read is called. A CSVReader is not safe for
// concurrent use.
type CSVReader struct {
	// Target is the name of the target column; "" means the last column.
	Target string

	// Regression reads the target as a float64 value, giving a Dataset with
	// a one-column Y.Values. By default (false) the target is a class
	// label: an integer from 0 to 2³¹−1 ("2" or "2.0"), and
	// Dataset.Classes is the largest label + 1.
	Regression bool

	// Comma is the field delimiter, ',' by default.
	Comma rune

	r io.Reader
}

// NewCSVReader returns a CSVReader reading from r, with the target in the
// last column, class labels and ',' as the delimiter.
func NewCSVReader(r io.Reader) *CSVReader {
	return &CSVReader{Comma: ',', r: r}
}

// Read reads all remaining input and returns it as a Dataset. It allocates
// the Dataset's matrices and slices (and grows them as rows are read).
//
// Errors in the input are *ParseError values carrying the line and column
// and matching ErrData; an error of the underlying reader is returned
// wrapped, also matching ErrData.
func (c *CSVReader) Read() (*Dataset, error) {
	if c.r == nil {
		return nil, fmt.Errorf("%w: CSVReader has no input: make it with NewCSVReader and a non-nil io.Reader", ErrData)
	}
	cr := csv.NewReader(c.r)
	cr.Comma = c.Comma
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	readRecord := func() ([]string, error) {
		rec, err := cr.Read()
		if err == nil || err == io.EOF {
			return rec, err
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &ParseError{Line: pe.Line, Err: pe.Err}
		}
		return nil, fmt.Errorf("%w: reading csv: %w", ErrData, err)
	}

	header, err := readRecord()
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("%w: no header row", ErrEmptyInput)}
	}
	if err != nil {
		return nil, err
	}
	headerLine, _ := cr.FieldPos(0)
	width := len(header)
	names := make([]string, width)
	for i, h := range header {
		names[i] = strings.TrimSpace(h)
	}
	if width < 2 {
		return nil, &ParseError{Line: headerLine, Err: fmt.Errorf("%w: the header has %d column; need at least one feature and a target", ErrEmptyInput, width)}
	}
	target := width - 1
	if c.Target != "" {
		target = -1
		for i, name := range names {
			if name == c.Target {
				target = i
				break
			}
		}
		if target < 0 {
			return nil, &ParseError{Line: headerLine, Err: fmt.Errorf("%w: %q is not in the header", ErrNoTargetColumn, c.Target)}
		}
	}
	featureNames := make([]string, 0, width-1)
	featureNames = append(featureNames, names[:target]...)
	featureNames = append(featureNames, names[target+1:]...)

	var (
		xs     []float64
		labels []int
		values []float64
		rows   int
		line   = headerLine
	)
	for {
		rec, err := readRecord()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ = cr.FieldPos(0)
		if len(rec) != width {
			return nil, &ParseError{
				Line:   line,
				Column: min(len(rec), width) + 1,
				Err:    fmt.Errorf("%w: %d fields, the header has %d", ErrRagged, len(rec), width),
			}
		}
		for j, cell := range rec {
			cell = strings.TrimSpace(cell)
			cellLine, _ := cr.FieldPos(j)
			if j == target && !c.Regression {
				lab, err := parseLabel(cell)
				if err != nil {
					return nil, &ParseError{Line: cellLine, Column: j + 1, Err: err}
				}
				labels = append(labels, lab)
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, &ParseError{Line: cellLine, Column: j + 1, Err: fmt.Errorf("%w: %q in column %q", ErrNotNumber, cell, names[j])}
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &ParseError{Line: cellLine, Column: j + 1, Err: fmt.Errorf("%w: %q in column %q", ErrNotFinite, cell, names[j])}
			}
			if j == target {
				values = append(values, v)
			} else {
				xs = append(xs, v)
			}
		}
		rows++
	}
	if rows == 0 {
		return nil, &ParseError{Line: line + 1, Err: fmt.Errorf("%w: no data rows after the header", ErrEmptyInput)}
	}

	var y Targets
	if c.Regression {
		y.Values = mat.NewDense(rows, 1, values)
	} else {
		y.Labels = labels
	}
	d, err := NewDataset(mat.NewDense(rows, width-1, xs), y)
	if err != nil {
		return nil, err // not reached: every cell was checked above
	}
	d.FeatureNames = featureNames
	return d, nil
}

// maxLabel is the largest class label CSVReader accepts.
const maxLabel = math.MaxInt32

// parseLabel parses a class label cell: an integer in [0, maxLabel], written
// either as an integer ("2") or as an integral float ("2.0").
func parseLabel(cell string) (int, error) {
	if n, err := strconv.Atoi(cell); err == nil {
		switch {
		case n < 0:
			return 0, fmt.Errorf("%w: %q is negative", ErrBadLabel, cell)
		case n > maxLabel:
			return 0, fmt.Errorf("%w: %q is larger than %d", ErrBadLabel, cell, maxLabel)
		}
		return n, nil
	}
	v, err := strconv.ParseFloat(cell, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%w: %q is not a non-negative integer", ErrBadLabel, cell)
	case v != math.Trunc(v):
		return 0, fmt.Errorf("%w: %q is not an integer", ErrBadLabel, cell)
	case v < 0:
		return 0, fmt.Errorf("%w: %q is negative", ErrBadLabel, cell)
	case v > maxLabel:
		return 0, fmt.Errorf("%w: %q is larger than %d", ErrBadLabel, cell, maxLabel)
	}
	return int(v), nil
}
