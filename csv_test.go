package mlp_test

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"gonum.org/v1/gonum/mat"
)

func TestCSVReaderIris(t *testing.T) {
	d, err := mlp.NewCSVReader(dataOpen(t, "iris.csv")).Read()
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"}
	if !slices.Equal(d.FeatureNames, wantNames) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, wantNames)
	}
	if d.Len() != 150 || d.Features() != 4 || d.Classes != 3 {
		t.Errorf("Len, Features, Classes = %d, %d, %d, want 150, 4, 3", d.Len(), d.Features(), d.Classes)
	}
	if d.Y.Values != nil {
		t.Errorf("classification data set has Values")
	}
	counts := make([]int, d.Classes)
	for _, c := range d.Y.Labels {
		counts[c]++
	}
	if !slices.Equal(counts, []int{50, 50, 50}) {
		t.Errorf("class counts %v, want [50 50 50]", counts)
	}
	// First and last rows of the file.
	if got, want := mat.Row(nil, 0, d.X), []float64{5.1, 3.5, 1.4, 0.2}; !slices.Equal(got, want) || d.Y.Labels[0] != 0 {
		t.Errorf("row 0 = %v label %d, want %v label 0", got, d.Y.Labels[0], want)
	}
	if got, want := mat.Row(nil, 149, d.X), []float64{5.9, 3, 5.1, 1.8}; !slices.Equal(got, want) || d.Y.Labels[149] != 2 {
		t.Errorf("row 149 = %v label %d, want %v label 2", got, d.Y.Labels[149], want)
	}
}

func TestCSVReaderTargetByName(t *testing.T) {
	r := mlp.NewCSVReader(dataOpen(t, "target_middle.csv"))
	r.Target = "species"
	d, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"height", "weight"}; !slices.Equal(d.FeatureNames, want) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, want)
	}
	wantX := mat.NewDense(4, 2, []float64{1.5, 60, 1.75, 82.5, 1.6, 55, 1.8, 90})
	if !mat.Equal(d.X, wantX) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(wantX))
	}
	if want := []int{0, 2, 1, 2}; !slices.Equal(d.Y.Labels, want) || d.Classes != 3 {
		t.Errorf("labels %v, classes %d, want %v, 3", d.Y.Labels, d.Classes, want)
	}
}

func TestCSVReaderRegression(t *testing.T) {
	r := mlp.NewCSVReader(dataOpen(t, "regression.csv"))
	r.Regression = true
	d, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if d.Y.Labels != nil || d.Classes != 0 {
		t.Errorf("regression data set has labels %v, classes %d", d.Y.Labels, d.Classes)
	}
	if want := mat.NewDense(3, 1, []float64{0.5, -1.25, 1000}); !mat.Equal(d.Y.Values, want) {
		t.Errorf("Values = %v, want %v", mat.Formatted(d.Y.Values.T()), mat.Formatted(want.T()))
	}
	if want := mat.NewDense(3, 2, []float64{0, 1, 2, -3, 4.5, 6e-3}); !mat.Equal(d.X, want) {
		t.Errorf("X =\n%v\nwant\n%v", mat.Formatted(d.X), mat.Formatted(want))
	}
	if want := []string{"x1", "x2"}; !slices.Equal(d.FeatureNames, want) {
		t.Errorf("FeatureNames = %q, want %q", d.FeatureNames, want)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		input      string
		target     string
		regression bool
		want       error
		line, col  int
		msg        string // a part of the message
	}{
		{"empty input", "", "", false, mlp.ErrEmptyInput, 1, 0, "mlp: csv line 1: empty input"},
		{"only blank lines", "\n\n", "", false, mlp.ErrEmptyInput, 1, 0, "no header"},
		{"header only", "a,b,target\n", "", false, mlp.ErrEmptyInput, 2, 0, "mlp: csv line 2: empty input: no data rows"},
		{"header with one column", "target\n1\n", "", false, mlp.ErrEmptyInput, 1, 0, "at least one feature"},
		{"short row", "a,b,target\n1,2,0\n3,4\n", "", false, mlp.ErrRagged, 3, 3, "mlp: csv line 3, column 3: wrong number of fields: 2 fields, the header has 3"},
		{"long row", "a,b,target\n1,2,0\n\n3,4,1,5\n", "", false, mlp.ErrRagged, 4, 4, "4 fields"},
		{"non-numeric cell", "a,b,c,target\n1,2,3,0\n4,5,6,1\n7,8,abc,1\n", "", false, mlp.ErrNotNumber, 4, 3, `mlp: csv line 4, column 3: not a number: "abc" in column "c"`},
		{"empty cell", "a,b,target\n1,,0\n", "", false, mlp.ErrNotNumber, 2, 2, `""`},
		{"NaN feature", "a,b,target\n1,NaN,0\n", "", false, mlp.ErrNotFinite, 2, 2, `"NaN" in column "b"`},
		{"Inf regression target", "a,y\n1,2\n1,-Inf\n", "", true, mlp.ErrNotFinite, 3, 2, `"-Inf"`},
		{"non-numeric regression target", "a,y\n1,high\n", "", true, mlp.ErrNotNumber, 2, 2, `"high" in column "y"`},
		{"missing target column", "a,b,label\n1,2,0\n", "class", false, mlp.ErrNoTargetColumn, 1, 0, `"class" is not in the header`},
		{"fractional label", "a,b,target\n1,2,0\n3,4,2.5\n", "", false, mlp.ErrBadLabel, 3, 3, `mlp: csv line 3, column 3: bad class label: "2.5" is not an integer`},
		{"negative label", "a,b,target\n1,2,-1\n", "", false, mlp.ErrBadLabel, 2, 3, `"-1" is negative`},
		{"negative float label", "a,b,target\n1,2,-2.0\n", "", false, mlp.ErrBadLabel, 2, 3, `"-2.0" is negative`},
		{"text label", "a,target,b\n1,cat,2\n", "target", false, mlp.ErrBadLabel, 2, 2, `"cat"`},
		{"huge label", "a,target\n1,1e12\n", "", false, mlp.ErrBadLabel, 2, 2, "larger than"},
		{"line after a multi-line field", "a,b,target\n\"1\n\",2,0\n3,x,1\n", "", false, mlp.ErrNotNumber, 4, 2, `"x"`},
		{"bare quote", "a,b,target\n1,2\"3,0\n", "", false, csv.ErrBareQuote, 2, 0, "mlp: csv line 2: bare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mlp.NewCSVReader(strings.NewReader(tc.input))
			r.Target = tc.target
			r.Regression = tc.regression
			d, err := r.Read()
			if d != nil {
				t.Errorf("got a Dataset with the error")
			}
			var pe *mlp.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("line, column = %d, %d, want %d, %d (%v)", pe.Line, pe.Column, tc.line, tc.col, err)
			}
			dataErrorContains(t, err, tc.want, tc.msg)
			if !errors.Is(err, mlp.ErrData) {
				t.Errorf("error %v does not match ErrData", err)
			}
		})
	}
}

func TestCSVReaderReadError(t *testing.T) {
	errDisk := errors.New("disk on fire")
	_, err := mlp.NewCSVReader(io.MultiReader(strings.NewReader("a,target\n1,0\n"), dataFailingReader{errDisk})).Read()
	if !errors.Is(err, errDisk) || !errors.Is(err, mlp.ErrData) {
		t.Errorf("error %v does not match both the reader's error and ErrData", err)
	}
}
