package tabular

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestConvergence checks how FittedMLP reports the end of training on
// scikit-learn's trajectory cases: stopped by the Tol rule before MaxIter
// (where scikit-learn's n_iter_ is below max_iter), or at the cap while
// still improving (where scikit-learn warns), with the numbers.
func TestConvergence(t *testing.T) {
	tests := []struct {
		name      string
		converged bool
		monitor   string
		words     []string
	}{
		{"classifier stops by tol", true, "loss", []string{"converged: loss did not improve by at least tol=0.001 for 5 consecutive epochs"}},
		{"classifier 3 classes relu alpha 0", false, "loss", []string{"maximum of 40 epochs (MaxIter) was reached while loss was still improving", "raise MaxIter"}},
		{"classifier early stopping", true, "val_accuracy", []string{"val_accuracy did not improve", "whose weights are kept"}},
		{"regressor early stopping 1 output", true, "val_r2", []string{"best val_r2="}},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			tab, s := trajectoryTable(t, c.name)
			var (
				m   *FittedMLP
				err error
			)
			if strings.HasPrefix(c.name, "regressor") {
				m, err = MLPRegressor(s).Fit(context.Background(), tab)
			} else {
				m, err = MLPClassifier(s).Fit(context.Background(), tab)
			}
			if err != nil {
				t.Fatal(err)
			}
			cv := m.Convergence()
			if m.Converged() != c.converged || cv.Converged != c.converged {
				t.Errorf("Converged = %v, want %v", m.Converged(), c.converged)
			}
			if c.converged != (m.NIter() < s.MaxIter) {
				t.Errorf("Converged = %v after %d of at most %d epochs", m.Converged(), m.NIter(), s.MaxIter)
			}
			if cv.Monitor != c.monitor || cv.Epochs != m.NIter() || cv.MaxIter != s.MaxIter {
				t.Errorf("Monitor %q, Epochs %d, MaxIter %d; want %q, %d, %d", cv.Monitor, cv.Epochs, cv.MaxIter, c.monitor, m.NIter(), s.MaxIter)
			}
			h := m.History()
			if c.monitor == "loss" {
				if last := h.Epochs[len(h.Epochs)-1].Loss; cv.Last != last {
					t.Errorf("Last = %v, the history's last loss %v", cv.Last, last)
				}
				if !c.converged && !(cv.First-cv.Last > s.Tol) {
					t.Errorf("at the cap the loss moved from %v to %v, not more than tol %v", cv.First, cv.Last, s.Tol)
				}
			}
			msg := cv.String()
			if c.converged {
				// It once said "stopped after epoch 697" (an index) next to
				// counts.
				want := fmt.Sprintf("stopped after %d epochs of at most %d, best %s=", m.NIter(), s.MaxIter, c.monitor)
				at := fmt.Sprintf(" at epoch=%d (0-based", cv.BestEpoch)
				if !strings.Contains(msg, want) || !strings.Contains(msg, at) {
					t.Errorf("String() = %q; want %q and %q", msg, want, at)
				}
			}
			for _, w := range c.words {
				if !strings.Contains(msg, w) {
					t.Errorf("String() = %q; want it to say %q", msg, w)
				}
			}
		})
	}
}

// TestConvergenceShortRun checks the sentence of a run capped before the
// stopping rule could judge it: it once claimed an improvement "over the
// last 0 epochs".
func TestConvergenceShortRun(t *testing.T) {
	tab, s := trajectoryTable(t, "classifier 3 classes relu alpha 0")
	for _, n := range []int{1, 5} {
		s.MaxIter = n
		m, err := MLPClassifier(s).Fit(context.Background(), tab)
		if err != nil {
			t.Fatal(err)
		}
		cv := m.Convergence()
		msg := cv.String()
		word := "epochs"
		if n == 1 {
			word = "epoch"
		}
		want := fmt.Sprintf("not converged: training stopped at the maximum of %d %s (MaxIter), too few for the stopping rule", n, word)
		if !cv.ShortRun() || !strings.HasPrefix(msg, want) || strings.Contains(msg, "over the last") || strings.Contains(msg, "improving") {
			t.Errorf("MaxIter %d: ShortRun %v, String() = %q; want it to start %q and claim no improvement", n, cv.ShortRun(), msg, want)
		}
	}
}
