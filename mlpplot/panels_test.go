package mlpplot

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot"

	"github.com/mlpkit/mlp"
)

// Metrics of alike magnitude share a panel; others get one each.
func TestPanels(t *testing.T) {
	epochs := func(metrics ...[]float64) *mlp.History {
		h := &mlp.History{}
		for i := range metrics[0] {
			e := mlp.Epoch{Epoch: i, Loss: 1, ValLoss: 0.5}
			for _, m := range metrics {
				e.ValMetrics = append(e.ValMetrics, m[i])
			}
			h.Epochs = append(h.Epochs, e)
		}
		return h
	}
	tests := []struct {
		name    string
		h       *mlp.History
		metrics []string
		want    []string // y labels of the panels
	}{
		{"one metric", epochs([]float64{0.5, 0.9}), []string{"accuracy"},
			[]string{"loss", "accuracy"}},
		{"alike", epochs([]float64{0.5, 0.9}, []float64{0.4, 0.8}), []string{"accuracy", "macro_f1"},
			[]string{"loss", "metrics"}},
		{"rmse and r2", epochs([]float64{80, 55}, []float64{-1.5, 0.5}), []string{"rmse", "r2"},
			[]string{"loss", "rmse", "r2"}},
		{"within the spread", epochs([]float64{3.5, 2}, []float64{-0.5, 0.5}), []string{"mae", "r2"},
			[]string{"loss", "metrics"}},
		{"all NaN metric left out", epochs([]float64{0.5, 0.9}, []float64{math.NaN(), math.NaN()}), []string{"accuracy", "r2"},
			[]string{"loss", "accuracy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.h.MetricNames = tt.metrics
			groups, labels, err := panels(tt.h)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(labels, tt.want) || len(groups) != len(labels) {
				t.Errorf("%d panels labelled %q, want %q", len(groups), labels, tt.want)
			}
			if n := len(groups[0]); n != 2 || groups[0][0].name != "loss" || groups[0][1].name != "val_loss" {
				t.Errorf("loss panel has %d lines, want loss and val_loss", n)
			}
			if got := groups[1][0].name; got != "val_"+tt.metrics[0] {
				t.Errorf("first metric line named %q, want %q", got, "val_"+tt.metrics[0])
			}
		})
	}
	t.Run("training metrics", func(t *testing.T) {
		h := &mlp.History{MetricNames: []string{"accuracy"}, Epochs: []mlp.Epoch{
			{Loss: 1, Metrics: []float64{0.6}, ValLoss: 0.9, ValMetrics: []float64{0.5}},
			{Epoch: 1, Loss: 0.8, Metrics: []float64{0.7}, ValLoss: 0.8, ValMetrics: []float64{0.6}},
		}}
		groups, labels, err := panels(h)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range groups[1] {
			names = append(names, s.name)
		}
		if !slices.Equal(labels, []string{"loss", "accuracy"}) || !slices.Equal(names, []string{"accuracy", "val_accuracy"}) {
			t.Errorf("panels %q, metric lines %q; want [loss accuracy] and [accuracy val_accuracy]", labels, names)
		}
	})
	t.Run("no validation", func(t *testing.T) {
		h := &mlp.History{MetricNames: []string{"accuracy"}, Epochs: []mlp.Epoch{{Loss: 1, ValLoss: math.NaN()}}}
		groups, labels, err := panels(h)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 1 || len(groups[0]) != 1 || labels[0] != "loss" {
			t.Errorf("panels %q with %d lines, want the training loss alone", labels, len(groups[0]))
		}
	})
}

func TestEpochTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []string
	}{
		{0, 1, []string{"0", "1"}},
		{0, 8, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
		{0, 29, []string{"0", "5", "10", "15", "20", "25"}},
		{-0.4, 199.2, []string{"0", "50", "100", "150"}},
		{3, 7, []string{"3", "4", "5", "6", "7"}},
		{98, 1003, []string{"200", "400", "600", "800", "1000"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (epochTicks{}).Ticks(tt.lo, tt.hi) {
			got = append(got, tk.Label)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Ticks(%v, %v) labels %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// Over a narrow range gonum's default labels repeat ("1.2" three times
// over [1.2, 1.25]); distinctTicks writes more digits.
func TestDistinctTicks(t *testing.T) {
	for _, r := range [][2]float64{{1.2, 1.25}, {0, 1}, {2800, 6000}, {0.30001, 0.30002}} {
		ticks := (distinctTicks{}).Ticks(r[0], r[1])
		if repeated(ticks) {
			t.Errorf("range %v: repeated labels in %v", r, ticks)
		}
		labelled := 0
		for _, tk := range ticks {
			if tk.Label != "" {
				labelled++
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: %d labelled ticks, want at least 2", r, labelled)
		}
	}
	if !repeated([]plot.Tick{{Value: 1.2, Label: "1.2"}, {Value: 1.22, Label: "1.2"}}) {
		t.Error("repeated misses a repeated label")
	}
}
