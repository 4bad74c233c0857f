package main

import (
	"flag"
	"slices"
	"strings"

	"github.com/mlpkit/mlp/tabular"
)

// addMonitorFlag registers -monitor on fs: the figure -early-stopping
// watches (MLPSettings.EarlyStoppingMonitor).
func addMonitorFlag(fs *flag.FlagSet) *string {
	return fs.String("monitor", "", "with -early-stopping, the `figure` of the held-out rows it watches, as Keras names it: val_loss or val_ and a metric, "+
		"for a classifier "+strings.Join(tabular.EarlyStoppingMonitors(tabular.Classification), ", ")+
		"; for a regressor "+strings.Join(tabular.EarlyStoppingMonitors(tabular.Regression), ", ")+
		" (on the standardized target); the rule stays -tol over -n-iter-no-change epochs, in the figure's units (default: the score, val_accuracy or val_r2, scikit-learn's rule)")
}

// applyMonitor checks -monitor, when given, and sets it in s (after
// -early-stopping); a bad value is a usage error naming the flag.
func applyMonitor(given map[string]bool, name string, s *tabular.MLPSettings) error {
	if !given["monitor"] {
		return nil
	}
	if !s.EarlyStopping {
		return usagef("-monitor needs -early-stopping (without it, train's -val rows choose the epoch count by their val_loss)")
	}
	cls, reg := tabular.EarlyStoppingMonitors(tabular.Classification), tabular.EarlyStoppingMonitors(tabular.Regression)
	if !slices.Contains(cls, name) && !slices.Contains(reg, name) {
		return usagef("invalid value %q for flag -monitor: want, for a classifier, one of %s; for a regressor, one of %s",
			name, strings.Join(cls, ", "), strings.Join(reg, ", "))
	}
	s.EarlyStoppingMonitor = name
	return nil
}

// checkMonitorTask returns a usage error when -monitor names a figure of
// the other task than the data's.
func checkMonitorTask(s tabular.MLPSettings, task tabular.Task) error {
	if s.EarlyStoppingMonitor == "" || task == tabular.AutoTask {
		return nil
	}
	if names := tabular.EarlyStoppingMonitors(task); !slices.Contains(names, s.EarlyStoppingMonitor) {
		return usagef("invalid value %q for flag -monitor: the target is %s; want one of %s", s.EarlyStoppingMonitor, task, strings.Join(names, ", "))
	}
	return nil
}
