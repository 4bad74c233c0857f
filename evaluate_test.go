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

// TestWeightedSetLoss checks the whole-set weighted mean against PyTorch's
// F.cross_entropy(z, y, weight=[2, 4, 6]) over two samples, whatever the
// batch size: batches of 1 used to give the mean of the two batch losses
// (1.2212 for the first case, 1.0896926800410744 for the second).
func TestWeightedSetLoss(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     int
		w      []float64 // in×3
		b      []float64
		x      []float64 // 2×in
		labels []int
		want   float64 // PyTorch
	}{
		{"Linear(2->3)", 2, []float64{0.5, -0.2, 0.1, 0.3, 0.8, -0.4}, []float64{0.1, 0, -0.1},
			[]float64{1, 2, -1, 0.5}, []int{0, 2}, 1.403196372768357},
		{"logits [-0.119 0 0], [0 0.152 0]", 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, []float64{0, 0, 0},
			[]float64{-0.119, 0, 0, 0, 0.152, 0}, []int{0, 1}, 1.0597576841103455},
	} {
		lin := NewLinear(tc.in, 3, rand.NewPCG(1, 1))
		if err := lin.SetParams(mat.NewDense(tc.in, 3, tc.w), tc.b); err != nil {
			t.Fatal(err)
		}
		m, err := NewSequential(lin, &Softmax{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewDataset(mat.NewDense(2, tc.in, tc.x), Targets{Labels: tc.labels})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(m, &CrossEntropy{Weights: []float64{2, 4, 6}}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
		if err != nil {
			t.Fatal(err)
		}
		for _, bs := range []int{1, 2} {
			s, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: bs}))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(s.Loss-tc.want) > 1e-14 {
				t.Errorf("%s, batch %d: loss %.17g, want PyTorch's %.17g", tc.name, bs, s.Loss, tc.want)
			}
		}
	}
}

// TestSetFiguresIndependentOfBatchSize evaluates every loss and metric of
// the package, streamed over batches of 1, 2, 3 and all 7 samples, and
// checks that each whole-set figure is the same at every batch size (to
// 1e-12) and equals Fit's val_loss and val_ metrics.
func TestSetFiguresIndependentOfBatchSize(t *testing.T) {
	src := rand.NewPCG(4, 4)
	x := mat.NewDense(7, 3, nil)
	vals := mat.NewDense(7, 2, nil)
	rng := rand.New(src)
	for i := range 7 {
		for j := range 3 {
			x.Set(i, j, rng.NormFloat64())
		}
		vals.Set(i, 0, rng.NormFloat64()+3)
		vals.Set(i, 1, rng.NormFloat64()-1)
	}
	labels3 := []int{0, 1, 2, 2, 1, 0, 2}
	labels2 := []int{0, 1, 1, 1, 0, 0, 1}
	model := func(out int, last ...Layer) *Sequential {
		m, err := NewSequential(append([]Layer{NewLinear(3, out, rand.NewPCG(6, 6))}, last...)...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	classMetrics := func() []Metric {
		return []Metric{&Accuracy{}, &MacroAverage{}, &MacroAverage{Score: Precision}, &MacroAverage{Score: Recall}}
	}
	for _, tc := range []struct {
		name    string
		m       *Sequential
		loss    Loss
		y       Targets
		metrics []Metric
	}{
		{"CrossEntropy", model(3, &Softmax{}), &CrossEntropy{}, Targets{Labels: labels3}, classMetrics()},
		{"CrossEntropy weighted smoothed", model(3, &Softmax{}), &CrossEntropy{Weights: []float64{2, 4, 6}, Smoothing: 0.1}, Targets{Labels: labels3}, classMetrics()},
		{"CrossEntropy FromLogits weighted", model(3), &CrossEntropy{Weights: []float64{1, 0.5, 3}, FromLogits: true}, Targets{Labels: labels3}, classMetrics()},
		{"BinaryCrossEntropy", model(1, &Sigmoid{}), &BinaryCrossEntropy{}, Targets{Labels: labels2}, classMetrics()},
		{"MSE", model(2), &MSE{}, Targets{Values: vals}, []Metric{&RMSE{}, &MAE{}, &R2{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDataset(x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(tc.m, tc.loss, mustSGD(t, tc.m, SGDSettings{LR: 1e-300}), TrainerSettings{Metrics: tc.metrics})
			if err != nil {
				t.Fatal(err)
			}
			ref, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 7}))
			if err != nil {
				t.Fatal(err)
			}
			for _, bs := range []int{1, 2, 3, 7} {
				l := mustLoader(t, d, LoaderSettings{BatchSize: bs})
				s, err := tr.Evaluate(context.Background(), l)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(s.Loss-ref.Loss) > 1e-12 {
					t.Errorf("batch %d: loss %.17g, want %.17g as over the whole set", bs, s.Loss, ref.Loss)
				}
				for name, v := range s.Metrics {
					if math.Abs(v-ref.Metrics[name]) > 1e-12 {
						t.Errorf("batch %d: %s %.17g, want %.17g", bs, name, v, ref.Metrics[name])
					}
				}
				// Fit's validation figures are the same whole-set numbers
				// (the learning rate of 1e-300 leaves the weights as
				// they are).
				h, err := tr.Fit(context.Background(), l, l, 1)
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := h.Metric("val_loss"); math.Abs(got[0]-ref.Loss) > 1e-12 {
					t.Errorf("batch %d: val_loss %.17g, want %.17g", bs, got[0], ref.Loss)
				}
				for name, want := range ref.Metrics {
					if got, err := h.Metric("val_" + name); err != nil || math.Abs(got[0]-want) > 1e-12 {
						t.Errorf("batch %d: val_%s %v (%v), want %.17g", bs, name, got, err, want)
					}
				}
			}
		})
	}
}

// TestEvaluateNonFiniteLoss checks that a loss that is not finite on finite
// data is an error naming the batch, never a NaN figure with a nil error:
// weights of 1e300 overflow the logits to Inf and the Softmax to NaN.
func TestEvaluateNonFiniteLoss(t *testing.T) {
	lin := NewLinear(2, 2, rand.NewPCG(1, 1))
	if err := lin.SetParams(mat.NewDense(2, 2, []float64{1e300, -1e300, 1e300, 1e300}), []float64{0, 0}); err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(lin, &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDataset(mat.NewDense(3, 2, []float64{0, 0, 1e10, 1e10, 1, 1}), Targets{Labels: []int{0, 1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: []Metric{&Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 1}))
	var de *DivergenceError
	if !errors.As(err, &de) || de.Batch != 1 || de.What != "evaluation loss" || !strings.Contains(err.Error(), "the evaluation loss of batch 1 at epoch 0 is not finite") {
		t.Errorf("Evaluate: %v, want a DivergenceError of the evaluation loss of batch 1", err)
	}
}

// TestEvaluateErrors checks that Evaluate refuses data that does not fit
// the model, a nil source, a Trainer not made by NewTrainer and a model
// changed since.
func TestEvaluateErrors(t *testing.T) {
	ctx := context.Background()
	checkErrorCases(t, []errorCase{
		{"layer replaced after NewTrainer", func(t *testing.T) error {
			m := smallNet(t)
			tr := smallTrainer(t, m, TrainerSettings{})
			if err := m.SetLayer(1, &Tanh{}); err != nil {
				return err
			}
			_, err := tr.Evaluate(ctx, mustLoader(t, smallLabeled(t), LoaderSettings{}))
			return err
		}, []error{ErrSetting}, []string{"layer 1 ReLU was replaced by Tanh"}},
		{"wrong width", func(t *testing.T) error {
			d, err := NewDataset(mat.NewDense(2, 5, nil), Targets{Labels: []int{0, 1}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = smallTrainer(t, smallNet(t), TrainerSettings{}).Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{}))
			return err
		}, []error{ErrData}, []string{"evaluation data has 5 features, the model takes 2"}},
		{"nil loader", func(t *testing.T) error {
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Evaluate(context.Background(), nil)
			return err
		}, []error{ErrData}, []string{"evaluation data source is nil"}},
		{"zero Trainer", func(t *testing.T) error {
			_, err := (&Trainer{}).Evaluate(context.Background(), mustLoader(t, smallLabeled(t), LoaderSettings{}))
			return err
		}, []error{ErrSetting}, []string{"Evaluate"}},
	})
}
