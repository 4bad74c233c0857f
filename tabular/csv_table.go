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
	"unicode/utf8"

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
	target      int  // position among the targets, if role is roleTarget
	typ         colType

	// text is set once the values are category codes rather than numbers:
	// from the first text cell of a kept row on, or when the column is
	// categorical.
	text bool

	// firstText is the first text (or boolean) cell of the column, of any
	// row, for messages; rec is 0 when there is none.
	firstText cellError
	// firstBad is the first Inf or out-of-range number of a kept row, an
	// error if the column turns out numeric; rec is 0 when there is none.
	firstBad cellError

	values  chunkedFloats  // one per kept row: number, category code or NaN
	bigText map[int]string // the text of each integer beyond int64 among values, by row
	codes   map[string]int // category code of each text, in order of appearance
	cats    []string       // the texts, by code

	na      []string   // the column's CSVReader.ColumnNA
	markers []naMarker // the markers DetectNA found, while the column is not text
	naRead  bool       // the markers are read as missing (markersMissing)
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
			if pe.Err == csv.ErrQuote && t.in.quoted && t.in.atEOF && pe.StartLine <= t.in.openLine && t.in.openLine <= pe.Line {
				// A quoted field left open runs to the end of the
				// input, where encoding/csv reports it: report the
				// quote that opened it.
				return nil, 0, &ParseError{Line: t.in.openLine, Column: t.in.openField, Err: fmt.Errorf(
					"%w: the quoted field that starts here is not closed before the end of the input (line %d)", pe.Err, pe.Line)}
			}
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
	if err := t.begin(); err != nil {
		return nil, err
	}

	headerLine, err := t.readHeader()
	if err != nil {
		return nil, err
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
			drop = drop || t.missing(&t.cols[j], trimCell(rec[j]))
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
		st.naRead = st.markersMissing()
	}
	t.categoricalInts()
	for _, j := range t.kept {
		st := &t.cols[j]
		if kind, _ := st.typ.kind(); kind == typeNumber && !st.categorical && (len(st.markers) == 0 || st.naRead) {
			if st.firstBad.rec > 0 && st.firstBad.before(t.failed) {
				t.failed = st.firstBad
			}
		} else if !st.text && t.failed.rec == 0 {
			// Text in a dropped row, or pandas' reading of large
			// integers, makes the column text after all.
			t.toText(st, j)
		}
	}
	if t.failed.rec > 0 {
		return nil, t.failed.err
	}
	for _, j := range t.order {
		if t.cols[j].naRead {
			return nil, t.markerError(j)
		}
	}
	tab = t.table(rows, dropped)
	if err := t.task(tab); err != nil {
		return nil, err
	}
	return tab, nil
}

// readHeader reads the header row and sets the columns' roles, the kept
// columns and the targets' positions; it returns the header's line.
func (t *tableReader) readHeader() (int, error) {
	header, headerLine, err := t.next()
	if err == io.EOF {
		return 0, &ParseError{Line: 1, Err: fmt.Errorf("%w: no header row", ErrEmptyInput)}
	}
	if err != nil {
		return 0, err
	}
	if err := t.header(header, headerLine); err != nil {
		return 0, err
	}
	for j := range t.cols {
		if t.cols[j].role != roleIgnore {
			t.kept = append(t.kept, j)
		}
	}
	for k, j := range t.order {
		t.cols[j].target = k
	}
	return headerLine, nil
}

// begin sets up t.cr, the CSV parser reading records from t.in, with the
// reader's settings: a short input is read from memory, a long one through
// a buffer, and a byte order mark before the header is dropped.
func (t *tableReader) begin() error {
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
		return err
	}
	if len(head) == n && bytes.HasPrefix(head, []byte("\uFEFF")) {
		src.(*bufio.Reader).Discard(3)
	}
	t.cr = csv.NewReader(src)
	t.cr.Comma = t.c.Comma
	t.cr.FieldsPerRecord = -1
	t.cr.TrimLeadingSpace = !unicode.IsSpace(t.c.Comma)
	t.cr.ReuseRecord = true
	return nil
}

// row reads the cells of a kept row, record recNo, into their columns.
func (t *tableReader) row(rec []string, recNo int) {
	store := t.failed.rec == 0
	for _, j := range t.kept {
		st := &t.cols[j]
		cell := trimCell(rec[j])
		if t.missing(st, cell) {
			st.typ.seenNA = true
			if store {
				st.values.push(math.NaN())
			}
			continue
		}
		if k := t.marker(st, j, cell); k >= 0 {
			st.typ.seenNA = true
			if store {
				st.values.push(markerNaN(k))
			}
			continue
		}
		v, kind := classifyCell(cell)
		if kind <= cellFloat && !st.text {
			// The usual cell of a numeric column.
			st.typ.note(kind, cell[0] == '-')
			if st.role == roleTarget {
				t.checkLabel(st, j, v, cell)
			}
			if store {
				st.values.push(v)
			}
			continue
		}
		big := kind == cellUint || kind == cellHugeInt || kind == cellNegInt
		kind = t.noteCell(st, kind, cell, v, recNo, j)
		switch {
		case st.categorical:
			if store {
				store = t.storeText(st, cell, recNo, j)
			}
			continue
		case kind == cellText || kind == cellBool:
			if !st.text && store {
				t.toText(st, j)
				store = t.failed.rec == 0
			}
			if store {
				store = t.storeText(st, cell, recNo, j)
			}
			continue
		case kind == cellRange || kind == cellInf:
			if st.firstBad.rec == 0 {
				l, _ := t.cr.FieldPos(j)
				st.firstBad = cellError{recNo, j, &ParseError{Line: l, Column: j + 1,
					Err: fmt.Errorf("%w in column %s", numberError(cell, kind), quote(t.names[j]))}}
			}
		case kind <= cellFloat && st.role == roleTarget:
			t.checkLabel(st, j, v, cell)
		}
		if !store {
			continue
		}
		switch {
		case st.text && big:
			// No float64 names an integer beyond int64 exactly.
			store = t.storeText(st, cell, recNo, j)
		case st.text:
			store = t.storeText(st, formatNumber(v), recNo, j)
		default:
			if big {
				if st.bigText == nil {
					st.bigText = make(map[int]string)
				}
				st.bigText[st.values.n] = strings.Clone(cell)
			}
			st.values.push(v)
		}
	}
}

// checkLabel notes the first cell of target column st (position j) whose
// value v is an integer though its text is not exactly one.
func (t *tableReader) checkLabel(st *colState, j int, v float64, cell string) {
	if v != math.Trunc(v) {
		return
	}
	if in := &t.inexact[st.target]; in.line == 0 && !exactInteger(cell) {
		in.line, _ = t.cr.FieldPos(j)
		in.text = strings.Clone(cell)
	}
}

// noteCell updates the type of column st, at position j, with a
// non-missing cell of kind k and value v, at record recNo (0 for a
// dropped row, whose position is not kept). It returns the cell's kind
// for its value: cellRange for an integer beyond float64's range.
func (t *tableReader) noteCell(st *colState, k cellKind, cell string, v float64, recNo, j int) cellKind {
	neg := cell[0] == '-'
	st.typ.note(k, neg)
	if (k == cellHugeInt || k == cellNegInt) && (math.IsInf(v, 0) || pandasOverflow(strings.TrimLeft(cell, "+-"))) {
		// An integer beyond float64's range: if the column turns out
		// numeric, pandas reads it as floats, and this cell is out of
		// range.
		k = cellRange
	}
	if (k == cellText || k == cellBool) && st.firstText.rec == 0 {
		l, _ := t.cr.FieldPos(j)
		st.firstText = cellError{rec: max(recNo, 1), col: j, err: &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf("%s", quote(cell))}}
	}
	return k
}

// toText turns the numbers read so far into column st's category codes,
// named by their shortest decimal form, and reads its later cells as
// text.
func (t *tableReader) toText(st *colState, j int) {
	st.text = true
	rec := max(st.firstText.rec, 1)
	row := 0
	for _, chunk := range st.values.chunks() {
		for i, v := range chunk {
			row++
			text, ok := st.bigText[row-1]
			switch m := markerIndex(v); {
			case m >= 0:
				text = st.markers[m].text
			case math.IsNaN(v):
				continue
			case !ok:
				text = formatNumber(v)
			}
			k := t.category(st, text, rec, j)
			if k < 0 {
				return
			}
			chunk[i] = float64(k)
		}
	}
	st.bigText = nil
	st.markersAsText()
}

// category returns the code of text cell in st, a new one for a new text;
// for a text of invalid UTF-8 or
// beyond MaxCategories it notes an error at record recNo, column j and
// returns -1.
func (t *tableReader) category(st *colState, cell string, recNo, j int) int {
	k, ok := st.codes[cell]
	if !ok {
		if !utf8.ValidString(cell) {
			l, _ := t.cr.FieldPos(j)
			t.failed = cellError{recNo, j, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf(
				"%w: column %s holds the text %s, which is not valid UTF-8; a class or category must be text that other programs can match",
				ErrInvalidUTF8, quote(t.names[j]), quote(cell))}}
			return -1
		}
		if t.nCats == t.lim.MaxCategories {
			t.failed = cellError{recNo, j, t.categoryLimit(st, j)}
			return -1
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
	return k
}

// storeText stores the code of text cell as the next value of st; it
// reports false, having noted an error, if the text cannot be a category.
func (t *tableReader) storeText(st *colState, cell string, recNo, j int) bool {
	k := t.category(st, cell, recNo, j)
	if k < 0 {
		return false
	}
	st.values.push(float64(k))
	return true
}

// categoryLimit returns the error for column st, at position j, passing
// MaxCategories.
func (t *tableReader) categoryLimit(st *colState, j int) *ParseError {
	l, _ := t.cr.FieldPos(j)
	if st.firstText.rec > 0 && st.typ.number && !st.categorical {
		return limitError(st.firstText.err.Line, j+1,
			"column %s: more than Limits.MaxCategories = %d distinct texts in the categorical columns; the column holds numbers and text such as %s, so it is read as text, as pandas reads it: if that text marks a missing value, add it to CSVReader.NA; if the column is an identifier or free text, add it to CSVReader.Ignore",
			quote(t.names[j]), t.lim.MaxCategories, st.firstText.err.Err)
	}
	return limitError(l, j+1,
		"column %s: more than Limits.MaxCategories = %d distinct texts in the categorical columns; if the column is an identifier or free text, add it to CSVReader.Ignore",
		quote(t.names[j]), t.lim.MaxCategories)
}

// typeRow notes what the cells of a dropped row are, for the columns'
// kinds; nothing else of the row is kept.
func (t *tableReader) typeRow(rec []string) {
	for _, j := range t.kept {
		st := &t.cols[j]
		cell := trimCell(rec[j])
		if t.missing(st, cell) {
			st.typ.seenNA = true
			continue
		}
		if t.marker(st, j, cell) >= 0 {
			st.typ.seenNA = true
			continue
		}
		v, kind := classifyCell(cell)
		t.noteCell(st, kind, cell, v, 0, j)
	}
}

// table returns the Table of the columns read, of rows rows each.
func (t *tableReader) table(rows, dropped int) *Table {
	tab := &Table{Dropped: dropped, NA: slices.Clone(t.c.NA), Ignored: t.ignored()}
	more := 0
	tab.Features = make([]Column, 0, len(t.kept)-len(t.order))
	if len(t.order) > 0 {
		tab.Targets = make([]Column, len(t.order))
	}
	for _, j := range t.kept {
		st := &t.cols[j]
		c := Column{Name: t.names[j], Kind: Numeric, Values: st.values.slice()}
		if st.text {
			c.Kind, c.Categories = Categorical, st.cats
			if kind, _ := st.typ.kind(); kind == typeBool {
				mergeBooleans(&c)
			}
			sortCategories(&c)
		}
		if st.text && !st.categorical && st.typ.number && st.firstText.rec > 0 {
			t.mixedNote(tab, j)
		}
		if st.naRead {
			for i, v := range c.Values {
				if markerIndex(v) >= 0 {
					c.Values[i] = math.NaN()
				}
			}
			t.naNote(tab, j, &more)
		}
		t.columnNA(tab, j)
		st.values, st.codes, st.cats, st.bigText = chunkedFloats{}, nil, nil, nil
		if st.role == roleTarget {
			tab.Targets[st.target] = c
		} else {
			tab.Features = append(tab.Features, c)
		}
	}
	naSummary(tab, more)
	return tab
}

// maxNotes is the most Table.Notes of mixed columns; one more says how
// many others there are.
const maxNotes = 10

// mixedNote adds to tab's notes that column j, holding numbers and text,
// is read as text.
func (t *tableReader) mixedNote(tab *Table, j int) {
	switch n := len(tab.Notes); {
	case n < maxNotes:
		cell := t.cols[j].firstText.err
		tab.Notes = append(tab.Notes, fmt.Sprintf(
			"column %s holds numbers and text such as %v (line %d), so it is read as text (categorical), as pandas reads it; if that text marks a missing value, add it to CSVReader.NA",
			quote(t.names[j]), cell.Err, cell.Line))
	case n == maxNotes:
		tab.Notes = append(tab.Notes, "other columns hold numbers and text too, and are read as text")
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
			line := 1
			if ft := t.cols[t.order[k]].firstText; asked == Regression && ft.rec > 0 {
				// Text where regression needs numbers: the first text
				// cell.
				line = ft.err.Line
			}
			return &ParseError{Line: line, Column: t.order[k] + 1, Err: fmt.Errorf("%w: %w", ErrBadLabel, err)}
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
