package tabular

import (
	"fmt"
	"math"
	"slices"
)

// Imputation is the statistic that fills the missing cells of a numeric
// column, learnt from the training part, as scikit-learn's SimpleImputer
// strategies (docs/conventions.md).
type Imputation int

const (
	// ImputeMean fills with the mean of the column's values (the default).
	ImputeMean Imputation = iota
	// ImputeMedian fills with the median: the middle value, or the mean
	// of the two middle values for an even count.
	ImputeMedian
	// ImputeMostFrequent fills with the most frequent value, the smallest
	// one on ties (scikit-learn's "most_frequent").
	ImputeMostFrequent
)

// String returns "mean", "median" or "most_frequent", scikit-learn's names.
func (m Imputation) String() string {
	switch m {
	case ImputeMean:
		return "mean"
	case ImputeMedian:
		return "median"
	case ImputeMostFrequent:
		return "most_frequent"
	}
	return fmt.Sprintf("Imputation(%d)", int(m))
}

// impute returns the statistic s of the non-missing (non-NaN) values of v,
// and false if there is none. The mean is sum/n, as numpy computes it for
// short columns; when the sum overflows it is taken again over the values
// divided by the largest magnitude, so it is finite for finite input. It
// allocates a sorted copy for the median and a map for the most frequent
// value.
func impute(v []float64, s Imputation) (float64, bool) {
	var vals []float64
	if s == ImputeMedian {
		vals = make([]float64, 0, len(v))
	}
	n, big := 0, 0.0
	for _, x := range v {
		if !math.IsNaN(x) {
			n++
			big = max(big, math.Abs(x))
			if vals != nil {
				vals = append(vals, x)
			}
		}
	}
	if n == 0 {
		return 0, false
	}
	switch s {
	case ImputeMedian:
		slices.Sort(vals)
		if n%2 == 1 {
			return vals[n/2], true
		}
		a, b := vals[n/2-1], vals[n/2]
		return float64(a/2) + float64(b/2), true
	case ImputeMostFrequent:
		counts := make(map[float64]int)
		best, bestN := 0.0, 0
		for _, x := range v {
			if math.IsNaN(x) {
				continue
			}
			x += 0 // -0 counts as 0
			counts[x]++
			if c := counts[x]; c > bestN || c == bestN && x < best {
				best, bestN = x, c
			}
		}
		return best, true
	}
	var sum float64
	for _, x := range v {
		if !math.IsNaN(x) {
			sum += x
		}
	}
	if !math.IsInf(sum, 0) {
		return sum / float64(n), true
	}
	// The sum of finite values overflowed: sum them scaled by the largest
	// magnitude.
	sum = 0
	for _, x := range v {
		if !math.IsNaN(x) {
			sum += x / big
		}
	}
	return sum / float64(n) * big, true
}
