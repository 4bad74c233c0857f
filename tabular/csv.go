package tabular

import (
	"github.com/mlpkit/mlp"

	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors of CSVReader. A *ParseError wraps one of them (or an error
// of encoding/csv) and also matches ErrData with errors.Is.
var (
	// ErrEmptyInput means the input has no header row or no data rows
	// after the header.
	ErrEmptyInput = errors.New("empty input")

	// ErrRagged means a row has a different number of fields from the
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

	// ErrMixedColumn means a column holds both numbers and text.
	ErrMixedColumn = errors.New("column mixes numbers and text")

	// ErrBadLabel means a class label cannot be read as one: a number whose
	// text is not exactly an integer, or a target that does not fit the
	// task asked for.
	ErrBadLabel = errors.New("bad class label")

	// ErrLimit means the input exceeds one of the reader's Limits.
	ErrLimit = errors.New("input exceeds a limit")
)

// ParseError is the error CSVReader.ReadAll returns for input it cannot
// use. It unwraps to Err, which wraps one of the sentinels above or is an
// error of encoding/csv (a misplaced quote, say), and it matches ErrData
// with errors.Is.
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
func (e *ParseError) Is(target error) bool { return target == mlp.ErrData }

// Limits bound what a CSVReader accepts, so that memory and time stay
// proportional to the input; input beyond a limit is a *ParseError
// wrapping ErrLimit that names the line and the limit. A zero field means
// its default.
type Limits struct {
	// MaxBytes is the most bytes of input; default 1 GiB.
	MaxBytes int64
	// MaxLineBytes is the most bytes of one line, and of one record
	// (which quoted newlines may spread over several lines); default
	// 4 MiB. A newline-free input such as /dev/zero stops here.
	MaxLineBytes int
	// MaxFields is the most fields (columns) of one record; default
	// 2048 (raise it for wider tables: the allocation bound below holds
	// for the defaults).
	MaxFields int
	// MaxFieldBytes is the most bytes of one cell; default 64 KiB.
	MaxFieldBytes int
	// MaxCategories is the most distinct texts all categorical columns
	// together may hold; default 4096 (each becomes a one-hot input of
	// the network). An identifier or free-text column trips it: add it
	// to CSVReader.Ignore.
	MaxCategories int
}

// Default limits; see Limits.
const (
	DefaultMaxBytes      = 1 << 30
	DefaultMaxLineBytes  = 4 << 20
	DefaultMaxFields     = 2048
	DefaultMaxFieldBytes = 64 << 10
	DefaultMaxCategories = 4096
)

// withDefaults returns l with zero fields set to their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes == 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxLineBytes == 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxFields == 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxFieldBytes == 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if l.MaxCategories == 0 {
		l.MaxCategories = DefaultMaxCategories
	}
	return l
}

// check returns an error wrapping ErrSetting for a negative limit.
func (l Limits) check() error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"MaxBytes", l.MaxBytes}, {"MaxLineBytes", int64(l.MaxLineBytes)}, {"MaxFields", int64(l.MaxFields)},
		{"MaxFieldBytes", int64(l.MaxFieldBytes)}, {"MaxCategories", int64(l.MaxCategories)}} {
		if f.v < 0 {
			return fmt.Errorf("%w: CSVReader.Limits.%s = %d is negative", mlp.ErrSetting, f.name, f.v)
		}
	}
	return nil
}

// CSVReader reads a Table from comma-separated values: a header row of
// column names, then one row per sample. Each column has a role (a target,
// a feature, or ignored) and a kind:
//
//   - Targets (by name) or TargetIndex (by position) choose the target
//     columns: one for classification or regression, several for
//     multi-output regression, none for data to predict on. Nothing is
//     taken as the target by default.
//   - A feature column is Categorical when Categorical names it or when
//     none of its non-missing cells is a number; otherwise it is Numeric,
//     and a text cell in it is an error (ErrMixedColumn) naming the column
//     and the cell, which suggests adding the text to NA if it marks a
//     missing value.
//   - Missing cells are "", "NA", "N/A", "NaN", "nan", "null" and the
//     texts in NA. A missing feature cell is kept (NaN) for a Preprocessor
//     to impute; a row with a missing target is left out and counted in
//     Table.Dropped.
//   - The task comes from InferTask applied to the target with Task. For
//     classification, a numeric label whose text is not exactly an integer
//     ("0.99999999999999999", "2147483647.0000001", "1e-400") is an error
//     (ErrBadLabel) naming its line and column: it would silently become
//     another class. "1" and "1.0" are the same class.
//
// Cells and header names are trimmed of surrounding spaces; empty lines
// are skipped; a UTF-8 byte order mark before the header is dropped. Two
// header columns of the same name are an error.
//
// As with encoding/csv, NewCSVReader sets the defaults and the exported
// fields may be changed before ReadAll is called. A CSVReader is not safe
// for concurrent use.
type CSVReader struct {
	// Comma is the field delimiter, ',' by default. 0, '"', '\n', '\r'
	// and invalid runes are refused (ErrSetting). With a whitespace
	// delimiter (a tab), leading spaces are not skipped by the parser, so
	// an empty field between two tabs is kept.
	Comma rune

	// Targets names the target columns.
	Targets []string

	// TargetIndex gives the target columns by 0-based position; a negative
	// index counts from the end (-1 is the last column). Set at most one of
	// Targets and TargetIndex.
	TargetIndex []int

	// Task is the task asked for; AutoTask (the zero value) lets
	// InferTask decide. With several targets it must be AutoTask or
	// Regression.
	Task Task

	// Categorical names feature (or target) columns to read as
	// categories even though their cells are numbers.
	Categorical []string

	// Ignore names columns to drop.
	Ignore []string

	// NA lists texts that mark a missing cell, besides the defaults (such
	// as "?" or "-").
	NA []string

	// Limits bound the input; the zero value gives the defaults.
	Limits Limits

	r io.Reader
}

// NewCSVReader returns a CSVReader reading from r with ',' as the
// delimiter, no target column and the default limits.
func NewCSVReader(r io.Reader) *CSVReader {
	return &CSVReader{Comma: ',', r: r}
}

// ReadAll reads all remaining input and returns it as a Table.
//
// Errors in the input are *ParseError values carrying the line and column
// and matching ErrData; they quote at most a short prefix of a cell. An
// error of the underlying reader is returned wrapped, matching ErrData.
// Settings that cannot work (a bad Comma, both Targets and TargetIndex, a
// negative limit, an unknown Task) give an error wrapping ErrSetting; a
// column name in the settings that is not in the header gives a
// *ParseError wrapping ErrNoColumn that lists the header, and a header of
// one column holding ';' or a tab suggests setting Comma.
//
// Allocation: ReadAll keeps the input in memory while it parses it in two
// passes, then allocates the columns at their exact size, 8 bytes a cell.
// Reading N bytes allocates at most 20·N + 1 MiB in total, or stops at a
// limit first.
func (c *CSVReader) ReadAll() (*Table, error) {
	if c.r == nil {
		return nil, fmt.Errorf("%w: CSVReader has no input: make it with NewCSVReader and a non-nil io.Reader", mlp.ErrData)
	}
	if err := c.checkSettings(); err != nil {
		return nil, err
	}
	lim := c.Limits.withDefaults()
	buf, err := readBounded(c.r, c.Comma, lim)
	if err != nil {
		return nil, err
	}
	buf = bytes.TrimPrefix(buf, []byte("\uFEFF"))
	rd := &tableReader{c: c, lim: lim, buf: buf}
	return rd.read()
}

// checkSettings returns an error wrapping ErrSetting for settings that
// cannot work.
func (c *CSVReader) checkSettings() error {
	switch {
	case c.Comma == 0 || c.Comma == '"' || c.Comma == '\n' || c.Comma == '\r' ||
		!utf8.ValidRune(c.Comma) || c.Comma == utf8.RuneError:
		return fmt.Errorf("%w: CSVReader.Comma %q cannot delimit fields", mlp.ErrSetting, c.Comma)
	case len(c.Targets) > 0 && len(c.TargetIndex) > 0:
		return fmt.Errorf("%w: CSVReader.Targets and TargetIndex are both set; set one", mlp.ErrSetting)
	case c.Task != AutoTask && c.Task != Classification && c.Task != Regression:
		return fmt.Errorf("%w: CSVReader.Task = %v is not AutoTask, Classification or Regression", mlp.ErrSetting, c.Task)
	}
	return c.Limits.check()
}

// readBounded reads all of r into memory, stopping with a *ParseError
// wrapping ErrLimit when the input passes lim.MaxBytes, a line passes
// lim.MaxLineBytes or, for a one-byte delimiter, a record passes
// lim.MaxFields (counting delimiters outside quotes), so that the CSV
// parser never sees a record it would spend far more than its size on. It
// allocates at most about twice what it returns.
func readBounded(r io.Reader, comma rune, lim Limits) ([]byte, error) {
	buf := make([]byte, 0, 4096)
	line, lineLen, fields, quoted := 1, 0, 1, false
	sep, countFields := byte(comma), comma < utf8.RuneSelf
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, cap(buf)) // doubles: total allocation ≤ 2× the input
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		for _, b := range buf[len(buf) : len(buf)+n] {
			switch {
			case b == '\n':
				line, lineLen = line+1, 0
				if !quoted {
					fields = 1
				}
				continue
			case b == '"':
				quoted = !quoted
			case b == sep && countFields && !quoted:
				if fields++; fields > lim.MaxFields {
					return nil, &ParseError{Line: line, Err: fmt.Errorf("%w: more than Limits.MaxFields = %d fields", ErrLimit, lim.MaxFields)}
				}
			}
			if lineLen++; lineLen > lim.MaxLineBytes {
				return nil, &ParseError{Line: line, Err: fmt.Errorf("%w: line %d is longer than Limits.MaxLineBytes = %d bytes", ErrLimit, line, lim.MaxLineBytes)}
			}
		}
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > lim.MaxBytes {
			return nil, &ParseError{Line: line, Err: fmt.Errorf("%w: the input is longer than Limits.MaxBytes = %d bytes", ErrLimit, lim.MaxBytes)}
		}
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return nil, fmt.Errorf("%w: reading csv at line %d: %w", mlp.ErrData, line, err)
		case n == 0:
			// A reader that returns nothing and no error, again and again.
			if _, err := io.ReadAtLeast(r, buf[len(buf):cap(buf)], 1); err != nil && err != io.EOF {
				return nil, fmt.Errorf("%w: reading csv at line %d: %w", mlp.ErrData, line, err)
			}
		}
	}
}

// role of a header column.
const (
	roleFeature = iota
	roleTarget
	roleIgnore
)

// colState is what the first pass learns about one column.
type colState struct {
	role        uint8
	categorical bool // named in Categorical
	hasNumber   bool
	hasText     bool
}

// inexactLabel is the first cell of a target column whose text is not
// exactly an integer though its value is one.
type inexactLabel struct {
	line int
	text string // a substring of its record
}

// tableReader reads one Table from an input held in memory.
type tableReader struct {
	c       *CSVReader
	lim     Limits
	buf     []byte
	names   []string
	cols    []colState
	order   []int          // target column positions, in the order asked
	inexact []inexactLabel // per target, in order; line 0 when none
}

// csvReader returns an encoding/csv reader over the whole input.
func (t *tableReader) csvReader() *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(t.buf))
	cr.Comma = t.c.Comma
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = !unicode.IsSpace(t.c.Comma)
	cr.ReuseRecord = true
	return cr
}

// next returns the next record of cr, checked against the limits, and its
// first line; io.EOF at the end.
func (t *tableReader) next(cr *csv.Reader) ([]string, int, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, 0, err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &ParseError{Line: pe.Line, Err: pe.Err}
		}
		return nil, 0, fmt.Errorf("%w: reading csv: %w", mlp.ErrData, err)
	}
	line, _ := cr.FieldPos(0)
	if len(rec) > t.lim.MaxFields {
		return nil, 0, &ParseError{Line: line, Err: fmt.Errorf("%w: %d fields, more than Limits.MaxFields = %d", ErrLimit, len(rec), t.lim.MaxFields)}
	}
	total := 0
	for j, f := range rec {
		total += len(f)
		if len(f) > t.lim.MaxFieldBytes {
			l, _ := cr.FieldPos(j)
			return nil, 0, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf("%w: a cell of %d bytes, more than Limits.MaxFieldBytes = %d", ErrLimit, len(f), t.lim.MaxFieldBytes)}
		}
	}
	if total > t.lim.MaxLineBytes {
		return nil, 0, &ParseError{Line: line, Err: fmt.Errorf("%w: a record of %d bytes, more than Limits.MaxLineBytes = %d", ErrLimit, total, t.lim.MaxLineBytes)}
	}
	return rec, line, nil
}

// read parses the input in two passes: the first checks every cell and
// learns kinds and counts, the second fills columns of exact size.
func (t *tableReader) read() (*Table, error) {
	cr := t.csvReader()
	header, headerLine, err := t.next(cr)
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("%w: no header row", ErrEmptyInput)}
	}
	if err != nil {
		return nil, err
	}
	if err := t.header(header, headerLine); err != nil {
		return nil, err
	}
	width := len(t.names)
	rows, dropped, last := 0, 0, headerLine
	for {
		rec, line, err := t.next(cr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		last = line
		if len(rec) != width {
			return nil, &ParseError{Line: line, Column: min(len(rec), width) + 1,
				Err: fmt.Errorf("%w: %d fields, the header has %d", ErrRagged, len(rec), width)}
		}
		drop := false
		for j, cell := range rec {
			st := &t.cols[j]
			if st.role == roleIgnore {
				continue
			}
			cell = strings.TrimSpace(cell)
			if isMissing(cell, t.c.NA) {
				drop = drop || st.role == roleTarget
				continue
			}
			if _, kind := scanNumber(cell); kind == numText {
				st.hasText = true
				continue
			}
			st.hasNumber = true
			if st.role == roleTarget {
				k := slices.Index(t.order, j)
				if t.inexact[k].line == 0 && !exactInteger(cell) {
					l, _ := cr.FieldPos(j)
					t.inexact[k] = inexactLabel{line: l, text: cell}
				}
			}
		}
		if drop {
			dropped++
		} else {
			rows++
		}
	}
	if rows == 0 {
		what := "no data rows after the header"
		if dropped > 0 {
			what = fmt.Sprintf("every one of the %d data rows has a missing target", dropped)
		}
		return nil, &ParseError{Line: last + 1, Err: fmt.Errorf("%w: %s", ErrEmptyInput, what)}
	}
	tab, err := t.fill(rows, dropped)
	if err != nil {
		return nil, err
	}
	if err := t.task(tab); err != nil {
		return nil, err
	}
	return tab, nil
}

// header reads the header row: names, duplicates, roles.
func (t *tableReader) header(header []string, line int) error {
	t.names = make([]string, len(header))
	for j, h := range header {
		t.names[j] = trimName(h)
	}
	for j, name := range t.names {
		if name == "" {
			return &ParseError{Line: line, Column: j + 1, Err: fmt.Errorf("%w: column %d of the header has an empty name", ErrUnnamedColumn, j+1)}
		}
	}
	if j, k, dup := firstDuplicate(t.names); dup {
		return &ParseError{Line: line, Column: k + 1, Err: fmt.Errorf("%w: columns %d and %d are both named %s",
			ErrDuplicateColumn, j+1, k+1, quote(t.names[k]))}
	}
	t.cols = make([]colState, len(header))
	if len(header) == 1 {
		if r, ok := separatorHint(t.names[0], t.c.Comma); ok {
			return &ParseError{Line: line, Err: fmt.Errorf("%w: the header has one column, %s, which holds %q: set CSVReader.Comma to %q if that separates the columns",
				ErrEmptyInput, quote(t.names[0]), r, r)}
		}
	}
	find := func(what, name string) (int, error) {
		if j := slices.Index(t.names, trimName(name)); j >= 0 {
			return j, nil
		}
		return 0, &ParseError{Line: line, Err: fmt.Errorf("%w: %s %s is not in the header, which has %s", ErrNoColumn, what, quote(name), listNames(t.names))}
	}
	for _, name := range t.c.Targets {
		j, err := find("target column", name)
		if err != nil {
			return err
		}
		t.order = append(t.order, j)
	}
	for _, k := range t.c.TargetIndex {
		j := k
		if j < 0 {
			j += len(header)
		}
		if j < 0 || j >= len(header) {
			return &ParseError{Line: line, Err: fmt.Errorf("%w: target index %d is out of range for the %d columns of the header (%s)", ErrNoColumn, k, len(header), listNames(t.names))}
		}
		t.order = append(t.order, j)
	}
	t.inexact = make([]inexactLabel, len(t.order))
	for n, j := range t.order {
		if slices.Contains(t.order[:n], j) {
			return fmt.Errorf("%w: CSVReader: target column %s is given twice", mlp.ErrSetting, quote(t.names[j]))
		}
		t.cols[j].role = roleTarget
	}
	for _, name := range t.c.Ignore {
		j, err := find("ignored column", name)
		if err != nil {
			return err
		}
		if t.cols[j].role == roleTarget {
			return fmt.Errorf("%w: CSVReader: column %s is both a target and ignored", mlp.ErrSetting, quote(t.names[j]))
		}
		t.cols[j].role = roleIgnore
	}
	for _, name := range t.c.Categorical {
		j, err := find("categorical column", name)
		if err != nil {
			return err
		}
		t.cols[j].categorical = true
	}
	return nil
}

// firstDuplicate returns the positions j < k of the first name (by k) that
// repeats an earlier one. It sorts a slice of int32 positions rather than
// building a map, to keep a wide header cheap.
func firstDuplicate(names []string) (j, k int, ok bool) {
	idx := make([]int32, len(names))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	k = -1
	for i := 1; i < len(idx); i++ {
		if names[idx[i]] == names[idx[i-1]] && (k < 0 || int(idx[i]) < k) {
			j, k = int(idx[i-1]), int(idx[i])
		}
	}
	return j, k, k >= 0
}

// trimName returns a header name as columns are matched by: without
// surrounding spaces.
func trimName(s string) string { return strings.TrimSpace(s) }

// separatorHint reports the likely delimiter in a lone header name.
func separatorHint(name string, comma rune) (rune, bool) {
	for _, r := range []rune{';', '\t', '|'} {
		if r != comma && strings.ContainsRune(name, r) {
			return r, true
		}
	}
	return 0, false
}

// fill is the second pass: it allocates the kept columns with rows entries
// each and reads every cell into them.
func (t *tableReader) fill(rows, dropped int) (*Table, error) {
	tab := &Table{Dropped: dropped, NA: slices.Clone(t.c.NA)}
	nFeat := 0
	for _, st := range t.cols {
		if st.role == roleFeature {
			nFeat++
		}
	}
	tab.Features = make([]Column, 0, nFeat)
	if len(t.order) > 0 {
		tab.Targets = make([]Column, len(t.order))
	}
	cols := make([]*Column, len(t.names)) // by header position; nil for ignored columns
	for j, st := range t.cols {
		var c *Column
		switch st.role {
		case roleIgnore:
			continue
		case roleTarget:
			c = &tab.Targets[slices.Index(t.order, j)]
		default:
			tab.Features = append(tab.Features, Column{})
			c = &tab.Features[len(tab.Features)-1]
		}
		kind := Numeric
		if st.categorical || (st.hasText && !st.hasNumber) {
			kind = Categorical
		}
		*c = Column{Name: t.names[j], Kind: kind, Values: make([]float64, rows)}
		cols[j] = c
	}
	type catKey struct {
		col  int
		text string
	}
	codes := make(map[catKey]int)
	cr := t.csvReader()
	if _, _, err := t.next(cr); err != nil {
		return nil, err
	}
	i := 0
	for {
		rec, _, err := t.next(cr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		missingTarget := false
		for _, j := range t.order {
			missingTarget = missingTarget || isMissing(strings.TrimSpace(rec[j]), t.c.NA)
		}
		if missingTarget {
			continue
		}
		for j, cell := range rec {
			c := cols[j]
			if c == nil {
				continue
			}
			cell = strings.TrimSpace(cell)
			if isMissing(cell, t.c.NA) {
				c.Values[i] = math.NaN()
				continue
			}
			if c.Kind == Categorical {
				k, ok := codes[catKey{j, cell}]
				if !ok {
					if len(codes) == t.lim.MaxCategories {
						l, _ := cr.FieldPos(j)
						return nil, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf(
							"%w: column %s: more than Limits.MaxCategories = %d distinct texts in the categorical columns; if the column is an identifier or free text, add it to CSVReader.Ignore",
							ErrLimit, quote(c.Name), t.lim.MaxCategories)}
					}
					k = len(c.Categories)
					codes[catKey{j, cell}] = k
					c.Categories = append(c.Categories, cell)
				}
				c.Values[i] = float64(k)
				continue
			}
			v, err := parseNumber(cell)
			if err != nil {
				l, _ := cr.FieldPos(j)
				if errors.Is(err, ErrNotNumber) {
					// The first text cell of a column that also holds numbers.
					err = fmt.Errorf("%w: column %s holds numbers and the text %s; if that marks a missing value, add it to CSVReader.NA; if the column is categorical, name it in CSVReader.Categorical",
						ErrMixedColumn, quote(c.Name), quote(cell))
					return nil, &ParseError{Line: l, Column: j + 1, Err: err}
				}
				return nil, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf("%w in column %s", err, quote(c.Name))}
			}
			c.Values[i] = v
		}
		i++
	}
	for _, c := range cols {
		if c != nil && c.Kind == Categorical {
			sortCategories(c)
		}
	}
	return tab, nil
}

// sortCategories puts c's categories in byte order and renumbers its
// values.
func sortCategories(c *Column) {
	n := len(c.Categories)
	perm := make([]int, n)
	for k := range perm {
		perm[k] = k
	}
	slices.SortFunc(perm, func(a, b int) int { return strings.Compare(c.Categories[a], c.Categories[b]) })
	newCode := make([]float64, n)
	sorted := make([]string, n)
	for to, from := range perm {
		newCode[from] = float64(to)
		sorted[to] = c.Categories[from]
	}
	c.Categories = sorted
	for i, v := range c.Values {
		if !math.IsNaN(v) {
			c.Values[i] = newCode[int(v)]
		}
	}
}

// task decides tab's task with InferTask and checks classification labels.
func (t *tableReader) task(tab *Table) error {
	if len(tab.Targets) == 0 {
		return nil
	}
	asked := t.c.Task
	if len(tab.Targets) > 1 {
		if asked == Classification {
			return fmt.Errorf("%w: CSVReader: %d target columns; several targets are for multi-output regression only", mlp.ErrSetting, len(tab.Targets))
		}
		asked = Regression
	}
	for k := range tab.Targets {
		task, note, err := InferTask(&tab.Targets[k], asked)
		if err != nil {
			return &ParseError{Line: 1, Column: t.order[k] + 1, Err: fmt.Errorf("%w: %w", ErrBadLabel, err)}
		}
		tab.Task, tab.TaskNote = task, note
	}
	if tab.Task == Classification {
		j := t.order[0]
		if in := t.inexact[0]; in.line > 0 && tab.Targets[0].Kind == Numeric {
			return &ParseError{Line: in.line, Column: j + 1, Err: fmt.Errorf(
				"%w: label %s in column %s is not exactly an integer, though it reads as one; write the class exactly, or set CSVReader.Task to Regression",
				ErrBadLabel, quote(in.text), quote(t.names[j]))}
		}
	}
	if len(tab.Targets) > 1 {
		tab.TaskNote = fmt.Sprintf("regression: %d target columns", len(tab.Targets))
	}
	return nil
}

// exactInteger reports whether the decimal text s ([sign] digits [.
// digits] [e [sign] digits]) denotes an integer exactly: "3", "3.0",
// "-2.50e1" do, "0.99999999999999999" and "1e-400" do not. Other syntax
// (hexadecimal, "Inf") does not.
func exactInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	mant, exp, hasExp := s, "", false
	if k := strings.IndexAny(s, "eE"); k >= 0 {
		mant, exp, hasExp = s[:k], s[k+1:], true
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return false
	}
	e := 0
	if hasExp {
		neg := false
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			neg, exp = exp[0] == '-', exp[1:]
		}
		if exp == "" || !allDigits(exp) {
			return false
		}
		for _, ch := range exp {
			e = min(e*10+int(ch-'0'), 1<<20)
		}
		if neg {
			e = -e
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return true // zero
	}
	digits = strings.TrimRight(intPart+frac, "0")
	// The value is 0.digits × 10^(len(intPart)+e) before trimming leading
	// zeros; it is an integer when no significant digit lies after the
	// point.
	return len(digits) <= len(intPart)+e
}

// allDigits reports whether s holds only ASCII digits ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
