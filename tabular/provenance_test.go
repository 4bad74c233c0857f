package tabular_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// goldenProvenanceFile is a version-3 file: tinyPipeline with goldenProvenance.
const goldenProvenanceFile = "testdata/pipeline_v3.mlp"

// goldenProvenance is a record with every field set.
var goldenProvenance = tabular.Provenance{
	Library:      "github.com/mlpkit/mlp v0.9.0",
	GoVersion:    "go1.26.0",
	Created:      time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC),
	Estimator:    "MLPClassifier",
	Seed:         7,
	Settings:     map[string]string{"alpha": "0.0001", "hidden_layer_sizes": "100", "class_weight": "balanced"},
	Data:         "tiny.csv",
	DataSHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	TrainingRows: 6,
	Columns: []tabular.ColumnRole{
		{Name: "id", Role: "ignored"}, {Name: "a", Role: "feature", Kind: "numeric"},
		{Name: "w", Role: "weight"}, {Name: "label", Role: "target", Kind: "categorical"},
	},
	Epochs:         200,
	Converged:      false,
	Convergence:    "not converged",
	ValidationRows: 2,
	Validation:     map[string]float64{"val_loss": 0.25, "val_accuracy": 1},
}

// TestProvenanceGolden checks that a pipeline with a Provenance saves as
// the golden version-3 file byte for byte (go test -run
// TestProvenanceGolden -update rewrites it), that LoadPipeline reads back
// the record and the predictions, that a pipeline without one still
// saves as version 2, and that every truncation of the file is an error
// wrapping ErrFormat.
func TestProvenanceGolden(t *testing.T) {
	p, tab := tinyPipeline(t)
	if _, ok := p.Provenance(); ok {
		t.Fatal("NewPipeline's pipeline has a provenance")
	}
	q := p.WithProvenance(goldenProvenance)
	if _, ok := p.Provenance(); ok {
		t.Fatal("WithProvenance changed its receiver")
	}
	var buf bytes.Buffer
	if err := q.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(goldenProvenanceFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(goldenProvenanceFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), golden) {
		t.Fatalf("Save writes %d bytes that differ from %s (%d bytes)", buf.Len(), goldenProvenanceFile, len(golden))
	}
	if v := golden[8]; v != 3 {
		t.Errorf("version %d, want 3", v)
	}
	r, err := tabular.LoadPipeline(bytes.NewReader(golden))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := r.Provenance()
	if !ok || !reflect.DeepEqual(got, goldenProvenance) {
		t.Errorf("loaded provenance %+v, %v; want %+v", got, ok, goldenProvenance)
	}
	want, _ := p.Predict(tab)
	pred, err := r.Predict(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pred.Labels, want.Labels) {
		t.Errorf("labels %v, want %v", pred.Labels, want.Labels)
	}
	got.Settings["alpha"] = "changed"
	if again, _ := r.Provenance(); again.Settings["alpha"] != "0.0001" {
		t.Error("Provenance hands out the pipeline's own map")
	}
	_, err = mlp.Load(bytes.NewReader(golden))
	if !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "LoadPipeline") {
		t.Errorf("Load of a version-3 file: %v; want ErrFormat naming LoadPipeline", err)
	}
	for n := range len(golden) {
		if q, err := tabular.LoadPipeline(bytes.NewReader(golden[:n])); q != nil || !errors.Is(err, mlp.ErrFormat) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	buf.Reset()
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if v := buf.Bytes()[8]; v != 2 {
		t.Errorf("a pipeline without provenance saves as version %d, want 2", v)
	}
}

// TestFitProvenance checks the record a fit leaves on its pipeline: the
// library and Go versions, the time, the estimator, seed and settings,
// the rows and columns, and the outcome, and that it survives Save and
// LoadPipeline.
func TestFitProvenance(t *testing.T) {
	_, tab := tinyPipeline(t)
	before := time.Now().UTC().Add(-time.Second)
	m, err := tabular.MLPClassifier{HiddenLayerSizes: []int{3}, MaxIter: 5, Seed: 11, BalancedClassWeight: true}.Fit(context.Background(), tab)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Pipeline().Save(&buf); err != nil {
		t.Fatal(err)
	}
	p, err := tabular.LoadPipeline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	pv, ok := p.Provenance()
	if !ok {
		t.Fatal("no provenance after Save and LoadPipeline")
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"Library", pv.Library, "github.com/mlpkit/mlp (devel)"},
		{"LibraryVersion", tabular.LibraryVersion(), "github.com/mlpkit/mlp (devel)"},
		{"GoVersion", pv.GoVersion, runtime.Version()},
		{"Estimator", pv.Estimator, "MLPClassifier"},
		{"Seed", pv.Seed, uint64(11)},
		{"TrainingRows", pv.TrainingRows, tab.Rows()},
		{"Epochs", pv.Epochs, m.NIter()},
		{"Converged", pv.Converged, m.Converged()},
		{"Convergence", pv.Convergence, m.Convergence().String()},
		{"hidden_layer_sizes", pv.Settings["hidden_layer_sizes"], "3"},
		{"max_iter", pv.Settings["max_iter"], "5"},
		{"alpha", pv.Settings["alpha"], "0.0001"},
		{"class_weight", pv.Settings["class_weight"], "balanced"},
		{"activation", pv.Settings["activation"], "relu"},
		{"impute", pv.Settings["impute"], tabular.ImputeMean.String()},
		{"columns", len(pv.Columns), len(tab.Features) + len(tab.Targets)},
		{"last column", pv.Columns[len(pv.Columns)-1], tabular.ColumnRole{Name: "label", Role: "target", Kind: tab.Targets[0].Kind.String()}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if pv.Created.Before(before) || pv.Created.After(time.Now().UTC()) {
		t.Errorf("Created = %v, not the time of the fit", pv.Created)
	}
}
