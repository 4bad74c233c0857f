package mlp

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mlpkit/mlp/internal/fmath"
	"gonum.org/v1/gonum/mat"
)

// OutputScores are the scores of one regression output.
type OutputScores struct {
	// Name is the target column's name.
	Name string
	// RMSE is sqrt(mean((y − ŷ)²)) and MAE mean(|y − ŷ|), both in the
	// target's units; R2 is 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (1 for a constant
	// target predicted exactly, 0 for one predicted otherwise, NaN for a
	// single sample, as scikit-learn's r2_score). They are computed by the
	// RMSE, MAE and R2 metrics, finite for finite data (docs/conventions.md).
	RMSE, MAE, R2 float64
}

// RegressionReport holds RMSE, MAE and R² per output, in the targets' own
// units, and their averages over the outputs.
type RegressionReport struct {
	// Outputs has one entry per target column.
	Outputs []OutputScores
	// Samples is the number of rows scored.
	Samples int
}

// NewRegressionReport returns the report of the predictions pred against
// the targets y (both rows × outputs, in the targets' units), with names
// naming the outputs (nil: "y0", "y1", ...): scikit-learn's
// mean_squared_error(squared=False), mean_absolute_error and r2_score with
// multioutput="raw_values". It returns an error wrapping ErrData when the
// shapes differ, there are no rows, a value is NaN or Inf, or a figure is
// beyond the float64 range (an RMSE or MAE above math.MaxFloat64, an R²
// below -math.MaxFloat64; the sums are scaled so that no other figure of
// finite data overflows), and one wrapping ErrSetting when names has the
// wrong length.
func NewRegressionReport(pred, y mat.Matrix, names []string) (*RegressionReport, error) {
	if isNil(pred) || isNil(y) {
		return nil, fmt.Errorf("%w: NewRegressionReport: nil matrix", ErrData)
	}
	r, c := y.Dims()
	if pr, pc := pred.Dims(); pr != r || pc != c {
		return nil, fmt.Errorf("%w: NewRegressionReport: predictions are %dx%d, targets %dx%d", ErrData, pr, pc, r, c)
	}
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("%w: NewRegressionReport: no samples to report on", ErrData)
	}
	if names != nil && len(names) != c {
		return nil, fmt.Errorf("%w: NewRegressionReport: %d names for %d outputs", ErrSetting, len(names), c)
	}
	for _, m := range []struct {
		what string
		m    mat.Matrix
	}{{"prediction", pred}, {"target", y}} {
		for i := range r {
			for j := range c {
				if v := m.m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: NewRegressionReport: %s %v in row %d, output %d is not finite", ErrData, m.what, v, i, j)
				}
			}
		}
	}
	rep := &RegressionReport{Outputs: make([]OutputScores, c), Samples: r}
	for j := range c {
		pc, yc := mat.NewDense(r, 1, mat.Col(nil, j, pred)), mat.NewDense(r, 1, mat.Col(nil, j, y))
		name := fmt.Sprintf("y%d", j)
		if names != nil {
			name = names[j]
		}
		o := OutputScores{Name: name}
		var rmse RMSE
		var mae MAE
		var r2 R2
		for _, m := range []Metric{&rmse, &mae, &r2} {
			m.Update(pc, Targets{Values: yc})
		}
		o.RMSE, o.MAE, o.R2 = rmse.Value(), mae.Value(), r2.Value()
		for _, f := range []struct {
			name string
			v    float64
		}{{"RMSE", o.RMSE}, {"MAE", o.MAE}, {"R²", o.R2}} {
			if math.IsInf(f.v, 0) {
				return nil, fmt.Errorf("%w: NewRegressionReport: the %s of output %s is beyond the float64 range", ErrData, f.name, quoteLong(name))
			}
		}
		rep.Outputs[j] = o
	}
	return rep, nil
}

// R2 returns the mean R² over the outputs, scikit-learn's r2_score with
// multioutput="uniform_average" (the score of its regressors), summed in
// numpy's order; NaN for a single sample.
func (r *RegressionReport) R2() float64 {
	v := make([]float64, len(r.Outputs))
	for j, o := range r.Outputs {
		v[j] = o.R2
	}
	return fmath.PairwiseSum(v) / float64(len(v))
}

// String returns one line per output with its RMSE, MAE and R², in the
// layout of ClassificationReport.String, and the number of samples.
func (r *RegressionReport) String() string {
	width := len("mean r2")
	for _, o := range r.Outputs {
		width = max(width, utf8.RuneCountInString(quoteLong(o.Name)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %12s %12s %9s\n\n", width, "", "rmse", "mae", "r2")
	for _, o := range r.Outputs {
		fmt.Fprintf(&b, "%*s  %12.4g %12.4g %9.4f\n", width, quoteLong(o.Name), o.RMSE, o.MAE, o.R2)
	}
	fmt.Fprintf(&b, "\n%*s  %12s %12s %9.4f\n", width, "mean r2", "", "", r.R2())
	fmt.Fprintf(&b, "%*s  %12s %12s %9d\n", width, "samples", "", "", r.Samples)
	return b.String()
}
