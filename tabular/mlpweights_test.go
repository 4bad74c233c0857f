package tabular

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// trajectoryTable returns the table and settings of the named case of the
// scikit-learn trajectory vectors.
func trajectoryTable(t *testing.T, name string) (*Table, MLPSettings) {
	t.Helper()
	for _, c := range loadTrajectories(t) {
		if c.Name == name {
			return c.table(), c.settings()
		}
	}
	t.Fatalf("no trajectory case %q", name)
	return nil, MLPSettings{}
}

// TestMLPWeightsRejected checks the errors of InitialWeights that do not fit
// the net and of ValidationRows that do not fit the table: each wraps
// ErrSetting and names the field.
func TestMLPWeightsRejected(t *testing.T) {
	tab, base := trajectoryTable(t, "classifier 3 classes relu alpha 0") // widths [4 6 3], 48 rows
	w := base.InitialWeights
	tests := []struct {
		name string
		edit func(s *MLPSettings)
		want string
	}{
		{"one layer missing", func(s *MLPSettings) {
			s.InitialWeights = &MLPWeights{Coefs: w.Coefs[:1], Intercepts: w.Intercepts[:1]}
		}, "MLPClassifier.InitialWeights has 1 Coefs and 1 Intercepts; the net [4 6 3] has 2 layers"},
		{"transposed", func(s *MLPSettings) {
			s.InitialWeights = &MLPWeights{Coefs: []*mat.Dense{mat.DenseCopyOf(w.Coefs[0].T()), w.Coefs[1]}, Intercepts: w.Intercepts}
		}, "InitialWeights.Coefs[0] is 6×4; the net [4 6 3] needs 4×6"},
		{"short intercepts", func(s *MLPSettings) {
			s.InitialWeights = &MLPWeights{Coefs: w.Coefs, Intercepts: [][]float64{w.Intercepts[0], {1, 2}}}
		}, "InitialWeights.Intercepts[1] has 2 values; the net [4 6 3] needs 3"},
		{"nil matrix", func(s *MLPSettings) {
			s.InitialWeights = &MLPWeights{Coefs: []*mat.Dense{w.Coefs[0], nil}, Intercepts: w.Intercepts}
		}, "InitialWeights.Coefs[1] is empty"},
		{"NaN weight", func(s *MLPSettings) {
			c := mat.DenseCopyOf(w.Coefs[1])
			c.Set(2, 1, math.NaN())
			s.InitialWeights = &MLPWeights{Coefs: []*mat.Dense{w.Coefs[0], c}, Intercepts: w.Intercepts}
		}, "InitialWeights.Coefs[1][2][1] is NaN"},
		{"rows without early stopping", func(s *MLPSettings) { s.ValidationRows = []int{1, 2} },
			"MLPClassifier.ValidationRows = [1 2]; want nil without EarlyStopping"},
		{"row out of range", func(s *MLPSettings) { s.EarlyStopping, s.ValidationRows = true, []int{3, 48} },
			"MLPClassifier.ValidationRows[1] = 48 is not a row of the table's 48"},
		{"negative row", func(s *MLPSettings) { s.EarlyStopping, s.ValidationRows = true, []int{-1} },
			"ValidationRows[0] = -1 is not a row"},
		{"row twice", func(s *MLPSettings) { s.EarlyStopping, s.ValidationRows = true, []int{5, 7, 5} },
			"MLPClassifier.ValidationRows lists row 5 twice"},
		{"no row", func(s *MLPSettings) { s.EarlyStopping, s.ValidationRows = true, []int{} },
			"ValidationRows holds 0 of the table's 48 rows"},
		{"every row", func(s *MLPSettings) {
			s.EarlyStopping = true
			for r := range 48 {
				s.ValidationRows = append(s.ValidationRows, r)
			}
		}, "ValidationRows holds 48 of the table's 48 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			tt.edit(&s)
			_, err := MLPClassifier(s).Fit(context.Background(), tab)
			if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want ErrSetting containing %q", err, tt.want)
			}
		})
	}
}

// TestMLPWarmStart continues a fit from FittedMLP.Weights: the first epoch
// of the second fit reports the loss of the first fit's net on the table,
// computed here from the probabilities its Pipeline predicts, so Weights and
// InitialWeights agree on the layout. Two classes (one logistic output,
// probabilities [1−p, p]) and three (Softmax) are checked, to 1e-12.
func TestMLPWarmStart(t *testing.T) {
	for _, name := range []string{"binary relu alpha 0", "classifier 3 classes relu alpha 0"} {
		t.Run(name, func(t *testing.T) {
			tab, s := trajectoryTable(t, name)
			s.MaxIter = 15
			first, err := MLPClassifier(s).Fit(context.Background(), tab)
			if err != nil {
				t.Fatal(err)
			}
			p, err := first.Predict(tab)
			if err != nil {
				t.Fatal(err)
			}
			if _, c := p.Proba.Dims(); c != len(first.Classes()) {
				t.Fatalf("Proba has %d columns for classes %v", c, first.Classes())
			}
			var want float64
			for i := range tab.Rows() {
				row := p.Proba.RawRowView(i)
				var sum float64
				for _, q := range row {
					sum += q
				}
				if math.Abs(sum-1) > 1e-14 {
					t.Fatalf("row %d: probabilities %v do not sum to 1", i, row)
				}
				want -= math.Log(row[int(tab.Targets[0].Values[i])])
			}
			want /= float64(tab.Rows())

			s.InitialWeights = first.Weights()
			s.MaxIter = 1
			s.Seed = 99 // unused: the weights are given and the rows not shuffled
			second, err := MLPClassifier(s).Fit(context.Background(), tab)
			if err != nil {
				t.Fatal(err)
			}
			if got := second.History().Epochs[0].Loss; math.Abs(got-want) > 1e-12 {
				t.Errorf("first loss after a warm start %.17g; the first fit's net gives %.17g", got, want)
			}
			// The weights handed out are copies.
			w := first.Weights()
			w.Coefs[0].Set(0, 0, 1e6)
			w.Intercepts[0][0] = 1e6
			if v := first.Weights(); v.Coefs[0].At(0, 0) == 1e6 || v.Intercepts[0][0] == 1e6 {
				t.Error("changing the result of Weights changed the model")
			}
		})
	}
}

// TestMLPNoShuffle trains on mini-batches of 10 from the same initial
// weights with two seeds: with NoShuffle the seed has nothing left to
// choose and the histories are equal; with shuffling they differ.
func TestMLPNoShuffle(t *testing.T) {
	tab, s := trajectoryTable(t, "regressor 1 output relu alpha 0")
	s.BatchSize, s.MaxIter = 10, 5
	for _, noShuffle := range []bool{true, false} {
		var losses [2][]float64
		for k, seed := range []uint64{1, 2} {
			s.NoShuffle, s.Seed = noShuffle, seed
			m, err := MLPRegressor(s).Fit(context.Background(), tab)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range m.History().Epochs {
				losses[k] = append(losses[k], e.Loss)
			}
		}
		if same := slices.Equal(losses[0], losses[1]); same != noShuffle {
			t.Errorf("NoShuffle %v: seeds 1 and 2 give losses %v and %v", noShuffle, losses[0], losses[1])
		}
	}
}

// TestMLPClassifierTwoClasses checks scikit-learn's one logistic output for
// two classes: the last layer has one column, the Pipeline gives two
// probabilities, [1−p, p], and so does the Pipeline saved and loaded.
func TestMLPClassifierTwoClasses(t *testing.T) {
	tab, s := trajectoryTable(t, "binary tanh alpha 1e-2")
	s.InitialWeights = nil
	m, err := MLPClassifier(s).Fit(context.Background(), tab)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Weights()
	if _, c := w.Coefs[len(w.Coefs)-1].Dims(); c != 1 {
		t.Errorf("the last layer has %d outputs for two classes, want 1", c)
	}
	var buf strings.Builder
	if err := m.Pipeline().Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadPipeline(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Pipeline{m.Pipeline(), loaded} {
		pred, err := p.Predict(tab)
		if err != nil {
			t.Fatal(err)
		}
		if r, c := pred.Proba.Dims(); r != tab.Rows() || c != 2 {
			t.Fatalf("Proba is %d×%d, want %d×2", r, c, tab.Rows())
		}
		for i := range tab.Rows() {
			p0, p1 := pred.Proba.At(i, 0), pred.Proba.At(i, 1)
			if p0 != 1-p1 || (p1 > 0.5) != (pred.Labels[i] == m.Classes()[1]) {
				t.Fatalf("row %d: probabilities [%v %v], label %q", i, p0, p1, pred.Labels[i])
			}
		}
	}
}
