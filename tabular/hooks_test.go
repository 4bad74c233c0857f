package tabular

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// TestHooks checks that MLPSettings.Hooks are called after every epoch and
// can end training: an mlp.EarlyStopping on the Monitor's val_loss stops
// the run Patience epochs after its lowest val_loss, with the weights of a
// run of that many epochs without the hook (a hook does not change
// training), and Convergence reports it as not converged.
func TestHooks(t *testing.T) {
	tab, s := trajectoryTable(t, "classifier 3 classes relu alpha 0")
	n := tab.Rows()
	var head, tail []int
	for i := range n {
		if i < n*3/4 {
			head = append(head, i)
		} else {
			tail = append(tail, i)
		}
	}
	train, mon := tab.Subset(head), tab.Subset(tail)
	s.Monitor, s.MaxIter, s.NIterNoChange = mon, 2000, 2000
	const patience = 3
	calls := 0
	s.Hooks = []mlp.Hook{
		mlp.HookFunc(func(mlp.EpochEnd) (bool, error) { calls++; return false, nil }),
		&mlp.EarlyStopping{Monitor: "val_loss", Patience: patience},
	}
	hooked, err := MLPClassifier(s).Fit(context.Background(), train)
	if err != nil {
		t.Fatal(err)
	}
	h := hooked.History()
	ran := len(h.Epochs)
	if ran >= s.MaxIter {
		t.Fatalf("the hook did not stop training: %d epochs", ran)
	}
	if calls != ran {
		t.Errorf("the first hook was called %d times in %d epochs", calls, ran)
	}
	best, low := 0, math.Inf(1)
	for i, e := range h.Epochs {
		if e.ValLoss < low {
			best, low = i+1, e.ValLoss
		}
	}
	if ran != best+patience {
		t.Errorf("stopped after %d epochs; the lowest val_loss was at epoch %d (1-based), patience %d", ran, best, patience)
	}
	if c := hooked.Convergence(); c.Converged {
		t.Errorf("Convergence %+v after a hook stopped training; want not converged", c)
	}
	s.Hooks, s.MaxIter = nil, ran
	plain, err := MLPClassifier(s).Fit(context.Background(), train)
	if err != nil {
		t.Fatal(err)
	}
	for l, c := range plain.Weights().Coefs {
		if !mat.Equal(c, hooked.Weights().Coefs[l]) {
			t.Errorf("layer %d: weights differ from a run of %d epochs without the hook", l, ran)
		}
	}
}
