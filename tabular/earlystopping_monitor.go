package tabular

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mlpkit/mlp"
)

// EarlyStoppingMonitors returns the names MLPSettings.EarlyStoppingMonitor
// takes for an estimator of task, sorted: "val_loss" and "val_" followed by
// each name of mlp.MetricByName whose metric reads the task's targets
// (class labels for Classification, values for Regression), such as
// "val_balanced_accuracy", "val_roc_auc", "val_average_precision" and
// "val_log_loss" for a classifier, "val_r2" and "val_rmse" for a
// regressor (whose figures are on the standardized target). The slice is
// new on each call.
//
// The rule is scikit-learn's for the score (an improvement of
// MLPSettings.Tol within NIterNoChange epochs) on the named figure, in its
// units and in the direction its mlp.Goal says (val_loss and
// val_log_loss fall, val_balanced_accuracy rises); a NaN never improves.
// The best epoch's weights are kept, the figure is recorded in History
// after the score, and Convergence.Monitor names it.
func EarlyStoppingMonitors(task Task) []string {
	want := mlp.ClassLabels
	if task == Regression {
		want = mlp.RealValues
	}
	names := []string{"val_loss"}
	for _, n := range mlp.MetricNames() {
		m, err := mlp.MetricByName(n)
		if err != nil {
			continue
		}
		if r, ok := m.(mlp.TargetReader); ok && r.ReadsTargets() == want {
			names = append(names, "val_"+n)
		}
	}
	slices.Sort(names)
	return names
}

// esMonitor is the figure EarlyStopping watches, resolved for one Fit.
type esMonitor struct {
	name     string     // as Convergence.Monitor names it
	metric   mlp.Metric // the metric added after the score; nil for the score itself or val_loss
	valIndex int        // the figure's index in Epoch.ValMetrics; -1 for ValLoss
	minimize bool       // smaller is better
}

// checkMonitorName returns an error wrapping mlp.ErrSetting, naming the
// field, when EarlyStoppingMonitor is set without EarlyStopping or names
// no figure of either task.
func (s MLPSettings) checkMonitorName(estimator string) error {
	name := s.EarlyStoppingMonitor
	if name == "" {
		return nil
	}
	if !s.EarlyStopping {
		return fmt.Errorf("%w: %s.EarlyStoppingMonitor = %q needs EarlyStopping, whose held-out rows it scores", mlp.ErrSetting, estimator, name)
	}
	if !slices.Contains(EarlyStoppingMonitors(Classification), name) && !slices.Contains(EarlyStoppingMonitors(Regression), name) {
		return fmt.Errorf("%w: %s.EarlyStoppingMonitor = %q; want \"\" (the score: accuracy or R², scikit-learn's rule) or one of %s",
			mlp.ErrSetting, estimator, name, strings.Join(EarlyStoppingMonitors(Classification), ", ")+"; "+strings.Join(EarlyStoppingMonitors(Regression)[1:], ", "))
	}
	return nil
}

// monitor returns the figure EarlyStopping watches for a classifier
// (classify) or a regressor whose score (accuracy or R²,
// Epoch.ValMetrics[0]) is score: the score itself when
// EarlyStoppingMonitor is "" or names it. It returns an error wrapping
// mlp.ErrSetting, naming the field, for a name of the other task.
func (d *mlpDefaults) monitor(classify bool, score mlp.Metric) (esMonitor, error) {
	task := Regression
	if classify {
		task = Classification
	}
	name := d.EarlyStoppingMonitor
	if name == "" || name == "val_"+score.Name() {
		return esMonitor{name: "val_" + score.Name()}, nil
	}
	if !slices.Contains(EarlyStoppingMonitors(task), name) {
		return esMonitor{}, fmt.Errorf("%w: %s.EarlyStoppingMonitor = %q is not a figure of %s; want one of %s",
			mlp.ErrSetting, d.name, name, task, strings.Join(EarlyStoppingMonitors(task), ", "))
	}
	if name == "val_loss" {
		return esMonitor{name: name, valIndex: -1, minimize: true}, nil
	}
	m, err := mlp.MetricByName(strings.TrimPrefix(name, "val_"))
	if err != nil {
		return esMonitor{}, fmt.Errorf("%s.EarlyStoppingMonitor: %w", d.name, err)
	}
	g, ok := m.(mlp.Goaler)
	if !ok {
		return esMonitor{}, fmt.Errorf("%w: %s.EarlyStoppingMonitor = %q: the metric does not say whether larger is better (mlp.Goaler)", mlp.ErrSetting, d.name, name)
	}
	return esMonitor{name: name, metric: m, valIndex: 1, minimize: g.Goal() == mlp.Minimize}, nil
}

// value returns the monitored figure of epoch e.
func (m esMonitor) value(e mlp.Epoch) float64 {
	if m.valIndex < 0 {
		return e.ValLoss
	}
	return e.ValMetrics[m.valIndex]
}

// better reports whether a is better than b; a NaN is never better.
func (m esMonitor) better(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	if m.minimize {
		return a < b
	}
	return a > b
}
