package mlp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
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

// lineData returns y = 2x + 1 at x = 0, 0.25, ..., 4.75.
func lineData(t *testing.T) *Dataset {
	t.Helper()
	n := 20
	x, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := range n {
		v := float64(i) / 4
		x.Set(i, 0, v)
		y.Set(i, 0, 2*v+1)
	}
	d, err := NewDataset(x, Targets{Values: y})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEarlyStoppingDirection fits y = 2x + 1 for 30 epochs monitoring
// val_rmse or val_mae with Patience 3. Both fall every epoch, so training
// runs all 30 epochs and keeps the last weights (val_rmse 0.058); taking
// every metric as one to maximise, as before, stopped after 4 epochs and
// restored epoch 0 (val_rmse 3.28). Mode "max" still forces that.
func TestEarlyStoppingDirection(t *testing.T) {
	for _, tc := range []struct {
		monitor, mode    string
		epochs, best     int
		wantRMSE, within float64
	}{
		{"val_rmse", "", 30, 29, 0.05835167963845255, 1e-12},
		{"val_rmse", "auto", 30, 29, 0.05835167963845255, 1e-12},
		{"val_mae", "", 30, 29, 0.05835167963845255, 0.02},
		{"val_rmse", "min", 30, 29, 0.05835167963845255, 1e-12},
		{"val_rmse", "max", 4, 0, 3.281940949604157, 1e-12},
		{"val_r2", "", 30, 29, 0.05835167963845255, 0.02},
	} {
		t.Run(tc.monitor+" "+tc.mode, func(t *testing.T) {
			m, err := NewSequential(NewLinear(1, 1, rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			es := &EarlyStopping{Monitor: tc.monitor, Mode: tc.mode, Patience: 3, RestoreBest: true}
			tr, err := NewTrainer(m, &MSE{}, mustSGD(t, m, SGDSettings{LR: 0.01}),
				TrainerSettings{Metrics: []Metric{&RMSE{}, &MAE{}, &R2{}}, Hooks: []Hook{es}})
			if err != nil {
				t.Fatal(err)
			}
			l := mustLoader(t, lineData(t), LoaderSettings{BatchSize: 5})
			h, err := tr.Fit(context.Background(), l, l, 30)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Epochs) != tc.epochs || es.BestEpoch() != tc.best {
				t.Errorf("%d epochs, best %d; want %d and %d", len(h.Epochs), es.BestEpoch(), tc.epochs, tc.best)
			}
			s, err := tr.Evaluate(context.Background(), l)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Metrics["rmse"]; math.Abs(got-tc.wantRMSE) > tc.within {
				t.Errorf("rmse of the kept weights %.17g, want %.17g", got, tc.wantRMSE)
			}
		})
	}
}

// TestEarlyStoppingRestoresHoweverFitEnds checks that the best weights are
// put back when the epochs run out and when another hook stops training
// (the best epoch is forced to be epoch 0 by maximising val_rmse with a
// patience that never stops).
func TestEarlyStoppingRestoresHoweverFitEnds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stopAt int // epoch after which another hook stops; -1 for none
	}{
		{"epochs run out", -1},
		{"another hook stops", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewSequential(NewLinear(1, 1, rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			var epoch0 [][]float64
			record := HookFunc(func(e EpochEnd) (bool, error) {
				if e.Epoch == 0 {
					epoch0 = snapshot(e.Model.Params())
				}
				return e.Epoch == tc.stopAt, nil
			})
			es := &EarlyStopping{Monitor: "val_rmse", Mode: "max", Patience: 100, RestoreBest: true}
			tr, err := NewTrainer(m, &MSE{}, mustSGD(t, m, SGDSettings{LR: 0.01}),
				TrainerSettings{Metrics: []Metric{&RMSE{}}, Hooks: []Hook{es, record}})
			if err != nil {
				t.Fatal(err)
			}
			l := mustLoader(t, lineData(t), LoaderSettings{BatchSize: 5})
			h, err := tr.Fit(context.Background(), l, l, 5)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stopAt >= 0 && len(h.Epochs) != tc.stopAt+1 {
				t.Fatalf("%d epochs, want the hook to stop after epoch %d", len(h.Epochs), tc.stopAt)
			}
			if !sameWeights(epoch0, snapshot(m.Params())) {
				t.Error("the weights of the best epoch (0) were not restored")
			}
		})
	}
}

// TestEarlyStoppingNaN checks that a NaN monitored value counts as no
// improvement and is never the best epoch: with no finite value at all,
// nothing is restored.
func TestEarlyStoppingNaN(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		vals   []float64
		stopAt int
		best   int
		seen   bool
	}{
		{"NaN between numbers", []float64{nan, 1, nan, 0.5, nan, nan}, 5, 3, true},
		{"NaN first", []float64{nan, nan, 2, 3}, 1, 0, false},
		{"NaN only", []float64{nan, nan, nan}, 1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testNet(t, 1, 2, 2)
			es := &EarlyStopping{Monitor: "loss", Patience: 2, RestoreBest: true}
			h := &History{}
			var end EpochEnd
			stopped := -1
			for e, v := range tc.vals {
				m.Params()[0].Value.Set(0, 0, float64(e))
				h.Epochs = append(h.Epochs, Epoch{Epoch: e, Loss: v, ValLoss: nan})
				end = EpochEnd{Epoch: e, History: h, Model: m}
				stop, err := es.AfterEpoch(end)
				if err != nil {
					t.Fatal(err)
				}
				if stop {
					stopped = e
					break
				}
			}
			if stopped != tc.stopAt || es.BestEpoch() != tc.best || es.seen != tc.seen {
				t.Errorf("stopped at %d, best %d (seen %v); want %d, %d (%v)", stopped, es.BestEpoch(), es.seen, tc.stopAt, tc.best, tc.seen)
			}
			if err := es.FitEnd(end); err != nil {
				t.Fatal(err)
			}
			want := float64(stopped)
			if tc.seen {
				want = float64(tc.best)
			}
			if got := m.Params()[0].Value.At(0, 0); got != want {
				t.Errorf("weights mark epoch %v, want %v", got, want)
			}
		})
	}
}

// TestEarlyStoppingSettings checks that NewTrainer refuses EarlyStopping
// settings out of range with an error naming the field (MinDelta NaN or
// +Inf used to stop after 4 epochs while the loss fell).
func TestEarlyStoppingSettings(t *testing.T) {
	m := testNet(t, 1, 2, 2)
	for _, tc := range []struct {
		es    EarlyStopping
		field string
	}{
		{EarlyStopping{MinDelta: math.NaN()}, "MinDelta"},
		{EarlyStopping{MinDelta: math.Inf(1)}, "MinDelta"},
		{EarlyStopping{MinDelta: -0.1}, "MinDelta"},
		{EarlyStopping{Patience: -1}, "Patience"},
		{EarlyStopping{Mode: "up"}, "Mode"},
	} {
		_, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Hooks: []Hook{&tc.es}})
		if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "EarlyStopping."+tc.field) {
			t.Errorf("%+v: %v, want ErrSetting naming EarlyStopping.%s", tc.es, err, tc.field)
		}
	}

	// Fit refuses a monitor the history does not record, and best weights
	// of a model of another shape.
	checkErrorCases(t, []errorCase{
		{"EarlyStopping on a missing metric", func(t *testing.T) error {
			s := TrainerSettings{Metrics: []Metric{&Accuracy{}}, Hooks: []Hook{&EarlyStopping{Monitor: "val_f1"}}}
			return fitSmall(t, smallNet(t), &CrossEntropy{}, s, smallLabeled(t), smallLabeled(t))
		}, []error{ErrSetting}, []string{`EarlyStopping monitors "val_f1"`}},
		{"EarlyStopping on val_loss without validation", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{&EarlyStopping{}}}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{`EarlyStopping monitors "val_loss", which the history does not record`}},
		{"EarlyStopping reused on a larger model", func(t *testing.T) error {
			es := &EarlyStopping{Monitor: "loss", RestoreBest: true}
			if err := fitSmall(t, testNet(t, 1, 2, 2), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{es}}, smallLabeled(t), nil); err != nil {
				t.Fatal(err)
			}
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{Hooks: []Hook{es}}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"EarlyStopping holds the best weights of a model of another shape"}},
	})
}
