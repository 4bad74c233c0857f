package tabular

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// TestMonitor checks that MLPSettings.Monitor scores its rows after every
// epoch, for a classifier and a regressor, without changing training: the
// weights and training losses are those of a fit without it, and the last
// epoch's val score is the fitted model's Score on the monitored table.
func TestMonitor(t *testing.T) {
	for _, name := range []string{"classifier 3 classes relu alpha 0", "regressor 2 outputs tanh alpha 1e-2"} {
		t.Run(name, func(t *testing.T) {
			tab, s := trajectoryTable(t, name)
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
			fit := func(s MLPSettings) *FittedMLP {
				t.Helper()
				var (
					m   *FittedMLP
					err error
				)
				if strings.HasPrefix(name, "classifier") {
					m, err = MLPClassifier(s).Fit(context.Background(), train)
				} else {
					m, err = MLPRegressor(s).Fit(context.Background(), train)
				}
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			plain := fit(s)
			s.Monitor = mon
			watched := fit(s)
			for l, c := range plain.Weights().Coefs {
				if !mat.Equal(c, watched.Weights().Coefs[l]) {
					t.Errorf("Monitor changed the weights of layer %d", l)
				}
			}
			hp, hw := plain.History(), watched.History()
			if len(hp.Epochs) != len(hw.Epochs) {
				t.Fatalf("%d epochs with Monitor, %d without", len(hw.Epochs), len(hp.Epochs))
			}
			for i := range hp.Epochs {
				if hp.Epochs[i].Loss != hw.Epochs[i].Loss {
					t.Fatalf("epoch %d: loss %v with Monitor, %v without", i, hw.Epochs[i].Loss, hp.Epochs[i].Loss)
				}
				if len(hw.Epochs[i].ValMetrics) != 1 || math.IsNaN(hw.Epochs[i].ValLoss) {
					t.Fatalf("epoch %d: no validation figures with Monitor: %+v", i, hw.Epochs[i])
				}
			}
			score, err := watched.Score(mon)
			if err != nil {
				t.Fatal(err)
			}
			if last := hw.Epochs[len(hw.Epochs)-1].ValMetrics[0]; math.Abs(last-score) > 1e-12 {
				t.Errorf("last epoch's val score %v, Score on the monitored table %v", last, score)
			}
			if hw.MetricNames[0] != map[bool]string{true: "accuracy", false: "r2"}[strings.HasPrefix(name, "classifier")] {
				t.Errorf("metric names %v", hw.MetricNames)
			}
		})
	}
}

// TestMonitorRejected checks Monitor with EarlyStopping, with other target
// columns and with an unknown label.
func TestMonitorRejected(t *testing.T) {
	tab, s := trajectoryTable(t, "classifier 3 classes relu alpha 0")
	es := s
	es.EarlyStopping, es.Monitor = true, tab
	if _, err := MLPClassifier(es).Fit(context.Background(), tab); !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), "Monitor") {
		t.Errorf("Monitor with EarlyStopping: %v", err)
	}
	other := tab.Subset([]int{0, 1, 2})
	other.Targets[0].Name = "kind"
	s.Monitor = other
	if _, err := MLPClassifier(s).Fit(context.Background(), tab); !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), `"kind"`) {
		t.Errorf("Monitor with another target: %v", err)
	}
	unknown := tab.Subset([]int{0, 1, 2})
	unknown.Targets[0].Categories = append([]string(nil), unknown.Targets[0].Categories...)
	unknown.Targets[0].Categories[int(unknown.Targets[0].Values[0])] = "zebra"
	s.Monitor = unknown
	if _, err := MLPClassifier(s).Fit(context.Background(), tab); !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), "Monitor") {
		t.Errorf("Monitor with an unknown label: %v", err)
	}
}
