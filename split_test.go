package mlp_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name               string
		n                  int
		fraction           float64
		stratify           bool
		wantTrain, wantVal int
	}{
		{"569 at 0.2", 569, 0.2, false, 455, 114},            // round(113.8) = 114
		{"569 default fraction", 569, 0, false, 455, 114},    // 0 means 0.2
		{"10 at 0.25 rounds half up", 10, 0.25, false, 7, 3}, // round(2.5) = 3
		{"150 at 0.3", 150, 0.3, false, 105, 45},
		{"5 at 0.1 rounds up to one", 5, 0.1, false, 4, 1}, // round(0.5) = 1
		{"150 stratified", 150, 0.2, true, 120, 30},        // 50 per class, 10 each
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dataIDSet(t, tc.n, 3, false)
			xBefore := mat.DenseCopyOf(d.X)
			labelsBefore := slices.Clone(d.Y.Labels)
			s := mlp.SplitSettings{ValFraction: tc.fraction, Stratify: tc.stratify, Src: rand.NewPCG(7, 7)}
			train, val, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != tc.wantTrain || val.Len() != tc.wantVal {
				t.Errorf("sizes %d/%d, want %d/%d", train.Len(), val.Len(), tc.wantTrain, tc.wantVal)
			}
			all := append(dataRowIDs(train), dataRowIDs(val)...)
			slices.Sort(all)
			for i, id := range all {
				if id != i {
					t.Fatalf("train and val are not disjoint or do not cover the data set: sorted ids %v", all)
				}
			}
			for _, part := range []*mlp.Dataset{train, val} {
				for i, id := range dataRowIDs(part) {
					if part.Y.Labels[i] != d.Y.Labels[id] || !mat.Equal(part.X.RowView(i), d.X.RowView(id)) {
						t.Fatalf("row %d of a part does not match sample %d", i, id)
					}
				}
				if part.Classes != d.Classes {
					t.Errorf("part has %d classes, want %d", part.Classes, d.Classes)
				}
			}
			if !mat.Equal(d.X, xBefore) || !slices.Equal(d.Y.Labels, labelsBefore) {
				t.Errorf("Split changed its input")
			}

			// Same seed, same split; another seed, another split.
			s.Src = rand.NewPCG(7, 7)
			train2, val2, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(train.X, train2.X) || !mat.Equal(val.X, val2.X) || !slices.Equal(train.Y.Labels, train2.Y.Labels) {
				t.Errorf("the same seed gave a different split")
			}
			s.Src = rand.NewPCG(8, 7)
			train3, _, err := mlp.Split(d, s)
			if err != nil {
				t.Fatal(err)
			}
			if mat.Equal(train.X, train3.X) {
				t.Errorf("another seed gave the same split")
			}

			// The parts are copies.
			train.X.Set(0, 0, -1)
			val.Y.Labels[0] = 99
			if !mat.Equal(d.X, xBefore) || !slices.Equal(d.Y.Labels, labelsBefore) {
				t.Errorf("changing a part changed the data set")
			}
		})
	}
}

func TestSplitRegression(t *testing.T) {
	d := dataIDSet(t, 20, 2, true)
	train, val, err := mlp.Split(d, mlp.SplitSettings{ValFraction: 0.3, Src: rand.NewPCG(1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 14 || val.Len() != 6 || train.Classes != 0 {
		t.Fatalf("sizes %d/%d classes %d, want 14/6 classes 0", train.Len(), val.Len(), train.Classes)
	}
	for i, id := range dataRowIDs(val) {
		if !mat.Equal(val.Y.Values.RowView(i), d.Y.Values.RowView(id)) {
			t.Errorf("values of val row %d do not match sample %d", i, id)
		}
	}
}

func TestSplitStratified(t *testing.T) {
	for _, tc := range []struct {
		name     string
		counts   []int // samples per class
		fraction float64
	}{
		{"imbalanced", []int{300, 60, 7, 2}, 0.2},
		{"half", []int{11, 5, 2, 3}, 0.5},
		// A class of one sample is refused, as scikit-learn refuses it
		// (TestSplitErrors); two-sample classes still split here.
		{"small classes", []int{40, 2, 2}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var labels []int
			for c, k := range tc.counts {
				for range k {
					labels = append(labels, c)
				}
			}
			// Mix the classes so that the split cannot rely on their order.
			rng := rand.New(rand.NewPCG(1, 2))
			rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
			x := mat.NewDense(len(labels), 1, nil)
			for i := range labels {
				x.Set(i, 0, float64(i))
			}
			d, err := mlp.NewDataset(x, mlp.Targets{Labels: labels})
			if err != nil {
				t.Fatal(err)
			}
			train, val, err := mlp.Split(d, mlp.SplitSettings{ValFraction: tc.fraction, Stratify: true, Src: rand.NewPCG(3, 3)})
			if err != nil {
				t.Fatal(err)
			}
			trainCounts, valCounts := make([]int, len(tc.counts)), make([]int, len(tc.counts))
			for _, c := range train.Y.Labels {
				trainCounts[c]++
			}
			for _, c := range val.Y.Labels {
				valCounts[c]++
			}
			for c, nc := range tc.counts {
				if trainCounts[c]+valCounts[c] != nc {
					t.Errorf("class %d: %d+%d samples, want %d", c, trainCounts[c], valCounts[c], nc)
				}
				if diff := math.Abs(float64(valCounts[c]) - float64(nc)*tc.fraction); diff > 1 {
					t.Errorf("class %d: %d of %d in val, want %.1f ± 1", c, valCounts[c], nc, float64(nc)*tc.fraction)
				}
				if trainCounts[c] == 0 {
					t.Errorf("class %d has no training sample", c)
				}
			}
		})
	}
}

// TestSplitErrors checks the settings and data sets Split refuses, Datasets
// built as literals included, with an error wrapping the sentinel, starting
// "mlp: " and saying what is wrong.
func TestSplitErrors(t *testing.T) {
	cls := dataIDSet(t, 20, 2, false)
	reg := dataIDSet(t, 20, 2, true)
	src := rand.NewPCG(1, 1)
	four, err := mlp.NewDataset(mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8}), mlp.Targets{Labels: []int{0, 1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := mlp.NewDataset(mat.NewDense(2, 1, nil), mlp.Targets{Labels: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	stratOne, err := mlp.NewDataset(mat.NewDense(6, 1, nil), mlp.Targets{Labels: []int{0, 0, 0, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	stratThree, err := mlp.NewDataset(mat.NewDense(9, 1, nil), mlp.Targets{Labels: []int{0, 0, 0, 1, 1, 1, 2, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    *mlp.Dataset
		s    mlp.SplitSettings
		want error
		says []string // substrings of the message
	}{
		{"no source", cls, mlp.SplitSettings{}, mlp.ErrSetting, nil},
		{"fraction one", cls, mlp.SplitSettings{ValFraction: 1, Src: src}, mlp.ErrSetting, nil},
		{"negative fraction", cls, mlp.SplitSettings{ValFraction: -0.1, Src: src}, mlp.ErrSetting, nil},
		{"NaN fraction", cls, mlp.SplitSettings{ValFraction: math.NaN(), Src: src}, mlp.ErrSetting, nil},
		{"stratify regression", reg, mlp.SplitSettings{Stratify: true, Src: src}, mlp.ErrSetting, nil},
		// The validation part has ceil(n·ValFraction) samples, never none,
		// as in scikit-learn: one sample leaves no training part.
		{"empty training part of one sample", dataIDSet(t, 1, 1, false), mlp.SplitSettings{ValFraction: 0.2, Src: src}, mlp.ErrData, []string{"one part would be empty (the training part)"}},
		{"one-member class", stratOne, mlp.SplitSettings{ValFraction: 0.2, Stratify: true, Src: src}, mlp.ErrData, []string{"class 1 has a single sample"}},
		{"fewer validation samples than classes", stratThree, mlp.SplitSettings{ValFraction: 0.2, Stratify: true, Src: src}, mlp.ErrData, []string{"one per class"}},
		{"empty training part", dataIDSet(t, 2, 1, false), mlp.SplitSettings{ValFraction: 0.9, Src: src}, mlp.ErrData, nil},
		{"nil data set", nil, mlp.SplitSettings{Src: src}, mlp.ErrData, nil},
		{"fraction 1 of 4 samples", four, mlp.SplitSettings{ValFraction: 1, Src: src}, mlp.ErrSetting, []string{"ValFraction 1 is not in (0, 1)"}},
		{"fraction NaN of 4 samples", four, mlp.SplitSettings{ValFraction: math.NaN(), Src: src}, mlp.ErrSetting, []string{"ValFraction NaN"}},
		{"0.99 of 2 rows", two, mlp.SplitSettings{ValFraction: 0.99, Src: src}, mlp.ErrData, []string{"2 samples", "ValFraction 0.99"}},
		{"no source for 4 samples", four, mlp.SplitSettings{}, mlp.ErrSetting, []string{"Split needs a Src"}},
		{"literal with short labels", &mlp.Dataset{X: mat.NewDense(4, 2, nil), Y: mlp.Targets{Labels: []int{1}}},
			mlp.SplitSettings{ValFraction: 0.5, Src: src}, mlp.ErrData, []string{"split: 1 labels for 4 samples"}},
		{"literal without targets", &mlp.Dataset{X: mat.NewDense(4, 2, nil)},
			mlp.SplitSettings{ValFraction: 0.5, Src: src}, mlp.ErrData, []string{"split: targets have neither"}},
		{"stratified literal with a negative label", &mlp.Dataset{X: mat.NewDense(4, 2, nil), Y: mlp.Targets{Labels: []int{0, -1, 0, 1}}, Classes: 2},
			mlp.SplitSettings{ValFraction: 0.5, Stratify: true, Src: src}, mlp.ErrData, []string{"label -1 of row 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			train, val, err := mlp.Split(tc.d, tc.s)
			if train != nil || val != nil {
				t.Errorf("got parts with the error")
			}
			testkit.ErrorContains(t, err, tc.want, tc.says...)
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("error %q does not start with \"mlp: \"", err)
			}
		})
	}
}

// TestSplitStratifiedUnusualLabels checks that a stratified split accepts
// a literal Dataset with Classes 0, and labels up to 2^31-1 without
// allocating for every label value below the largest.
func TestSplitStratifiedUnusualLabels(t *testing.T) {
	src := rand.NewPCG(7, 8)
	t.Run("literal with Classes 0", func(t *testing.T) {
		d := &mlp.Dataset{X: mat.NewDense(4, 1, []float64{1, 2, 3, 4}), Y: mlp.Targets{Labels: []int{0, 1, 0, 1}}}
		if _, _, err := mlp.Split(d, mlp.SplitSettings{ValFraction: 0.5, Stratify: true, Src: src}); err != nil {
			t.Error(err)
		}
	})
	t.Run("label 2^31-1", func(t *testing.T) {
		d, err := mlp.NewDataset(mat.NewDense(4, 1, []float64{1, 2, 3, 4}), mlp.Targets{Labels: []int{0, 0, 2147483647, 2147483647}})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err = mlp.Split(d, mlp.SplitSettings{ValFraction: 0.5, Stratify: true, Src: src})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("split of 4 samples allocated %d bytes", n)
		}
	})
}
