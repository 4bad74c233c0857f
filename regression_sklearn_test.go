package mlp

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sklearnRegCase is a case of testdata/sklearn/regression.json, written by
// gen_regression.py: scikit-learn's figures for predictions pred of
// targets y, per output (raw) and averaged over the outputs (avg).
type sklearnRegCase struct {
	Name       string         `json:"name"`
	Scale      int            `json:"scale"` // not 0: the figures are scikit-learn's on y·2^-scale, scaled back
	Y          [][]float64    `json:"y"`
	Pred       [][]float64    `json:"pred"`
	R2Raw      []sklearnFloat `json:"r2_raw"`
	R2Avg      sklearnFloat   `json:"r2_avg"`
	RMSERaw    []sklearnFloat `json:"rmse_raw"`
	RMSEPooled sklearnFloat   `json:"rmse_pooled"`
	MAERaw     []sklearnFloat `json:"mae_raw"`
	MAEAvg     sklearnFloat   `json:"mae_avg"`
}

func denseRows(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// The R2, RMSE and MAE metrics and RegressionReport give scikit-learn
// 1.2.1's r2_score, mean_squared_error and mean_absolute_error, per output
// and averaged, and finite figures on finite targets near 1e300 or 1e-300
// where numpy's sums overflow or underflow. RMSE pools the outputs (the
// square root of the uniform mean squared error), a documented difference
// from mean_squared_error(squared=False)'s mean of per-output roots;
// RegressionReport's per-output RMSE is scikit-learn's raw value.
func TestRegressionAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnCases[sklearnRegCase](t, "regression.json", 90) {
		t.Run(c.Name, func(t *testing.T) {
			y, pred := denseRows(c.Y), denseRows(c.Pred)
			n := len(c.Y)
			var r2 R2
			var rmse RMSE
			var mae MAE
			// Two batches, the second possibly empty.
			for _, b := range [][2]int{{0, (n + 1) / 2}, {(n + 1) / 2, n}} {
				if b[0] == b[1] {
					continue
				}
				p := pred.Slice(b[0], b[1], 0, len(c.Y[0])).(*mat.Dense)
				tv := Targets{Values: y.Slice(b[0], b[1], 0, len(c.Y[0])).(*mat.Dense)}
				r2.Update(p, tv)
				rmse.Update(p, tv)
				mae.Update(p, tv)
			}
			checkFloat(t, "R2", r2.Value(), float64(c.R2Avg))
			checkFloat(t, "RMSE", rmse.Value(), float64(c.RMSEPooled))
			checkFloat(t, "MAE", mae.Value(), float64(c.MAEAvg))

			rep, err := NewRegressionReport(pred, y, nil)
			if err != nil {
				t.Fatal(err)
			}
			for j, o := range rep.Outputs {
				checkFloat(t, o.Name+" RMSE", o.RMSE, float64(c.RMSERaw[j]))
				checkFloat(t, o.Name+" MAE", o.MAE, float64(c.MAERaw[j]))
				checkFloat(t, o.Name+" R2", o.R2, float64(c.R2Raw[j]))
			}
			checkFloat(t, "report R2()", rep.R2(), float64(c.R2Avg))
			for _, v := range []float64{r2.Value(), rmse.Value(), mae.Value()} {
				if n > 1 && (math.IsNaN(v) || math.IsInf(v, 0)) {
					t.Errorf("a figure of finite inputs is %v", v)
				}
			}
		})
	}
}

// Targets that differ only in their last bits: numpy's mean of
// [1, 1+2^-52, 1, 1+2^-51] rounds to 1 and scikit-learn's r2_score of
// predictions 1 is 0; the library takes SS_tot about the first target,
// exactly here, and gives the exact 1 − 5/2.75 = −9/11, in one batch or
// row by row (a documented difference, docs/conventions.md).
func TestR2NearConstant(t *testing.T) {
	y := []float64{1, 1 + 0x1p-52, 1, 1 + 0x1p-51}
	pred := []float64{1, 1, 1, 1}
	var one, rows R2
	one.Update(mat.NewDense(4, 1, pred), Targets{Values: mat.NewDense(4, 1, y)})
	for i := range y {
		rows.Update(mat.NewDense(1, 1, pred[i:i+1]), Targets{Values: mat.NewDense(1, 1, y[i:i+1])})
	}
	want := 1 - 5/2.75
	for _, got := range []float64{one.Value(), rows.Value()} {
		if math.Abs(got-want) > 1e-15 {
			t.Errorf("R2 = %v, want %v", got, want)
		}
	}
}

// Figures beyond the float64 range are errors of NewRegressionReport; the
// metrics give +Inf for them and finite figures otherwise.
func TestRegressionReportOutOfRange(t *testing.T) {
	y := mat.NewDense(2, 1, []float64{math.MaxFloat64, -math.MaxFloat64})
	p := mat.NewDense(2, 1, []float64{-math.MaxFloat64, math.MaxFloat64})
	if _, err := NewRegressionReport(p, y, nil); err == nil || !strings.Contains(err.Error(), "beyond the float64 range") {
		t.Errorf("NewRegressionReport of errors of 2·MaxFloat64: %v, want an error", err)
	}
	var rmse RMSE
	rmse.Update(p, Targets{Values: y})
	if v := rmse.Value(); !math.IsInf(v, 1) {
		t.Errorf("RMSE of errors of 2·MaxFloat64 = %v, want +Inf", v)
	}
	// Half of that is representable.
	p2 := mat.NewDense(2, 1, []float64{0, 0})
	rmse.Reset()
	rmse.Update(p2, Targets{Values: y})
	if v := rmse.Value(); v != math.MaxFloat64 {
		t.Errorf("RMSE of errors of MaxFloat64 = %v, want %v", v, math.MaxFloat64)
	}
}
