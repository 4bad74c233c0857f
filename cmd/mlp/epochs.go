package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// selectMaxEpochs is the most epochs train runs when it chooses the epoch
// count on the -val rows and -epochs is not given: scikit-learn's
// max_iter=1000, the "tuned" pipeline of the defaults study
// (docs/defaults.md).
const selectMaxEpochs = 1000

// selectPatience returns the patience of the run that chooses the epoch
// count: it stops when val_loss has not reached a new low for that many
// epochs. It is a tenth of maxIter (the -epochs cap), and at least
// nIterNoChange (the training-loss rule's own patience). On the defaults
// study's 45 runs (docs/defaults.md), the longest wait for a later new low
// was 43 epochs, so 100 at the default cap of 1000 misses none.
func selectPatience(maxIter, nIterNoChange int) int {
	return max(maxIter/10, nIterNoChange, 1)
}

// fitFunc fits the command's estimator with settings s on t, weighing its
// rows by w (nil: unweighted).
type fitFunc func(ctx context.Context, s tabular.MLPSettings, t *tabular.Table, w []float64) (*tabular.FittedMLP, error)

// selection is what chose the saved model's epoch count.
type selection struct {
	best     int     // the chosen epoch count: the epoch with the lowest val_loss, 1-based
	bestLoss float64 // its val_loss
	run      int     // the epochs the first fit ran
	patience int     // the first fit stopped after this many epochs without a lower val_loss (selectPatience)
	waited   bool    // the patience ended the first fit
	refit    bool    // the saved model was trained on every row
	allRows  int     // the rows of the refit
	// refitEpochs are the epochs the refit ran: best, or fewer when the
	// estimator's training-loss rule (-tol, -n-iter-no-change) ended it.
	refitEpochs int
	// standardized says bestLoss is on the standardized target (a
	// regressor's).
	standardized bool
}

// bestEpoch returns the 1-based epoch of h with the lowest validation loss
// (the first of equal ones) and that loss; 0 and NaN when no epoch has a
// finite one.
func bestEpoch(h *mlp.History) (int, float64) {
	best, loss := 0, math.NaN()
	for i, e := range h.Epochs {
		if !math.IsInf(e.ValLoss, 0) && !math.IsNaN(e.ValLoss) && (best == 0 || e.ValLoss < loss) {
			best, loss = i+1, e.ValLoss
		}
	}
	return best, loss
}

// fitSelected trains as train does by default when there are validation
// rows: a first fit on train, scored on valid after every epoch (s.Monitor
// must be valid), runs up to s.MaxIter epochs under the estimator's own
// stopping rule, and stops too when val_loss has not reached a new low for
// selectPatience epochs (an mlp.EarlyStopping in s.Hooks); the epoch with the lowest val_loss sets the epoch count.
// report is the net trained on train for that many epochs (the same seed
// retraces the first fit's epochs exactly), whose figures the validation
// report shows. With refit, saved is trained for as many epochs on all,
// every row (train and valid, weighted by allW); otherwise saved is report.
// first is the first fit, whose History holds the validation figures.
// status, when not nil, returns the Log of the later fits (which print no
// epoch lines), given their label, rows and epochs: a progress phase.
func fitSelected(ctx context.Context, fit fitFunc, s tabular.MLPSettings, train *tabular.Table, trainW []float64,
	all func() (*tabular.Table, []float64, error), refit bool, status func(label string, rows, epochs int) io.Writer) (first, report, saved *tabular.FittedMLP, sel selection, err error) {
	logTo := func(label string, rows, epochs int) io.Writer {
		if status == nil {
			return nil
		}
		return status(label, rows, epochs)
	}
	n, most := s.NIterNoChange, s.MaxIter
	if n == 0 {
		n = 10 // the estimator's default
	}
	if most == 0 {
		most = 200 // the estimator's default
	}
	sel.patience = selectPatience(most, n)
	choose := s
	choose.Hooks = append(append([]mlp.Hook(nil), s.Hooks...), &mlp.EarlyStopping{Monitor: "val_loss", Patience: sel.patience})
	if first, err = fit(ctx, choose, train, trainW); err != nil {
		return nil, nil, nil, sel, err
	}
	sel.run = first.NIter()
	sel.best, sel.bestLoss = bestEpoch(first.History())
	sel.waited = !first.Convergence().Converged && sel.run < most
	if sel.best == 0 {
		return nil, nil, nil, sel, fmt.Errorf("validation: no epoch has a finite val_loss to choose the epoch count by")
	}
	again := s
	again.MaxIter, again.Monitor, again.Log = sel.best, nil, nil
	report = first
	if sel.best < sel.run {
		again.Log = logTo("training rows again: ", train.Rows(), sel.best)
		if report, err = fit(ctx, again, train, trainW); err != nil {
			return nil, nil, nil, sel, err
		}
	}
	saved = report
	if refit {
		t, w, err := all()
		if err != nil {
			return nil, nil, nil, sel, err
		}
		again.Log = logTo(fmt.Sprintf("refit on all %d rows: ", t.Rows()), t.Rows(), sel.best)
		if saved, err = fit(ctx, again, t, w); err != nil {
			return nil, nil, nil, sel, err
		}
		sel.refit, sel.allRows, sel.refitEpochs = true, t.Rows(), saved.NIter()
	}
	return first, report, saved, sel, nil
}

// ended returns whether the run that chose the epoch count, which ended
// as conv says, converged and the sentence that says how it ended: at the
// -epochs cap with val_loss still falling it has not (a warning); the
// patience or the cap after val_loss's low, it has.
func (sel selection) ended(conv tabular.Convergence) (bool, string) {
	switch {
	case !conv.Converged && sel.best == sel.run:
		return false, fmt.Sprintf("training stopped at the maximum of %d epochs (-epochs) while val_loss was still improving (its lowest at the last epoch); the model has not converged: raise -epochs", conv.MaxIter)
	case sel.waited:
		return true, fmt.Sprintf("val_loss has not reached a new low for %d epochs (the patience: a tenth of -epochs, at least -n-iter-no-change); it was lowest at epoch=%d", sel.patience, sel.best-1)
	case !conv.Converged:
		return true, fmt.Sprintf("at the maximum of %d epochs (-epochs); val_loss was lowest at epoch=%d", conv.MaxIter, sel.best-1)
	}
	return true, convergenceText(conv)
}

// String says how the epoch count was chosen and what the saved model is.
func (sel selection) String() string {
	unit := ""
	if sel.standardized {
		unit = " on the standardized target"
	}
	s := fmt.Sprintf("epochs: %d of the %d run, the lowest val_loss (%.4f%s, at epoch=%d)", sel.best, sel.run, sel.bestLoss, unit, sel.best-1)
	if sel.waited {
		s += fmt.Sprintf("; the run stopped after %d epochs without a lower val_loss (patience: a tenth of -epochs, at least -n-iter-no-change)", sel.patience)
	}
	if sel.refit {
		return s + fmt.Sprintf("; the saved model is trained again on all %d rows for %s (-refit); the validation figures are the net's trained on the training rows", sel.allRows, sel.refitText())
	}
	return s + fmt.Sprintf("; the saved model is the net trained on the training rows for %d %s (-refit=false)", sel.best, plural(sel.best, "epoch"))
}

// provenance is the saved model's convergence sentence: it ran the epoch
// count the -val rows chose, not a cap it could not get past.
func (sel selection) provenance() string {
	on := "on the training rows (-refit=false)"
	if sel.refit {
		on = fmt.Sprintf("again on all %d rows (-refit)", sel.allRows)
	}
	unit := ""
	if sel.standardized {
		unit = " on the standardized target"
	}
	chose := fmt.Sprintf("the lowest val_loss (%.4f%s, at epoch=%d) of the %d run", sel.bestLoss, unit, sel.best-1, sel.run)
	if sel.refit && sel.refitEpochs < sel.best {
		return fmt.Sprintf("trained %s for %d %s, the training-loss rule (-tol, -n-iter-no-change) ending it before the %d the -val rows chose: %s",
			on, sel.refitEpochs, plural(sel.refitEpochs, "epoch"), sel.best, chose)
	}
	return fmt.Sprintf("trained %s for the %d %s the -val rows chose: %s", on, sel.best, plural(sel.best, "epoch"), chose)
}

// refitText says how many epochs the refit ran: the chosen count, or
// fewer, with the rule that ended it.
func (sel selection) refitText() string {
	if sel.refitEpochs >= sel.best {
		return fmt.Sprintf("%d %s", sel.best, plural(sel.best, "epoch"))
	}
	return fmt.Sprintf("%d %s, the training-loss rule (-tol, -n-iter-no-change) ending it before the chosen %d",
		sel.refitEpochs, plural(sel.refitEpochs, "epoch"), sel.best)
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
