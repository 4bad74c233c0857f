package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDefaultsStudyIris runs one cell of the defaults study
// (bench/defaults, docs/defaults.md): iris, split seed 3. The command with
// no flags but the target, trained on the study's training rows, must
// score at least the accuracy of scikit-learn's default and max_iter=1000
// pipelines on its test rows (0.8333 and 0.8667), as recorded by study.py
// in bench/defaults/results.json with the test rows it drew. The command's
// earlier defaults (200 epochs on 80% of the rows) scored 0.8333 there,
// the current ones 0.9.
func TestDefaultsStudyIris(t *testing.T) {
	b, err := os.ReadFile("../../bench/defaults/results.json")
	if err != nil {
		t.Fatal(err)
	}
	var study struct {
		Seeds  []int `json:"seeds"`
		Tables map[string]struct {
			Default   []float64 `json:"default"`
			Tuned     []float64 `json:"tuned"`
			TestIndex [][]int   `json:"test_index"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b, &study); err != nil {
		t.Fatal(err)
	}
	iris := study.Tables["iris"]
	const run = 2 // split seed 3
	if len(study.Seeds) <= run || study.Seeds[run] != 3 || len(iris.TestIndex) <= run || len(iris.Default) <= run || len(iris.Tuned) <= run {
		t.Fatalf("results.json has no iris run of split seed 3")
	}
	raw, err := os.ReadFile("../../internal/datasets/iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimRight(string(raw), "\n")+"\n", "\n")
	header, rows := lines[0], lines[1:len(lines)-1]
	test := map[int]bool{}
	for _, i := range iris.TestIndex[run] {
		test[i] = true
	}
	var trainCSV, testCSV strings.Builder
	trainCSV.WriteString(header)
	testCSV.WriteString(header)
	for i, r := range rows {
		if test[i] {
			testCSV.WriteString(r)
		} else {
			trainCSV.WriteString(r)
		}
	}
	if len(test) != 30 || len(rows) != 150 {
		t.Fatalf("%d test rows of %d; want 30 of 150", len(test), len(rows))
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlp")
	if r := runMLP(t, "", nil, "train", "-data", writeTemp(t, dir, "train.csv", trainCSV.String()), "-target", "target", "-seed", "3", "-quiet", "-o", model); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	r := runMLP(t, "", nil, "eval", "-model", model, "-data", writeTemp(t, dir, "test.csv", testCSV.String()))
	m := regexp.MustCompile(`(?m)^final loss=\S+ accuracy=(\S+)$`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("eval: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	acc, _ := strconv.ParseFloat(m[1], 64)
	if want := max(iris.Default[run], iris.Tuned[run]); acc < want-5e-5 { // the eval line rounds to 4 digits
		t.Errorf("the command's accuracy %v on iris split 3 is below scikit-learn's %v (default %v, max_iter=1000 %v)", acc, want, iris.Default[run], iris.Tuned[run])
	}
}

// TestTrainEpochChoice checks the command's default training: the -val
// rows' lowest val_loss chooses the epoch count, the report is the net
// trained on the other rows for that many epochs (the same figures with and
// without -refit), and the saved model is trained again on every row
// unless -refit=false; -val 0 and -early-stopping choose nothing.
func TestTrainEpochChoice(t *testing.T) {
	// Seed 2 chooses 334 of the 465 epochs run: the report is a second fit.
	args := []string{"-target", "species", "-ignore", "id", "-na", "NA", "-seed", "2"}
	refit, rr := trainedJSON(t, "iris.csv", args...)
	kept, _ := trainedJSON(t, "iris.csv", append(args, "-refit=false")...)
	for _, c := range []struct {
		name       string
		v          map[string]any
		rows       float64
		refit      bool
		epochsLess bool
	}{{"default", refit, 150, true, true}, {"-refit=false", kept, 120, false, true}} {
		if c.v["training_rows"] != c.rows || c.v["refit"] != c.refit {
			t.Errorf("%s: training rows %v, refit %v; want %v, %v", c.name, c.v["training_rows"], c.v["refit"], c.rows, c.refit)
		}
		if got := c.v["settings"].(map[string]any)["refit"]; got != fmt.Sprint(c.refit) {
			t.Errorf("%s: settings refit=%v, want %v", c.name, got, c.refit)
		}
		if got := c.v["settings"].(map[string]any)["max_iter"]; got != fmt.Sprint(c.v["epochs"]) {
			t.Errorf("%s: settings max_iter=%v, want the %v epochs chosen", c.name, got, c.v["epochs"])
		}
		if e, run := c.v["epochs"].(float64), c.v["epochs_run"].(float64); e < 1 || e >= run || run > 1000 {
			t.Errorf("%s: %v epochs chosen of %v run; want 1 ≤ chosen < run ≤ 1000", c.name, e, run)
		}
	}
	if refit["epochs"] != kept["epochs"] || fmt.Sprint(refit["validation"]) != fmt.Sprint(kept["validation"]) {
		t.Errorf("-refit changes the choice or the report: %v %v, %v %v", refit["epochs"], refit["validation"], kept["epochs"], kept["validation"])
	}
	if strings.Contains(rr.stderr, "warning") {
		t.Errorf("a warning though val_loss was lowest before the last epoch: %q", rr.stderr)
	}
	_, text := trained(t, "iris.csv", args...)
	line := regexp.MustCompile(`(?m)^epochs: (\d+) of the (\d+) run, the lowest val_loss \((\d+\.\d{4}), at epoch=(\d+)\)(?:; the run stopped after 100 epochs without a lower val_loss \(patience: a tenth of -epochs, at least -n-iter-no-change\))?; the saved model is trained again on all 150 rows for (\d+) epochs \(-refit\)`).FindStringSubmatch(text.stdout)
	if line == nil || line[1] != fmt.Sprint(refit["epochs"]) || line[5] != line[1] {
		t.Fatalf("no line naming the choice of %v epochs:\n%s", refit["epochs"], text.stdout)
	}
	// The epoch line of the chosen epoch shows the lowest val_loss.
	best := regexp.MustCompile(`(?m)^epoch=\s*` + line[4] + ` \| loss=\s*\S+ \| val_loss=\s*(\S+)`).FindStringSubmatch(text.stdout)
	if best == nil {
		t.Fatalf("no epoch line for epoch=%s", line[4])
	}
	lowest, _ := strconv.ParseFloat(line[3], 64)
	shown, _ := strconv.ParseFloat(best[1], 64)
	if math.Abs(lowest-shown) > 0.0006 {
		t.Errorf("epoch=%s shows val_loss %v; the choice names %v", line[4], shown, lowest)
	}
	// Every epoch run has its line, the one the stopping rule ended on too.
	if n := len(epochLine.FindAllString(text.stdout, -1)); fmt.Sprint(n) != line[2] {
		t.Errorf("%d epoch lines for the %s epochs run", n, line[2])
	}
	for _, vals := range regexp.MustCompile(`(?m)^epoch=\s*\d+ \| loss=\s*\S+ \| val_loss=\s*(\S+)`).FindAllStringSubmatch(text.stdout, -1) {
		if v, _ := strconv.ParseFloat(vals[1], 64); v < lowest-0.0006 {
			t.Errorf("an epoch line shows val_loss %v, below the chosen %v", v, lowest)
		}
	}

	for _, extra := range [][]string{{"-val", "0"}, {"-early-stopping"}} {
		v, _ := trainedJSON(t, "iris.csv", append(args, extra...)...)
		if v["refit"] != false || v["epochs"] != v["epochs_run"] {
			t.Errorf("%v: refit %v, epochs %v of %v run; want no choice", extra, v["refit"], v["epochs"], v["epochs_run"])
		}
	}
	for _, extra := range [][]string{{"-val", "0", "-refit=false"}, {"-early-stopping", "-refit"}} {
		r := runMLP(t, "", nil, append(append([]string{"train", "-data", "testdata/iris.csv", "-o", filepath.Join(t.TempDir(), "m")}, args...), extra...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "-refit needs -val rows") {
			t.Errorf("%v: exit %d, %q; want a usage error naming -refit", extra, r.code, r.stderr)
		}
	}
}

// TestTrainEpochChoicePatience checks the lines of a run that the patience
// ends: churn, seed 1, -epochs 300 (a patience of 30), its satisfaction
// column read as text (-detect-na=false), whose val_loss is
// lowest at epoch=85 (on amd64) and not lower in the 30 epochs after, so the
// run stops after 116 epochs, well before the cap, and there is no warning.
func TestTrainEpochChoicePatience(t *testing.T) {
	r := runMLP(t, "", nil, "train", "-data", "../../internal/datasets/churn.csv", "-target", "churned", "-seed", "1", "-epochs", "300", "-quiet", "-detect-na=false", "-o", filepath.Join(t.TempDir(), "m"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	stop := regexp.MustCompile(`(?m)^stopped: val_loss has not reached a new low for 30 epochs \(the patience: a tenth of -epochs, at least -n-iter-no-change\); it was lowest at epoch=(\d+)$`).FindStringSubmatch(r.stdout)
	choice := regexp.MustCompile(`(?m)^epochs: (\d+) of the (\d+) run, the lowest val_loss \(\d\.\d{4}, at epoch=(\d+)\); the run stopped after 30 epochs without a lower val_loss`).FindStringSubmatch(r.stdout)
	if stop == nil || choice == nil {
		t.Fatalf("the stop by the patience is not explained:\n%s", r.stdout)
	}
	n, _ := strconv.Atoi(choice[1])
	run, _ := strconv.Atoi(choice[2])
	if stop[1] != choice[3] || choice[3] != strconv.Itoa(n-1) || run != n+30 || n != 86 {
		t.Errorf("stop at epoch=%s, choice of %d epochs at epoch=%s of %d run; want 86 epochs, the run 30 more, counted alike", stop[1], n, choice[3], run)
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("a warning though the patience ended the run: %q", r.stderr)
	}
}
