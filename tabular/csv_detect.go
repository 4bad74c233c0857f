package tabular

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMarkers is the most distinct missing-value markers CSVReader.DetectNA
// finds in one column; a column holding more is text.
const maxMarkers = 8

// markerWords are the words CSVReader.DetectNA takes, in any case, for a
// missing-value marker in a column of numbers.
var markerWords = []string{"na", "n/a", "nan", "null", "none", "missing", "unknown"}

// isNAMarker reports whether cell (trimmed, not a missing marker of the
// settings) looks like a missing-value marker: valid UTF-8 with no letter
// or digit ("?", "-", "--", ".", "*", "…"), or one of markerWords in any
// case.
func isNAMarker(cell string) bool {
	if cell == "" || len(cell) > 16 || cell[0] >= '0' && cell[0] <= '9' || !utf8.ValidString(cell) {
		return false // the usual cell of a numeric column is out first
	}
	sign := true
	for _, r := range cell {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			sign = false
			break
		}
	}
	if sign {
		return true
	}
	if c := cell[0] | 0x20; c < 'a' || c > 'z' {
		return false
	}
	for _, w := range markerWords {
		if strings.EqualFold(cell, w) {
			return true
		}
	}
	return false
}

// naMarker is a missing-value marker DetectNA found in a column: its text,
// the cells holding it (of every row, those left out for a missing target
// included) and the line of the first.
type naMarker struct {
	text  string
	cells int
	line  int
}

// markerNaN is the NaN ReadAll stores for a cell holding marker k of its
// column until the column's kind is known: a quiet NaN whose payload
// names the marker, which no parse gives.
func markerNaN(k int) float64 { return math.Float64frombits(markerBits | uint64(k)) }

const markerBits = 0x7FF8_DE7E_C700_0000

// markerIndex returns k for markerNaN(k), or -1 for any other value.
func markerIndex(v float64) int {
	b := math.Float64bits(v)
	if b&^0xFF != markerBits {
		return -1
	}
	return int(b & 0xFF)
}

// missing reports whether cell (trimmed) of column st is missing by the
// settings: a default marker, one of CSVReader.NA or of the column's
// CSVReader.ColumnNA.
func (t *tableReader) missing(st *colState, cell string) bool {
	return isMissing(cell, t.c.NA) || len(st.na) > 0 && slices.Contains(st.na, cell)
}

// marker notes cell (trimmed, not missing by the settings) of column st,
// at position j, if CSVReader.DetectNA may read it as missing there: the
// column is neither named in Categorical nor text already, and the cell
// is a marker (isNAMarker) of at most maxMarkers distinct ones. It returns
// the marker's index in st.markers, or -1 for a cell to read as usual.
func (t *tableReader) marker(st *colState, j int, cell string) int {
	if !t.c.DetectNA || st.categorical || st.text || !isNAMarker(cell) {
		return -1
	}
	for k := range st.markers {
		if st.markers[k].text == cell {
			st.markers[k].cells++
			return k
		}
	}
	if len(st.markers) == maxMarkers {
		return -1
	}
	l, _ := t.cr.FieldPos(j)
	st.markers = append(st.markers, naMarker{text: strings.Clone(cell), cells: 1, line: l})
	return len(st.markers) - 1
}

// markersMissing reports whether the markers DetectNA found in column st
// are missing cells: the column is numeric with at least one number. A
// column of markers and missing cells alone is text, as pandas reads it.
func (st *colState) markersMissing() bool {
	kind, _ := st.typ.kind()
	return len(st.markers) > 0 && kind == typeNumber && !st.categorical && st.typ.number
}

// markerError returns the error for target column j, which holds numbers
// and markers DetectNA would read as missing: a target is never left out
// on a guess.
func (t *tableReader) markerError(j int) *ParseError {
	m := t.cols[j].markers[0]
	return &ParseError{Line: m.line, Column: j + 1, Err: fmt.Errorf(
		"%w: target column %s holds numbers and %s, which looks like a missing-value marker (%s); CSVReader.DetectNA reads such markers as missing in feature columns only: add it to CSVReader.NA to leave those rows out, as a row with a missing target is",
		ErrBadLabel, quote(t.names[j]), quote(m.text), cellsText(m))}
}

// cellsText is "3 cells, the first on line 5" for a marker.
func cellsText(m naMarker) string {
	if m.cells == 1 {
		return fmt.Sprintf("1 cell, on line %d", m.line)
	}
	return fmt.Sprintf("%d cells, the first on line %d", m.cells, m.line)
}

// naNote adds to tab's notes that DetectNA read the markers of column j
// as missing, or counts it in *more once maxNotes notes are written.
func (t *tableReader) naNote(tab *Table, j int, more *int) {
	if len(tab.Notes) >= maxNotes {
		*more++
		return
	}
	ms := t.cols[j].markers
	parts := make([]string, len(ms))
	for k, m := range ms {
		parts[k] = fmt.Sprintf("%s (%s)", quote(m.text), cellsText(m))
	}
	tab.Notes = append(tab.Notes, fmt.Sprintf(
		"column %s holds numbers and %s, read as missing values (CSVReader.DetectNA); set DetectNA to false to read the column as text (categorical), as pandas reads it",
		quote(t.names[j]), strings.Join(parts, " and ")))
}

// naSummary adds the note counting the columns naNote left out.
func naSummary(tab *Table, more int) {
	if more > 0 {
		tab.Notes = append(tab.Notes, fmt.Sprintf("%d other columns hold numbers and missing-value markers too, read as missing values", more))
	}
}

// detected returns the markers found in column st as missing, or nil.
func (st *colState) detected() []string {
	if !st.naRead {
		return nil
	}
	out := make([]string, len(st.markers))
	for k, m := range st.markers {
		out[k] = m.text
	}
	return out
}

// setColumnNA gives each column its markers of CSVReader.ColumnNA, by
// trimmed name; names not in the header are ignored, as pandas ignores
// them.
func (t *tableReader) setColumnNA() {
	if len(t.c.ColumnNA) == 0 {
		return
	}
	at := make(map[string]int, len(t.names))
	for j, name := range t.names {
		at[name] = j
	}
	for name, markers := range t.c.ColumnNA {
		if j, ok := at[trimName(name)]; ok {
			t.cols[j].na = append(t.cols[j].na, markers...)
		}
	}
}

// columnNA records in tab.ColumnNA the markers read as missing in column
// j besides CSVReader.NA: its ColumnNA and those DetectNA found.
func (t *tableReader) columnNA(tab *Table, j int) {
	st := &t.cols[j]
	found := st.detected()
	if len(st.na)+len(found) == 0 {
		return
	}
	if tab.ColumnNA == nil {
		tab.ColumnNA = make(map[string][]string)
	}
	all := append(slices.Clone(st.na), found...)
	slices.Sort(all)
	tab.ColumnNA[t.names[j]] = slices.Compact(all)
}

// cloneColumnNA returns a deep copy of m, nil for an empty m.
func cloneColumnNA(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// markersAsText notes the markers of column st, which are not read as
// missing, as the text cells they are, for the column's kind, and forgets
// them.
func (st *colState) markersAsText() {
	for _, m := range st.markers {
		st.typ.note(cellText, m.text[0] == '-')
	}
	st.markers, st.naRead = nil, false
}

// missing reports whether cell (trimmed) of column j is missing in a pass
// of the stream: a default marker, one of NA, or one of the column's
// ColumnNA or DetectNA markers.
func (s *CSVStream) missing(j int, cell string) bool {
	return isMissing(cell, s.s.NA) || len(s.cols[j].na) > 0 && slices.Contains(s.cols[j].na, cell)
}

// setColumnNA records the markers of column j besides NA, as
// tableReader.columnNA does for a Table.
func (s *CSVStream) setColumnNA(t *tableReader, j int) {
	var tab Table
	t.columnNA(&tab, j)
	if na := tab.ColumnNA[t.names[j]]; na != nil {
		s.cols[j].na = na
		if s.columnNA == nil {
			s.columnNA = make(map[string][]string)
		}
		s.columnNA[t.names[j]] = na
	}
}
