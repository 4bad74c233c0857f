package mlp

import (
	"fmt"
	"math"
)

// EarlyStopping is a Hook that stops training when a monitored figure has
// not improved for Patience epochs, as Keras's EarlyStopping does, and can
// put back the weights of the best epoch.
//
// An EarlyStopping keeps state across epochs; use a new one (or call Reset)
// for each Fit.
type EarlyStopping struct {
	// Monitor names the figure to watch: "val_loss" (the default when
	// empty) or "loss", which should decrease, or the name of one of the
	// Trainer's metrics, such as "accuracy", which should increase.
	Monitor string
	// Patience is the number of epochs in a row without improvement after
	// which training stops, as in Keras; 0 and 1 both stop at the first
	// epoch that does not improve.
	Patience int
	// MinDelta is the smallest change that counts as an improvement.
	MinDelta float64
	// RestoreBest puts back the weights of the best epoch when training
	// stops, early or at its last epoch.
	RestoreBest bool

	best      float64
	bestEpoch int
	wait      int
	seen      bool
	snap      [][]float64
}

// Reset forgets every epoch seen so far.
func (es *EarlyStopping) Reset() {
	es.seen, es.wait, es.bestEpoch = false, 0, 0
}

// BestEpoch returns the epoch with the best monitored value so far.
func (es *EarlyStopping) BestEpoch() int { return es.bestEpoch }

// AfterEpoch records the epoch's figure and reports whether to stop. It
// returns an error wrapping ErrSetting when the monitored figure does not
// exist (for example "val_loss" without validation data), or when
// RestoreBest holds the weights of a model of another shape (reuse across
// models without Reset).
func (es *EarlyStopping) AfterEpoch(e EpochEnd) (bool, error) {
	last, ok := e.History.Last()
	if !ok || e.Model == nil {
		return false, nil
	}
	if es.RestoreBest && es.seen && !es.fits(e.Model) {
		return true, fmt.Errorf("%w: EarlyStopping holds the best weights of a model of another shape; call Reset before using it with another model", ErrSetting)
	}
	v, maximize, err := es.value(e.History, last)
	if err != nil {
		return true, err
	}
	improved := !es.seen
	if es.seen {
		if maximize {
			improved = v > es.best+es.MinDelta
		} else {
			improved = v < es.best-es.MinDelta
		}
	}
	if improved {
		es.seen, es.best, es.bestEpoch, es.wait = true, v, e.Epoch, 0
		if es.RestoreBest {
			es.save(e.Model)
		}
	} else {
		es.wait++
	}
	stop := !improved && es.wait >= es.Patience
	if (stop || e.Last) && es.RestoreBest && es.bestEpoch != e.Epoch {
		es.restore(e.Model)
	}
	return stop, nil
}

func (es *EarlyStopping) value(h *History, last Epoch) (v float64, maximize bool, err error) {
	switch es.Monitor {
	case "", "val_loss":
		if math.IsNaN(last.ValLoss) {
			return 0, false, fmt.Errorf("%w: EarlyStopping monitors val_loss, but there is no validation data", ErrSetting)
		}
		return last.ValLoss, false, nil
	case "loss":
		return last.Loss, false, nil
	}
	name := es.Monitor
	if len(name) > 4 && name[:4] == "val_" {
		name = name[4:]
	}
	for i, n := range h.MetricNames {
		if n == name && last.ValMetrics != nil {
			return last.ValMetrics[i], true, nil
		}
	}
	return 0, false, fmt.Errorf("%w: EarlyStopping monitors %q, which is not among the validation metrics %v", ErrSetting, es.Monitor, h.MetricNames)
}

func (es *EarlyStopping) save(m *Sequential) {
	ps := m.Params()
	if len(es.snap) != len(ps) {
		es.snap = make([][]float64, len(ps))
	}
	for i, p := range ps {
		es.snap[i] = append(es.snap[i][:0], p.Value.RawMatrix().Data...)
	}
}

// fits reports whether the saved weights have the shapes of m's parameters.
func (es *EarlyStopping) fits(m *Sequential) bool {
	ps := m.Params()
	if len(es.snap) != len(ps) {
		return false
	}
	for i, p := range ps {
		if len(es.snap[i]) != len(p.Value.RawMatrix().Data) {
			return false
		}
	}
	return true
}

func (es *EarlyStopping) restore(m *Sequential) {
	for i, p := range m.Params() {
		copy(p.Value.RawMatrix().Data, es.snap[i])
	}
}
