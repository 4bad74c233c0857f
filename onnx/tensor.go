package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// tensor is a constant of the graph, decoded to float64.
type tensor struct {
	dims []int64
	v    []float64
}

// decodeTensor returns the values of t, a FLOAT or DOUBLE tensor held in the
// file itself, as float64 (float32 values convert exactly). what names it in
// errors, which wrap mlp.ErrFormat (a tensor that is not valid ONNX, or one
// over the element cap) or ErrUnsupported (another element type, external
// or segmented data).
//
// The element count the dims declare is checked against the data present
// and against *budget before anything is allocated, so the slice returned
// is never larger than what the file holds, nor than maxTensorElems or
// *budget elements; the count is subtracted from *budget.
//
// With boolOK, a BOOL tensor (raw_data of one byte per element, or
// int32_data) is read too, as 0 and 1.
func decodeTensor(t *onnxpb.TensorProto, what string, budget *int64, boolOK bool) (*tensor, error) {
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(t.ExternalData) > 0 {
		return nil, fmt.Errorf("%w: %s keeps its data in an external file; Import reads only self-contained files", ErrUnsupported, what)
	}
	if t.Segment != nil {
		return nil, fmt.Errorf("%w: %s is a segment of a larger tensor", ErrUnsupported, what)
	}
	n := int64(1)
	for j, d := range t.Dims {
		if d < 0 {
			return nil, fmt.Errorf("%w: %s has dimension %d of size %d", mlp.ErrFormat, what, j, d)
		}
		if d > 0 && n > maxTensorElems/d {
			return nil, fmt.Errorf("%w: %s has dims %v, more than the cap of %d elements", mlp.ErrFormat, what, t.Dims, maxTensorElems)
		}
		n *= d
	}
	size := 0
	var typed int
	switch onnxpb.TensorProto_DataType(t.GetDataType()) {
	case onnxpb.TensorProto_FLOAT:
		size, typed = 4, len(t.FloatData)
	case onnxpb.TensorProto_DOUBLE:
		size, typed = 8, len(t.DoubleData)
	case onnxpb.TensorProto_BOOL:
		if !boolOK {
			return nil, fmt.Errorf("%w: %s has element type BOOL; Import reads FLOAT and DOUBLE tensors", ErrUnsupported, what)
		}
		size, typed = 1, len(t.Int32Data)
	default:
		return nil, fmt.Errorf("%w: %s has element type %s; Import reads FLOAT and DOUBLE tensors",
			ErrUnsupported, what, dataTypeName(t.GetDataType()))
	}
	if t.RawData != nil && typed > 0 {
		return nil, fmt.Errorf("%w: %s has both raw_data and typed data", mlp.ErrFormat, what)
	}
	if t.RawData != nil {
		if int64(len(t.RawData)) != n*int64(size) {
			return nil, fmt.Errorf("%w: %s has dims %v (%d elements, %d bytes) but %d bytes of raw_data",
				mlp.ErrFormat, what, t.Dims, n, n*int64(size), len(t.RawData))
		}
	} else if int64(typed) != n {
		return nil, fmt.Errorf("%w: %s has dims %v (%d elements) but %d values", mlp.ErrFormat, what, t.Dims, n, typed)
	}
	if n > *budget {
		return nil, fmt.Errorf("%w: %s: the tensors the graph reads add up to more elements than a file of this size holds (one weight read by many nodes?)",
			mlp.ErrFormat, what)
	}
	*budget -= n
	v := make([]float64, n)
	switch {
	case size == 1:
		for j := range v {
			if (t.RawData != nil && t.RawData[j] != 0) || (t.RawData == nil && t.Int32Data[j] != 0) {
				v[j] = 1
			}
		}
	case t.RawData != nil && size == 4:
		for j := range v {
			v[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*j:])))
		}
	case t.RawData != nil:
		for j := range v {
			v[j] = math.Float64frombits(binary.LittleEndian.Uint64(t.RawData[8*j:]))
		}
	case size == 4:
		for j, f := range t.FloatData {
			v[j] = float64(f)
		}
	default:
		copy(v, t.DoubleData)
	}
	return &tensor{dims: append([]int64(nil), t.Dims...), v: v}, nil
}

// dataTypeName returns the name of an ONNX element type, or its number if
// it has none.
func dataTypeName(dt int32) string {
	if name, ok := onnxpb.TensorProto_DataType_name[dt]; ok {
		return name
	}
	return strconv.Itoa(int(dt))
}

// shortest returns the float64 that PyTorch and ONNX exporters meant by the
// float32 f: the shortest decimal that rounds to f, read as a float64. The
// float32 nearest 0.2 gives 0.2, not 0.20000000298023224.
func shortest(f float32) float64 {
	v, err := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	if err != nil { // only for NaN and ±Inf, which ParseFloat reads too
		return float64(f)
	}
	return v
}
