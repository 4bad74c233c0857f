package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTrainInit checks train -init: the continued run's first epoch
// carries on from the model's last (its loss below the model's final loss
// by less than twice the model's last drop, where a fresh run starts far
// above), the preprocessing and classes are the model's even on other
// rows, and the provenance names the model and its SHA-256.
func TestTrainInit(t *testing.T) {
	dir := t.TempDir()
	base := []string{"-target", "species", "-ignore", "id", "-seed", "1", "-val", "0", "-hidden", "8", "-lr", "0.01"}
	loss := func(args ...string) float64 {
		t.Helper()
		v, _ := trainedJSON(t, "iris.csv", append(slices.Clone(base), args...)...)
		return v["final_loss"].(float64)
	}
	l9, l10, fresh1 := loss("-epochs", "9"), loss("-epochs", "10"), loss("-epochs", "1")
	model, _ := trained(t, "iris.csv", append(slices.Clone(base), "-epochs", "10", "-quiet")...)
	next := filepath.Join(dir, "next.mlp")
	r := runMLP(t, "", nil, "train", "-init", model, "-data", filepath.Join("testdata", "iris.csv"), "-target", "species", "-ignore", "id",
		"-seed", "1", "-val", "0", "-lr", "0.01", "-epochs", "1", "-json", "-o", next)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var v struct {
		FinalLoss float64 `json:"final_loss"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	l11 := v.FinalLoss
	t.Logf("losses: fresh epoch 1 %.6f, epoch 9 %.6f, epoch 10 %.6f, continued epoch 1 %.6f", fresh1, l9, l10, l11)
	if step, drop := l10-l11, l9-l10; !(step > 0 && step < 2*drop) {
		t.Errorf("continued first loss %.6f after the model's %.6f (epoch 9 %.6f): step %.3g, want in (0, %.3g); a fresh first epoch gives %.6f",
			l11, l10, l9, step, 2*drop, fresh1)
	}
	if !(fresh1-l10 > 10*(l9-l10)) {
		t.Fatalf("a fresh first epoch's loss %.6f is near the 10th's %.6f: the test cannot tell a continued run from a fresh one", fresh1, l10)
	}

	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	pv, ok := loadModel(t, next).Provenance()
	if !ok || pv.WarmStart != model || pv.WarmStartSHA256 != hex.EncodeToString(sum[:]) || pv.Settings["warm_start"] != "true" {
		t.Errorf("provenance warm start %q %q (settings %q); want %q and the file's SHA-256 %x", pv.WarmStart, pv.WarmStartSHA256, pv.Settings["warm_start"], model, sum)
	}
	ri := runMLP(t, "", nil, "inspect", "-model", next)
	if !strings.Contains(ri.stdout, "continued from: "+model+", sha256 "+hex.EncodeToString(sum[:])) {
		t.Errorf("inspect does not say which model was continued:\n%s", ri.stdout)
	}

	// Rows of two classes, whose statistics differ from the whole file's.
	iris, err := os.ReadFile(filepath.Join("testdata", "iris.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(iris)), "\n")
	part := writeTemp(t, dir, "part.csv", strings.Join(lines[:81], "\n")+"\n")
	cont := filepath.Join(dir, "cont.mlp")
	if r := runMLP(t, "", nil, "train", "-init", model, "-data", part, "-target", "species", "-ignore", "id", "-epochs", "2", "-quiet", "-o", cont); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p, q := loadModel(t, model), loadModel(t, cont)
	if !slices.Equal(q.Classes(), p.Classes()) || len(q.Classes()) != 3 {
		t.Errorf("classes %q; want the model's %q", q.Classes(), p.Classes())
	}
	pc, qc := p.Columns(), q.Columns()
	for j := range pc {
		if qc[j].Name != pc[j].Name || qc[j].Mean != pc[j].Mean || qc[j].Std != pc[j].Std || !slices.Equal(qc[j].Categories, pc[j].Categories) {
			t.Errorf("column %d: %+v; want the model's %+v", j, qc[j], pc[j])
		}
	}
}

// TestTrainInitErrors checks that train -init refuses, naming the flag,
// the column or the class, what contradicts the model: a flag with a
// usage error (exit 2), the data with one line (exit 1).
func TestTrainInitErrors(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-seed", "1", "-epochs", "3", "-hidden", "8", "-quiet")
	dir := t.TempDir()
	iris, err := os.ReadFile(filepath.Join("testdata", "iris.csv"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(iris)
	aardvark := writeTemp(t, dir, "aardvark.csv", strings.Replace(text, ",setosa\n", ",aardvark\n", 3))
	data := filepath.Join("testdata", "iris.csv")
	out := filepath.Join(dir, "out.mlp")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"hidden", []string{"-data", data, "-ignore", "id", "-hidden", "16"}, 2, []string{"-hidden 16 contradicts", "hidden layers are 8"}},
		{"activation", []string{"-data", data, "-ignore", "id", "-activation", "tanh"}, 2, []string{"-activation tanh contradicts", "relu"}},
		{"impute", []string{"-data", data, "-ignore", "id", "-impute", "median"}, 2, []string{"-impute", "keeps its preprocessing"}},
		{"task", []string{"-data", data, "-ignore", "id", "-task", "regress"}, 2, []string{"-task regression contradicts"}},
		{"extra column", []string{"-data", data}, 1, []string{`column "id" is not one of the model`, "-ignore id"}},
		{"missing column", []string{"-data", data, "-ignore", "id,site"}, 1, []string{`column "site" of the model`}},
		{"unknown class", []string{"-data", aardvark, "-ignore", "id"}, 1, []string{`class "aardvark" (3 rows) is not one of the model`, `"setosa"`}},
		{"same file", []string{"-data", data, "-ignore", "id", "-o", model}, 2, []string{"is the -init file"}},
		{"no file", []string{"-data", data, "-ignore", "id", "-init", filepath.Join(dir, "none.mlp")}, 1, []string{"-init", "none.mlp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"train", "-init", model, "-target", "species", "-o", out}, tc.args...)
			r := runMLP(t, "", nil, args...)
			if tc.code == 1 {
				oneLineError(t, r, tc.want...)
				return
			}
			if r.code != tc.code {
				t.Errorf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
		})
	}
	r := runMLP(t, "", nil, "train", "-init", model, "-target", "site", "-data", data, "-ignore", "id", "-o", out)
	if r.code != 2 || !strings.Contains(r.stderr, `-target site contradicts`) {
		t.Errorf("-target site: exit %d, %s", r.code, r.stderr)
	}
}

// TestInitSeenRowsWarning checks the warning that the -val rows are not
// held out from an -init model refit on every row of the same data, and
// that a model trained with -refit=false gets none.
func TestInitSeenRowsWarning(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-hidden", "4", "-epochs", "5", "-quiet"}
	refit, _ := trained(t, "iris.csv", args...)
	_, r := trained(t, "iris.csv", append(args, "-init", refit)...)
	want := "mlp train: warning: the model -init " + refit + " was trained on all 150 rows of this data, so the -val rows are not held out from it"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("-init of a model refit on these rows: stderr %q; want %q", r.stderr, want)
	}
	held, _ := trained(t, "iris.csv", append(args, "-refit=false")...)
	if _, r := trained(t, "iris.csv", append(args, "-init", held)...); strings.Contains(r.stderr, "not held out") {
		t.Errorf("-init of a -refit=false model warns: %q", r.stderr)
	}
}
