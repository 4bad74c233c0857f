package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainMonitor checks -monitor on the imbalanced churn table (310 no,
// 90 yes): -early-stopping watching val_balanced_accuracy stops at another
// epoch than watching accuracy (scikit-learn's rule, the default), and the
// -json object, its convergence sentence and the model's settings record
// the figure.
func TestTrainMonitor(t *testing.T) {
	data, err := filepath.Abs("../../internal/datasets/churn.csv")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-target", "churned", "-seed", "4", "-hidden", "16", "-early-stopping", "-validation-fraction", "0.25", "-epochs", "300"}
	def, _ := trainedJSON(t, data, args...)
	acc, _ := trainedJSON(t, data, append(args, "-monitor", "val_accuracy")...)
	bal, _ := trainedJSON(t, data, append(args, "-monitor", "val_balanced_accuracy")...)
	if def["epochs"] != acc["epochs"] || def["convergence"] != acc["convergence"] {
		t.Errorf("-monitor val_accuracy: %v epochs (%v); the default: %v (%v)", acc["epochs"], acc["convergence"], def["epochs"], def["convergence"])
	}
	t.Logf("epochs: accuracy %v, balanced accuracy %v", def["epochs"], bal["epochs"])
	if def["epochs"] == bal["epochs"] {
		t.Errorf("val_balanced_accuracy and val_accuracy both stop after %v epochs; the test needs a run where they differ", def["epochs"])
	}
	for name, v := range map[string]map[string]any{"val_accuracy": def, "val_balanced_accuracy": bal} {
		conv, _ := v["convergence"].(string)
		if !strings.Contains(conv, name+" did not improve by at least -tol 0.0001") || !strings.Contains(conv, "best "+name+"=") {
			t.Errorf("convergence %q does not name %s", conv, name)
		}
	}
	if s, _ := bal["settings"].(map[string]any); s["early_stopping_monitor"] != "val_balanced_accuracy" {
		t.Errorf("settings %v do not record -monitor", s)
	}
	if s, _ := def["settings"].(map[string]any); s["early_stopping_monitor"] != nil {
		t.Errorf("settings %v record a monitor that was not asked for", s)
	}
}

// TestTrainMonitorErrors checks that a -monitor the run cannot use is a
// usage error (exit 2) naming the flag and what it takes.
func TestTrainMonitorErrors(t *testing.T) {
	base := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id", "-o", filepath.Join(t.TempDir(), "m")}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"without -early-stopping", []string{"-monitor", "val_loss"}, "-monitor needs -early-stopping"},
		{"unknown", []string{"-early-stopping", "-monitor", "val_auc"}, `invalid value "val_auc" for flag -monitor: want, for a classifier, one of val_accuracy, val_average_precision, val_balanced_accuracy`},
		{"no val_", []string{"-early-stopping", "-monitor", "accuracy"}, `invalid value "accuracy" for flag -monitor`},
		{"regression figure for classes", []string{"-early-stopping", "-monitor", "val_r2"}, `invalid value "val_r2" for flag -monitor: the target is classification; want one of val_accuracy`},
		{"with -stream", []string{"-stream", "-early-stopping", "-monitor", "val_loss"}, "-early-stopping is not supported with -stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, append(slicesClone(base), tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", r.code, r.stderr, tc.want)
			}
		})
	}
	r := runMLP(t, "", nil, "cv", "-data", "testdata/diabetes.csv", "-target", "progression", "-early-stopping", "-monitor", "val_roc_auc")
	if r.code != 2 || !strings.Contains(r.stderr, `invalid value "val_roc_auc" for flag -monitor: the target is regression; want one of val_loss, val_mae`) {
		t.Errorf("cv: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestMonitorFlagTerms checks that the library's error for a monitored
// figure that is NaN names -monitor.
func TestMonitorFlagTerms(t *testing.T) {
	msg := "mlp: invalid data: EarlyStoppingMonitor val_roc_auc is NaN on the held-out rows at epoch=0"
	if got := flagTerms(msg); !strings.Contains(got, "-monitor val_roc_auc is NaN") {
		t.Errorf("flagTerms(%q) = %q; want it to name -monitor", msg, got)
	}
}
