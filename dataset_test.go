package mlp_test

import (
	"math"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"gonum.org/v1/gonum/mat"
)

// TestNewDatasetErrors checks the data NewDataset refuses, with an error
// wrapping ErrData, starting "mlp: " and naming the row and column.
func TestNewDatasetErrors(t *testing.T) {
	x := func() *mat.Dense { return mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6}) }
	withNaN := x()
	withNaN.Set(2, 1, math.NaN())
	withInf := x()
	withInf.Set(1, 0, math.Inf(1))
	negInf := mat.NewDense(3, 1, []float64{0, 1, math.Inf(-1)})
	for _, tc := range []struct {
		name string
		x    *mat.Dense
		y    mlp.Targets
		want []string
	}{
		{"nil features", nil, mlp.Targets{Labels: []int{0}}, []string{"no samples", "feature matrix is empty"}},
		{"no rows", &mat.Dense{}, mlp.Targets{Labels: []int{}}, []string{"no samples"}},
		{"fewer labels than rows", x(), mlp.Targets{Labels: []int{0, 1}}, []string{"2 labels for 3 samples"}},
		{"more labels than rows", x(), mlp.Targets{Labels: []int{0, 1, 0, 1}}, []string{"4 labels for 3 samples"}},
		{"value rows differ", x(), mlp.Targets{Values: mat.NewDense(2, 1, nil)}, []string{"2 target rows for 3 samples"}},
		{"both targets", x(), mlp.Targets{Labels: []int{0, 1, 0}, Values: mat.NewDense(3, 1, nil)}, []string{"both"}},
		{"no targets", x(), mlp.Targets{}, []string{"neither"}},
		{"NaN feature", withNaN, mlp.Targets{Labels: []int{0, 1, 0}}, []string{"NaN", "row 2, column 1 (0-based)"}},
		{"Inf feature", withInf, mlp.Targets{Labels: []int{0, 1, 0}}, []string{"+Inf", "row 1, column 0"}},
		{"-Inf target value", x(), mlp.Targets{Values: negInf}, []string{"target", "-Inf", "row 2, column 0"}},
		{"negative label", x(), mlp.Targets{Labels: []int{0, -1, 2}}, []string{"label -1 of row 1"}},
		{"labels and values of one row", mat.NewDense(1, 1, nil), mlp.Targets{Labels: []int{0}, Values: mat.NewDense(1, 1, nil)},
			[]string{"both labels and values"}},
		{"no targets of one row", mat.NewDense(1, 1, nil), mlp.Targets{}, []string{"neither labels nor values"}},
		{"3 labels for 2 rows", mat.NewDense(2, 1, nil), mlp.Targets{Labels: []int{0, 1, 1}}, []string{"3 labels for 2 samples"}},
		{"label -3", mat.NewDense(2, 1, nil), mlp.Targets{Labels: []int{0, -3}}, []string{"label -3 of row 1"}},
		{"NaN feature in the first column", mat.NewDense(2, 2, []float64{1, 2, math.NaN(), 3}), mlp.Targets{Labels: []int{0, 1}},
			[]string{"row 1, column 0"}},
		{"+Inf target value", mat.NewDense(2, 1, nil), mlp.Targets{Values: mat.NewDense(2, 1, []float64{1, math.Inf(1)})},
			[]string{"target value +Inf at row 1, column 0"}},
		{"3 target rows for 2", mat.NewDense(2, 1, nil), mlp.Targets{Values: mat.NewDense(3, 1, nil)}, []string{"3 target rows for 2 samples"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mlp.NewDataset(tc.x, tc.y)
			if d != nil {
				t.Errorf("got a Dataset with the error")
			}
			testkit.ErrorContains(t, err, mlp.ErrData, tc.want...)
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("error %q does not start with \"mlp: \"", err)
			}
		})
	}
}

func TestNewDataset(t *testing.T) {
	x := mat.NewDense(4, 3, nil)
	for _, tc := range []struct {
		name        string
		y           mlp.Targets
		wantClasses int
	}{
		{"labels", mlp.Targets{Labels: []int{0, 4, 2, 0}}, 5},
		{"all zero labels", mlp.Targets{Labels: []int{0, 0, 0, 0}}, 1},
		{"regression", mlp.Targets{Values: mat.NewDense(4, 2, nil)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mlp.NewDataset(x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if d.Classes != tc.wantClasses {
				t.Errorf("Classes = %d, want %d", d.Classes, tc.wantClasses)
			}
			if d.Len() != 4 || d.Features() != 3 {
				t.Errorf("Len, Features = %d, %d, want 4, 3", d.Len(), d.Features())
			}
			if d.X != x {
				t.Errorf("Dataset does not keep the caller's matrix")
			}
		})
	}
}
