package experiment

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/datasets"
)

func prepare(t *testing.T, name string, seed uint64) *Data {
	t.Helper()
	r, err := datasets.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Prepare(r, "", seed, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// columnStats returns the mean and population standard deviation of column
// j of x.
func columnStats(x *mat.Dense, j int) (mean, std float64) {
	r, _ := x.Dims()
	for i := range r {
		mean += x.At(i, j)
	}
	mean /= float64(r)
	for i := range r {
		d := x.At(i, j) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(r))
}

// Each feature is standardized on its own, with the statistics of the
// training part only: every training column has mean 0 and standard
// deviation 1, and the validation part is scaled with the same statistics.
// The breast cancer features differ in scale by orders of magnitude, so a
// single mean and standard deviation for all features would leave most
// columns far from mean 0 and deviation 1.
func TestPrepareScalesEachFeatureWithTrainingStatistics(t *testing.T) {
	const seed = 9
	d := prepare(t, "breast_cancer.csv", seed)

	// The same split, unscaled.
	r, _ := datasets.Open("breast_cancer.csv")
	all, err := Classification.read(r, "")
	if err != nil {
		t.Fatal(err)
	}
	rawTrain, rawVal, err := mlp.Split(all, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(seed, splitStream)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rawTrain.Y.Labels, d.Train.Y.Labels) || !slices.Equal(rawVal.Y.Labels, d.Val.Y.Labels) {
		t.Fatal("Prepare does not split with rand.NewPCG(seed, 1)")
	}

	f := all.Features()
	lo, hi := math.Inf(1), 0.0
	for j := range f {
		_, s := columnStats(rawTrain.X, j)
		lo, hi = min(lo, s), max(hi, s)
	}
	if hi/lo < 1e3 {
		t.Fatalf("raw feature deviations span only %g to %g; the data cannot tell per-feature from global scaling", lo, hi)
	}

	const tol = 1e-9
	for j := range f {
		m, s := columnStats(rawTrain.X, j)
		if math.Abs(d.Scaler.Mean[j]-m) > tol*math.Abs(m) || math.Abs(d.Scaler.Std[j]-s) > tol*s {
			t.Errorf("feature %d: scaler mean %g, std %g; the training part has %g, %g", j, d.Scaler.Mean[j], d.Scaler.Std[j], m, s)
		}
		if m, s := columnStats(d.Train.X, j); math.Abs(m) > tol || math.Abs(s-1) > tol {
			t.Errorf("feature %d: scaled training column has mean %g, std %g; want 0, 1 within %g", j, m, s, tol)
		}
		for i := range d.Val.Len() {
			want := (rawVal.X.At(i, j) - m) / s
			if got := d.Val.X.At(i, j); math.Abs(got-want) > tol*max(1, math.Abs(want)) {
				t.Fatalf("validation sample %d, feature %d: %g, want %g scaled with the training statistics", i, j, got, want)
			}
		}
	}
}

func TestPrepareErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       error
	}{
		{"numbers and text", "a,target\nx,0\n1,1\n", mlp.ErrMixedColumn},
		{"one class", "a,target\n1,0\n2,0\n3,0\n", mlp.ErrData},
		{"one sample", "a,target\n1,1\n", mlp.ErrData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(strings.NewReader(tt.data), "", 1, 0)
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want one matching %v", err, tt.want)
			}
		})
	}
	if _, err := Prepare(nil, "", 1, 0); !errors.Is(err, mlp.ErrData) {
		t.Errorf("nil reader: error %v, want one matching ErrData", err)
	}
	if _, err := Prepare(strings.NewReader("a,b\n1,0\n2,1\n3,0\n4,1\n5,0\n"), "", 1, 1.5); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("ValFraction 1.5: error %v, want one matching ErrSetting", err)
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		hidden []int
		want   string
	}{
		{"no hidden layer", nil, "Linear(30->2), Softmax"},
		{"empty hidden", []int{}, "Linear(30->2), Softmax"},
		{"one", []int{16}, "Linear(30->16), ReLU, Linear(16->2), Softmax"},
		{"two", []int{8, 4}, "Linear(30->8), ReLU, Linear(8->4), ReLU, Linear(4->2), Softmax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Spec{Hidden: tt.hidden}.Build(30, 2, rand.NewPCG(1, 2))
			if err != nil {
				t.Fatal(err)
			}
			if got := Describe(m); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	for _, hidden := range [][]int{{0}, {16, -1}} {
		if _, err := (Spec{Hidden: hidden}).Build(30, 2, rand.NewPCG(1, 2)); !errors.Is(err, mlp.ErrSetting) {
			t.Errorf("hidden %v: error %v, want one matching ErrSetting", hidden, err)
		}
	}
}

// Two models fitted on one Data see the same split; Fit twice with the same
// spec gives bit-identical results, and Run is Prepare then Fit.
func TestFitReproducible(t *testing.T) {
	d := prepare(t, "iris.csv", 4)
	s := Spec{Hidden: []int{8}, Epochs: 15, Batch: 16, LR: 0.1}
	a, err := d.Fit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Fit(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := datasets.Open("iris.csv")
	c, err := Run(context.Background(), Config{Data: r, Seed: 4, Hidden: []int{8}, Epochs: 15, Batch: 16, LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []*Result{b, c} {
		if !slices.Equal(a.History.Losses(), other.History.Losses()) || a.ValLoss != other.ValLoss || !slices.Equal(a.Pred, other.Pred) {
			t.Errorf("runs with one seed differ: losses %v and %v", a.History.Losses(), other.History.Losses())
		}
		if !mat.Equal(a.Model.Params()[0].Value, other.Model.Params()[0].Value) {
			t.Error("runs with one seed end with different weights")
		}
	}

	if len(a.History.Epochs) != s.Epochs || len(a.Pred) != d.Val.Len() {
		t.Errorf("%d epochs and %d predictions, want %d and %d", len(a.History.Epochs), len(a.Pred), s.Epochs, d.Val.Len())
	}
	if acc, _ := mlp.AccuracyScore(a.Pred, d.Val.Y.Labels); acc != a.ValAccuracy || a.Confusion.Accuracy() != acc {
		t.Errorf("accuracy %v, from the predictions %v, from the confusion matrix %v", a.ValAccuracy, acc, a.Confusion.Accuracy())
	}
	if last, _ := a.History.Last(); last.ValLoss != a.ValLoss {
		t.Errorf("final validation loss %v, last epoch's %v", a.ValLoss, last.ValLoss)
	}
}

func TestFitSettings(t *testing.T) {
	d := prepare(t, "iris.csv", 1)
	for _, s := range []Spec{
		{Epochs: 0, Batch: 16, LR: 0.1},
		{Epochs: 1, Batch: 0, LR: 0.1},
		{Epochs: 1, Batch: 16, LR: 0},
		{Epochs: 1, Batch: 16, LR: 0.1, Hidden: []int{0}},
	} {
		if _, err := d.Fit(context.Background(), s); !errors.Is(err, mlp.ErrSetting) {
			t.Errorf("%+v: error %v, want one matching ErrSetting", s, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Fit(ctx, Spec{Epochs: 1, Batch: 16, LR: 0.1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
}
