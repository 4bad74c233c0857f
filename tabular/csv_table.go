package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/mlpkit/mlp"
)

// role of a header column.
const (
	roleFeature = iota
	roleTarget
	roleIgnore
)

// colState is what the reader learns about one header column as it reads.
type colState struct {
	role        uint8
	categorical bool // named in Categorical
	hasNumber   bool // a cell, of any row, reads as a number
	hasText     bool // a cell, of any row, is text
	target      int  // position among the targets, if role is roleTarget

	// firstText is the first text cell of a kept row, an error if the
	// column turns out numeric; rec is 0 when there is none.
	firstText cellError

	values chunkedFloats  // one per kept row: number, category code or NaN
	codes  map[string]int // category code of each text, in order of appearance
	cats   []string       // the texts, by code
}

// cellError is an error found in a cell, which ReadAll reports only if the
// records are sound: the first of them in the input, by record (1 is the
// first data row) and column.
type cellError struct {
	rec, col int
	err      *ParseError
}

// before reports whether e lies before o in the input, or o is none.
func (e cellError) before(o cellError) bool {
	return o.rec == 0 || e.rec < o.rec || e.rec == o.rec && e.col < o.col
}

// inexactLabel is the first cell of a target column whose text is not
// exactly an integer though its value is one.
type inexactLabel struct {
	line int
	text string
}

// tableReader reads one Table in one pass over its input.
type tableReader struct {
	c       *CSVReader
	lim     Limits
	in      *boundedReader
	cr      *csv.Reader
	names   []string
	cols    []colState     // by header position
	kept    []int          // positions of the columns that are not ignored
	order   []int          // target column positions, in the order asked
	inexact []inexactLabel // per target, in order; line 0 when none
	nCats   int            // distinct texts of all columns so far
	failed  cellError      // the first cell error so far; rec 0 when none
}

// next returns the next record, checked against the limits, and its first
// line; io.EOF at the end.
func (t *tableReader) next() ([]string, int, error) {
	rec, err := t.cr.Read()
	if t.in.err != nil {
		return nil, 0, t.in.err
	}
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
	line, _ := t.cr.FieldPos(0)
	if len(rec) > t.lim.MaxFields {
		return nil, 0, limitError(line, 0, "%d fields, more than Limits.MaxFields = %d", len(rec), t.lim.MaxFields)
	}
	total := 0
	for j, f := range rec {
		total += len(f)
		if len(f) > t.lim.MaxFieldBytes {
			l, _ := t.cr.FieldPos(j)
			return nil, 0, limitError(l, j+1, "a cell of %d bytes, more than Limits.MaxFieldBytes = %d", len(f), t.lim.MaxFieldBytes)
		}
	}
	if total > t.lim.MaxLineBytes {
		return nil, 0, limitError(line, 0, "a record of %d bytes, more than Limits.MaxLineBytes = %d", total, t.lim.MaxLineBytes)
	}
	return rec, line, nil
}

// smallInput is the most bytes of an input read without a buffer of its
// own.
const smallInput = 64 << 10

// read parses the input in one pass: it checks every record, types the
// columns and parses every cell into its column as it goes, and keeps the
// first error of a cell to report once the whole input is known sound.
func (t *tableReader) read() (tab *Table, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errAbort {
				panic(r)
			}
			tab, err = nil, t.in.err
		}
	}()
	t.in.abort = true
	// A short input is read from memory; a long one through a buffer of
	// 1 MiB, which a longer line overflows into encoding/csv's own buffer
	// in steps large enough to keep its growth to a few copies.
	head := make([]byte, smallInput)
	n, err := io.ReadFull(t.in, head)
	var src io.Reader
	switch {
	case err == nil:
		src = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(head), t.in), 1<<20)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		src = bytes.NewReader(bytes.TrimPrefix(head[:n], []byte("\uFEFF")))
	default:
		return nil, err
	}
	if len(head) == n && bytes.HasPrefix(head, []byte("\uFEFF")) {
		src.(*bufio.Reader).Discard(3)
	}
	t.cr = csv.NewReader(src)
	t.cr.Comma = t.c.Comma
	t.cr.FieldsPerRecord = -1
	t.cr.TrimLeadingSpace = !unicode.IsSpace(t.c.Comma)
	t.cr.ReuseRecord = true

	header, headerLine, err := t.next()
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("%w: no header row", ErrEmptyInput)}
	}
	if err != nil {
		return nil, err
	}
	if err := t.header(header, headerLine); err != nil {
		return nil, err
	}
	for j := range t.cols {
		if t.cols[j].role != roleIgnore {
			t.kept = append(t.kept, j)
		}
	}
	for k, j := range t.order {
		t.cols[j].target = k
	}
	width := len(t.names)
	rows, dropped, last := 0, 0, headerLine
	for recNo := 1; ; recNo++ {
		rec, line, err := t.next()
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
		for _, j := range t.order {
			drop = drop || isMissing(trimCell(rec[j]), t.c.NA)
		}
		if drop {
			dropped++
			t.typeRow(rec)
			continue
		}
		rows++
		t.row(rec, recNo)
	}
	if rows == 0 {
		what := "no data rows after the header"
		if dropped > 0 {
			what = fmt.Sprintf("every one of the %d data rows has a missing target", dropped)
		}
		return nil, &ParseError{Line: last + 1, Err: fmt.Errorf("%w: %s", ErrEmptyInput, what)}
	}
	for _, j := range t.kept {
		st := &t.cols[j]
		if !st.categorical && st.hasNumber && st.firstText.rec > 0 && st.firstText.before(t.failed) {
			t.failed = st.firstText
		}
	}
	if t.failed.rec > 0 {
		return nil, t.failed.err
	}
	tab = t.table(rows, dropped)
	if err := t.task(tab); err != nil {
		return nil, err
	}
	return tab, nil
}

// row reads the cells of a kept row, record recNo, into their columns.
func (t *tableReader) row(rec []string, recNo int) {
	store := t.failed.rec == 0
	for _, j := range t.kept {
		st := &t.cols[j]
		cell := trimCell(rec[j])
		if isMissing(cell, t.c.NA) {
			if store {
				st.values.push(math.NaN())
			}
			continue
		}
		if st.categorical {
			if store {
				t.category(st, cell, recNo, j)
				store = t.failed.rec == 0
			}
			continue
		}
		v, kind := scanNumber(cell)
		switch kind {
		case numFinite:
			st.hasNumber = true
			if st.role == roleTarget && v == math.Trunc(v) {
				if in := &t.inexact[st.target]; in.line == 0 && !exactInteger(cell) {
					in.line, _ = t.cr.FieldPos(j)
					in.text = strings.Clone(cell)
				}
			}
		case numText:
			st.hasText = true
			if st.firstText.rec == 0 {
				l, _ := t.cr.FieldPos(j)
				st.firstText = cellError{recNo, j, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf(
					"%w: column %s holds numbers and the text %s; if that marks a missing value, add it to CSVReader.NA; if the column is categorical, name it in CSVReader.Categorical",
					ErrMixedColumn, quote(t.names[j]), quote(cell))}}
			}
			if store && !st.hasNumber {
				// The column may be categorical.
				t.category(st, cell, recNo, j)
				store = t.failed.rec == 0
			}
			continue
		default:
			st.hasNumber = true
			if e := (cellError{rec: recNo, col: j}); store || e.before(t.failed) {
				l, _ := t.cr.FieldPos(j)
				e.err = &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf("%w in column %s", numberError(cell, kind), quote(t.names[j]))}
				t.failed, store = e, false
			}
			continue
		}
		if store {
			st.values.push(v)
		}
	}
}

// category stores the code of text cell in st, a new one for a new text,
// or notes an error at record recNo, column j beyond MaxCategories.
func (t *tableReader) category(st *colState, cell string, recNo, j int) {
	k, ok := st.codes[cell]
	if !ok {
		if t.nCats == t.lim.MaxCategories {
			l, _ := t.cr.FieldPos(j)
			t.failed = cellError{recNo, j, limitError(l, j+1,
				"column %s: more than Limits.MaxCategories = %d distinct texts in the categorical columns; if the column is an identifier or free text, add it to CSVReader.Ignore",
				quote(t.names[j]), t.lim.MaxCategories)}
			return
		}
		if st.codes == nil {
			st.codes = make(map[string]int)
		}
		k = len(st.cats)
		cell = strings.Clone(cell)
		st.codes[cell] = k
		st.cats = append(st.cats, cell)
		t.nCats++
	}
	st.values.push(float64(k))
}

// typeRow notes what the cells of a dropped row are, for the columns'
// kinds; nothing else of the row is kept.
func (t *tableReader) typeRow(rec []string) {
	for _, j := range t.kept {
		st := &t.cols[j]
		if st.categorical {
			continue
		}
		cell := trimCell(rec[j])
		if isMissing(cell, t.c.NA) {
			continue
		}
		if _, kind := scanNumber(cell); kind == numText {
			st.hasText = true
		} else {
			st.hasNumber = true
		}
	}
}

// table returns the Table of the columns read, of rows rows each.
func (t *tableReader) table(rows, dropped int) *Table {
	tab := &Table{Dropped: dropped, NA: slices.Clone(t.c.NA)}
	tab.Features = make([]Column, 0, len(t.kept)-len(t.order))
	if len(t.order) > 0 {
		tab.Targets = make([]Column, len(t.order))
	}
	for _, j := range t.kept {
		st := &t.cols[j]
		c := Column{Name: t.names[j], Kind: Numeric, Values: st.values.slice()}
		if st.categorical || st.hasText && !st.hasNumber {
			c.Kind, c.Categories = Categorical, st.cats
			sortCategories(&c)
		}
		st.values, st.codes, st.cats = chunkedFloats{}, nil, nil
		if st.role == roleTarget {
			tab.Targets[st.target] = c
		} else {
			tab.Features = append(tab.Features, c)
		}
	}
	return tab
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

// chunkedFloats collects float64 values in chunks, each a quarter of the
// values before it (at least minChunk), so that growing never copies and
// wastes at most a quarter; slice copies them to one slice of exact size.
type chunkedFloats struct {
	full [][]float64
	cur  []float64
	n    int
}

// minChunk is the smallest chunk of a chunkedFloats.
const minChunk = 16

// push appends v.
func (c *chunkedFloats) push(v float64) {
	if len(c.cur) == cap(c.cur) {
		if len(c.cur) > 0 {
			c.full = append(c.full, c.cur)
		}
		c.cur = make([]float64, 0, max(minChunk, c.n/4))
	}
	c.cur = append(c.cur, v)
	c.n++
}

// slice returns the values in one slice, allocating it unless they fit in
// one chunk.
func (c *chunkedFloats) slice() []float64 {
	if len(c.full) == 0 {
		if c.cur == nil {
			return []float64{}
		}
		return c.cur
	}
	out := make([]float64, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}
