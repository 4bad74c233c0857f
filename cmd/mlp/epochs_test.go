package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSelectPatience checks the patience of the run that chooses the epoch
// count: a tenth of the cap, at least the training-loss rule's patience
// and at least 1.
func TestSelectPatience(t *testing.T) {
	for _, c := range []struct{ maxIter, n, want int }{
		{1000, 10, 100}, // the defaults: 100, twice the study's longest wait (docs/defaults.md)
		{300, 10, 30},
		{50, 10, 10},     // -n-iter-no-change's 10 beats 5
		{1000, 250, 250}, // a larger -n-iter-no-change
		{5, 0, 1},
	} {
		if got := selectPatience(c.maxIter, c.n); got != c.want {
			t.Errorf("selectPatience(%d, %d) = %d, want %d", c.maxIter, c.n, got, c.want)
		}
	}
}

// TestTrainConvergenceText checks the convergence sentences: after the
// epoch choice and refit, the model file once said the chosen count was a
// cap to raise; a run of fewer epochs than the stopping rule's window once
// claimed an improvement "over the last 0 epochs"; and "1 epochs".
func TestTrainConvergenceText(t *testing.T) {
	model, _ := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-hidden", "4", "-epochs", "30", "-lr", "0.01", "-quiet")
	pv, _ := loadModel(t, model).Provenance()
	if !pv.Converged || !strings.HasPrefix(pv.Convergence, "trained again on all 150 rows (-refit) for the ") ||
		strings.Contains(pv.Convergence, "raise") || !strings.Contains(pv.Convergence, "the -val rows chose") {
		t.Errorf("refit model: converged %v, convergence %q; want the count the -val rows chose, no advice to raise it", pv.Converged, pv.Convergence)
	}
	ins := runMLP(t, "", nil, "inspect", "-model", model)
	if !strings.Contains(ins.stdout, "the -val rows chose") || strings.Contains(ins.stdout, "MaxIter") {
		t.Errorf("inspect of the refit model:\n%s", ins.stdout)
	}
	for _, n := range []string{"1", "5"} {
		m, r := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-epochs", n, "-val", "0", "-quiet")
		word := map[string]string{"1": "epoch", "5": "epochs"}[n]
		want := "training stopped at the maximum of " + n + " " + word + " (-epochs), too few for the stopping rule"
		if !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "over the last") {
			t.Errorf("-epochs %s: stderr %q; want %q and no improvement claim", n, r.stderr, want)
		}
		ins := runMLP(t, "", nil, "inspect", "-model", m)
		if !strings.Contains(ins.stdout, "training: "+n+" "+word+"; not converged: training stopped at the maximum of "+n+" "+word+" (MaxIter), too few") {
			t.Errorf("-epochs %s: inspect says\n%s", n, ins.stdout)
		}
	}
}

// TestTrainRegressionLossUnits checks that a regressor's losses say their
// unit: the epoch lines, the epochs: line and the -val 0 final line were on
// the standardized target next to a final val_loss in the target's units.
func TestTrainRegressionLossUnits(t *testing.T) {
	_, r := trained(t, "diabetes.csv", "-target", "progression", "-task", "regress", "-hidden", "4", "-epochs", "3")
	for _, want := range []string{standardizedNote + "\nepoch=  0 |", "the lowest val_loss (", " on the standardized target, at epoch="} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	_, r = trained(t, "diabetes.csv", "-target", "progression", "-task", "regress", "-hidden", "4", "-epochs", "3", "-val", "0")
	if !regexp.MustCompile(`(?m)^final loss=[0-9.]+ epochs=3 \(training loss on the standardized target; no validation rows\)$`).MatchString(r.stdout) {
		t.Errorf("-val 0 final line does not say its unit:\n%s", r.stdout)
	}
	_, r = trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-hidden", "4", "-epochs", "3")
	if strings.Contains(r.stdout, "standardized target") {
		t.Errorf("a classifier's output names a standardized target:\n%s", r.stdout)
	}
}

// TestTrainFlagConflictsFirst checks that -refit with -val 0 or
// -early-stopping is refused before the data is read (it once printed the
// data:, task: and split: lines first), and that a -class-weight class the
// target lacks is named in the command's terms, not the estimator's.
func TestTrainFlagConflictsFirst(t *testing.T) {
	for _, extra := range [][]string{{"-val", "0", "-refit=false"}, {"-early-stopping", "-refit"}} {
		r := runMLP(t, "", nil, append([]string{"train", "-data", "testdata/iris.csv", "-target", "species", "-o", filepath.Join(t.TempDir(), "m")}, extra...)...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "-refit needs -val rows") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 before any data line", extra, r.code, r.stdout, r.stderr)
		}
	}
	r := runMLP(t, "", nil, "train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id", "-class-weight", "setosa=2,tulip=1", "-quiet", "-o", filepath.Join(t.TempDir(), "m"))
	want := `-class-weight names class "tulip", which the target column "species" does not have (classes: setosa, versicolor, virginica)`
	if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "MLPClassifier") {
		t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, want)
	}
}

// TestTrainStoppedLineCounts checks that the stopped: line gives a count
// of epochs and an epoch= index as the epoch lines print them: it once
// said "stopped after epoch 127" (an index) next to "of at most 1000".
func TestTrainStoppedLineCounts(t *testing.T) {
	_, r := trained(t, "iris.csv", "-target", "species", "-ignore", "id", "-val", "0", "-lr", "0.01", "-epochs", "1000")
	m := regexp.MustCompile(`stopped: .*; stopped after (\d+) epochs of at most 1000, best loss=[0-9.]+ at epoch=(\d+) \(0-based, as the epoch lines print them\)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no stopped: line with a count and an epoch= index:\n%s", r.stdout)
	}
	last := regexp.MustCompile(`(?m)^epoch=\s*(\d+) \|`).FindAllStringSubmatch(r.stdout, -1)
	if len(last) == 0 || last[len(last)-1][1] != fmt.Sprint(mustAtoi(t, m[1])-1) {
		t.Errorf("stopped after %s epochs, but the last epoch line is %v", m[1], last[len(last)-1])
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
