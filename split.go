package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// SplitSettings configures Split.
type SplitSettings struct {
	// ValFraction is the fraction of the samples that go to the validation
	// part, in (0, 1). Zero means 0.2.
	ValFraction float64

	// Stratify splits each class separately, so that both parts keep the
	// class proportions of the data set. It needs class labels.
	Stratify bool

	// Src is the source of randomness for the permutation. It is required.
	Src rand.Source
}

// Split divides the samples of d at random into a training and a
// validation part, with the sizes of scikit-learn 1.2's train_test_split
// (test_size=ValFraction; see docs/conventions.md): the validation part gets
// ceil(n·ValFraction) of the n samples and the training part the rest.
// With Stratify, the classes are shared out as scikit-learn's
// StratifiedShuffleSplit shares them (its _approximate_mode): each class
// c of n_c samples gives the training part floor(n_c/n·n_train) samples,
// the classes with the largest remainders one more until the training part
// is full, and the validation part takes its ceil(n·ValFraction) from what
// is left in the same way; classes whose remainders tie are chosen at
// random from s.Src, as scikit-learn chooses them from its own generator.
// A class may then keep no training sample, as in scikit-learn. The
// samples of each part are in the order of one random permutation drawn
// from s.Src, so the same seed gives the same split.
//
// train and val are new Datasets that share nothing with d (X, targets and
// FeatureNames are copied; Classes is kept even when a part lacks a class),
// and d is not changed. Errors wrap ErrSetting (a fraction outside (0, 1), no
// Src, Stratify without labels) or ErrData (a training part that would be
// empty; with Stratify, a class with a single sample, or fewer samples in
// a part than there are classes, which scikit-learn refuses too; or a
// Dataset NewDataset would reject for its shape or labels).
func Split(d *Dataset, s SplitSettings) (train, val *Dataset, err error) {
	if err := d.check("split", false); err != nil {
		return nil, nil, err
	}
	if s.Stratify && d.Y.Labels == nil {
		return nil, nil, fmt.Errorf("%w: Stratify needs class labels", ErrSetting)
	}
	trainIdx, valIdx, err := SplitIndices(d.Len(), d.Y.Labels, s)
	if err != nil {
		return nil, nil, err
	}
	return d.copyRows(trainIdx), d.copyRows(valIdx), nil
}

// SplitIndices returns the training and validation row indices that Split
// gives a data set of rows samples, with labels (one class index per row)
// when s.Stratify is set, in the sizes of scikit-learn's train_test_split; tabular.SplitTable splits a Table with it. The indices are in
// the order Split copies rows. Errors are those of Split. It allocates the
// two slices and a permutation of rows.
func SplitIndices(rows int, labels []int, s SplitSettings) (trainIdx, valIdx []int, err error) {
	frac := s.ValFraction
	if frac == 0 {
		frac = 0.2
	}
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("%w: ValFraction %v is not in (0, 1)", ErrSetting, s.ValFraction)
	}
	if s.Src == nil {
		return nil, nil, fmt.Errorf("%w: Split needs a Src", ErrSetting)
	}
	if rows < 0 || (s.Stratify && len(labels) != rows) {
		return nil, nil, fmt.Errorf("%w: SplitIndices: %d labels for %d rows", ErrSetting, len(labels), rows)
	}
	n := len(labels)
	if !s.Stratify {
		n = rows
	}
	nVal := int(math.Ceil(float64(n) * frac)) // float64 product, as scikit-learn's ceil(test_size * n_samples)
	nTrain := n - nVal
	if nTrain <= 0 {
		return nil, nil, fmt.Errorf("%w: %d samples cannot be split with ValFraction %v: one part would be empty (the training part)", ErrData, n, frac)
	}
	rng := rand.New(s.Src)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	shuffle(rng, perm)

	inVal := make([]bool, n)
	if s.Stratify {
		want, err := stratifiedValCounts(labels, nTrain, nVal, rng)
		if err != nil {
			return nil, nil, err
		}
		for _, i := range perm {
			if c := labels[i]; want[c] > 0 {
				want[c]--
				inVal[i] = true
			}
		}
	} else {
		for _, i := range perm[:nVal] {
			inVal[i] = true
		}
	}

	trainIdx = make([]int, 0, nTrain)
	valIdx = make([]int, 0, nVal)
	for _, i := range perm {
		if inVal[i] {
			valIdx = append(valIdx, i)
		} else {
			trainIdx = append(trainIdx, i)
		}
	}
	return trainIdx, valIdx, nil
}

// stratifiedValCounts returns the number of validation samples of each
// class of labels, as scikit-learn 1.2's StratifiedShuffleSplit shares
// nTrain training and nVal validation samples out (see Split). Maps rather
// than slices indexed by label: a single label such as 2147483647 must not
// make a split allocate gigabytes.
func stratifiedValCounts(labels []int, nTrain, nVal int, rng *rand.Rand) (map[int]int, error) {
	counts := make(map[int]int)
	for _, c := range labels {
		counts[c]++
	}
	classes := make([]int, 0, len(counts))
	for c, nc := range counts {
		classes = append(classes, c)
		if nc < 2 {
			return nil, fmt.Errorf("%w: class %d has a single sample; a stratified split needs at least 2 of each class", ErrData, c)
		}
	}
	slices.Sort(classes)
	k := len(classes)
	if nVal < k || nTrain < k {
		return nil, fmt.Errorf("%w: a stratified split of %d samples into %d training and %d validation samples needs at least %d, one per class, in each",
			ErrData, len(labels), nTrain, nVal, k)
	}
	sizes := make([]int, k)
	for i, c := range classes {
		sizes[i] = counts[c]
	}
	train := approximateMode(sizes, nTrain, rng)
	for i := range sizes {
		sizes[i] -= train[i]
	}
	val := approximateMode(sizes, nVal, rng)
	want := make(map[int]int, k)
	for i, c := range classes {
		want[c] = val[i]
	}
	return want, nil
}

// approximateMode returns scikit-learn's _approximate_mode of drawing
// draws samples from classes of the given sizes: each class gets
// floor(size/total·draws), and the classes with the largest remainders get
// one more, in decreasing order of remainder, until draws are given out;
// among classes whose remainders tie, those that get one are chosen at
// random from rng.
func approximateMode(sizes []int, draws int, rng *rand.Rand) []int {
	total := 0
	for _, n := range sizes {
		total += n
	}
	out := make([]int, len(sizes))
	rem := make([]float64, len(sizes))
	need := draws
	for i, n := range sizes {
		cont := float64(n) / float64(total) * float64(draws)
		f := math.Floor(cont)
		out[i], rem[i] = int(f), cont-f
		need -= int(f)
	}
	done := make([]bool, len(sizes))
	for need > 0 {
		top := math.Inf(-1)
		for i, r := range rem {
			if !done[i] {
				top = max(top, r)
			}
		}
		var tied []int
		for i, r := range rem {
			if !done[i] && r == top {
				tied = append(tied, i)
				done[i] = true
			}
		}
		if len(tied) == 0 {
			break // every class has one more: cannot happen in exact arithmetic
		}
		shuffle(rng, tied)
		for _, i := range tied[:min(need, len(tied))] {
			out[i]++
		}
		need -= min(need, len(tied))
	}
	return out
}
