package mlp

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// sklearnFoldCase is a case of testdata/sklearn/kfold.json, written by
// testdata/sklearn/gen_kfold.py with scikit-learn 1.2.1.
type sklearnFoldCase struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"` // KFold or StratifiedKFold
	N      int     `json:"n"`
	Labels []int   `json:"labels"`
	K      int     `json:"k"`
	Test   [][]int `json:"test"` // the test rows of each fold
}

func readSklearnFolds(t *testing.T) []sklearnFoldCase {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn/kfold.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []sklearnFoldCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 100 {
		t.Fatalf("%d cases, want at least 100", len(f.Cases))
	}
	return f.Cases
}

// Without shuffling, KFold and StratifiedKFold test exactly the rows
// scikit-learn 1.2.1's do, fold by fold, and train on the others.
func TestFoldsAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnFolds(t) {
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			var (
				got []Fold
				err error
				n   = c.N
			)
			if c.Kind == "KFold" {
				got, err = KFold{K: c.K}.Split(c.N)
			} else {
				n = len(c.Labels)
				got, err = StratifiedKFold{K: c.K}.Split(c.Labels)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.Test) {
				t.Fatalf("%d folds, want %d", len(got), len(c.Test))
			}
			for f, want := range c.Test {
				if !slices.Equal(got[f].Test, want) {
					t.Errorf("fold %d tests %v, scikit-learn %v", f, got[f].Test, want)
				}
				if len(got[f].Train)+len(got[f].Test) != n {
					t.Errorf("fold %d: %d train + %d test rows for %d", f, len(got[f].Train), len(got[f].Test), n)
				}
			}
		})
	}
}

// With Shuffle, each fold holds as many rows of each class as without it
// (and as scikit-learn's), every row is tested once, and the same source
// gives the same folds.
func TestStratifiedKFoldShuffleKeepsCounts(t *testing.T) {
	for _, c := range readSklearnFolds(t) {
		if c.Kind != "StratifiedKFold" {
			continue
		}
		plain, err := StratifiedKFold{K: c.K}.Split(c.Labels)
		if err != nil {
			t.Fatal(err)
		}
		split := func() []Fold {
			f, err := StratifiedKFold{K: c.K, Shuffle: true, Src: rand.NewPCG(3, 4)}.Split(c.Labels)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		shuffled, again := split(), split()
		tested := make([]int, len(c.Labels))
		for f := range plain {
			count := func(rows []int) map[int]int {
				m := map[int]int{}
				for _, i := range rows {
					m[c.Labels[i]]++
				}
				return m
			}
			pc, sc := count(plain[f].Test), count(shuffled[f].Test)
			for cl, m := range pc {
				if sc[cl] != m {
					t.Errorf("%s: fold %d tests %d rows of class %d shuffled, %d not", c.Name, f, sc[cl], cl, m)
				}
			}
			for _, i := range shuffled[f].Test {
				tested[i]++
			}
			if !slices.Equal(shuffled[f].Test, again[f].Test) {
				t.Errorf("%s: fold %d differs between two splits with the same source", c.Name, f)
			}
		}
		for i, m := range tested {
			if m != 1 {
				t.Errorf("%s: row %d tested %d times", c.Name, i, m)
			}
		}
	}
}
