package mlp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// blobs returns n samples of f features in k Gaussian clusters, with their
// class labels.
func blobs(n, f, k int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := mat.NewDense(n, f, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % k
		labels[i] = c
		for j := 0; j < f; j++ {
			center := 0.0
			if j%k == c {
				center = 2
			}
			x.Set(i, j, center+rng.NormFloat64())
		}
	}
	d, err := NewDataset(x, Targets{Labels: labels})
	if err != nil {
		panic(err)
	}
	return d
}

func testNet(t testing.TB, seed uint64, sizes ...int) *Sequential {
	t.Helper()
	return reluNet(t, rand.NewPCG(seed, 1), sizes)
}

// reluNet returns Linear layers of the given widths, drawn from src, with
// ReLU between them and a final Softmax.
func reluNet(tb testing.TB, src rand.Source, sizes []int) *Sequential {
	tb.Helper()
	var layers []Layer
	for i := 0; i+1 < len(sizes); i++ {
		layers = append(layers, NewLinear(sizes[i], sizes[i+1], src))
		if i+2 < len(sizes) {
			layers = append(layers, &ReLU{})
		}
	}
	m, err := NewSequential(append(layers, &Softmax{})...)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func mustLoader(t testing.TB, d *Dataset, s LoaderSettings) *DataLoader {
	t.Helper()
	l, err := NewDataLoader(d, s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustSGD(t testing.TB, m *Sequential, s SGDSettings) *SGD {
	t.Helper()
	o, err := NewSGD(m.Params(), s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// countingOptimizer wraps an optimizer, counts its steps, records the
// weights after each and can run a function after a given step.
type countingOptimizer struct {
	Optimizer
	params []Param
	steps  int
	after  [][]float64   // weights after the last step
	all    [][][]float64 // weights after each step
	onStep func(step int)
}

func (c *countingOptimizer) Step() {
	c.Optimizer.Step()
	c.steps++
	c.after = snapshot(c.params)
	c.all = append(c.all, c.after)
	if c.onStep != nil {
		c.onStep(c.steps)
	}
}

func snapshot(ps []Param) [][]float64 {
	s := make([][]float64, len(ps))
	for i, p := range ps {
		s[i] = append([]float64(nil), p.Value.RawMatrix().Data...)
	}
	return s
}

func sameWeights(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// smallNet returns Linear(2->3), ReLU, Linear(3->2), Softmax.
func smallNet(t testing.TB) *Sequential {
	t.Helper()
	return testNet(t, 3, 2, 3, 2)
}

// smallLabeled returns 4 samples of 2 features with labels 0 and 1.
func smallLabeled(t testing.TB) *Dataset {
	t.Helper()
	d, err := NewDataset(mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8}), Targets{Labels: []int{0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// smallRegression returns 3 samples of 2 features with one target column.
func smallRegression(t testing.TB) *Dataset {
	t.Helper()
	d, err := NewDataset(mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}), Targets{Values: mat.NewDense(3, 1, []float64{1, 2, 3})})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// smallTrainer returns a Trainer of m with CrossEntropy, SGD at 0.1 and s,
// failing the test if NewTrainer refuses it.
func smallTrainer(t testing.TB, m *Sequential, s TrainerSettings) *Trainer {
	t.Helper()
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// newSmallTrainer calls NewTrainer for smallNet with CrossEntropy, SGD at
// 0.1 and s, and returns its error.
func newSmallTrainer(t testing.TB, s TrainerSettings) error {
	m := smallNet(t)
	_, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	return err
}

// fitSmall fits a Trainer of m with loss, SGD at 0.1 and s for one epoch
// over the data of train (and val when not nil), loaded in batches of 2.
func fitSmall(t testing.TB, m *Sequential, loss Loss, s TrainerSettings, train, val *Dataset) error {
	t.Helper()
	tr, err := NewTrainer(m, loss, mustSGD(t, m, SGDSettings{LR: 0.1}), s)
	if err != nil {
		return err
	}
	var vl *DataLoader
	if val != nil {
		vl = mustLoader(t, val, LoaderSettings{BatchSize: 2})
	}
	_, err = tr.Fit(context.Background(), mustLoader(t, train, LoaderSettings{BatchSize: 2}), vl, 1)
	return err
}

func TestFitOneStepPerBatch(t *testing.T) {
	for _, tc := range []struct {
		name            string
		n, batch, steps int
		dropLast        bool
	}{
		{"even", 100, 20, 5, false},
		{"partial last batch", 103, 20, 6, false},
		{"drop last", 103, 20, 5, true},
		{"one batch", 7, 50, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := blobs(tc.n, 4, 3, 1)
			m := testNet(t, 1, 4, 5, 3)
			opt := &countingOptimizer{Optimizer: mustSGD(t, m, SGDSettings{LR: 0.1}), params: m.Params()}
			tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			l := mustLoader(t, d, LoaderSettings{BatchSize: tc.batch, Shuffle: true, DropLast: tc.dropLast, Src: rand.NewPCG(1, 2)})
			const epochs = 3
			h, err := tr.Fit(context.Background(), l, nil, epochs)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := opt.steps, epochs*tc.steps; got != want {
				t.Errorf("%d optimizer steps for %d epochs of %d batches, want %d", got, epochs, tc.steps, want)
			}
			if len(h.Epochs) != epochs {
				t.Errorf("history has %d epochs, want %d", len(h.Epochs), epochs)
			}
		})
	}
}

// TestFitLossIsSampleMean checks that an epoch's loss is the mean over all
// samples: replaying the epoch by hand with the same loader order gives the
// same figure.
func TestFitLossIsSampleMean(t *testing.T) {
	d := blobs(23, 3, 2, 2)
	run := func(manual bool) float64 {
		m := testNet(t, 3, 3, 4, 2)
		opt := mustSGD(t, m, SGDSettings{LR: 0.05})
		l := mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(5, 6)})
		if !manual {
			tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := tr.Fit(context.Background(), l, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			return h.Epochs[0].Loss
		}
		var sum float64
		l.Reset()
		for l.Next() {
			b := l.Batch()
			m.Forward(b.X)
			sum += Backprop(m, &CrossEntropy{}, b.Y) * float64(len(b.Y.Labels))
			opt.Step()
		}
		return sum / 23
	}
	got, want := run(false), run(true)
	if got != want {
		t.Errorf("epoch loss %v, want the sample mean %v", got, want)
	}
}

// TestEvaluateCoversEverySample checks that evaluation sees the last partial
// batch: the loss over 7 samples with batch 5 equals the loss of one batch of
// all 7.
func TestEvaluateCoversEverySample(t *testing.T) {
	d := blobs(7, 3, 2, 3)
	m := testNet(t, 4, 3, 2)
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: []Metric{&Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 5}))
	if err != nil {
		t.Fatal(err)
	}
	all, err := tr.Evaluate(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 7}))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Loss-all.Loss) > 1e-15 {
		t.Errorf("loss in batches of 5 = %v, in one batch = %v", s.Loss, all.Loss)
	}
	pred, err := m.PredictClasses(d.X)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := AccuracyScore(pred, d.Y.Labels)
	if s.Metrics["accuracy"] != want {
		t.Errorf("accuracy %v, want %v over all 7 samples", s.Metrics["accuracy"], want)
	}
}

func TestFitChecksDataFirst(t *testing.T) {
	m := testNet(t, 1, 4, 3)
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	wide := blobs(10, 5, 3, 1)
	bad := blobs(10, 4, 5, 1) // labels up to 4 for 3 outputs
	good := blobs(10, 4, 3, 1)
	for _, tc := range []struct {
		name       string
		train, val *Dataset
		want       string
	}{
		{"training width", wide, nil, "training data has 5 features, the model takes 4"},
		{"validation width", good, wide, "validation data has 5 features, the model takes 4"},
		{"label range", bad, nil, "training label 3 of sample 3 is outside [0, 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(m.Params())
			var val *DataLoader
			if tc.val != nil {
				val = mustLoader(t, tc.val, LoaderSettings{})
			}
			_, err := tr.Fit(context.Background(), mustLoader(t, tc.train, LoaderSettings{}), val, 1)
			if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrData with %q", err, tc.want)
			}
			if !sameWeights(before, snapshot(m.Params())) {
				t.Error("weights changed although the data was refused")
			}
		})
	}
	if _, err := tr.Fit(context.Background(), mustLoader(t, good, LoaderSettings{}), nil, -1); !errors.Is(err, ErrSetting) {
		t.Errorf("epochs -1: error %v, want ErrSetting", err)
	}
}

// TestNewTrainerSettings checks the settings NewTrainer refuses, naming
// the field: ClipNorm out of range, ProgressLogger settings, nil metrics,
// hooks and schedules, and a nil model, loss or optimizer.
func TestNewTrainerSettings(t *testing.T) {
	m := testNet(t, 1, 4, 3)
	opt := mustSGD(t, m, SGDSettings{LR: 0.1})
	for _, tc := range []struct {
		name string
		s    TrainerSettings
		want string
	}{
		{"ProgressLogger.Every", TrainerSettings{Hooks: []Hook{&ProgressLogger{W: io.Discard, Every: -1}}}, "Every"},
		{"ClipNorm negative", TrainerSettings{ClipNorm: -1}, "ClipNorm"},
		{"ClipNorm NaN", TrainerSettings{ClipNorm: math.NaN()}, "ClipNorm"},
		{"nil metric", TrainerSettings{Metrics: []Metric{nil}}, "Metrics[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTrainer(m, &CrossEntropy{}, opt, tc.s)
			if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrSetting naming %s", err, tc.want)
			}
		})
	}

	inf, nan := math.Inf(1), math.NaN()
	checkErrorCases(t, []errorCase{
		{"ClipNorm NaN", func(t *testing.T) error { return newSmallTrainer(t, TrainerSettings{ClipNorm: nan}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got NaN"}},
		{"ClipNorm negative", func(t *testing.T) error { return newSmallTrainer(t, TrainerSettings{ClipNorm: -1}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got -1"}},
		{"ClipNorm +Inf", func(t *testing.T) error { return newSmallTrainer(t, TrainerSettings{ClipNorm: inf}) },
			[]error{ErrSetting}, []string{"TrainerSettings.ClipNorm", "got +Inf"}},
		{"ProgressLogger Every negative", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Hooks: []Hook{&ProgressLogger{W: io.Discard, Every: -2}}})
		}, []error{ErrSetting}, []string{"ProgressLogger.Every", "got -2"}},
		{"ProgressLogger nil buffer", func(t *testing.T) error {
			var w *bytes.Buffer
			return newSmallTrainer(t, TrainerSettings{Hooks: []Hook{&ProgressLogger{W: w}}})
		}, []error{ErrSetting}, []string{"ProgressLogger.W"}},
		{"nil *StepDecay", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Schedule: (*StepDecay)(nil)})
		}, []error{ErrSetting}, []string{"TrainerSettings.Schedule"}},
		{"nil metric", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Metrics: []Metric{&Accuracy{}, (*MacroAverage)(nil)}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Metrics[1]"}},
		{"nil hook", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Hooks: []Hook{&EarlyStopping{}, nil}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Hooks[1]"}},
		{"nil HookFunc", func(t *testing.T) error {
			return newSmallTrainer(t, TrainerSettings{Hooks: []Hook{HookFunc(nil)}})
		}, []error{ErrSetting}, []string{"TrainerSettings.Hooks[0]"}},
		{"nil model", func(t *testing.T) error {
			_, err := NewTrainer(nil, &CrossEntropy{}, mustSGD(t, smallNet(t), SGDSettings{LR: 0.1}), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: model"}},
		{"nil *CrossEntropy", func(t *testing.T) error {
			m := smallNet(t)
			_, err := NewTrainer(m, (*CrossEntropy)(nil), mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: loss is nil"}},
		{"nil *Adam", func(t *testing.T) error {
			_, err := NewTrainer(smallNet(t), &CrossEntropy{}, (*Adam)(nil), TrainerSettings{})
			return err
		}, []error{ErrSetting}, []string{"NewTrainer: optimizer is nil"}},
	})
}

// TestFitDivergence trains with a learning rate that blows up and checks the
// error names epoch and batch and the model keeps the weights of the last
// finite step.
func TestFitDivergence(t *testing.T) {
	d := blobs(60, 4, 3, 7)
	m := testNet(t, 7, 4, 8, 3)
	opt := &countingOptimizer{Optimizer: mustSGD(t, m, SGDSettings{LR: 1e155}), params: m.Params()}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	initial := snapshot(m.Params())
	h, err := tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 10}), nil, 5)
	var de *DivergenceError
	if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
		t.Fatalf("error %v, want a DivergenceError", err)
	}
	if !regexp.MustCompile(`epoch \d+, batch \d+`).MatchString(err.Error()) {
		t.Errorf("message %q does not name epoch and batch", err)
	}
	if len(h.Epochs) != de.Epoch {
		t.Errorf("history has %d epochs, want the %d completed before epoch %d", len(h.Epochs), de.Epoch, de.Epoch)
	}
	got := snapshot(m.Params())
	for _, w := range got {
		if !allFinite(w) {
			t.Fatal("model holds non-finite weights")
		}
	}
	// The model holds the weights after the last step that completed
	// finitely: the last one the optimizer took, unless that step itself
	// was rolled back because it left non-finite weights.
	want := append([][][]float64{initial}, opt.all...)
	last := len(want) - 1
	if strings.HasPrefix(de.What, "weights") {
		last--
	}
	if !sameWeights(got, want[last]) {
		t.Errorf("model weights are not those after step %d, the last finite one (%s)", last, de.What)
	}
	t.Logf("diverged at epoch %d, batch %d after %d steps: %s", de.Epoch, de.Batch, opt.steps, de.What)
}

// overflowOptimizer steps normally, then makes one weight infinite, as an
// update that overflows would.
type overflowOptimizer struct {
	Optimizer
	params []Param
}

func (o overflowOptimizer) Step() {
	o.Optimizer.Step()
	o.params[len(o.params)-1].Value.RawMatrix().Data[0] = math.Inf(1)
}

// TestFitRollsBackNonFiniteWeights makes a step leave an infinite weight
// while loss and gradients are finite, and checks the roll-back.
func TestFitRollsBackNonFiniteWeights(t *testing.T) {
	d := blobs(20, 4, 3, 8)
	m := testNet(t, 8, 4, 3)
	opt := overflowOptimizer{Optimizer: mustSGD(t, m, SGDSettings{LR: 0.1}), params: m.Params()}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(m.Params())
	_, err = tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 20}), nil, 1)
	var de *DivergenceError
	if !errors.As(err, &de) || de.Epoch != 0 || de.Batch != 0 || de.What != "weights of layer 0 Linear(4->3) b" {
		t.Fatalf("error %v, want divergence of the weights of layer 0 Linear(4->3) b at epoch 0, batch 0", err)
	}
	if !sameWeights(before, snapshot(m.Params())) {
		t.Error("weights were not rolled back to those before the step")
	}
}

// TestFitCancel cancels in the middle of the second epoch and checks the
// history and the weights.
func TestFitCancel(t *testing.T) {
	d := blobs(50, 4, 3, 9)
	m := testNet(t, 9, 4, 6, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := &countingOptimizer{Optimizer: mustSGD(t, m, SGDSettings{LR: 0.1, Momentum: 0.9}), params: m.Params()}
	opt.onStep = func(step int) {
		if step == 7 { // epoch 1 (5 batches per epoch), batch 1
			cancel()
		}
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := tr.Fit(ctx, mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(1, 1)}), nil, 10)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if len(h.Epochs) != 1 {
		t.Errorf("history has %d epochs, want 1 completed", len(h.Epochs))
	}
	if opt.steps != 7 {
		t.Errorf("%d steps, want training to stop within the batch after cancellation (7)", opt.steps)
	}
	if !sameWeights(opt.after, snapshot(m.Params())) {
		t.Error("model does not hold the weights of the last completed step")
	}
}

func TestFitLog(t *testing.T) {
	d := blobs(40, 4, 3, 1)
	m := testNet(t, 1, 4, 3)
	var buf bytes.Buffer
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}),
		TrainerSettings{Metrics: []Metric{&Accuracy{}}, Hooks: []Hook{&ProgressLogger{W: &buf, Every: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLoader(t, d, LoaderSettings{BatchSize: 8})
	if _, err := tr.Fit(context.Background(), l, l, 5); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	re := regexp.MustCompile(`^epoch=  (\d) \| loss= \d\.\d{3} \| val_loss= \d\.\d{3} \| val_accuracy= \d\.\d{3}$`)
	var epochs []string
	for _, line := range lines {
		mm := re.FindStringSubmatch(line)
		if mm == nil {
			t.Fatalf("line %q does not have the form epoch=  0 | loss= 0.878 | val_loss= 0.873 | val_accuracy= 0.968", line)
		}
		epochs = append(epochs, mm[1])
	}
	if got := strings.Join(epochs, ","); got != "0,3,4" {
		t.Errorf("logged epochs %s, want 0,3,4 (every 3rd and the last)", got)
	}
}

func TestFitDeterministic(t *testing.T) {
	d := blobs(90, 5, 3, 4)
	run := func() (*History, [][]float64) {
		m := testNet(t, 11, 5, 7, 3)
		tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1, Momentum: 0.5}),
			TrainerSettings{Metrics: []Metric{&Accuracy{}, &MacroAverage{}}})
		if err != nil {
			t.Fatal(err)
		}
		l := mustLoader(t, d, LoaderSettings{BatchSize: 16, Shuffle: true, Src: rand.NewPCG(3, 3)})
		v := mustLoader(t, d, LoaderSettings{BatchSize: 16})
		h, err := tr.Fit(context.Background(), l, v, 4)
		if err != nil {
			t.Fatal(err)
		}
		return h, snapshot(m.Params())
	}
	h1, w1 := run()
	h2, w2 := run()
	if !sameWeights(w1, w2) {
		t.Error("same seed gave different weights")
	}
	for i := range h1.Epochs {
		a, b := h1.Epochs[i], h2.Epochs[i]
		if a.Loss != b.Loss || a.ValLoss != b.ValLoss || a.ValMetrics[0] != b.ValMetrics[0] || a.ValMetrics[1] != b.ValMetrics[1] {
			t.Errorf("epoch %d differs: %+v vs %+v", i, a, b)
		}
	}
}

// TestFitEpochAllocs checks that a training epoch through the Trainer
// allocates nothing but the history entry.
func TestFitEpochAllocs(t *testing.T) {
	d := blobs(455, 30, 2, 1)
	m := testNet(t, 1, 30, 16, 2)
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.01}), TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLoader(t, d, LoaderSettings{BatchSize: 50, Shuffle: true, Src: rand.NewPCG(1, 2)})
	ctx := context.Background()
	if _, _, err := tr.trainEpoch(ctx, 0, l); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, _, err := tr.trainEpoch(ctx, 0, l); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a training epoch allocates %v times, want 0", allocs)
	}
}

// TestHistoryKerasNames checks the names History records, as Keras names
// them: "loss" and a metric's name for training, "val_loss" and "val_" with
// the name for validation; a name not recorded is an error (a bare
// "accuracy" used to return the validation values).
func TestHistoryKerasNames(t *testing.T) {
	d := blobs(40, 4, 3, 1)
	for _, train := range []bool{false, true} {
		m := testNet(t, 1, 4, 3)
		var buf bytes.Buffer
		tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{
			Metrics: []Metric{&Accuracy{}}, TrainMetrics: train, Hooks: []Hook{&ProgressLogger{W: &buf}}})
		if err != nil {
			t.Fatal(err)
		}
		l := mustLoader(t, d, LoaderSettings{BatchSize: 8})
		h, err := tr.Fit(context.Background(), l, l, 3)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"loss", "val_loss", "val_accuracy", "lr"}
		if train {
			want = []string{"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
		}
		if got := h.Names(); !slices.Equal(got, want) {
			t.Errorf("TrainMetrics %v: Names() = %q, want %q", train, got, want)
		}
		for _, name := range want {
			if v, err := h.Metric(name); err != nil || len(v) != 3 {
				t.Errorf("TrainMetrics %v: Metric(%q) = %v, %v; want 3 values", train, name, v, err)
			}
		}
		acc, err := h.Metric("accuracy")
		if !train {
			if !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), `"accuracy"`) {
				t.Errorf("Metric(\"accuracy\") without TrainMetrics: %v, %v; want an ErrSetting error", acc, err)
			}
		} else if val, _ := h.Metric("val_accuracy"); slices.Equal(acc, val) {
			t.Errorf("training accuracy %v equals validation accuracy %v; the training batches are read in training mode before each step", acc, val)
		}
		if _, err := h.Metric("val_f1"); !errors.Is(err, ErrSetting) {
			t.Errorf("Metric(\"val_f1\"): %v, want ErrSetting", err)
		}
		re := regexp.MustCompile(`^epoch=  0 \| loss= \d\.\d{3} \| val_loss= \d\.\d{3} \| val_accuracy= \d\.\d{3}$`)
		if train {
			re = regexp.MustCompile(`^epoch=  0 \| loss= \d\.\d{3} \| accuracy= \d\.\d{3} \| val_loss= \d\.\d{3} \| val_accuracy= \d\.\d{3}$`)
		}
		if first := strings.Split(buf.String(), "\n")[0]; !re.MatchString(first) {
			t.Errorf("TrainMetrics %v: log line %q", train, first)
		}
	}
}

// TestFitAdamStateOverflow trains with Adam on a raw feature of 1e300: the
// gradient is finite but its square overflows Adam's second moment, after
// which every update is 0 (the loss used to stay put and Fit returned nil).
// Fit stops with a *DivergenceError naming the optimizer state, and the
// weights are those from before the step.
func TestFitAdamStateOverflow(t *testing.T) {
	d, err := NewDataset(mat.NewDense(4, 1, []float64{1e300, -1e300, 2e299, -3e299}), Targets{Labels: []int{0, 1, 1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	m := testNet(t, 2, 1, 2)
	opt, err := NewAdam(m.Params(), AdamSettings{LR: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(m.Params())
	_, err = tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{}), nil, 50)
	var de *DivergenceError
	if !errors.As(err, &de) || de.Epoch != 0 || de.Batch != 0 || !strings.Contains(de.What, "state of the optimizer *mlp.Adam") {
		t.Fatalf("Fit: %v, want a DivergenceError of the optimizer state at epoch 0, batch 0", err)
	}
	if !sameWeights(before, snapshot(m.Params())) {
		t.Error("weights were not rolled back")
	}
}

// cancelSource wraps a loader and cancels a context when its batch at index
// at is taken in the pass numbered pass (passes counted by Reset).
type cancelSource struct {
	*DataLoader
	cancel         context.CancelFunc
	pass, at       int
	passes, served int
}

func (c *cancelSource) Reset() { c.passes++; c.DataLoader.Reset() }
func (c *cancelSource) Batch() Batch {
	if c.passes == c.pass {
		c.served++
		if c.served == c.at+1 {
			c.cancel()
		}
	}
	return c.DataLoader.Batch()
}

// TestFitCancelDuringValidation cancels during the first validation pass
// and checks that Fit stops before the next validation batch (validation
// used to run to its end).
func TestFitCancelDuringValidation(t *testing.T) {
	d := blobs(50, 4, 3, 9)
	m := testNet(t, 9, 4, 6, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	val := &cancelSource{DataLoader: mustLoader(t, d, LoaderSettings{BatchSize: 5}), cancel: cancel, pass: 1, at: 1}
	h, err := tr.Fit(ctx, mustLoader(t, d, LoaderSettings{BatchSize: 10}), val, 3)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit: %v, want context.Canceled", err)
	}
	if val.served != 2 || len(h.Epochs) != 0 {
		t.Errorf("%d validation batches taken and %d epochs recorded; want 2 (cancelled at the second) and 0", val.served, len(h.Epochs))
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	ev := &cancelSource{DataLoader: mustLoader(t, d, LoaderSettings{BatchSize: 5}), cancel: cancel2, pass: 1, at: 0}
	if _, err := tr.Evaluate(ctx2, ev); !errors.Is(err, context.Canceled) || ev.served != 1 {
		t.Errorf("Evaluate: %v after %d batches, want context.Canceled after 1", err, ev.served)
	}
}

// TestFitDataChangedByHook changes the data between epochs from a hook, as
// a careless program might: Fit returns an error wrapping ErrData naming
// the batch, never a panic (a label out of range used to panic in the
// loss), and NaN features are bad data, not a divergence.
func TestFitDataChangedByHook(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(d *Dataset)
		want   string
	}{
		{"label out of range", func(d *Dataset) { d.Y.Labels[3] = 7 }, "training batch 0 of epoch 1: label 7 of sample 3 is outside [0, 3)"},
		{"NaN feature", func(d *Dataset) { d.X.Set(2, 1, math.NaN()) }, "training batch 0 of epoch 1: feature value NaN at row 2, column 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := blobs(20, 4, 3, 2)
			m := testNet(t, 2, 4, 3)
			hook := HookFunc(func(EpochEnd) (bool, error) { tc.change(d); return false, nil })
			tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Hooks: []Hook{hook}})
			if err != nil {
				t.Fatal(err)
			}
			var h *History
			perr := panicError(func() {
				h, err = tr.Fit(context.Background(), mustLoader(t, d, LoaderSettings{BatchSize: 20}), nil, 3)
			})
			if perr != nil {
				t.Fatalf("Fit panicked: %v", perr)
			}
			if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), tc.want) || len(h.Epochs) != 1 {
				t.Errorf("Fit: %v after %d epochs, want ErrData saying %q after 1", err, len(h.Epochs), tc.want)
			}
		})
	}
}

// TestFitUserSourceChecked checks that batches of a source that does not
// show its data set are checked one by one.
func TestFitUserSourceChecked(t *testing.T) {
	m := testNet(t, 2, 4, 3)
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		batch Batch
		want  string
	}{
		{"wrong width", Batch{X: mat.NewDense(2, 5, nil), Y: Targets{Labels: []int{0, 1}}}, "data has 5 features, the model takes 4"},
		{"rows and targets", Batch{X: mat.NewDense(2, 4, nil), Y: Targets{Labels: []int{0}}}, "2 rows of features for 1 targets"},
		{"no targets", Batch{X: mat.NewDense(2, 4, nil)}, "exactly one of Labels and Values"},
		{"values for labels", Batch{X: mat.NewDense(2, 4, nil), Y: Targets{Values: mat.NewDense(2, 3, nil)}}, "real-valued targets, but the loss and metrics read class labels"},
	} {
		src := &fixedSource{b: tc.batch}
		_, err := tr.Fit(context.Background(), src, nil, 1)
		if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "training batch 0 of epoch 0") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrData naming the batch and saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := tr.Fit(context.Background(), &fixedSource{n: -1}, nil, 1); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "no batches") {
		t.Errorf("a source with no batches: %v, want ErrData", err)
	}
}

// fixedSource yields the same batch once per epoch (never when n < 0).
type fixedSource struct {
	b Batch
	n int
	i int
}

func (f *fixedSource) Reset()       { f.i = 0 }
func (f *fixedSource) Next() bool   { f.i++; return f.n >= 0 && f.i == 1 }
func (f *fixedSource) Batch() Batch { return f.b }

// TestNewTrainerOptimizerParams checks that NewTrainer refuses an optimizer
// made for the parameters of another model, or of the model before a Clone:
// it would step matrices the model does not use, and Fit used to return a
// constant loss with no error. An optimizer for part of the model's
// parameters is accepted.
func TestNewTrainerOptimizerParams(t *testing.T) {
	model := func() *Sequential { return testNet(t, 1, 2, 3, 2) }
	m := model()
	clone, err := m.Clone()
	if err != nil {
		t.Fatal(err)
	}
	other := model().Params()
	for _, tc := range []struct {
		name  string
		opt   func() (Optimizer, error)
		model *Sequential
		ok    bool
	}{
		{"SGD of another model", func() (Optimizer, error) { return NewSGD(other, SGDSettings{LR: 0.1}) }, m, false},
		{"Adam of another model", func() (Optimizer, error) { return NewAdam(other, AdamSettings{LR: 0.1}) }, m, false},
		{"AdamW of another model", func() (Optimizer, error) { return NewAdamW(other, AdamSettings{LR: 0.1}) }, m, false},
		{"SGD of the model before Clone", func() (Optimizer, error) { return NewSGD(m.Params(), SGDSettings{LR: 0.1}) }, clone, false},
		{"SGD of the first layer only", func() (Optimizer, error) { return NewSGD(m.Params()[:2], SGDSettings{LR: 0.1}) }, m, true},
		{"SGD of the model", func() (Optimizer, error) { return NewSGD(m.Params(), SGDSettings{LR: 0.1}) }, m, true},
	} {
		opt, err := tc.opt()
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewTrainer(tc.model, &CrossEntropy{}, opt, TrainerSettings{})
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && (!errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "not a parameter of the model")) {
			t.Errorf("%s: error %v, want one wrapping ErrSetting saying a parameter is not the model's", tc.name, err)
		}
	}
}

// TestFitNilSources checks what Fit's doc says of nil sources: a nil val,
// untyped or typed, means no validation; a nil train, untyped or typed, is an
// error wrapping ErrData.
func TestFitNilSources(t *testing.T) {
	d := blobs(20, 4, 3, 1)
	m := testNet(t, 1, 4, 5, 3)
	tr, err := NewTrainer(m, &CrossEntropy{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: []Metric{&Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLoader(t, d, LoaderSettings{BatchSize: 5})
	for _, val := range []BatchSource{nil, (*DataLoader)(nil)} {
		h, err := tr.Fit(context.Background(), l, val, 2)
		if err != nil {
			t.Fatalf("val %#v: %v", val, err)
		}
		if len(h.Epochs) != 2 || !math.IsNaN(h.Epochs[1].ValLoss) || h.Epochs[1].ValMetrics != nil {
			t.Errorf("val %#v: history %+v, want 2 epochs with no validation figures", val, h.Epochs)
		}
	}
	for _, train := range []BatchSource{nil, (*DataLoader)(nil)} {
		if _, err := tr.Fit(context.Background(), train, l, 1); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "training data source is nil") {
			t.Errorf("train %#v: error %v, want ErrData naming the nil training source", train, err)
		}
	}
}

// TestFitErrors checks that Fit refuses, before the first step or at the
// batch where it finds them, data that does not fit the model, loss or
// metrics, and settings it cannot run with, naming the place.
func TestFitErrors(t *testing.T) {
	src := rand.NewPCG(5, 6)
	ctx := context.Background()
	inf, nan := math.Inf(1), math.NaN()
	checkErrorCases(t, []errorCase{
		{"negative epochs", func(t *testing.T) error {
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(ctx, mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, -1)
			return err
		}, []error{ErrSetting}, []string{"epochs must be >= 0, got -1"}},
		{"nil context", func(t *testing.T) error {
			var noCtx context.Context
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(noCtx, mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"nil context"}},
		{"nil loader", func(t *testing.T) error {
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(ctx, nil, nil, 1)
			return err
		}, []error{ErrData}, []string{"training data source is nil"}},
		{"zero DataLoader", func(t *testing.T) error {
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(ctx, &DataLoader{}, nil, 1)
			return err
		}, []error{ErrData}, []string{"training loader was not made by NewDataLoader"}},
		{"zero Trainer", func(t *testing.T) error {
			_, err := (&Trainer{}).Fit(ctx, mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"NewTrainer"}},
		{"wrong width", func(t *testing.T) error {
			return fitSmall(t, testNet(t, 1, 3, 2), &CrossEntropy{}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrData}, []string{"training data has 2 features, the model takes 3"}},
		{"validation of the wrong width", func(t *testing.T) error {
			val, err := NewDataset(mat.NewDense(2, 5, nil), Targets{Labels: []int{0, 1}})
			if err != nil {
				t.Fatal(err)
			}
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{}, smallLabeled(t), val)
		}, []error{ErrData}, []string{"validation data has 5 features, the model takes 2"}},
		{"label out of range", func(t *testing.T) error {
			d := smallLabeled(t)
			d.Y.Labels[2] = 5
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{}, d, nil)
		}, []error{ErrData}, []string{"training label 5 of sample 2 is outside [0, 2)"}},
		{"CrossEntropy with one output", func(t *testing.T) error {
			m, err := NewSequential(NewLinear(2, 1, src), &Sigmoid{})
			if err != nil {
				t.Fatal(err)
			}
			return fitSmall(t, m, &CrossEntropy{}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"CrossEntropy needs one column per class, but the model has one Sigmoid output", "BinaryCrossEntropy"}},
		{"BinaryCrossEntropy with two outputs", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &BinaryCrossEntropy{}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrSetting}, []string{"BinaryCrossEntropy needs one output column (the probability of class 1), the model has 2", "CrossEntropy and a final Softmax"}},
		{"labels with MSE", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &MSE{}, TrainerSettings{}, smallLabeled(t), nil)
		}, []error{ErrData}, []string{"training data has class labels, but the loss and metrics read real-valued targets"}},
		{"values with CrossEntropy", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{}, smallRegression(t), nil)
		}, []error{ErrData}, []string{"training data has real-valued targets, but the loss and metrics read class labels"}},
		{"target columns", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &MSE{}, TrainerSettings{}, smallRegression(t), nil)
		}, []error{ErrData}, []string{"training data has 1 target columns, the model has 2 outputs"}},
		{"regression metric on labels", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &CrossEntropy{}, TrainerSettings{Metrics: []Metric{&RMSE{}}}, smallLabeled(t), smallLabeled(t))
		}, []error{ErrSetting}, []string{`metric "rmse" reads real values, but the loss or an earlier metric reads class labels`}},
		{"classification metric on values", func(t *testing.T) error {
			return fitSmall(t, smallNet(t), &MSE{}, TrainerSettings{Metrics: []Metric{&Accuracy{}}}, smallRegression(t), smallRegression(t))
		}, []error{ErrSetting}, []string{`metric "accuracy" reads class labels, but the loss or an earlier metric reads real values`}},
		{"NaN written into the data after the loader was made", func(t *testing.T) error {
			d := smallLabeled(t)
			l := mustLoader(t, d, LoaderSettings{BatchSize: 2})
			d.X.Set(3, 1, nan)
			_, err := smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(ctx, l, nil, 1)
			return err
		}, []error{ErrData}, []string{"training feature value NaN at row 3, column 1"}},
		{"Inf written into the targets after the loader was made", func(t *testing.T) error {
			d := smallRegression(t)
			l := mustLoader(t, d, LoaderSettings{BatchSize: 2})
			d.Y.Values.Set(1, 0, inf)
			m, err := NewSequential(NewLinear(2, 1, src))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(m, &MSE{}, mustSGD(t, m, SGDSettings{LR: 0.1}), TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Fit(ctx, l, nil, 1)
			return err
		}, []error{ErrData}, []string{"training target value +Inf at row 1, column 0"}},
		{"layer replaced after NewTrainer", func(t *testing.T) error {
			m := smallNet(t)
			tr := smallTrainer(t, m, TrainerSettings{})
			if err := m.SetLayer(2, NewLinear(3, 2, src)); err != nil {
				return err
			}
			_, err := tr.Fit(ctx, mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, 1)
			return err
		}, []error{ErrSetting}, []string{"layer 2 Linear(3->2) was replaced by Linear(3->2)", "make a new optimizer and Trainer"}},
		{"NaN written into the validation data mid-fit", func(t *testing.T) error {
			m := smallNet(t)
			val := smallLabeled(t)
			tr := smallTrainer(t, m, TrainerSettings{Hooks: []Hook{HookFunc(func(EpochEnd) (bool, error) {
				val.X.Set(1, 0, math.NaN())
				return false, nil
			})}})
			_, err := tr.Fit(context.Background(), mustLoader(t, smallLabeled(t), LoaderSettings{BatchSize: 2}),
				mustLoader(t, val, LoaderSettings{BatchSize: 2}), 3)
			return err
		}, []error{ErrData}, []string{"epoch 1", "NaN"}},
	})
}

// TestFitZeroEpochs checks that Fit for 0 epochs returns an empty history
// and no error.
func TestFitZeroEpochs(t *testing.T) {
	h, err := callNoPanicHistory(t, func() (*History, error) {
		return smallTrainer(t, smallNet(t), TrainerSettings{}).Fit(context.Background(), mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 0 {
		t.Errorf("%d epochs in the history", len(h.Epochs))
	}
}

// everyOptimizer are the optimizers Fit's cancellation is checked for.
var everyOptimizer = []struct {
	name string
	make func(ps []Param, lr float64) (Optimizer, error)
}{
	{"SGD", func(ps []Param, lr float64) (Optimizer, error) { return NewSGD(ps, SGDSettings{LR: lr}) }},
	{"SGD+momentum", func(ps []Param, lr float64) (Optimizer, error) {
		return NewSGD(ps, SGDSettings{LR: lr, Momentum: 0.9})
	}},
	{"Nesterov", func(ps []Param, lr float64) (Optimizer, error) {
		return NewSGD(ps, SGDSettings{LR: lr, Momentum: 0.9, Nesterov: true})
	}},
	{"Adam", func(ps []Param, lr float64) (Optimizer, error) { return NewAdam(ps, AdamSettings{LR: lr}) }},
	{"AdamW", func(ps []Param, lr float64) (Optimizer, error) {
		return NewAdamW(ps, AdamSettings{LR: lr, WeightDecay: 0.01})
	}},
}

// TestFitDivergenceEveryOptimizer trains with settings that blow up and
// checks, for every optimizer, that Fit stops with a *DivergenceError naming
// epoch and batch and what became non-finite, that the history holds the
// epochs completed before, and that the model holds the weights of the last
// finite step, as recorded after each step by a wrapping optimizer. Each
// optimizer is driven into a non-finite loss after finite steps, and those
// that can be into an update that overflows, which Fit rolls back.
func TestFitDivergenceEveryOptimizer(t *testing.T) {
	const batches = 6 // 60 samples in batches of 10
	type maker func(ps []Param, lr float64) (Optimizer, error)
	sgd := func(s SGDSettings) maker {
		return func(ps []Param, lr float64) (Optimizer, error) { s.LR = lr; return NewSGD(ps, s) }
	}
	adam := func(s AdamSettings, decoupled bool) maker {
		return func(ps []Param, lr float64) (Optimizer, error) {
			s.LR = lr
			if decoupled {
				return NewAdamW(ps, s)
			}
			return NewAdam(ps, s)
		}
	}
	for _, tc := range []struct {
		name  string
		make  maker
		lr    float64
		scale float64 // applied to the features
		what  string  // the start of DivergenceError.What
	}{
		{"SGD/loss", sgd(SGDSettings{}), 1e155, 1, "loss"},
		{"SGD/overflowing update", sgd(SGDSettings{}), 1e155, 1e200, "weights"},
		{"SGD+momentum/loss", sgd(SGDSettings{Momentum: 0.9}), 1e155, 1, "loss"},
		{"SGD+momentum/overflowing update", sgd(SGDSettings{Momentum: 0.9}), 1e155, 1e200, "weights"},
		{"Nesterov/loss", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e155, 1, "loss"},
		{"Nesterov/overflowing update", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e155, 1e200, "weights"},
		// Adam's step is about lr whatever the gradient, so only a
		// learning rate near the top of the float64 range blows it up.
		{"Adam/loss", adam(AdamSettings{}, false), 1e300, 1, "loss"},
		{"Adam/loss at 1e200", adam(AdamSettings{}, false), 1e200, 1, "loss"},
		{"AdamW/loss", adam(AdamSettings{WeightDecay: 0.01}, true), 1e300, 1, "loss"},
		// lr·WeightDecay = 1e310 overflows the decoupled decay factor.
		{"AdamW/overflowing decay", adam(AdamSettings{WeightDecay: 1e10}, true), 1e300, 1, "weights"},
		// Rates that take some epochs to blow up.
		{"SGD/after epochs", sgd(SGDSettings{}), 1e4, 1, "loss"},
		{"SGD+momentum/after epochs", sgd(SGDSettings{Momentum: 0.9}), 1e4, 1, "loss"},
		{"Nesterov/after epochs", sgd(SGDSettings{Momentum: 0.9, Nesterov: true}), 1e4, 1, "loss"},
		{"AdamW/after epochs", adam(AdamSettings{WeightDecay: 0.01}, true), 1e6, 1, "loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := blobs(60, 4, 3, 11)
			d.X.Scale(tc.scale, d.X)
			m := testNet(t, 11, 4, 8, 3)
			inner, err := tc.make(m.Params(), tc.lr)
			if err != nil {
				t.Fatal(err)
			}
			opt := &countingOptimizer{Optimizer: inner, params: m.Params()}
			tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
			if err != nil {
				t.Fatal(err)
			}
			initial := snapshot(m.Params())
			l := mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(11, 3)})
			h, err := callNoPanicHistory(t, func() (*History, error) { return tr.Fit(context.Background(), l, nil, 50) })
			var de *DivergenceError
			if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
				t.Fatalf("error %v, want a *DivergenceError", err)
			}
			t.Logf("diverged at epoch %d, batch %d after %d steps: %s", de.Epoch, de.Batch, opt.steps, de.What)
			if !strings.HasPrefix(de.What, tc.what) {
				t.Errorf("%s became non-finite, want %s", de.What, tc.what)
			}
			if want := fmt.Sprintf("epoch %d, batch %d: %s is not finite", de.Epoch, de.Batch, de.What); !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
			if len(h.Epochs) != de.Epoch {
				t.Errorf("history has %d epochs, want the %d completed before the divergence", len(h.Epochs), de.Epoch)
			}
			// The failing step was taken only when the weights it left
			// were what became non-finite; Fit then rolled it back.
			rolledBack := strings.HasPrefix(de.What, "weights")
			wantSteps := de.Epoch*batches + de.Batch
			if rolledBack {
				wantSteps++
			}
			if opt.steps != wantSteps {
				t.Errorf("%d optimizer steps, want %d for divergence at epoch %d, batch %d (%s)", opt.steps, wantSteps, de.Epoch, de.Batch, de.What)
			}
			kept := opt.steps
			if rolledBack {
				kept--
				if last := opt.all[len(opt.all)-1]; allFiniteWeights(last) {
					t.Fatal("the step Fit rolled back left finite weights")
				}
			} else if kept < 1 {
				t.Fatalf("the loss diverged before any step; the test needs a finite step to keep")
			}
			want := append([][][]float64{initial}, opt.all...)[kept]
			if !allFiniteWeights(want) {
				t.Fatalf("step %d, the one the model should hold, is not finite", kept)
			}
			if !sameWeights(snapshot(m.Params()), want) {
				t.Errorf("the model does not hold the weights after step %d, the last finite one", kept)
			}
		})
	}
}

func allFiniteWeights(ws [][]float64) bool {
	for _, w := range ws {
		if !allFinite(w) {
			return false
		}
	}
	return true
}

// callNoPanicHistory is callNoPanic for Fit.
func callNoPanicHistory(t *testing.T, f func() (*History, error)) (h *History, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked instead of returning an error: %v", r)
		}
	}()
	return f()
}

// TestFitCancelMidEpochEveryOptimizer cancels the context in the middle of the
// second epoch, after a given step, and checks for every optimizer that Fit
// returns context.Canceled with the history of the one completed epoch and
// the model at the last completed step.
func TestFitCancelMidEpochEveryOptimizer(t *testing.T) {
	const (
		batches     = 6 // 60 samples in batches of 10
		cancelAfter = batches + 2
	)
	for _, o := range everyOptimizer {
		t.Run(o.name, func(t *testing.T) {
			run := func(ctx context.Context, cancel func()) (*History, *countingOptimizer, *Sequential, error) {
				m := testNet(t, 12, 4, 8, 3)
				inner, err := o.make(m.Params(), 0.01)
				if err != nil {
					t.Fatal(err)
				}
				opt := &countingOptimizer{Optimizer: inner, params: m.Params()}
				if cancel != nil {
					opt.onStep = func(step int) {
						if step == cancelAfter {
							cancel()
						}
					}
				}
				tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{Metrics: []Metric{&Accuracy{}}})
				if err != nil {
					t.Fatal(err)
				}
				d := blobs(60, 4, 3, 12)
				train := mustLoader(t, d, LoaderSettings{BatchSize: 10, Shuffle: true, Src: rand.NewPCG(12, 3)})
				val := mustLoader(t, d, LoaderSettings{BatchSize: 25})
				h, err := callNoPanicHistory(t, func() (*History, error) { return tr.Fit(ctx, train, val, 5) })
				return h, opt, m, err
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h, opt, m, err := run(ctx, cancel)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if opt.steps != cancelAfter {
				t.Errorf("%d steps, want %d: training went on after the cancellation", opt.steps, cancelAfter)
			}
			if !sameWeights(snapshot(m.Params()), opt.after) {
				t.Error("the model does not hold the weights of the last completed step")
			}
			if len(h.Epochs) != 1 {
				t.Fatalf("history has %d epochs, want the 1 completed", len(h.Epochs))
			}
			// The completed epoch is the one an uninterrupted run records.
			ref, refOpt, _, err := run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := h.Epochs[0], ref.Epochs[0]; got.Loss != want.Loss || got.ValLoss != want.ValLoss || got.ValMetrics[0] != want.ValMetrics[0] {
				t.Errorf("epoch 0 of the cancelled run %+v, uninterrupted %+v", got, want)
			}
			if !sameWeights(opt.after, refOpt.all[cancelAfter-1]) {
				t.Errorf("weights after step %d differ from the uninterrupted run's", cancelAfter)
			}
			if m.Training() {
				t.Error("Fit left the model in training mode")
			}
		})
	}
}

// TestFitCancelledBefore checks that a context cancelled before Fit stops it
// before the first step, with an empty history and unchanged weights.
func TestFitCancelledBefore(t *testing.T) {
	m := smallNet(t)
	before := snapshot(m.Params())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h, err := callNoPanicHistory(t, func() (*History, error) {
		return smallTrainer(t, m, TrainerSettings{}).Fit(ctx, mustLoader(t, smallLabeled(t), LoaderSettings{}), nil, 3)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if len(h.Epochs) != 0 {
		t.Errorf("history has %d epochs, want none", len(h.Epochs))
	}
	if !sameWeights(before, snapshot(m.Params())) {
		t.Error("weights changed")
	}
}
