package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// CSVReader reads a Table from comma-separated values: a header row of
// column names, then one row per sample. Each column has a role (a target,
// a feature, or ignored) and a kind:
//
//   - Targets (by name) or TargetIndex (by position) choose the target
//     columns: one for classification or regression, several for
//     multi-output regression, none for data to predict on. Nothing is
//     taken as the target by default.
//   - A column is Numeric exactly when pandas 1.5.3's read_csv (default
//     settings) reads it as numbers, and otherwise Categorical, every
//     non-missing cell a text; Categorical names columns to read as
//     categories anyway. A column of numbers holding some text ("?",
//     "Nan") is text, and Table.Notes says so. A column whose cells are
//     true and false in any case is boolean, as pandas' bool column: a
//     Categorical column of the categories "False" and "True" (a feature is
//     one-hot encoded; a target has those two classes). See the package
//     documentation, Reading tables, for the rule in full.
//   - Missing cells are pandas' default markers ("", "#N/A", "#N/A N/A",
//     "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
//     "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"; not
//     "None", nor "Nan" or "NAN") and the texts in NA. A missing feature
//     cell is kept (NaN) for a Preprocessor to impute; a row with a missing
//     target is left out and counted in Table.Dropped.
//   - Inf or Infinity (any case, any sign) in a numeric column is an
//     error (ErrNotFinite), and so is a number beyond float64's range
//     (ErrOutOfRange), naming the line and column.
//   - Header names, and texts that become categories or classes, must be
//     valid UTF-8 (ErrInvalidUTF8).
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
	// and invalid runes are refused (mlp.ErrSetting). With a whitespace
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
	// categories even though their cells are numbers, each by its name or
	// by a pattern in path.Match's syntax (*, ?, [a-z], \ to quote; a *
	// does not match a '/') that selects every column it matches. An
	// entry that is a column's name means that column, even if it holds a
	// '*'. A pattern matching no column is an error (ErrNoColumn), and a
	// malformed one too (mlp.ErrSetting).
	Categorical []string

	// CategoricalInts, when positive, reads as categories every feature
	// column whose non-missing cells are all integers as pandas' int64
	// reading takes them (no point or exponent; of at most 2^53 in
	// magnitude), of at most CategoricalInts distinct values: 0/1 codes
	// of factors, say. The categories are the integers' decimal
	// forms ("01" and "1" are one category, "1"), so a column whose
	// cells are written in decimal form (no leading zero or '+') gives
	// the same Column as naming it in Categorical. Zero,
	// the default, reads such columns as numbers; a negative value is an
	// error (mlp.ErrSetting). Target columns are not changed.
	CategoricalInts int

	// Ignore names columns to drop, by name or pattern as Categorical
	// does. A pattern never selects a target column (the targets win); a
	// target named exactly is an error (mlp.ErrSetting).
	Ignore []string

	// NA lists texts that mark a missing cell, besides the defaults (such
	// as "?" or "-").
	NA []string

	// ColumnNA lists, by column name, texts that mark a missing cell in
	// that column only, besides the defaults and NA: pandas' na_values
	// given as a dict. A name that is not in the header is ignored, as
	// pandas ignores it. Pipeline.ColumnNA gives those a model was
	// trained with, to read new data the same way.
	ColumnNA map[string][]string

	// DetectNA reads as missing, in a column whose other non-missing
	// cells are all numbers, the cells that look like a missing-value
	// marker: a text of at most 16 bytes with no letter or digit ("?",
	// "-", "--", ".", "*", "…"), or one of the words na, n/a, nan, null,
	// none, missing and unknown in any case. Without it such a column is
	// text (categorical), as pandas reads it, and a model one-hot encodes
	// its numbers as categories; with it, the column is what pandas reads
	// with those markers in na_values.
	//
	// The words are there because in a column of numbers they can only
	// say that no value was recorded: pandas' own markers written in
	// another case (pandas reads "null" and "NULL" as missing but "Null"
	// as text, "nan" but not "Nan"), "none" (pandas 2 added "None" to its
	// defaults), and "missing" and "unknown". A word that is a value
	// elsewhere ("no", "yes") is not one of them, nor is a letter ("x"):
	// a column holding one stays text. A "none" that means zero is read
	// as missing: the note below names it, and DetectNA set to false (or
	// the column in Categorical) keeps it.
	//
	// A column is read so only when it holds at least one number and at
	// most 8 distinct markers, is not named in Categorical, and is not
	// boolean. A column of markers and missing cells alone stays text, as
	// does a column with any other text, with the note of a column of
	// numbers and text. Each column read so gets a note in Table.Notes
	// naming the column, each marker, its number of cells and the line of
	// the first, and the markers are recorded in Table.ColumnNA, so that a
	// Preprocessor fitted on the table, and the Pipeline saved with it,
	// read them as missing in new data. A target column of numbers
	// holding markers is an error (ErrBadLabel): a row is left out for a
	// missing target only on NA's word, never on a guess.
	//
	// The default, false, reads as pandas 1.5.3 does; the mlp command
	// turns it on by default (-detect-na).
	DetectNA bool

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
// and matching mlp.ErrData; they quote at most a short prefix of a cell. An
// error of the underlying reader is returned wrapped, matching mlp.ErrData.
// Settings that cannot work (a bad Comma, both Targets and TargetIndex, a
// negative limit, an unknown Task) give an error wrapping mlp.ErrSetting; a
// column name in the settings that is not in the header gives a
// *ParseError wrapping ErrNoColumn that lists the header, and a header of
// one column holding ';' or a tab suggests setting Comma.
//
// Allocation: ReadAll reads the input once, in a stream: it never holds
// more of it than one record (at most Limits.MaxLineBytes), and it parses
// each cell once into its column, 8 bytes a cell, growing each column in
// chunks of a quarter of its size and copying it to its exact size at the
// end. Reading N bytes allocates at most 20·N + 1 MiB in total, or stops
// at a limit first; CategoricalInts adds, per column of integers, at
// most CategoricalInts+1 float64s and 24 bytes a chunk of the column.
func (c *CSVReader) ReadAll() (*Table, error) {
	if c.r == nil {
		return nil, fmt.Errorf("%w: CSVReader has no input: make it with NewCSVReader and a non-nil io.Reader", mlp.ErrData)
	}
	if err := c.checkSettings(); err != nil {
		return nil, err
	}
	lim := c.Limits.withDefaults()
	t := &tableReader{c: c, lim: lim, in: newBoundedReader(c.r, c.Comma, lim)}
	tab, err := t.read()
	if err != nil {
		// Input beyond a limit, or a failing reader, anywhere in the input
		// is reported before what is wrong with the records.
		if e := t.in.drain(); e != nil {
			return nil, e
		}
		return nil, err
	}
	return tab, nil
}

// checkSettings returns an error wrapping mlp.ErrSetting for settings that
// cannot work.
func (c *CSVReader) checkSettings() error {
	switch {
	case c.Comma == 0 || c.Comma == '"' || c.Comma == '\n' || c.Comma == '\r' ||
		!utf8.ValidRune(c.Comma) || c.Comma == utf8.RuneError:
		return fmt.Errorf("%w: CSVReader.Comma %q cannot delimit fields", mlp.ErrSetting, c.Comma)
	case len(c.Targets) > 0 && len(c.TargetIndex) > 0:
		return fmt.Errorf("%w: CSVReader.Targets and TargetIndex are both set; set one", mlp.ErrSetting)
	case c.CategoricalInts < 0:
		return fmt.Errorf("%w: CSVReader.CategoricalInts = %d is negative; 0 turns it off", mlp.ErrSetting, c.CategoricalInts)
	case c.Task != AutoTask && c.Task != Classification && c.Task != Regression:
		return fmt.Errorf("%w: CSVReader.Task = %v is not AutoTask, Classification or Regression", mlp.ErrSetting, c.Task)
	}
	return c.Limits.check()
}

// header reads the header row: names, duplicates, roles.
func (t *tableReader) header(header []string, line int) error {
	t.names = make([]string, len(header))
	for j, h := range header {
		t.names[j] = trimName(h)
	}
	for j, name := range t.names {
		if !utf8.ValidString(name) {
			return &ParseError{Line: line, Column: j + 1, Err: fmt.Errorf("%w: column %d of the header, %s, is not valid UTF-8; a column name must be text that other programs (a JSON request) can match",
				ErrInvalidUTF8, j+1, quote(name))}
		}
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
	roles, err := t.c.resolveColumns(t.names, line)
	if err != nil {
		return err
	}
	t.order = roles.order
	t.inexact = make([]inexactLabel, len(t.order))
	for j := range t.cols {
		t.cols[j].role = roles.role[j]
		t.cols[j].categorical, t.cols[j].text = roles.categorical[j], roles.categorical[j]
	}
	t.setColumnNA()
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
