package mlp

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Dataset is a table of samples: row i of X holds the features of sample i
// and Y holds its target, a class label (Y.Labels) for classification or a
// row of values (Y.Values) for regression.
//
// A Dataset is plain data: it does no locking, and nothing in this package
// changes a Dataset it is given. Code that reads a Dataset concurrently is
// safe as long as nothing writes to it.
type Dataset struct {
	// X holds one row per sample and one column per feature.
	X *mat.Dense

	// Y holds the targets: exactly one of Y.Labels (classification, one
	// non-negative label per row of X) and Y.Values (regression, one row per
	// row of X) is set.
	Y Targets

	// Classes is the number of classes, the largest label + 1, for
	// classification, and 0 for regression.
	Classes int

	// FeatureNames names the columns of X. It is nil when the names are not
	// known; CSVReader sets it from the header row.
	FeatureNames []string
}

// NewDataset checks x and y and returns a Dataset holding them. Exactly one of
// y.Labels and y.Values must be set, with one entry (row) per row of x; every
// value of x and y.Values must be finite and every label non-negative.
// Classes is set to the largest label + 1 for classification and to 0 for
// regression.
//
// The Dataset keeps x, y.Labels and y.Values themselves, not copies: changing
// them afterwards changes the Dataset. NewDataset allocates only the Dataset.
// Errors wrap ErrData and name the offending row and column (0-based).
func NewDataset(x *mat.Dense, y Targets) (*Dataset, error) {
	if x == nil || x.IsEmpty() {
		return nil, fmt.Errorf("%w: no samples: the feature matrix is empty", ErrData)
	}
	n, f := x.Dims()
	hasLabels, hasValues := y.Labels != nil, y.Values != nil
	switch {
	case hasLabels && hasValues:
		return nil, fmt.Errorf("%w: targets have both labels and values; set exactly one", ErrData)
	case !hasLabels && !hasValues:
		return nil, fmt.Errorf("%w: targets have neither labels nor values; set exactly one", ErrData)
	}
	if err := checkFinite("feature", x); err != nil {
		return nil, err
	}
	d := &Dataset{X: x, Y: y}
	if hasLabels {
		if len(y.Labels) != n {
			return nil, fmt.Errorf("%w: %d labels for %d samples (rows of X)", ErrData, len(y.Labels), n)
		}
		for i, c := range y.Labels {
			if c < 0 {
				return nil, fmt.Errorf("%w: label %d of row %d (0-based) is negative", ErrData, c, i)
			}
			d.Classes = max(d.Classes, c+1)
		}
		return d, nil
	}
	if y.Values.IsEmpty() {
		return nil, fmt.Errorf("%w: target values are empty", ErrData)
	}
	if r, _ := y.Values.Dims(); r != n {
		return nil, fmt.Errorf("%w: %d target rows for %d samples (rows of X, %d features)", ErrData, r, n, f)
	}
	if err := checkFinite("target", y.Values); err != nil {
		return nil, err
	}
	return d, nil
}

// checkFinite returns an error wrapping ErrData naming the first NaN or
// infinite element of m.
func checkFinite(what string, m *mat.Dense) error {
	raw := m.RawMatrix()
	for i := range raw.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s value %v at row %d, column %d (0-based) is not finite", ErrData, what, v, i, j)
			}
		}
	}
	return nil
}

// check returns an error wrapping ErrData, starting with where, unless d
// holds what NewDataset accepts: a non-empty X, exactly one of Y.Labels and
// Y.Values with one entry (row) per row of X, and non-negative labels; with
// finite, also only finite values in X and Y.Values. It guards the entry
// points that take a Dataset against one built as a literal. It allocates
// only when it returns an error.
func (d *Dataset) check(where string, finite bool) error {
	if d == nil || d.X == nil || d.X.IsEmpty() {
		return fmt.Errorf("%w: %s needs a non-empty data set", ErrData, where)
	}
	n, _ := d.X.Dims()
	switch {
	case d.Y.Labels != nil && d.Y.Values != nil:
		return fmt.Errorf("%w: %s: targets have both labels and values; set exactly one", ErrData, where)
	case d.Y.Labels != nil:
		if len(d.Y.Labels) != n {
			return fmt.Errorf("%w: %s: %d labels for %d samples (rows of X)", ErrData, where, len(d.Y.Labels), n)
		}
		for i, c := range d.Y.Labels {
			if c < 0 {
				return fmt.Errorf("%w: %s: label %d of row %d (0-based) is negative", ErrData, where, c, i)
			}
		}
	case d.Y.Values != nil:
		if d.Y.Values.IsEmpty() {
			return fmt.Errorf("%w: %s: target values are empty", ErrData, where)
		}
		if r, _ := d.Y.Values.Dims(); r != n {
			return fmt.Errorf("%w: %s: %d target rows for %d samples (rows of X)", ErrData, where, r, n)
		}
	default:
		return fmt.Errorf("%w: %s: targets have neither labels nor values; set exactly one", ErrData, where)
	}
	if !finite {
		return nil
	}
	if err := checkFinite(where+": feature", d.X); err != nil {
		return err
	}
	if d.Y.Values != nil {
		return checkFinite(where+": target", d.Y.Values)
	}
	return nil
}

// Len returns the number of samples, the rows of X.
func (d *Dataset) Len() int {
	r, _ := d.X.Dims()
	return r
}

// Features returns the number of features, the columns of X.
func (d *Dataset) Features() int {
	_, c := d.X.Dims()
	return c
}

// copyRows returns a new Dataset holding the samples of d at rows idx, in
// that order. Classes and FeatureNames are kept; nothing is shared with d.
func (d *Dataset) copyRows(idx []int) *Dataset {
	out := &Dataset{
		X:       mat.NewDense(len(idx), d.Features(), nil),
		Classes: d.Classes,
	}
	gatherRows(out.X, d.X, idx)
	if d.Y.Labels != nil {
		out.Y.Labels = make([]int, len(idx))
		for i, r := range idx {
			out.Y.Labels[i] = d.Y.Labels[r]
		}
	} else {
		_, k := d.Y.Values.Dims()
		out.Y.Values = mat.NewDense(len(idx), k, nil)
		gatherRows(out.Y.Values, d.Y.Values, idx)
	}
	if d.FeatureNames != nil {
		out.FeatureNames = append([]string(nil), d.FeatureNames...)
	}
	return out
}

// gatherRows copies row idx[i] of src into row i of dst for every i.
// dst must have len(idx) rows and as many columns as src. It allocates
// nothing.
func gatherRows(dst, src *mat.Dense, idx []int) {
	d, s := dst.RawMatrix(), src.RawMatrix()
	for i, r := range idx {
		copy(d.Data[i*d.Stride:i*d.Stride+d.Cols], s.Data[r*s.Stride:r*s.Stride+s.Cols])
	}
}

// Batch is one mini-batch of samples: row i of X and entry (row) i of Y
// belong to the same sample.
//
// The matrices and slices of a Batch returned by DataLoader.Batch are owned
// by the loader and are overwritten by its next call to Next; copy them to
// keep them longer.
type Batch struct {
	X *mat.Dense
	Y Targets
}

// LoaderSettings configures a DataLoader. The zero value is usable: batches
// of 32 samples in data set order, the last batch possibly smaller.
type LoaderSettings struct {
	// BatchSize is the number of samples per batch. Zero means 32; a
	// negative value is an error.
	BatchSize int

	// Shuffle draws a new order of the samples at each Reset.
	Shuffle bool

	// DropLast leaves out the last batch of an epoch when it would be
	// smaller than BatchSize. By default it is kept, so that every sample is
	// seen once per epoch.
	DropLast bool

	// Src is the source of randomness for Shuffle. It is required when
	// Shuffle is set and unused otherwise. The loader draws from it in Reset
	// only, and the caller must not use it concurrently with the loader.
	Src rand.Source
}

// defaultBatchSize is the batch size used when LoaderSettings.BatchSize is 0.
const defaultBatchSize = 32

// DataLoader yields the samples of a Dataset in mini-batches, one epoch at a
// time:
//
//	for epoch := range epochs {
//		l.Reset()
//		for l.Next() {
//			b := l.Batch()
//			// use b.X and b.Y
//		}
//	}
//
// Each batch is gathered, by copying the rows of the samples in it, into
// buffers that the loader allocates once in NewDataLoader: Reset and a whole
// epoch of Next and Batch allocate nothing, and the data set itself is never
// copied or reordered; only a slice of row indices is shuffled.
//
// A DataLoader is not safe for concurrent use.
type DataLoader struct {
	d          *Dataset
	x, values  *mat.Dense // the data set's matrices as at construction
	labels     []int
	batchSize  int
	shuffle    bool
	n          int // samples per epoch
	numBatches int
	rng        *rand.Rand
	idx        []int // the order of the samples in the current epoch

	started bool // Reset has been called (explicitly or by the first Next)
	cur     int  // index of the current batch, -1 before the first Next of an epoch

	full, last Batch // buffers for full batches and for a smaller last batch
	batch      Batch // the current batch, one of full or last
}

// NewDataLoader returns a loader over the samples of d. It allocates an
// index slice of d.Len() ints and the batch buffers: BatchSize rows for full
// batches and, when the last batch of an epoch is smaller, a second set
// sized for it.
//
// The loader reads d.X and d.Y as they are when NewDataLoader is called;
// changing the values in them changes the batches, but they must not be
// replaced or resized while the loader is in use. Errors wrap ErrSetting
// (a negative batch size, Shuffle without Src, DropLast with fewer samples
// than one batch) or ErrData (a nil or empty Dataset, or one NewDataset
// would reject: targets that do not fit X, a negative label, NaN or Inf,
// which are looked for once here).
func NewDataLoader(d *Dataset, s LoaderSettings) (*DataLoader, error) {
	if err := d.check("data loader", true); err != nil {
		return nil, err
	}
	bs := s.BatchSize
	switch {
	case bs < 0:
		return nil, fmt.Errorf("%w: batch size %d is negative", ErrSetting, bs)
	case bs == 0:
		bs = defaultBatchSize
	}
	if s.Shuffle && s.Src == nil {
		return nil, fmt.Errorf("%w: Shuffle needs a Src", ErrSetting)
	}
	total, f := d.X.Dims()
	l := &DataLoader{
		d:         d,
		x:         d.X,
		values:    d.Y.Values,
		labels:    d.Y.Labels,
		batchSize: bs,
		shuffle:   s.Shuffle,
		idx:       make([]int, total),
		cur:       -1,
	}
	for i := range l.idx {
		l.idx[i] = i
	}
	if s.Shuffle {
		l.rng = rand.New(s.Src)
	}
	fullBatches, rest := total/bs, total%bs
	if s.DropLast {
		rest = 0
		if fullBatches == 0 {
			return nil, fmt.Errorf("%w: DropLast with batch size %d and %d samples leaves no batch", ErrSetting, bs, total)
		}
	}
	l.n = fullBatches*bs + rest
	l.numBatches = fullBatches
	if fullBatches > 0 {
		l.full = l.newBatch(bs, f)
	}
	if rest > 0 {
		l.numBatches++
		l.last = l.newBatch(rest, f)
	}
	return l, nil
}

// newBatch allocates the buffers for a batch of rows samples.
func (l *DataLoader) newBatch(rows, features int) Batch {
	b := Batch{X: mat.NewDense(rows, features, nil)}
	if l.labels != nil {
		b.Y.Labels = make([]int, rows)
	} else {
		_, k := l.values.Dims()
		b.Y.Values = mat.NewDense(rows, k, nil)
	}
	return b
}

// Reset starts an epoch: the next call to Next yields its first batch. With
// Shuffle, Reset first draws a new order of the samples (a Fisher–Yates
// shuffle of the index slice). It allocates nothing. Calling Next on a new
// loader without Reset starts the first epoch as Reset would.
func (l *DataLoader) Reset() {
	l.started = true
	l.cur = -1
	l.batch = Batch{}
	if !l.shuffle {
		return
	}
	idx := l.idx
	for i := len(idx) - 1; i > 0; i-- {
		j := l.rng.IntN(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// Next gathers the next batch of the epoch into the loader's buffers and
// reports whether there was one. Once it has returned false it keeps
// returning false until Reset starts a new epoch. It allocates nothing.
func (l *DataLoader) Next() bool {
	if !l.started {
		l.Reset()
	}
	if l.cur+1 >= l.numBatches {
		l.batch = Batch{}
		l.cur = l.numBatches
		return false
	}
	l.cur++
	start := l.cur * l.batchSize
	end := min(start+l.batchSize, l.n)
	b := l.full
	if end-start < l.batchSize {
		b = l.last
	}
	idx := l.idx[start:end]
	gatherRows(b.X, l.x, idx)
	if l.labels != nil {
		for i, r := range idx {
			b.Y.Labels[i] = l.labels[r]
		}
	} else {
		gatherRows(b.Y.Values, l.values, idx)
	}
	l.batch = b
	return true
}

// Batch returns the batch gathered by the last call to Next. Its matrices and
// slices belong to the loader and are overwritten by the following calls to
// Next; all but possibly the last batch of an epoch share the same buffers.
// Before the first Next of an epoch and after Next has returned false, Batch
// returns the zero Batch.
func (l *DataLoader) Batch() Batch { return l.batch }

// BatchIndex returns the 0-based index within the epoch of the batch gathered
// by the last call to Next, -1 before the first Next of an epoch and
// NumBatches() once Next has returned false.
func (l *DataLoader) BatchIndex() int { return l.cur }

// Len returns the number of samples in one epoch: all of them, or, with
// DropLast, those in full batches.
func (l *DataLoader) Len() int { return l.n }

// NumBatches returns the number of batches in one epoch.
func (l *DataLoader) NumBatches() int { return l.numBatches }

// Dataset returns the data set the loader reads from.
func (l *DataLoader) Dataset() *Dataset { return l.d }

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

// SplitSettings configures Split.
type SplitSettings struct {
	// ValFraction is the fraction of the samples that go to the validation
	// part, in (0, 1). Zero means 0.2.
	ValFraction float64

	// Stratify splits each class separately, so that both parts keep the
	// class proportions of the data set. It needs class labels.
	Stratify bool

	// Src is the source of randomness for the permutation. It is required.
	Src rand.Source
}

// Split divides the samples of d at random into a training and a
// validation part. The validation part gets round(n·ValFraction) of the n
// samples; with Stratify, each class c of n_c samples gives
// round(n_c·ValFraction) of them, but never all, so that every class keeps at
// least one training sample. The samples of each part are in the order of one
// random permutation drawn from s.Src, so the same seed gives the same split.
//
// train and val are new Datasets that share nothing with d (X, targets and
// FeatureNames are copied; Classes is kept even when a part lacks a class),
// and d is not changed. Errors wrap ErrSetting (a fraction outside (0, 1), no
// Src, Stratify without labels) or ErrData (too few samples for both parts to
// be non-empty, or a Dataset NewDataset would reject for its shape or
// labels).
func Split(d *Dataset, s SplitSettings) (train, val *Dataset, err error) {
	if err := d.check("split", false); err != nil {
		return nil, nil, err
	}
	frac := s.ValFraction
	if frac == 0 {
		frac = 0.2
	}
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("%w: ValFraction %v is not in (0, 1)", ErrSetting, s.ValFraction)
	}
	if s.Src == nil {
		return nil, nil, fmt.Errorf("%w: Split needs a Src", ErrSetting)
	}
	if s.Stratify && d.Y.Labels == nil {
		return nil, nil, fmt.Errorf("%w: Stratify needs class labels", ErrSetting)
	}
	n := d.Len()
	rng := rand.New(s.Src)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}

	inVal := make([]bool, n)
	nVal := 0
	if s.Stratify {
		// Maps rather than slices of d.Classes entries: a single label
		// such as 2147483647 must not make Split allocate gigabytes.
		counts := make(map[int]int)
		for _, c := range d.Y.Labels {
			counts[c]++
		}
		want := make(map[int]int, len(counts))
		for c, nc := range counts {
			want[c] = min(int(math.Round(float64(nc)*frac)), nc-1)
		}
		for _, i := range perm {
			if c := d.Y.Labels[i]; want[c] > 0 {
				want[c]--
				inVal[i] = true
				nVal++
			}
		}
	} else {
		nVal = int(math.Round(float64(n) * frac))
		for _, i := range perm[:min(nVal, n)] {
			inVal[i] = true
		}
	}
	if nVal == 0 || nVal >= n {
		return nil, nil, fmt.Errorf("%w: %d samples cannot be split with ValFraction %v: one part would be empty", ErrData, n, frac)
	}

	trainIdx := make([]int, 0, n-nVal)
	valIdx := make([]int, 0, nVal)
	for _, i := range perm {
		if inVal[i] {
			valIdx = append(valIdx, i)
		} else {
			trainIdx = append(trainIdx, i)
		}
	}
	return d.copyRows(trainIdx), d.copyRows(valIdx), nil
}

// StandardScaler standardizes features: Transform maps feature j of each
// sample to (x_j − Mean[j]) / Std[j].
//
// Fit it on the training data only, with FitStandardScaler, and apply the
// same scaler to the training, validation and test data: statistics taken
// from the validation or test data would leak them into training. Scale the
// data sets once, before they are split into batches.
//
// A StandardScaler is not changed by its methods, which are safe for
// concurrent use.
type StandardScaler struct {
	// Mean is the mean of each feature.
	Mean []float64

	// Std is the population standard deviation of each feature; 1 for a
	// constant feature. Every entry must be positive.
	Std []float64
}

// FitStandardScaler returns a StandardScaler holding, for each column j of x,
// the mean m_j and the population standard deviation
// s_j = sqrt(Σ_i (x_ij − m_j)² / n) (ddof 0) of its n rows. A column whose
// values are all equal gets Std 1 and Mean equal to that value, so it is
// transformed to exact zeros rather than NaN. A NaN in x makes the statistics
// of its column NaN.
//
// FitStandardScaler allocates the two slices. It panics with an error
// wrapping ErrShape if x is nil or empty.
func FitStandardScaler(x mat.Matrix) *StandardScaler {
	if isNil(x) {
		shapePanic("FitStandardScaler", "nil matrix")
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		shapePanic("FitStandardScaler", "empty matrix %dx%d", r, c)
	}
	s := &StandardScaler{Mean: make([]float64, c), Std: make([]float64, c)}
	for j := range c {
		lo, hi := x.At(0, j), x.At(0, j)
		var sum float64
		for i := range r {
			v := x.At(i, j)
			sum += v
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo == hi {
			s.Mean[j], s.Std[j] = lo, 1
			continue
		}
		// Two passes: the mean, corrected by the mean of the residuals, and
		// the sum of squares about it.
		mean := sum / float64(r)
		var res, ss float64
		for i := range r {
			res += x.At(i, j) - mean
		}
		mean += res / float64(r)
		for i := range r {
			dv := x.At(i, j) - mean
			ss += dv * dv
		}
		s.Mean[j] = mean
		s.Std[j] = math.Sqrt(ss / float64(r))
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s
}

// Transform returns a new matrix holding x with each column j standardized
// to (x_ij − Mean[j]) / Std[j]; x is not changed. It allocates the result. It
// returns an error wrapping ErrData if x is nil or empty or its width
// differs from len(s.Mean), and one wrapping ErrSetting if Mean and Std
// differ in length or an entry of Std is not positive.
func (s *StandardScaler) Transform(x mat.Matrix) (*mat.Dense, error) {
	if isNil(x) {
		return nil, fmt.Errorf("%w: cannot scale a nil matrix", ErrData)
	}
	if len(s.Mean) != len(s.Std) {
		return nil, fmt.Errorf("%w: StandardScaler has %d means and %d standard deviations", ErrSetting, len(s.Mean), len(s.Std))
	}
	for j, sd := range s.Std {
		if !(sd > 0) || math.IsInf(sd, 0) {
			return nil, fmt.Errorf("%w: StandardScaler.Std[%d] = %v is not a positive finite number", ErrSetting, j, sd)
		}
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("%w: cannot scale an empty matrix", ErrData)
	}
	if c != len(s.Mean) {
		return nil, fmt.Errorf("%w: matrix has %d features, the scaler was fitted on %d", ErrData, c, len(s.Mean))
	}
	out := mat.DenseCopyOf(x)
	raw := out.RawMatrix()
	for i := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Std[j]
		}
	}
	return out, nil
}

// TransformDataset returns a new Dataset whose X is d.X transformed as by
// Transform and whose targets, Classes and FeatureNames are copies of d's;
// d is not changed. Errors are those of Transform, and an error wrapping
// ErrData for a nil Dataset or one whose targets do not fit X.
func (s *StandardScaler) TransformDataset(d *Dataset) (*Dataset, error) {
	if d == nil || d.X == nil {
		return nil, fmt.Errorf("%w: cannot scale a nil data set", ErrData)
	}
	if err := d.check("StandardScaler.TransformDataset", false); err != nil {
		return nil, err
	}
	x, err := s.Transform(d.X)
	if err != nil {
		return nil, err
	}
	out := &Dataset{X: x, Classes: d.Classes}
	if d.Y.Labels != nil {
		out.Y.Labels = append([]int(nil), d.Y.Labels...)
	}
	if d.Y.Values != nil {
		out.Y.Values = mat.DenseCopyOf(d.Y.Values)
	}
	if d.FeatureNames != nil {
		out.FeatureNames = append([]string(nil), d.FeatureNames...)
	}
	return out, nil
}
