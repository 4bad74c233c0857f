package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp/tabular"
)

// pqData is the directory of the Parquet fixtures and the CSV files they
// were written from (tabular/parquet/testdata/gen_parquet.js).
var pqData = filepath.Join("..", "..", "tabular", "parquet", "testdata")

// The same flags on a CSV file and on the Parquet file written from it by
// another writer give the same model: the saved files are byte for byte
// the same once the provenance's data name, data SHA-256 and time are set
// equal (the SHA-256 is of the file's bytes, so it differs; it is checked
// to be the Parquet file's).
func TestParquetSameModel(t *testing.T) {
	cases := []struct {
		name  string
		flags []string
	}{
		{"iris_species", []string{"-target", "species", "-val", "0.2"}},
		{"penguins", []string{"-target", "species", "-na", "?", "-val", "0.2", "-hidden", "8"}},
		{"churn", []string{"-target", "churned", "-na", "?", "-categorical", "satisfaction", "-hidden", "8,4"}},
		{"flags", []string{"-target", "label", "-ignore", "big", "-val", "0.25"}},
		{"flags", []string{"-target", "score", "-task", "regress", "-hidden", "6"}},
	}
	dir := t.TempDir()
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var models [2]*tabular.Pipeline
			for i, ext := range []string{".csv", ".parquet"} {
				data := filepath.Join(pqData, c.name+ext)
				out := filepath.Join(dir, c.name+ext+string(rune('0'+k))+".mlp")
				args := append([]string{"train", "-data", data, "-epochs", "30", "-seed", "7", "-quiet", "-o", out}, c.flags...)
				r := runMLP(t, "", nil, args...)
				if r.code != 0 {
					t.Fatalf("mlp %s: %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
				}
				p, err := loadPipeline(out)
				if err != nil {
					t.Fatal(err)
				}
				models[i] = p
				pv, _ := p.Provenance()
				b, err := os.ReadFile(data)
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(b); pv.DataSHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("%s: data_sha256 %s, want the file's %x", ext, pv.DataSHA256, sum)
				}
			}
			var saved [2][]byte
			for i, p := range models {
				pv, _ := p.Provenance()
				pv.Data, pv.DataSHA256, pv.Created = "data", "", time.Unix(0, 0).UTC()
				var buf bytes.Buffer
				if err := p.WithProvenance(pv).Save(&buf); err != nil {
					t.Fatal(err)
				}
				saved[i] = buf.Bytes()
			}
			if !bytes.Equal(saved[0], saved[1]) {
				t.Errorf("the models of the CSV and the Parquet file differ (%d and %d bytes)", len(saved[0]), len(saved[1]))
			}
		})
	}
}

// eval and predict read a Parquet file as they read the CSV file it was
// written from: the same figures, the same predictions; and from
// standard input too.
func TestParquetEvalPredict(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", filepath.Join(pqData, "penguins.parquet"), "-target", "species",
		"-epochs", "20", "-quiet", "-o", model); r.code != 0 {
		t.Fatalf("train: %s", r.stderr)
	}
	for _, cmd := range [][]string{{"eval"}, {"predict", "-proba"}} {
		var outs []string
		for _, ext := range []string{".csv", ".parquet"} {
			data := filepath.Join(pqData, "penguins"+ext)
			r := runMLP(t, "", nil, append(cmd, "-model", model, "-data", data, "-na", "?")...)
			if r.code != 0 {
				t.Fatalf("%s %s: %s", cmd[0], ext, r.stderr)
			}
			outs = append(outs, strings.ReplaceAll(r.stdout, data, "DATA"))
		}
		b, err := os.ReadFile(filepath.Join(pqData, "penguins.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		r := runMLP(t, "", bytes.NewReader(b), append(cmd, "-model", model, "-data", "-", "-na", "?")...)
		if r.code != 0 {
			t.Fatalf("%s from standard input: %s", cmd[0], r.stderr)
		}
		outs = append(outs, strings.ReplaceAll(r.stdout, "standard input", "DATA"))
		if outs[0] != outs[1] || outs[0] != outs[2] {
			t.Errorf("%s: CSV, Parquet and Parquet on standard input differ:\n%s\n--\n%s\n--\n%s", cmd[0], outs[0], outs[1], outs[2])
		}
		if len(outs[0]) < 100 {
			t.Errorf("%s printed little: %q", cmd[0], outs[0])
		}
	}
}

// A damaged Parquet file is a one-line error naming the file, for each
// command.
func TestParquetDamaged(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(pqData, "iris_species.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.parquet")
	if err := os.WriteFile(bad, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", filepath.Join(pqData, "iris_species.parquet"), "-target", "species",
		"-epochs", "5", "-quiet", "-o", model); r.code != 0 {
		t.Fatalf("train: %s", r.stderr)
	}
	for _, args := range [][]string{
		{"train", "-data", bad, "-target", "species", "-o", filepath.Join(dir, "x.mlp")},
		{"eval", "-model", model, "-data", bad},
		{"predict", "-model", model, "-data", bad},
	} {
		oneLineError(t, runMLP(t, "", nil, args...), bad+":", "not a sound Parquet file")
	}
}

// TestParquetColumnSelection checks that -categorical-ints, which reads CSV
// cell texts, is refused for a Parquet file with a usage error, and that
// the columns an -ignore pattern drops are recorded in the model file by
// name, as for a CSV file.
func TestParquetColumnSelection(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(pqData, "iris_species.parquet")
	r := runMLP(t, "", nil, "train", "-data", data, "-target", "species", "-categorical-ints", "3", "-o", filepath.Join(dir, "x.mlp"))
	if r.code != 2 || !strings.Contains(r.stderr, "-categorical-ints") || !strings.Contains(r.stderr, "Parquet") {
		t.Errorf("-categorical-ints on Parquet: exit %d, stderr %q; want exit 2 naming the flag and Parquet", r.code, r.stderr)
	}
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", data, "-target", "species", "-ignore", "sepal_*", "-epochs", "5", "-quiet", "-o", model); r.code != 0 {
		t.Fatalf("train: %s", r.stderr)
	}
	r = runMLP(t, "", nil, "inspect", "-model", model, "-json")
	if r.code != 0 {
		t.Fatalf("inspect: %s", r.stderr)
	}
	for _, name := range []string{"sepal_length_cm", "sepal_width_cm"} {
		if !strings.Contains(r.stdout, `{"name":"`+name+`","role":"ignored"}`) {
			t.Errorf("inspect -json of a model trained with -ignore 'sepal_*' does not name the ignored column %s:\n%s", name, r.stdout)
		}
	}
}
