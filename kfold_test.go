package mlp_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// checkPartition checks that each fold's Train and Test are disjoint, cover
// the n rows, and that the Test parts partition the rows.
func checkPartition(t *testing.T, folds []mlp.Fold, n int) {
	t.Helper()
	tested := make([]int, n)
	for f, fold := range folds {
		all := append(slices.Clone(fold.Train), fold.Test...)
		slices.Sort(all)
		if !slices.Equal(all, identityInts(n)) {
			t.Fatalf("fold %d: train and test do not partition the %d rows", f, n)
		}
		for _, i := range fold.Test {
			tested[i]++
		}
	}
	for i, c := range tested {
		if c != 1 {
			t.Fatalf("row %d is tested %d times, want once", i, c)
		}
	}
}

func identityInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestKFoldMatchesScikitLearn(t *testing.T) {
	// scikit-learn: [list(te) for _, te in KFold(3).split(range(10))]
	folds, err := mlp.KFold{K: 3}.Split(10)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	for f, w := range want {
		if !slices.Equal(folds[f].Test, w) {
			t.Errorf("fold %d tests %v, want %v", f, folds[f].Test, w)
		}
	}
	checkPartition(t, folds, 10)

	def, err := mlp.KFold{}.Split(12)
	if err != nil || len(def) != 5 {
		t.Fatalf("zero K: %d folds, %v; want 5", len(def), err)
	}

	a, _ := mlp.KFold{K: 4, Shuffle: true, Src: rand.NewPCG(1, 2)}.Split(20)
	b, _ := mlp.KFold{K: 4, Shuffle: true, Src: rand.NewPCG(1, 2)}.Split(20)
	c, _ := mlp.KFold{K: 4, Shuffle: true, Src: rand.NewPCG(2, 2)}.Split(20)
	checkPartition(t, a, 20)
	if !slices.Equal(a[0].Test, b[0].Test) || slices.Equal(a[0].Test, c[0].Test) {
		t.Errorf("shuffled folds: same seed %v and %v, other seed %v", a[0].Test, b[0].Test, c[0].Test)
	}
}

func TestStratifiedKFoldKeepsClassShares(t *testing.T) {
	// 12 rows of class 0, 6 of class 1, 3 of class 2, interleaved.
	var classes []int
	for i := range 21 {
		switch {
		case i%7 < 4:
			classes = append(classes, 0)
		case i%7 < 6:
			classes = append(classes, 1)
		default:
			classes = append(classes, 2)
		}
	}
	for _, shuffle := range []bool{false, true} {
		s := mlp.StratifiedKFold{K: 3, Shuffle: shuffle}
		if shuffle {
			s.Src = rand.NewPCG(7, 0)
		}
		folds, err := s.Split(classes)
		if err != nil {
			t.Fatal(err)
		}
		checkPartition(t, folds, len(classes))
		for f, fold := range folds {
			count := [3]int{}
			for _, i := range fold.Test {
				count[classes[i]]++
			}
			if count != [3]int{4, 2, 1} {
				t.Errorf("shuffle %v, fold %d tests classes %v, want [4 2 1]", shuffle, f, count)
			}
		}
	}
}

func TestKFoldErrors(t *testing.T) {
	_, err := mlp.KFold{K: 1}.Split(10)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "KFold.K = 1")
	_, err = mlp.KFold{K: -2}.Split(10)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "KFold.K = -2")
	_, err = mlp.KFold{K: 3, Shuffle: true}.Split(10)
	testkit.ErrorContains(t, err, mlp.ErrSetting, "needs a Src")
	_, err = mlp.KFold{K: 5}.Split(4)
	testkit.ErrorContains(t, err, mlp.ErrData, "4 rows cannot make 5 folds")
	_, err = mlp.StratifiedKFold{K: 3}.Split([]int{0, 0, 0, 1, 1})
	testkit.ErrorContains(t, err, mlp.ErrData, "class 1 has 2 rows")
}
