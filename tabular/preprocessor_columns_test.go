package tabular_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// pipelineTable is a small table with a numeric column with a missing
// cell, a categorical column and a numeric target.
const pipelineTable = `age,city,income,y
31,Oslo,52000,1.5
45,Bergen,,2.5
,Oslo,61000,0.5
23,Tromsø,38000,3
52,Bergen,71000,2
`

// NewPreprocessor of Columns gives back the same preprocessing: the same
// description and the same matrix, bit for bit.
func TestNewPreprocessorInvertsColumns(t *testing.T) {
	r := tabular.NewCSVReader(strings.NewReader(pipelineTable))
	r.Targets = []string{"y"}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range []tabular.Imputation{tabular.ImputeMean, tabular.ImputeMedian} {
		pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{Impute: imp})
		if err != nil {
			t.Fatal(err)
		}
		back, err := tabular.NewPreprocessor(pre.Columns())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Columns(), pre.Columns()) || back.Width() != pre.Width() {
			t.Errorf("%v: columns %+v, want %+v", imp, back.Columns(), pre.Columns())
		}
		a, err := pre.Transform(tab)
		if err != nil {
			t.Fatal(err)
		}
		b, err := back.Transform(tab)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(a, b) {
			t.Errorf("%v: transforms differ", imp)
		}
	}
}

// Descriptions NewPreprocessor cannot build from give errors naming the
// column.
func TestNewPreprocessorErrors(t *testing.T) {
	num := func(name, fill string, mean, std float64) tabular.ColumnInfo {
		return tabular.ColumnInfo{Name: name, Kind: tabular.Numeric, Fill: fill, Mean: mean, Std: std}
	}
	for _, tc := range []struct {
		name string
		cols []tabular.ColumnInfo
		want string
	}{
		{"none", nil, "no columns"},
		{"repeated name", []tabular.ColumnInfo{num("a", "", 0, 1), num("a", "", 0, 1)}, `column 1 "a"`},
		{"empty name", []tabular.ColumnInfo{num("", "", 0, 1)}, "the name is empty"},
		{"fill text", []tabular.ColumnInfo{num("a", "lots", 0, 1)}, `the fill "lots"`},
		{"NaN fill", []tabular.ColumnInfo{num("a", "NaN", 0, 1)}, "not a finite number"},
		{"zero std", []tabular.ColumnInfo{num("a", "", 0, 0)}, "Std 0"},
		{"negative std", []tabular.ColumnInfo{num("a", "", 0, -2)}, "Std -2"},
		{"Inf mean", []tabular.ColumnInfo{num("a", "", math.Inf(1), 1)}, "Mean +Inf"},
		{"no category", []tabular.ColumnInfo{{Name: "c", Kind: tabular.Categorical}}, "no category"},
		{"repeated category", []tabular.ColumnInfo{{Name: "c", Kind: tabular.Categorical, Categories: []string{"x", "x"}}}, "repeats a category"},
		{"fill not a category", []tabular.ColumnInfo{{Name: "c", Kind: tabular.Categorical, Categories: []string{"x"}, Fill: "y"}}, `the fill "y"`},
		{"kind", []tabular.ColumnInfo{{Name: "c", Std: 1}}, "neither Numeric nor Categorical"},
	} {
		_, err := tabular.NewPreprocessor(tc.cols)
		if !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error wrapping ErrSetting containing %q", tc.name, err, tc.want)
		}
	}
}

// TargetScaler gives a copy of a regression pipeline's target scaling, and
// nil without one.
func TestPipelineTargetScaler(t *testing.T) {
	pre, err := tabular.NewPreprocessor([]tabular.ColumnInfo{{Name: "x", Kind: tabular.Numeric, Std: 1}})
	if err != nil {
		t.Fatal(err)
	}
	net, err := mlp.NewSequential(mlp.NewLinear(1, 2, rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	sc := &mlp.StandardScaler{Mean: []float64{10, -3}, Std: []float64{2, 0.5}}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{Scaler: sc})
	if err != nil {
		t.Fatal(err)
	}
	got := p.TargetScaler()
	if !reflect.DeepEqual(got, sc) {
		t.Errorf("TargetScaler %+v, want %+v", got, sc)
	}
	got.Mean[0] = 99
	if p.TargetScaler().Mean[0] != 10 {
		t.Error("TargetScaler hands out the pipeline's own slice")
	}
	q, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{})
	if err != nil {
		t.Fatal(err)
	}
	if q.TargetScaler() != nil {
		t.Error("TargetScaler of a pipeline without one is not nil")
	}
}
