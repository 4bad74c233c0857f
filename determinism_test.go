package mlp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// detRun is the outcome of one seeded training run.
type detRun struct {
	weights [][]float64
	history *History
	pred    *mat.Dense
}

// detConfig describes a seeded training run.
type detConfig struct {
	name           string
	sizes          []int // features, hidden widths, classes
	samples, batch int
	epochs         int
	dropout        float64 // 0 for none, else after each hidden layer
	adam           bool    // Adam rather than SGD with momentum
	seed           uint64
}

// detTrain builds, trains and evaluates the model of c from its seed alone.
func detTrain(t *testing.T, c detConfig) detRun {
	t.Helper()
	features, classes := c.sizes[0], c.sizes[len(c.sizes)-1]
	rng := rand.New(rand.NewPCG(c.seed, 1))
	x := mat.NewDense(c.samples, features, nil)
	labels := make([]int, c.samples)
	for i := range labels {
		labels[i] = i % classes
		for j := 0; j < features; j++ {
			v := rng.NormFloat64()
			if j%classes == labels[i] {
				v += 1.5
			}
			x.Set(i, j, v)
		}
	}
	d, err := NewDataset(x, Targets{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(c.seed, 2)
	var layers []Layer
	for i := 0; i+1 < len(c.sizes); i++ {
		layers = append(layers, NewLinear(c.sizes[i], c.sizes[i+1], src))
		if i+2 < len(c.sizes) {
			layers = append(layers, &ReLU{})
			if c.dropout > 0 {
				dr, err := NewDropout(c.dropout, rand.NewPCG(c.seed, uint64(10+i)))
				if err != nil {
					t.Fatal(err)
				}
				layers = append(layers, dr)
			}
		}
	}
	m, err := NewSequential(append(layers, &Softmax{})...)
	if err != nil {
		t.Fatal(err)
	}
	var opt Optimizer
	if c.adam {
		opt, err = NewAdam(m.Params(), AdamSettings{LR: 1e-3})
	} else {
		opt, err = NewSGD(m.Params(), SGDSettings{LR: 0.05, Momentum: 0.9, Nesterov: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{Metrics: []Metric{&Accuracy{}, &MacroAverage{}}})
	if err != nil {
		t.Fatal(err)
	}
	train := mustLoader(t, d, LoaderSettings{BatchSize: c.batch, Shuffle: true, Src: rand.NewPCG(c.seed, 3)})
	val := mustLoader(t, d, LoaderSettings{BatchSize: c.batch})
	h, err := tr.Fit(context.Background(), train, val, c.epochs)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}
	return detRun{weights: snapshot(m.Params()), history: h, pred: pred}
}

// detSame returns a description of the first difference between a and b,
// bit for bit, or "" if there is none.
func detSame(a, b detRun) string {
	for i := range a.weights {
		for k, v := range a.weights[i] {
			if math.Float64bits(v) != math.Float64bits(b.weights[i][k]) {
				return fmt.Sprintf("parameter %d entry %d: %v and %v", i, k, v, b.weights[i][k])
			}
		}
	}
	if len(a.history.Epochs) != len(b.history.Epochs) {
		return fmt.Sprintf("%d and %d epochs", len(a.history.Epochs), len(b.history.Epochs))
	}
	for e, ea := range a.history.Epochs {
		eb := b.history.Epochs[e]
		figures := append([]float64{ea.LR, ea.Loss, ea.ValLoss}, ea.ValMetrics...)
		others := append([]float64{eb.LR, eb.Loss, eb.ValLoss}, eb.ValMetrics...)
		for k, v := range figures {
			if math.Float64bits(v) != math.Float64bits(others[k]) {
				return fmt.Sprintf("epoch %d figure %d: %v and %v", e, k, v, others[k])
			}
		}
	}
	ra, rb := a.pred.RawMatrix().Data, b.pred.RawMatrix().Data
	for k, v := range ra {
		if math.Float64bits(v) != math.Float64bits(rb[k]) {
			return fmt.Sprintf("prediction entry %d: %v and %v", k, v, rb[k])
		}
	}
	return ""
}

// TestDeterminism trains each configuration from the same seed several
// times, with GOMAXPROCS at its value, 1, 2 and 8, and checks that weights,
// history and predictions are bit-identical. The 784-256-10 net at batch 128
// is large enough for gonum's matrix products to split their work across
// goroutines; Dropout draws its masks from its own seeded source.
func TestDeterminism(t *testing.T) {
	configs := []detConfig{
		{name: "small", sizes: []int{4, 16, 3}, samples: 90, batch: 10, epochs: 3, adam: true, seed: 1},
		{name: "small with dropout", sizes: []int{4, 16, 3}, samples: 90, batch: 10, epochs: 3, dropout: 0.3, adam: true, seed: 2},
		{name: "784-256-10", sizes: []int{784, 256, 10}, samples: 256, batch: 128, epochs: 2, seed: 3},
		{name: "784-256-10 with dropout", sizes: []int{784, 256, 10}, samples: 256, batch: 128, epochs: 2, dropout: 0.2, seed: 4},
	}
	if testing.Short() {
		configs = configs[:2]
	}
	orig := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(orig) })
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			ref := detTrain(t, c)
			for _, procs := range []int{orig, 1, 2, 8} {
				runtime.GOMAXPROCS(procs)
				got := detTrain(t, c)
				runtime.GOMAXPROCS(orig)
				if diff := detSame(ref, got); diff != "" {
					t.Errorf("GOMAXPROCS=%d: run differs from the first (GOMAXPROCS=%d): %s", procs, orig, diff)
				}
			}
		})
	}
}

// TestCloneConcurrentPredict gives each of several goroutines its own Clone
// of a trained model and has them all predict the same inputs at once, under
// the race detector in CI: every prediction must equal the original model's
// bit for bit. Training the original afterwards must not change the clones.
func TestCloneConcurrentPredict(t *testing.T) {
	src := rand.NewPCG(21, 1)
	drop, err := NewDropout(0.25, rand.NewPCG(21, 2))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(NewLinear(4, 32, src), &ReLU{}, drop, NewLinear(32, 16, src), &Tanh{},
		NewLinear(16, 3, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	d := blobs(300, 4, 3, 21)
	opt := mustSGD(t, m, SGDSettings{LR: 0.1, Momentum: 0.9})
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	train := mustLoader(t, d, LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(21, 3)})
	if _, err := tr.Fit(context.Background(), train, nil, 2); err != nil {
		t.Fatal(err)
	}

	// More rows than PredictProba runs at once, so that it works in chunks.
	x := mat.NewDense(1100, 4, nil)
	rng := rand.New(rand.NewPCG(21, 4))
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = 3 * rng.NormFloat64()
	}
	want, err := m.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}

	const workers = 8
	clones := make([]*Sequential, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Clone only reads the model, so the goroutines may clone it
			// at the same time while nothing trains it.
			c, err := m.Clone()
			if err != nil {
				errs[w] = err
				return
			}
			clones[w] = c
			for rep := 0; rep < 3; rep++ {
				got, err := c.PredictProba(x)
				if err != nil {
					errs[w] = err
					return
				}
				if !mat.Equal(got, want) {
					errs[w] = fmt.Errorf("prediction %d differs from the original's", rep)
					return
				}
				classes, err := c.PredictClasses(x)
				if err != nil {
					errs[w] = err
					return
				}
				if classes[0] != Classify(want, nil)[0] {
					errs[w] = fmt.Errorf("class of row 0 differs from the original's")
					return
				}
			}
		}()
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", w, err)
		}
	}
	if !sameWeights(snapshot(clones[0].Params()), snapshot(m.Params())) {
		t.Fatal("a clone's weights differ from the original's")
	}
	for i, l := range clones[0].Layers() {
		if got, want := l.String(), m.Layers()[i].String(); got != want {
			t.Errorf("layer %d of the clone is %s, want %s", i, got, want)
		}
	}
	if clones[0].Training() != m.Training() {
		t.Errorf("clone in training mode %v, original %v", clones[0].Training(), m.Training())
	}

	// Train the original further: its predictions change, the clones' do
	// not, and the clones share no memory with it.
	if _, err := tr.Fit(context.Background(), train, nil, 2); err != nil {
		t.Fatal(err)
	}
	after, err := m.PredictProba(x)
	if err != nil {
		t.Fatal(err)
	}
	if mat.Equal(after, want) {
		t.Fatal("training did not change the original's predictions; the test cannot tell clones apart")
	}
	for w, c := range clones {
		got, err := c.PredictProba(x)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(got, want) {
			t.Errorf("clone %d changed when the original was trained", w)
		}
	}
	// And the other way round: changing a clone leaves the original alone.
	before := snapshot(m.Params())
	clones[0].Layers()[0].(*Linear).Weights().Set(0, 0, 1e6)
	if !sameWeights(before, snapshot(m.Params())) {
		t.Error("changing a clone's weights changed the original")
	}
}

// TestCloneKeepsMode checks that a clone is in the mode of its original.
func TestCloneKeepsMode(t *testing.T) {
	for _, training := range []bool{true, false} {
		m := smallNet(t)
		m.SetTraining(training)
		c, err := m.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if c.Training() != training {
			t.Errorf("clone of a model with training %v has training %v", training, c.Training())
		}
	}
}
