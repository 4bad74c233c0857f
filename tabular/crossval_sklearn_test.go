package tabular

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/testkit"
)

// sklearnFloat is a float64 of the vectors, where NaN and the infinities
// are the strings "nan", "inf" and "-inf".
type sklearnFloat float64

func (f *sklearnFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"nan"`:
		*f = sklearnFloat(math.NaN())
	case `"inf"`:
		*f = sklearnFloat(math.Inf(1))
	case `"-inf"`:
		*f = sklearnFloat(math.Inf(-1))
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = sklearnFloat(v)
	}
	return nil
}

// readSklearnCases decodes the cases of testdata/sklearn/<file>, written
// by the generator beside it with scikit-learn 1.2.1, failing the test
// unless there are at least min of them.
func readSklearnCases[C any](t *testing.T, file string, min int) []C {
	t.Helper()
	return testkit.SklearnCases[C](t, file, min)
}

// sameFloat reports whether got and want are the same float64, NaN
// matching NaN: GridSearch sums in numpy's order, so its means and
// standard deviations have scikit-learn's bits.
func sameFloat(got, want float64) bool {
	return got == want || math.IsNaN(got) && math.IsNaN(want)
}

// scripted is an Estimator whose model scores fold f with scores[f]; the
// table's one feature is the row number, and fold f of KFold over 2k rows
// tests rows 2f and 2f+1.
type scripted struct {
	scores []float64
	fail   int // the fold whose fit fails, or -1
	cand   int // the candidate's index, which its models keep
}

type scriptedModel struct {
	scores []float64
	cand   int
}

// Fit fails on the training rows of fold s.fail, the rows without 2·fail.
func (s scripted) Fit(_ context.Context, t *Table) (scriptedModel, error) {
	if s.fail >= 0 && !slices.Contains(t.Features[0].Values, float64(2*s.fail)) {
		return scriptedModel{}, errors.New("scripted fit failure")
	}
	return scriptedModel{s.scores, s.cand}, nil
}

func (m scriptedModel) Score(t *Table) (float64, error) {
	return m.scores[int(t.Features[0].Values[0])/2], nil
}

// rowTable returns a table of n rows whose one feature is the row number.
func rowTable(n int) *Table {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return &Table{Features: []Column{{Name: "row", Kind: Numeric, Values: v}}}
}

// sklearnGridCase is a case of testdata/sklearn/gridsearch.json, written
// by gen_gridsearch.py.
type sklearnGridCase struct {
	Name           string           `json:"name"`
	K              int              `json:"k"`
	Scores         [][]sklearnFloat `json:"scores"` // per candidate, per fold
	Mean           []sklearnFloat   `json:"mean"`
	Std            []sklearnFloat   `json:"std"`
	Rank           []int            `json:"rank"`
	RankNaNLast    []int            `json:"rank_nan_last"`
	SklearnTiesNaN bool             `json:"sklearn_ties_nan"`
	Best           int              `json:"best"`
	BestNaNLast    int              `json:"best_nan_last"`
	Refit          int              `json:"refit"`
}

// GridSearch and CrossValidate report scikit-learn 1.2.1 GridSearchCV's
// mean_test_score and std_test_score bit for bit, its rank_test_score, its
// best_index_ and the candidate it refits (best_estimator_), with scripted
// fold scores (NaN, infinities, ties). Where
// scikit-learn's NaN stand-in ties a NaN mean with a worst mean of
// magnitude 2^53 or more, the library ranks the NaN last, as documented.
func TestGridSearchAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnCases[sklearnGridCase](t, "gridsearch.json", 70) {
		t.Run(c.Name, func(t *testing.T) {
			var cands []Estimator[scriptedModel]
			for _, s := range c.Scores {
				fs := make([]float64, len(s))
				for f, v := range s {
					fs[f] = float64(v)
				}
				cands = append(cands, scripted{scores: fs, fail: -1, cand: len(cands)})
			}
			tab := rowTable(2 * c.K)
			res, err := GridSearch(context.Background(), cands, tab, CVSettings{K: c.K, Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res.Results {
				if !sameFloat(r.Mean, float64(c.Mean[i])) || !sameFloat(r.Std, float64(c.Std[i])) {
					t.Errorf("candidate %d: mean %v std %v, scikit-learn %v %v", i, r.Mean, r.Std, c.Mean[i], c.Std[i])
				}
				if cv, err := CrossValidate(context.Background(), cands[i], tab, CVSettings{K: c.K}); err != nil {
					t.Error(err)
				} else if !sameFloat(cv.Mean, r.Mean) || !sameFloat(cv.Std, r.Std) {
					t.Errorf("candidate %d: CrossValidate %v ± %v, GridSearch %v ± %v", i, cv.Mean, cv.Std, r.Mean, r.Std)
				}
			}
			if !slices.Equal(res.Rank, c.RankNaNLast) {
				t.Errorf("Rank %v, want %v (scikit-learn %v)", res.Rank, c.RankNaNLast, c.Rank)
			}
			if !c.SklearnTiesNaN && !slices.Equal(res.Rank, c.Rank) {
				t.Errorf("Rank %v, scikit-learn %v", res.Rank, c.Rank)
			}
			if res.Best != c.BestNaNLast || !c.SklearnTiesNaN && res.Best != c.Best {
				t.Errorf("Best %d, want %d (scikit-learn %d)", res.Best, c.BestNaNLast, c.Best)
			}
			// The refit is of candidate Best on the whole table, as
			// scikit-learn's best_estimator_.
			if res.BestModel.cand != res.Best || !c.SklearnTiesNaN && res.BestModel.cand != c.Refit || len(res.BestModel.scores) != c.K {
				t.Errorf("BestModel is candidate %d's; want %d (scikit-learn refits %d)", res.BestModel.cand, res.Best, c.Refit)
			}
		})
	}
}

// A fit that fails aborts the search with its error, naming the candidate
// and the fold (scikit-learn's error_score="raise", not its default NaN).
func TestGridSearchFailingFitAborts(t *testing.T) {
	cands := []Estimator[scriptedModel]{
		scripted{scores: []float64{0.5, 0.5, 0.5}, fail: -1},
		scripted{scores: []float64{0.9, 0.9, 0.9}, fail: 2},
	}
	res, err := GridSearch(context.Background(), cands, rowTable(6), CVSettings{K: 3})
	if err == nil || !strings.Contains(err.Error(), "candidate 1, fold 2") || !strings.Contains(err.Error(), "scripted fit failure") {
		t.Fatalf("GridSearch with a failing fit: %v, %v; want an error naming candidate 1, fold 2", res, err)
	}
}

// Finite fold scores give a finite Mean and Std, also where numpy's sums
// overflow (scikit-learn's mean_test_score is -inf and std_test_score inf
// or NaN there).
func TestCVResultFiniteForFiniteScores(t *testing.T) {
	for _, c := range []struct {
		scores    []float64
		mean, std float64
	}{
		{[]float64{-1.5e308, -1.5e308}, -1.5e308, 0},
		{[]float64{-1e200, 1e200}, 0, 1e200},
		{[]float64{-math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64}, 0, math.MaxFloat64},
		{[]float64{0.5, 0.25}, 0.375, 0.125},
	} {
		r := newCVResult(c.scores)
		if math.Abs(r.Mean-c.mean) > 1e-12*math.Abs(c.mean) || math.Abs(r.Std-c.std) > 1e-12*c.std {
			t.Errorf("scores %v: mean %v, std %v; want %v, %v", c.scores, r.Mean, r.Std, c.mean, c.std)
		}
	}
	if r := newCVResult([]float64{math.NaN(), 1}); !math.IsNaN(r.Mean) || !math.IsNaN(r.Std) {
		t.Errorf("a NaN score gives mean %v, std %v; want NaN", r.Mean, r.Std)
	}
}
