package onnx

import (
	"math"

	"github.com/mlpkit/mlp"
)

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
