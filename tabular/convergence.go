package tabular

import (
	"fmt"
	"math"

	"github.com/mlpkit/mlp"
)

// Convergence says how the training of a FittedMLP ended, as scikit-learn
// tells by its ConvergenceWarning.
type Convergence struct {
	// Converged is true when the stopping rule ended training: the
	// training loss (or, with EarlyStopping, the validation score) did not
	// improve by at least Tol for more than NIterNoChange epochs. It is
	// false when training ran MaxIter epochs, where scikit-learn warns
	// that the optimization has not converged: the figure was still
	// improving by more than Tol within the last NIterNoChange+1 epochs.
	Converged bool

	// Epochs is the number of epochs trained and MaxIter the cap.
	Epochs, MaxIter int

	// Monitor names the figure the rule watched: "loss" or, with
	// EarlyStopping, MLPSettings.EarlyStoppingMonitor, by default
	// "val_accuracy" or "val_r2".
	Monitor string

	// First and Last are the monitored figure Window epochs before the
	// last (Window is NIterNoChange+1, or fewer when fewer epochs ran) and
	// at the last; Best is its best value and BestEpoch (0-based) where it
	// was reached. With EarlyStopping the net holds the weights of
	// BestEpoch.
	First, Last, Best float64
	Window, BestEpoch int

	// Tol and NIterNoChange are the rule's settings.
	Tol           float64
	NIterNoChange int
}

// String says in one sentence how training ended, with the numbers: for a
// run stopped by the rule, which figure stopped improving and where its
// best was; at the cap, how much the figure still moved over the last
// epochs and that MaxIter (the command's -epochs) could be raised.
func (c Convergence) String() string {
	if c.Converged {
		s := fmt.Sprintf("converged: %s did not improve by at least tol=%g for %d consecutive epochs (n_iter_no_change=%d); stopped after %d %s of at most %d, best %s=%.4f at epoch=%d (0-based, as History numbers them)",
			c.Monitor, c.Tol, c.NIterNoChange+1, c.NIterNoChange, c.Epochs, epochWord(c.Epochs), c.MaxIter, c.Monitor, c.Best, c.BestEpoch)
		if c.Monitor != "loss" {
			s += ", whose weights are kept"
		}
		return s
	}
	if c.ShortRun() {
		return fmt.Sprintf("not converged: training stopped at the maximum of %d %s (MaxIter), too few for the stopping rule (n_iter_no_change=%d) to judge; raise MaxIter",
			c.MaxIter, epochWord(c.MaxIter), c.NIterNoChange)
	}
	return fmt.Sprintf("not converged: the maximum of %d epochs (MaxIter) was reached while %s was still improving (%.4f to %.4f over the last %d epochs, more than tol=%g); raise MaxIter",
		c.MaxIter, c.Monitor, c.First, c.Last, c.Window, c.Tol)
}

// ShortRun reports a run that ended, not converged, before the stopping
// rule could judge it: at most NIterNoChange+1 epochs ran, so no window of
// NIterNoChange+1 epochs after the first exists, and First and Last say
// nothing of an improvement.
func (c Convergence) ShortRun() bool {
	return !c.Converged && c.Window < c.NIterNoChange+1
}

// epochWord returns "epoch" for 1 and "epochs" otherwise.
func epochWord(n int) string {
	if n == 1 {
		return "epoch"
	}
	return "epochs"
}

// convergence returns how the run recorded in h ended under the rule s.
func (d *mlpDefaults) convergence(s *noImprovement, h *mlp.History, score mlp.Metric) Convergence {
	c := Convergence{Converged: s.stopped, Epochs: len(h.Epochs), MaxIter: d.MaxIter, Monitor: "loss", Tol: d.Tol, NIterNoChange: d.NIterNoChange}
	at := func(i int) float64 {
		if d.EarlyStopping {
			return s.mon.value(h.Epochs[i])
		}
		return h.Epochs[i].Loss
	}
	if d.EarlyStopping {
		c.Monitor = s.mon.name
	}
	if c.Epochs == 0 {
		return c
	}
	first := max(0, c.Epochs-1-(c.NIterNoChange+1))
	c.Window = c.Epochs - 1 - first
	c.First, c.Last = at(first), at(c.Epochs-1)
	c.Best, c.BestEpoch = at(0), 0
	for i := range c.Epochs {
		v := at(i)
		if d.EarlyStopping && s.mon.better(v, c.Best) || !d.EarlyStopping && v < c.Best {
			c.Best, c.BestEpoch = v, i
		}
	}
	return c
}

// noImprovement is scikit-learn's stopping rule (_update_no_improvement_count):
// after each epoch, the count of epochs without improvement grows by one
// when the training loss is above best - tol (or, for validation, the
// monitored figure, by default the first validation metric, is below
// best + tol, or above best - tol for a figure to minimize; or NaN) and is
// reset otherwise (a validation figure that is NaN before any number is
// an error: nothing could choose the weights to keep); best
// follows every new best value. Training stops when the count exceeds
// patience. With validation, the weights of the best epoch are restored at
// the end.
type noImprovement struct {
	tol        float64
	patience   int
	validation bool
	mon        esMonitor // with validation, the figure watched

	best    float64
	count   int
	seen    bool
	snap    mlp.Snapshot
	stopped bool // the rule ended training
}

func (s *noImprovement) AfterEpoch(e mlp.EpochEnd) (bool, error) {
	last, ok := e.History.Last()
	if !ok {
		return false, nil
	}
	v := last.Loss
	if s.validation {
		if v = s.mon.value(last); !s.mon.minimize {
			v = -v // higher is better
		}
	}
	if !s.seen {
		s.best, s.seen = math.Inf(1), true
	}
	if s.validation && math.IsNaN(v) && math.IsInf(s.best, 1) {
		return true, fmt.Errorf("%w: EarlyStoppingMonitor %s is NaN on the held-out rows at epoch=%d, with no number before it to stop by (roc_auc and average_precision need every class among those rows): hold out more rows, or watch another figure",
			mlp.ErrData, s.mon.name, last.Epoch)
	}
	if math.IsNaN(v) || v > s.best-s.tol {
		s.count++
	} else {
		s.count = 0
	}
	if v < s.best {
		s.best = v
		if s.validation {
			s.snap.Save(e.Model.Params())
		}
	}
	s.stopped = s.count > s.patience
	return s.stopped, nil
}

func (s *noImprovement) FitEnd(e mlp.EpochEnd) error {
	if s.validation && s.snap.Fits(e.Model.Params()) {
		s.snap.Restore(e.Model.Params())
	}
	return nil
}
