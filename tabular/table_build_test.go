package tabular

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// NewTable gives the Table CSVReader gives for the same cells: roles,
// categories trimmed, merged and sorted, missing markers, dropped rows,
// the task.
func TestNewTableSameAsCSV(t *testing.T) {
	const text = "a,b,c,y\n1,x ,7,0\n2,NA,8,1\n,x,7,\n4,w,9,1\n5,?,7,0\n"
	rd := NewCSVReader(strings.NewReader(text))
	rd.Targets, rd.Categorical, rd.NA = []string{"y"}, []string{"c"}, []string{"?"}
	want, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	cols := []Column{
		{Name: "a", Kind: Numeric, Values: []float64{1, 2, nan, 4, 5}},
		// Raw texts as a typed file holds them: " x" and "x" are one
		// category once trimmed, "NA" and "?" missing.
		{Name: "b", Kind: Categorical, Values: []float64{0, 1, 2, 3, 4}, Categories: []string{"x ", "NA", "x", "w", "?"}},
		{Name: "c", Kind: Numeric, Values: []float64{7, 8, 7, 9, 7}},
		{Name: "y", Kind: Numeric, Values: []float64{0, 1, nan, 1, 0}},
	}
	got, err := NewTable(cols, Roles{Targets: []string{"y"}, Categorical: []string{"c"}, NA: []string{"?"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Task != want.Task || got.TaskNote != want.TaskNote || got.Dropped != 1 || want.Dropped != 1 || !slices.Equal(got.NA, want.NA) {
		t.Errorf("task %v %q dropped %d NA %q; want %v %q %d %q", got.Task, got.TaskNote, got.Dropped, got.NA, want.Task, want.TaskNote, want.Dropped, want.NA)
	}
	for k, pair := range [][2][]Column{{got.Features, want.Features}, {got.Targets, want.Targets}} {
		g, w := pair[0], pair[1]
		if len(g) != len(w) {
			t.Fatalf("%d: %d columns, want %d", k, len(g), len(w))
		}
		for j := range g {
			if g[j].Name != w[j].Name || g[j].Kind != w[j].Kind || !slices.Equal(g[j].Categories, w[j].Categories) ||
				!slices.EqualFunc(g[j].Values, w[j].Values, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("column %q: %v %q %v, want %v %q %v", g[j].Name, g[j].Kind, g[j].Categories, g[j].Values, w[j].Kind, w[j].Categories, w[j].Values)
			}
		}
	}
}

// Columns NewTable cannot use are errors matching mlp.ErrData, naming
// what is wrong.
func TestNewTableErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		cols []Column
		r    Roles
		is   error
		msg  string
	}{
		{"absent target", []Column{{Name: "a", Kind: Numeric, Values: []float64{1}}}, Roles{Targets: []string{"z"}}, ErrNoColumn, `"z"`},
		{"lengths", []Column{{Name: "a", Kind: Numeric, Values: []float64{1}}, {Name: "b", Kind: Numeric, Values: []float64{1, 2}}}, Roles{}, mlp.ErrData, "2 rows"},
		{"duplicate", []Column{{Name: "a", Kind: Numeric, Values: []float64{1}}, {Name: "a", Kind: Numeric, Values: []float64{1}}}, Roles{}, ErrDuplicateColumn, `"a"`},
		{"unnamed", []Column{{Name: "", Kind: Numeric, Values: []float64{1}}}, Roles{}, ErrUnnamedColumn, "empty name"},
		{"all targets missing", []Column{{Name: "a", Kind: Numeric, Values: []float64{nan, nan}}}, Roles{Targets: []string{"a"}}, ErrEmptyInput, "2 data rows"},
		{"inf", []Column{{Name: "a", Kind: Numeric, Values: []float64{math.Inf(1)}}}, Roles{}, mlp.ErrData, "not finite"},
		{"bad code", []Column{{Name: "a", Kind: Categorical, Values: []float64{3}, Categories: []string{"x"}}}, Roles{}, mlp.ErrData, "not the index"},
		{"both target settings", []Column{{Name: "a", Kind: Numeric, Values: []float64{1}}}, Roles{Targets: []string{"a"}, TargetIndex: []int{0}}, mlp.ErrSetting, "both"},
		{"regress text", []Column{{Name: "a", Kind: Categorical, Values: []float64{0}, Categories: []string{"x"}}}, Roles{Targets: []string{"a"}, Task: Regression}, ErrBadLabel, "regression"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewTable(c.cols, c.r)
			if !errors.Is(err, c.is) || !errors.Is(err, mlp.ErrData) && !errors.Is(err, mlp.ErrSetting) || err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%v, want %v containing %q", err, c.is, c.msg)
			}
			if err != nil && strings.Contains(err.Error(), "csv line") {
				t.Errorf("%v names a CSV line", err)
			}
		})
	}
}
