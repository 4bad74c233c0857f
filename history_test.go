package mlp

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestHistoryMetric reads figures by their Keras names from a history made
// by hand, including one whose metric values are shorter than its names:
// an error, never a panic or the values of another figure.
func TestHistoryMetric(t *testing.T) {
	nan := math.NaN()
	h := &History{MetricNames: []string{"accuracy", "r2"}, Epochs: []Epoch{
		{Epoch: 0, LR: 0.1, Loss: 1, Metrics: []float64{0.5, 0.1}, ValLoss: 2, ValMetrics: []float64{0.4, 0.2}},
		{Epoch: 1, LR: 0.05, Loss: 0.5, Metrics: []float64{0.6, 0.3}, ValLoss: 1.5, ValMetrics: []float64{0.45}},
	}}
	for _, tc := range []struct {
		name string
		want []float64
	}{
		{"loss", []float64{1, 0.5}},
		{"lr", []float64{0.1, 0.05}},
		{"accuracy", []float64{0.5, 0.6}},
		{"r2", []float64{0.1, 0.3}},
		{"val_loss", []float64{2, 1.5}},
		{"val_accuracy", []float64{0.4, 0.45}},
		{"val_r2", nil},
		{"val_f1", nil},
		{"f1", nil},
	} {
		got, err := h.Metric(tc.name)
		if tc.want == nil {
			if !errors.Is(err, ErrSetting) {
				t.Errorf("Metric(%q) = %v, %v; want an error wrapping ErrSetting", tc.name, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Metric(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	h.Epochs[1].ValLoss = nan
	if _, err := h.Metric("val_loss"); !errors.Is(err, ErrSetting) {
		t.Errorf("val_loss missing from an epoch: %v, want ErrSetting", err)
	}
	if (&History{}).Names() != nil {
		t.Error("Names of an empty history is not nil")
	}
	if got, want := h.Names(), []string{"loss", "accuracy", "r2", "val_accuracy", "lr"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	var p ProgressLogger
	p.W = &discard{}
	if _, err := p.AfterEpoch(EpochEnd{History: h, Last: true}); err != nil {
		t.Errorf("ProgressLogger on a ragged history: %v", err)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
