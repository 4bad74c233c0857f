package mlp

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// OutputScores are the scores of one regression output.
type OutputScores struct {
	// Name is the target column's name.
	Name string
	// RMSE is sqrt(mean((y − ŷ)²)) and MAE mean(|y − ŷ|), both in the
	// target's units; R2 is 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (1 for a constant
	// target predicted exactly, 0 for one predicted otherwise, as
	// scikit-learn's r2_score).
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
// naming the outputs (nil: "y0", "y1", ...). It returns an error wrapping
// ErrData when the shapes differ, there are no rows, or a value is NaN or
// Inf, and one wrapping ErrSetting when names has the wrong length.
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
	r2 := r2Scores(pred, y)
	for j := range c {
		var ss, sa float64
		for i := range r {
			d := y.At(i, j) - pred.At(i, j)
			ss += float64(d * d)
			sa += math.Abs(d)
		}
		name := fmt.Sprintf("y%d", j)
		if names != nil {
			name = names[j]
		}
		rep.Outputs[j] = OutputScores{Name: name, RMSE: math.Sqrt(ss / float64(r)), MAE: sa / float64(r), R2: r2[j]}
	}
	return rep, nil
}

// R2 returns the mean R² over the outputs, scikit-learn's r2_score with
// multioutput="uniform_average" (the score of its regressors).
func (r *RegressionReport) R2() float64 {
	var s float64
	for _, o := range r.Outputs {
		s += o.R2
	}
	return s / float64(len(r.Outputs))
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

// r2Scores returns R² of each column of pred against y, 1 − SS_res/SS_tot,
// with scikit-learn's convention for a constant column: 1 when the
// predictions are exact, 0 otherwise.
func r2Scores(pred, y mat.Matrix) []float64 {
	r, c := y.Dims()
	out := make([]float64, c)
	for j := range c {
		var mean float64
		for i := range r {
			mean += y.At(i, j)
		}
		mean /= float64(r)
		var res, tot float64
		for i := range r {
			d, e := y.At(i, j)-pred.At(i, j), y.At(i, j)-mean
			res += float64(d * d)
			tot += float64(e * e)
		}
		switch {
		case tot != 0:
			out[j] = 1 - res/tot
		case res == 0:
			out[j] = 1
		}
	}
	return out
}
