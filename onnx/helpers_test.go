package onnx_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// decodeGraph returns the graph of the ONNX file b.
func decodeGraph(t testing.TB, b []byte) *onnxpb.GraphProto {
	t.Helper()
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Graph
}

// f64 returns a DOUBLE initializer.
func f64(name string, dims []int64, v ...float64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), Dims: dims,
		DataType: proto.Int32(int32(onnxpb.TensorProto_DOUBLE)), DoubleData: v}
}

// node returns a node.
func node(op, name string, in []string, out []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: proto.String(op), Name: proto.String(name), Input: in, Output: out, Attribute: attrs}
}

// intAttr and floatAttr return attributes.
func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// valueInfo returns a [batch, n] tensor of element type elem.
func valueInfo(name string, elem onnxpb.TensorProto_DataType, n int64) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
		TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(elem)), Shape: &onnxpb.TensorShapeProto{
			Dim: []*onnxpb.TensorShapeProto_Dimension{
				{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}},
				{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: n}},
			}}}}}}
}

// tinyModel returns a valid model: x [N, 2] -> Gemm(W 2x2, b) -> Relu -> y.
func tinyModel() *onnxpb.ModelProto {
	return &onnxpb.ModelProto{
		IrVersion:   proto.Int64(8),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(17)}},
		Graph: &onnxpb.GraphProto{
			Name: proto.String("tiny"),
			Node: []*onnxpb.NodeProto{
				node("Gemm", "gemm", []string{"x", "W", "b"}, []string{"h"}),
				node("Relu", "relu", []string{"h"}, []string{"y"}),
			},
			Initializer: []*onnxpb.TensorProto{f64("W", []int64{2, 2}, 1, 2, 3, 4), f64("b", []int64{2}, 0.5, -0.5)},
			Input:       []*onnxpb.ValueInfoProto{valueInfo("x", onnxpb.TensorProto_DOUBLE, 2)},
			Output:      []*onnxpb.ValueInfoProto{valueInfo("y", onnxpb.TensorProto_DOUBLE, 2)},
		},
	}
}

// encode returns m in the wire format.
func encode(t testing.TB, m *onnxpb.ModelProto) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
