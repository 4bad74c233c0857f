package onnx

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/guard"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// The versions Export writes.
const (
	// IRVersion is the ONNX IR version of exported files (ONNX 1.12).
	IRVersion = 8
	// Opset is the version of the ai.onnx operator set exported files
	// import, the only operator set they use.
	Opset = 17
)

// ExportSettings are the options of Export. The zero value, and a nil
// *ExportSettings, mean the defaults.
type ExportSettings struct {
	// Float32 writes the input, the output and every initializer as
	// float32 (ONNX FLOAT) instead of float64 (DOUBLE), the default. The
	// weights are rounded to the nearest float32; one that overflows is
	// an error.
	Float32 bool
}

// Export writes m as an ONNX model (IR version 8, opset 17, ai.onnx
// operators only) to w, in one call to w.Write.
//
// The graph has one input, m.InputName ("input" by default), of shape
// [batch, n] with a dynamic batch dimension named "batch", and one output,
// m.OutputName ("output"), of shape [batch, k]. In front of the net,
// Preprocess is written as IsNaN and Where (imputation, only if some column
// is imputed), then Sub and Div by per-column initializers. The layers
// become:
//
//	Linear       Gemm(x, W, b), W the in×out weights (transB = 0)
//	ReLU         Relu
//	Sigmoid      Sigmoid
//	Tanh         Tanh
//	Softmax      Softmax, axis = -1
//	LeakyReLU    PRelu(x, slope), the slope a one-element initializer:
//	             LeakyRelu's alpha is a float32 attribute and would round
//	             a float64 slope
//	GELU         Div(x, √2), Erf, Add(·, 1), Mul(x, ·), Mul(·, 0.5), the
//	             graph torch.onnx.export writes (opset 17 has no Gelu)
//	Dropout      nothing: the graph computes the net in evaluation mode
//
// After the net, Postprocess is written as Mul, then Add, by per-column
// initializers. The file's metadata_props hold mlp.columns and mlp.classes
// (JSON arrays of strings; classes only for a classifier, "0", "1", … when
// m.Classes is nil), mlp.task, and mlp.targets (a JSON array of the target
// names, DefaultTargets when m.Targets is nil), which Import reads back.
//
// Export returns an error wrapping ErrUnsupported for a layer of another
// type (naming its index and type) or for categorical columns (naming
// them), and one wrapping mlp.ErrSetting for a nil model, preprocessing,
// postprocessing or names (columns, classes, targets) that do not fit the
// net, a Postprocess on a classifier, an unknown task, a class count that
// does not fit the output,
// or a non-finite weight (or one beyond float32's range with Float32), and
// for a nil w. An error from w is returned wrapped, and so is
// io.ErrShortWrite when w reports writing part of the file with no error.
// Export only reads m. It builds the whole file in memory: about 8 bytes
// per weight (4 with Float32).
func Export(w io.Writer, m *Model, s *ExportSettings) error {
	if guard.IsNil(w) {
		return fmt.Errorf("%w: onnx: Export: nil io.Writer", mlp.ErrSetting)
	}
	b, err := encode(m, s)
	if err != nil {
		return err
	}
	if n, err := guard.Writer(w).Write(b); err != nil {
		return fmt.Errorf("onnx: Export: wrote %d of %d bytes: %w", n, len(b), err)
	}
	return nil
}

// encode returns the ONNX file Export writes.
func encode(m *Model, s *ExportSettings) ([]byte, error) {
	if s == nil {
		s = &ExportSettings{}
	}
	if m == nil || m.Net == nil || len(m.Net.Layers()) == 0 {
		return nil, fmt.Errorf("%w: onnx: Export: the model has no net", mlp.ErrSetting)
	}
	p := &m.Preprocess
	if len(p.Categorical) > 0 {
		return nil, fmt.Errorf("%w: onnx: Export: categorical columns %s: their one-hot encoding is not exported; encode them outside the model",
			ErrUnsupported, strings.Join(quoteAll(p.Categorical), ", "))
	}
	n, k := m.Net.InputSize(), m.Net.OutputSize()
	if err := p.check(n); err != nil {
		return nil, err
	}
	q := &m.Postprocess
	if err := q.check(k); err != nil {
		return nil, err
	}
	columns := p.Columns
	if columns == nil {
		columns = DefaultColumns(n)
	}
	task, err := exportTask(m)
	if err != nil {
		return nil, err
	}
	classes := m.Classes
	switch {
	case task == Classification && (q.Mean != nil || q.Std != nil):
		return nil, fmt.Errorf("%w: onnx: Export: a classifier has no Postprocess; it scales a regressor's outputs", mlp.ErrSetting)
	case task == Regression && classes != nil:
		return nil, fmt.Errorf("%w: onnx: Export: a regression model has no classes, got %d", mlp.ErrSetting, len(classes))
	case task == Classification && classes == nil:
		classes = DefaultClasses(k)
	case task == Classification && len(classes) != ClassCount(k):
		return nil, fmt.Errorf("%w: onnx: Export: %d class names for a net with %d outputs, want %d",
			mlp.ErrSetting, len(classes), k, ClassCount(k))
	}
	targets := m.Targets
	if want := targetCount(task, k); targets == nil {
		targets = DefaultTargets(want)
	} else if len(targets) != want {
		return nil, fmt.Errorf("%w: onnx: Export: %d target names for a %s with %d outputs, want %d",
			mlp.ErrSetting, len(targets), task, k, want)
	}
	inName, outName := nameOr(m.InputName, "input"), nameOr(m.OutputName, "output")
	if inName == outName {
		return nil, fmt.Errorf("%w: onnx: Export: input and output are both named %q", mlp.ErrSetting, inName)
	}

	e := &encoder{f32: s.Float32, g: &onnxpb.GraphProto{Name: proto.String("mlp")}}
	e.elem = int32(onnxpb.TensorProto_DOUBLE)
	if e.f32 {
		e.elem = int32(onnxpb.TensorProto_FLOAT)
	}
	cur := inName
	if cur, err = e.preprocess(p, cur, n); err != nil {
		return nil, err
	}
	for i, l := range m.Net.Layers() {
		if cur, err = e.layer(i, l, cur); err != nil {
			return nil, err
		}
	}
	if cur, err = e.postprocess(q, cur, k); err != nil {
		return nil, err
	}
	e.rename(cur, outName)
	if err := e.checkNames(inName, outName); err != nil {
		return nil, err
	}
	e.g.Input = []*onnxpb.ValueInfoProto{e.valueInfo(inName, n)}
	e.g.Output = []*onnxpb.ValueInfoProto{e.valueInfo(outName, k)}

	meta := []*onnxpb.StringStringEntryProto{
		{Key: proto.String(MetaColumns), Value: proto.String(jsonList(columns))},
	}
	if classes != nil {
		meta = append(meta, &onnxpb.StringStringEntryProto{Key: proto.String(MetaClasses), Value: proto.String(jsonList(classes))})
	}
	meta = append(meta,
		&onnxpb.StringStringEntryProto{Key: proto.String(MetaTask), Value: proto.String(task)},
		&onnxpb.StringStringEntryProto{Key: proto.String(MetaTargets), Value: proto.String(jsonList(targets))})
	model := &onnxpb.ModelProto{
		IrVersion:       proto.Int64(IRVersion),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:    proto.String(modulePath),
		Graph:           e.g,
		MetadataProps:   meta,
		ModelVersion:    proto.Int64(1),
		DocString:       proto.String("a feedforward net exported by github.com/mlpkit/mlp/onnx"),
		ProducerVersion: proto.String(producerVersion()),
	}
	buf, err := proto.MarshalOptions{Deterministic: true}.Marshal(model)
	if err != nil {
		return nil, fmt.Errorf("onnx: Export: encoding the model: %w", err)
	}
	return buf, nil
}

// producerVersion returns the version of this module in the running
// program, as the Go build records it, or "(devel)".
func producerVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			return d.Version
		}
	}
	return "(devel)"
}

// modulePath is the module this package belongs to.
const modulePath = "github.com/mlpkit/mlp"

// exportTask returns m.Task, or the task its net's last layer implies, or
// an error for an unknown task.
func exportTask(m *Model) (string, error) {
	switch m.Task {
	case Classification, Regression:
		return m.Task, nil
	case "":
		if endsInProbabilities(m.Net.Layers(), m.Net.OutputSize()) {
			return Classification, nil
		}
		return Regression, nil
	}
	return "", fmt.Errorf("%w: onnx: Export: task %q is neither %q nor %q", mlp.ErrSetting, m.Task, Classification, Regression)
}

// encoder builds the graph of Export.
type encoder struct {
	g    *onnxpb.GraphProto
	f32  bool
	elem int32 // the TensorProto data type of every value

	gelu bool // the GELU constants are in the graph
}

// GELU constants, shared by every GELU of a graph.
const (
	geluSqrt2 = "gelu.sqrt2"
	geluOne   = "gelu.one"
	geluHalf  = "gelu.half"
)

// preprocess writes the nodes of p in front of the input cur, for n
// columns, and returns the value they give.
func (e *encoder) preprocess(p *Preprocess, cur string, n int) (string, error) {
	imputed := false
	for _, v := range p.Impute {
		imputed = imputed || !math.IsNaN(v)
	}
	if imputed {
		fill, err := e.initializer("impute.value", []int64{int64(n)}, p.Impute, "Preprocess.Impute", true)
		if err != nil {
			return "", err
		}
		isNaN := e.node("IsNaN", "/impute/IsNaN", cur)
		cur = e.node("Where", "/impute/Where", isNaN, fill, cur)
	}
	if p.Mean != nil {
		mean, err := e.initializer("scale.mean", []int64{int64(n)}, p.Mean, "Preprocess.Mean", false)
		if err != nil {
			return "", err
		}
		cur = e.node("Sub", "/scale/Sub", cur, mean)
	}
	if p.Std != nil {
		std, err := e.initializer("scale.std", []int64{int64(n)}, p.Std, "Preprocess.Std", false)
		if err != nil {
			return "", err
		}
		cur = e.node("Div", "/scale/Div", cur, std)
	}
	return cur, nil
}

// postprocess writes the nodes of q after the net's output cur, for k
// columns, and returns the value they give.
func (e *encoder) postprocess(q *Postprocess, cur string, k int) (string, error) {
	if q.Std != nil {
		std, err := e.initializer("target.std", []int64{int64(k)}, q.Std, "Postprocess.Std", false)
		if err != nil {
			return "", err
		}
		cur = e.node("Mul", "/target/Mul", cur, std)
	}
	if q.Mean != nil {
		mean, err := e.initializer("target.mean", []int64{int64(k)}, q.Mean, "Postprocess.Mean", false)
		if err != nil {
			return "", err
		}
		cur = e.node("Add", "/target/Add", cur, mean)
	}
	return cur, nil
}

// layer writes layer i, l, applied to cur, and returns the value it gives.
func (e *encoder) layer(i int, l mlp.Layer, cur string) (string, error) {
	prefix := fmt.Sprintf("/layers.%d/", i)
	where := fmt.Sprintf("layer %d %v", i, l)
	switch l := l.(type) {
	case *mlp.Linear:
		in, out := l.Dims()
		wm := l.Weights()
		wv := make([]float64, 0, in*out)
		for r := 0; r < in; r++ {
			for c := 0; c < out; c++ {
				wv = append(wv, wm.At(r, c))
			}
		}
		w, err := e.initializer(fmt.Sprintf("layers.%d.weight", i), []int64{int64(in), int64(out)}, wv, where+" weight", false)
		if err != nil {
			return "", err
		}
		b, err := e.initializer(fmt.Sprintf("layers.%d.bias", i), []int64{int64(out)}, l.Bias(), where+" bias", false)
		if err != nil {
			return "", err
		}
		return e.node("Gemm", prefix+"Gemm", cur, w, b), nil
	case *mlp.ReLU:
		return e.node("Relu", prefix+"Relu", cur), nil
	case *mlp.Sigmoid:
		return e.node("Sigmoid", prefix+"Sigmoid", cur), nil
	case *mlp.Tanh:
		return e.node("Tanh", prefix+"Tanh", cur), nil
	case *mlp.Softmax:
		out := e.node("Softmax", prefix+"Softmax", cur)
		last := e.g.Node[len(e.g.Node)-1]
		last.Attribute = []*onnxpb.AttributeProto{{
			Name: proto.String("axis"), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(-1),
		}}
		return out, nil
	case *mlp.LeakyReLU:
		slope, err := e.initializer(fmt.Sprintf("layers.%d.slope", i), []int64{1}, []float64{leakySlope(l)}, where+" slope", false)
		if err != nil {
			return "", err
		}
		return e.node("PRelu", prefix+"PRelu", cur, slope), nil
	case *mlp.GELU:
		if !e.gelu {
			e.gelu = true
			for _, c := range []struct {
				name string
				v    float64
			}{{geluSqrt2, math.Sqrt2}, {geluOne, 1}, {geluHalf, 0.5}} {
				if _, err := e.initializer(c.name, nil, []float64{c.v}, "GELU constant", false); err != nil {
					return "", err
				}
			}
		}
		d := e.node("Div", prefix+"Div", cur, geluSqrt2)
		f := e.node("Erf", prefix+"Erf", d)
		a := e.node("Add", prefix+"Add", f, geluOne)
		m := e.node("Mul", prefix+"Mul", cur, a)
		return e.node("Mul", prefix+"Mul_1", m, geluHalf), nil
	case *mlp.Dropout:
		return cur, nil
	}
	return "", fmt.Errorf("%w: onnx: Export: %s is a %T, a layer type Export does not know", ErrUnsupported, where, l)
}

// leakySlope returns the slope l uses: Slope, or mlp.DefaultLeakySlope
// when it is zero, as LeakyReLU documents.
func leakySlope(l *mlp.LeakyReLU) float64 {
	if l.Slope == 0 {
		return mlp.DefaultLeakySlope
	}
	return l.Slope
}

// node appends a node with one output, named after the node, and returns
// the output's name.
func (e *encoder) node(op, name string, inputs ...string) string {
	out := strings.TrimPrefix(name, "/") + "_output_0"
	e.g.Node = append(e.g.Node, &onnxpb.NodeProto{
		OpType: proto.String(op),
		Name:   proto.String(name),
		Input:  inputs,
		Output: []string{out},
	})
	return out
}

// checkNames returns an error wrapping mlp.ErrSetting if the input or
// output name is also the name of an initializer or of another node's
// output.
func (e *encoder) checkNames(inName, outName string) error {
	taken := map[string]bool{}
	for _, t := range e.g.Initializer {
		taken[t.GetName()] = true
	}
	for _, nd := range e.g.Node {
		for _, out := range nd.Output {
			if out != outName {
				taken[out] = true
			}
		}
	}
	for _, name := range []string{inName, outName} {
		if taken[name] {
			return fmt.Errorf("%w: onnx: Export: the name %q is also the name of a value inside the graph", mlp.ErrSetting, name)
		}
	}
	return nil
}

// rename renames the value from, the output of the last node, to to.
func (e *encoder) rename(from, to string) {
	for _, nd := range e.g.Node {
		for j, in := range nd.Input {
			if in == from {
				nd.Input[j] = to
			}
		}
		for j, out := range nd.Output {
			if out == from {
				nd.Output[j] = to
			}
		}
	}
}

// initializer adds the initializer name with the given dims and values,
// in the graph's element type, and returns its name. It returns an error
// wrapping mlp.ErrSetting, naming what, for an infinite value, a NaN unless
// nanOK, or a value beyond float32's range with Float32.
func (e *encoder) initializer(name string, dims []int64, v []float64, what string, nanOK bool) (string, error) {
	size := 8
	if e.f32 {
		size = 4
	}
	raw := make([]byte, 0, size*len(v))
	for j, x := range v {
		bad := math.IsInf(x, 0) || (math.IsNaN(x) && !nanOK)
		if e.f32 && !bad && !math.IsNaN(x) && math.IsInf(float64(float32(x)), 0) {
			return "", fmt.Errorf("%w: onnx: Export: %s entry %d, %v, overflows float32", mlp.ErrSetting, what, j, x)
		}
		if bad {
			return "", fmt.Errorf("%w: onnx: Export: %s entry %d is %v", mlp.ErrSetting, what, j, x)
		}
		if e.f32 {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(float32(x)))
		} else {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(x))
		}
	}
	e.g.Initializer = append(e.g.Initializer, &onnxpb.TensorProto{
		Name:     proto.String(name),
		Dims:     dims,
		DataType: proto.Int32(e.elem),
		RawData:  raw,
	})
	return name, nil
}

// valueInfo returns the description of a [batch, width] graph input or
// output.
func (e *encoder) valueInfo(name string, width int) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
		{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "batch"}},
		{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(width)}},
	}}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(e.elem),
			Shape:    shape,
		}}},
	}
}

// nameOr returns name, or def when name is empty.
func nameOr(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

// jsonList returns s as a JSON array of strings.
func jsonList(s []string) string {
	b, _ := json.Marshal(s) // a []string always encodes
	return string(b)
}

// quoteAll returns each of s quoted.
func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return q
}
