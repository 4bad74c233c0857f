package experiment_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/internal/experiment"
)

// TestQuality trains the example models on the embedded data sets, on the
// 80/20 splits of seeds 1 to 5, and requires a mean validation accuracy at
// least as good as the reference figures of the same models.
func TestQuality(t *testing.T) {
	tests := []struct {
		name    string
		dataset string
		spec    experiment.Spec
		min     float64 // mean validation accuracy over the seeds
	}{
		{"breast_cancer/30-16-2", "breast_cancer.csv", experiment.Spec{Hidden: []int{16}, Epochs: 100, Batch: 50, LR: 0.1}, 0.96},
		{"breast_cancer/30-2", "breast_cancer.csv", experiment.Spec{Epochs: 20, Batch: 50, LR: 0.1}, 0.95},
		{"iris/4-16-3", "iris.csv", experiment.Spec{Hidden: []int{16}, Epochs: 200, Batch: 16, LR: 0.1}, 0.94},
		{"digits/64-128-10", "digits.csv", experiment.Spec{Hidden: []int{128}, Epochs: 30, Batch: 32, LR: 0.1}, 0.96},
	}
	seeds := []uint64{1, 2, 3, 4, 5}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu  sync.Mutex
				acc = make([]float64, len(seeds))
			)
			t.Run("seeds", func(t *testing.T) {
				for i, seed := range seeds {
					t.Run(fmt.Sprint(seed), func(t *testing.T) {
						t.Parallel()
						r, err := datasets.Open(tt.dataset)
						if err != nil {
							t.Fatal(err)
						}
						d, err := experiment.Prepare(r, "", seed, 0.2)
						if err != nil {
							t.Fatal(err)
						}
						res, err := d.Fit(context.Background(), tt.spec)
						if err != nil {
							t.Fatal(err)
						}
						mu.Lock()
						acc[i] = res.ValAccuracy
						mu.Unlock()
					})
				}
			})
			if t.Failed() {
				return
			}
			var mean float64
			for i, a := range acc {
				t.Logf("seed %d: validation accuracy %.4f", seeds[i], a)
				mean += a
			}
			mean /= float64(len(acc))
			t.Logf("mean %.4f (minimum %.2f)", mean, tt.min)
			if mean < tt.min {
				t.Errorf("mean validation accuracy %.4f over seeds %v is below %.2f", mean, seeds, tt.min)
			}
		})
	}
}
