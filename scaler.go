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
	// constant feature. Every entry must be positive.
	Std []float64
}

// FitStandardScaler returns a StandardScaler holding, for each column j of x,
// the mean m_j and the population standard deviation
// s_j = sqrt(Σ_i (x_ij − m_j)² / n) (ddof 0) of its n rows. A column whose
// values are all equal gets Std 1 and Mean equal to that value, so it is
// transformed to exact zeros rather than NaN. A NaN in x makes the statistics
// of its column NaN.
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
		lo, hi := x.At(0, j), x.At(0, j)
		var sum float64
		for i := range r {
			v := x.At(i, j)
			sum += v
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo == hi {
			s.Mean[j], s.Std[j] = lo, 1
			continue
		}
		// Two passes: the mean, corrected by the mean of the residuals, and
		// the sum of squares about it.
		mean := sum / float64(r)
		var res, ss float64
		for i := range r {
			res += x.At(i, j) - mean
		}
		mean += res / float64(r)
		for i := range r {
			dv := x.At(i, j) - mean
			ss += dv * dv
		}
		s.Mean[j] = mean
		s.Std[j] = math.Sqrt(ss / float64(r))
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s
}

// Transform returns a new matrix holding x with each column j standardized
// to (x_ij − Mean[j]) / Std[j]; x is not changed. It allocates the result. It
// returns an error wrapping ErrData if x is nil or empty or its width
// differs from len(s.Mean), and one wrapping ErrSetting if Mean and Std
// differ in length or an entry of Std is not positive.
func (s *StandardScaler) Transform(x mat.Matrix) (*mat.Dense, error) {
	if isNil(x) {
		return nil, fmt.Errorf("%w: cannot scale a nil matrix", ErrData)
	}
	if len(s.Mean) != len(s.Std) {
		return nil, fmt.Errorf("%w: StandardScaler has %d means and %d standard deviations", ErrSetting, len(s.Mean), len(s.Std))
	}
	for j, sd := range s.Std {
		if !(sd > 0) || math.IsInf(sd, 0) {
			return nil, fmt.Errorf("%w: StandardScaler.Std[%d] = %v is not a positive finite number", ErrSetting, j, sd)
		}
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
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Std[j]
		}
	}
	return out, nil
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
