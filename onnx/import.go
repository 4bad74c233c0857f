package onnx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
	"google.golang.org/protobuf/proto"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// ImportSettings are the options of Import. A nil *ImportSettings means
// the defaults.
type ImportSettings struct {
	// Classes names the classes of a classifier. Nil means the file's
	// mlp.classes metadata, if any. Given for a net that ends without
	// Softmax or Sigmoid, it makes Import append one (see Import).
	Classes []string

	// MaxBytes is the largest file Import reads; zero means
	// DefaultMaxBytes (256 MiB).
	MaxBytes int64
}

// Import reads an ONNX model of a feedforward net from r into a Model
// whose Net predicts and can be trained further.
//
// The graph must be one chain from its single input, of shape [batch, n]
// and element type FLOAT or DOUBLE, to its single output, made of these
// operators of the ai.onnx domain (opset 7 or later):
//
//	Gemm (transA = 0; transB, alpha, beta any)   Linear, W = alpha·B or alpha·Bᵀ, b = beta·C
//	MatMul by a constant, then optionally Add    Linear
//	Relu, Sigmoid, Tanh                          ReLU, Sigmoid, Tanh
//	Softmax (axis 1 or -1)                       Softmax
//	LeakyRelu, PRelu (one slope)                 LeakyReLU (ReLU for slope 0)
//	Gelu (approximate "none"), or the Div(x, √2), Erf, Add(·, 1), Mul(x, ·), Mul(·, 0.5)
//	    that torch.onnx.export writes            GELU
//	Identity, Dropout, Flatten (axis 1)          nothing
//	IsNaN and Where(IsNaN(x), fill, x) in front  Preprocess.Impute
//	Sub and Div by constants in front            Preprocess.Mean and Std
//	Mul and Add by constants at the end          Postprocess.Std and Mean
//
// Weights, biases, slopes and preprocessing values must be initializers or
// Constant nodes, FLOAT or DOUBLE; float32 values convert to float64
// exactly. Float32 attributes (LeakyRelu's alpha, Gemm's alpha and beta)
// are read as the shortest decimal that rounds to them, the number the
// exporter was given: a LeakyRelu alpha of 0.2f is 0.2. Multiplying by a
// Gemm alpha or beta other than 1 happens once, on the weights, so such a
// net's outputs may differ from a runtime's in the last bits.
//
// Columns come from the mlp.columns metadata when present, else x0, x1, ….
// The task comes from mlp.task when present. A net ending in Softmax or
// Sigmoid is a classifier, with the classes of ImportSettings.Classes, of
// the mlp.classes metadata, or DefaultClasses. A net ending otherwise is a
// regressor, unless classes are given (in the settings or the metadata) or
// mlp.task says classification: then Import appends a Softmax (a Sigmoid
// when the net has one output) and records it in Model.Appended. A net
// with output scaling (Postprocess) is a regressor; classes for it are an
// error.
//
// The returned net is in evaluation mode. Import returns an error wrapping
// ErrUnsupported, as a *NodeError naming the node and its operator where
// one node is at fault, for a graph outside this subset: another operator
// (a convolution), a second input, a weight computed at run time, a value
// that feeds two layers, a node off the chain. It returns an error
// wrapping mlp.ErrFormat for a file that is not valid ONNX or exceeds the
// caps, and one wrapping mlp.ErrSetting for classes that do not fit the
// net. An error from r is returned wrapped.
//
// Files are untrusted input: Import never panics on them, and bounds what it
// allocates. It reads at most MaxBytes (256 MiB by default), refuses files
// with more than 2^18 protobuf messages or nested more than 32 deep before
// decoding them, refuses tensors whose data is in an external file,
// checks the element count each tensor declares against the bytes it holds
// before converting it, caps a tensor at 2^26 elements, and caps the
// elements of all the tensors it converts at one per 4 bytes of the file
// plus 2^20 (a weight shared by many nodes is converted once per node).
// Memory used is then a small multiple of the file's size.
func Import(r io.Reader, s *ImportSettings) (*Model, error) {
	if s == nil {
		s = &ImportSettings{}
	}
	if r == nil {
		return nil, fmt.Errorf("%w: onnx: Import: nil io.Reader", mlp.ErrSetting)
	}
	limit := s.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	if limit < 0 {
		return nil, fmt.Errorf("%w: onnx: Import: MaxBytes is %d", mlp.ErrSetting, limit)
	}
	b, err := io.ReadAll(io.LimitReader(r, min(limit, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("onnx: Import: reading: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: onnx: Import: the file is larger than the cap of %d bytes", mlp.ErrFormat, limit)
	}
	m, err := decode(b, s)
	if err != nil {
		return nil, fmt.Errorf("onnx: Import: %w", err)
	}
	return m, nil
}

// decode is Import of the file b.
func decode(b []byte, s *ImportSettings) (*Model, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty file", mlp.ErrFormat)
	}
	var mp onnxpb.ModelProto
	count := 0
	if err := scanMessages(b, mp.ProtoReflect().Descriptor(), 0, &count); err != nil {
		return nil, err
	}
	if err := (proto.UnmarshalOptions{RecursionLimit: maxDepth + 8}).Unmarshal(b, &mp); err != nil {
		return nil, fmt.Errorf("%w: not an ONNX model: %v", mlp.ErrFormat, err)
	}
	if mp.Graph == nil {
		return nil, fmt.Errorf("%w: the model has no graph", mlp.ErrFormat)
	}
	opset := int64(-1)
	for _, o := range mp.OpsetImport {
		if d := o.GetDomain(); d == "" || d == "ai.onnx" {
			opset = o.GetVersion()
		}
	}
	if opset < 7 {
		return nil, fmt.Errorf("%w: the model imports ai.onnx opset %d; Import reads opset 7 and later", ErrUnsupported, opset)
	}
	meta, err := readMeta(mp.MetadataProps)
	if err != nil {
		return nil, err
	}
	g, err := newGraph(mp.Graph, opset)
	if err != nil {
		return nil, err
	}
	// Each element a file holds takes at least 4 bytes of it; the slack
	// covers constants read more than once.
	g.budget = int64(len(b))/4 + elemSlack
	if err := g.walk(); err != nil {
		return nil, err
	}
	return g.model(&mp, meta, s)
}

// metadata is what Import reads from metadata_props.
type metadata struct {
	columns, classes []string
	task             string
}

// readMeta returns the mlp.* entries of props, or an error wrapping
// mlp.ErrFormat for a repeated key, a list that is not a JSON array of
// strings or an unknown task.
func readMeta(props []*onnxpb.StringStringEntryProto) (*metadata, error) {
	md := &metadata{}
	seen := map[string]bool{}
	for _, p := range props {
		key := p.GetKey()
		if !strings.HasPrefix(key, "mlp.") {
			continue
		}
		if seen[key] {
			return nil, fmt.Errorf("%w: metadata key %q appears twice", mlp.ErrFormat, key)
		}
		seen[key] = true
		var dst *[]string
		switch key {
		case MetaColumns:
			dst = &md.columns
		case MetaClasses:
			dst = &md.classes
		case MetaTask:
			md.task = p.GetValue()
			if md.task != Classification && md.task != Regression {
				return nil, fmt.Errorf("%w: metadata %s is %q, neither %q nor %q", mlp.ErrFormat, key, md.task, Classification, Regression)
			}
			continue
		default:
			continue
		}
		if err := json.Unmarshal([]byte(p.GetValue()), dst); err != nil || *dst == nil {
			return nil, fmt.Errorf("%w: metadata %s is not a JSON array of strings: %.60q", mlp.ErrFormat, key, p.GetValue())
		}
	}
	return md, nil
}

// graph is the state of Import's walk along the chain of a graph.
type graph struct {
	nodes     []*onnxpb.NodeProto
	opset     int64
	inits     map[string]*onnxpb.TensorProto
	constOf   map[string]int // a Constant node's output -> the node's index
	consumers map[string][]int
	outputs   map[string]bool // the graph's outputs
	used      []bool
	input     string // the graph's input
	output    string // the graph's output
	elem      int32  // the input's element type
	width     int    // columns of the current value, 0 while unknown
	budget    int64  // elements the tensors decoded from now on may hold

	cur      string      // the value the chain has reached
	layers   []mlp.Layer // the net so far
	stage    int         // preprocessing seen: 0 none, 1 imputation, 2 Sub, 3 Div
	impute   []float64   // one value, or one per column
	mean     []float64
	std      []float64
	post     int       // output scaling seen: 0 none, 1 Mul, 2 Add
	postStd  []float64 // one value, or one per output column
	postMean []float64
	inWidth  int // the input width the graph's input declares, 0 if none
	firstLin int // the width the first Linear takes, 0 before it
}

// Preprocessing stages, in the order they may appear.
const (
	stageNone = iota
	stageImpute
	stageSub
	stageDiv
)

// Output scaling stages, in the order they may appear.
const (
	postNone = iota
	postMul
	postAdd
)

// newGraph indexes the nodes, initializers and values of gp and checks its
// input and output.
func newGraph(gp *onnxpb.GraphProto, opset int64) (*graph, error) {
	g := &graph{
		nodes:     gp.Node,
		opset:     opset,
		inits:     map[string]*onnxpb.TensorProto{},
		constOf:   map[string]int{},
		consumers: map[string][]int{},
		outputs:   map[string]bool{},
		used:      make([]bool, len(gp.Node)),
	}
	if len(gp.SparseInitializer) > 0 {
		return nil, fmt.Errorf("%w: the graph has sparse initializers", ErrUnsupported)
	}
	for _, t := range gp.Initializer {
		name := t.GetName()
		if name == "" {
			return nil, fmt.Errorf("%w: an initializer has no name", mlp.ErrFormat)
		}
		if g.inits[name] != nil {
			return nil, fmt.Errorf("%w: two initializers are named %q", mlp.ErrFormat, name)
		}
		g.inits[name] = t
	}
	produced := map[string]bool{}
	for i, nd := range gp.Node {
		if d := nd.GetDomain(); d != "" && d != "ai.onnx" {
			return nil, g.errorf(i, ErrUnsupported, "domain %q: Import reads only ai.onnx operators", d)
		}
		for _, out := range nd.Output {
			if out == "" {
				continue
			}
			if produced[out] || g.inits[out] != nil {
				return nil, g.errorf(i, mlp.ErrFormat, "value %q is produced twice", out)
			}
			produced[out] = true
		}
		if nd.GetOpType() == "Constant" && len(nd.Output) == 1 {
			g.constOf[nd.Output[0]] = i
		}
		for _, in := range nd.Input {
			if in != "" {
				g.consumers[in] = append(g.consumers[in], i)
			}
		}
	}
	var inputs []*onnxpb.ValueInfoProto
	for _, vi := range gp.Input {
		if g.inits[vi.GetName()] == nil { // an initializer listed as an input is a constant
			inputs = append(inputs, vi)
		}
	}
	if len(inputs) != 1 {
		names := make([]string, len(inputs))
		for j, vi := range inputs {
			names[j] = vi.GetName()
		}
		if len(inputs) > 1 && len(g.consumers[names[1]]) > 0 {
			return nil, g.errorf(g.consumers[names[1]][0], ErrUnsupported, "it reads %q, a second graph input (the inputs are %s); a feedforward net has one",
				names[1], strings.Join(quoteAll(names), ", "))
		}
		return nil, fmt.Errorf("%w: the graph has %d inputs (%s); a feedforward net has one",
			ErrUnsupported, len(inputs), strings.Join(quoteAll(names), ", "))
	}
	if len(gp.Output) != 1 {
		return nil, fmt.Errorf("%w: the graph has %d outputs; a feedforward net has one", ErrUnsupported, len(gp.Output))
	}
	g.input, g.output = inputs[0].GetName(), gp.Output[0].GetName()
	g.outputs[g.output] = true
	if produced[g.input] {
		return nil, fmt.Errorf("%w: the graph input %q is also a node's output", mlp.ErrFormat, g.input)
	}
	tt := inputs[0].GetType().GetTensorType()
	if tt == nil {
		return nil, fmt.Errorf("%w: the graph input %q is not a tensor", ErrUnsupported, g.input)
	}
	g.elem = tt.GetElemType()
	if g.elem != int32(onnxpb.TensorProto_FLOAT) && g.elem != int32(onnxpb.TensorProto_DOUBLE) {
		return nil, fmt.Errorf("%w: the graph input %q has element type %s; Import reads FLOAT and DOUBLE",
			ErrUnsupported, g.input, dataTypeName(g.elem))
	}
	if sh := tt.GetShape(); sh != nil {
		if len(sh.Dim) != 2 {
			return nil, fmt.Errorf("%w: the graph input %q has %d dimensions; a feedforward net takes [batch, columns]",
				ErrUnsupported, g.input, len(sh.Dim))
		}
		if v := sh.Dim[1].GetDimValue(); v > 0 {
			if v > maxTensorElems {
				return nil, fmt.Errorf("%w: the graph input %q has %d columns", mlp.ErrFormat, g.input, v)
			}
			g.inWidth, g.width = int(v), int(v)
		}
	}
	g.cur = g.input
	return g, nil
}

// errorf returns a *NodeError about node i wrapping sentinel.
func (g *graph) errorf(i int, sentinel error, format string, args ...any) error {
	nd := g.nodes[i]
	return &NodeError{Index: i, Name: nd.GetName(), Op: nd.GetOpType(),
		Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
}

// live returns the nodes not yet taken into the chain that read v.
func (g *graph) live(v string) []int {
	var l []int
	for _, i := range g.consumers[v] {
		if !g.used[i] && (len(l) == 0 || l[len(l)-1] != i) {
			l = append(l, i)
		}
	}
	return l
}

// only returns the single node that reads v, the output of node from, or an
// error about node from if v is read by no node, several nodes or is the
// graph's output.
func (g *graph) only(from int, v string) (int, error) {
	l := g.live(v)
	if g.outputs[v] {
		return 0, g.errorf(from, ErrUnsupported, "its output %q is the graph output; in this pattern one node reads it", v)
	}
	if len(l) != 1 {
		return 0, g.errorf(from, ErrUnsupported, "its output %q is read by %d nodes; in this pattern one node reads it", v, len(l))
	}
	return l[0], nil
}

// walk follows the chain from the input to the output, turning nodes into
// layers and preprocessing.
func (g *graph) walk() error {
	for steps := 0; ; steps++ {
		l := g.live(g.cur)
		if len(l) == 0 {
			break
		}
		if g.outputs[g.cur] {
			return g.errorf(l[0], ErrUnsupported, "it reads %q, the graph's output; the net must end there", g.cur)
		}
		var err error
		switch len(l) {
		case 1:
			err = g.step(l[0])
		case 2:
			err = g.branch(l[0], l[1])
		default:
			err = g.errorf(l[2], ErrUnsupported, "value %q feeds %d nodes; a feedforward net is one chain", g.cur, len(l))
		}
		if err != nil {
			return err
		}
	}
	if g.cur != g.output {
		return fmt.Errorf("%w: the chain from the input %q ends at %q, not at the graph output %q",
			ErrUnsupported, g.input, g.cur, g.output)
	}
	for i, nd := range g.nodes {
		if !g.used[i] && nd.GetOpType() != "Constant" {
			return g.errorf(i, ErrUnsupported, "the node is not on the chain from the input to the output")
		}
	}
	return nil
}

// take marks nodes as part of the chain and moves the chain to the first
// output of the last of them.
func (g *graph) take(nodes ...int) error {
	for _, i := range nodes {
		g.used[i] = true
	}
	last := nodes[len(nodes)-1]
	nd := g.nodes[last]
	if len(nd.Output) == 0 || nd.Output[0] == "" {
		return g.errorf(last, mlp.ErrFormat, "the node has no output")
	}
	for _, extra := range nd.Output[1:] {
		if extra != "" && (len(g.consumers[extra]) > 0 || g.outputs[extra]) {
			return g.errorf(last, ErrUnsupported, "its second output %q is used", extra)
		}
	}
	g.cur = nd.Output[0]
	return nil
}

// data checks that node i reads the chain's value as its input 0, and has
// at least min and at most max inputs.
func (g *graph) data(i, min, max int) error {
	nd := g.nodes[i]
	if len(nd.Input) < min || len(nd.Input) > max {
		return g.errorf(i, mlp.ErrFormat, "it has %d inputs, want %d to %d", len(nd.Input), min, max)
	}
	if nd.Input[0] != g.cur {
		return g.errorf(i, ErrUnsupported, "it reads %q, the net's value, as input %d, not as its data input 0",
			g.cur, indexOf(nd.Input, g.cur))
	}
	for j, in := range nd.Input[1:] {
		if in == g.cur {
			return g.errorf(i, ErrUnsupported, "it reads the net's value %q also as input %d", g.cur, j+1)
		}
	}
	return nil
}

// indexOf returns the index of v in s, or -1.
func indexOf(s []string, v string) int {
	for j, x := range s {
		if x == v {
			return j
		}
	}
	return -1
}

// constant returns the value of input j of node i, which must be an
// initializer or the output of a Constant node.
func (g *graph) constant(i, j int) (*tensor, error) {
	nd := g.nodes[i]
	if j >= len(nd.Input) || nd.Input[j] == "" {
		return nil, g.errorf(i, mlp.ErrFormat, "input %d is missing", j)
	}
	name := nd.Input[j]
	what := fmt.Sprintf("input %d %q", j, name)
	if t := g.inits[name]; t != nil {
		v, err := decodeTensor(t, "initializer "+fmt.Sprintf("%q", name), &g.budget)
		if err != nil {
			return nil, g.errorf(i, errSentinel(err), "%s: %v", what, unwrapped(err))
		}
		return v, nil
	}
	if c, ok := g.constOf[name]; ok {
		g.used[c] = true
		v, err := constantValue(g.nodes[c], &g.budget)
		if err != nil {
			return nil, g.errorf(c, errSentinel(err), "%v", unwrapped(err))
		}
		return v, nil
	}
	if name == g.input {
		return nil, g.errorf(i, ErrUnsupported, "%s is the graph input: a weight computed at run time is not supported", what)
	}
	return nil, g.errorf(i, ErrUnsupported, "%s is not an initializer or a Constant: weights computed at run time are not supported", what)
}

// errSentinel returns the sentinel err wraps, ErrUnsupported or
// mlp.ErrFormat.
func errSentinel(err error) error {
	if errors.Is(err, ErrUnsupported) {
		return ErrUnsupported
	}
	return mlp.ErrFormat
}

// unwrapped returns err's message without its sentinel's prefix.
func unwrapped(err error) string {
	msg := err.Error()
	for _, s := range []error{ErrUnsupported, mlp.ErrFormat} {
		msg = strings.TrimPrefix(msg, s.Error()+": ")
	}
	return msg
}

// constantValue returns the value of a Constant node.
func constantValue(nd *onnxpb.NodeProto, budget *int64) (*tensor, error) {
	if len(nd.Attribute) != 1 {
		return nil, fmt.Errorf("%w: a Constant has %d attributes, want 1", mlp.ErrFormat, len(nd.Attribute))
	}
	a := nd.Attribute[0]
	switch a.GetName() {
	case "value":
		if a.T == nil {
			return nil, fmt.Errorf("%w: attribute value holds no tensor", mlp.ErrFormat)
		}
		return decodeTensor(a.T, "its value", budget)
	case "value_float":
		if a.F == nil {
			return nil, fmt.Errorf("%w: attribute value_float holds no float", mlp.ErrFormat)
		}
		return &tensor{v: []float64{shortest(a.GetF())}}, nil
	case "value_floats":
		if int64(len(a.Floats)) > *budget {
			return nil, fmt.Errorf("%w: the tensors the graph reads add up to more elements than a file of this size holds", mlp.ErrFormat)
		}
		*budget -= int64(len(a.Floats))
		v := make([]float64, len(a.Floats))
		for j, f := range a.Floats {
			v[j] = shortest(f)
		}
		return &tensor{dims: []int64{int64(len(v))}, v: v}, nil
	}
	return nil, fmt.Errorf("%w: a Constant with attribute %q; Import reads value, value_float and value_floats", ErrUnsupported, a.GetName())
}

// attrs returns the attributes of node i by name, or an error if one is
// not among allowed or appears twice.
func (g *graph) attrs(i int, allowed ...string) (map[string]*onnxpb.AttributeProto, error) {
	m := map[string]*onnxpb.AttributeProto{}
	for _, a := range g.nodes[i].Attribute {
		name := a.GetName()
		if indexOf(allowed, name) < 0 {
			return nil, g.errorf(i, ErrUnsupported, "attribute %q is not supported", name)
		}
		if m[name] != nil {
			return nil, g.errorf(i, mlp.ErrFormat, "attribute %q appears twice", name)
		}
		m[name] = a
	}
	return m, nil
}

// intAttr returns the INT attribute name of node i, or def if it is absent.
func (g *graph) intAttr(i int, m map[string]*onnxpb.AttributeProto, name string, def int64) (int64, error) {
	a := m[name]
	if a == nil {
		return def, nil
	}
	if t := a.GetType(); t != onnxpb.AttributeProto_INT && !(t == onnxpb.AttributeProto_UNDEFINED && a.I != nil) {
		return 0, g.errorf(i, mlp.ErrFormat, "attribute %q has type %v, want INT", name, t)
	}
	return a.GetI(), nil
}

// floatAttr returns the FLOAT attribute name of node i as the shortest
// decimal that rounds to it, or def if it is absent.
func (g *graph) floatAttr(i int, m map[string]*onnxpb.AttributeProto, name string, def float64) (float64, error) {
	a := m[name]
	if a == nil {
		return def, nil
	}
	if t := a.GetType(); t != onnxpb.AttributeProto_FLOAT && !(t == onnxpb.AttributeProto_UNDEFINED && a.F != nil) {
		return 0, g.errorf(i, mlp.ErrFormat, "attribute %q has type %v, want FLOAT", name, t)
	}
	v := shortest(a.GetF())
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, g.errorf(i, mlp.ErrFormat, "attribute %q is %v", name, v)
	}
	return v, nil
}

// inFront returns an error about node i, a preprocessing operator, if
// the net's layers have started.
func (g *graph) inFront(i int) error {
	if len(g.layers) > 0 {
		return g.errorf(i, ErrUnsupported, "%s after the net's first layer: Import reads it only as preprocessing in front of the net",
			g.nodes[i].GetOpType())
	}
	return nil
}

// step takes node i, the only reader of the chain's value.
func (g *graph) step(i int) error {
	nd := g.nodes[i]
	op := nd.GetOpType()
	if g.post != postNone && op != "Mul" && op != "Add" && op != "Identity" && op != "Dropout" {
		return g.errorf(i, ErrUnsupported, "%s after the output scaling (Mul, Add) that must end the net", op)
	}
	switch op {
	case "Gemm":
		return g.gemm(i)
	case "MatMul":
		return g.matMul(i)
	case "Relu", "Sigmoid", "Tanh", "Identity":
		if err := g.data(i, 1, 1); err != nil {
			return err
		}
		if _, err := g.attrs(i); err != nil {
			return err
		}
		switch op {
		case "Relu":
			g.layers = append(g.layers, &mlp.ReLU{})
		case "Sigmoid":
			g.layers = append(g.layers, &mlp.Sigmoid{})
		case "Tanh":
			g.layers = append(g.layers, &mlp.Tanh{})
		}
		return g.take(i)
	case "Softmax":
		if err := g.data(i, 1, 1); err != nil {
			return err
		}
		m, err := g.attrs(i, "axis")
		if err != nil {
			return err
		}
		def := int64(-1)
		if g.opset < 13 {
			def = 1
		}
		axis, err := g.intAttr(i, m, "axis", def)
		if err != nil {
			return err
		}
		if axis != 1 && axis != -1 {
			return g.errorf(i, ErrUnsupported, "axis %d: on [batch, columns] Import reads only axis 1 or -1", axis)
		}
		g.layers = append(g.layers, &mlp.Softmax{})
		return g.take(i)
	case "LeakyRelu":
		if err := g.data(i, 1, 1); err != nil {
			return err
		}
		m, err := g.attrs(i, "alpha")
		if err != nil {
			return err
		}
		alpha, err := g.floatAttr(i, m, "alpha", 0.01)
		if err != nil {
			return err
		}
		g.layers = append(g.layers, leaky(alpha))
		return g.take(i)
	case "PRelu":
		if err := g.data(i, 2, 2); err != nil {
			return err
		}
		if _, err := g.attrs(i); err != nil {
			return err
		}
		t, err := g.constant(i, 1)
		if err != nil {
			return err
		}
		if len(t.v) == 0 {
			return g.errorf(i, mlp.ErrFormat, "the slope is empty")
		}
		for _, v := range t.v {
			if v != t.v[0] && !(math.IsNaN(v) && math.IsNaN(t.v[0])) {
				return g.errorf(i, ErrUnsupported, "its slopes differ (%v and %v); Import reads one slope for all columns", t.v[0], v)
			}
		}
		if math.IsNaN(t.v[0]) || math.IsInf(t.v[0], 0) {
			return g.errorf(i, mlp.ErrFormat, "the slope is %v", t.v[0])
		}
		g.layers = append(g.layers, leaky(t.v[0]))
		return g.take(i)
	case "Gelu":
		if err := g.data(i, 1, 1); err != nil {
			return err
		}
		m, err := g.attrs(i, "approximate")
		if err != nil {
			return err
		}
		if a := m["approximate"]; a != nil && string(a.GetS()) != "none" {
			return g.errorf(i, ErrUnsupported, "approximate %q: Import reads only the exact erf form", a.GetS())
		}
		g.layers = append(g.layers, &mlp.GELU{})
		return g.take(i)
	case "Dropout":
		return g.dropout(i)
	case "Flatten":
		if err := g.data(i, 1, 1); err != nil {
			return err
		}
		m, err := g.attrs(i, "axis")
		if err != nil {
			return err
		}
		axis, err := g.intAttr(i, m, "axis", 1)
		if err != nil {
			return err
		}
		if axis != 1 && axis != -1 {
			return g.errorf(i, ErrUnsupported, "axis %d: on [batch, columns] only axis 1 keeps the shape", axis)
		}
		return g.take(i)
	case "Sub", "Div":
		return g.scale(i)
	case "Mul", "Add":
		return g.target(i)
	}
	return g.errorf(i, ErrUnsupported, "operator %s is not part of a feedforward net that Import reads", op)
}

// leaky returns the layer for a leaky ReLU of slope k: ReLU for k = 0,
// which LeakyReLU would read as its default slope.
func leaky(k float64) mlp.Layer {
	if k == 0 {
		return &mlp.ReLU{}
	}
	return &mlp.LeakyReLU{Slope: k}
}

// dropout takes the Dropout node i, the identity in inference.
func (g *graph) dropout(i int) error {
	if err := g.data(i, 1, 3); err != nil {
		return err
	}
	if _, err := g.attrs(i, "seed", "is_test", "ratio"); err != nil {
		return err
	}
	if nd := g.nodes[i]; len(nd.Input) == 3 && nd.Input[2] != "" {
		t, err := g.constant(i, 2)
		if err != nil {
			return err
		}
		for _, v := range t.v {
			if v != 0 {
				return g.errorf(i, ErrUnsupported, "training_mode is true")
			}
		}
	}
	return g.take(i)
}

// linear appends a Linear layer with the in×out row-major weights w and
// bias b, after checking in against the chain's width.
func (g *graph) linear(i, in, out int, w, b []float64) error {
	if in < 1 || out < 1 {
		return g.errorf(i, mlp.ErrFormat, "its weights are %dx%d", in, out)
	}
	if g.width != 0 && in != g.width {
		return g.errorf(i, ErrUnsupported, "its weights take %d columns, the value it reads has %d", in, g.width)
	}
	for j, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return g.errorf(i, mlp.ErrFormat, "weight %d is %v", j, v)
		}
	}
	for j, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return g.errorf(i, mlp.ErrFormat, "bias %d is %v", j, v)
		}
	}
	l := mlp.NewLinear(in, out, rand.NewPCG(0, 0)) // weights overwritten below
	if err := l.SetParams(mat.NewDense(in, out, w), b); err != nil {
		return g.errorf(i, mlp.ErrFormat, "%v", err)
	}
	if g.firstLin == 0 {
		g.firstLin = in
	}
	g.width = out
	g.layers = append(g.layers, l)
	return nil
}

// bias returns the bias of a layer with out outputs from the constant t,
// broadcast from one element if it has one, times scale.
func (g *graph) bias(i int, t *tensor, out int, scale float64) ([]float64, error) {
	if !broadcastsTo(t, out) {
		return nil, g.errorf(i, ErrUnsupported, "its bias has shape %v; Import reads [%d], [1, %d] or one element", t.dims, out, out)
	}
	b := make([]float64, out)
	for j := range b {
		v := t.v[0]
		if len(t.v) == out {
			v = t.v[j]
		}
		if scale != 1 {
			v *= scale
		}
		b[j] = v
	}
	return b, nil
}

// broadcastsTo reports whether t has shape [], [1], [n], [1, 1] or [1, n],
// the shapes that broadcast to every row of [batch, n].
func broadcastsTo(t *tensor, n int) bool {
	switch len(t.dims) {
	case 0:
		return len(t.v) == 1
	case 1:
		return t.dims[0] == 1 || t.dims[0] == int64(n)
	case 2:
		return t.dims[0] == 1 && (t.dims[1] == 1 || t.dims[1] == int64(n))
	}
	return false
}

// gemm takes the Gemm node i.
func (g *graph) gemm(i int) error {
	if err := g.data(i, 2, 3); err != nil {
		return err
	}
	m, err := g.attrs(i, "alpha", "beta", "transA", "transB")
	if err != nil {
		return err
	}
	alpha, err := g.floatAttr(i, m, "alpha", 1)
	if err != nil {
		return err
	}
	beta, err := g.floatAttr(i, m, "beta", 1)
	if err != nil {
		return err
	}
	transA, err := g.intAttr(i, m, "transA", 0)
	if err != nil {
		return err
	}
	transB, err := g.intAttr(i, m, "transB", 0)
	if err != nil {
		return err
	}
	if transA != 0 {
		return g.errorf(i, ErrUnsupported, "transA = %d: the net's value must be the untransposed input A", transA)
	}
	bt, err := g.constant(i, 1)
	if err != nil {
		return err
	}
	if len(bt.dims) != 2 {
		return g.errorf(i, ErrUnsupported, "its weights B have shape %v, want two dimensions", bt.dims)
	}
	in, out := int(bt.dims[0]), int(bt.dims[1])
	if transB != 0 {
		in, out = out, in
	}
	w := bt.v
	if transB != 0 {
		w = make([]float64, len(bt.v))
		for r := 0; r < out; r++ {
			for c := 0; c < in; c++ {
				w[c*out+r] = bt.v[r*in+c]
			}
		}
	}
	if alpha != 1 {
		for j := range w {
			w[j] *= alpha
		}
	}
	b := make([]float64, max(out, 0))
	if nd := g.nodes[i]; len(nd.Input) == 3 && nd.Input[2] != "" {
		ct, err := g.constant(i, 2)
		if err != nil {
			return err
		}
		if b, err = g.bias(i, ct, out, beta); err != nil {
			return err
		}
	}
	if err := g.linear(i, in, out, w, b); err != nil {
		return err
	}
	return g.take(i)
}

// matMul takes the MatMul node i and an Add of a bias after it.
func (g *graph) matMul(i int) error {
	if err := g.data(i, 2, 2); err != nil {
		return err
	}
	if _, err := g.attrs(i); err != nil {
		return err
	}
	wt, err := g.constant(i, 1)
	if err != nil {
		return err
	}
	if len(wt.dims) != 2 {
		return g.errorf(i, ErrUnsupported, "its weights have shape %v, want two dimensions", wt.dims)
	}
	in, out := int(wt.dims[0]), int(wt.dims[1])
	nodes := []int{i}
	b := make([]float64, out)
	y := g.nodes[i].GetOutput()
	if len(y) > 0 && !g.outputs[y[0]] {
		if l := g.live(y[0]); len(l) == 1 && g.nodes[l[0]].GetOpType() == "Add" {
			a := l[0]
			ins := g.nodes[a].Input
			if len(ins) != 2 {
				return g.errorf(a, mlp.ErrFormat, "it has %d inputs, want 2", len(ins))
			}
			j := 1 - indexOf(ins, y[0])
			if j > 1 || ins[j] == y[0] {
				return g.errorf(a, ErrUnsupported, "it adds the MatMul output to itself")
			}
			if _, err := g.attrs(a); err != nil {
				return err
			}
			ct, err := g.constant(a, j)
			if err != nil {
				return err
			}
			if b, err = g.bias(a, ct, out, 1); err != nil {
				return err
			}
			nodes = append(nodes, a)
		}
	}
	if err := g.linear(i, in, out, wt.v, b); err != nil {
		return err
	}
	return g.take(nodes...)
}

// columns returns the constant input j of node i as per-column values: one
// value or one per column, from a tensor of shape [], [1], [n] or [1, n].
func (g *graph) columns(i, j int) ([]float64, error) {
	t, err := g.constant(i, j)
	if err != nil {
		return nil, err
	}
	n := len(t.v)
	if n == 0 || !broadcastsTo(t, n) || (g.width != 0 && n != 1 && n != g.width) {
		return nil, g.errorf(i, ErrUnsupported, "input %d has shape %v; Import reads one value or one per column (%d)",
			j, t.dims, g.width)
	}
	if g.width == 0 && n > 1 {
		g.width = n
	}
	return t.v, nil
}

// scale takes the Sub or Div node i, in front of the net.
func (g *graph) scale(i int) error {
	op := g.nodes[i].GetOpType()
	if err := g.inFront(i); err != nil {
		return err
	}
	if err := g.data(i, 2, 2); err != nil {
		return err
	}
	if _, err := g.attrs(i); err != nil {
		return err
	}
	if (op == "Sub" && g.stage >= stageSub) || g.stage >= stageDiv {
		return g.errorf(i, ErrUnsupported, "a second scaling in front of the net; Import reads one Sub, then one Div")
	}
	v, err := g.columns(i, 1)
	if err != nil {
		return err
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || (op == "Div" && x == 0) {
			return g.errorf(i, ErrUnsupported, "a scaling by %v", x)
		}
	}
	if op == "Sub" {
		g.mean, g.stage = v, stageSub
	} else {
		g.std, g.stage = v, stageDiv
	}
	return g.take(i)
}

// target takes the Mul or Add node i, a scaling of the net's outputs
// after its last layer.
func (g *graph) target(i int) error {
	op := g.nodes[i].GetOpType()
	if len(g.layers) == 0 {
		return g.errorf(i, ErrUnsupported, "%s in front of the net: Import reads Sub and Div there", op)
	}
	if err := g.data(i, 2, 2); err != nil {
		return err
	}
	if _, err := g.attrs(i); err != nil {
		return err
	}
	if (op == "Mul" && g.post >= postMul) || g.post >= postAdd {
		return g.errorf(i, ErrUnsupported, "a second output scaling; Import reads one Mul, then one Add, after the net")
	}
	v, err := g.columns(i, 1)
	if err != nil {
		return err
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || (op == "Mul" && x == 0) {
			return g.errorf(i, ErrUnsupported, "an output scaling by %v", x)
		}
	}
	if op == "Mul" {
		g.postStd, g.post = v, postMul
	} else {
		g.postMean, g.post = v, postAdd
	}
	return g.take(i)
}

// branch takes the nodes a and b, both readers of the chain's value: the
// imputation IsNaN and Where, or a GELU written out.
func (g *graph) branch(a, b int) error {
	opA, opB := g.nodes[a].GetOpType(), g.nodes[b].GetOpType()
	if g.post != postNone {
		return g.errorf(b, ErrUnsupported, "value %q feeds two nodes after the output scaling (Mul, Add) that must end the net", g.cur)
	}
	if opA == "IsNaN" || opB == "IsNaN" {
		if opA != "IsNaN" {
			a, b = b, a
		}
		return g.imputation(a, b)
	}
	if ok, err := g.geluPattern(a, b); ok || err != nil {
		return err
	}
	return g.errorf(b, ErrUnsupported, "value %q feeds two nodes, %q (%s) and this one; only imputation (IsNaN, Where) and GELU (Div, Erf, Add, Mul, Mul) may branch",
		g.cur, g.nodes[a].GetName(), opA)
}

// imputation takes the IsNaN node a and the Where node b that reads it.
func (g *graph) imputation(a, b int) error {
	if err := g.inFront(a); err != nil {
		return err
	}
	if g.stage >= stageImpute {
		return g.errorf(a, ErrUnsupported, "imputation must come first and once in front of the net")
	}
	if err := g.data(a, 1, 1); err != nil {
		return err
	}
	isNaN := g.nodes[a].GetOutput()
	if len(isNaN) == 0 {
		return g.errorf(a, mlp.ErrFormat, "the node has no output")
	}
	if w, err := g.only(a, isNaN[0]); err != nil || w != b {
		return g.errorf(a, ErrUnsupported, "its output must be read only by the Where node %q", g.nodes[b].GetName())
	}
	ins := g.nodes[b].Input
	if g.nodes[b].GetOpType() != "Where" || len(ins) != 3 || ins[0] != isNaN[0] || ins[2] != g.cur || ins[1] == g.cur {
		return g.errorf(b, ErrUnsupported, "imputation must be Where(IsNaN(x), fill, x)")
	}
	if _, err := g.attrs(b); err != nil {
		return err
	}
	v, err := g.columns(b, 1)
	if err != nil {
		return err
	}
	for _, x := range v {
		if math.IsInf(x, 0) {
			return g.errorf(b, ErrUnsupported, "a fill value of %v", x)
		}
	}
	g.impute, g.stage = v, stageImpute
	return g.take(a, b)
}

// geluPattern takes the nodes of a GELU written out, starting with a and
// b, the two readers of the chain's value x:
//
//	Div(x, √2) or Mul(x, 1/√2), Erf, Add(·, 1), then Mul(x, ·) and Mul(·, 0.5),
//	or Mul(x, 0.5) and Mul(·, ·)
//
// It reports false, with no error, if a and b do not start such a pattern.
func (g *graph) geluPattern(a, b int) (bool, error) {
	x := g.cur
	// scaled reports whether node i is x/√2, as Div(x, √2) or Mul(x, 1/√2).
	scaled := func(i int) bool {
		nd := g.nodes[i]
		switch nd.GetOpType() {
		case "Div":
			return len(nd.Input) == 2 && nd.Input[0] == x && g.isScalar(nd.Input[1], math.Sqrt2)
		case "Mul":
			return len(nd.Input) == 2 && g.isScalar(other(nd.Input, x), 1/math.Sqrt2)
		}
		return false
	}
	if !scaled(a) {
		a, b = b, a
	}
	if !scaled(a) || g.nodes[b].GetOpType() != "Mul" || len(g.nodes[b].Input) != 2 {
		return false, nil
	}
	// a: x/√2 -> erf -> add(1)
	chain := []int{a}
	v := g.nodes[a].GetOutput()
	next := func(op string) (string, bool) {
		if len(v) == 0 || g.outputs[v[0]] {
			return "", false
		}
		l := g.live(v[0])
		if len(l) != 1 || g.nodes[l[0]].GetOpType() != op {
			return "", false
		}
		chain = append(chain, l[0])
		v = g.nodes[l[0]].GetOutput()
		return v0(v), len(v) > 0
	}
	if _, ok := next("Erf"); !ok || len(g.nodes[chain[1]].Input) != 1 {
		return false, nil
	}
	erf := v0(v)
	add, ok := next("Add")
	if !ok || !g.isScalar(other(g.nodes[chain[2]].Input, erf), 1) {
		return false, nil
	}
	// b: Mul(x, add) then Mul(·, 0.5), or Mul(x, 0.5) then Mul(·, add).
	var last int
	bIn := g.nodes[b].Input
	l := g.live(add)
	switch {
	case other(bIn, x) == add && len(l) == 1 && l[0] == b:
		m := v0(g.nodes[b].GetOutput())
		h := g.live(m)
		if m == "" || g.outputs[m] || len(h) != 1 || g.nodes[h[0]].GetOpType() != "Mul" || !g.isScalar(other(g.nodes[h[0]].Input, m), 0.5) {
			return false, nil
		}
		last = h[0]
	case g.isScalar(other(bIn, x), 0.5) && len(l) == 1:
		m := v0(g.nodes[b].GetOutput())
		if m == "" || g.outputs[m] || len(g.live(m)) != 1 || g.live(m)[0] != l[0] || g.nodes[l[0]].GetOpType() != "Mul" ||
			other(g.nodes[l[0]].Input, m) != add {
			return false, nil
		}
		last = l[0]
	default:
		return false, nil
	}
	for _, i := range append(chain, b, last) {
		if _, err := g.attrs(i); err != nil {
			return true, err
		}
	}
	g.layers = append(g.layers, &mlp.GELU{})
	return true, g.take(append(chain, b, last)...)
}

// v0 returns the first of outputs, or "".
func v0(outputs []string) string {
	if len(outputs) == 0 {
		return ""
	}
	return outputs[0]
}

// other returns the input of a two-input node that is not v, or "" if
// the node does not have two inputs exactly one of which is v.
func other(inputs []string, v string) string {
	if len(inputs) != 2 {
		return ""
	}
	switch {
	case inputs[0] == v && inputs[1] != v:
		return inputs[1]
	case inputs[1] == v && inputs[0] != v:
		return inputs[0]
	}
	return ""
}

// isScalar reports whether the value name is a one-element constant equal
// to want, or within float32 rounding of it when want is irrational
// (√2 and 1/√2, as a float32 file holds them).
func (g *graph) isScalar(name string, want float64) bool {
	var t *tensor
	var err error
	switch {
	case name == "":
		return false
	case g.inits[name] != nil:
		t, err = decodeTensor(g.inits[name], name, &g.budget)
	default:
		c, ok := g.constOf[name]
		if !ok {
			return false
		}
		if t, err = constantValue(g.nodes[c], &g.budget); err == nil && len(t.v) == 1 {
			g.used[c] = true
		}
	}
	if err != nil || len(t.v) != 1 {
		return false
	}
	if want == 1 || want == 0.5 {
		return t.v[0] == want
	}
	return math.Abs(t.v[0]-want) <= 1e-7*want
}

// model returns the Model of the walked graph.
func (g *graph) model(mp *onnxpb.ModelProto, meta *metadata, s *ImportSettings) (*Model, error) {
	net, err := mlp.NewSequential(g.layers...)
	if err != nil {
		return nil, fmt.Errorf("%w: the graph is not a net: %w", ErrUnsupported, err)
	}
	n, k := net.InputSize(), net.OutputSize()
	if g.inWidth != 0 && g.inWidth != n {
		return nil, fmt.Errorf("%w: the graph input %q has %d columns, the net takes %d", mlp.ErrFormat, g.input, g.inWidth, n)
	}
	m := &Model{
		Net:        net,
		Task:       meta.task,
		InputName:  g.input,
		OutputName: g.output,
		Producer:   strings.TrimSpace(mp.GetProducerName() + " " + mp.GetProducerVersion()),
	}
	p, q := &m.Preprocess, &m.Postprocess
	for _, c := range []struct {
		name  string
		src   []float64
		dst   *[]float64
		width int
	}{
		{"imputation in front of the net", g.impute, &p.Impute, n},
		{"Sub in front of the net", g.mean, &p.Mean, n},
		{"Div in front of the net", g.std, &p.Std, n},
		{"Mul after the net", g.postStd, &q.Std, k},
		{"Add after the net", g.postMean, &q.Mean, k},
	} {
		if c.src == nil {
			continue
		}
		if len(c.src) != 1 && len(c.src) != c.width {
			return nil, fmt.Errorf("%w: the %s has %d values, the net has %d columns there",
				ErrUnsupported, c.name, len(c.src), c.width)
		}
		v := make([]float64, c.width)
		for j := range v {
			v[j] = c.src[min(j, len(c.src)-1)]
		}
		*c.dst = v
	}
	p.Columns = DefaultColumns(n)
	if meta.columns != nil {
		if len(meta.columns) != n {
			return nil, fmt.Errorf("%w: metadata %s names %d columns, the net takes %d", mlp.ErrFormat, MetaColumns, len(meta.columns), n)
		}
		p.Columns = meta.columns
	}

	classes, from := s.Classes, "ImportSettings.Classes"
	if classes == nil {
		classes, from = meta.classes, "metadata "+MetaClasses
	}
	ends := endsInProbabilities(g.layers)
	m.Net.SetTraining(false)
	m.Task = Regression
	if g.post != postNone {
		why := from + " names classes"
		if classes == nil {
			why = "metadata " + MetaTask + " says classification"
		}
		sentinel := mlp.ErrFormat
		if s.Classes != nil {
			sentinel = mlp.ErrSetting
		}
		if classes != nil || meta.task == Classification {
			return nil, fmt.Errorf("%w: the net scales its outputs (Mul, Add after it), so it is a regressor, but %s",
				sentinel, why)
		}
		return m, nil
	}
	if (s.Classes == nil && meta.task == Regression) || !(ends || classes != nil || meta.task == Classification) {
		return m, nil
	}
	m.Task = Classification
	if classes == nil {
		classes = DefaultClasses(k)
	}
	if len(classes) != classCount(k) {
		sentinel := mlp.ErrFormat
		if s.Classes != nil {
			sentinel = mlp.ErrSetting
		}
		return nil, fmt.Errorf("%w: %s has %d classes, the net has %d outputs and so %d classes",
			sentinel, from, len(classes), k, classCount(k))
	}
	m.Classes = append([]string(nil), classes...)
	if !ends {
		var l mlp.Layer = &mlp.Softmax{}
		if k == 1 {
			l = &mlp.Sigmoid{}
		}
		if m.Net, err = mlp.NewSequential(append(g.layers, l)...); err != nil {
			return nil, err
		}
		m.Net.SetTraining(false)
		m.Appended = l.String()
	}
	return m, nil
}
