package onnx_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
)

// torchTol is the largest difference allowed between an imported net's
// predictions and PyTorch's own, in float64.
const torchTol = 1e-12

// fixture is one torch_<name>.json written by testdata/gen_torch.py.
type fixture struct {
	Torch  string      `json:"torch"`
	Ops    []string    `json:"ops"`
	Input  [][]float64 `json:"input"`
	Output [][]float64 `json:"output"`
}

// readFixture returns the model file and the inputs and outputs of the
// PyTorch fixture name.
func readFixture(t testing.TB, name string) ([]byte, *fixture) {
	t.Helper()
	model, err := os.ReadFile(filepath.Join("testdata", "torch_"+name+".onnx"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join("testdata", "torch_"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(js, &f); err != nil {
		t.Fatal(err)
	}
	return model, &f
}

// dense returns rows as a matrix.
func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// maxDiff returns the largest absolute difference between a and b, which
// must have the same shape; NaN in the same place counts as equal.
func maxDiff(t testing.TB, a, b mat.Matrix) float64 {
	t.Helper()
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		t.Fatalf("shapes differ: %dx%d and %dx%d", ar, ac, br, bc)
	}
	d := 0.0
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if math.IsNaN(x) && math.IsNaN(y) {
				continue
			}
			if math.IsNaN(x) || math.IsNaN(y) {
				return math.Inf(1)
			}
			d = max(d, math.Abs(x-y))
		}
	}
	return d
}

// layerNames returns the String of each layer of net.
func layerNames(net *mlp.Sequential) []string {
	var s []string
	for _, l := range net.Layers() {
		s = append(s, l.String())
	}
	return s
}

// Nets exported by torch.onnx.export import as the same layers and predict
// what PyTorch predicts, to 1e-12.
func TestImportTorch(t *testing.T) {
	tests := []struct {
		name    string
		layers  []string
		task    string
		classes []string
		columns []string
	}{
		{"relu", []string{"Linear(4->8)", "ReLU", "Linear(8->3)"}, onnx.Regression, nil, nil},
		{"leakyrelu", []string{"Linear(4->8)", "LeakyReLU(0.2)", "Linear(8->3)"}, onnx.Regression, nil, nil},
		{"sigmoid", []string{"Linear(4->8)", "Sigmoid", "Linear(8->1)", "Sigmoid"}, onnx.Classification, []string{"0", "1"}, nil},
		{"tanh", []string{"Linear(4->8)", "Tanh", "Linear(8->3)"}, onnx.Regression, nil, nil},
		{"gelu", []string{"Linear(4->8)", "GELU", "Linear(8->3)"}, onnx.Regression, nil, nil},
		{"softmax", []string{"Linear(4->16)", "ReLU", "Linear(16->3)", "Softmax"}, onnx.Classification,
			[]string{"setosa", "versicolor", "virginica"}, []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}},
		{"regressor", []string{"Linear(5->16)", "Tanh", "Linear(16->8)", "ReLU", "Linear(8->1)"}, onnx.Regression, nil, nil},
		{"nobias_dropout", []string{"Linear(4->6)", "ReLU", "Linear(6->2)"}, onnx.Regression, nil, nil},
		{"bench", []string{"Linear(64->128)", "ReLU", "Linear(128->10)", "Softmax"}, onnx.Classification, onnx.DefaultClasses(10), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, f := readFixture(t, tc.name)
			m, err := onnx.Import(bytes.NewReader(b), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := layerNames(m.Net); !slices.Equal(got, tc.layers) {
				t.Errorf("layers %q, want %q (ops %q)", got, tc.layers, f.Ops)
			}
			if m.Task != tc.task || !slices.Equal(m.Classes, tc.classes) || m.Appended != "" {
				t.Errorf("task %q classes %q appended %q, want %q %q none", m.Task, m.Classes, m.Appended, tc.task, tc.classes)
			}
			columns := tc.columns
			if columns == nil {
				columns = onnx.DefaultColumns(m.Net.InputSize())
			}
			if !slices.Equal(m.Preprocess.Columns, columns) {
				t.Errorf("columns %q, want %q", m.Preprocess.Columns, columns)
			}
			if m.InputName != "input" || m.OutputName != "output" || !strings.HasPrefix(m.Producer, "pytorch 1.") {
				t.Errorf("input %q output %q producer %q", m.InputName, m.OutputName, m.Producer)
			}
			pl, err := m.Pipeline()
			if err != nil {
				t.Fatalf("Model.Pipeline: %v", err)
			}
			if pl.Task().String() != tc.task || !slices.Equal(pl.Classes(), tc.classes) || len(pl.Columns()) != len(columns) {
				t.Errorf("pipeline: task %v classes %q, %d columns", pl.Task(), pl.Classes(), len(pl.Columns()))
			}
			got, err := m.Predict(dense(f.Input))
			if err != nil {
				t.Fatal(err)
			}
			d := maxDiff(t, got, dense(f.Output))
			t.Logf("%s: max |Go - PyTorch| = %.3g over %d rows", tc.name, d, len(f.Input))
			if !(d <= torchTol) {
				t.Errorf("max difference from PyTorch %g, want at most %g", d, torchTol)
			}
		})
	}
}

// LeakyRelu's float32 alpha 0.2f is read as the 0.2 PyTorch computed with.
func TestImportLeakySlopeShortest(t *testing.T) {
	b, _ := readFixture(t, "leakyrelu")
	m, err := onnx.Import(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, ok := m.Net.Layers()[1].(*mlp.LeakyReLU)
	if !ok || l.Slope != 0.2 {
		t.Fatalf("layer 1 is %v, want LeakyReLU with slope exactly 0.2", m.Net.Layers()[1])
	}
}

// A net ending without Softmax or Sigmoid imports as a regressor, and as a
// classifier with Softmax (Sigmoid for one output) appended when classes
// are given.
func TestImportAppendsActivation(t *testing.T) {
	tests := []struct {
		name     string
		classes  []string
		appended string
		last     string
	}{
		{"relu", []string{"a", "b", "c"}, "Softmax", "Softmax"},
		{"regressor", []string{"neg", "pos"}, "Sigmoid", "Sigmoid"},
		{"relu", nil, "", "Linear(8->3)"},
		{"softmax", []string{"x", "y", "z"}, "", "Softmax"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"_"+tc.appended, func(t *testing.T) {
			b, f := readFixture(t, tc.name)
			m, err := onnx.Import(bytes.NewReader(b), &onnx.ImportSettings{Classes: tc.classes})
			if err != nil {
				t.Fatal(err)
			}
			layers := m.Net.Layers()
			if m.Appended != tc.appended || layers[len(layers)-1].String() != tc.last {
				t.Fatalf("appended %q, last layer %v; want %q, %s", m.Appended, layers[len(layers)-1], tc.appended, tc.last)
			}
			if tc.classes != nil && (m.Task != onnx.Classification || !slices.Equal(m.Classes, tc.classes)) {
				t.Errorf("task %q classes %q, want classification %q", m.Task, m.Classes, tc.classes)
			}
			if tc.appended == "" {
				return
			}
			// The appended activation applies to PyTorch's outputs.
			got, err := m.Predict(dense(f.Input))
			if err != nil {
				t.Fatal(err)
			}
			want := dense(f.Output)
			last := layers[len(layers)-1]
			if d := maxDiff(t, got, last.Forward(want)); !(d <= torchTol) {
				t.Errorf("max difference %g from %s of PyTorch's outputs", d, last)
			}
		})
	}
	b, _ := readFixture(t, "relu")
	if _, err := onnx.Import(bytes.NewReader(b), &onnx.ImportSettings{Classes: []string{"a", "b"}}); err == nil {
		t.Error("two classes for three outputs: no error")
	}
}
