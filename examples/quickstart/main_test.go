package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/examples/internal/readme"
	"github.com/mlpkit/mlp/tabular"
)

// TestREADME requires the README's quick start to be this program as it
// is (go vet and go test compile it), and to quote its report as it prints
// it.
func TestREADME(t *testing.T) {
	md := readme.CheckProgram(t)
	tmp := t.TempDir()
	out := readme.Run(t, tmp)
	report, saved, ok := strings.Cut(out, "saved ")
	if !ok {
		t.Fatalf("output has no line \"saved ...\":\n%s", out)
	}
	readme.CheckQuoted(t, md, report)
	if want := filepath.Join(tmp, "iris.mlp") + "\n"; saved != want {
		t.Errorf("last line: saved %q, want saved %q", saved, want)
	}
}

// TestSavedPipeline loads the file the program saves and requires it to
// classify the whole iris table (training and held-out rows) with accuracy
// at least 0.95; the held-out fifth alone scores 0.97.
func TestSavedPipeline(t *testing.T) {
	tmp := t.TempDir()
	readme.Run(t, tmp)
	f, err := os.Open(filepath.Join(tmp, "iris.mlp"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := tabular.LoadPipeline(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Classes(), []string{"setosa", "versicolor", "virginica"}; !reflect.DeepEqual(got, want) {
		t.Errorf("classes %q, want %q", got, want)
	}
	data, err := os.Open(filepath.Join(readme.Root, "internal/datasets/iris_species.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	r := tabular.NewCSVReader(data)
	r.Targets = []string{"species"}
	table, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pred, err := p.Predict(table)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for i, label := range pred.Labels {
		if label == table.Targets[0].Text(i) {
			right++
		}
	}
	if acc := float64(right) / float64(table.Rows()); acc < 0.95 {
		t.Errorf("accuracy on the whole table %.4f, want >= 0.95", acc)
	}
}
