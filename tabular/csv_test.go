package tabular_test

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
	"gonum.org/v1/gonum/mat"
)

// readTable reads text with configure applied to the reader.
func readTable(text string, configure func(*tabular.CSVReader)) (*tabular.Table, error) {
	r := tabular.NewCSVReader(strings.NewReader(text))
	if configure != nil {
		configure(r)
	}
	return r.ReadAll()
}

func TestCSVReaderIris(t *testing.T) {
	r := tabular.NewCSVReader(dataOpen(t, "iris.csv"))
	r.Targets = []string{"target"}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d, err := tab.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"}
	if !slices.Equal(d.FeatureNames, wantNames) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, wantNames)
	}
	if d.Len() != 150 || d.Features() != 4 || d.Classes != 3 || tab.Task != tabular.Classification {
		t.Errorf("Len, Features, Classes, Task = %d, %d, %d, %v, want 150, 4, 3, classification", d.Len(), d.Features(), d.Classes, tab.Task)
	}
	counts := make([]int, d.Classes)
	for _, c := range d.Y.Labels {
		counts[c]++
	}
	if !slices.Equal(counts, []int{50, 50, 50}) {
		t.Errorf("class counts %v, want [50 50 50]", counts)
	}
	if got, want := mat.Row(nil, 0, d.X), []float64{5.1, 3.5, 1.4, 0.2}; !slices.Equal(got, want) || d.Y.Labels[0] != 0 {
		t.Errorf("row 0 = %v label %d, want %v label 0", got, d.Y.Labels[0], want)
	}
	if got, want := mat.Row(nil, 149, d.X), []float64{5.9, 3, 5.1, 1.8}; !slices.Equal(got, want) || d.Y.Labels[149] != 2 {
		t.Errorf("row 149 = %v label %d, want %v label 2", got, d.Y.Labels[149], want)
	}
}

func TestCSVReaderTargetByName(t *testing.T) {
	r := tabular.NewCSVReader(dataOpen(t, "target_middle.csv"))
	r.Targets = []string{"species"}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d, err := tab.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"height", "weight"}; !slices.Equal(d.FeatureNames, want) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, want)
	}
	wantX := mat.NewDense(4, 2, []float64{1.5, 60, 1.75, 82.5, 1.6, 55, 1.8, 90})
	if !mat.Equal(d.X, wantX) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(wantX))
	}
	// Labels 0, 2, 1, 2: classes "0", "1", "2".
	if want := []int{0, 2, 1, 2}; !slices.Equal(d.Y.Labels, want) || d.Classes != 3 {
		t.Errorf("labels %v, classes %d, want %v, 3", d.Y.Labels, d.Classes, want)
	}
}

func TestCSVReaderRegression(t *testing.T) {
	r := tabular.NewCSVReader(dataOpen(t, "regression.csv"))
	r.TargetIndex = []int{-1}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Task != tabular.Regression || !strings.Contains(tab.TaskNote, "non-integer") {
		t.Errorf("task %v (%s), want regression for non-integer targets", tab.Task, tab.TaskNote)
	}
	d, err := tab.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	if want := mat.NewDense(3, 1, []float64{0.5, -1.25, 1000}); !mat.Equal(d.Y.Values, want) {
		t.Errorf("Values = %v, want %v", mat.Formatted(d.Y.Values.T()), mat.Formatted(want.T()))
	}
	if want := mat.NewDense(3, 2, []float64{0, 1, 2, -3, 4.5, 6e-3}); !mat.Equal(d.X, want) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(want))
	}
}

// TestCSVReaderColumns checks kinds, categories, missing cells, ignored
// columns, dropped rows and class names.
func TestCSVReaderColumns(t *testing.T) {
	const text = "\uFEFFid, color ,size,zip,label\n" +
		"1,red,1.5,10001,yes\n" +
		"2,blue,?,10002, no\n" +
		"3,,2.5,10001,\n" +
		"4,red,NA,10003,yes\n"
	tab, err := readTable(text, func(r *tabular.CSVReader) {
		r.Targets = []string{"label"}
		r.Ignore = []string{"id"}
		r.Categorical = []string{"zip"}
		r.NA = []string{"?"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tab.FeatureNames(), []string{"color", "size", "zip"}; !slices.Equal(got, want) {
		t.Errorf("features %q, want %q", got, want)
	}
	if tab.Rows() != 3 || tab.Dropped != 1 {
		t.Errorf("rows %d, dropped %d; want 3, 1 (the row with no label)", tab.Rows(), tab.Dropped)
	}
	color, size, zip := tab.Features[0], tab.Features[1], tab.Features[2]
	if color.Kind != tabular.Categorical || !slices.Equal(color.Categories, []string{"blue", "red"}) {
		t.Errorf("color: %v %q, want categorical [blue red]", color.Kind, color.Categories)
	}
	if got := []string{color.Text(0), color.Text(1), color.Text(2)}; !slices.Equal(got, []string{"red", "blue", "red"}) {
		t.Errorf("color cells %q", got)
	}
	if size.Kind != tabular.Numeric || size.Values[0] != 1.5 || !math.IsNaN(size.Values[1]) || !math.IsNaN(size.Values[2]) {
		t.Errorf("size: %v %v, want numeric [1.5 NaN NaN]", size.Kind, size.Values)
	}
	if zip.Kind != tabular.Categorical || !slices.Equal(zip.Categories, []string{"10001", "10002", "10003"}) {
		t.Errorf("zip: %v %q, want categorical [10001 10002 10003]", zip.Kind, zip.Categories)
	}
	if tab.Task != tabular.Classification {
		t.Errorf("task %v, want classification (text labels)", tab.Task)
	}
	enc, err := tabular.FitLabelEncoder(&tab.Targets[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(enc.Classes, []string{"no", "yes"}) {
		t.Errorf("classes %q, want [no yes] (trimmed, byte order)", enc.Classes)
	}
}

// TestCSVReaderLabels checks the class rule: numeric classes in numeric
// order, 1 and 1.0 one class, 1,2,3 three classes, text labels trimmed.
func TestCSVReaderLabels(t *testing.T) {
	for _, tc := range []struct {
		name, labels string
		classes      []string
		indices      []int
	}{
		{"1 2 3", "1,2,3,2", []string{"1", "2", "3"}, []int{0, 1, 2, 1}},
		{"1 and 1.0", "1,1.0,2,1e0", []string{"1", "2"}, []int{0, 0, 1, 0}},
		{"numeric order", "10,9,-1,100", []string{"-1", "9", "10", "100"}, []int{2, 1, 0, 3}},
		{"text byte order", "b, a ,B,a", []string{"B", "a", "b"}, []int{2, 1, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("x,y\n")
			for i, l := range strings.Split(tc.labels, ",") {
				b.WriteString(string(rune('0'+i)) + "," + l + "\n")
			}
			tab, err := readTable(b.String(), func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
			if err != nil {
				t.Fatal(err)
			}
			enc, err := tabular.FitLabelEncoder(&tab.Targets[0])
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc.Transform(&tab.Targets[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(enc.Classes, tc.classes) || !slices.Equal(got, tc.indices) {
				t.Errorf("classes %q indices %v, want %q %v", enc.Classes, got, tc.classes, tc.indices)
			}
		})
	}
}

func TestCSVReaderTabSeparated(t *testing.T) {
	tab, err := readTable("a\tb\tc\n1\t\t3\n4\t5\t6\n", func(r *tabular.CSVReader) { r.Comma = '\t' })
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Features) != 3 || !math.IsNaN(tab.Features[1].Values[0]) || tab.Features[2].Values[0] != 3 {
		t.Errorf("tab-separated row 1\\t\\t3 read as %v, %v, %v; want the empty middle cell missing", tab.Features[0].Values, tab.Features[1].Values, tab.Features[2].Values)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	target := func(r *tabular.CSVReader) { r.TargetIndex = []int{-1} }
	for _, tc := range []struct {
		name      string
		input     string
		configure func(*tabular.CSVReader)
		want      error
		line, col int
		msg       string // a part of the message
	}{
		{"empty input", "", nil, tabular.ErrEmptyInput, 1, 0, "mlp: csv line 1: empty input"},
		{"only blank lines", "\n\n", nil, tabular.ErrEmptyInput, 1, 0, "no header"},
		{"header only", "a,b,target\n", nil, tabular.ErrEmptyInput, 2, 0, "mlp: csv line 2: empty input: no data rows"},
		{"every target missing", "a,target\n1,\n2,NA\n", target, tabular.ErrEmptyInput, 4, 0, "every one of the 2 data rows has a missing target"},
		{"semicolon file", "a;b;target\n1;2;0\n", nil, tabular.ErrEmptyInput, 1, 0, `set CSVReader.Comma to ';'`},
		{"tab file read with commas", "a\tb\n1\t2\n", nil, tabular.ErrEmptyInput, 1, 0, `set CSVReader.Comma to '\t'`},
		{"short row", "a,b,target\n1,2,0\n3,4\n", nil, tabular.ErrRagged, 3, 3, "mlp: csv line 3, column 3: wrong number of fields: 2 fields, the header has 3"},
		{"long row", "a,b,target\n1,2,0\n\n3,4,1,5\n", nil, tabular.ErrRagged, 4, 4, "4 fields"},
		{"Inf feature", "a,b,target\n1,Inf,0\n", nil, tabular.ErrNotFinite, 2, 2, `"Inf" in column "b"`},
		{"1e309", "a,b\n1,1e309\n", nil, tabular.ErrOutOfRange, 2, 2, `"1e309" is beyond float64's range`},
		{"-1e309", "a,b\n1,-1e309\n", nil, tabular.ErrOutOfRange, 2, 2, "range"},
		{"Inf regression target", "a,y\n1,2\n1,-Inf\n", func(r *tabular.CSVReader) { r.Targets = []string{"y"}; r.Task = tabular.Regression }, tabular.ErrNotFinite, 3, 2, `"-Inf"`},
		{"no such target", "a,b,label\n1,2,0\n", func(r *tabular.CSVReader) { r.Targets = []string{"class"} }, tabular.ErrNoColumn, 1, 0, `target column "class" is not in the header, which has "a", "b", "label"`},
		{"no such ignored column", "a,b\n1,2\n", func(r *tabular.CSVReader) { r.Ignore = []string{"c"} }, tabular.ErrNoColumn, 1, 0, `ignored column "c"`},
		{"target index out of range", "a,b\n1,2\n", func(r *tabular.CSVReader) { r.TargetIndex = []int{2} }, tabular.ErrNoColumn, 1, 0, "target index 2 is out of range"},
		{"duplicate header", "a,b,a\n1,2,3\n", nil, tabular.ErrDuplicateColumn, 1, 3, `columns 1 and 3 are both named "a"`},
		{"duplicate after trimming", "a, a\n1,2\n", nil, tabular.ErrDuplicateColumn, 1, 2, `"a"`},
		{"empty column name", "a,,b\n1,2,3\n", nil, tabular.ErrUnnamedColumn, 1, 2, "column 2 of the header has an empty name"},
		{"blank column name", "a,b, \n1,2,3\n", nil, tabular.ErrUnnamedColumn, 1, 3, "column 3"},
		{"label 0.99999999999999999", "a,target\n1,0\n2,0.99999999999999999\n", target, tabular.ErrBadLabel, 3, 2, `label "0.99999999999999999" in column "target" is not exactly an integer`},
		{"label 2147483647.0000001", "a,target\n1,2147483647.0000001\n2,0\n", target, tabular.ErrBadLabel, 2, 2, `"2147483647.0000001"`},
		{"label 1e-400", "a,target\n1,1e-400\n2,1\n", target, tabular.ErrBadLabel, 2, 2, `"1e-400"`},
		{"classification asked, fractional", "a,target\n1,0\n2,2.5\n", func(r *tabular.CSVReader) { r.TargetIndex = []int{-1}; r.Task = tabular.Classification }, tabular.ErrBadLabel, 1, 2, "2.5"},
		{"regression asked, text", "a,target\n1,x\n2,y\n", func(r *tabular.CSVReader) { r.TargetIndex = []int{-1}; r.Task = tabular.Regression }, tabular.ErrBadLabel, 2, 2, "text labels"}, // the first text cell
		{"bare quote", "a,b,target\n1,2\"3,0\n", nil, csv.ErrBareQuote, 2, 0, "mlp: csv line 2: bare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readTable(tc.input, tc.configure)
			if tab != nil {
				t.Errorf("got a Table with the error")
			}
			var pe *tabular.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("line, column = %d, %d, want %d, %d (%v)", pe.Line, pe.Column, tc.line, tc.col, err)
			}
			testkit.ErrorContains(t, err, tc.want, tc.msg)
			if !errors.Is(err, mlp.ErrData) {
				t.Errorf("error %v does not match ErrData", err)
			}
		})
	}
}

func TestCSVReaderSettingErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func(*tabular.CSVReader)
		msg       string
	}{
		{"comma 0", func(r *tabular.CSVReader) { r.Comma = 0 }, "Comma"},
		{"comma quote", func(r *tabular.CSVReader) { r.Comma = '"' }, "Comma"},
		{"comma newline", func(r *tabular.CSVReader) { r.Comma = '\n' }, "Comma"},
		{"comma carriage return", func(r *tabular.CSVReader) { r.Comma = '\r' }, "Comma"},
		{"comma invalid rune", func(r *tabular.CSVReader) { r.Comma = -1 }, "Comma"},
		{"both target settings", func(r *tabular.CSVReader) { r.Targets = []string{"a"}; r.TargetIndex = []int{0} }, "both set"},
		{"unknown task", func(r *tabular.CSVReader) { r.Task = 7 }, "Task"},
		{"negative limit", func(r *tabular.CSVReader) { r.Limits.MaxFields = -1 }, "MaxFields"},
		{"target ignored", func(r *tabular.CSVReader) { r.Targets = []string{"a"}; r.Ignore = []string{"a"} }, "both a target and ignored"},
		{"target twice", func(r *tabular.CSVReader) { r.TargetIndex = []int{0, -2} }, "given twice"},
		{"classification with two targets", func(r *tabular.CSVReader) { r.Targets = []string{"a", "b"}; r.Task = tabular.Classification }, "multi-output regression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readTable("a,b\n1,2\n", tc.configure)
			if tab != nil {
				t.Errorf("got a Table with the error")
			}
			testkit.ErrorContains(t, err, mlp.ErrSetting, tc.msg)
		})
	}
}

func TestCSVReaderReadError(t *testing.T) {
	errDisk := errors.New("disk on fire")
	_, err := tabular.NewCSVReader(io.MultiReader(strings.NewReader("a,target\n1,0\n"), dataFailingReader{errDisk})).ReadAll()
	if !errors.Is(err, errDisk) || !errors.Is(err, mlp.ErrData) {
		t.Errorf("error %v does not match both the reader's error and ErrData", err)
	}
}

// TestCSVReaderBOM: a UTF-8 byte order mark before the header is dropped,
// so the first column is found by its name.
func TestCSVReaderBOM(t *testing.T) {
	tab, err := readTable("\uFEFFtarget,a\n0,1.5\n1,2.5\n", func(r *tabular.CSVReader) { r.Targets = []string{"target"} })
	if err != nil {
		t.Fatal(err)
	}
	if tab.Targets[0].Name != "target" || tab.Features[0].Name != "a" || tab.Task != tabular.Classification {
		t.Errorf("target %q, feature %q, task %v", tab.Targets[0].Name, tab.Features[0].Name, tab.Task)
	}
}
