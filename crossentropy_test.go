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

// sixRows is a two-class problem of 6 rows and 2 features.
func sixRows(t *testing.T) *Dataset {
	t.Helper()
	x := mat.NewDense(6, 2, []float64{0, 1, 1, 0, 2, 1, -1, 0, 0, -2, -1, -1})
	d, err := NewDataset(x, Targets{Labels: []int{1, 1, 1, 0, 0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCrossEntropyWithoutSoftmax checks the PyTorch habit of feeding
// CrossEntropy a model with no final Softmax: refused at NewTrainer with an
// error naming both fixes (it used to train silently to a loss of -2.57),
// and trained correctly with FromLogits: the same losses as the model that
// ends in Softmax, always positive.
func TestCrossEntropyWithoutSoftmax(t *testing.T) {
	d := sixRows(t)
	linear := func() *Sequential {
		m, err := NewSequential(NewLinear(2, 2, rand.NewPCG(5, 5)))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := linear()
	_, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.5}), TrainerSettings{})
	if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "add a final Softmax") || !strings.Contains(err.Error(), "FromLogits") {
		t.Fatalf("CrossEntropy on Linear(2,2): %v, want ErrSetting naming Softmax and FromLogits", err)
	}

	fit := func(m *Sequential, loss Loss) *History {
		tr, err := NewTrainer(m, loss, mustSGD(t, m, SGDSettings{LR: 0.5}), TrainerSettings{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 6}), nil, 200)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	logits := fit(linear(), &CrossEntropy{FromLogits: true})
	sm, err := NewSequential(NewLinear(2, 2, rand.NewPCG(5, 5)), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	probs := fit(sm, &CrossEntropy{})
	for i, e := range logits.Epochs {
		if !(e.Loss > 0) || math.Abs(e.Loss-probs.Epochs[i].Loss) > 1e-12 {
			t.Fatalf("epoch %d: FromLogits loss %.17g, Softmax model %.17g; want equal and positive", i, e.Loss, probs.Epochs[i].Loss)
		}
	}
	if last := logits.Epochs[199].Loss; last > 0.05 {
		t.Errorf("FromLogits loss after 200 epochs %v, want below 0.05", last)
	}

	withSoftmax, err := NewSequential(NewLinear(2, 2, rand.NewPCG(5, 5)), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewTrainer(withSoftmax, &CrossEntropy{FromLogits: true}, mustSGD(t, withSoftmax, SGDSettings{LR: 0.5}), TrainerSettings{})
	if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "remove the final Softmax") {
		t.Errorf("FromLogits on a model ending in Softmax: %v, want ErrSetting saying to remove it", err)
	}
}

// identityNet returns Linear(k, k) with identity weights and zero bias,
// followed by last: its logits are its input.
func identityNet(t *testing.T, k int, last ...Layer) *Sequential {
	t.Helper()
	lin := NewLinear(k, k, rand.NewPCG(1, 1))
	eye := mat.NewDense(k, k, nil)
	for i := range k {
		eye.Set(i, i, 1)
	}
	if err := lin.SetParams(eye, make([]float64, k)); err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(append([]Layer{lin}, last...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExactLoss checks that losses are computed from the logits wherever
// they are known, as PyTorch reports them: Softmax + CrossEntropy by
// log-sum-exp (logits [-431, 279, 427], label 0: 858, where the clip at
// 1e-8 gave 18.42), CrossEntropy with FromLogits alike, and Sigmoid +
// BinaryCrossEntropy by softplus (logits -800 with label 1 and 30 with
// label 0: PyTorch's BCEWithLogitsLoss gives 415). The same values come
// from Backprop and from Evaluate.
func TestExactLoss(t *testing.T) {
	identity := func(k int, last ...Layer) *Sequential { return identityNet(t, k, last...) }
	for _, tc := range []struct {
		name string
		m    *Sequential
		loss Loss
		x    *mat.Dense
		y    []int
		want float64
	}{
		{"Softmax+CrossEntropy", identity(3, &Softmax{}), &CrossEntropy{}, mat.NewDense(1, 3, []float64{-431, 279, 427}), []int{0}, 858},
		{"CrossEntropy FromLogits", identity(3), &CrossEntropy{FromLogits: true}, mat.NewDense(1, 3, []float64{-431, 279, 427}), []int{0}, 858},
		{"Sigmoid+BinaryCrossEntropy", identity(1, &Sigmoid{}), &BinaryCrossEntropy{}, mat.NewDense(2, 1, []float64{-800, 30}), []int{1, 0}, 415.00000000000006},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := Targets{Labels: tc.y}
			tc.m.Forward(tc.x)
			if got := Backprop(tc.m, tc.loss, y); math.Abs(got-tc.want) > 1e-12*tc.want {
				t.Errorf("Backprop loss %.17g, want %.17g", got, tc.want)
			}
			tr, err := NewTrainer(tc.m, tc.loss, mustSGD(t, tc.m, SGDSettings{LR: 0.1}), TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			d, err := NewDataset(tc.x, y)
			if err != nil {
				t.Fatal(err)
			}
			s, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{}))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(s.Loss-tc.want) > 1e-12*tc.want {
				t.Errorf("Evaluate loss %.17g, want %.17g", s.Loss, tc.want)
			}
		})
	}
}

// TestZeroWeightBatch checks CrossEntropy{Weights: {0, 1}}: a batch whose
// labels all weigh 0 has loss 0 and gradient 0 (PyTorch gives NaN), so a
// training step on it is not a divergence and changes nothing; a whole set
// whose labels all weigh 0 is an error wrapping ErrData, from Fit and
// Evaluate alike.
func TestZeroWeightBatch(t *testing.T) {
	ce := &CrossEntropy{Weights: []float64{0, 1}}
	p := mat.NewDense(2, 2, []float64{0.3, 0.7, 0.6, 0.4})
	y := Targets{Labels: []int{0, 0}}
	if l := ce.Loss(p, y); l != 0 {
		t.Errorf("Loss = %v, want 0", l)
	}
	for name, g := range map[string]*mat.Dense{
		"Grad":      mat.DenseCopyOf(ce.Grad(p, y)),
		"fusedGrad": mat.DenseCopyOf(ce.fusedGrad(&Softmax{}, p, y)),
	} {
		if !mat.Equal(g, mat.NewDense(2, 2, nil)) {
			t.Errorf("%s = %v, want 0", name, mat.Formatted(g))
		}
	}
	logits := &CrossEntropy{Weights: []float64{0, 1}, FromLogits: true}
	if l, g := logits.Loss(p, y), logits.Grad(p, y); l != 0 || !mat.Equal(g, mat.NewDense(2, 2, nil)) {
		t.Errorf("FromLogits: loss %v, gradient %v; want 0 and 0", l, mat.Formatted(g))
	}

	// Sorted labels in batches of 2: the first batch is all class 0.
	x := mat.NewDense(4, 2, []float64{1, 0, 2, 0, 0, 1, 0, 2})
	d, err := NewDataset(x, Targets{Labels: []int{0, 0, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	m := testNet(t, 3, 2, 2)
	tr, err := NewTrainer(m, ce, mustSGD(t, m, SGDSettings{LR: 0.5}), TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 2}), nil, 3)
	if err != nil {
		t.Fatalf("Fit with an all-zero-weight batch: %v, want nil", err)
	}
	if l := h.Epochs[2].Loss; !(l > 0) || math.IsInf(l, 0) {
		t.Errorf("training loss %v, want the finite positive loss of the class-1 batches", l)
	}
	zeros, err := NewDataset(mat.NewDense(2, 2, []float64{1, 0, 2, 0}), Targets{Labels: []int{0, 0}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Evaluate(context.Background(), mustLoader(t, zeros, LoaderSettings{BatchSize: 1}))
	if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "total weight 0") {
		t.Errorf("Evaluate of a set of zero weight: %v, want ErrData saying total weight 0", err)
	}
	_, err = tr.Fit(context.Background(), mustLoader(t, zeros, LoaderSettings{BatchSize: 1}), nil, 1)
	if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "total weight 0") {
		t.Errorf("Fit on a set of zero weight: %v, want ErrData saying total weight 0", err)
	}
}

// TestProbabilityLossOnLogits checks the low-level path NewTrainer does not
// guard: Backprop or Loss of a probability loss given logits panics with
// ErrMisuse, naming the fix, instead of reporting a negative loss.
func TestProbabilityLossOnLogits(t *testing.T) {
	m, err := NewSequential(NewLinear(2, 2, rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	m.Forward(mat.NewDense(2, 2, []float64{3, -4, 5, 1}))
	err = panicError(func() { Backprop(m, &CrossEntropy{}, Targets{Labels: []int{0, 1}}) })
	if !errors.Is(err, ErrMisuse) || !strings.Contains(err.Error(), "FromLogits") {
		t.Errorf("Backprop of CrossEntropy on logits: panic %v, want ErrMisuse naming FromLogits", err)
	}
	err = panicError(func() { (&BinaryCrossEntropy{}).Loss(mat.NewDense(1, 1, []float64{1.5}), Targets{Labels: []int{1}}) })
	if !errors.Is(err, ErrMisuse) || !strings.Contains(err.Error(), "not a probability") {
		t.Errorf("BinaryCrossEntropy.Loss of 1.5: panic %v, want ErrMisuse", err)
	}
	if l := (&CrossEntropy{}).Loss(mat.NewDense(1, 2, []float64{math.NaN(), 0.5}), Targets{Labels: []int{0}}); !math.IsNaN(l) {
		t.Errorf("CrossEntropy.Loss of NaN = %v, want NaN (NaN in, NaN out)", l)
	}
}

// TestCrossEntropySettingsErrors checks that Fit refuses CrossEntropy
// settings out of range, naming the field or class.
func TestCrossEntropySettingsErrors(t *testing.T) {
	nan := math.NaN()
	checkErrorCases(t, []errorCase{
		{"CrossEntropy smoothing 1", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{Smoothing: 1}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy.Smoothing 1"}},
		{"CrossEntropy weights of another class count", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{Weights: []float64{1, 1, 1}}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy.Weights has 3 class weights for a model with 2 outputs"}},
		{"CrossEntropy weight NaN", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{Weights: []float64{1, nan}}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"weight NaN of class 1"}},
	})
}
