package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestTrainJSONRefitEpochs checks that -json names the chosen epoch count
// and the refit's apart: on iris, seed 7, -tol 0.003, the -val rows choose
// more epochs than the refit on every row runs before the training-loss
// rule ends it, and epochs_chosen, refit_epochs, epochs (the saved
// model's), the epochs: line and the model file's convergence sentence
// say so. Without a refit refit_epochs is left out, and without a choice
// epochs_chosen too.
func TestTrainJSONRefitEpochs(t *testing.T) {
	args := []string{"-target", "species", "-ignore", "id", "-seed", "7", "-tol", "0.003"}
	v, _ := trainedJSON(t, "iris.csv", args...)
	num := func(v map[string]any, key string) int {
		t.Helper()
		f, ok := v[key].(float64)
		if !ok {
			t.Fatalf("-json has no number %q: %v", key, v)
		}
		return int(f)
	}
	chosen, refit, saved, run := num(v, "epochs_chosen"), num(v, "refit_epochs"), num(v, "epochs"), num(v, "epochs_run")
	if refit >= chosen {
		t.Fatalf("the refit ran %d epochs of the chosen %d; the test needs a run whose refit the training-loss rule ends early", refit, chosen)
	}
	if saved != refit || chosen > run || v["refit"] != true {
		t.Errorf("epochs %d, refit_epochs %d, epochs_chosen %d, epochs_run %d, refit %v: want epochs = refit_epochs, epochs_chosen ≤ epochs_run", saved, refit, chosen, run, v["refit"])
	}
	if s, _ := v["settings"].(map[string]any); s["max_iter"] != strconv.Itoa(chosen) {
		t.Errorf("settings max_iter %v, want the chosen %d", s["max_iter"], chosen)
	}
	model, r := trained(t, "iris.csv", append(args, "-quiet")...)
	want := "for " + strconv.Itoa(refit) + " epochs, the training-loss rule (-tol, -n-iter-no-change) ending it before the chosen " + strconv.Itoa(chosen) + " (-refit)"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("the epochs: line does not say %q:\n%s", want, r.stdout)
	}
	pv, _ := loadModel(t, model).Provenance()
	want = "trained again on all 150 rows (-refit) for " + strconv.Itoa(refit) + " epochs, the training-loss rule (-tol, -n-iter-no-change) ending it before the " + strconv.Itoa(chosen) + " the -val rows chose"
	if pv.Epochs != refit || !strings.HasPrefix(pv.Convergence, want) {
		t.Errorf("provenance: %d epochs, %q; want %d and %q", pv.Epochs, pv.Convergence, refit, want)
	}

	v, _ = trainedJSON(t, "iris.csv", append(args, "-refit=false")...)
	if _, ok := v["refit_epochs"]; ok || num(v, "epochs") != chosen || num(v, "epochs_chosen") != chosen {
		t.Errorf("-refit=false: %v; want epochs = epochs_chosen = %d and no refit_epochs", v, chosen)
	}
	v, _ = trainedJSON(t, "iris.csv", append(args, "-val", "0")...)
	for _, k := range []string{"epochs_chosen", "refit_epochs"} {
		if _, ok := v[k]; ok {
			t.Errorf("-val 0: -json has %s: %v", k, v)
		}
	}
}
