package tabular

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// detectCase is one case of testdata/detectna/detectna.json, written by
// gen_detectna.py from pandas 1.5.3.
type detectCase struct {
	CSV     string `json:"csv"`
	Columns []struct {
		Name    string    `json:"name"`
		Kind    string    `json:"kind"`
		Missing []bool    `json:"missing"`
		Values  []*string `json:"values"`
		Markers []string  `json:"markers"`
	} `json:"columns"`
}

// kindName names c's kind as the vectors do: "numeric", "bool" for the
// categories False and True, "object" for other text.
func kindName(c *Column) string {
	if c.Kind == Numeric {
		return "numeric"
	}
	if len(c.Categories) > 0 && !slices.ContainsFunc(c.Categories, func(s string) bool { return s != "False" && s != "True" }) {
		return "bool"
	}
	return "object"
}

// TestDetectNAAgreesWithPandas reads the generated CSV texts with
// DetectNA, as a Table and as a stream, and compares each column with
// pandas 1.5.3 reading it with the column's markers in na_values: its
// kind, its missing cells, its numbers (within 2 ulps), and the markers
// recorded in Table.ColumnNA; a column of numbers and other text, of
// booleans, or of markers alone, is what pandas reads by default. The
// stream gives the same kinds, categories, cells, notes and markers.
func TestDetectNAAgreesWithPandas(t *testing.T) {
	data, err := os.ReadFile("testdata/detectna/detectna.json")
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Cases []detectCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &vec); err != nil {
		t.Fatal(err)
	}
	if len(vec.Cases) < 500 {
		t.Fatalf("%d cases", len(vec.Cases))
	}
	counts := map[string]int{}
	for n, tc := range vec.Cases {
		rd := NewCSVReader(strings.NewReader(tc.CSV))
		rd.DetectNA = true
		tab, err := rd.ReadAll()
		if err != nil {
			t.Errorf("case %d %q: %v", n, tc.CSV, err)
			continue
		}
		if len(tab.Features) != len(tc.Columns) {
			t.Errorf("case %d %q: %d columns, pandas %d", n, tc.CSV, len(tab.Features), len(tc.Columns))
			continue
		}
		notes := 0
		for j, want := range tc.Columns {
			c := &tab.Features[j]
			got := kindName(c)
			counts[got+" markers="+strconv.FormatBool(len(want.Markers) > 0)]++
			if got != want.Kind || c.Name != want.Name {
				t.Errorf("case %d %q: column %q is %s %q; pandas reads %q as %s", n, tc.CSV, c.Name, got, c.Categories, want.Name, want.Kind)
				continue
			}
			if !slices.Equal(tab.ColumnNA[c.Name], want.Markers) {
				t.Errorf("case %d %q: column %q: markers %q, want %q", n, tc.CSV, c.Name, tab.ColumnNA[c.Name], want.Markers)
			}
			if len(want.Markers) > 0 {
				notes++
			}
			for i, m := range want.Missing {
				if c.Missing(i) != m {
					t.Errorf("case %d %q: column %q row %d: missing %v, pandas %v", n, tc.CSV, c.Name, i, c.Missing(i), m)
				}
				if m || want.Kind != "numeric" {
					continue
				}
				v, err := strconv.ParseFloat(*want.Values[i], 64)
				if err != nil {
					t.Fatal(err)
				}
				if g := c.Values[i]; g != v && math.Abs(g-v) > 2*math.Abs(v)*0x1p-52 {
					t.Errorf("case %d %q: column %q row %d is %v, pandas %v", n, tc.CSV, c.Name, i, g, v)
				}
			}
			for _, v := range c.Values {
				if math.IsNaN(v) && math.Float64bits(v) != math.Float64bits(math.NaN()) {
					t.Errorf("case %d %q: column %q holds a NaN of bits %#x", n, tc.CSV, c.Name, math.Float64bits(v))
				}
			}
		}
		detectNotes := 0
		for _, note := range tab.Notes {
			if strings.Contains(note, "read as missing values (CSVReader.DetectNA)") {
				detectNotes++
			}
		}
		if detectNotes != notes {
			t.Errorf("case %d %q: %d DetectNA notes, want %d: %q", n, tc.CSV, detectNotes, notes, tab.Notes)
		}
		compareStream(t, "case "+strconv.Itoa(n), tc.CSV, tab, StreamSettings{})
	}
	t.Logf("columns: %v", counts)
	if counts["numeric markers=true"] < 300 || counts["object markers=false"] < 200 {
		t.Errorf("too few columns of a kind: %v", counts)
	}
}

// compareStream reads text as a stream with DetectNA and compares it with
// tab, as ReadAll read it.
func compareStream(t *testing.T, name, text string, want *Table, ss StreamSettings) {
	t.Helper()
	ss.ChunkRows, ss.DetectNA = 3, true
	s, err := NewCSVStream(openBytes([]byte(text)), ss)
	if err != nil {
		t.Errorf("%s %q: stream: %v", name, text, err)
		return
	}
	got := s.shell()
	if !slices.Equal(s.Notes(), want.Notes) {
		t.Errorf("%s %q: stream notes %q; ReadAll %q", name, text, s.Notes(), want.Notes)
	}
	if len(got.ColumnNA) != len(want.ColumnNA) {
		t.Errorf("%s %q: stream ColumnNA %q; ReadAll %q", name, text, got.ColumnNA, want.ColumnNA)
	}
	for k, v := range want.ColumnNA {
		if !slices.Equal(got.ColumnNA[k], v) {
			t.Errorf("%s %q: stream ColumnNA %q; ReadAll %q", name, text, got.ColumnNA, want.ColumnNA)
		}
	}
	var rows [][]float64
	err = s.rows(false, nil, func(tab *Table) error {
		for i := range tab.Rows() {
			var row []float64
			for _, c := range tab.Features {
				row = append(row, c.Values[i])
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		t.Errorf("%s %q: stream rows: %v", name, text, err)
		return
	}
	if len(rows) != want.Rows() || len(got.Features) != len(want.Features) {
		t.Errorf("%s %q: stream %d rows, %d columns; ReadAll %d, %d", name, text, len(rows), len(got.Features), want.Rows(), len(want.Features))
		return
	}
	for j, wc := range want.Features {
		gc := got.Features[j]
		if gc.Kind != wc.Kind || !slices.Equal(gc.Categories, wc.Categories) {
			t.Errorf("%s %q: stream column %d is %v %q; ReadAll %v %q", name, text, j, gc.Kind, gc.Categories, wc.Kind, wc.Categories)
			continue
		}
		for i, w := range wc.Values {
			if g := rows[i][j]; g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("%s %q: stream row %d column %d is %v; ReadAll %v", name, text, i, j, g, w)
			}
		}
	}
}

// TestDetectNAOffByDefault checks that without DetectNA a column of
// numbers and "?" is text, as pandas reads it, with the note saying so.
func TestDetectNAOffByDefault(t *testing.T) {
	tab, err := NewCSVReader(strings.NewReader("a,b\n1,x\n?,y\n3,x\n")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Features[0]; c.Kind != Categorical || !slices.Equal(c.Categories, []string{"1", "3", "?"}) {
		t.Errorf("column a is %v %q; want categorical 1, 3, ?", c.Kind, c.Categories)
	}
	if tab.ColumnNA != nil || len(tab.Notes) != 1 || !strings.Contains(tab.Notes[0], "add it to CSVReader.NA") {
		t.Errorf("ColumnNA %q, notes %q", tab.ColumnNA, tab.Notes)
	}
}

// TestDetectNAEdges checks the cases DetectNA leaves alone or refuses,
// for ReadAll and the stream alike.
func TestDetectNAEdges(t *testing.T) {
	cases := []struct {
		name, csv string
		targets   []string
		kind      ColumnKind // of column "a"
		cats      []string
		missing   int // missing cells of column "a"
		markers   []string
		note      string // a note holds it; "" for no note
		err       string // an error holds it
		errLine   int
	}{
		{name: "question marks", csv: "a,y\n1,0\n?,1\n3,0\n?,1\n", targets: []string{"y"}, kind: Numeric, missing: 2,
			markers: []string{"?"}, note: `column "a" holds numbers and "?" (2 cells, the first on line 3), read as missing values (CSVReader.DetectNA); set DetectNA to false to read the column as text (categorical), as pandas reads it`},
		{name: "several markers", csv: "a\n1\n-\n.\nUnknown\n--\n5\n", kind: Numeric, missing: 4,
			markers: []string{"-", "--", ".", "Unknown"}, note: `"-" (1 cell, on line 3) and "." (1 cell, on line 4) and "Unknown" (1 cell, on line 5) and "--" (1 cell, on line 6)`},
		{name: "other text stays text", csv: "a\n1\n?\nabc\n", kind: Categorical, cats: []string{"1", "?", "abc"},
			note: `column "a" holds numbers and text such as "abc" (line 4), so it is read as text`},
		{name: "text before the marker", csv: "a\nabc\n1\n?\n", kind: Categorical, cats: []string{"1", "?", "abc"},
			note: `text such as "abc" (line 2)`},
		{name: "markers alone", csv: "a,b\n?,1\n,2\n-,3\n", kind: Categorical, cats: []string{"-", "?"}, missing: 1},
		{name: "booleans", csv: "a\ntrue\n?\nFalse\n", kind: Categorical, cats: []string{"?", "False", "true"}},
		{name: "named categorical", csv: "a,b\n1,1\n?,2\n", kind: Categorical, cats: []string{"1", "?"}},
		{name: "letters are text", csv: "a\n1\nx\n", kind: Categorical, cats: []string{"1", "x"}, note: `text such as "x"`},
		{name: "nine markers", csv: "a\n1\n?\n-\n.\n*\n#\n--\n??\n...\n;\n", kind: Categorical,
			cats: []string{"#", "*", "-", "--", ".", "...", "1", ";", "?", "??"}, note: `holds numbers and text such as ";" (line 11)`},
		{name: "eight markers", csv: "a\n1\n?\n-\n.\n*\n#\n--\n??\n...\n", kind: Numeric, missing: 8,
			markers: []string{"#", "*", "-", "--", ".", "...", "?", "??"}, note: `read as missing values`},
		{name: "row with a missing target", csv: "a,y\n?,\n1,1\n2,0\n", targets: []string{"y"}, kind: Numeric,
			markers: []string{"?"}, note: `"?" (1 cell, on line 2)`},
		{name: "regression target", csv: "a,y\n1,1.5\n2,?\n3,2.5\n", targets: []string{"y"},
			err: `target column "y" holds numbers and "?", which looks like a missing-value marker (1 cell, on line 3)`, errLine: 3},
		{name: "text target", csv: "a,y\n1,yes\n2,?\n3,no\n", targets: []string{"y"}, kind: Numeric},
		{name: "punctuation classes", csv: "a,y\n1,+\n2,-\n3,+\n", targets: []string{"y"}, kind: Numeric},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rd := NewCSVReader(strings.NewReader(tc.csv))
			rd.DetectNA, rd.Targets = true, tc.targets
			if tc.name == "named categorical" {
				rd.Categorical = []string{"a"}
			}
			tab, err := rd.ReadAll()
			s, serr := NewCSVStream(openBytes([]byte(tc.csv)), StreamSettings{DetectNA: true, Targets: tc.targets, Categorical: rd.Categorical})
			if tc.err != "" {
				var pe *ParseError
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrBadLabel) || !errors.As(err, &pe) || pe.Line != tc.errLine {
					t.Fatalf("error %v; want ErrBadLabel at line %d holding %q", err, tc.errLine, tc.err)
				}
				if serr == nil || serr.Error() != err.Error() {
					t.Errorf("stream error %v; ReadAll %v", serr, err)
				}
				return
			}
			if err != nil || serr != nil {
				t.Fatalf("ReadAll %v; stream %v", err, serr)
			}
			c := tab.Features[0]
			missing := 0
			for i := range c.Values {
				if c.Missing(i) {
					missing++
				}
			}
			if c.Kind != tc.kind || !slices.Equal(c.Categories, tc.cats) || missing != tc.missing {
				t.Errorf("column a is %v %q with %d missing; want %v %q with %d", c.Kind, c.Categories, missing, tc.kind, tc.cats, tc.missing)
			}
			if got := tab.ColumnNA["a"]; !slices.Equal(got, tc.markers) {
				t.Errorf("markers %q; want %q", got, tc.markers)
			}
			if notes := strings.Join(tab.Notes, "\n"); tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q; want one holding %q", notes, tc.note)
			}
			if !slices.Equal(s.Notes(), tab.Notes) || !slices.Equal(s.shell().ColumnNA["a"], tab.ColumnNA["a"]) {
				t.Errorf("stream notes %q, markers %q; ReadAll %q, %q", s.Notes(), s.shell().ColumnNA["a"], tab.Notes, tab.ColumnNA["a"])
			}
			compareStream(t, tc.name, tc.csv, tab, StreamSettings{Targets: tc.targets, Categorical: rd.Categorical})
		})
	}
}

// TestDetectNACategoricalInts checks that markers read as missing in a
// column of few integers stay missing when CategoricalInts makes it
// categorical, with the note and the recorded markers.
func TestDetectNACategoricalInts(t *testing.T) {
	rd := NewCSVReader(strings.NewReader("a,b\n1,0.5\n2,1.5\n?,2.5\n1,3.5\n"))
	rd.DetectNA, rd.CategoricalInts = true, 5
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	c := tab.Features[0]
	if c.Kind != Categorical || !slices.Equal(c.Categories, []string{"1", "2"}) || !c.Missing(2) || c.Values[3] != 0 {
		t.Errorf("column a is %v %q %v; want categorical 1, 2 with row 2 missing", c.Kind, c.Categories, c.Values)
	}
	if !slices.Equal(tab.ColumnNA["a"], []string{"?"}) || len(tab.Notes) != 1 || !strings.Contains(tab.Notes[0], `column "a" holds numbers and "?" (1 cell, on line 4)`) {
		t.Errorf("ColumnNA %q, notes %q", tab.ColumnNA, tab.Notes)
	}
}

// TestDetectNAMarkersOnlyThenNumbers checks a column that is all "-" in
// training: it is text (the category "-"), and a number in it at
// prediction is an unseen category, encoded as all zeros, not an error.
func TestDetectNAMarkersOnlyThenNumbers(t *testing.T) {
	rd := NewCSVReader(strings.NewReader("a,b,y\n-,1,x\n-,2,y\n,3,x\n"))
	rd.DetectNA, rd.Targets = true, []string{"y"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := FitPreprocessor(tab, PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if c := pre.Columns()[0]; c.Kind != Categorical || !slices.Equal(c.Categories, []string{"-"}) || tab.ColumnNA != nil {
		t.Fatalf("column a is %v %q; ColumnNA %q", c.Kind, c.Categories, tab.ColumnNA)
	}
	for _, cell := range []string{"5", "-"} {
		v, err := pre.cellValue(0, cell)
		if err != nil || v != map[string]float64{"5": -1, "-": 0}[cell] {
			t.Errorf("cell %q: %v, %v; want -1 (unseen) for 5, 0 for -", cell, v, err)
		}
	}
}

// TestIsNAMarker checks the marker rule on single cells.
func TestIsNAMarker(t *testing.T) {
	for cell, want := range map[string]bool{
		"?": true, "-": true, "--": true, ".": true, "*": true, "…": true, "—": true, "- -": true, "?????": true,
		"unknown": true, "UNKNOWN": true, "Missing": true, "none": true, "None": true, "Nan": true, "NAN": true,
		"Null": true, "na": true, "N/a": true, "n/A": true,
		"1": false, "-1": false, ".5": false, "x": false, "no": false, "yes": false, "n.a.": false, "tbd": false,
		"1?": false, "?1": false, "٣": false, "-----------------": false, "\xff": false, "nones": false,
	} {
		if got := isNAMarker(cell); got != want {
			t.Errorf("isNAMarker(%q) = %v, want %v", cell, got, want)
		}
	}
}

// TestColumnNAStream checks that the stream reads CSVReader.ColumnNA's
// markers as ReadAll does, in their column only, and records them.
func TestColumnNAStream(t *testing.T) {
	text := "a,b,y\n1,-,0\n-,x,1\n3,y,0\n?,z,1\n"
	na := map[string][]string{"a": {"-"}, "absent": {"x"}}
	rd := NewCSVReader(strings.NewReader(text))
	rd.ColumnNA, rd.DetectNA, rd.Targets = na, true, []string{"y"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]string{"a": {"-", "?"}}; len(tab.ColumnNA) != 1 || !slices.Equal(tab.ColumnNA["a"], want["a"]) {
		t.Errorf("ColumnNA %q, want %q", tab.ColumnNA, want)
	}
	if a, b := tab.Features[0], tab.Features[1]; a.Kind != Numeric || !a.Missing(1) || !a.Missing(3) || !slices.Equal(b.Categories, []string{"-", "x", "y", "z"}) {
		t.Errorf("a %v %v, b %q", a.Kind, a.Values, b.Categories)
	}
	compareStream(t, "ColumnNA", text, tab, StreamSettings{ColumnNA: na, Targets: []string{"y"}})
	s, err := NewCSVStream(openBytes([]byte(text)), StreamSettings{ColumnNA: na, DetectNA: true, Targets: []string{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	pre, err := s.Preprocessor(PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pre.columnNA["a"], []string{"-", "?"}) || !slices.Equal(pre.cols[0].na, []string{"-", "?"}) {
		t.Errorf("the stream's Preprocessor has markers %q, %q", pre.columnNA, pre.cols[0].na)
	}
}
