package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestEarlyStoppingImbalanceGoals feeds EarlyStopping (Mode "auto",
// Patience 2) a hand-made sequence for each new metric, with the metric in
// EpochEnd.Metrics as Fit passes it: the AUC, average precision and
// balanced accuracy are maximised and the log loss minimised, so each
// series has its best at epoch 3 and stops at epoch 5. Taken the other way
// round, the first series would stop at epoch 2 with its best at 0.
func TestEarlyStoppingImbalanceGoals(t *testing.T) {
	up := []float64{0.60, 0.72, 0.70, 0.75, 0.74, 0.73, 0.71}
	down := make([]float64, len(up))
	for i, v := range up {
		down[i] = 1 - v
	}
	neg := make([]float64, len(up))
	for i, v := range down {
		neg[i] = -v
	}
	byName := func(name string) Metric {
		m, err := MetricByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		metric Metric
		vals   []float64
	}{
		{&ROCAUC{}, up},
		{&AveragePrecision{}, up},
		{&BalancedAccuracy{}, up},
		{&LogLoss{}, down},
		{byName("neg_log_loss"), neg},
		{byName("roc_auc_ovr"), up},
	} {
		t.Run(tc.metric.Name(), func(t *testing.T) {
			m := testNet(t, 1, 2, 2)
			es := &EarlyStopping{Monitor: "val_" + tc.metric.Name(), Patience: 2}
			h := &History{MetricNames: []string{tc.metric.Name()}}
			stopped := -1
			for e, v := range tc.vals {
				h.Epochs = append(h.Epochs, Epoch{Epoch: e, ValLoss: 1, ValMetrics: []float64{v}})
				stop, err := es.AfterEpoch(EpochEnd{Epoch: e, History: h, Model: m, Metrics: []Metric{tc.metric}})
				if err != nil {
					t.Fatal(err)
				}
				if stop {
					stopped = e
					break
				}
			}
			if stopped != 5 || es.BestEpoch() != 3 {
				t.Errorf("stopped at epoch %d with best %d; want 5 and 3", stopped, es.BestEpoch())
			}
		})
	}
}

// TestEarlyStoppingOnROCAUCInFit trains a noisy binary classifier (one
// Sigmoid output, 10% minority, plain SGD at 0.05, whose validation AUC grows for 16
// epochs, ties at 12 and 13, then falls) monitoring
// val_roc_auc with Patience 3, and checks against the recorded history
// that Fit stopped exactly where Keras's rule says (the first epoch 3
// epochs after the last strict improvement of the maximum), before the
// epochs ran out, and that RestoreBest put back the weights whose
// validation AUC was the highest.
func TestEarlyStoppingOnROCAUCInFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	set := func(n int) *Dataset {
		x := mat.NewDense(n, 3, nil)
		labels := make([]int, n)
		for i := range n {
			if rng.Float64() < 0.1 {
				labels[i] = 1
			}
			for j := range 3 {
				x.Set(i, j, rng.NormFloat64()+0.8*float64(labels[i])*float64(j+1)/3)
			}
		}
		d, err := NewDataset(x, Targets{Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	train, val := set(200), set(100)
	m, err := NewSequential(NewLinear(3, 4, rand.NewPCG(3, 1)), &Tanh{}, NewLinear(4, 1, rand.NewPCG(3, 2)), &Sigmoid{})
	if err != nil {
		t.Fatal(err)
	}
	const patience, epochs = 3, 100
	es := &EarlyStopping{Monitor: "val_roc_auc", Patience: patience, RestoreBest: true}
	tr, err := NewTrainer(m, &BinaryCrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.05}),
		TrainerSettings{Metrics: []Metric{&ROCAUC{}, &LogLoss{}}, Hooks: []Hook{es}})
	if err != nil {
		t.Fatal(err)
	}
	vl := mustLoader(t, val, LoaderSettings{BatchSize: 32})
	h, err := tr.Fit(context.Background(), mustLoader(t, train, LoaderSettings{BatchSize: 16}), vl, epochs)
	if err != nil {
		t.Fatal(err)
	}
	auc, err := h.Metric("val_roc_auc")
	if err != nil {
		t.Fatal(err)
	}
	best, wantStop := 0, -1
	for e := 1; e < len(auc); e++ {
		if auc[e] > auc[best] {
			best = e
		}
		if e-best >= patience {
			wantStop = e
			break
		}
	}
	if wantStop < 0 || len(auc) != wantStop+1 {
		t.Fatalf("val_roc_auc %v: Fit ran %d epochs; Keras's rule stops after epoch %d", auc, len(auc), wantStop)
	}
	if es.BestEpoch() != best || best == 0 {
		t.Errorf("best epoch %d, want %d (after epoch 0, so that the AUC had to grow)", es.BestEpoch(), best)
	}
	s, err := tr.Evaluate(context.Background(), vl)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Metrics["roc_auc"]; got != auc[best] {
		t.Errorf("after restoring, roc_auc %v, want the best %v", got, auc[best])
	}
	if ll := s.Metrics["log_loss"]; !(ll > 0) || math.IsInf(ll, 0) {
		t.Errorf("log_loss %v", ll)
	}
}
