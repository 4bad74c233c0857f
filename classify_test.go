package mlp

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sigmoidModel returns Linear(in, 1) + Sigmoid with the given weights.
func sigmoidModel(t *testing.T, w []float64, b float64) *Sequential {
	t.Helper()
	lin := NewLinear(len(w), 1, rand.NewPCG(1, 1))
	if err := lin.SetParams(mat.NewDense(len(w), 1, w), []float64{b}); err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(lin, &Sigmoid{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOneColumnClasses trains Linear(1,1)+Sigmoid with BinaryCrossEntropy on
// x = [-2, -1, 1, 2], labels [0, 0, 1, 1], and checks that every place that
// reads a class (Accuracy in Fit and Evaluate, PredictClasses, Classify,
// the class counts of MacroAverage) gives the same classes [0 0 1 1]:
// PredictClasses used to take the largest column and gave [0 0 0 0].
func TestOneColumnClasses(t *testing.T) {
	x := mat.NewDense(4, 1, []float64{-2, -1, 1, 2})
	d, err := NewDataset(x, Targets{Labels: []int{0, 0, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	m := sigmoidModel(t, []float64{0.1}, -0.3)
	tr, err := NewTrainer(m, &BinaryCrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 1}),
		TrainerSettings{Metrics: []Metric{&Accuracy{}, &MacroAverage{}}})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLoader(t, d, LoaderSettings{BatchSize: 4})
	h, err := tr.Fit(context.Background(), l, l, 50)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := h.Metric("val_accuracy")
	if err != nil {
		t.Fatal(err)
	}
	if got := acc[len(acc)-1]; got != 1 {
		t.Errorf("val_accuracy after 50 epochs = %v, want 1", got)
	}
	s, err := tr.Evaluate(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if s.Metrics["accuracy"] != 1 || s.Metrics["macro_f1"] != 1 {
		t.Errorf("Evaluate: %v, want accuracy and macro_f1 1", s.Metrics)
	}
	want := []int{0, 0, 1, 1}
	got, err := m.PredictClasses(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("PredictClasses = %v, want %v", got, want)
	}
	p, err := m.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}
	if got := Classify(p, nil); !slices.Equal(got, want) {
		t.Errorf("Classify = %v, want %v", got, want)
	}
}

// TestCannotChoose checks that NewTrainer refuses, with a classification
// loss or metric, a model whose one output column cannot express a choice,
// and that the message says what to build instead.
func TestCannotChoose(t *testing.T) {
	src := rand.NewPCG(2, 2)
	oneSoftmax, err := NewSequential(NewLinear(2, 1, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	oneLinear, err := NewSequential(NewLinear(2, 1, src))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		m       *Sequential
		loss    Loss
		metrics []Metric
		want    []string
	}{
		{"softmax over one column, MSE alone", oneSoftmax, &MSE{}, nil, nil},
		{"softmax over one column, CrossEntropy", oneSoftmax, &CrossEntropy{}, nil,
			[]string{"CrossEntropy needs one column per class", "Linear(in, 2) and Softmax", "BinaryCrossEntropy"}},
		{"softmax over one column, BinaryCrossEntropy", oneSoftmax, &BinaryCrossEntropy{}, nil,
			[]string{"ends in Softmax", "Sigmoid"}},
		{"accuracy on one softmax column", oneSoftmax, nil, []Metric{&Accuracy{}},
			[]string{"always outputs 1", "Sigmoid", "Softmax"}},
		{"macro_recall on one linear column", oneLinear, nil, []Metric{&MacroAverage{Score: Recall}},
			[]string{"macro_recall", "probability of class 1", "Sigmoid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loss := tc.loss
			if loss == nil {
				loss = &customLoss{}
			}
			_, err := NewTrainer(tc.m, loss, mustSGD(t, tc.m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: tc.metrics})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("NewTrainer: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrSetting) {
				t.Fatalf("NewTrainer: %v, want an error wrapping ErrSetting", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// customLoss is a user's loss that says nothing about itself: the mean of
// the outputs.
type customLoss struct{ grad mat.Dense }

func (c *customLoss) Loss(pred *mat.Dense, _ Targets) float64 {
	r, k := pred.Dims()
	return mat.Sum(pred) / float64(r*k)
}

func (c *customLoss) Grad(pred *mat.Dense, _ Targets) *mat.Dense {
	r, k := pred.Dims()
	reuse(&c.grad, r, k)
	for i := range r {
		for j := range k {
			c.grad.Set(i, j, 1/float64(r*k))
		}
	}
	return &c.grad
}

// TestMacroClassCap checks the one class cap: a model wider than MaxClasses
// is refused by NewTrainer with a macro metric, and an Update with more
// columns panics (ErrData) instead of allocating a columns² matrix, as
// NewConfusionMatrix refuses more classes.
func TestMacroClassCap(t *testing.T) {
	wide := MaxClasses + 1
	m, err := NewSequential(NewLinear(1, wide, rand.NewPCG(1, 1)), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	for _, metric := range []Metric{&MacroAverage{}, &MacroAverage{Score: Precision}, &MacroAverage{Score: Recall}, &Accuracy{}} {
		_, err := NewTrainer(m, &MSE{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: []Metric{metric}})
		if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "at most 4096 classes") {
			t.Errorf("%s on %d outputs: NewTrainer error %v, want ErrSetting naming the cap of 4096", metric.Name(), wide, err)
		}
	}
	pred := mat.NewDense(1, wide, nil)
	for _, metric := range []Metric{&MacroAverage{}, &MacroAverage{Score: Precision}, &MacroAverage{Score: Recall}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		perr := panicError(func() { metric.Update(pred, Targets{Labels: []int{0}}) })
		runtime.ReadMemStats(&after)
		if !errors.Is(perr, ErrData) || !strings.Contains(perr.Error(), "at most 4096") {
			t.Errorf("%s.Update with %d columns: panic %v, want ErrData naming the cap", metric.Name(), wide, perr)
		}
		// A 4097×4097 count matrix would take 134 MB.
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s.Update with %d columns allocated %d bytes before refusing", metric.Name(), wide, n)
		}
	}
	if _, err := NewConfusionMatrix([]int{0}, []int{0}, make([]string, wide)); !errors.Is(err, ErrSetting) {
		t.Errorf("NewConfusionMatrix with %d class names: %v, want ErrSetting", wide, err)
	}
	if _, err := NewConfusionMatrix([]int{0}, []int{wide - 1}, nil); !errors.Is(err, ErrData) {
		t.Errorf("NewConfusionMatrix with class index %d: %v, want ErrData", wide-1, err)
	}
	if MaxClasses != 4096 {
		t.Errorf("MaxClasses = %d, want 4096", MaxClasses)
	}
}
