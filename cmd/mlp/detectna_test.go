package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const penguinsCSV = "../../internal/datasets/penguins.csv"

// penguinsWarnings are the warnings -detect-na gives on penguins, whose
// bill_length_mm and body_mass_g hold "?" for unmeasured values.
var penguinsWarnings = []string{
	`column "bill_length_mm" holds numbers and "?" (2 cells, the first on line 4), read as missing values (-detect-na); use -detect-na=false to read the column as text (categorical), as pandas reads it`,
	`column "body_mass_g" holds numbers and "?" (3 cells, the first on line 7), read as missing values (-detect-na)`,
}

// TestDetectNATrainPredict checks the round trip of the default: train
// reads penguins' "?" as missing with a warning per column, the model file
// records the markers (inspect shows them), and predict and eval read "?"
// in those columns of new rows as missing (the prediction of a row with
// "?" is that of the same row with an empty cell), and in no other column.
func TestDetectNATrainPredict(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlp")
	for _, extra := range [][]string{nil, {"-stream"}} {
		r := runMLP(t, "", nil, append([]string{"train", "-data", penguinsCSV, "-target", "species", "-epochs", "30", "-quiet", "-o", model}, extra...)...)
		if r.code != 0 {
			t.Fatalf("train %v: exit %d: %s", extra, r.code, r.stderr)
		}
		for _, w := range penguinsWarnings {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("train %v: stderr lacks %q:\n%s", extra, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "add it to -na") {
			t.Errorf("train %v: a column is read as text:\n%s", extra, r.stderr)
		}
		r = runMLP(t, "", nil, "inspect", "-model", model)
		if r.code != 0 || !strings.Contains(r.stdout, "format version: 4") ||
			!strings.Contains(r.stdout, `missing also "?"; missing -> `) || strings.Count(r.stdout, `missing also "?"`) != 2 {
			t.Errorf("inspect %v: exit %d:\n%s", extra, r.code, r.stdout)
		}
	}
	rows := "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n" +
		"Biscoe,?,14.3,211,?,female\n" +
		"Biscoe,,14.3,211,,female\n" +
		"Dream,38.9,18.1,187,3875,?\n"
	data := writeTemp(t, dir, "new.csv", rows)
	r := runMLP(t, "", nil, "predict", "-model", model, "-data", data, "-proba")
	if r.code != 0 {
		t.Fatalf("predict: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || lines[1] != lines[2] {
		t.Errorf("predict: a row with \"?\" is not predicted as the row with empty cells:\n%s", r.stdout)
	}
	r = runMLP(t, "", nil, "predict", "-model", model, "-data", writeTemp(t, dir, "bad.csv",
		"island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\nBiscoe,40,?,211,4000,female\n"))
	if r.code != 1 || !strings.Contains(r.stderr, `line 2, column "bill_depth_mm": not a number: "?", which looks like a missing-value marker that the training data did not hold in this column: give an empty cell instead, or add it to -na`) {
		t.Errorf(`predict with "?" in bill_depth_mm, which held none in training: exit %d, %q; want an error naming the column`, r.code, r.stderr)
	}
	r = runMLP(t, "", nil, "eval", "-model", model, "-data", penguinsCSV, "-importance", "-n-repeats", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "final loss=") || !strings.Contains(r.stdout, "bill_length_mm") {
		t.Errorf("eval -importance: exit %d: %s\n%s", r.code, r.stderr, r.stdout)
	}
}

// TestDetectNAOff checks -detect-na=false: the columns are text, as
// pandas reads them, with the note naming -na, and the model has no
// markers of its own; and that cv and grid detect by default too.
func TestDetectNAOff(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlp")
	r := runMLP(t, "", nil, "train", "-data", penguinsCSV, "-target", "species", "-epochs", "5", "-quiet", "-detect-na=false", "-o", model)
	if r.code != 0 || strings.Contains(r.stderr, "-detect-na") ||
		!strings.Contains(r.stderr, `column "bill_length_mm" holds numbers and text such as "?" (line 4), so it is read as text (categorical), as pandas reads it; if that text marks a missing value, add it to -na`) {
		t.Errorf("train -detect-na=false: exit %d:\n%s", r.code, r.stderr)
	}
	r = runMLP(t, "", nil, "inspect", "-model", model)
	if r.code != 0 || !strings.Contains(r.stdout, "format version: 3") || strings.Contains(r.stdout, "missing also") ||
		!strings.Contains(r.stdout, "bill_length_mm     categorical") {
		t.Errorf("inspect: exit %d:\n%s", r.code, r.stdout)
	}
	for _, args := range [][]string{
		{"cv", "-data", penguinsCSV, "-target", "species", "-epochs", "3", "-k", "2"},
		{"grid", "-spec", writeTemp(t, dir, "spec.json", `{"target": "species", "params": {"max_iter": 3}, "param_grid": {"alpha": [0.0001]}, "cv": 2}`), "-data", penguinsCSV},
	} {
		r := runMLP(t, "", nil, args...)
		if r.code != 0 || !strings.Contains(r.stderr, penguinsWarnings[0]) {
			t.Errorf("%s: exit %d, stderr lacks the warning:\n%s", args[0], r.code, r.stderr)
		}
		r = runMLP(t, "", nil, append(args, "-detect-na=false")...)
		if r.code != 0 || strings.Contains(r.stderr, "-detect-na") || !strings.Contains(r.stderr, "add it to -na") {
			t.Errorf("%s -detect-na=false: exit %d:\n%s", args[0], r.code, r.stderr)
		}
	}
}

// TestDetectNATarget checks that a target of numbers holding "?" is an
// error naming -na, which leaves those rows out.
func TestDetectNATarget(t *testing.T) {
	dir := t.TempDir()
	data := writeTemp(t, dir, "r.csv", "x,y\n1,1.5\n2,?\n3,2.5\n4,3.5\n5,4\n")
	r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-epochs", "2", "-o", filepath.Join(dir, "m.mlp"))
	oneLineError(t, r, `line 3, column 2`, `target column "y" holds numbers and "?"`, "-detect-na reads such markers as missing in feature columns only: add it to -na to leave those rows out")
	r = runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-epochs", "2", "-na", "?", "-val", "0", "-o", filepath.Join(dir, "m.mlp"))
	if r.code != 0 {
		t.Errorf("train -na '?': exit %d: %s", r.code, r.stderr)
	}
}
