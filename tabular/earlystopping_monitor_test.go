package tabular_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/tabular"
)

// readEmbedded reads an embedded data set with the given target.
func readEmbedded(t *testing.T, name, target string) *tabular.Table {
	t.Helper()
	f, err := datasets.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	r := tabular.NewCSVReader(f)
	r.Targets = []string{target}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// ruleStop replays scikit-learn's stopping rule on the figures v (larger is
// better unless minimize), with tol and patience n: it returns the 1-based
// epoch it stops at (0 when it never does) and the 0-based epoch of the
// best figure.
func ruleStop(v []float64, minimize bool, tol float64, n int) (stop, best int) {
	bestV, count := math.Inf(1), 0
	for i, x := range v {
		if !minimize {
			x = -x
		}
		if math.IsNaN(x) || x > bestV-tol {
			count++
		} else {
			count = 0
		}
		if x < bestV {
			bestV, best = x, i
		}
		if count > n {
			return i + 1, best
		}
	}
	return 0, best
}

// TestEarlyStoppingMonitor checks MLPSettings.EarlyStoppingMonitor on the
// imbalanced churn table (310 no, 90 yes): watching val_balanced_accuracy
// (or val_log_loss, a figure to minimize) stops at the epoch the rule gives
// on that figure, which is not the epoch accuracy stops at; the fitted
// model holds the best epoch's weights; Convergence and Params name the figure; ""
// and "val_accuracy" are scikit-learn's rule, unchanged.
func TestEarlyStoppingMonitor(t *testing.T) {
	tab := readEmbedded(t, "churn.csv", "churned")
	ctx := context.Background()
	var held []int // every fourth row is held out
	for i := 0; i < tab.Rows(); i += 4 {
		held = append(held, i)
	}
	base := tabular.MLPSettings{HiddenLayerSizes: []int{16}, EarlyStopping: true, ValidationRows: held, MaxIter: 300, Seed: 2}
	balanced, err := tabular.ScoringByName("balanced_accuracy")
	if err != nil {
		t.Fatal(err)
	}
	fit := func(monitor string) *tabular.FittedMLP {
		t.Helper()
		s := base
		s.EarlyStoppingMonitor = monitor
		m, err := tabular.MLPClassifier(s).Fit(ctx, tab)
		if err != nil {
			t.Fatalf("EarlyStoppingMonitor %q: %v", monitor, err)
		}
		return m
	}
	def, acc := fit(""), fit("val_accuracy")
	if def.NIter() != acc.NIter() || def.Convergence() != acc.Convergence() {
		t.Errorf(`"val_accuracy" ran %d epochs (%v), "" %d (%v); want scikit-learn's rule for both`, acc.NIter(), acc.Convergence(), def.NIter(), def.Convergence())
	}
	if got := def.Convergence().Monitor; got != "val_accuracy" {
		t.Errorf(`default Convergence.Monitor = %q, want "val_accuracy"`, got)
	}
	stops := map[string]int{"val_accuracy": def.NIter()}
	for _, c := range []struct {
		monitor  string
		minimize bool
	}{{"val_balanced_accuracy", false}, {"val_log_loss", true}, {"val_loss", true}} {
		m := fit(c.monitor)
		h := m.History()
		v, err := h.Metric(c.monitor)
		if err != nil {
			t.Fatalf("%s: %v", c.monitor, err)
		}
		if !slices.Contains(h.Names(), "val_accuracy") {
			t.Errorf("%s: History records %v, without the score", c.monitor, h.Names())
		}
		stop, best := ruleStop(v, c.minimize, 1e-4, 10)
		conv := m.Convergence()
		if stop != m.NIter() || !conv.Converged {
			t.Errorf("%s: stopped after %d epochs (converged %v); the rule on the figure stops after %d", c.monitor, m.NIter(), conv.Converged, stop)
		}
		if conv.Monitor != c.monitor || conv.BestEpoch != best || conv.Best != v[best] {
			t.Errorf("%s: Convergence monitor %q best %v at %d; want %q %v at %d", c.monitor, conv.Monitor, conv.Best, conv.BestEpoch, c.monitor, v[best], best)
		}
		if !strings.Contains(conv.String(), c.monitor) {
			t.Errorf("%s: Convergence.String() = %q does not name it", c.monitor, conv.String())
		}
		if got := tabular.MLPClassifier(func() tabular.MLPSettings { s := base; s.EarlyStoppingMonitor = c.monitor; return s }()).Params()["early_stopping_monitor"]; got != c.monitor {
			t.Errorf("%s: Params early_stopping_monitor = %v", c.monitor, got)
		}
		if pv, ok := m.Pipeline().Provenance(); !ok || pv.Settings["early_stopping_monitor"] != c.monitor {
			t.Errorf("%s: provenance settings %v do not record the monitor", c.monitor, pv.Settings)
		}
		if c.monitor == "val_balanced_accuracy" {
			// The kept weights are the best epoch's: the model scores the
			// held-out rows as that epoch did.
			got, err := balanced(m, tab.Subset(held))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-v[best]) > 1e-12 {
				t.Errorf("balanced accuracy of the fitted model on the held-out rows = %v, want the best epoch's %v", got, v[best])
			}
		}
		stops[c.monitor] = m.NIter()
	}
	t.Logf("epochs by monitor: %v", stops)
	if stops["val_balanced_accuracy"] == stops["val_accuracy"] {
		t.Errorf("val_balanced_accuracy and val_accuracy both stop after %d epochs; the test needs a table where they differ", stops["val_accuracy"])
	}
}

// TestEarlyStoppingMonitorErrors checks that a bad EarlyStoppingMonitor is
// an error wrapping mlp.ErrSetting that names the field and what it wants.
func TestEarlyStoppingMonitorErrors(t *testing.T) {
	tab := readEmbedded(t, "iris_species.csv", "species")
	reg := readEmbedded(t, "diabetes.csv", "target")
	for _, c := range []struct {
		name, monitor  string
		early, regress bool
		want           string
	}{
		{"without EarlyStopping", "val_loss", false, false, `MLPClassifier.EarlyStoppingMonitor = "val_loss" needs EarlyStopping`},
		{"unknown", "val_auc", true, false, `MLPClassifier.EarlyStoppingMonitor = "val_auc"; want "" (the score`},
		{"no val_ prefix", "balanced_accuracy", true, false, `EarlyStoppingMonitor = "balanced_accuracy"; want`},
		{"regression figure for a classifier", "val_r2", true, false, `MLPClassifier.EarlyStoppingMonitor = "val_r2" is not a figure of classification; want one of val_accuracy, val_average_precision`},
		{"classification figure for a regressor", "val_roc_auc", true, true, `MLPRegressor.EarlyStoppingMonitor = "val_roc_auc" is not a figure of regression; want one of val_loss, val_mae`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := tabular.MLPSettings{HiddenLayerSizes: []int{4}, MaxIter: 2, EarlyStopping: c.early, EarlyStoppingMonitor: c.monitor}
			var err error
			if c.regress {
				_, err = tabular.MLPRegressor(s).Fit(context.Background(), reg)
			} else {
				_, err = tabular.MLPClassifier(s).Fit(context.Background(), tab)
			}
			testkit.ErrorContains(t, err, mlp.ErrSetting, c.want)
		})
	}
	if _, err := (tabular.MLPSettings{}).WithParams(map[string]any{"early_stopping_monitor": "val_f1"}); err == nil || !strings.Contains(err.Error(), `parameter "early_stopping_monitor"`) {
		t.Errorf("WithParams with an unknown monitor: %v", err)
	}
}

// TestEarlyStoppingMonitorGridSpec checks that a grid spec sets
// early_stopping_monitor per candidate beside its own cross-validation
// "scoring", the two not clashing, and that a bad monitor names the file
// and the parameter.
func TestEarlyStoppingMonitorGridSpec(t *testing.T) {
	spec := `{"estimator": "classifier", "target": ["churned"], "scoring": "roc_auc",
		"params": {"early_stopping": true, "max_iter": 5},
		"param_grid": {"early_stopping_monitor": ["val_balanced_accuracy", "val_log_loss"]}}`
	g, err := tabular.ReadGridSpec(strings.NewReader(spec), "grid.json")
	if err != nil {
		t.Fatal(err)
	}
	cands, params, err := g.Candidates(tabular.Classification)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := g.CVSettings(tabular.Classification)
	if err != nil || cv.Scoring == nil {
		t.Fatalf("CVSettings: %v, scoring set %v", err, cv.Scoring != nil)
	}
	if len(cands) != 2 || params[0]["early_stopping_monitor"] != "val_balanced_accuracy" || params[1]["early_stopping_monitor"] != "val_log_loss" {
		t.Fatalf("candidates %v", params)
	}
	tab := readEmbedded(t, "churn.csv", "churned")
	for i, c := range cands {
		m, err := c.Fit(context.Background(), tab)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Convergence().Monitor; got != params[i]["early_stopping_monitor"] {
			t.Errorf("candidate %d watched %q, want %v", i, got, params[i]["early_stopping_monitor"])
		}
	}
	bad := strings.Replace(spec, "val_log_loss", "val_r2x", 1)
	_, err = tabular.ReadGridSpec(strings.NewReader(bad), "grid.json")
	testkit.ErrorContains(t, err, mlp.ErrSetting, "grid.json", `"early_stopping_monitor"`, `"val_r2x"`)
}

// TestEarlyStoppingMonitorNaN checks that a monitored figure that is NaN
// from the first epoch (ROC AUC on held-out rows of one class) is an error
// naming it, not a run stopped on NaN.
func TestEarlyStoppingMonitorNaN(t *testing.T) {
	tab := readEmbedded(t, "churn.csv", "churned")
	y := &tab.Targets[0]
	var held []int
	for i := range y.Values {
		if y.Text(i) == "no" && len(held) < 40 {
			held = append(held, i)
		}
	}
	s := tabular.MLPSettings{HiddenLayerSizes: []int{4}, MaxIter: 30, EarlyStopping: true, ValidationRows: held, EarlyStoppingMonitor: "val_roc_auc"}
	_, err := tabular.MLPClassifier(s).Fit(context.Background(), tab)
	testkit.ErrorContains(t, err, mlp.ErrData, "EarlyStoppingMonitor val_roc_auc is NaN on the held-out rows at epoch=0")
	s.EarlyStoppingMonitor = "val_balanced_accuracy" // a number with one class
	if _, err := tabular.MLPClassifier(s).Fit(context.Background(), tab); err != nil {
		t.Errorf("val_balanced_accuracy on rows of one class: %v", err)
	}
}
