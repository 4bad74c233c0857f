package mlp

import (
	"fmt"
	"math"
	"strings"
)

// EarlyStopping is a Hook that stops training when a monitored figure has
// not improved for Patience epochs, as Keras's EarlyStopping does, and can
// put back the weights of the best epoch.
//
// Whether a figure improves when it grows or when it shrinks comes from
// Mode: "min" or "max", or with "auto" (the default) from the figure
// itself: losses are minimised, and a metric says which way is better
// through its Goal (Goaler): RMSE, MAE and LogLoss are minimised;
// accuracy, balanced accuracy, the macro scores, ROC AUC, average precision,
// R² and the "neg_" scores of MetricByName maximised. A metric that does not implement Goaler
// needs Mode "min" or "max".
//
// A NaN monitored value never counts as an improvement: it adds to the
// epochs without improvement, and an epoch with a NaN value is never the
// best (so RestoreBest never rolls back to it, and never rolls back at all
// when no epoch had a number). Keras's comparisons treat NaN the same way.
//
// An EarlyStopping keeps state across epochs; use a new one (or call Reset)
// for each Fit. It is not safe for concurrent use: two trainers running at
// the same time need one each.
type EarlyStopping struct {
	// Monitor names the figure to watch, as History names it: "val_loss"
	// (the default when empty), "loss", "val_" and a metric's name (its
	// value on the validation data, such as "val_accuracy"), or a metric's
	// name alone (its value on the training batches, recorded when
	// TrainerSettings.TrainMetrics is set). A figure the history does not
	// record is an error after the first epoch.
	Monitor string
	// Mode is "min" (smaller is better), "max" (larger is better) or
	// "auto" (the figure's own goal); empty means "auto".
	Mode string
	// Patience is the number of epochs in a row without improvement after
	// which training stops, as in Keras; 0 and 1 both stop at the first
	// epoch that does not improve. Negative is an error.
	Patience int
	// MinDelta is the smallest change that counts as an improvement: a
	// finite number >= 0.
	MinDelta float64
	// RestoreBest puts back the weights of the best epoch when Fit ends
	// normally: this hook or another stops it, or its epochs run out.
	// (Fit that ends with an error, divergence or cancellation included,
	// leaves the weights as that error describes.)
	RestoreBest bool

	best      float64
	bestEpoch int
	wait      int
	seen      bool
	snap      Snapshot
}

// Validate returns an error wrapping ErrSetting, naming the field, when
// Mode is not "", "auto", "min" or "max", Patience is negative, or
// MinDelta is negative, NaN or infinite. NewTrainer calls it.
func (es *EarlyStopping) Validate() error {
	switch {
	case es.Mode != "" && es.Mode != "auto" && es.Mode != "min" && es.Mode != "max":
		return fmt.Errorf("%w: EarlyStopping.Mode %q; want \"min\", \"max\" or \"auto\"", ErrSetting, es.Mode)
	case es.Patience < 0:
		return fmt.Errorf("%w: EarlyStopping.Patience must be >= 0, got %d", ErrSetting, es.Patience)
	case !(es.MinDelta >= 0) || math.IsInf(es.MinDelta, 1):
		return fmt.Errorf("%w: EarlyStopping.MinDelta must be >= 0 and finite, got %v", ErrSetting, es.MinDelta)
	}
	return nil
}

// Reset forgets every epoch seen so far.
func (es *EarlyStopping) Reset() {
	es.seen, es.wait, es.bestEpoch = false, 0, 0
}

// BestEpoch returns the epoch with the best monitored value so far.
func (es *EarlyStopping) BestEpoch() int { return es.bestEpoch }

// monitor returns the name of the monitored figure.
func (es *EarlyStopping) monitor() string {
	if es.Monitor == "" {
		return "val_loss"
	}
	return es.Monitor
}

// AfterEpoch records the epoch's figure and reports whether to stop. It
// returns an error wrapping ErrSetting when the history does not record the
// monitored figure (for example "val_loss" without validation data), when
// Mode is "auto" and the monitored metric has no Goal, or when RestoreBest
// holds the weights of a model of another shape (reuse across models
// without Reset).
func (es *EarlyStopping) AfterEpoch(e EpochEnd) (bool, error) {
	if e.History == nil || len(e.History.Epochs) == 0 || e.Model == nil {
		return false, nil
	}
	if err := es.Validate(); err != nil {
		return true, err
	}
	params := e.Model.Params()
	if es.RestoreBest && es.seen && !es.snap.Fits(params) {
		return true, fmt.Errorf("%w: EarlyStopping holds the best weights of a model of another shape; call Reset before using it with another model", ErrSetting)
	}
	v, err := e.History.value(es.monitor(), len(e.History.Epochs)-1)
	if err != nil {
		return true, fmt.Errorf("%w: EarlyStopping monitors %q, which the history does not record; it records %v",
			ErrSetting, es.monitor(), e.History.Names())
	}
	goal, err := es.goal(e.Metrics)
	if err != nil {
		return true, err
	}
	var improved bool
	switch {
	case math.IsNaN(v):
	case !es.seen:
		improved = true
	case goal == Maximize:
		improved = v > es.best+es.MinDelta
	default:
		improved = v < es.best-es.MinDelta
	}
	if improved {
		es.seen, es.best, es.bestEpoch, es.wait = true, v, e.Epoch, 0
		if es.RestoreBest {
			es.snap.Save(params)
		}
		return false, nil
	}
	es.wait++
	return es.wait >= es.Patience, nil
}

// FitEnd puts back the weights of the best epoch when RestoreBest is set
// and a later epoch ended the Fit.
func (es *EarlyStopping) FitEnd(e EpochEnd) error {
	if !es.RestoreBest || !es.seen || e.Model == nil || es.bestEpoch == e.Epoch {
		return nil
	}
	params := e.Model.Params()
	if !es.snap.Fits(params) {
		return fmt.Errorf("%w: EarlyStopping holds the best weights of a model of another shape; call Reset before using it with another model", ErrSetting)
	}
	es.snap.Restore(params)
	return nil
}

// goal returns whether the monitored figure should shrink or grow.
func (es *EarlyStopping) goal(metrics []Metric) (Goal, error) {
	switch es.Mode {
	case "min":
		return Minimize, nil
	case "max":
		return Maximize, nil
	}
	name := es.monitor()
	if name == "loss" || name == "val_loss" {
		return Minimize, nil
	}
	name = strings.TrimPrefix(name, "val_")
	for _, m := range metrics {
		if m.Name() != name {
			continue
		}
		if g, ok := m.(Goaler); ok {
			return g.Goal(), nil
		}
	}
	return 0, fmt.Errorf("%w: EarlyStopping monitors %q, which does not say whether larger is better (Goaler); set EarlyStopping.Mode to \"min\" or \"max\"",
		ErrSetting, es.monitor())
}

var (
	_ Hook      = (*EarlyStopping)(nil)
	_ Validator = (*EarlyStopping)(nil)
	_ FitEnder  = (*EarlyStopping)(nil)
)
