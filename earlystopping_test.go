package mlp

import (
	"context"
	"errors"
	"testing"
)

func TestEarlyStopping(t *testing.T) {
	// A hand-made sequence of validation losses: improvements at epochs 0,
	// 1 and 2, then none until epoch 6; with MinDelta 0.2 epoch 1 does not
	// count.
	vals := []float64{1.0, 0.9, 0.5, 0.6, 0.55, 0.7, 0.4}
	for _, tc := range []struct {
		name     string
		patience int
		minDelta float64
		stopAt   int
		best     int
	}{
		{"patience 0", 0, 0, 3, 2},
		{"patience 1", 1, 0, 3, 2},
		{"patience 2", 2, 0, 4, 2},
		{"patience 3", 3, 0, 5, 2},
		{"min delta", 1, 0.2, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testNet(t, 1, 2, 2)
			es := &EarlyStopping{Patience: tc.patience, MinDelta: tc.minDelta, RestoreBest: true}
			h := &History{}
			var bestW [][]float64
			var end EpochEnd
			for e, v := range vals {
				m.Params()[0].Value.Set(0, 0, float64(e)) // weights mark the epoch
				if e == tc.best {
					bestW = snapshot(m.Params())
				}
				h.Epochs = append(h.Epochs, Epoch{Epoch: e, ValLoss: v})
				end = EpochEnd{Epoch: e, History: h, Model: m}
				stop, err := es.AfterEpoch(end)
				if err != nil {
					t.Fatal(err)
				}
				if stop != (e == tc.stopAt) {
					t.Fatalf("epoch %d: stop = %v, want stop at %d", e, stop, tc.stopAt)
				}
				if stop {
					break
				}
			}
			if err := es.FitEnd(end); err != nil {
				t.Fatal(err)
			}
			if es.BestEpoch() != tc.best {
				t.Errorf("best epoch %d, want %d", es.BestEpoch(), tc.best)
			}
			if !sameWeights(bestW, snapshot(m.Params())) {
				t.Error("best weights not restored")
			}
		})
	}
}

func TestEarlyStoppingInFit(t *testing.T) {
	d := blobs(60, 4, 3, 5)
	m := testNet(t, 5, 4, 3)
	es := &EarlyStopping{Monitor: "val_accuracy", Patience: 1, RestoreBest: true}
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.5}),
		TrainerSettings{Metrics: []Metric{&Accuracy{}}, Hooks: []Hook{es}})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLoader(t, d, LoaderSettings{BatchSize: 10})
	h, err := tr.Fit(context.Background(), l, l, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) == 200 {
		t.Fatal("early stopping never stopped a run whose accuracy saturates")
	}
	acc, err := h.Metric("val_accuracy")
	if err != nil {
		t.Fatal(err)
	}
	best := acc[es.BestEpoch()]
	for _, a := range acc {
		if a > best {
			t.Fatalf("best epoch %d has accuracy %v, but %v was reached", es.BestEpoch(), best, a)
		}
	}
	s, err := tr.Evaluate(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if s.Metrics["accuracy"] != best {
		t.Errorf("after restoring, accuracy %v, want the best %v", s.Metrics["accuracy"], best)
	}
	bad := &EarlyStopping{Monitor: "f2"}
	tr2, _ := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.5}), TrainerSettings{Hooks: []Hook{bad}})
	if _, err := tr2.Fit(context.Background(), l, l, 2); !errors.Is(err, ErrSetting) {
		t.Errorf("monitoring an unknown metric: error %v, want ErrSetting", err)
	}
}
