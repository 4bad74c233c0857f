package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// StandardScaler standardizes features: Transform maps feature j of each
// sample to (x_j − Mean[j]) / Std[j].
//
// Fit it on the training data only, with FitStandardScaler, and apply the
// same scaler to the training, validation and test data: statistics taken
// from the validation or test data would leak them into training. Scale the
// data sets once, before they are split into batches.
//
// A StandardScaler is not changed by its methods, which are safe for
// concurrent use.
type StandardScaler struct {
	// Mean is the mean of each feature.
	Mean []float64

	// Std is the population standard deviation of each feature; 1 for a
	// constant feature (see FitStandardScaler). Every entry must be finite and at least the
	// smallest normal float64, 2^-1022; every Mean must be finite.
	Std []float64
}

// FitStandardScaler returns a StandardScaler holding, for each column j of x,
// the mean m_j and the population standard deviation
// s_j = sqrt(Σ_i (x_ij − m_j)² / n) (ddof 0) of its n values that are not
// NaN, as scikit-learn 1.2's StandardScaler fits (NaN cells are left out of
// the statistics; a column of NaN only gets Mean and Std NaN, which
// Transform refuses). A column whose spread is at the level of rounding
// gets Std 1 and is transformed to (x − m_j), as scikit-learn's does:
// s_j² ≤ n·ε·s_j² + (n·m_j·ε)² with ε = 2^-52 (its _is_constant_feature),
// which includes every column whose values are all equal (Mean is then
// that value, and the column is transformed to exact zeros). So does a
// column whose standard deviation is below the smallest normal float64
// (2.2e-308), which no division could use safely. See
// docs/conventions.md.
//
// The statistics are finite for every finite x: a column whose largest
// magnitude M is so large that n·(2M)² could overflow (M above about
// 6.7e153/√n), or so small (below 2^-500) that the squares could underflow,
// is scaled by the power of two nearest M before the sums and scaled back
// after, which is exact apart from rounding in the sums. Other columns are
// summed unscaled, giving the same bits as the plain two-pass formula.
//
// FitStandardScaler allocates the two slices. It panics with an error
// wrapping ErrShape if x is nil or empty.
func FitStandardScaler(x mat.Matrix) *StandardScaler {
	if isNil(x) {
		shapePanic("FitStandardScaler", "nil matrix")
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		shapePanic("FitStandardScaler", "empty matrix %dx%d", r, c)
	}
	s := &StandardScaler{Mean: make([]float64, c), Std: make([]float64, c)}
	for j := range c {
		lo, hi, n := math.Inf(1), math.Inf(-1), 0
		for i := range r {
			if v := x.At(i, j); !math.IsNaN(v) {
				lo, hi, n = min(lo, v), max(hi, v), n+1
			}
		}
		switch {
		case n == 0:
			s.Mean[j], s.Std[j] = math.NaN(), math.NaN()
			continue
		case lo == hi:
			s.Mean[j], s.Std[j] = lo, 1
			continue
		}
		m := max(math.Abs(lo), math.Abs(hi))
		exp := 0
		if m > math.Sqrt(math.MaxFloat64/(4*float64(n))) || m < 0x1p-500 {
			_, exp = math.Frexp(m) // m = f·2^exp, f in [0.5, 1)
		}
		mean, std, constant := columnMeanStd(x, j, r, n, exp)
		s.Mean[j] = min(max(mean, lo), hi) // rounding cannot take it outside
		s.Std[j] = min(std, m)
		if constant || s.Std[j] < minNormal {
			s.Std[j] = 1
		}
	}
	return s
}

// minNormal is the smallest positive normal float64, 2^-1022.
const minNormal = 0x1p-1022

// columnMeanStd returns the mean and population standard deviation of the
// n values of column j of x's r rows that are not NaN, computed on the
// values scaled by 2^-exp and scaled back by 2^exp (exp 0 leaves every
// value as it is), and whether scikit-learn's rule takes the column for a
// constant one: var ≤ n·ε·var + (n·mean·ε)², evaluated on the scaled
// values, where both sides scale alike and nothing overflows.
func columnMeanStd(x mat.Matrix, j, r, n, exp int) (mean, std float64, constant bool) {
	at := func(i int) float64 { return math.Ldexp(x.At(i, j), -exp) }
	// Two passes: the mean, corrected by the mean of the residuals, and
	// the sum of squares about it.
	var sum float64
	for i := range r {
		if v := at(i); !math.IsNaN(v) {
			sum += v
		}
	}
	nf := float64(n)
	mean = sum / nf
	var res, ss float64
	for i := range r {
		if v := at(i); !math.IsNaN(v) {
			res += v - mean
		}
	}
	mean += res / nf
	for i := range r {
		if v := at(i); !math.IsNaN(v) {
			dv := v - mean
			ss += float64(dv * dv)
		}
	}
	const eps = 0x1p-52
	v := ss / nf
	bound := float64(nf*mean) * eps
	constant = v <= float64(nf*eps*v)+float64(bound*bound)
	return math.Ldexp(mean, exp), math.Ldexp(math.Sqrt(v), exp), constant
}

// Transform returns a new matrix holding x with each column j standardized
// to (x_ij − Mean[j]) / Std[j]; x is not changed. It allocates the result.
//
// It returns an error wrapping ErrSetting, naming the field and column, if
// s is nil, Mean and Std differ in length, a Mean is NaN or ±Inf, or a Std
// is not a finite number at least the smallest normal float64 (0, negative,
// subnormal, NaN and ±Inf are refused), and one wrapping ErrData if x is
// nil or empty, its width differs from len(s.Mean), or an entry of x is NaN
// or ±Inf or its standardized value overflows (a finite x far from Mean
// with a small Std), naming the row and column.
func (s *StandardScaler) Transform(x mat.Matrix) (*mat.Dense, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: StandardScaler.Transform: the scaler is nil", ErrSetting)
	}
	if isNil(x) {
		return nil, fmt.Errorf("%w: cannot scale a nil matrix", ErrData)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	r, c := x.Dims()
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("%w: cannot scale an empty matrix", ErrData)
	}
	if c != len(s.Mean) {
		return nil, fmt.Errorf("%w: matrix has %d features, the scaler was fitted on %d", ErrData, c, len(s.Mean))
	}
	out := mat.DenseCopyOf(x)
	raw := out.RawMatrix()
	for i := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j, v := range row {
			z, ok := standardize(v, s.Mean[j], s.Std[j])
			if !ok {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: StandardScaler.Transform: row %d, column %d is %v", ErrData, i, j, v)
				}
				return nil, fmt.Errorf("%w: StandardScaler.Transform: row %d, column %d: (%v − Mean[%d] %v) / Std[%d] %v overflows",
					ErrData, i, j, v, j, s.Mean[j], j, s.Std[j])
			}
			row[j] = z
		}
	}
	return out, nil
}

// Standardize returns (v − Mean[j]) / Std[j] and true, or false when v is
// not finite or the result overflows; it is the rule Transform applies to
// each entry. v − Mean[j] may overflow where the result does not; it is then
// computed from halves. It panics if j is out of range, and allocates
// nothing.
func (s *StandardScaler) Standardize(j int, v float64) (float64, bool) {
	return standardize(v, s.Mean[j], s.Std[j])
}

// standardize is Standardize for one mean and std.
func standardize(v, mean, std float64) (float64, bool) {
	z := (v - mean) / std
	if !math.IsNaN(z) && !math.IsInf(z, 0) {
		return z, true
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	z = (float64(v/2) - float64(mean/2)) / std
	if math.Abs(z) > math.MaxFloat64/2 {
		return 0, false
	}
	return z * 2, true
}

// Validate returns an error wrapping ErrSetting, naming the field and its
// index, unless the fields of s are a usable scaler: Mean and Std of one
// length, every Mean finite, every Std finite and at least the smallest
// normal float64, 2^-1022 (0, negative, subnormal, NaN and ±Inf are
// refused). It is the one rule every scaler of the library is checked
// against: Transform, the preprocessing of a pipeline and the model files
// that hold one.
func (s *StandardScaler) Validate() error {
	if len(s.Mean) != len(s.Std) {
		return fmt.Errorf("%w: StandardScaler has %d means and %d standard deviations", ErrSetting, len(s.Mean), len(s.Std))
	}
	for j, m := range s.Mean {
		if math.IsNaN(m) || math.IsInf(m, 0) {
			return fmt.Errorf("%w: StandardScaler.Mean[%d] = %v is not finite", ErrSetting, j, m)
		}
	}
	for j, sd := range s.Std {
		if !(sd >= minNormal) || math.IsInf(sd, 0) {
			return fmt.Errorf("%w: StandardScaler.Std[%d] = %v is not a positive finite number of at least 2.2e-308 (the smallest normal float64)",
				ErrSetting, j, sd)
		}
	}
	return nil
}

// TransformDataset returns a new Dataset whose X is d.X transformed as by
// Transform and whose targets, Classes and FeatureNames are copies of d's;
// d is not changed. Errors are those of Transform, and an error wrapping
// ErrData for a nil Dataset or one whose targets do not fit X.
func (s *StandardScaler) TransformDataset(d *Dataset) (*Dataset, error) {
	if d == nil || d.X == nil {
		return nil, fmt.Errorf("%w: cannot scale a nil data set", ErrData)
	}
	if err := d.check("StandardScaler.TransformDataset", false); err != nil {
		return nil, err
	}
	x, err := s.Transform(d.X)
	if err != nil {
		return nil, err
	}
	out := &Dataset{X: x, Classes: d.Classes}
	if d.Y.Labels != nil {
		out.Y.Labels = append([]int(nil), d.Y.Labels...)
	}
	if d.Y.Values != nil {
		out.Y.Values = mat.DenseCopyOf(d.Y.Values)
	}
	if d.FeatureNames != nil {
		out.FeatureNames = append([]string(nil), d.FeatureNames...)
	}
	return out, nil
}
