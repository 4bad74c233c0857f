package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/tabular"
)

// build compiles the package in dir (relative to this one) into a
// temporary directory and returns the binary's path.
func build(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prog")
	out, err := exec.Command("go", "build", "-o", bin, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// TestQuality runs the program on the 80/20 splits of seeds 1 to 5 and
// requires a mean validation accuracy of at least 0.97. scikit-learn 1.2
// (wine.py: StandardScaler + MLPClassifier() on train_test_split(
// test_size=0.2, random_state=s)) reaches 0.981 on the same seeds, the mean
// over MLPClassifier random states 0 to 4.
func TestQuality(t *testing.T) {
	bin := build(t, ".")
	var sum float64
	for s := 1; s <= 5; s++ {
		out, err := exec.Command(bin, "-seed", strconv.Itoa(s), "-o", filepath.Join(t.TempDir(), "wine.mlp")).Output()
		if err != nil {
			t.Fatalf("seed %d: %v", s, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		acc, err := strconv.ParseFloat(strings.TrimPrefix(lines[len(lines)-1], "val_accuracy="), 64)
		if err != nil {
			t.Fatalf("seed %d: last line %q: %v", s, lines[len(lines)-1], err)
		}
		t.Logf("seed %d: validation accuracy %.4f", s, acc)
		sum += acc
	}
	if mean := sum / 5; mean < 0.97 {
		t.Errorf("mean validation accuracy %.4f, want >= 0.97 (scikit-learn: 0.981)", mean)
	}
}

// TestPredictAcrossProcesses trains and saves the pipeline in one process,
// predicts every raw row of wine.csv from the saved file in a second
// process, and requires the same class names and probabilities, bit for
// bit, as the same training gives in this process.
func TestPredictAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "wine.mlp")
	if out, err := exec.Command(build(t, "."), "-o", model).CombinedOutput(); err != nil {
		t.Fatalf("wine: %v\n%s", err, out)
	}
	r, err := datasets.Open("wine.csv")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Columns in another order, target dropped: the pipeline matches names.
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, rec := range raw {
		rev := make([]string, 0, len(rec)-1)
		for j := len(rec) - 2; j >= 0; j-- {
			rev = append(rev, rec[j])
		}
		w.Write(rev)
	}
	w.Flush()
	rows := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(rows, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(build(t, "./predict"), "-model", model, "-data", rows).Output()
	if err != nil {
		t.Fatalf("predict: %v", err)
	}

	// The same training in this process.
	r, _ = datasets.Open("wine.csv")
	reader := tabular.NewCSVReader(r)
	reader.Targets = []string{"target"}
	table, err := reader.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	train, _, err := tabular.SplitTable(table, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	fitted, err := tabular.MLPClassifier{Seed: 1}.Fit(context.Background(), train)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := fitted.Pipeline().PredictRecords(raw[0], raw[1:])
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	classes := fitted.Classes()
	for i, label := range pred.Labels {
		want.WriteString(label)
		for k := range classes {
			fmt.Fprintf(&want, " %s=%s", classes[k], strconv.FormatFloat(pred.Proba.At(i, k), 'g', -1, 64))
		}
		want.WriteByte('\n')
	}
	if string(got) != want.String() {
		t.Errorf("predictions from the saved pipeline in another process differ from this process's:\n%.600s\nwant\n%.600s", got, want.String())
	}
	if n := strings.Count(string(got), "\n"); n != 178 {
		t.Errorf("%d predictions, want 178", n)
	}
}

// TestProgramLength counts the lines of main.go other than blank lines,
// comments, imports and `if err != nil { ... }` blocks, and requires at
// most 25 (wine.py, the scikit-learn program, has 6 such lines besides its
// imports).
func TestProgramLength(t *testing.T) {
	n := countLines(t, "main.go")
	t.Logf("main.go: %d lines", n)
	if n > 25 {
		t.Errorf("main.go has %d lines of code, want at most 25", n)
	}
}

func countLines(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, inImport, inErr := 0, false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inImport:
			inImport = line != ")"
		case inErr:
			inErr = line != "}"
		case line == "" || strings.HasPrefix(line, "//"):
		case line == "import (":
			inImport = true
		case line == "if err != nil {":
			inErr = true
		default:
			n++
		}
	}
	return n
}
