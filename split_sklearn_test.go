package mlp

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// sklearnSplitCase is a case of testdata/sklearn/split.json, written by
// gen_split.py: the sizes of train_test_split(test_size=Fraction) of N
// rows, stratified by Labels when they are given.
type sklearnSplitCase struct {
	Name       string  `json:"name"`
	N          int     `json:"n"`
	Fraction   float64 `json:"fraction"`
	Labels     []int   `json:"labels"`
	Error      bool    `json:"error"`
	Message    string  `json:"message"`
	NTest      int     `json:"n_test"`
	NTrain     int     `json:"n_train"`
	ClassTests [][]int `json:"class_tests"` // every per-class test count seen, classes sorted
}

// SplitIndices gives validation and training parts of the sizes of
// scikit-learn 1.2.1's train_test_split, validation = ceil(n·f), and with
// Stratify per-class counts that scikit-learn gives for some random state
// (it breaks ties between classes at random), and refuses the splits it
// refuses. Each case is split with several seeds.
func TestSplitSizesAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnCases[sklearnSplitCase](t, "split.json", 100) {
		t.Run(c.Name, func(t *testing.T) {
			var classes []int
			for _, l := range c.Labels {
				if !slices.Contains(classes, l) {
					classes = append(classes, l)
				}
			}
			slices.Sort(classes)
			for seed := range uint64(5) {
				tr, va, err := SplitIndices(c.N, c.Labels, SplitSettings{ValFraction: c.Fraction, Stratify: c.Labels != nil, Src: rand.NewPCG(seed, 9)})
				if c.Error {
					if !errors.Is(err, ErrData) {
						t.Fatalf("SplitIndices: %v; scikit-learn refuses (%s), want an error wrapping ErrData", err, c.Message)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(va) != c.NTest || len(tr) != c.NTrain {
					t.Fatalf("%d validation and %d training rows, scikit-learn %d and %d", len(va), len(tr), c.NTest, c.NTrain)
				}
				all := slices.Sorted(slices.Values(append(slices.Clone(tr), va...)))
				for i, r := range all {
					if r != i {
						t.Fatalf("the parts do not hold each row once: %v", all)
					}
				}
				if c.Labels == nil {
					continue
				}
				counts := make([]int, len(classes))
				for _, i := range va {
					counts[slices.Index(classes, c.Labels[i])]++
				}
				if !slices.ContainsFunc(c.ClassTests, func(w []int) bool { return slices.Equal(w, counts) }) {
					t.Errorf("seed %d: validation rows per class %v; scikit-learn gives %v", seed, counts, c.ClassTests)
				}
			}
		})
	}
}
