package mlp

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sklearnScalerCase is a case of testdata/sklearn/scaler.json, written by
// gen_scaler.py: StandardScaler fitted on x, transforming x and other.
type sklearnScalerCase struct {
	Name        string           `json:"name"`
	X           [][]sklearnFloat `json:"x"`
	Other       [][]sklearnFloat `json:"other"`
	Mean        []sklearnFloat   `json:"mean"`
	Scale       []sklearnFloat   `json:"scale"`
	XScaled     [][]sklearnFloat `json:"x_scaled"`
	OtherScaled [][]sklearnFloat `json:"other_scaled"`
}

// FitStandardScaler gives scikit-learn 1.2.1 StandardScaler's mean_ and
// scale_ (NaN cells left out, near-constant columns scaled by 1), and
// Standardize and Transform its transform; a NaN cell, which scikit-learn
// passes through, is refused (a documented difference).
//
// Tolerance of the transformed values: (x − m)/s inherits the rounding of
// the mean m, which the library takes in a corrected two-pass sum and
// scikit-learn in a plain sum, and of x − m: its error is of the order of
// ε·(|x| + |m|)/s, so values are compared to within
// 1e-12·(1 + (|x| + |m|)/s) absolute.
func TestStandardScalerAsScikitLearn(t *testing.T) {
	for _, c := range readSklearnCases[sklearnScalerCase](t, "scaler.json", 60) {
		t.Run(c.Name, func(t *testing.T) {
			rows := func(v [][]sklearnFloat) *mat.Dense {
				m := mat.NewDense(len(v), len(v[0]), nil)
				for i, r := range v {
					m.SetRow(i, sklearnFloats(r))
				}
				return m
			}
			x := rows(c.X)
			s := FitStandardScaler(x)
			for j := range c.Mean {
				checkFloat(t, "Mean", s.Mean[j], float64(c.Mean[j]))
				checkFloat(t, "Std", s.Std[j], float64(c.Scale[j]))
			}
			for _, part := range []struct {
				name string
				in   [][]sklearnFloat
				want [][]sklearnFloat
			}{{"x", c.X, c.XScaled}, {"other", c.Other, c.OtherScaled}} {
				hasNaN := false
				for i, r := range part.in {
					for j, v := range r {
						got, ok := s.Standardize(j, float64(v))
						if math.IsNaN(float64(v)) {
							hasNaN = true
							if ok {
								t.Errorf("%s[%d][%d]: Standardize(NaN) = %v, true; want false", part.name, i, j, got)
							}
							continue
						}
						want := float64(part.want[i][j])
						tol := 1e-12 * (1 + (math.Abs(float64(v))+math.Abs(s.Mean[j]))/s.Std[j])
						if !ok || math.Abs(got-want) > tol {
							t.Errorf("%s[%d][%d]: Standardize(%v) = %v, %v; scikit-learn %v (tolerance %.3g)", part.name, i, j, float64(v), got, ok, want, tol)
						}
					}
				}
				z, err := s.Transform(rows(part.in))
				switch {
				case hasNaN && !errors.Is(err, ErrData):
					t.Errorf("Transform of %s with NaN cells: %v, want an error wrapping ErrData", part.name, err)
				case !hasNaN && err != nil:
					t.Errorf("Transform of %s: %v", part.name, err)
				case !hasNaN:
					for i, r := range part.in {
						for j := range r {
							if v, w := z.At(i, j), func() float64 { v, _ := s.Standardize(j, float64(r[j])); return v }(); v != w {
								t.Errorf("Transform[%d][%d] = %v, Standardize %v", i, j, v, w)
							}
						}
					}
				}
			}
		})
	}
}
