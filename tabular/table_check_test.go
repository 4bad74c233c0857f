package tabular_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// TestTableCellsChecked checks that what a hand-built Table cannot hold
// (±Inf, a category index out of range, a name that is not UTF-8) is an
// error naming the column and the row where the table enters the
// package, not a NaN statistic later or a panic.
func TestTableCellsChecked(t *testing.T) {
	table := func(f tabular.Column, y tabular.Column, task tabular.Task) *tabular.Table {
		return &tabular.Table{Features: []tabular.Column{{Name: "ok", Kind: tabular.Numeric, Values: []float64{1, 2, 3}}, f},
			Targets: []tabular.Column{y}, Task: task}
	}
	num := func(name string, v ...float64) tabular.Column {
		return tabular.Column{Name: name, Kind: tabular.Numeric, Values: v}
	}
	labels := num("y", 0, 1, 0)
	for _, tc := range []struct {
		name string
		tab  *tabular.Table
		call string // FitPreprocessor, Fit, Dataset, TargetValues, FitLabelEncoder
		want error
		msg  []string
	}{
		{"+Inf feature", table(num("x", 1, math.Inf(1), 2), labels, tabular.Classification), "FitPreprocessor", mlp.ErrData, []string{`column "x"`, "row 1", "+Inf"}},
		{"-Inf feature, classifier", table(num("x", 1, 2, math.Inf(-1)), labels, tabular.Classification), "Fit", mlp.ErrData, []string{`column "x"`, "row 2", "-Inf"}},
		{"Inf feature, Dataset", table(num("x", math.Inf(1), 2, 3), labels, tabular.Classification), "Dataset", mlp.ErrData, []string{`column "x"`, "row 0"}},
		{"Inf regression target", table(num("x", 1, 2, 3), num("y", 1, math.Inf(1), 2), tabular.Regression), "TargetValues", mlp.ErrData, []string{`column "y"`, "row 1"}},
		{"Inf label", table(num("x", 1, 2, 3), num("y", 1, math.Inf(1), 2), tabular.Classification), "FitLabelEncoder", mlp.ErrData, []string{`column "y"`, "row 1"}},
		{"category index out of range", table(tabular.Column{Name: "c", Kind: tabular.Categorical, Values: []float64{0, 5, 1}, Categories: []string{"a", "b"}}, labels, tabular.Classification),
			"FitPreprocessor", mlp.ErrData, []string{`column "c"`, "row 1", "2 categories"}},
		{"negative category label", table(num("x", 1, 2, 3), tabular.Column{Name: "y", Kind: tabular.Categorical, Values: []float64{0, -1, 1}, Categories: []string{"a", "b"}}, tabular.Classification),
			"FitLabelEncoder", mlp.ErrData, []string{`column "y"`, "row 1"}},
		{"category not UTF-8", table(tabular.Column{Name: "c", Kind: tabular.Categorical, Values: []float64{0, 1, 1}, Categories: []string{"a\xff", "a\xfe"}}, labels, tabular.Classification),
			"FitPreprocessor", tabular.ErrInvalidUTF8, []string{`column "c"`}},
		{"class not UTF-8", table(num("x", 1, 2, 3), tabular.Column{Name: "y", Kind: tabular.Categorical, Values: []float64{0, 1, 1}, Categories: []string{"a\xff", "a\xfe"}}, tabular.Classification),
			"FitLabelEncoder", tabular.ErrInvalidUTF8, []string{`column "y"`}},
		{"name not UTF-8", table(num("x\xff1", 1, 2, 3), labels, tabular.Classification), "FitPreprocessor", tabular.ErrInvalidUTF8, []string{"name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				switch tc.call {
				case "FitPreprocessor":
					_, err = tabular.FitPreprocessor(tc.tab, tabular.PreprocessSettings{})
				case "Fit":
					_, err = tabular.MLPClassifier{HiddenLayerSizes: []int{2}, MaxIter: 1, Seed: 1}.Fit(context.Background(), tc.tab)
				case "Dataset":
					_, err = tc.tab.Dataset()
				case "TargetValues":
					_, err = tc.tab.TargetValues()
				case "FitLabelEncoder":
					_, err = tabular.FitLabelEncoder(&tc.tab.Targets[0])
				}
			}()
			testkit.ErrorContains(t, err, tc.want, tc.msg...)
			if err != nil && !errors.Is(err, mlp.ErrData) {
				t.Errorf("error %v does not match ErrData", err)
			}
			if err != nil && strings.Contains(err.Error(), "StandardScaler") {
				t.Errorf("error %v speaks of the scaler", err)
			}
		})
	}
}

// TestMissingColumnsAllNamed checks that a file or records lacking several
// columns name all of them (at most 20, then how many more), not only the
// first.
func TestMissingColumnsAllNamed(t *testing.T) {
	var header, names []string
	for j := range 30 {
		names = append(names, fmt.Sprintf("c%d", j))
	}
	header = append(header, "a", "y")
	_, err := readTable(strings.Join(header, ",")+"\n1,2\n", func(r *tabular.CSVReader) {
		r.Targets = []string{"label"}
		r.Ignore = names[:2]
		r.Categorical = names[2:]
	})
	testkit.ErrorContains(t, err, tabular.ErrNoColumn, "31 columns named in the settings", `target column "label"`, `ignored column "c0"`,
		`categorical column "c18"`, "and 11 more", `the header has "a", "y"`)
	if err != nil && strings.Contains(err.Error(), `"c19"`) {
		t.Errorf("error lists more than 20 names: %v", err)
	}

	p, tab := tinyPipeline(t)
	_, err = p.PredictRecords([]string{"color"}, [][]string{{"red"}})
	testkit.ErrorContains(t, err, mlp.ErrData, `no columns "size", "weight" (2 of the 3 needed); the header has "color"`)
	_, err = p.PredictMaps([]map[string]any{{"size": 1.0, "color": "red", "weight": 2.0}, {"color": "red"}})
	testkit.ErrorContains(t, err, mlp.ErrData, `record 1 (0-based) has no columns "size", "weight" (2 of the 3 needed)`)
	sub := tab.Subset([]int{0})
	sub.Features = sub.Features[1:2]
	_, err = p.Predict(sub)
	testkit.ErrorContains(t, err, mlp.ErrData, `no columns "size", "weight"`)
}
