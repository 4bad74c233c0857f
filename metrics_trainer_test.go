package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestImbalanceMetricsInEvaluate checks that Evaluate, in batches of 7,
// gives each metric the figure of its function on the whole set of the
// model's probabilities, with the data's sample weights.
func TestImbalanceMetricsInEvaluate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	n := 60
	x := mat.NewDense(n, 4, nil)
	labels, weights := make([]int, n), make([]float64, n)
	for i := range n {
		labels[i] = i % 3
		weights[i] = float64(rng.IntN(4)) // some 0
		for j := range 4 {
			x.Set(i, j, rng.NormFloat64()+float64(labels[i]*j)/3)
		}
	}
	for _, weighted := range []bool{false, true} {
		y := Targets{Labels: labels}
		if weighted {
			y.Weights = weights
		}
		d, err := NewDataset(x, y)
		if err != nil {
			t.Fatal(err)
		}
		m := testNet(t, 2, 4, 5, 3)
		metrics := []Metric{&BalancedAccuracy{}, &ROCAUC{}, &AveragePrecision{}, &LogLoss{}}
		tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: metrics})
		if err != nil {
			t.Fatal(err)
		}
		s, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 7}))
		if err != nil {
			t.Fatal(err)
		}
		proba, err := m.PredictProba(x)
		if err != nil {
			t.Fatal(err)
		}
		ba, _ := BalancedAccuracyScore(Classify(proba, nil), labels, y.Weights)
		auc, _ := ROCAUCScore(proba, labels, y.Weights)
		ap, _ := AveragePrecisionScore(proba, labels, y.Weights)
		ll, _ := LogLossScore(proba, labels, y.Weights)
		for name, want := range map[string]float64{"balanced_accuracy": ba, "roc_auc": auc, "average_precision": ap, "log_loss": ll} {
			if got := s.Metrics[name]; math.Abs(got-want) > 1e-12*want {
				t.Errorf("weighted %v: Evaluate's %s = %.17g, the function's %.17g", weighted, name, got, want)
			}
		}
		if unweighted, _ := ROCAUCScore(proba, labels, nil); weighted && unweighted == auc {
			t.Errorf("the weights do not change the AUC (%v): the test cannot tell them apart", auc)
		}
	}
}
