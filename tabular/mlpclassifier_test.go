package tabular

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// TestMLPClassifierWine trains MLPClassifier with its defaults on wine, on
// the 80/20 splits seeds 1 to 5 draw, and requires a mean validation
// accuracy of at least 0.97. scikit-learn 1.2's StandardScaler +
// MLPClassifier() on train_test_split(test_size=0.2, random_state=s) reaches
// 0.981 (mean over s = 1..5 and random_state 0..4 of the classifier).
func TestMLPClassifierWine(t *testing.T) {
	tab := wineTable(t)
	var sum float64
	for s := uint64(1); s <= 5; s++ {
		train, val, err := SplitTable(tab, mlp.SplitSettings{ValFraction: 0.2, Src: rand.NewPCG(s, 1)})
		if err != nil {
			t.Fatal(err)
		}
		m, err := MLPClassifier{Seed: s}.Fit(context.Background(), train)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := m.Score(val)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: validation accuracy %.4f after %d epochs", s, acc, m.NIter())
		sum += acc
	}
	if mean := sum / 5; !(mean >= 0.97) {
		t.Errorf("mean validation accuracy %.4f, want >= 0.97", mean)
	} else {
		t.Logf("mean validation accuracy %.4f", mean)
	}
}

func TestMLPSettingsErrorsNameTheField(t *testing.T) {
	tests := []struct {
		s    MLPSettings
		want string
	}{
		{MLPSettings{HiddenLayerSizes: []int{10, 0}}, "MLPClassifier.HiddenLayerSizes[1] = 0"},
		{MLPSettings{Activation: "softplus"}, `MLPClassifier.Activation = "softplus"`},
		{MLPSettings{Alpha: -1}, "MLPClassifier.Alpha = -1"},
		{MLPSettings{Alpha: math.NaN()}, "MLPClassifier.Alpha = NaN"},
		{MLPSettings{LearningRateInit: math.Inf(1)}, "MLPClassifier.LearningRateInit = +Inf"},
		{MLPSettings{Beta1: 1}, "MLPClassifier.Beta1 = 1"},
		{MLPSettings{Beta2: -0.5}, "MLPClassifier.Beta2 = -0.5"},
		{MLPSettings{Epsilon: -1e-8}, "MLPClassifier.Epsilon = -1e-08"},
		{MLPSettings{Tol: -1}, "MLPClassifier.Tol = -1"},
		{MLPSettings{BatchSize: -1}, "MLPClassifier.BatchSize = -1"},
		{MLPSettings{MaxIter: -1}, "MLPClassifier.MaxIter = -1"},
		{MLPSettings{NIterNoChange: -1}, "MLPClassifier.NIterNoChange = -1"},
		{MLPSettings{ValidationFraction: 1}, "MLPClassifier.ValidationFraction = 1"},
		{MLPSettings{DType: 5}, "MLPClassifier.DType = DType(5)"},
	}
	tab := wineTable(t)
	for _, tt := range tests {
		_, err := MLPClassifier(tt.s).Fit(context.Background(), tab)
		if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want ErrSetting naming %q", tt.s, err, tt.want)
		}
	}
	d, err := MLPSettings{}.resolve("MLPClassifier")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.hidden, []int{100}) || d.Alpha != 1e-4 || d.LearningRateInit != 1e-3 || d.Beta1 != 0.9 || d.Beta2 != 0.999 ||
		d.Epsilon != 1e-8 || d.MaxIter != 200 || d.Tol != 1e-4 || d.NIterNoChange != 10 || d.ValidationFraction != 0.1 || d.EarlyStopping {
		t.Errorf("defaults %+v, hidden %v; want scikit-learn 1.2's", d.MLPSettings, d.hidden)
	}
	if d, _ := (MLPSettings{HiddenLayerSizes: []int{}}).resolve("x"); len(d.hidden) != 0 {
		t.Errorf("empty HiddenLayerSizes gives %v, want no hidden layer", d.hidden)
	}
}

// TestMLPRefusesHugeNets checks that a net over the caps is refused before
// anything of its size is allocated.
func TestMLPRefusesHugeNets(t *testing.T) {
	tab := wineTable(t)
	for _, hidden := range [][]int{{1 << 24}, {8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192}, {60000, 60000}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := MLPClassifier{HiddenLayerSizes: hidden}.Fit(context.Background(), tab)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, mlp.ErrTooLarge) {
			t.Errorf("hidden %v: error %v, want ErrTooLarge", hidden, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("hidden %v: %d bytes allocated before the refusal, want < 1 MiB", hidden, got)
		}
	}
}
