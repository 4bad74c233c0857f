package tabular

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/mlpkit/mlp"
)

// Roles say what the columns given to NewTable are for, as the CSVReader
// fields of the same names do for the columns of a CSV file.
type Roles struct {
	// Targets names the target columns; TargetIndex gives them by 0-based
	// position (negative from the end). Set at most one.
	Targets     []string
	TargetIndex []int

	// Task is the task asked for; AutoTask lets InferTask decide.
	Task Task

	// Categorical names numeric columns to read as categories: each
	// number becomes the category named by its shortest decimal form.
	Categorical []string

	// Ignore names columns to drop.
	Ignore []string

	// NA lists texts that mark a missing cell in a categorical column,
	// besides the defaults CSVReader knows.
	NA []string
}

// NewTable returns the Table of cols, the columns of a file in file order,
// read as CSVReader reads a CSV file holding the same cells, for readers
// of other formats whose columns carry their type:
//
//   - The columns named by r become targets, are dropped, or become
//     categorical (a number becoming the category of its text, as
//     Column.Text gives it).
//   - The categories of a Categorical column are read as CSVReader reads
//     text cells: trimmed of surrounding spaces, a missing-value marker
//     (the defaults and r.NA) is a missing cell, texts equal after
//     trimming are one category, and they are put in byte order.
//   - A row with a missing target cell is left out and counted in
//     Table.Dropped; the task comes from InferTask.
//
// It returns an error wrapping mlp.ErrData for a column Column checks
// refuse (±Inf, a bad category index, invalid UTF-8), columns of different
// lengths, an unnamed or repeated name, a name in r absent from cols
// (ErrNoColumn), and no rows left (ErrEmptyInput); mlp.ErrSetting for
// settings that cannot work. The Values of an ignored column are not read
// (they may be nil). It takes over the Values and Categories of cols,
// which it may change; the caller must not use them after.
func NewTable(cols []Column, r Roles) (*Table, error) {
	c := &CSVReader{Comma: ',', Targets: r.Targets, TargetIndex: r.TargetIndex, Task: r.Task,
		Categorical: r.Categorical, Ignore: r.Ignore, NA: r.NA}
	if err := c.checkSettings(); err != nil {
		return nil, err
	}
	names := make([]string, len(cols))
	for j := range cols {
		names[j] = cols[j].Name
	}
	t := &tableReader{c: c}
	if len(cols) == 0 {
		return nil, &TableError{Err: fmt.Errorf("%w: no columns", ErrEmptyInput)}
	}
	if err := t.header(names, 1); err != nil {
		return nil, withoutLine(err)
	}
	rows := -1
	for j := range cols {
		if t.cols[j].role == roleIgnore {
			continue
		}
		if rows < 0 {
			rows = len(cols[j].Values)
		}
		if len(cols[j].Values) != rows {
			return nil, fmt.Errorf("%w: NewTable: column %s has %d rows, the columns before it %d",
				mlp.ErrData, quote(cols[j].Name), len(cols[j].Values), rows)
		}
	}
	if rows < 0 {
		return nil, &TableError{Err: fmt.Errorf("%w: every column is ignored", ErrEmptyInput)}
	}
	for k, j := range t.order {
		t.cols[j].target = k
	}
	for j := range cols {
		col := &cols[j]
		if t.cols[j].role == roleIgnore {
			continue
		}
		if t.cols[j].categorical && col.Kind == Numeric {
			numbersToCategories(col)
		}
		if col.Kind == Categorical {
			if err := col.check("column"); err != nil {
				return nil, err
			}
			normalizeCategories(col, r.NA)
		}
		if err := col.check("column"); err != nil {
			return nil, err
		}
	}
	keep := make([]int, 0, rows)
	for i := range rows {
		missing := false
		for _, j := range t.order {
			missing = missing || math.IsNaN(cols[j].Values[i])
		}
		if !missing {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		what := "no data rows"
		if rows > 0 {
			what = fmt.Sprintf("every one of the %d data rows has a missing target", rows)
		}
		return nil, &TableError{Err: fmt.Errorf("%w: %s", ErrEmptyInput, what)}
	}
	tab := &Table{Dropped: rows - len(keep), NA: slices.Clone(r.NA), Ignored: t.ignored()}
	if len(t.order) > 0 {
		tab.Targets = make([]Column, len(t.order))
	}
	for j := range cols {
		st := &t.cols[j]
		if st.role == roleIgnore {
			continue
		}
		col := cols[j]
		if tab.Dropped > 0 {
			v := make([]float64, len(keep))
			for i, k := range keep {
				v[i] = col.Values[k]
			}
			col.Values = v
		}
		if st.role == roleTarget {
			tab.Targets[st.target] = col
		} else {
			tab.Features = append(tab.Features, col)
		}
	}
	if err := t.task(tab); err != nil {
		return nil, withoutLine(err)
	}
	return tab, nil
}

// withoutLine returns err without the CSV line of a *ParseError, which a
// table read from columns does not have: a *TableError naming the column.
func withoutLine(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return &TableError{Column: pe.Column, Err: pe.Err}
	}
	return err
}

// TableError is an error of NewTable about the columns: it matches
// mlp.ErrData and wraps what is wrong (ErrNoColumn, ErrBadLabel, ...).
type TableError struct {
	// Column is the 1-based position of the column the error is about,
	// 0 when it is about the whole table.
	Column int

	// Err is the underlying error.
	Err error
}

// Error returns a message of the form "mlp: column 3: bad label: ...".
func (e *TableError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("mlp: column %d: %v", e.Column, e.Err)
	}
	return fmt.Sprintf("mlp: %v", e.Err)
}

// Unwrap returns e.Err.
func (e *TableError) Unwrap() error { return e.Err }

// Is reports whether target is mlp.ErrData.
func (e *TableError) Is(target error) bool { return target == mlp.ErrData }

// numbersToCategories turns the numbers of c into categories named by
// their text, as CSVReader reads a column named in Categorical.
func numbersToCategories(c *Column) {
	codes := make(map[float64]int)
	for i, v := range c.Values {
		if math.IsNaN(v) {
			continue
		}
		k, ok := codes[v]
		if !ok {
			k = len(c.Categories)
			codes[v] = k
			c.Categories = append(c.Categories, formatNumber(v))
		}
		c.Values[i] = float64(k)
	}
	c.Kind = Categorical
}

// normalizeCategories reads the categories of c as CSVReader reads text
// cells: trimmed, missing-value markers missing, equal texts merged, in
// byte order. Every value of c must be NaN or the index of a category
// (Column.check).
func normalizeCategories(c *Column, na []string) {
	code := make([]float64, len(c.Categories))
	var cats []string
	at := make(map[string]int, len(c.Categories))
	for k, cat := range c.Categories {
		cat = trimCell(cat)
		if isMissing(cat, na) {
			code[k] = math.NaN()
			continue
		}
		n, ok := at[cat]
		if !ok {
			n = len(cats)
			at[cat] = n
			cats = append(cats, cat)
		}
		code[k] = float64(n)
	}
	for i, v := range c.Values {
		if !math.IsNaN(v) {
			c.Values[i] = code[int(v)]
		}
	}
	c.Categories = cats
	sortCategories(c)
}
