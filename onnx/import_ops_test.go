package onnx_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// boolTensor returns a BOOL initializer of one element, in raw_data or,
// with typed, in int32_data (both are valid ONNX).
func boolTensor(name string, v, typed bool) *onnxpb.TensorProto {
	t := &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_BOOL))}
	b := byte(0)
	if v {
		b = 1
	}
	if typed {
		t.Int32Data = []int32{int32(b)}
	} else {
		t.RawData = []byte{b}
	}
	return t
}

// TestImportDropoutPReluShapes checks that Import reads a Dropout whose
// training_mode is a BOOL (as the spec types it), refuses one whose
// training_mode is true, and refuses a PRelu whose slope does not
// broadcast to its input [batch, 2], naming the node; and, when
// onnxruntime is installed, that it runs every file Import reads and
// refuses the PRelu files Import refuses.
func TestImportDropoutPReluShapes(t *testing.T) {
	// x [N, 2] -> Gemm -> h -> Dropout(h, ratio, training_mode) -> d -> PRelu(d, k) -> y
	model := func(training *onnxpb.TensorProto, slope *onnxpb.TensorProto) *onnxpb.ModelProto {
		m := tinyModel()
		m.Graph.Node = []*onnxpb.NodeProto{
			node("Gemm", "gemm", []string{"x", "W", "b"}, []string{"h"}),
			node("Dropout", "do", []string{"h", "ratio", "training"}, []string{"d"}),
			node("PRelu", "prelu", []string{"d", "k"}, []string{"y"}),
		}
		m.Graph.Initializer = append(m.Graph.Initializer, f64("ratio", nil, 0.5), slope)
		if training == nil {
			m.Graph.Node[1].Input = []string{"h"}
		} else {
			m.Graph.Initializer = append(m.Graph.Initializer, training)
		}
		return m
	}
	slope := f64("k", []int64{1}, 0.25)
	for _, tc := range []struct {
		name string
		m    *onnxpb.ModelProto
		want string // in the error; "" for a file Import reads
	}{
		{"training_mode BOOL false, raw_data", model(boolTensor("training", false, false), slope), ""},
		{"training_mode BOOL false, int32_data", model(boolTensor("training", false, true), slope), ""},
		{"training_mode BOOL true", model(boolTensor("training", true, false), slope), "training_mode is true"},
		{"slope [2]", model(nil, f64("k", []int64{2}, 0.25, 0.25)), ""},
		{"slope [1, 2]", model(nil, f64("k", []int64{1, 2}, 0.25, 0.25)), ""},
		{"slope [3]", model(nil, f64("k", []int64{3}, 0.25, 0.25, 0.25)),
			`node 2 "prelu" (PRelu): onnx: unsupported: its slope has shape [3], which does not broadcast to the input [batch, 2]`},
		{"slope [2, 1]", model(nil, f64("k", []int64{2, 1}, 0.25, 0.25)),
			`node 2 "prelu" (PRelu): onnx: unsupported: its slope has shape [2 1]`},
		{"slope [1, 1, 1]", model(nil, f64("k", []int64{1, 1, 1}, 0.25)),
			`its slope has shape [1 1 1]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := onnx.Import(bytes.NewReader(encode(t, tc.m)), nil)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				y, err := got.Predict(mat.NewDense(1, 2, []float64{1, -1}))
				if err != nil {
					t.Fatal(err)
				}
				// [1 -1]·[[1 2] [3 4]] + [0.5 -0.5] = [-1.5 -2.5], then slope 0.25.
				if want := mat.NewDense(1, 2, []float64{-0.375, -0.625}); !mat.Equal(y, want) {
					t.Errorf("prediction %v, want %v", mat.Formatted(y), mat.Formatted(want))
				}
				return
			}
			var ne *onnx.NodeError
			if err == nil || !errors.Is(err, onnx.ErrUnsupported) || !errors.As(err, &ne) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a NodeError wrapping ErrUnsupported with %q", err, tc.want)
			}
		})
	}
	if testing.Short() {
		return
	}
	node, dir := needORT(t)
	tmp := t.TempDir()
	var jobs []ortJob
	for i, m := range []*onnxpb.ModelProto{
		model(boolTensor("training", false, false), slope),
		model(boolTensor("training", false, true), slope),
		model(boolTensor("training", false, false), f64("k", []int64{1, 2}, 0.25, 0.25)),
		model(boolTensor("training", false, false), f64("k", []int64{3}, 0.25, 0.25, 0.25)),
		model(boolTensor("training", false, false), f64("k", []int64{2, 1}, 0.25, 0.25)),
	} {
		path := filepath.Join(tmp, "m"+string(rune('0'+i))+".onnx")
		if err := os.WriteFile(path, encode(t, m), 0o644); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, ortJob{Model: path, Type: "float64", Rows: 3, Cols: 2, Input: []any{1.0, -1.0, 0.5, 0.5, 2.0, 0.0}, InputName: "x", OutputName: "y"})
	}
	_, errs := runORT(t, node, dir, jobs)
	for i, e := range errs {
		if refused := e != ""; refused != (i >= 3) {
			t.Errorf("onnxruntime on file %d: %q; Import reads files 0-2 and refuses 3-4", i, e)
		}
	}
}
