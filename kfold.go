package mlp

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Fold is one train/test partition of the rows of a data set, as row
// indices in increasing order.
type Fold struct {
	Train, Test []int
}

// KFold splits n rows into K folds of consecutive rows (after a shuffle
// when Shuffle is set), as scikit-learn's KFold does: the first n mod K
// folds have n/K + 1 test rows, the others n/K, and each fold trains on the
// rows the others test on.
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
// share of every class, as scikit-learn's StratifiedKFold does: the rows
// are ordered by class (within a class, in row order, or shuffled when
// Shuffle is set) and dealt to the folds in turn, so each class's rows are
// spread over the folds as evenly as they can be.
type StratifiedKFold KFold

// Split returns the K folds of the rows whose classes are given, one class
// index per row. It returns the errors of KFold.Split, and an error wrapping
// ErrData when a class has fewer than K rows (scikit-learn warns and goes
// on; a fold without a class would score it as absent) or fewer than K
// rows are given.
func (s StratifiedKFold) Split(classes []int) ([]Fold, error) {
	k, err := KFold(s).check("StratifiedKFold")
	if err != nil {
		return nil, err
	}
	n := len(classes)
	if n < k {
		return nil, fmt.Errorf("%w: StratifiedKFold: %d rows cannot make %d folds", ErrData, n, k)
	}
	order := identity(n)
	if s.Shuffle {
		shuffle(rand.New(s.Src), order)
	}
	count := map[int]int{}
	for _, c := range classes {
		count[c]++
	}
	for c, m := range count {
		if m < k {
			return nil, fmt.Errorf("%w: StratifiedKFold: class %d has %d rows, fewer than the %d folds", ErrData, c, m, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return classes[a] - classes[b] })
	fold := make([]int, n)
	for pos, i := range order {
		fold[i] = pos % k
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
