package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// factorTable writes a CSV of n rows with two identifiers, six 0/1 factor
// columns b1..b6, a numeric column x and a class y that the factors decide,
// and returns its path.
func factorTable(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,id2,b1,b2,b3,b4,b5,b6,x,y\n")
	state := uint32(12345)
	bit := func() int {
		state = state*1664525 + 1013904223
		return int(state >> 31)
	}
	for i := range n {
		bs := make([]int, 6)
		for k := range bs {
			bs[k] = bit()
		}
		y := "no"
		if bs[0]+bs[1]+bs[2] >= 2 {
			y = "yes"
		}
		fmt.Fprintf(&b, "r%d,%d,%d,%d,%d,%d,%d,%d,%.3f,%s\n", i, 1000+i, bs[0], bs[1], bs[2], bs[3], bs[4], bs[5], float64(i%17)/4, y)
	}
	path := filepath.Join(t.TempDir(), "factors.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestColumnSelectionFlags trains on a table of 0/1 factors selected by
// -categorical-ints and by a -categorical pattern, with identifiers left
// out by an -ignore pattern, and checks that each model is the one naming
// the columns gives: its columns and kinds, its provenance, and eval and
// predict on it.
func TestColumnSelectionFlags(t *testing.T) {
	data := factorTable(t, 120)
	dir := t.TempDir()
	common := []string{"train", "-data", data, "-target", "y", "-hidden", "8", "-epochs", "15", "-seed", "4", "-quiet"}
	train := func(name string, args ...string) string {
		t.Helper()
		model := filepath.Join(dir, name)
		r := runMLP(t, "", nil, append(append(slices.Clone(common), args...), "-o", model)...)
		if r.code != 0 {
			t.Fatalf("mlp train %q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		return model
	}
	named := train("named.mlp", "-categorical", "b1,b2,b3,b4,b5,b6", "-ignore", "id,id2")
	ints := train("ints.mlp", "-categorical-ints", "2", "-ignore", "id*")
	pattern := train("pattern.mlp", "-categorical", "b?", "-ignore", "i[d]*")

	want := []string{"b1:categorical", "b2:categorical", "b3:categorical", "b4:categorical", "b5:categorical", "b6:categorical", "x:numeric"}
	predicted := map[string]string{}
	evaluated := map[string]string{}
	for _, model := range []string{named, ints, pattern} {
		name := filepath.Base(model)
		p := loadModel(t, model)
		var got []string
		for _, c := range p.Columns() {
			kind := "numeric"
			if c.Kind == tabular.Categorical {
				kind = "categorical"
				if !slices.Equal(c.Categories, []string{"0", "1"}) {
					t.Errorf("%s: column %s has categories %q, want [0 1]", name, c.Name, c.Categories)
				}
			}
			got = append(got, c.Name+":"+kind)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: columns %q, want %q", name, got, want)
		}
		// The provenance names the ignored columns, not the pattern.
		ignored := ignoredColumns(p)
		if !slices.Equal(ignored, []string{"id", "id2"}) {
			t.Errorf("%s: provenance's ignored columns %q, want [id id2]", name, ignored)
		}
		r := runMLP(t, "", nil, "predict", "-model", model, "-data", data)
		if r.code != 0 {
			t.Fatalf("mlp predict %s: exit %d\n%s", name, r.code, r.stderr)
		}
		if n := strings.Count(r.stdout, "\n"); n != 121 {
			t.Errorf("mlp predict %s: %d lines, want 121", name, n)
		}
		predicted[name] = r.stdout
		r = runMLP(t, "", nil, "eval", "-model", model, "-data", data)
		if r.code != 0 || !strings.Contains(r.stdout, "accuracy") {
			t.Fatalf("mlp eval %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		evaluated[name] = r.stdout
	}
	// The same columns and kinds, the same seed: the same model.
	for _, name := range []string{"ints.mlp", "pattern.mlp"} {
		if predicted[name] != predicted["named.mlp"] {
			t.Errorf("mlp predict %s differs from naming the columns", name)
		}
		if evaluated[name] != evaluated["named.mlp"] {
			t.Errorf("mlp eval %s:\n%s\nnaming the columns:\n%s", name, evaluated[name], evaluated["named.mlp"])
		}
		if !bytes.Equal(undated(t, filepath.Join(dir, name)), undated(t, named)) {
			t.Errorf("model %s differs from naming the columns", name)
		}
	}
}

// TestColumnSelectionFlagErrors: a pattern matching no column, a
// malformed pattern and a negative -categorical-ints, each named.
func TestColumnSelectionFlagErrors(t *testing.T) {
	data := factorTable(t, 20)
	out := filepath.Join(t.TempDir(), "m.mlp")
	run := func(args ...string) result {
		return runMLP(t, "", nil, append(append([]string{"train", "-data", data, "-target", "y", "-epochs", "2"}, args...), "-o", out)...)
	}
	oneLineError(t, run("-categorical", "q*"), `categorical column pattern "q*" (matching no column)`, `"id", "id2", "b1"`)
	oneLineError(t, run("-ignore", "z?"), `ignored column pattern "z?" (matching no column)`)
	oneLineError(t, run("-categorical", "b[1"), `-categorical entry "b[1"`, "syntax error in pattern")
	oneLineError(t, run("-ignore", `id\`), `-ignore entry "id\\"`, "syntax error in pattern")
	r := run("-categorical-ints", "-1")
	if r.code != 2 || !strings.Contains(r.stderr, "invalid value -1 for flag -categorical-ints") {
		t.Errorf("-categorical-ints -1: exit %d, stderr %q; want exit 2 naming the flag", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed run wrote %s", out)
	}
	r = run("-categorical-ints", "2", "-stream")
	if r.code != 2 || !strings.Contains(r.stderr, "-categorical-ints is not supported with -stream") {
		t.Errorf("-categorical-ints 2 -stream: exit %d, stderr %q; want exit 2 naming both flags", r.code, r.stderr)
	}
	r = runMLP(t, "", nil, "train", "-h")
	for _, flag := range []string{"-categorical-ints N", "'x_*'", "a pattern never drops a -target"} {
		if !strings.Contains(r.stderr, flag) {
			t.Errorf("mlp train -h does not show %q", flag)
		}
	}
}

// TestColumnSelectionStream trains with -stream, an -ignore pattern and a
// -categorical pattern: the model reads the columns as the in-memory one
// does, and its provenance names the ignored columns.
func TestColumnSelectionStream(t *testing.T) {
	data := factorTable(t, 120)
	model := filepath.Join(t.TempDir(), "stream.mlp")
	r := runMLP(t, "", nil, "train", "-data", data, "-target", "y", "-hidden", "8", "-epochs", "3", "-seed", "4", "-quiet",
		"-stream", "-categorical", "b?", "-ignore", "id*", "-o", model)
	if r.code != 0 {
		t.Fatalf("mlp train -stream: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	p := loadModel(t, model)
	var got []string
	for _, c := range p.Columns() {
		got = append(got, fmt.Sprintf("%s:%v:%q", c.Name, c.Kind == tabular.Categorical, c.Categories))
	}
	want := []string{}
	for k := 1; k <= 6; k++ {
		want = append(want, fmt.Sprintf("b%d:true:[\"0\" \"1\"]", k))
	}
	want = append(want, "x:false:[]")
	if !slices.Equal(got, want) {
		t.Errorf("columns %q, want %q", got, want)
	}
	ignored := ignoredColumns(p)
	if !slices.Equal(ignored, []string{"id", "id2"}) {
		t.Errorf("provenance's ignored columns %q, want [id id2]", ignored)
	}
	if r := runMLP(t, "", nil, "predict", "-model", model, "-data", data); r.code != 0 || strings.Count(r.stdout, "\n") != 121 {
		t.Errorf("mlp predict: exit %d, %d lines\n%s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// TestColumnSelectionGridAndCV: mlp grid and mlp cv take the patterns too,
// and grid's model file names the ignored columns, not the pattern.
func TestColumnSelectionGridAndCV(t *testing.T) {
	data := factorTable(t, 60)
	spec := writeSpec(t, `{"target": "y", "categorical": ["b?"], "ignore": ["id*"],
 "params": {"max_iter": 3, "random_state": 1, "hidden_layer_sizes": [4]},
 "param_grid": {"alpha": [0.0001, 0.1]}, "cv": 2}`)
	model := filepath.Join(t.TempDir(), "grid.mlp")
	mustRun(t, nil, "grid", "-spec", spec, "-data", data, "-workers", "1", "-o", model)
	p := loadModel(t, model)
	var cats []string
	for _, c := range p.Columns() {
		if c.Kind == tabular.Categorical {
			cats = append(cats, c.Name)
		}
	}
	if !slices.Equal(cats, []string{"b1", "b2", "b3", "b4", "b5", "b6"}) {
		t.Errorf("grid model's categorical columns %q, want b1..b6", cats)
	}
	ignored := ignoredColumns(p)
	if !slices.Equal(ignored, []string{"id", "id2"}) {
		t.Errorf("grid provenance's ignored columns %q, want [id id2]", ignored)
	}
	r := mustRun(t, nil, "cv", "-data", data, "-target", "y", "-k", "2", "-epochs", "3", "-hidden", "4", "-workers", "1",
		"-categorical", "b?", "-ignore", "id*")
	if !strings.Contains(r.stdout, "accuracy") {
		t.Errorf("mlp cv printed %q", r.stdout)
	}
	oneLineError(t, runMLP(t, "", nil, "cv", "-data", data, "-target", "y", "-ignore", "zz*"), `ignored column pattern "zz*"`)
}

// ignoredColumns returns the names of the columns p's provenance marks
// ignored, in order.
func ignoredColumns(p *tabular.Pipeline) []string {
	pv, _ := p.Provenance()
	var ignored []string
	for _, c := range pv.Columns {
		if c.Role == "ignored" {
			ignored = append(ignored, c.Name)
		}
	}
	return ignored
}
