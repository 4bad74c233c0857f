package onnx_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
)

// myLayer is a layer type of the user's own, which Export does not know.
type myLayer struct{ mlp.ReLU }

func (*myLayer) String() string { return "Mine" }

// Models Export cannot write give errors that say why, and write nothing.
func TestExportErrors(t *testing.T) {
	src := rand.NewPCG(1, 1)
	net := func(layers ...mlp.Layer) *mlp.Sequential {
		s, err := mlp.NewSequential(layers...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	nanW := mlp.NewLinear(2, 2, src)
	nanW.Weights().Set(1, 0, math.NaN())
	bigW := mlp.NewLinear(2, 2, src)
	bigW.Weights().Set(0, 1, 1e300)
	tests := []struct {
		name string
		m    *onnx.Model
		s    *onnx.ExportSettings
		is   error
		want string
	}{
		{"nil model", nil, nil, mlp.ErrSetting, "no net"},
		{"categorical columns", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)),
			Preprocess: onnx.Preprocess{Categorical: []string{"colour", "city"}}}, nil, onnx.ErrUnsupported, `"colour", "city"`},
		{"layer of the user's own", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src), &myLayer{})}, nil,
			onnx.ErrUnsupported, "layer 1 Mine is a *onnx_test.myLayer"},
		{"NaN weight", &onnx.Model{Net: net(nanW)}, nil, mlp.ErrSetting, "layer 0 Linear(2->2) weight entry 2 is NaN"},
		{"float32 overflow", &onnx.Model{Net: net(bigW)}, &onnx.ExportSettings{Float32: true}, mlp.ErrSetting, "overflows float32"},
		{"class count", &onnx.Model{Net: net(mlp.NewLinear(2, 3, src), &mlp.Softmax{}), Classes: []string{"a", "b"}}, nil,
			mlp.ErrSetting, "2 class names for a net with 3 outputs, want 3"},
		{"postprocess on a classifier", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src), &mlp.Softmax{}),
			Postprocess: onnx.Postprocess{Std: []float64{2, 2}}}, nil, mlp.ErrSetting, "a classifier has no Postprocess"},
		{"postprocess width", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)),
			Postprocess: onnx.Postprocess{Mean: []float64{2}}}, nil, mlp.ErrSetting, "Postprocess.Mean has 1 entries"},
		{"regression with classes", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), Task: onnx.Regression, Classes: []string{"a", "b"}}, nil,
			mlp.ErrSetting, "no classes"},
		{"unknown task", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), Task: "ranking"}, nil, mlp.ErrSetting, `"ranking"`},
		{"columns", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), Preprocess: onnx.Preprocess{Columns: []string{"a"}}}, nil,
			mlp.ErrSetting, "Columns has 1 entries"},
		{"zero std", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), Preprocess: onnx.Preprocess{Std: []float64{1, 0}}}, nil,
			mlp.ErrSetting, "Std[1] is 0"},
		{"input named as a weight", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), InputName: "layers.0.weight"}, nil,
			mlp.ErrSetting, `"layers.0.weight" is also the name`},
		{"input named as output", &onnx.Model{Net: net(mlp.NewLinear(2, 2, src)), InputName: "y", OutputName: "y"}, nil,
			mlp.ErrSetting, `both named "y"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := onnx.Export(&buf, tc.m, tc.s)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one wrapping %q containing %q", err, tc.is, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
}

// The task and classes Export writes when the model leaves them empty, as
// Import reads them back; custom input and output names survive.
func TestExportDefaults(t *testing.T) {
	src := rand.NewPCG(2, 2)
	for _, tc := range []struct {
		name    string
		layers  []mlp.Layer
		task    string
		classes []string
	}{
		{"softmax", []mlp.Layer{mlp.NewLinear(3, 4, src), &mlp.Softmax{}}, onnx.Classification, []string{"0", "1", "2", "3"}},
		{"sigmoid", []mlp.Layer{mlp.NewLinear(3, 1, src), &mlp.Sigmoid{}}, onnx.Classification, []string{"0", "1"}},
		{"linear", []mlp.Layer{mlp.NewLinear(3, 2, src)}, onnx.Regression, nil},
	} {
		net, err := mlp.NewSequential(tc.layers...)
		if err != nil {
			t.Fatal(err)
		}
		b := exportBytes(t, &onnx.Model{Net: net, InputName: "features", OutputName: "probs"}, nil)
		m, err := onnx.Import(bytes.NewReader(b), nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Task != tc.task || !slices.Equal(m.Classes, tc.classes) || m.InputName != "features" || m.OutputName != "probs" {
			t.Errorf("%s: task %q classes %q names %q %q", tc.name, m.Task, m.Classes, m.InputName, m.OutputName)
		}
		if _, err := m.Predict(mat.NewDense(1, 3, nil)); err != nil {
			t.Error(err)
		}
	}
}
