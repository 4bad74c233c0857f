package tabular

import (
	"github.com/mlpkit/mlp"

	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// ColumnKind says how the cells of a column are read.
type ColumnKind int

const (
	// Numeric cells are numbers, stored as float64.
	Numeric ColumnKind = iota + 1
	// Categorical cells are texts from a finite set, the column's
	// categories; a categorical feature is one-hot encoded.
	Categorical
)

// String returns "numeric" or "categorical".
func (k ColumnKind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Categorical:
		return "categorical"
	}
	return "unknown kind"
}

// Column is one column of a Table: a name, a kind and one value per row.
//
// Every column stores its cells as float64, NaN meaning missing: a Numeric
// column the numbers themselves, a Categorical column the 0-based index of
// the cell's text in Categories (so Categories[int(Values[i])] is the text of
// row i). This keeps a table at 8 bytes a cell whatever its kinds.
type Column struct {
	// Name is the column's header name, with surrounding spaces removed.
	Name string

	// Kind is Numeric or Categorical.
	Kind ColumnKind

	// Values holds one entry per row; NaN marks a missing cell.
	Values []float64

	// Categories holds the distinct non-missing texts of a Categorical
	// column, trimmed of surrounding spaces, in byte order (as sort.Strings
	// orders them). It is nil for a Numeric column.
	Categories []string
}

// check returns an error wrapping ErrData, naming the column (as what,
// such as "feature column") and the 0-based row, for what c cannot hold:
// an unknown Kind; ±Inf in a Numeric column (NaN is a missing cell); a
// value of a Categorical column that is not the index of one of its
// Categories; a name or a category that is not valid UTF-8
// (ErrInvalidUTF8). It allocates nothing unless it returns an error.
func (c *Column) check(what string) error {
	if !utf8.ValidString(c.Name) {
		return fmt.Errorf("%w: %s %s: the name is not valid UTF-8", ErrInvalidUTF8, what, quote(c.Name))
	}
	switch c.Kind {
	case Numeric:
		for i, v := range c.Values {
			if math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s %s, row %d (0-based): %v is not finite; a numeric cell is a finite number, or NaN for missing",
					mlp.ErrData, what, quote(c.Name), i, v)
			}
		}
	case Categorical:
		for k, cat := range c.Categories {
			if !utf8.ValidString(cat) {
				return fmt.Errorf("%w: %s %s: category %d, %s, is not valid UTF-8", ErrInvalidUTF8, what, quote(c.Name), k, quote(cat))
			}
		}
		n := float64(len(c.Categories))
		for i, v := range c.Values {
			if !math.IsNaN(v) && (v < 0 || v >= n || v != math.Trunc(v)) {
				return fmt.Errorf("%w: %s %s, row %d (0-based): %v is not the index of one of its %d categories",
					mlp.ErrData, what, quote(c.Name), i, v, len(c.Categories))
			}
		}
	default:
		return fmt.Errorf("%w: %s %s has kind %d, neither Numeric nor Categorical", mlp.ErrData, what, quote(c.Name), int(c.Kind))
	}
	return nil
}

// Missing reports whether row i of c is a missing cell.
func (c *Column) Missing(i int) bool { return math.IsNaN(c.Values[i]) }

// Text returns the text of row i: the category of a Categorical cell, the
// shortest decimal form of a Numeric one (strconv.FormatFloat with 'g' and
// precision -1), and "" for a missing cell. It panics if i is out of range.
func (c *Column) Text(i int) string {
	v := c.Values[i]
	switch {
	case math.IsNaN(v):
		return ""
	case c.Kind == Categorical:
		return c.Categories[int(v)]
	}
	return formatNumber(v)
}

// formatNumber is the text of a number in class names and messages: the
// shortest decimal that reads back as v, without exponent for integers below
// 2^53 ("3", not "3e+00").
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) <= maxExactInt {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// maxExactInt is 2^53, the largest magnitude below which every integer is a
// float64.
const maxExactInt = 1 << 53

// Table is a table of data as CSVReader reads it: feature columns, the
// target columns, and what is known about the target.
//
// The columns of a Table share nothing with those of another Table: Subset
// copies. A Table is plain data; the package only reads the Tables it is
// given, so reading one from several goroutines is safe as long as nothing
// writes to it.
type Table struct {
	// Features are the columns a model reads, in file order, without the
	// targets and the ignored columns.
	Features []Column

	// Targets are the target columns, in the order they were asked for:
	// none for data to predict on, one for classification or regression,
	// several for multi-output regression.
	Targets []Column

	// Task is the task the targets call for, decided by InferTask: AutoTask
	// when there are no targets.
	Task Task

	// TaskNote says why Task was chosen, in one sentence naming the target
	// column; programs should show it when the task was inferred.
	TaskNote string

	// Dropped is the number of rows left out because a target cell was
	// missing.
	Dropped int

	// Notes say, one sentence each, where the reader read a column in a
	// way the user may not expect: a column of numbers holding some text
	// is text (categorical), as pandas reads it. Programs should show
	// them.
	Notes []string

	// NA lists the missing-value markers the table was read with, besides
	// the ones every reader knows (pandas' defaults: "", "NA", "NaN",
	// "NULL" and the others CSVReader lists).
	// A Preprocessor fitted on the table keeps them, to read the cells it
	// is given to predict the same way.
	NA []string

	// ColumnNA lists, by column name, the markers read as missing in
	// that column only: those of CSVReader.ColumnNA and those
	// CSVReader.DetectNA found, each list in byte order; nil when none.
	// A Preprocessor fitted on the table keeps them too.
	ColumnNA map[string][]string

	// Ignored names the columns of the header that CSVReader.Ignore left
	// out (by name or pattern), in header order; nil when none.
	Ignored []string
}

// Rows returns the number of rows (samples) of t.
func (t *Table) Rows() int {
	switch {
	case len(t.Features) > 0:
		return len(t.Features[0].Values)
	case len(t.Targets) > 0:
		return len(t.Targets[0].Values)
	}
	return 0
}

// FeatureNames returns the names of the feature columns, in order, in a new
// slice.
func (t *Table) FeatureNames() []string {
	names := make([]string, len(t.Features))
	for i := range t.Features {
		names[i] = t.Features[i].Name
	}
	return names
}

// TargetNames returns the names of the target columns, in order, in a new
// slice.
func (t *Table) TargetNames() []string {
	names := make([]string, len(t.Targets))
	for i := range t.Targets {
		names[i] = t.Targets[i].Name
	}
	return names
}

// Subset returns a new Table holding rows idx of t, in that order (an index
// may repeat). Kinds, categories, Task, TaskNote, NA and ColumnNA are kept (a
// categorical column keeps all its categories, also those its rows no longer
// use), Dropped is 0, and nothing is shared with t. It allocates the new
// columns and panics if an index is out of range.
func (t *Table) Subset(idx []int) *Table {
	n := t.Rows()
	for _, r := range idx {
		if r < 0 || r >= n {
			panic(fmt.Sprintf("mlp: Table.Subset: row index %d out of range [0, %d)", r, n))
		}
	}
	sub := func(cols []Column) []Column {
		if cols == nil {
			return nil
		}
		out := make([]Column, len(cols))
		for j, c := range cols {
			v := make([]float64, len(idx))
			for i, r := range idx {
				v[i] = c.Values[r]
			}
			out[j] = Column{Name: c.Name, Kind: c.Kind, Values: v, Categories: slices.Clone(c.Categories)}
		}
		return out
	}
	return &Table{
		Features: sub(t.Features),
		Targets:  sub(t.Targets),
		Task:     t.Task,
		TaskNote: t.TaskNote,
		Notes:    slices.Clone(t.Notes),
		NA:       slices.Clone(t.NA),
		ColumnNA: cloneColumnNA(t.ColumnNA),
		Ignored:  slices.Clone(t.Ignored),
	}
}

// Dataset returns t as plain numbers, for a model built by hand: X holds the
// feature columns as they are and Y the targets, class indices (in the order
// of FitLabelEncoder on the target column) for classification or the values
// for regression. It returns an error wrapping mlp.ErrData, naming the column,
// if a feature is categorical or has a missing cell (fit a Preprocessor, as
// the estimators do, to encode and impute them), and if t has no target or
// no rows. It allocates the Dataset.
func (t *Table) Dataset() (*mlp.Dataset, error) {
	if t == nil || t.Rows() == 0 {
		return nil, fmt.Errorf("%w: Table.Dataset: the table has no rows", mlp.ErrData)
	}
	if len(t.Targets) == 0 {
		return nil, fmt.Errorf("%w: Table.Dataset: the table has no target column; set CSVReader.Targets or TargetIndex", mlp.ErrData)
	}
	if len(t.Features) == 0 {
		return nil, fmt.Errorf("%w: Table.Dataset: the table has no feature column", mlp.ErrData)
	}
	n := t.Rows()
	x := mat.NewDense(n, len(t.Features), nil)
	for j := range t.Features {
		c := &t.Features[j]
		if err := c.check("Table.Dataset: feature column"); err != nil {
			return nil, err
		}
		if c.Kind == Categorical {
			return nil, fmt.Errorf("%w: Table.Dataset: column %q is categorical; fit a Preprocessor to one-hot encode it", mlp.ErrData, c.Name)
		}
		for i, v := range c.Values {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("%w: Table.Dataset: column %q has a missing cell in row %d (0-based); fit a Preprocessor to impute it", mlp.ErrData, c.Name, i)
			}
			x.Set(i, j, v)
		}
	}
	var y mlp.Targets
	if t.Task == Classification {
		enc, err := FitLabelEncoder(&t.Targets[0])
		if err != nil {
			return nil, err
		}
		if y.Labels, err = enc.Transform(&t.Targets[0]); err != nil {
			return nil, err
		}
	} else {
		vals, err := t.TargetValues()
		if err != nil {
			return nil, err
		}
		y.Values = vals
	}
	d, err := mlp.NewDataset(x, y)
	if err != nil {
		return nil, err
	}
	d.FeatureNames = t.FeatureNames()
	return d, nil
}

// TargetValues returns the target columns as a rows×targets matrix, for
// regression. It returns an error wrapping mlp.ErrData if there is no target, a
// target is categorical or a cell is missing. It allocates the matrix.
func (t *Table) TargetValues() (*mat.Dense, error) {
	if t == nil || len(t.Targets) == 0 || t.Rows() == 0 {
		return nil, fmt.Errorf("%w: the table has no target column or no rows", mlp.ErrData)
	}
	y := mat.NewDense(t.Rows(), len(t.Targets), nil)
	for j := range t.Targets {
		c := &t.Targets[j]
		if err := c.check("target column"); err != nil {
			return nil, err
		}
		if c.Kind != Numeric {
			return nil, fmt.Errorf("%w: target column %q holds text labels, not numbers to regress on", mlp.ErrData, c.Name)
		}
		for i, v := range c.Values {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("%w: target column %q has a missing cell in row %d (0-based)", mlp.ErrData, c.Name, i)
			}
			y.Set(i, j, v)
		}
	}
	return y, nil
}
