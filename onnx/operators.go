package onnx

import (
	"math"
	"strconv"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

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
		if _, err := g.unary(i); err != nil {
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
		m, err := g.unary(i, "axis")
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
		m, err := g.unary(i, "alpha")
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
		// ONNX broadcasts the slope to the input [batch, columns] one way:
		// a runtime refuses any other shape.
		w := g.width
		if w == 0 {
			w = len(t.v)
		}
		if !broadcastsTo(t, w) {
			return g.errorf(i, ErrUnsupported, "its slope has shape %v, which does not broadcast to the input [batch, %s]",
				t.dims, widthText(g.width))
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
		m, err := g.unary(i, "approximate")
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
		m, err := g.unary(i, "axis")
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
	case "Sub", "Div", "Mul", "Add":
		return g.scaling(i)
	}
	return g.errorf(i, ErrUnsupported, "operator %s is not part of a feedforward net that Import reads", op)
}

// unary checks that node i reads the chain's value as its only input and
// has no attributes but allowed, and returns its attributes by name.
func (g *graph) unary(i int, allowed ...string) (map[string]*onnxpb.AttributeProto, error) {
	if err := g.data(i, 1, 1); err != nil {
		return nil, err
	}
	return g.attrs(i, allowed...)
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
		d, err := g.constantOf(i, 2, true) // training_mode is a BOOL
		if err != nil {
			return err
		}
		t := d.values()
		if len(t.v) != 1 {
			return g.errorf(i, mlp.ErrFormat, "training_mode has %d values, want one", len(t.v))
		}
		for _, v := range t.v {
			if v != 0 {
				return g.errorf(i, ErrUnsupported, "training_mode is true")
			}
		}
	}
	return g.take(i)
}

// widthText returns the number of columns w, or "?" when it is not known
// (0).
func widthText(w int) string {
	if w == 0 {
		return "?"
	}
	return strconv.Itoa(w)
}

// linear appends a Linear layer from in to out columns, after checking in
// against the chain's width: fill writes its in×out row-major weights
// straight into the layer's own matrix, so that they are held once, and b
// is its bias.
func (g *graph) linear(i, in, out int, fill func(w []float64), b []float64) error {
	if in < 1 || out < 1 {
		return g.errorf(i, mlp.ErrFormat, "its weights are %dx%d", in, out)
	}
	if g.width != 0 && in != g.width {
		return g.errorf(i, ErrUnsupported, "its weights take %d columns, the value it reads has %d", in, g.width)
	}
	if len(b) != out {
		return g.errorf(i, mlp.ErrFormat, "its bias has %d values for %d outputs", len(b), out)
	}
	for j, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return g.errorf(i, mlp.ErrFormat, "bias %d is %v", j, v)
		}
	}
	l := mlp.NewLinear(in, out, zeroSource{}) // weights overwritten below
	w := l.Weights().RawMatrix().Data
	fill(w)
	for j, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return g.errorf(i, mlp.ErrFormat, "weight %d is %v", j, v)
		}
	}
	copy(l.Bias(), b)
	if g.firstLin == 0 {
		g.firstLin = in
	}
	g.width = out
	g.layers = append(g.layers, l)
	return nil
}

// zeroSource is a rand.Source that draws zeros: the cheapest way to a
// Linear whose weights are about to be overwritten.
type zeroSource struct{}

func (zeroSource) Uint64() uint64 { return 0 }

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
	bt, err := g.constantOf(i, 1, false)
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
	if in < 1 || out < 1 {
		return g.errorf(i, mlp.ErrFormat, "its weights are %dx%d", in, out)
	}
	b := make([]float64, out)
	if nd := g.nodes[i]; len(nd.Input) == 3 && nd.Input[2] != "" {
		ct, err := g.constant(i, 2)
		if err != nil {
			return err
		}
		if b, err = g.bias(i, ct, out, beta); err != nil {
			return err
		}
	}
	fill := func(w []float64) {
		// B is [in, out], or [out, in] with transB.
		bt.fill(w, out, in, transB != 0)
		if alpha != 1 {
			for j := range w {
				w[j] *= alpha
			}
		}
	}
	if err := g.linear(i, in, out, fill, b); err != nil {
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
	wt, err := g.constantOf(i, 1, false)
	if err != nil {
		return err
	}
	if len(wt.dims) != 2 {
		return g.errorf(i, ErrUnsupported, "its weights have shape %v, want two dimensions", wt.dims)
	}
	in, out := int(wt.dims[0]), int(wt.dims[1])
	if in < 1 || out < 1 {
		return g.errorf(i, mlp.ErrFormat, "its weights are %dx%d", in, out)
	}
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
	fill := func(w []float64) { wt.fill(w, in, out, false) }
	if err := g.linear(i, in, out, fill, b); err != nil {
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

// scaling takes the Sub, Div, Mul or Add node i, a per-column scaling:
// (x − Mean)/Std in front of the net, y·Std + Mean after it, each
// operation at most once and in that order.
func (g *graph) scaling(i int) error {
	op := g.nodes[i].GetOpType()
	stage, dst, next := &g.stage, &g.mean, stageSub
	switch op {
	case "Div":
		dst, next = &g.std, stageDiv
	case "Mul":
		stage, dst, next = &g.post, &g.postStd, postMul
	case "Add":
		stage, dst, next = &g.post, &g.postMean, postAdd
	}
	if stage == &g.stage {
		if err := g.inFront(i); err != nil {
			return err
		}
	} else if len(g.layers) == 0 {
		return g.errorf(i, ErrUnsupported, "%s in front of the net: Import reads Sub and Div there", op)
	}
	if err := g.data(i, 2, 2); err != nil {
		return err
	}
	if _, err := g.attrs(i); err != nil {
		return err
	}
	if *stage >= next {
		return g.errorf(i, ErrUnsupported, "a second or misplaced scaling; Import reads one Sub, then one Div, in front of the net, and one Mul, then one Add, after it")
	}
	v, err := g.columns(i, 1)
	if err != nil {
		return err
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || ((op == "Div" || op == "Mul") && x == 0) {
			return g.errorf(i, ErrUnsupported, "a scaling by %v", x)
		}
	}
	*dst, *stage = v, next
	return g.take(i)
}
