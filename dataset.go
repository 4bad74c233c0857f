package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Dataset is a table of samples: row i of X holds the features of sample i
// and Y holds its target, a class label (Y.Labels) for classification or a
// row of values (Y.Values) for regression.
//
// A Dataset is plain data: it does no locking, and nothing in this package
// changes a Dataset it is given. Code that reads a Dataset concurrently is
// safe as long as nothing writes to it.
type Dataset struct {
	// X holds one row per sample and one column per feature.
	X *mat.Dense

	// Y holds the targets: exactly one of Y.Labels (classification, one
	// non-negative label per row of X) and Y.Values (regression, one row per
	// row of X) is set.
	Y Targets

	// Classes is the number of classes, the largest label + 1, for
	// classification, and 0 for regression.
	Classes int

	// FeatureNames names the columns of X. It is nil when the names are not
	// known; tabular.Table.Dataset sets it from the table's header row.
	FeatureNames []string
}

// NewDataset checks x and y and returns a Dataset holding them. Exactly one of
// y.Labels and y.Values must be set, with one entry (row) per row of x; every
// value of x and y.Values must be finite and every label non-negative.
// Classes is set to the largest label + 1 for classification and to 0 for
// regression. y.Weights, when not nil, must hold one finite, non-negative
// weight per row, not all zero.
//
// The Dataset keeps x, y.Labels, y.Values and y.Weights themselves, not copies: changing
// them afterwards changes the Dataset. NewDataset allocates only the Dataset.
// Errors wrap ErrData and name the offending row and column (0-based).
func NewDataset(x *mat.Dense, y Targets) (*Dataset, error) {
	if x == nil || x.IsEmpty() {
		return nil, fmt.Errorf("%w: no samples: the feature matrix is empty", ErrData)
	}
	n, f := x.Dims()
	hasLabels, hasValues := y.Labels != nil, y.Values != nil
	switch {
	case hasLabels && hasValues:
		return nil, fmt.Errorf("%w: targets have both labels and values; set exactly one", ErrData)
	case !hasLabels && !hasValues:
		return nil, fmt.Errorf("%w: targets have neither labels nor values; set exactly one", ErrData)
	}
	if err := checkFinite("feature", x); err != nil {
		return nil, err
	}
	if err := checkWeights("", y.Weights, n); err != nil {
		return nil, err
	}
	d := &Dataset{X: x, Y: y}
	if hasLabels {
		if len(y.Labels) != n {
			return nil, fmt.Errorf("%w: %d labels for %d samples (rows of X)", ErrData, len(y.Labels), n)
		}
		for i, c := range y.Labels {
			if c < 0 {
				return nil, fmt.Errorf("%w: label %d of row %d (0-based) is negative", ErrData, c, i)
			}
			d.Classes = max(d.Classes, c+1)
		}
		return d, nil
	}
	if y.Values.IsEmpty() {
		return nil, fmt.Errorf("%w: target values are empty", ErrData)
	}
	if r, _ := y.Values.Dims(); r != n {
		return nil, fmt.Errorf("%w: %d target rows for %d samples (rows of X, %d features)", ErrData, r, n, f)
	}
	if err := checkFinite("target", y.Values); err != nil {
		return nil, err
	}
	return d, nil
}

// checkFinite returns an error wrapping ErrData naming the first NaN or
// infinite element of m.
func checkFinite(what string, m *mat.Dense) error {
	raw := m.RawMatrix()
	for i := range raw.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s value %v at row %d, column %d (0-based) is not finite", ErrData, what, v, i, j)
			}
		}
	}
	return nil
}

// check returns an error wrapping ErrData, starting with where, unless d
// holds what NewDataset accepts: a non-empty X, exactly one of Y.Labels and
// Y.Values with one entry (row) per row of X, and non-negative labels; with
// finite, also only finite values in X and Y.Values. It guards the entry
// points that take a Dataset against one built as a literal. It allocates
// only when it returns an error.
func (d *Dataset) check(where string, finite bool) error {
	if d == nil || d.X == nil || d.X.IsEmpty() {
		return fmt.Errorf("%w: %s needs a non-empty data set", ErrData, where)
	}
	n, _ := d.X.Dims()
	if err := checkWeights(where+": ", d.Y.Weights, n); err != nil {
		return err
	}
	switch {
	case d.Y.Labels != nil && d.Y.Values != nil:
		return fmt.Errorf("%w: %s: targets have both labels and values; set exactly one", ErrData, where)
	case d.Y.Labels != nil:
		if len(d.Y.Labels) != n {
			return fmt.Errorf("%w: %s: %d labels for %d samples (rows of X)", ErrData, where, len(d.Y.Labels), n)
		}
		for i, c := range d.Y.Labels {
			if c < 0 {
				return fmt.Errorf("%w: %s: label %d of row %d (0-based) is negative", ErrData, where, c, i)
			}
		}
	case d.Y.Values != nil:
		if d.Y.Values.IsEmpty() {
			return fmt.Errorf("%w: %s: target values are empty", ErrData, where)
		}
		if r, _ := d.Y.Values.Dims(); r != n {
			return fmt.Errorf("%w: %s: %d target rows for %d samples (rows of X)", ErrData, where, r, n)
		}
	default:
		return fmt.Errorf("%w: %s: targets have neither labels nor values; set exactly one", ErrData, where)
	}
	if !finite {
		return nil
	}
	if err := checkFinite(where+": feature", d.X); err != nil {
		return err
	}
	if d.Y.Values != nil {
		return checkFinite(where+": target", d.Y.Values)
	}
	return nil
}

// Len returns the number of samples, the rows of X.
func (d *Dataset) Len() int {
	r, _ := d.X.Dims()
	return r
}

// Features returns the number of features, the columns of X.
func (d *Dataset) Features() int {
	_, c := d.X.Dims()
	return c
}

// copyRows returns a new Dataset holding the samples of d at rows idx, in
// that order. Classes and FeatureNames are kept; nothing is shared with d.
func (d *Dataset) copyRows(idx []int) *Dataset {
	out := &Dataset{
		X:       mat.NewDense(len(idx), d.Features(), nil),
		Classes: d.Classes,
	}
	gatherRows(out.X, d.X, idx)
	if d.Y.Labels != nil {
		out.Y.Labels = make([]int, len(idx))
		for i, r := range idx {
			out.Y.Labels[i] = d.Y.Labels[r]
		}
	} else {
		_, k := d.Y.Values.Dims()
		out.Y.Values = mat.NewDense(len(idx), k, nil)
		gatherRows(out.Y.Values, d.Y.Values, idx)
	}
	if d.Y.Weights != nil {
		out.Y.Weights = make([]float64, len(idx))
		for i, r := range idx {
			out.Y.Weights[i] = d.Y.Weights[r]
		}
	}
	if d.FeatureNames != nil {
		out.FeatureNames = append([]string(nil), d.FeatureNames...)
	}
	return out
}

// gatherRows copies row idx[i] of src into row i of dst for every i.
// dst must have len(idx) rows and as many columns as src. It allocates
// nothing.
func gatherRows(dst, src *mat.Dense, idx []int) {
	d, s := dst.RawMatrix(), src.RawMatrix()
	for i, r := range idx {
		copy(d.Data[i*d.Stride:i*d.Stride+d.Cols], s.Data[r*s.Stride:r*s.Stride+s.Cols])
	}
}

// Targets holds what a model should output for a batch or a data set: class
// labels for classification, or real values for regression. Exactly one of
// the two is set.
type Targets struct {
	// Labels are class indices in [0, classes), one per row.
	Labels []int
	// Values are regression targets, one row per sample and one column per
	// output.
	Values *mat.Dense
	// Weights, when not nil, are per-sample weights, one per row, each
	// finite and non-negative: sample i counts Weights[i] times in a loss
	// that reads them (WeightReader), scikit-learn's sample_weight. Nil
	// means every sample weighs 1. Metrics ignore them.
	Weights []float64
}

// checkWeights returns an error wrapping ErrData unless w is nil or holds n
// finite, non-negative weights that are not all zero. where starts the
// message. It allocates only on error.
func checkWeights(where string, w []float64, n int) error {
	if w == nil {
		return nil
	}
	if len(w) != n {
		return fmt.Errorf("%w: %s%d sample weights for %d samples", ErrData, where, len(w), n)
	}
	var sum float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("%w: %ssample weight %v of row %d (0-based) is not a finite number ≥ 0", ErrData, where, v, i)
		}
		sum += v
	}
	if !(sum > 0) || math.IsInf(sum, 1) {
		return fmt.Errorf("%w: %sthe sample weights sum to %v; want a finite sum above 0", ErrData, where, sum)
	}
	return nil
}

// Len returns the number of samples the targets describe.
func (t Targets) Len() int {
	if t.Values != nil {
		r, _ := t.Values.Dims()
		return r
	}
	return len(t.Labels)
}
