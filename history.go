package mlp

import (
	"fmt"
	"math"
	"strings"
)

// Epoch holds the figures of one completed epoch.
type Epoch struct {
	// Epoch is the 0-based index of the epoch over every Fit of the Trainer.
	Epoch int
	// LR is the learning rate used during the epoch.
	LR float64
	// Loss is the training loss over all samples of the epoch, measured as
	// each batch was trained: Σ w·l / Σ w over the batches, with each
	// batch's weight its number of rows or, for a BatchWeighter loss, its
	// BatchWeight. Recorded under the name "loss".
	Loss float64
	// Metrics holds the value of each of the Trainer's Metrics over the
	// training batches of the epoch, as they were trained (in training
	// mode, before each step), in the order of History.MetricNames; nil
	// unless TrainerSettings.TrainMetrics is set. Recorded under the
	// metrics' own names, such as "accuracy".
	Metrics []float64
	// ValLoss is the loss over the whole validation set after the epoch,
	// NaN without validation data. Recorded as "val_loss".
	ValLoss float64
	// ValMetrics holds the value of each of the Trainer's Metrics on the
	// validation set, in the order of History.MetricNames; nil without
	// validation data. Recorded as "val_" and the metric's name, such as
	// "val_accuracy".
	ValMetrics []float64
}

// History is the record of a Fit: one Epoch per completed epoch. Its
// figures are named as Keras names them: "loss" and the metrics' names
// ("accuracy") for training figures, "val_loss" and "val_" with the
// metrics' names ("val_accuracy") for validation, and "lr" for the learning
// rate.
//
// A History grows by one Epoch, about 100 bytes plus 16 per metric, per
// epoch: Fit for n epochs keeps n of them, so the number of epochs bounds
// its memory (Fit asked for math.MaxInt epochs runs until it is cancelled or
// a hook stops it, growing meanwhile).
type History struct {
	// MetricNames are the names of the Trainer's metrics, in order.
	MetricNames []string
	// Epochs holds the completed epochs, in order.
	Epochs []Epoch
}

// Names returns the names of the figures the history records for every
// epoch, in the order "loss", the training metrics, "val_loss", the
// validation metrics, "lr"; nil when it has no epochs.
func (h *History) Names() []string {
	if len(h.Epochs) == 0 {
		return nil
	}
	candidates := append([]string{"loss"}, h.MetricNames...)
	candidates = append(candidates, "val_loss")
	for _, n := range h.MetricNames {
		candidates = append(candidates, "val_"+n)
	}
	var names []string
	for _, name := range append(candidates, "lr") {
		if h.recorded(name) {
			names = append(names, name)
		}
	}
	return names
}

// recorded reports whether every epoch has the named figure.
func (h *History) recorded(name string) bool {
	for i := range h.Epochs {
		if _, ok := h.lookup(name, i); !ok {
			return false
		}
	}
	return true
}

// Metric returns the named figure of every epoch, in order: "loss",
// "val_loss", "lr", a metric's name for its training values or "val_" and
// its name for its validation values. It returns an error wrapping
// ErrSetting, listing the recorded names, when the history does not record
// that figure for every epoch: a training metric when
// TrainerSettings.TrainMetrics was not set, a validation figure without
// validation data, or a name that is not there.
func (h *History) Metric(name string) ([]float64, error) {
	if h == nil {
		return nil, fmt.Errorf("%w: History.Metric: nil history", ErrSetting)
	}
	v := make([]float64, len(h.Epochs))
	for i := range h.Epochs {
		x, err := h.value(name, i)
		if err != nil {
			return nil, err
		}
		v[i] = x
	}
	return v, nil
}

// value returns the named figure of epoch i (an index into Epochs), or the
// error of Metric.
func (h *History) value(name string, i int) (float64, error) {
	if v, ok := h.lookup(name, i); ok {
		return v, nil
	}
	return 0, fmt.Errorf("%w: History does not record %q for epoch %d; it records %v", ErrSetting, name, h.Epochs[i].Epoch, h.Names())
}

// lookup returns the named figure of epoch i and whether the epoch has it.
func (h *History) lookup(name string, i int) (float64, bool) {
	e := h.Epochs[i]
	switch name {
	case "loss":
		return e.Loss, true
	case "lr":
		return e.LR, true
	case "val_loss":
		return e.ValLoss, !math.IsNaN(e.ValLoss)
	}
	vals, metric := e.Metrics, name
	if m, ok := strings.CutPrefix(name, "val_"); ok {
		vals, metric = e.ValMetrics, m
	}
	for k, n := range h.MetricNames {
		if n == metric && k < len(vals) {
			return vals[k], true
		}
	}
	return 0, false
}

// Last returns the last completed epoch and false if there is none.
func (h *History) Last() (Epoch, bool) {
	if h == nil || len(h.Epochs) == 0 {
		return Epoch{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}
