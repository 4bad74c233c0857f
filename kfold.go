package mlp

import (
	"fmt"
	"math/rand/v2"
)

// Fold is one train/test partition of the rows of a data set, as row
// indices in increasing order.
type Fold struct {
	Train, Test []int
}

// KFold splits n rows into K folds of consecutive rows (after a shuffle
// when Shuffle is set), as scikit-learn's KFold does: the first n mod K
// folds have n/K + 1 test rows, the others n/K, and each fold trains on the
// rows the others test on (docs/conventions.md).
type KFold struct {
	// K is the number of folds, at least 2; zero means 5, scikit-learn's
	// default.
	K int
	// Shuffle shuffles the rows before cutting them into folds, with the
	// Fisher-Yates shuffle drawing from rand.New(Src). Off by default, as
	// in scikit-learn.
	Shuffle bool
	// Src is the random source of the shuffle; required with Shuffle.
	Src rand.Source
}

// Split returns the K folds of n rows. It returns an error wrapping
// ErrSetting when K is negative or 1, or Shuffle is set without Src, and
// one wrapping ErrData when n < K. It allocates K·n ints.
func (s KFold) Split(n int) ([]Fold, error) {
	k, err := s.check("KFold")
	if err != nil {
		return nil, err
	}
	if n < k {
		return nil, fmt.Errorf("%w: KFold: %d rows cannot make %d folds", ErrData, n, k)
	}
	order := identity(n)
	if s.Shuffle {
		shuffle(rand.New(s.Src), order)
	}
	fold := make([]int, n) // the fold that tests each row
	start := 0
	for f := range k {
		size := n / k
		if f < n%k {
			size++
		}
		for _, i := range order[start : start+size] {
			fold[i] = f
		}
		start += size
	}
	return folds(fold, k), nil
}

// check returns K with its default, or an error naming the setting.
func (s KFold) check(name string) (int, error) {
	k := s.K
	if k == 0 {
		k = 5
	}
	switch {
	case k < 2:
		return 0, fmt.Errorf("%w: %s.K = %d; want at least 2, or 0 for 5", ErrSetting, name, s.K)
	case s.Shuffle && s.Src == nil:
		return 0, fmt.Errorf("%w: %s.Shuffle needs a Src", ErrSetting, name)
	}
	return k, nil
}

// StratifiedKFold splits rows into K folds that each hold about the same
// share of every class, as scikit-learn 1.2's StratifiedKFold does
// (sklearn/model_selection/_split.py, _make_test_folds), so that without
// Shuffle the folds hold the same rows as scikit-learn's:
//
//   - classes are numbered by first appearance in the rows;
//   - the number of rows of class c that fold f tests is the count of c
//     among positions f, f+K, f+2K, ... of the rows sorted by that number
//     (the folds are dealt the sorted rows in turn);
//   - each class's rows, in row order, go to the folds in blocks: the first
//     rows of the class to fold 0, as many as fold 0 tests of it, the next
//     to fold 1, and so on.
//
// With Shuffle, each class's block of fold numbers is shuffled with the
// Fisher-Yates shuffle drawing from rand.New(Src), class by class in order
// of first appearance, as scikit-learn shuffles it with its own generator:
// the number of rows of each class in each fold is the same as without
// Shuffle and as scikit-learn's, but which rows go where differs from
// scikit-learn's for the same seed, since the random streams differ
// (docs/conventions.md).
type StratifiedKFold KFold

// Split returns the K folds of the rows whose classes are given, one class
// index per row. It returns the errors of KFold.Split, and an error wrapping
// ErrData when a class has fewer than K rows (scikit-learn warns and goes
// on; a fold without a class would score it as absent) or fewer than K
// rows are given. It allocates K·n ints.
func (s StratifiedKFold) Split(classes []int) ([]Fold, error) {
	k, err := KFold(s).check("StratifiedKFold")
	if err != nil {
		return nil, err
	}
	n := len(classes)
	if n < k {
		return nil, fmt.Errorf("%w: StratifiedKFold: %d rows cannot make %d folds", ErrData, n, k)
	}
	// Number the classes by first appearance; count them.
	code := map[int]int{}
	var counts []int
	enc := make([]int, n)
	for i, c := range classes {
		e, ok := code[c]
		if !ok {
			e = len(counts)
			code[c] = e
			counts = append(counts, 0)
		}
		enc[i] = e
		counts[e]++
	}
	for c, e := range code {
		if counts[e] < k {
			return nil, fmt.Errorf("%w: StratifiedKFold: class %d has %d rows, fewer than the %d folds", ErrData, c, counts[e], k)
		}
	}
	// alloc[f][e]: rows of class e that fold f tests, dealing the rows
	// sorted by class number to the folds in turn.
	alloc := make([][]int, k)
	for f := range alloc {
		alloc[f] = make([]int, len(counts))
	}
	pos := 0
	for e, m := range counts {
		for range m {
			alloc[pos%k][e]++
			pos++
		}
	}
	var rng *rand.Rand
	if s.Shuffle {
		rng = rand.New(s.Src)
	}
	blocks := make([][]int, len(counts)) // the fold of each row of a class, in row order
	for e := range counts {
		b := make([]int, 0, counts[e])
		for f := range k {
			for range alloc[f][e] {
				b = append(b, f)
			}
		}
		if rng != nil {
			shuffle(rng, b)
		}
		blocks[e] = b
	}
	fold := make([]int, n)
	next := make([]int, len(counts))
	for i, e := range enc {
		fold[i] = blocks[e][next[e]]
		next[e]++
	}
	return folds(fold, k), nil
}

// folds returns the k folds of rows whose test fold is given.
func folds(fold []int, k int) []Fold {
	out := make([]Fold, k)
	for i, f := range fold {
		for g := range out {
			if g == f {
				out[g].Test = append(out[g].Test, i)
			} else {
				out[g].Train = append(out[g].Train, i)
			}
		}
	}
	return out
}

// identity returns [0, 1, ..., n-1].
func identity(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
