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

// tensorData is a constant of the graph before it is decoded: its shape
// and where its n elements are, in the file (raw, little-endian, of size
// bytes each) or in the decoded message.
type tensorData struct {
	dims []int64
	n    int
	size int // bytes per element: 1 (BOOL), 4 (FLOAT), 8 (DOUBLE)
	raw  []byte
	f32  []float32
	f64  []float64
	i32  []int32   // a BOOL tensor's int32_data
	v    []float64 // values known already (a Constant's value_floats)
}

// at returns element j as a float64 (float32 converts exactly, BOOL is 0
// or 1).
func (d *tensorData) at(j int) float64 {
	switch {
	case d.v != nil:
		return d.v[j]
	case d.raw != nil && d.size == 4:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(d.raw[4*j:])))
	case d.raw != nil && d.size == 8:
		return math.Float64frombits(binary.LittleEndian.Uint64(d.raw[8*j:]))
	case d.raw != nil:
		return b2f(d.raw[j] != 0)
	case d.size == 4:
		return float64(d.f32[j])
	case d.size == 8:
		return d.f64[j]
	}
	return b2f(d.i32[j] != 0)
}

// b2f returns 1 for true, 0 for false.
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fill writes the elements into dst, which has n of them: in order, or,
// with transpose, those of a rows×cols matrix into its transpose (element
// r·cols + c to dst[c·rows + r]).
func (d *tensorData) fill(dst []float64, rows, cols int, transpose bool) {
	if !transpose {
		if d.raw != nil && d.size == 4 && d.v == nil {
			for j := range dst {
				dst[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(d.raw[4*j:])))
			}
			return
		}
		for j := range dst {
			dst[j] = d.at(j)
		}
		return
	}
	for r := range rows {
		for c := range cols {
			dst[c*rows+r] = d.at(r*cols + c)
		}
	}
}

// values returns the elements in a new tensor.
func (d *tensorData) values() *tensor {
	v := make([]float64, d.n)
	d.fill(v, 0, 0, false)
	return &tensor{dims: d.dims, v: v}
}

// tensorStore finds the data of the tensors of one file and counts what
// they may decode to.
type tensorStore struct {
	sc     *scanner
	budget int64 // elements the tensors decoded from now on may hold
}

// source returns the data of t, a FLOAT or DOUBLE tensor held in the file
// itself (or BOOL, with boolOK), without decoding it. what names it in
// errors, which wrap mlp.ErrFormat (a tensor that is not valid ONNX, or one
// over the element cap) or ErrUnsupported (another element type, external
// or segmented data). Data the scanner left in the file is read there.
//
// The element count the dims declare is checked against the data present
// and against the budget, and subtracted from it, so what a tensor decodes
// to is never larger than what the file holds, nor than maxTensorElems or
// the budget.
func (st *tensorStore) source(t *onnxpb.TensorProto, what string, boolOK bool) (*tensorData, error) {
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
	d := &tensorData{dims: append([]int64(nil), t.Dims...), n: int(n), raw: t.RawData, f32: t.FloatData, f64: t.DoubleData, i32: t.Int32Data}
	typed := 0
	switch onnxpb.TensorProto_DataType(t.GetDataType()) {
	case onnxpb.TensorProto_FLOAT:
		d.size, typed = 4, len(t.FloatData)
	case onnxpb.TensorProto_DOUBLE:
		d.size, typed = 8, len(t.DoubleData)
	case onnxpb.TensorProto_BOOL:
		if !boolOK {
			return nil, fmt.Errorf("%w: %s has element type BOOL; Import reads FLOAT and DOUBLE tensors", ErrUnsupported, what)
		}
		d.size, typed = 1, len(t.Int32Data)
	default:
		return nil, fmt.Errorf("%w: %s has element type %s; Import reads FLOAT and DOUBLE tensors",
			ErrUnsupported, what, dataTypeName(t.GetDataType()))
	}
	field := "raw_data"
	if f, ok := st.sc.inPlace(t); ok {
		// The tensor's only data field, left in the file: raw_data, or
		// packed float_data or double_data, whose bytes are raw_data's.
		if d.raw != nil || typed > 0 {
			return nil, fmt.Errorf("%w: %s has both raw_data and typed data", mlp.ErrFormat, what)
		}
		switch {
		case f.num == fieldRawData,
			f.num == fieldFloatData && d.size == 4,
			f.num == fieldDoubleData && d.size == 8:
			d.raw = f.data
			field = [...]string{fieldFloatData: "float_data", fieldRawData: "raw_data", fieldDoubleData: "double_data"}[f.num]
		default:
			return nil, fmt.Errorf("%w: %s has dims %v (%d elements) but 0 values", mlp.ErrFormat, what, t.Dims, n)
		}
	}
	if d.raw != nil && typed > 0 {
		return nil, fmt.Errorf("%w: %s has both raw_data and typed data", mlp.ErrFormat, what)
	}
	if d.raw != nil {
		if int64(len(d.raw)) != n*int64(d.size) {
			return nil, fmt.Errorf("%w: %s has dims %v (%d elements, %d bytes) but %d bytes of %s",
				mlp.ErrFormat, what, t.Dims, n, n*int64(d.size), len(d.raw), field)
		}
	} else if int64(typed) != n {
		return nil, fmt.Errorf("%w: %s has dims %v (%d elements) but %d values", mlp.ErrFormat, what, t.Dims, n, typed)
	}
	return st.spend(d, what)
}

// spend subtracts d's elements from the budget, or returns an error
// wrapping mlp.ErrFormat when they exceed it.
func (st *tensorStore) spend(d *tensorData, what string) (*tensorData, error) {
	if int64(d.n) > st.budget {
		return nil, fmt.Errorf("%w: %s: the tensors the graph reads add up to more elements than a file of this size holds (one weight read by many nodes?)",
			mlp.ErrFormat, what)
	}
	st.budget -= int64(d.n)
	return d, nil
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
