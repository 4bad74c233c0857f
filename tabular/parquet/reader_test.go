package parquet

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// fixture is a Parquet file of testdata and the CSV file it was written
// from by testdata/gen_parquet.js.
type fixture struct {
	name    string
	targets []string
	task    tabular.Task
	rows    int // kept
	dropped int
}

var fixtures = []fixture{
	{"iris_species", []string{"species"}, tabular.Classification, 150, 0},
	{"penguins", []string{"species"}, tabular.Classification, 140, 0},
	{"churn", []string{"churned"}, tabular.Classification, 400, 0},
	{"flags", []string{"label"}, tabular.Classification, 60, 0},
	{"flags", []string{"score"}, tabular.Regression, 56, 4},
}

// readParquet reads testdata/name.parquet with the targets.
func readParquet(t *testing.T, name string, targets []string) (*tabular.Table, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	rd := NewReader(bytes.NewReader(b), int64(len(b)))
	rd.Targets = targets
	return rd.ReadAll()
}

// readCSV reads testdata/name.csv with the targets.
func readCSV(t *testing.T, name string, targets []string) *tabular.Table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := tabular.NewCSVReader(f)
	rd.Targets = targets
	rd.NA = []string{"?"} // gen_parquet.js writes "?" as null
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// sameColumns fails t unless a and b hold the same names, kinds,
// categories and bits (NaN equal to NaN).
func sameColumns(t *testing.T, what string, a, b []tabular.Column) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d columns, want %d", what, len(a), len(b))
	}
	for j := range a {
		x, y := &a[j], &b[j]
		if x.Name != y.Name || x.Kind != y.Kind || !slices.Equal(x.Categories, y.Categories) || len(x.Values) != len(y.Values) {
			t.Fatalf("%s %d: %q %v %q (%d rows), want %q %v %q (%d rows)", what, j, x.Name, x.Kind, x.Categories, len(x.Values),
				y.Name, y.Kind, y.Categories, len(y.Values))
		}
		for i := range x.Values {
			if math.Float64bits(x.Values[i]) != math.Float64bits(y.Values[i]) && !(math.IsNaN(x.Values[i]) && math.IsNaN(y.Values[i])) {
				t.Fatalf("%s %q row %d: %v, want %v", what, x.Name, i, x.Values[i], y.Values[i])
			}
		}
	}
}

// Each fixture reads as the CSV file it was written from: the same
// columns, kinds, categories, bits, task and dropped rows.
func TestReadSameAsCSV(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name+"/"+f.targets[0], func(t *testing.T) {
			got, err := readParquet(t, f.name, f.targets)
			if err != nil {
				t.Fatal(err)
			}
			want := readCSV(t, f.name, f.targets)
			sameColumns(t, "feature", got.Features, want.Features)
			sameColumns(t, "target", got.Targets, want.Targets)
			if got.Task != want.Task || got.Task != f.task || got.TaskNote != want.TaskNote {
				t.Errorf("task %v (%s), want %v (%s)", got.Task, got.TaskNote, want.Task, want.TaskNote)
			}
			if got.Rows() != f.rows || got.Dropped != f.dropped || want.Dropped != f.dropped {
				t.Errorf("%d rows, %d dropped; want %d, %d (csv: %d dropped)", got.Rows(), got.Dropped, f.rows, f.dropped, want.Dropped)
			}
		})
	}
}

// The settings work as CSVReader's: Ignore, Categorical, TargetIndex,
// NA, and a name absent from the file.
func TestReadSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "flags.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	rd := NewReader(bytes.NewReader(b), int64(len(b)))
	rd.TargetIndex = []int{-1}
	rd.Ignore = []string{"big"}
	rd.Categorical = []string{"visits"}
	rd.NA = []string{"Lima"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.FeatureNames(); !slices.Equal(got, []string{"member", "visits", "score", "city"}) {
		t.Errorf("features %q", got)
	}
	if c := tab.Features[1]; c.Kind != tabular.Categorical || c.Categories[0] != "0" {
		t.Errorf("visits: %v %q, want categorical from \"0\"", c.Kind, c.Categories)
	}
	if c := tab.Features[3]; !slices.Equal(c.Categories, []string{"Oslo", "Paris"}) {
		t.Errorf("city categories %q, want [Oslo Paris] (\" Oslo\" trimmed, Lima and \"\" missing)", c.Categories)
	}
	if got := tab.TargetNames(); !slices.Equal(got, []string{"label"}) || !slices.Equal(tab.Targets[0].Categories, []string{"False", "True"}) {
		t.Errorf("target %q %q", got, tab.Targets[0].Categories)
	}

	rd = NewReader(bytes.NewReader(b), int64(len(b)))
	rd.Targets = []string{"nope"}
	_, err = rd.ReadAll()
	if !errors.Is(err, tabular.ErrNoColumn) || !errors.Is(err, mlp.ErrData) {
		t.Errorf("absent target: %v, want ErrNoColumn and ErrData", err)
	}
}
