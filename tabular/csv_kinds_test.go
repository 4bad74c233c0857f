package tabular_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// TestCSVTextReadAsText checks the columns that pandas reads as text and
// the reader once refused as mixing numbers and text: a province named
// "Nan" among other names, "NAN" and "-nan" cells (text to pandas, "-nan"
// missing), and a column of numbers with a "?" (text, with a note).
func TestCSVTextReadAsText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		input   string
		kind    tabular.ColumnKind
		cats    []string
		missing []bool
		note    string
	}{
		{"province Nan", "province,y\nBangkok,1\nNan,2\nChiang Mai,3\n", tabular.Categorical, []string{"Bangkok", "Chiang Mai", "Nan"}, []bool{false, false, false}, ""},
		{"NAN among text", "a,y\nx,1\nNAN,2\n", tabular.Categorical, []string{"NAN", "x"}, []bool{false, false}, ""},
		{"-nan is missing", "a,y\nx,1\n-nan,2\n", tabular.Categorical, []string{"x"}, []bool{false, true}, ""},
		{"pandas markers", "a,y\n#N/A,1\n<NA>,2\nNULL,3\n-1.#IND,4\n1.5,5\n", tabular.Numeric, nil, []bool{true, true, true, true, false}, ""},
		{"None is text", "a,y\nNone,1\n2,2\n", tabular.Categorical, []string{"2", "None"}, []bool{false, false}, `column "a" holds numbers and text such as "None" (line 2)`},
		{"question mark", "a,y\n1,1\n?,2\n2.50,3\n", tabular.Categorical, []string{"1", "2.5", "?"}, []bool{false, false, false}, `"?" (line 3)`},
		{"hexadecimal is text", "a,y\n0x10,1\n16,2\n", tabular.Categorical, []string{"0x10", "16"}, []bool{false, false}, "0x10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readTable(tc.input, func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
			if err != nil {
				t.Fatal(err)
			}
			c := tab.Features[0]
			if c.Kind != tc.kind || !slices.Equal(c.Categories, tc.cats) {
				t.Errorf("column %s %v, want %s %v", c.Kind, c.Categories, tc.kind, tc.cats)
			}
			for i, m := range tc.missing {
				if c.Missing(i) != m {
					t.Errorf("row %d missing %v, want %v", i, c.Missing(i), m)
				}
			}
			notes := strings.Join(tab.Notes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one saying %q", notes, tc.note)
			}
		})
	}
}

// TestCSVBooleans checks that a column of true and false in any case is
// one boolean column of two values, False and True, as pandas reads one
// bool column: a feature is categorical with those two categories, a
// target two classes; a missing cell stays missing; with other text it is
// text.
func TestCSVBooleans(t *testing.T) {
	tab, err := readTable("flag,y,other\nTrue,TRUE,true\nfalse,FALSE,yes\nTRUE,true,\nFalse,false,no\n,True,x\n",
		func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	if err != nil {
		t.Fatal(err)
	}
	flag, y, other := tab.Features[0], tab.Targets[0], tab.Features[1]
	if flag.Kind != tabular.Categorical || !slices.Equal(flag.Categories, []string{"False", "True"}) {
		t.Errorf("flag: %v %v, want categories False, True", flag.Kind, flag.Categories)
	}
	var texts []string
	for i := range flag.Values {
		texts = append(texts, flag.Text(i))
	}
	if !slices.Equal(texts, []string{"True", "False", "True", "False", ""}) {
		t.Errorf("flag cells %q", texts)
	}
	if y.Kind != tabular.Categorical || tab.Task != tabular.Classification || !slices.Equal(y.Categories, []string{"False", "True"}) {
		t.Errorf("target: %v %v %v, want two classes False, True", y.Kind, y.Categories, tab.Task)
	}
	enc, err := tabular.FitLabelEncoder(&y)
	if err != nil || !slices.Equal(enc.Classes, []string{"False", "True"}) {
		t.Errorf("classes %v, %v", enc, err)
	}
	if !slices.Contains(other.Categories, "true") || !slices.Contains(other.Categories, "yes") {
		t.Errorf("a column of true and yes has categories %v, want the texts", other.Categories)
	}
	// A pipeline reads any spelling of a boolean, or a JSON bool, as the
	// category.
	prep, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := prep.Transform(tab)
	if err != nil {
		t.Fatal(err)
	}
	names := prep.OutputNames()
	if !slices.Equal(names[:2], []string{"flag=False", "flag=True"}) || x.At(0, 1) != 1 || x.At(1, 0) != 1 {
		t.Errorf("outputs %v, first rows %v %v", names, x.RawRowView(0), x.RawRowView(1))
	}
}

// TestCSVInvalidUTF8 checks that header names and texts that become
// categories or classes are refused when not valid UTF-8, naming the line
// and the column; ignored columns are not read.
func TestCSVInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		ignore      []string
		line, col   int
	}{
		{"header", "a,x\xff1\n1,2\n", nil, 1, 2},
		{"class", "a,y\n1,a\xff\n2,a\xfe\n", nil, 2, 2},
		{"category", "c,y\nok,1\nb\xc0\xafd,2\n", nil, 3, 1},
		{"after numbers", "c,y\n1,1\n\xff,2\n", nil, 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readTable(tc.input, func(r *tabular.CSVReader) { r.Targets = []string{"y"}; r.Ignore = tc.ignore })
			var pe *tabular.ParseError
			if !errors.Is(err, tabular.ErrInvalidUTF8) || !errors.As(err, &pe) || pe.Line != tc.line || pe.Column != tc.col {
				t.Fatalf("error %v, want ErrInvalidUTF8 at line %d, column %d", err, tc.line, tc.col)
			}
			testkit.ErrorContains(t, err, tabular.ErrInvalidUTF8, "UTF-8")
		})
	}
	if _, err := readTable("c,y,id\n1,1,\xff\n2,2,\xfe\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"}; r.Ignore = []string{"id"} }); err != nil {
		t.Errorf("an ignored column of invalid UTF-8: %v", err)
	}
}

// TestRegressionOnTextQuotesText checks that regression asked on a target
// of numbers and some text quotes the text, not a number.
func TestRegressionOnTextQuotesText(t *testing.T) {
	_, err := readTable("a,y\n1,1.5\n2,2.5\n3,n.a.\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"}; r.Task = tabular.Regression })
	testkit.ErrorContains(t, err, tabular.ErrBadLabel, `such as "n.a."`, "line 4, column 2")
}

// TestCSVManyNumbersThenText checks a long column of distinct numbers
// ending in a "?": read as text, it passes MaxCategories, and the error
// names the text that made it text and suggests NA, within the reader's
// allocation bound (20·N + 1 MiB).
func TestCSVManyNumbersThenText(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range 200000 {
		fmt.Fprintf(&b, "%d.5,%d\n", i, i)
	}
	b.WriteString("?,1\n")
	var err error
	n := allocs.Bytes(func() { _, err = tabular.NewCSVReader(strings.NewReader(b.String())).ReadAll() })
	testkit.ErrorContains(t, err, tabular.ErrLimit, "line 200002, column 1", `text such as "?"`, "CSVReader.NA")
	if bound := 20*uint64(b.Len()) + 1<<20; n > bound {
		t.Errorf("allocated %d bytes, more than %d", n, bound)
	}
}

// TestCSVIntegersBeyondInt64 checks pandas' reading of integers beyond
// int64, which the reader follows: identifiers of 25 digits are text
// (pandas' object column) and stay distinct though float64 cannot tell
// them apart; integers in (2^63-1, 2^64) are numbers (uint64); an integer
// beyond float64's range among floats is an error, not a silent Inf.
func TestCSVIntegersBeyondInt64(t *testing.T) {
	var ids strings.Builder
	ids.WriteString("id,y\n")
	for i := range 50 {
		fmt.Fprintf(&ids, "12345678901234567890123%02d,%d\n", i, i%2)
	}
	tab, err := readTable(ids.String(), func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Features[0]; c.Kind != tabular.Categorical || len(c.Categories) != 50 || c.Categories[7] != "1234567890123456789012307" {
		t.Errorf("25-digit identifiers: %v of %d categories (%q...)", c.Kind, len(c.Categories), c.Categories[:min(2, len(c.Categories))])
	}
	tab, err = readTable("a,y\n9223372036854775808,1\n18446744073709551615,2\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	if err != nil || tab.Features[0].Kind != tabular.Numeric {
		t.Errorf("uint64 column: %+v, %v", tab, err)
	}
	huge := strings.Repeat("9", 330)
	_, err = readTable("a,y\n-"+huge+",1\n3.5,2\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	testkit.ErrorContains(t, err, tabular.ErrOutOfRange, "line 2, column 1")
	tab, err = readTable("a,y\n"+huge+",1\n3,2\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	if err != nil || tab.Features[0].Kind != tabular.Categorical || !slices.Contains(tab.Features[0].Categories, huge) {
		t.Errorf("a first integer beyond uint64 makes the column text: %v", err)
	}
}
