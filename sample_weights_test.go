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

// repeatRows returns the rows of m repeated as often as the integer
// weights w say, in order.
func repeatRows(m *mat.Dense, w []float64) *mat.Dense {
	_, c := m.Dims()
	var data []float64
	for i, k := range w {
		for range int(k) {
			data = append(data, m.RawRowView(i)...)
		}
	}
	return mat.NewDense(len(data)/c, c, data)
}

func repeatLabels(l []int, w []float64) []int {
	var out []int
	for i, k := range w {
		for range int(k) {
			out = append(out, l[i])
		}
	}
	return out
}

// TestSampleWeightsAsRepeats checks that integer sample weights give the
// loss of the rows repeated as often as their weight, and per row the sum
// of its repeats' gradients, for every loss that reads weights, with and
// without class weights and smoothing, to 1e-14.
func TestSampleWeightsAsRepeats(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := []float64{2, 0, 1, 3, 1, 2}
	labels := []int{0, 2, 1, 2, 0, 1}
	z := mat.NewDense(6, 3, nil)
	for i := range 6 {
		for j := range 3 {
			z.Set(i, j, rng.NormFloat64()*2)
		}
	}
	p := mat.NewDense(6, 3, nil)
	for i := range 6 {
		softmaxRow(p.RawRowView(i), z.RawRowView(i))
	}
	p1 := mat.NewDense(6, 1, nil)
	for i := range 6 {
		p1.Set(i, 0, 1/(1+math.Exp(-z.At(i, 0))))
	}
	bin := []int{1, 0, 0, 1, 1, 0}
	tests := []struct {
		name   string
		loss   Loss
		pred   *mat.Dense
		labels []int
	}{
		{"CrossEntropy", &CrossEntropy{}, p, labels},
		{"CrossEntropy FromLogits", &CrossEntropy{FromLogits: true}, z, labels},
		{"CrossEntropy class weights smoothing", &CrossEntropy{FromLogits: true, Weights: []float64{1, 0.5, 2}, Smoothing: 0.1}, z, labels},
		{"CrossEntropy probabilities class weights", &CrossEntropy{Weights: []float64{1, 0.5, 2}, Smoothing: 0.1}, p, labels},
		{"BinaryCrossEntropy", &BinaryCrossEntropy{}, p1, bin},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			got := c.loss.Loss(c.pred, Targets{Labels: c.labels, Weights: w})
			g := mat.DenseCopyOf(c.loss.Grad(c.pred, Targets{Labels: c.labels, Weights: w}))
			rp, rl := repeatRows(c.pred, w), repeatLabels(c.labels, w)
			want := c.loss.Loss(rp, Targets{Labels: rl})
			if math.Abs(got-want) > 1e-14*math.Max(1, want) {
				t.Errorf("weighted loss %.17g, repeated rows %.17g", got, want)
			}
			rg := c.loss.Grad(rp, Targets{Labels: rl})
			_, cols := g.Dims()
			k := 0
			for i, n := range w {
				for j := range cols {
					var sum float64
					for r := range int(n) {
						sum += rg.At(k+r, j)
					}
					if d := math.Abs(g.At(i, j) - sum); d > 1e-14 {
						t.Errorf("gradient [%d][%d] = %.17g, repeats sum to %.17g", i, j, g.At(i, j), sum)
					}
				}
				k += int(n)
			}
			bw := batchWeight(c.loss, Targets{Labels: c.labels, Weights: w})
			if rw := batchWeight(c.loss, Targets{Labels: rl}); math.Abs(bw-rw) > 1e-12 {
				t.Errorf("BatchWeight %v, repeated rows %v", bw, rw)
			}
		})
	}
}

// TestSampleWeightsTrainAsRepeats checks that one full-batch training step
// of a Trainer with L2 penalty on weighted data equals one on the repeated
// rows: the fused loss from the logits, the penalty divided by Σ s, and
// the loaders carrying the weights with the rows.
func TestSampleWeightsTrainAsRepeats(t *testing.T) {
	x := mat.NewDense(5, 2, []float64{0, 1, 1, 0, 2, 1, -1, 0, 0, -2})
	labels := []int{1, 1, 0, 0, 1}
	w := []float64{1, 3, 2, 0, 1}
	step := func(x *mat.Dense, y Targets) *mat.Dense {
		t.Helper()
		m, err := NewSequential(NewLinear(2, 3, rand.NewPCG(1, 2)), &Tanh{}, NewLinear(3, 1, rand.NewPCG(3, 4)), &Sigmoid{})
		if err != nil {
			t.Fatal(err)
		}
		ps := m.Params()
		opt, err := NewSGD(ps, SGDSettings{LR: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		loss, popt, err := NewL2Penalty(&BinaryCrossEntropy{}, opt, []Param{ps[0], ps[2]}, 0.3)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(m, loss, popt, TrainerSettings{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewDataset(x, y)
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewDataLoader(d, LoaderSettings{BatchSize: d.Len(), Shuffle: true, Src: rand.NewPCG(9, 9)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Fit(context.Background(), l, nil, 3); err != nil {
			t.Fatal(err)
		}
		return mat.DenseCopyOf(ps[0].Value)
	}
	got := step(x, Targets{Labels: labels, Weights: w})
	want := step(repeatRows(x, w), Targets{Labels: repeatLabels(labels, w)})
	if !mat.EqualApprox(got, want, 1e-13) {
		t.Errorf("weights after weighted training\n%v\nafter training on repeated rows\n%v", mat.Formatted(got), mat.Formatted(want))
	}
}

// TestSampleWeightsRefused checks that weights a loss does not read, and
// weights that are not one finite non-negative number per row, are
// errors wrapping ErrData.
func TestSampleWeightsRefused(t *testing.T) {
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	for _, c := range []struct {
		name, words string
		w           []float64
	}{
		{"too few", "2 sample weights for 3 samples", []float64{1, 2}},
		{"negative", "row 1", []float64{1, -2, 1}},
		{"infinite", "row 2", []float64{1, 2, math.Inf(1)}},
		{"all zero", "sum to 0", []float64{0, 0, 0}},
	} {
		if _, err := NewDataset(x, Targets{Labels: []int{0, 1, 0}, Weights: c.w}); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: NewDataset err = %v; want ErrData naming %q", c.name, err, c.words)
		}
	}
	m, err := NewSequential(NewLinear(1, 1, rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := NewSGD(m.Params(), SGDSettings{LR: 0.1})
	tr, err := NewTrainer(m, &MSE{}, opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDataset(x, Targets{Values: mat.NewDense(3, 1, []float64{1, 2, 3}), Weights: []float64{1, 2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := NewDataLoader(d, LoaderSettings{BatchSize: 2})
	if _, err := tr.Fit(context.Background(), l, nil, 1); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "does not read them") {
		t.Errorf("Fit with MSE on weighted data: err = %v; want ErrData saying the loss does not read the weights", err)
	}
}

// TestTargetScalerKeepsWeights checks that TargetScaler.TransformDataset
// keeps the sample weights, so that a loss that does not read them is
// refused rather than trained as if they were not there, and that the
// target-units loss forwards what its base loss reads.
func TestTargetScalerKeepsWeights(t *testing.T) {
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	d, err := NewDataset(x, Targets{Values: mat.NewDense(3, 1, []float64{1, 2, 4}), Weights: []float64{1, 2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := FitTargetScaler(d.Y.Values)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ts.TransformDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Y.Weights) != 3 || sd.Y.Weights[1] != 2 {
		t.Fatalf("TransformDataset weights %v, want those of the data set", sd.Y.Weights)
	}
	m, _ := NewSequential(NewLinear(1, 1, rand.NewPCG(1, 1)))
	opt, _ := NewSGD(m.Params(), SGDSettings{LR: 0.1})
	tr, err := NewTrainer(m, ts.Loss(&MSE{}), opt, TrainerSettings{})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := NewDataLoader(sd, LoaderSettings{})
	if _, err := tr.Fit(context.Background(), l, nil, 1); !errors.Is(err, ErrData) || !strings.Contains(err.Error(), "does not read them") {
		t.Errorf("Fit with MSE in target units on weighted data: %v; want ErrData", err)
	}
	if wl, ok := ts.Loss(&CrossEntropy{}).(WeightReader); !ok || !wl.ReadsWeights() {
		t.Error("the target-units loss does not forward ReadsWeights")
	}
}
