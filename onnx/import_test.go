package onnx_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// Graphs outside the subset Import reads, and files that are not valid or
// exceed the caps, give errors that name the node, operator or part at
// fault and wrap the right sentinel.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(m *onnxpb.ModelProto)
		is     error
		want   string // in the message
		nodeOp string // the operator of the *NodeError, "" if none
	}{
		{"conv", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Conv", "/conv/Conv", []string{"h", "W"}, []string{"y"})
		}, onnx.ErrUnsupported, `node 1 "/conv/Conv" (Conv)`, "Conv"},
		{"second input", func(m *onnxpb.ModelProto) {
			m.Graph.Input = append(m.Graph.Input, valueInfo("z", onnxpb.TensorProto_DOUBLE, 2))
			m.Graph.Node[1] = node("Add", "add", []string{"h", "z"}, []string{"y"})
		}, onnx.ErrUnsupported, `second graph input`, "Add"},
		{"weight from an input", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer = m.Graph.Initializer[1:]
			m.Graph.Node = append([]*onnxpb.NodeProto{node("Relu", "mkw", []string{"x"}, []string{"W"})}, m.Graph.Node...)
		}, onnx.ErrUnsupported, `value "x" feeds two nodes`, "Gemm"},
		{"dynamic weight", func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Input[1] = "h0"
			m.Graph.Node = append([]*onnxpb.NodeProto{node("Relu", "r0", []string{"b"}, []string{"h0"})}, m.Graph.Node...)
		}, onnx.ErrUnsupported, `input 1 "h0" is not an initializer or a Constant`, "Gemm"},
		{"external data", func(m *onnxpb.ModelProto) {
			w := m.Graph.Initializer[0]
			w.DoubleData = nil
			w.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
			w.ExternalData = []*onnxpb.StringStringEntryProto{{Key: proto.String("location"), Value: proto.String("/etc/passwd")}}
		}, onnx.ErrUnsupported, "external file", "Gemm"},
		{"dims larger than data", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{2000, 2000}
		}, mlp.ErrFormat, "dims [2000 2000] (4000000 elements) but 4 values", "Gemm"},
		{"raw bytes short", func(m *onnxpb.ModelProto) {
			w := m.Graph.Initializer[0]
			w.DoubleData, w.RawData = nil, make([]byte, 31)
		}, mlp.ErrFormat, "32 bytes) but 31 bytes of raw_data", "Gemm"},
		{"dims over the cap", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{1 << 20, 1 << 20}
		}, mlp.ErrFormat, "more than the cap", "Gemm"},
		{"dims overflow int64", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{1 << 40, 1 << 40, 1 << 40}
		}, mlp.ErrFormat, "more than the cap", "Gemm"},
		{"negative dim", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].Dims = []int64{-2, -2}
		}, mlp.ErrFormat, "size -2", "Gemm"},
		{"int64 weights", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].DataType = proto.Int32(int32(onnxpb.TensorProto_INT64))
		}, onnx.ErrUnsupported, "element type INT64", "Gemm"},
		{"transA", func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = []*onnxpb.AttributeProto{intAttr("transA", 1)}
		}, onnx.ErrUnsupported, "transA = 1", "Gemm"},
		{"weights do not chain", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0] = f64("W", []int64{3, 2}, 1, 2, 3, 4, 5, 6)
		}, onnx.ErrUnsupported, "take 3 columns, the value it reads has 2", "Gemm"},
		{"NaN weight", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[0].DoubleData[2] = math.NaN()
		}, mlp.ErrFormat, "weight 2 is NaN", "Gemm"},
		{"bias shape", func(m *onnxpb.ModelProto) {
			m.Graph.Initializer[1] = f64("b", []int64{3}, 1, 2, 3)
		}, onnx.ErrUnsupported, "bias has shape [3]", "Gemm"},
		{"per-channel PRelu", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("PRelu", "prelu", []string{"h", "k"}, []string{"y"})
			m.Graph.Initializer = append(m.Graph.Initializer, f64("k", []int64{2}, 0.1, 0.2))
		}, onnx.ErrUnsupported, "slopes differ", "PRelu"},
		{"softmax axis 0", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Softmax", "sm", []string{"h"}, []string{"y"}, intAttr("axis", 0))
		}, onnx.ErrUnsupported, "axis 0", "Softmax"},
		{"tanh GELU", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Gelu", "g", []string{"h"}, []string{"y"},
				&onnxpb.AttributeProto{Name: proto.String("approximate"), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte("tanh")})
		}, onnx.ErrUnsupported, `approximate "tanh"`, "Gelu"},
		{"unknown attribute", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1].Attribute = []*onnxpb.AttributeProto{intAttr("alpha", 2)}
		}, onnx.ErrUnsupported, `attribute "alpha" is not supported`, "Relu"},
		{"three readers", func(m *onnxpb.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, node("Relu", "r2", []string{"h"}, []string{"u"}), node("Relu", "r3", []string{"h"}, []string{"v"}))
		}, onnx.ErrUnsupported, `feeds 3 nodes`, "Relu"},
		{"node off the chain", func(m *onnxpb.ModelProto) {
			m.Graph.Node = append(m.Graph.Node, node("Relu", "dead", []string{"b"}, []string{"u"}))
		}, onnx.ErrUnsupported, "not on the chain", "Relu"},
		{"Sub inside the net", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Sub", "sub", []string{"h", "b"}, []string{"y"})
		}, onnx.ErrUnsupported, "after the net's first layer", "Sub"},
		{"layer after the output scaling", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Add", "add", []string{"h", "b"}, []string{"a"})
			m.Graph.Node = append(m.Graph.Node, node("Relu", "relu", []string{"a"}, []string{"y"}))
		}, onnx.ErrUnsupported, "after the output scaling", "Relu"},
		{"Mul in front of the net", func(m *onnxpb.ModelProto) {
			m.Graph.Node = append([]*onnxpb.NodeProto{node("Mul", "mul", []string{"x", "b"}, []string{"x2"})}, m.Graph.Node...)
			m.Graph.Node[1].Input[0] = "x2"
		}, onnx.ErrUnsupported, "in front of the net", "Mul"},
		{"classes for a scaled regressor", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1] = node("Mul", "mul", []string{"h", "b"}, []string{"y"})
			m.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String(onnx.MetaClasses), Value: proto.String(`["a","b"]`)}}
		}, mlp.ErrFormat, "so it is a regressor, but metadata mlp.classes names classes", ""},
		{"other domain", func(m *onnxpb.ModelProto) {
			m.Graph.Node[1].Domain = proto.String("com.microsoft")
		}, onnx.ErrUnsupported, `domain "com.microsoft"`, "Relu"},
		{"opset 6", func(m *onnxpb.ModelProto) {
			m.OpsetImport[0].Version = proto.Int64(6)
		}, onnx.ErrUnsupported, "opset 6", ""},
		{"int64 input", func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = valueInfo("x", onnxpb.TensorProto_INT64, 2)
		}, onnx.ErrUnsupported, "element type INT64", ""},
		{"input width", func(m *onnxpb.ModelProto) {
			m.Graph.Input[0] = valueInfo("x", onnxpb.TensorProto_DOUBLE, 3)
		}, onnx.ErrUnsupported, "take 2 columns, the value it reads has 3", "Gemm"},
		{"output not reached", func(m *onnxpb.ModelProto) {
			m.Graph.Output[0].Name = proto.String("h")
		}, onnx.ErrUnsupported, `the graph's output`, "Relu"},
		{"no graph", func(m *onnxpb.ModelProto) { m.Graph = nil }, mlp.ErrFormat, "no graph", ""},
		{"no Linear", func(m *onnxpb.ModelProto) {
			m.Graph.Node = m.Graph.Node[1:]
			m.Graph.Node[0].Input[0] = "x"
		}, onnx.ErrUnsupported, "no layer fixes the input width", ""},
		{"bad columns metadata", func(m *onnxpb.ModelProto) {
			m.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String(onnx.MetaColumns), Value: proto.String("a,b")}}
		}, mlp.ErrFormat, "not a JSON array", ""},
		{"wrong column count", func(m *onnxpb.ModelProto) {
			m.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String(onnx.MetaColumns), Value: proto.String(`["a"]`)}}
		}, mlp.ErrFormat, "names 1 columns, the net takes 2", ""},
		{"unknown task", func(m *onnxpb.ModelProto) {
			m.MetadataProps = []*onnxpb.StringStringEntryProto{{Key: proto.String(onnx.MetaTask), Value: proto.String("ranking")}}
		}, mlp.ErrFormat, `"ranking"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tinyModel()
			tc.edit(m)
			_, err := onnx.Import(bytes.NewReader(encode(t, m)), nil)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want one wrapping %q and containing %q", err, tc.is, tc.want)
			}
			var ne *onnx.NodeError
			if got := errors.As(err, &ne); got != (tc.nodeOp != "") || (got && ne.Op != tc.nodeOp) {
				t.Errorf("error %q: NodeError %v, want one for %q", err, got, tc.nodeOp)
			}
		})
	}
}

// The base model of TestImportErrors imports, so that each error there
// comes from its edit.
func TestImportTiny(t *testing.T) {
	m, err := onnx.Import(bytes.NewReader(encode(t, tinyModel())), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Predict(mat.NewDense(1, 2, []float64{1, -1}))
	if err != nil {
		t.Fatal(err)
	}
	// [1 -1]·[[1 2] [3 4]] + [0.5 -0.5] = [-1.5 -2.5], then ReLU.
	if want := mat.NewDense(1, 2, []float64{0, 0}); !mat.Equal(got, want) {
		t.Errorf("prediction %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
}

// The other operators and attributes Import reads compute what ONNX
// defines: Gemm with transB, alpha and beta, MatMul and Add, LeakyRelu,
// PRelu with slope 0, Gelu, Identity, Flatten, Dropout, Constant nodes.
func TestImportOperators(t *testing.T) {
	x := []float64{0.75, -1.5}
	tests := []struct {
		name   string
		edit   func(m *onnxpb.ModelProto)
		layers []string
		want   []float64 // the output for x
	}{
		{"Gemm transB alpha beta", func(m *onnxpb.ModelProto) {
			m.Graph.Node[0].Attribute = []*onnxpb.AttributeProto{intAttr("transB", 1), floatAttr("alpha", 0.1), floatAttr("beta", 2)}
			m.Graph.Node[1] = node("Identity", "id", []string{"h"}, []string{"y"})
		}, []string{"Linear(2->2)"}, []float64{
			0.1*(0.75*1-1.5*2) + 2*0.5, 0.1*(0.75*3-1.5*4) + 2*-0.5}},
		{"MatMul Add", func(m *onnxpb.ModelProto) {
			m.Graph.Node = []*onnxpb.NodeProto{
				node("MatMul", "mm", []string{"x", "W"}, []string{"p"}),
				node("Add", "add", []string{"b", "p"}, []string{"q"}),
				node("LeakyRelu", "lr", []string{"q"}, []string{"y"}, floatAttr("alpha", 0.3)),
			}
		}, []string{"Linear(2->2)", "LeakyReLU(0.3)"}, []float64{0.3 * (0.75 - 4.5 + 0.5), 0.3 * (1.5 - 6 - 0.5)}},
		{"PRelu slope 0, Flatten, Dropout", func(m *onnxpb.ModelProto) {
			m.Graph.Node = []*onnxpb.NodeProto{
				node("Flatten", "fl", []string{"x"}, []string{"f"}),
				node("Gemm", "gemm", []string{"f", "W", "b"}, []string{"h"}),
				node("Dropout", "do", []string{"h"}, []string{"d", "mask"}),
				node("PRelu", "pr", []string{"d", "k"}, []string{"y"}),
			}
			m.Graph.Initializer = append(m.Graph.Initializer, f64("k", []int64{1, 2}, 0, 0))
		}, []string{"Linear(2->2)", "ReLU"}, []float64{0, 0}},
		{"Gelu and a Constant bias", func(m *onnxpb.ModelProto) {
			m.OpsetImport[0].Version = proto.Int64(20)
			m.Graph.Initializer = m.Graph.Initializer[:1]
			m.Graph.Node = []*onnxpb.NodeProto{
				node("Constant", "c", nil, []string{"b"}, &onnxpb.AttributeProto{Name: proto.String("value_floats"),
					Type: onnxpb.AttributeProto_FLOATS.Enum(), Floats: []float32{0.1, 0.2}}),
				node("Gemm", "gemm", []string{"x", "W", "b"}, []string{"h"}),
				node("Gelu", "gelu", []string{"h"}, []string{"y"}),
			}
		}, []string{"Linear(2->2)", "GELU"}, []float64{gelu(0.75 - 4.5 + 0.1), gelu(1.5 - 6 + 0.2)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tinyModel()
			tc.edit(m)
			got, err := onnx.Import(bytes.NewReader(encode(t, m)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if names := layerNames(got.Net); !slices.Equal(names, tc.layers) {
				t.Errorf("layers %q, want %q", names, tc.layers)
			}
			y, err := got.Predict(mat.NewDense(1, 2, x))
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(t, y, mat.NewDense(1, 2, tc.want)); d > 1e-15 {
				t.Errorf("output %v, want %v", y.RawRowView(0), tc.want)
			}
		})
	}
}

// gelu returns x·Φ(x).
func gelu(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) }

// Float32 attributes are read as the shortest decimal that rounds to them.
func TestImportFloatAttributeShortest(t *testing.T) {
	for _, tc := range []struct {
		alpha float32
		want  float64
	}{{0.2, 0.2}, {0.01, 0.01}, {0.3, 0.3}, {1.0 / 3, 0.33333334}, {1e-7, 1e-7}, {-2.5, -2.5}} {
		m := tinyModel()
		m.Graph.Node[1] = node("LeakyRelu", "lr", []string{"h"}, []string{"y"}, floatAttr("alpha", tc.alpha))
		got, err := onnx.Import(bytes.NewReader(encode(t, m)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if slope := got.Net.Layers()[1].(*mlp.LeakyReLU).Slope; slope != tc.want {
			t.Errorf("alpha %v read as %v, want %v", tc.alpha, slope, tc.want)
		}
	}
}

// The caps hold before memory is allocated: a file over MaxBytes, a file
// of more protobuf messages than the cap, messages nested too deep.
func TestImportCaps(t *testing.T) {
	tiny := encode(t, tinyModel())
	if _, err := onnx.Import(bytes.NewReader(tiny), &onnx.ImportSettings{MaxBytes: int64(len(tiny)) - 1}); !errors.Is(err, mlp.ErrFormat) {
		t.Errorf("file over MaxBytes: %v", err)
	}
	for _, limit := range []int64{int64(len(tiny)), math.MaxInt64} {
		if _, err := onnx.Import(bytes.NewReader(tiny), &onnx.ImportSettings{MaxBytes: limit}); err != nil {
			t.Errorf("MaxBytes %d, file of %d bytes: %v", limit, len(tiny), err)
		}
	}
	if _, err := onnx.Import(bytes.NewReader(tiny), &onnx.ImportSettings{MaxBytes: -1}); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("MaxBytes -1: %v", err)
	}
	// A graph (field 7) of 300000 empty nodes (field 1): 600 kB that would
	// decode to about 60 MB of NodeProto.
	nodes := bytes.Repeat([]byte{0x0a, 0x00}, 300000)
	file := append([]byte{0x3a}, appendVarint(nil, uint64(len(nodes)))...)
	file = append(file, nodes...)
	if _, err := onnx.Import(bytes.NewReader(file), nil); !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "protobuf messages") {
		t.Errorf("300000 empty nodes: %v", err)
	}
	// Attributes holding graphs holding nodes holding attributes …, 40 deep.
	deep := []byte{}
	for i := 0; i < 40; i++ {
		attr := append([]byte{0x32}, appendVarint(nil, uint64(len(deep)))...) // AttributeProto.g = 6
		attr = append(attr, deep...)
		nd := append([]byte{0x2a}, appendVarint(nil, uint64(len(attr)))...) // NodeProto.attribute = 5
		nd = append(nd, attr...)
		deep = append([]byte{0x0a}, appendVarint(nil, uint64(len(nd)))...) // GraphProto.node = 1
		deep = append(deep, nd...)
	}
	file = append([]byte{0x3a}, appendVarint(nil, uint64(len(deep)))...)
	file = append(file, deep...)
	if _, err := onnx.Import(bytes.NewReader(file), nil); !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "nested") {
		t.Errorf("nesting 120 deep: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("not onnx"), tiny[:len(tiny)/2]} {
		if _, err := onnx.Import(bytes.NewReader(bad), nil); !errors.Is(err, mlp.ErrFormat) {
			t.Errorf("Import(%q): %v, want an error wrapping ErrFormat", bad, err)
		}
	}
}

// appendVarint appends v as a protobuf varint.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// Model.Predict refuses input it cannot use with an error, never a panic.
func TestPredictErrors(t *testing.T) {
	m := kindModel(t, "preprocess") // imputes columns 0, 2 and 3
	var nilDense *mat.Dense
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		x    mat.Matrix
		is   error
	}{
		{"nil", nil, mlp.ErrData},
		{"typed nil", nilDense, mlp.ErrData},
		{"width", mat.NewDense(1, 3, nil), mlp.ErrData},
		{"NaN in a column not imputed", mat.NewDense(1, 4, []float64{1, nan, 1, 1}), mlp.ErrData},
		{"Inf", mat.NewDense(1, 4, []float64{1, 1, math.Inf(1), 1}), mlp.ErrData},
	} {
		if _, err := m.Predict(tc.x); !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want an error wrapping %v", tc.name, err, tc.is)
		}
	}
	if _, err := m.Predict(mat.NewDense(1, 4, []float64{nan, 1, nan, nan})); err != nil {
		t.Errorf("NaN in imputed columns: %v", err)
	}
	bad := *m
	bad.Preprocess.Std = []float64{1, 0, 1, 1}
	if _, err := bad.Predict(mat.NewDense(1, 4, nil)); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("Std 0: %v, want an error wrapping ErrSetting", err)
	}
	if _, err := (&onnx.Model{}).Predict(mat.NewDense(1, 4, nil)); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("no net: %v", err)
	}
}

// A weight read by many nodes is decoded once per node, so what Import
// decodes is capped by the file's size: 300 MatMul nodes sharing one 64×64
// weight (a 40 kB file, 1.2M weights once decoded) are refused, two are not.
func TestImportSharedWeightCap(t *testing.T) {
	chain := func(n int) *onnxpb.ModelProto {
		m := tinyModel()
		w := make([]float64, 64*64)
		m.Graph.Initializer = []*onnxpb.TensorProto{f64("W", []int64{64, 64}, w...)}
		m.Graph.Input[0] = valueInfo("x", onnxpb.TensorProto_DOUBLE, 64)
		m.Graph.Output[0] = valueInfo("y", onnxpb.TensorProto_DOUBLE, 64)
		m.Graph.Node = nil
		prev := "x"
		for i := 0; i < n; i++ {
			out := fmt.Sprintf("h%d", i)
			if i == n-1 {
				out = "y"
			}
			m.Graph.Node = append(m.Graph.Node, node("MatMul", out, []string{prev, "W"}, []string{out}))
			prev = out
		}
		return m
	}
	if _, err := onnx.Import(bytes.NewReader(encode(t, chain(300))), nil); !errors.Is(err, mlp.ErrFormat) || !strings.Contains(err.Error(), "more elements than a file of this size holds") {
		t.Errorf("300 nodes sharing a weight: %v", err)
	}
	m, err := onnx.Import(bytes.NewReader(encode(t, chain(2))), nil)
	if err != nil {
		t.Fatalf("2 nodes sharing a weight: %v", err)
	}
	if got := layerNames(m.Net); !slices.Equal(got, []string{"Linear(64->64)", "Linear(64->64)"}) {
		t.Errorf("layers %q", got)
	}
}

// TestImportModelLimits checks that Import bounds what the imported net
// costs to run as mlp.Load does: a net of 8 KiB of weights whose 33 layers
// of width 4096 take 135168 activation floats per row is refused.
func TestImportModelLimits(t *testing.T) {
	layers := []mlp.Layer{mlp.NewLinear(1, 4096, rand.NewPCG(1, 2))}
	for range 32 {
		layers = append(layers, &mlp.ReLU{})
	}
	net, err := mlp.NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := onnx.Export(&buf, &onnx.Model{Net: net}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = onnx.Import(bytes.NewReader(buf.Bytes()), nil)
	if !errors.Is(err, mlp.ErrFormat) || !errors.Is(err, mlp.ErrTooLarge) || !strings.Contains(err.Error(), "135168 activation floats per input row") {
		t.Errorf("Import: %v, want an error wrapping ErrFormat and ErrTooLarge naming the activation floats", err)
	}
}

// zeroReader returns (0, nil) from every Read.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// shortWriter reports writing at most 10 bytes, with no error.
type shortWriter struct{}

func (shortWriter) Write(b []byte) (int, error) { return min(len(b), 10), nil }

// TestStreams checks that Import and Export turn nil and misbehaving
// readers and writers into errors instead of panicking, spinning or
// reporting success.
func TestStreams(t *testing.T) {
	net, err := mlp.NewSequential(mlp.NewLinear(2, 2, rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	m := &onnx.Model{Net: net}
	var nilBuf *bytes.Buffer
	var nilReader *bytes.Reader
	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"Export to nil", func() error { return onnx.Export(nil, m, nil) }, mlp.ErrSetting},
		{"Export to a nil *bytes.Buffer", func() error { return onnx.Export(nilBuf, m, nil) }, mlp.ErrSetting},
		{"Export to a writer reporting a short write", func() error { return onnx.Export(shortWriter{}, m, nil) }, io.ErrShortWrite},
		{"Import from a nil *bytes.Reader", func() error { _, err := onnx.Import(nilReader, nil); return err }, mlp.ErrSetting},
		{"Import from a reader returning (0, nil)", func() error { _, err := onnx.Import(zeroReader{}, nil); return err }, io.ErrNoProgress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want one wrapping %v", err, tc.want)
			}
		})
	}
}
