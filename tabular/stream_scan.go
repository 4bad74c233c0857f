package tabular

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// scanColumn is what the first pass gathers of a kept column while its
// kind is not yet known: the texts (text and boolean cells, or every cell
// of a column named in Categorical) and the numbers (by value, and the
// integers beyond int64 by text, the names a column found to be text gives
// them), each with its count among the training rows, and the moments of
// the numbers of the training rows.
type scanColumn struct {
	texts    map[string]int
	nums     map[uint64]int // by math.Float64bits
	bigs     map[string]int
	numsOver bool            // more distinct numbers than Limits.MaxCategories
	marks    [maxMarkers]int // training cells of each DetectNA marker
	nonInt   float64
	hasNon   bool // a number that is not an integer (for InferTask)
	w        moments
	missing  int
}

// moments accumulates the count, mean, sum of squared deviations, minimum
// and maximum of values by Welford's update (Welford 1962; Knuth, TAOCP
// vol. 2, 4.2.2): mean += (x−mean)/n, m2 += (x−mean_old)(x−mean_new).
type moments struct {
	n        int
	mean, m2 float64
	lo, hi   float64
}

func (m *moments) add(x float64) {
	if m.n == 0 {
		m.lo, m.hi = x, x
	}
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
	m.lo, m.hi = min(m.lo, x), max(m.hi, x)
}

// scan is the first pass: see CSVStream.
func (s *CSVStream) scan() (err error) {
	p, headerLine, err := s.startPass(true)
	if err != nil {
		return err
	}
	defer p.f.Close()
	t := p.t
	s.names, s.kept, s.order = t.names, t.kept, t.order
	sc := make([]scanColumn, len(t.cols))
	width := len(t.names)
	last := headerLine
	for recNo := 1; ; recNo++ {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		last = line
		s.records++
		if len(rec) != width {
			return &ParseError{Line: line, Column: min(len(rec), width) + 1,
				Err: fmt.Errorf("%w: %d fields, the header has %d", ErrRagged, len(rec), width)}
		}
		drop := false
		for _, j := range t.order {
			drop = drop || t.missing(&t.cols[j], trimCell(rec[j]))
		}
		if drop {
			s.dropped++
			t.typeRow(rec)
			continue
		}
		train := !heldOut(s.s.Seed, recNo, s.s.ValidationFraction)
		if train {
			s.trainRows++
		} else {
			s.heldRows++
		}
		for _, j := range t.kept {
			s.scanCell(t, &sc[j], j, trimCell(rec[j]), recNo, train)
		}
	}
	if _, err := io.Copy(io.Discard, p.in); err != nil {
		return err
	}
	s.size, s.sum = p.in.n, digest(p.in.sum)
	if s.trainRows+s.heldRows == 0 {
		what := "no data rows after the header"
		if s.dropped > 0 {
			what = fmt.Sprintf("every one of the %d data rows has a missing target", s.dropped)
		}
		return &ParseError{Line: last + 1, Err: fmt.Errorf("%w: %s", ErrEmptyInput, what)}
	}
	return s.settle(t, sc)
}

// scanCell notes cell (trimmed) of column j, record recNo, a kept row,
// counting it in the statistics if the row trains.
func (s *CSVStream) scanCell(t *tableReader, c *scanColumn, j int, cell string, recNo int, train bool) {
	st := &t.cols[j]
	if t.missing(st, cell) {
		st.typ.seenNA = true
		if train {
			c.missing++
		}
		return
	}
	if k := t.marker(st, j, cell); k >= 0 {
		st.typ.seenNA = true
		c.marks[k] += btoi(train)
		return
	}
	v, kind := classifyCell(cell)
	big := kind == cellUint || kind == cellHugeInt || kind == cellNegInt
	kind = t.noteCell(st, kind, cell, v, recNo, j)
	switch {
	case st.categorical || kind == cellText || kind == cellBool:
		s.countText(t, c, j, cell, recNo, train)
		return
	case kind == cellRange || kind == cellInf:
		if st.firstBad.rec == 0 {
			l, _ := t.cr.FieldPos(j)
			st.firstBad = cellError{recNo, j, &ParseError{Line: l, Column: j + 1,
				Err: fmt.Errorf("%w in column %s", numberError(cell, kind), quote(t.names[j]))}}
		}
	case st.role == roleTarget:
		t.checkLabel(st, j, v, cell)
	}
	if v != math.Trunc(v) && !c.hasNon {
		c.nonInt, c.hasNon = v, true
	}
	if train && !math.IsInf(v, 0) {
		c.w.add(v)
	}
	if c.numsOver {
		return
	}
	if big {
		if c.bigs == nil {
			c.bigs = make(map[string]int)
		}
		n, ok := c.bigs[cell]
		if !ok {
			cell = strings.Clone(cell)
		}
		c.bigs[cell] = n + btoi(train)
	} else {
		if c.nums == nil {
			c.nums = make(map[uint64]int)
		}
		c.nums[math.Float64bits(v)] += btoi(train)
	}
	if len(c.nums)+len(c.bigs) > t.lim.MaxCategories {
		c.nums, c.bigs, c.numsOver = nil, nil, true
	}
}

// countText counts a text cell, noting an error for invalid UTF-8 or
// texts beyond Limits.MaxCategories, as CSVReader does.
func (s *CSVStream) countText(t *tableReader, c *scanColumn, j int, cell string, recNo int, train bool) {
	n, ok := c.texts[cell]
	if !ok {
		if t.failed.rec > 0 {
			return
		}
		if !utf8.ValidString(cell) {
			l, _ := t.cr.FieldPos(j)
			t.failed = cellError{recNo, j, &ParseError{Line: l, Column: j + 1, Err: fmt.Errorf(
				"%w: column %s holds the text %s, which is not valid UTF-8; a class or category must be text that other programs can match",
				ErrInvalidUTF8, quote(t.names[j]), quote(cell))}}
			return
		}
		if t.nCats == t.lim.MaxCategories {
			t.failed = cellError{recNo, j, t.categoryLimit(&t.cols[j], j)}
			return
		}
		t.nCats++
		if c.texts == nil {
			c.texts = make(map[string]int)
		}
		cell = strings.Clone(cell)
	}
	c.texts[cell] = n + btoi(train)
}

// btoi returns 1 for true, 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// settle decides the columns' kinds and categories once the first pass
// has seen every row, as CSVReader.ReadAll does at the end of its input,
// and the task.
func (s *CSVStream) settle(t *tableReader, sc []scanColumn) error {
	s.cols = make([]streamColumn, len(t.cols))
	shell := &Table{}
	more := 0
	for _, j := range t.kept {
		st, c := &t.cols[j], &sc[j]
		col := &s.cols[j]
		col.name, col.role, col.named = t.names[j], st.role, st.categorical
		markers := st.markers
		if st.naRead = st.markersMissing(); !st.naRead {
			st.markersAsText()
		}
		s.setColumnNA(t, j)
		if kind, _ := st.typ.kind(); kind == typeNumber && !st.categorical {
			if st.firstBad.rec > 0 && st.firstBad.before(t.failed) {
				t.failed = st.firstBad
			}
			col.kind = Numeric
			col.n, col.missing, col.mean, col.m2, col.lo, col.hi = c.w.n, c.missing, c.w.mean, c.w.m2, c.w.lo, c.w.hi
			col.distinct, col.distinctOver = c.nums, c.numsOver
			for k := range markers {
				col.missing += c.marks[k]
			}
			if st.naRead {
				t.naNote(shell, j, &more)
			}
			continue
		} else {
			col.boolean = kind == typeBool
		}
		col.kind = Categorical
		if t.failed.rec > 0 {
			continue
		}
		if c.numsOver {
			t.failed = cellError{max(st.firstText.rec, 1), j, t.categoryLimit(st, j)}
			continue
		}
		counts := c.texts
		if counts == nil {
			counts = make(map[string]int)
		}
		for k, m := range markers {
			if _, ok := counts[m.text]; !ok {
				t.nCats++
			}
			counts[m.text] += c.marks[k]
		}
		for bits, n := range c.nums {
			counts[formatNumber(math.Float64frombits(bits))] += n
		}
		for text, n := range c.bigs {
			counts[text] += n
		}
		if t.nCats += len(c.nums) + len(c.bigs); t.nCats > t.lim.MaxCategories {
			t.failed = cellError{max(st.firstText.rec, 1), j, t.categoryLimit(st, j)}
			continue
		}
		if col.boolean {
			merged := make(map[string]int, 2)
			for text, n := range counts {
				merged[boolName(strings.EqualFold(text, "true"))] += n
			}
			counts = merged
		}
		for text := range counts {
			col.categories = append(col.categories, text)
		}
		slices.Sort(col.categories)
		col.index = indexOf(col.categories)
		col.counts = make([]int, len(col.categories))
		for k, text := range col.categories {
			col.counts[k] = counts[text]
		}
		if !st.categorical && st.typ.number && st.firstText.rec > 0 {
			t.mixedNote(shell, j)
		}
	}
	if t.failed.rec > 0 {
		return t.failed.err
	}
	for _, j := range t.order {
		if t.cols[j].naRead {
			return t.markerError(j)
		}
	}
	naSummary(shell, more)
	s.notes = shell.Notes
	if len(s.order) == 0 {
		return nil
	}
	shell.Targets = make([]Column, len(s.order))
	for k, j := range s.order {
		shell.Targets[k] = s.taskColumn(j, &sc[j])
	}
	if err := t.task(shell); err != nil {
		return err
	}
	s.task, s.taskNote = shell.Task, shell.TaskNote
	return nil
}

// taskColumn returns a column that InferTask reads as it reads target
// column j: its categories, or for a numeric column a non-integer value if
// there is one and its distinct values (more than MaxCategories of them
// counted as MaxCategories+1).
func (s *CSVStream) taskColumn(j int, c *scanColumn) Column {
	col := &s.cols[j]
	out := Column{Name: col.name, Kind: col.kind, Categories: col.categories}
	if col.kind == Categorical {
		return out
	}
	if c.hasNon {
		out.Values = append(out.Values, c.nonInt)
	}
	for bits := range c.nums {
		out.Values = append(out.Values, math.Float64frombits(bits))
	}
	for text := range c.bigs {
		v, _ := classifyCell(text)
		out.Values = append(out.Values, v)
	}
	if c.numsOver {
		for k := range s.lim.MaxCategories + 1 {
			out.Values = append(out.Values, float64(k))
		}
	}
	slices.Sort(out.Values[btoi(c.hasNon):])
	if len(out.Values) == 0 {
		out.Values = []float64{math.NaN()}
	}
	return out
}

// cellCode returns the value of cell (untrimmed) of kept column j in the
// coding of a Table the first pass describes: the number, or the index of
// its category; NaN for a missing cell. A cell the first pass did not see
// is an error wrapping mlp.ErrData.
func (s *CSVStream) cellCode(j int, cell string) (float64, error) {
	cell = trimCell(cell)
	if s.missing(j, cell) {
		return math.NaN(), nil
	}
	c := &s.cols[j]
	if c.kind == Numeric {
		v, err := parseNumber(cell)
		if err != nil {
			return 0, changed(fmt.Sprintf("column %s: %v", quote(c.name), err))
		}
		return v, nil
	}
	name := cell
	if !c.named {
		switch v, kind := classifyCell(cell); kind {
		case cellText, cellBool, cellUint, cellHugeInt, cellNegInt:
		default:
			name = formatNumber(v)
		}
	}
	if c.boolean {
		name = boolName(strings.EqualFold(name, "true"))
	}
	k, ok := c.index[name]
	if !ok {
		return 0, changed(fmt.Sprintf("column %s holds %s, which the first pass did not see", quote(c.name), quote(cell)))
	}
	return float64(k), nil
}
