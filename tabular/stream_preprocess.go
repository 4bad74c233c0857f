package tabular

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlpkit/mlp"
)

// Preprocessor returns the preprocessing of the stream's feature columns
// learnt from its training rows, the same kind of Preprocessor that
// FitPreprocessor learns from a Table of those rows, and that a Pipeline
// saves as usual:
//
//   - a numeric column's fill is the mean of its values (Welford's, equal
//     to FitPreprocessor's sum/n up to rounding), or with ImputeMedian or
//     ImputeMostFrequent the median or most frequent value, exact, taken
//     from the count of each distinct value; a column of more than
//     Limits.MaxCategories distinct values has no such count: its exact
//     median takes two to five more passes over the file (a radix
//     selection, 512 KiB a column), and asking for its most frequent value
//     is an error wrapping mlp.ErrSetting (use another imputation);
//   - its mean and standard deviation are those of the filled values,
//     combined from the observed values' moments and the fills (Chan,
//     Golub and LeVeque's pairwise update), with mlp.FitStandardScaler's
//     rules for a constant column;
//   - a categorical column's categories are those seen in the training
//     rows, in byte order, its fill the most frequent (the first in byte
//     order on ties), as FitPreprocessor's.
//
// It returns an error wrapping mlp.ErrData for a column with no value in
// the training rows, one wrapping mlp.ErrSetting for an unknown Impute,
// and the errors of reading the file for a median. It allocates the
// Preprocessor.
func (s *CSVStream) Preprocessor(ps PreprocessSettings) (*Preprocessor, error) {
	if ps.Impute < ImputeMean || ps.Impute > ImputeMostFrequent {
		return nil, fmt.Errorf("%w: PreprocessSettings.Impute = %v is not ImputeMean, ImputeMedian or ImputeMostFrequent", mlp.ErrSetting, ps.Impute)
	}
	p := &Preprocessor{na: slices.Clone(s.s.NA), columnNA: cloneColumnNA(s.columnNA)}
	var sc mlp.StandardScaler
	var need []int // columns whose exact median takes more passes
	for _, j := range s.kept {
		if c := &s.cols[j]; c.role == roleFeature && c.kind == Numeric && c.distinctOver && c.n > 0 && ps.Impute == ImputeMedian {
			need = append(need, j)
		}
	}
	medians, err := s.medians(need)
	if err != nil {
		return nil, err
	}
	for _, j := range s.kept {
		c := &s.cols[j]
		if c.role != roleFeature {
			continue
		}
		pc := prepColumn{name: c.name, kind: c.kind, scaled: -1}
		if c.kind == Categorical {
			used := make([]int, len(c.categories))
			best := -1
			for k, n := range c.counts {
				used[k] = -1
				if n == 0 {
					continue
				}
				used[k] = len(pc.categories)
				pc.categories = append(pc.categories, c.categories[k])
				if best < 0 || n > c.counts[best] {
					best = k
				}
			}
			if best < 0 {
				return nil, fmt.Errorf("%w: CSVStream.Preprocessor: column %s has no value in the training rows", mlp.ErrData, quote(c.name))
			}
			pc.fill = float64(used[best])
			pc.index = indexOf(pc.categories)
			p.width += len(pc.categories)
			p.cols = append(p.cols, pc)
			continue
		}
		if c.n == 0 {
			return nil, fmt.Errorf("%w: CSVStream.Preprocessor: column %s has no value in the training rows", mlp.ErrData, quote(c.name))
		}
		fill, ok := medians[j]
		if !ok {
			fill, err = c.fill(ps.Impute)
		}
		if err != nil {
			return nil, err
		}
		mean, std, err := c.scaling(fill)
		if err != nil {
			return nil, err
		}
		pc.fill = fill
		pc.scaled = len(sc.Mean)
		sc.Mean, sc.Std = append(sc.Mean, mean), append(sc.Std, std)
		p.width++
		p.cols = append(p.cols, pc)
	}
	if len(p.cols) == 0 {
		return nil, fmt.Errorf("%w: CSVStream.Preprocessor: the file has no feature column", mlp.ErrData)
	}
	for k := range p.cols {
		p.cols[k].na = p.columnNA[p.cols[k].name]
	}
	if len(sc.Mean) > 0 {
		p.scaler = &sc
		if err := p.scaler.Validate(); err != nil {
			return nil, fmt.Errorf("CSVStream.Preprocessor: %w", err)
		}
	}
	return p, nil
}

// fill returns the statistic m of the column's training values.
func (c *streamColumn) fill(m Imputation) (float64, error) {
	if m == ImputeMean {
		return min(max(c.mean, c.lo), c.hi), nil
	}
	if c.distinctOver {
		return 0, fmt.Errorf("%w: CSVStream.Preprocessor: column %s has more than Limits.MaxCategories distinct values, too many to count for an exact %s; impute with the mean or the median",
			mlp.ErrSetting, quote(c.name), m)
	}
	type vc struct {
		v float64
		n int
	}
	var vals []vc
	for bits, n := range c.distinct {
		if n > 0 {
			vals = append(vals, vc{math.Float64frombits(bits), n})
		}
	}
	slices.SortFunc(vals, func(a, b vc) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	if m == ImputeMostFrequent {
		// -0 and 0 are one value, as impute counts them.
		best, bestN := 0.0, 0
		for i := 0; i < len(vals); {
			x, n := vals[i].v+0, 0
			for ; i < len(vals) && vals[i].v == x; i++ {
				n += vals[i].n
			}
			if n > bestN {
				best, bestN = x, n
			}
		}
		return best, nil
	}
	// The median: the value of rank n/2 (0-based), or the mean of ranks
	// n/2−1 and n/2 for an even n, as impute takes it.
	at := func(rank int) float64 {
		for _, x := range vals {
			if rank < x.n {
				return x.v
			}
			rank -= x.n
		}
		return vals[len(vals)-1].v
	}
	if c.n%2 == 1 {
		return at(c.n / 2), nil
	}
	a, b := at(c.n/2-1), at(c.n/2)
	return float64(a/2) + float64(b/2), nil
}

// scaling returns the mean and standard deviation of the column's training
// values with the missing ones replaced by fill.
func (c *streamColumn) scaling(fill float64) (mean, std float64, err error) {
	w := moments{n: c.n, mean: c.mean, m2: c.m2, lo: c.lo, hi: c.hi}
	if c.missing > 0 {
		w = w.merge(moments{n: c.missing, mean: fill, lo: fill, hi: fill})
	}
	mean, std, ok := w.scaler()
	if !ok {
		return 0, 0, fmt.Errorf("%w: CSVStream.Preprocessor: column %s: its values are too large (beyond about 1e150) for the streaming moments",
			mlp.ErrData, quote(c.name))
	}
	return mean, std, nil
}

// merge returns the moments of the values of m and o together (Chan,
// Golub and LeVeque 1979): δ = mean_o − mean_m, mean = mean_m + δ·n_o/n,
// m2 = m2_m + m2_o + δ²·n_m·n_o/n.
func (m moments) merge(o moments) moments {
	n := m.n + o.n
	d := o.mean - m.mean
	nf := float64(n)
	return moments{
		n:    n,
		mean: m.mean + d*float64(o.n)/nf,
		m2:   m.m2 + o.m2 + d*d*float64(m.n)*float64(o.n)/nf,
		lo:   min(m.lo, o.lo),
		hi:   max(m.hi, o.hi),
	}
}

// scaler returns the mean and the population standard deviation of the
// values, with mlp.FitStandardScaler's rules: a constant column (equal
// extremes, or a variance within rounding of zero) or a deviation below the
// smallest normal float64 has std 1, the mean lies within the extremes and
// the deviation is at most the largest magnitude. ok is false when the
// moments overflowed.
func (m moments) scaler() (mean, std float64, ok bool) {
	if m.lo == m.hi {
		return m.lo, 1, true
	}
	if math.IsInf(m.m2, 0) || math.IsNaN(m.m2) || math.IsInf(m.mean, 0) || math.IsNaN(m.mean) {
		return 0, 0, false
	}
	const eps = 0x1p-52
	nf := float64(m.n)
	v := m.m2 / nf
	bound := float64(nf*m.mean) * eps
	constant := v <= float64(nf*eps*v)+float64(bound*bound)
	mean = min(max(m.mean, m.lo), m.hi)
	std = min(math.Sqrt(v), max(math.Abs(m.lo), math.Abs(m.hi)))
	if constant || std < 0x1p-1022 {
		std = 1
	}
	return mean, std, true
}

// labelEncoder returns the classes of the target among the training rows,
// ordered as FitLabelEncoder orders them, or an error wrapping mlp.ErrData
// for fewer than two classes.
func (s *CSVStream) labelEncoder(estimator string) (*LabelEncoder, error) {
	c := &s.cols[s.order[0]]
	enc := &LabelEncoder{}
	if c.kind == Categorical {
		for k, n := range c.counts {
			if n > 0 {
				enc.Classes = append(enc.Classes, c.categories[k])
			}
		}
	} else {
		var vals []float64
		for bits, n := range c.distinct {
			if n > 0 {
				vals = append(vals, math.Float64frombits(bits)+0)
			}
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		for _, v := range vals {
			enc.Classes = append(enc.Classes, formatNumber(v))
		}
	}
	switch {
	case len(enc.Classes) > mlp.MaxClasses:
		return nil, overCap(fmt.Errorf("%w: label column %s has %d classes; at most %d are supported", mlp.ErrData, quote(c.name), len(enc.Classes), mlp.MaxClasses))
	case len(enc.Classes) < 2:
		return nil, fmt.Errorf("%w: %s: target column %s holds %d class in the training rows; a classifier needs at least 2",
			mlp.ErrData, estimator, quote(c.name), len(enc.Classes))
	}
	return enc, nil
}

// targetScaler returns the standardization of the targets' training
// values, as mlp.FitTargetScaler learns it.
func (s *CSVStream) targetScaler() (*mlp.TargetScaler, error) {
	ts := &mlp.TargetScaler{}
	for _, j := range s.order {
		c := &s.cols[j]
		mean, std, ok := moments{n: c.n, mean: c.mean, m2: c.m2, lo: c.lo, hi: c.hi}.scaler()
		if !ok {
			return nil, fmt.Errorf("%w: target column %s: its values are too large (beyond about 1e150) for the streaming moments", mlp.ErrData, quote(c.name))
		}
		ts.Mean, ts.Std = append(ts.Mean, mean), append(ts.Std, std)
	}
	if err := ts.Validate(); err != nil {
		return nil, err
	}
	return ts, nil
}
