package onnx

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// graph is the state of Import's walk along the chain of a graph.
type graph struct {
	nodes     []*onnxpb.NodeProto
	opset     int64
	inits     map[string]*onnxpb.TensorProto
	constOf   map[string]int // a Constant node's output -> the node's index
	consumers map[string][]int
	outputs   map[string]bool // the graph's outputs
	used      []bool
	input     string       // the graph's input
	output    string       // the graph's output
	elem      int32        // the input's element type
	width     int          // columns of the current value, 0 while unknown
	store     *tensorStore // the file's tensor data and decoding budget

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
// initializer or the output of a Constant node of element type FLOAT or
// DOUBLE.
func (g *graph) constant(i, j int) (*tensor, error) {
	d, err := g.constantOf(i, j, false)
	if err != nil {
		return nil, err
	}
	return d.values(), nil
}

// constantOf returns the data of input j of node i, as constant does
// without decoding it, also reading a BOOL tensor (as 0 and 1) when
// boolOK.
func (g *graph) constantOf(i, j int, boolOK bool) (*tensorData, error) {
	nd := g.nodes[i]
	if j >= len(nd.Input) || nd.Input[j] == "" {
		return nil, g.errorf(i, mlp.ErrFormat, "input %d is missing", j)
	}
	name := nd.Input[j]
	what := fmt.Sprintf("input %d %q", j, name)
	if t := g.inits[name]; t != nil {
		d, err := g.store.source(t, "initializer "+fmt.Sprintf("%q", name), boolOK)
		if err != nil {
			return nil, g.errorf(i, errSentinel(err), "%s: %v", what, unwrapped(err))
		}
		return d, nil
	}
	if c, ok := g.constOf[name]; ok {
		g.used[c] = true
		d, err := g.store.constantValue(g.nodes[c], boolOK)
		if err != nil {
			return nil, g.errorf(c, errSentinel(err), "%v", unwrapped(err))
		}
		return d, nil
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

// constantValue returns the data of a Constant node.
func (st *tensorStore) constantValue(nd *onnxpb.NodeProto, boolOK bool) (*tensorData, error) {
	if len(nd.Attribute) != 1 {
		return nil, fmt.Errorf("%w: a Constant has %d attributes, want 1", mlp.ErrFormat, len(nd.Attribute))
	}
	a := nd.Attribute[0]
	switch a.GetName() {
	case "value":
		if a.T == nil {
			return nil, fmt.Errorf("%w: attribute value holds no tensor", mlp.ErrFormat)
		}
		return st.source(a.T, "its value", boolOK)
	case "value_float":
		if a.F == nil {
			return nil, fmt.Errorf("%w: attribute value_float holds no float", mlp.ErrFormat)
		}
		return &tensorData{n: 1, size: 8, v: []float64{shortest(a.GetF())}}, nil
	case "value_floats":
		if int64(len(a.Floats)) > st.budget {
			return nil, fmt.Errorf("%w: the tensors the graph reads add up to more elements than a file of this size holds", mlp.ErrFormat)
		}
		st.budget -= int64(len(a.Floats))
		v := make([]float64, len(a.Floats))
		for j, f := range a.Floats {
			v[j] = shortest(f)
		}
		return &tensorData{dims: []int64{int64(len(v))}, n: len(v), size: 8, v: v}, nil
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
	var d *tensorData
	var err error
	switch {
	case name == "":
		return false
	case g.inits[name] != nil:
		d, err = g.store.source(g.inits[name], name, false)
	default:
		c, ok := g.constOf[name]
		if !ok {
			return false
		}
		if d, err = g.store.constantValue(g.nodes[c], false); err == nil && d.n == 1 {
			g.used[c] = true
		}
	}
	if err != nil || d.n != 1 {
		return false
	}
	t := d.values()
	if want == 1 || want == 0.5 {
		return t.v[0] == want
	}
	return math.Abs(t.v[0]-want) <= 1e-7*want
}
