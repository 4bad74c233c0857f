package tabular

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpkit/mlp"
)

// TestMLPFloat32 fits the classifier on wine and the regressor on
// diabetes with DType mlp.Float32 and mlp.Float64 from the same seed, and
// checks that the held-out scores (20% of the rows, seed 4) differ by at
// most 0.005: accuracy for the classifier, R² for the regressor. The
// last training losses must differ (the setting reaches the trainer) by at
// most 1e-4 relative (float32's rounding over 100 epochs of Adam).
func TestMLPFloat32(t *testing.T) {
	for _, c := range []struct {
		name   string
		tab    *Table
		fit    func(s MLPSettings, tab *Table) (*FittedMLP, error)
		hidden []int
	}{
		{"classifier/wine", wineTable(t), func(s MLPSettings, tab *Table) (*FittedMLP, error) {
			return MLPClassifier(s).Fit(context.Background(), tab)
		}, []int{16}},
		{"regressor/diabetes", readTable(t, "../internal/datasets/diabetes.csv", "target"), func(s MLPSettings, tab *Table) (*FittedMLP, error) {
			return MLPRegressor(s).Fit(context.Background(), tab)
		}, []int{32}},
	} {
		t.Run(c.name, func(t *testing.T) {
			train, test, err := SplitTable(c.tab, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(4, 4)})
			if err != nil {
				t.Fatal(err)
			}
			score, loss := map[mlp.DType]float64{}, map[mlp.DType]float64{}
			for _, d := range []mlp.DType{mlp.Float64, mlp.Float32} {
				f, err := c.fit(MLPSettings{HiddenLayerSizes: c.hidden, MaxIter: 100, LearningRateInit: 1e-2, Seed: 3, DType: d}, train)
				if err != nil {
					t.Fatal(err)
				}
				if score[d], err = f.Score(test); err != nil {
					t.Fatal(err)
				}
				h := f.History()
				loss[d] = h.Epochs[len(h.Epochs)-1].Loss
			}
			t.Logf("held-out score %.4f in float64, %.4f in float32", score[mlp.Float64], score[mlp.Float32])
			// The setting reaches the trainer: the losses differ in their
			// last bits, and agree to float32's precision.
			l64, l32 := loss[mlp.Float64], loss[mlp.Float32]
			if l64 == l32 || math.Abs(l64-l32) > 1e-4*l64 {
				t.Errorf("last training loss %v in float64, %v in float32: want different bits within 1e-4 relative", l64, l32)
			}
			if math.Abs(score[mlp.Float64]-score[mlp.Float32]) > 0.005 {
				t.Errorf("held-out score %.4f in float64, %.4f in float32: differ by more than 0.005", score[mlp.Float64], score[mlp.Float32])
			}
		})
	}
}
