package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
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
// validation part. The validation part gets round(n·ValFraction) of the n
// samples; with Stratify, each class c of n_c samples gives
// round(n_c·ValFraction) of them, but never all, so that every class keeps at
// least one training sample. The samples of each part are in the order of one
// random permutation drawn from s.Src, so the same seed gives the same split.
//
// train and val are new Datasets that share nothing with d (X, targets and
// FeatureNames are copied; Classes is kept even when a part lacks a class),
// and d is not changed. Errors wrap ErrSetting (a fraction outside (0, 1), no
// Src, Stratify without labels) or ErrData (too few samples for both parts to
// be non-empty, or a Dataset NewDataset would reject for its shape or
// labels).
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
// when s.Stratify is set, as scikit-learn's train_test_split splits
// indices; tabular.SplitTable splits a Table with it. The indices are in
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
	rng := rand.New(s.Src)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	shuffle(rng, perm)

	inVal := make([]bool, n)
	nVal := 0
	if s.Stratify {
		// Maps rather than slices of d.Classes entries: a single label
		// such as 2147483647 must not make Split allocate gigabytes.
		counts := make(map[int]int)
		for _, c := range labels {
			counts[c]++
		}
		want := make(map[int]int, len(counts))
		for c, nc := range counts {
			want[c] = min(int(math.Round(float64(nc)*frac)), nc-1)
		}
		for _, i := range perm {
			if c := labels[i]; want[c] > 0 {
				want[c]--
				inVal[i] = true
				nVal++
			}
		}
	} else {
		nVal = int(math.Round(float64(n) * frac))
		for _, i := range perm[:min(nVal, n)] {
			inVal[i] = true
		}
	}
	if nVal == 0 || nVal >= n {
		return nil, nil, fmt.Errorf("%w: %d samples cannot be split with ValFraction %v: one part would be empty", ErrData, n, frac)
	}

	trainIdx = make([]int, 0, n-nVal)
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
