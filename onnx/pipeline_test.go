package onnx_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/tabular"
)

// pipelineRecords are raw records for the pipelines of these tests, with
// missing cells in the imputed columns.
var pipelineRecords = [][]string{
	{"31", "52000", "1.2"},
	{"", "61000", "0.4"},
	{"45", "", "NA"},
	{"23", "38000", "2.5"},
}

// testPipeline returns a pipeline over the numeric columns age, income and
// score (age and income imputed, all scaled) ending in net, reading its
// outputs as targets says.
func testPipeline(t *testing.T, net *mlp.Sequential, targets tabular.PipelineTargets) *tabular.Pipeline {
	t.Helper()
	pre, err := tabular.NewPreprocessor([]tabular.ColumnInfo{
		{Name: "age", Kind: tabular.Numeric, Fill: "38.5", Mean: 37.25, Std: 11.3},
		{Name: "income", Kind: tabular.Numeric, Fill: "50333.333333333336", Mean: 50333.333333333336, Std: 9432.1},
		{Name: "score", Kind: tabular.Numeric, Fill: "1.3", Mean: 1.1, Std: 0.9},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A pipeline exported and imported predicts the same records bit for bit,
// as a regressor with target scaling and as a classifier, and keeps its
// columns, classes and task.
func TestPipelineRoundTrip(t *testing.T) {
	src := rand.NewPCG(4, 4)
	reg, err := mlp.NewSequential(mlp.NewLinear(3, 8, src), &mlp.Tanh{}, mlp.NewLinear(8, 2, src))
	if err != nil {
		t.Fatal(err)
	}
	cls, err := mlp.NewSequential(mlp.NewLinear(3, 8, src), &mlp.GELU{}, mlp.NewLinear(8, 3, src), &mlp.Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"age", "income", "score"}
	for _, tc := range []struct {
		name    string
		p       *tabular.Pipeline
		classes []string
	}{
		{"regression", testPipeline(t, reg, tabular.PipelineTargets{Scaler: &mlp.StandardScaler{Mean: []float64{120, -4}, Std: []float64{35, 0.5}}}), nil},
		{"classification", testPipeline(t, cls, tabular.PipelineTargets{Classes: []string{"low", "mid", "high"}}), []string{"low", "mid", "high"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := onnx.ExportPipeline(&buf, tc.p, nil); err != nil {
				t.Fatal(err)
			}
			file := buf.Bytes()
			back, err := onnx.ImportPipeline(bytes.NewReader(file), nil)
			if err != nil {
				t.Fatal(err)
			}
			if back.Task() != tc.p.Task() || !slices.Equal(back.Classes(), tc.classes) {
				t.Errorf("task %v classes %q, want %v %q", back.Task(), back.Classes(), tc.p.Task(), tc.classes)
			}
			for j, c := range back.Columns() {
				if want := tc.p.Columns()[j]; c.Name != want.Name || c.Fill != want.Fill || c.Mean != want.Mean || c.Std != want.Std {
					t.Errorf("column %d: %+v, want %+v", j, c, want)
				}
			}
			want, err := tc.p.PredictRecords(header, pipelineRecords)
			if err != nil {
				t.Fatal(err)
			}
			got, err := back.PredictRecords(header, pipelineRecords)
			if err != nil {
				t.Fatal(err)
			}
			if !predictionsEqual(got, want) {
				t.Errorf("predictions differ after the round trip")
			}
			// The ONNX graph computes what the pipeline does: Model.Predict
			// runs the graph's operations, which onnxruntime agrees with
			// (TestOnnxruntime).
			m, err := onnx.Import(bytes.NewReader(file), nil)
			if err != nil {
				t.Fatal(err)
			}
			x := mat.NewDense(len(pipelineRecords), 3, nil)
			for i, rec := range pipelineRecords {
				for j, cell := range rec {
					x.Set(i, j, parseCell(cell))
				}
			}
			y, err := m.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			ref := want.Values
			if ref == nil {
				ref = want.Proba
			}
			if !mat.Equal(y, ref) {
				t.Errorf("the graph's output differs from the pipeline's by up to %g", maxDiff(t, y, ref))
			}
		})
	}
}

// predictionsEqual reports whether two predictions hold the same labels
// and the same numbers, bit for bit.
func predictionsEqual(a, b *tabular.Prediction) bool {
	same := func(x, y *mat.Dense) bool { return (x == nil) == (y == nil) && (x == nil || mat.Equal(x, y)) }
	return slices.Equal(a.Labels, b.Labels) && same(a.Proba, b.Proba) && same(a.Values, b.Values)
}

// A pipeline with categorical columns cannot be exported: the error names
// them.
func TestExportPipelineCategorical(t *testing.T) {
	r := tabular.NewCSVReader(strings.NewReader("age,city,colour,y\n31,Oslo,red,1\n45,Bergen,blue,2\n23,Oslo,red,3\n"))
	r.Targets = []string{"y"}
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	net, err := mlp.NewSequential(mlp.NewLinear(pre.Width(), 1, rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, tabular.PipelineTargets{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = onnx.ExportPipeline(&buf, p, nil)
	if !errors.Is(err, onnx.ErrUnsupported) || !strings.Contains(err.Error(), `categorical columns "city", "colour"`) {
		t.Errorf("ExportPipeline: %v, want an error wrapping ErrUnsupported naming city and colour", err)
	}
}

// parseCell reads a record's cell as the pipeline does for these tests: a
// number, or NaN for "" and "NA".
func parseCell(cell string) float64 {
	if cell == "" || cell == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(cell, 64)
	if err != nil {
		panic(err)
	}
	return v
}
