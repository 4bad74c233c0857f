package tabular_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
	"math/rand/v2"
)

// goldenColumnNAFile is a version-4 file: tinyTable read with DetectNA
// (its "?" in weight read as missing), with goldenProvenance.
const goldenColumnNAFile = "testdata/pipeline_v4.mlp"

// detectPipeline returns a pipeline over tinyTable read with DetectNA,
// with a seeded, untrained net, as tinyPipeline.
func detectPipeline(t testing.TB) *tabular.Pipeline {
	t.Helper()
	tab, err := readTable(tinyTable, func(r *tabular.CSVReader) { r.Targets = []string{"label"}; r.DetectNA = true })
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]string{"weight": {"?"}}; !reflect.DeepEqual(tab.ColumnNA, want) {
		t.Fatalf("ColumnNA %q; want %q", tab.ColumnNA, want)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{Impute: tabular.ImputeMedian})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(3, 4)
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 4, src), &mlp.Tanh{}, mlp.NewLinear(4, 3, src), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Names: []string{"label"}, Classes: []string{"a", "b", "c"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestColumnNAGolden checks that a pipeline whose column has markers of
// its own saves as the golden version-4 file byte for byte (-update
// rewrites it), with a provenance and without one; that LoadPipeline
// reads back the markers, the provenance and the predictions; that the
// markers are missing in their column only; that mlp.Load refuses the
// file naming LoadPipeline; and that every truncation is an error.
func TestColumnNAGolden(t *testing.T) {
	p := detectPipeline(t).WithProvenance(goldenProvenance)
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(goldenColumnNAFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(goldenColumnNAFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), golden) {
		t.Fatalf("Save writes %d bytes that differ from %s (%d bytes)", buf.Len(), goldenColumnNAFile, len(golden))
	}
	if v := golden[8]; v != 4 {
		t.Errorf("version %d, want 4", v)
	}
	r, err := tabular.LoadPipeline(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ColumnNA(); !reflect.DeepEqual(got, map[string][]string{"weight": {"?"}}) {
		t.Errorf("loaded ColumnNA %q", got)
	}
	r.ColumnNA()["weight"][0] = "changed"
	if r.ColumnNA()["weight"][0] != "?" {
		t.Error("ColumnNA hands out the pipeline's own slices")
	}
	if got, ok := r.Provenance(); !ok || !reflect.DeepEqual(got, goldenProvenance) {
		t.Errorf("loaded provenance %+v, %v", got, ok)
	}
	header := []string{"size", "color", "weight"}
	rows := [][]string{{"2", "red", "?"}, {"2", "red", ""}, {"2", "?", "30"}, {"2", "purple", "30"}, {"2", "", "30"}, {"2", "red", "30"}}
	for _, q := range []*tabular.Pipeline{p, r} {
		pred, err := q.PredictRecords(header, rows)
		if err != nil {
			t.Fatal(err)
		}
		same := func(i, j int) bool { return slices.Equal(pred.Proba.RawRowView(i), pred.Proba.RawRowView(j)) }
		switch {
		case !same(0, 1):
			t.Error(`"?" in weight is not read as a missing cell`)
		case !same(2, 3):
			t.Error(`"?" in color is not read as an unseen category, as in training`)
		case same(2, 4) || !same(4, 5):
			t.Error(`"?" in color is read as missing, or "" is not filled with red`)
		}
	}
	// PredictMaps, the records of a JSON request (mlpserve): "?" in weight
	// is missing, as null is.
	maps, err := r.PredictMaps([]map[string]any{{"size": 2.0, "color": "red", "weight": "?"}, {"size": 2.0, "color": "red", "weight": nil}})
	if err != nil || !slices.Equal(maps.Proba.RawRowView(0), maps.Proba.RawRowView(1)) {
		t.Errorf(`PredictMaps: "?" in weight is not read as null: %v`, err)
	}
	if _, err := r.PredictRecords([]string{"size", "color", "weight"}, [][]string{{"?", "red", "30"}}); err == nil {
		t.Error(`"?" in size, whose training cells held none, is read`)
	}
	_, err = mlp.Load(bytes.NewReader(golden))
	if !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "LoadPipeline") {
		t.Errorf("Load of a version-4 file: %v; want ErrFormat naming LoadPipeline", err)
	}
	for n := range len(golden) {
		if q, err := tabular.LoadPipeline(bytes.NewReader(golden[:n])); q != nil || !errors.Is(err, mlp.ErrFormat) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	// Without a provenance: version 4 with an empty record.
	buf.Reset()
	if err := detectPipeline(t).Save(&buf); err != nil {
		t.Fatal(err)
	}
	if v := buf.Bytes()[8]; v != 4 {
		t.Errorf("version %d, want 4", v)
	}
	q, err := tabular.LoadPipeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.Provenance(); ok || !reflect.DeepEqual(q.ColumnNA(), map[string][]string{"weight": {"?"}}) {
		t.Errorf("provenance %v, ColumnNA %q", ok, q.ColumnNA())
	}
}

// TestColumnNAReader checks CSVReader.ColumnNA: its texts are missing in
// their column only, a name not in the header is ignored, and the table
// records them.
func TestColumnNAReader(t *testing.T) {
	rd := tabular.NewCSVReader(strings.NewReader("a,b\n1,-\n-,x\n3,y\n"))
	rd.ColumnNA = map[string][]string{"a": {"-"}, "absent": {"?"}}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	a, b := tab.Features[0], tab.Features[1]
	if a.Kind != tabular.Numeric || !a.Missing(1) || b.Kind != tabular.Categorical || !slices.Equal(b.Categories, []string{"-", "x", "y"}) {
		t.Errorf("a %v %v, b %v %q", a.Kind, a.Values, b.Kind, b.Categories)
	}
	if !reflect.DeepEqual(tab.ColumnNA, map[string][]string{"a": {"-"}}) || len(tab.Notes) != 0 {
		t.Errorf("ColumnNA %q, notes %q", tab.ColumnNA, tab.Notes)
	}
	if sub := tab.Subset([]int{0}); !reflect.DeepEqual(sub.ColumnNA, tab.ColumnNA) {
		t.Errorf("Subset's ColumnNA %q", sub.ColumnNA)
	}
}
