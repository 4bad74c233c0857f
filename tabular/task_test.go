package tabular_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// intColumn returns a numeric column holding 0..k-1, each twice.
func intColumn(k int) *tabular.Column {
	c := &tabular.Column{Name: "y", Kind: tabular.Numeric}
	for i := range 2 * k {
		c.Values = append(c.Values, float64(i%k))
	}
	return c
}

// TestInferTask checks the one task rule on each kind of target and each
// task asked.
func TestInferTask(t *testing.T) {
	text := &tabular.Column{Name: "y", Kind: tabular.Categorical, Values: []float64{0, 1, 0}, Categories: []string{"no", "yes"}}
	frac := &tabular.Column{Name: "y", Kind: tabular.Numeric, Values: []float64{1, 2.5, math.NaN()}}
	empty := &tabular.Column{Name: "y", Kind: tabular.Numeric, Values: []float64{math.NaN()}}
	for _, tc := range []struct {
		name  string
		col   *tabular.Column
		asked tabular.Task
		want  tabular.Task
		msg   string // in the note, or in the error when want is 0
	}{
		{"text, inferred", text, tabular.AutoTask, tabular.Classification, `target column "y" holds text labels (2 classes)`},
		{"text, classification", text, tabular.Classification, tabular.Classification, "text labels"},
		{"text, regression", text, tabular.Regression, 0, `target column "y" holds text labels (such as "no"); regression needs numbers`},
		{"non-integer, inferred", frac, tabular.AutoTask, tabular.Regression, "non-integer values (such as 2.5)"},
		{"non-integer, classification", frac, tabular.Classification, 0, "value 2.5 in row 1 (0-based) is not an integer class label"},
		{"3 integers", intColumn(3), tabular.AutoTask, tabular.Classification, "holds 3 distinct integers"},
		{"20 integers", intColumn(20), tabular.AutoTask, tabular.Classification, "holds 20 distinct integers"},
		{"21 integers, inferred", intColumn(21), tabular.AutoTask, tabular.Regression, `regression: target column "y" holds 21 distinct integers, more than 20; set the task to Regression to keep this without the note, or write the labels as text to classify`},
		{"21 integers, classification", intColumn(21), tabular.Classification, 0, `target column "y" has 21 distinct integer values, more than the 20`},
		{"1681 integers, classification", intColumn(1681), tabular.Classification, 0, "has 1681 distinct integer values"},
		{"21 integers, regression", intColumn(21), tabular.Regression, tabular.Regression, "asked"},
		{"3 integers, regression", intColumn(3), tabular.Regression, tabular.Regression, "asked"},
		{"no value", empty, tabular.AutoTask, 0, "has no value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task, note, err := tabular.InferTask(tc.col, tc.asked)
			if tc.want == 0 {
				testkit.ErrorContains(t, err, mlp.ErrData, tc.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if task != tc.want || !strings.Contains(note, tc.msg) {
				t.Errorf("task %v, note %q; want %v and %q", task, note, tc.want, tc.msg)
			}
		})
	}
	_, _, err := tabular.InferTask(text, 9)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "task Task(9)")
}

// TestCSVReaderTaskRule checks that the reader applies InferTask: a wrong
// target never trains silently.
func TestCSVReaderTaskRule(t *testing.T) {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 30 {
		fmt.Fprintf(&b, "%d,%d\n", i, 1000+i)
	}
	tab, err := readTable(b.String(), func(r *tabular.CSVReader) { r.Targets = []string{"y"} })
	if err != nil {
		t.Fatal(err)
	}
	if tab.Task != tabular.Regression || !strings.Contains(tab.TaskNote, "30 distinct integers, more than 20") {
		t.Errorf("task %v, note %q; want regression, saying so", tab.Task, tab.TaskNote)
	}
	_, err = readTable(b.String(), func(r *tabular.CSVReader) { r.Targets = []string{"y"}; r.Task = tabular.Classification })
	testkit.ErrorContains(t, err, tabular.ErrBadLabel, `column 2: bad class label`, `"y" has 30 distinct integer values`)

	// Wine with proline (integers, far more than 20 distinct values) as
	// the target: regression, saying so, never 1,681 classes.
	r := tabular.NewCSVReader(strings.NewReader(string(embedded(t, "wine.csv"))))
	r.Targets = []string{"proline"}
	tab, err = r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Task != tabular.Regression || !strings.Contains(tab.TaskNote, "more than 20") {
		t.Errorf("wine with proline as the target: %v, %q", tab.Task, tab.TaskNote)
	}
	r = tabular.NewCSVReader(strings.NewReader(string(embedded(t, "wine.csv"))))
	r.Targets = []string{"proline"}
	r.Task = tabular.Classification
	_, err = r.ReadAll()
	testkit.ErrorContains(t, err, tabular.ErrBadLabel, `"proline" has`, "distinct integer values")
	// No target at all: a table to predict on, and Dataset says what is
	// missing.
	tab, err = tabular.NewCSVReader(strings.NewReader(string(embedded(t, "wine.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Task != tabular.AutoTask || len(tab.Targets) != 0 || len(tab.Features) != 14 {
		t.Errorf("no target: task %v, %d targets, %d features", tab.Task, len(tab.Targets), len(tab.Features))
	}
	_, err = tab.Dataset()
	testkit.ErrorContains(t, err, mlp.ErrData, "no target column; set CSVReader.Targets")
}

// TestTableSubset checks that Subset copies the rows asked for and shares
// nothing.
func TestTableSubset(t *testing.T) {
	tab, err := readTable(tinyTable, func(r *tabular.CSVReader) { r.Targets = []string{"label"}; r.NA = []string{"?"} })
	if err != nil {
		t.Fatal(err)
	}
	sub := tab.Subset([]int{3, 0, 3})
	if sub.Rows() != 3 || sub.Features[1].Text(0) != "green" || sub.Features[1].Text(1) != "red" || sub.Targets[0].Text(2) != "c" {
		t.Errorf("subset rows: %v %v", sub.Features[1].Values, sub.Targets[0].Values)
	}
	sub.Features[0].Values[0] = 99
	sub.Features[1].Categories[0] = "changed"
	if tab.Features[0].Values[3] != 4 || tab.Features[1].Categories[0] != "blue" {
		t.Error("Subset shares memory with the table")
	}
	defer func() {
		if recover() == nil {
			t.Error("Subset with an index out of range does not panic")
		}
	}()
	tab.Subset([]int{5})
}

// TestTooManyClasses checks that more than mlp.MaxClasses labels is an
// error of InferTask and FitLabelEncoder matching both mlp.ErrData and
// mlp.ErrTooLarge, the one name of every cap.
func TestTooManyClasses(t *testing.T) {
	c := &tabular.Column{Name: "y", Kind: tabular.Categorical}
	for k := range mlp.MaxClasses + 1 {
		c.Categories = append(c.Categories, fmt.Sprint("c", k))
		c.Values = append(c.Values, float64(k))
	}
	_, _, err := tabular.InferTask(c, tabular.AutoTask)
	_, err2 := tabular.FitLabelEncoder(c)
	for what, err := range map[string]error{"InferTask": err, "FitLabelEncoder": err2} {
		if !errors.Is(err, mlp.ErrData) || !errors.Is(err, mlp.ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprint(mlp.MaxClasses)) {
			t.Errorf("%s: error %v, want one matching ErrData and ErrTooLarge naming %d", what, err, mlp.MaxClasses)
		}
	}
}

// TestLabelEncoderTransformCodes checks Transform on both kinds of label
// column: text labels by category code, numbers by value, -0 as class
// "0", and a label the encoder does not know.
func TestLabelEncoderTransformCodes(t *testing.T) {
	enc := &tabular.LabelEncoder{Classes: []string{"0", "1", "2.5", "b", "a"}}
	for _, tc := range []struct {
		name string
		col  *tabular.Column
		want []int
		bad  string // a substring of the error, "" for none
	}{
		{"text", &tabular.Column{Name: "y", Kind: tabular.Categorical, Values: []float64{1, 0, 1, 2}, Categories: []string{"a", "b", "2.5"}}, []int{3, 4, 3, 2}, ""},
		{"numbers", &tabular.Column{Name: "y", Kind: tabular.Numeric, Values: []float64{1, math.Copysign(0, -1), 2.5, 0}}, []int{1, 0, 2, 0}, ""},
		{"unknown text", &tabular.Column{Name: "y", Kind: tabular.Categorical, Values: []float64{0, 1}, Categories: []string{"a", "z"}}, nil, `label "z" in row 1`},
		{"unknown number", &tabular.Column{Name: "y", Kind: tabular.Numeric, Values: []float64{1, 3}}, nil, `label "3" in row 1`},
		{"missing", &tabular.Column{Name: "y", Kind: tabular.Numeric, Values: []float64{1, math.NaN()}}, nil, "row 1 (0-based) has no label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := enc.Transform(tc.col)
			if tc.bad != "" {
				if !errors.Is(err, mlp.ErrData) || err == nil || !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("error %v, want ErrData containing %q", err, tc.bad)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Transform = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
