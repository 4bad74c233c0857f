package mlp

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"
)

// seq32 holds the buffers of a Sequential's float32 passes (see DType):
// the batch rounded to float32, the model's output widened to float64 for
// the loss and the metrics, the loss gradient rounded to float32, and the
// conversions around each layer that does not implement Float32Layer.
type seq32 struct {
	layers []Float32Layer // layer i, or nil where it runs in float64
	x      blas32.General
	out    mat.Dense
	grad   blas32.General
	bound  []boundary32 // for each layer, used where layers[i] is nil
}

// boundary32 holds the conversions around a layer that runs in float64
// inside a float32 pass.
type boundary32 struct {
	in, grad mat.Dense      // its input and output gradient, widened
	out, dx  blas32.General // its output and input gradient, rounded
}

// state32 returns the float32 buffers, made on first use and after the
// layers change.
func (s *Sequential) state32() *seq32 {
	if s.f32 == nil {
		st := &seq32{layers: make([]Float32Layer, len(s.layers)), bound: make([]boundary32, len(s.layers))}
		for i, l := range s.layers {
			st.layers[i], _ = l.(Float32Layer)
		}
		s.f32 = st
	}
	return s.f32
}

// forward32 runs x through every layer in float32 (see DType) and returns
// the output widened to float64, valid until the next forward pass. It
// panics as Forward does.
func (s *Sequential) forward32(x *mat.Dense) *mat.Dense {
	if _, c := x.Dims(); c != s.in {
		shapePanic("Sequential.Forward", "input is %s, the model takes %d columns", dimsOf(x), s.in)
	}
	s.busy.Add(1)
	defer s.busy.Add(-1)
	st := s.state32()
	round32(&st.x, x)
	cur := st.x
	for i, l := range s.layers {
		if f := st.layers[i]; f != nil {
			cur = f.Forward32(cur)
			continue
		}
		b := &st.bound[i]
		widen64(&b.in, cur)
		round32(&b.out, l.Forward(&b.in))
		cur = b.out
	}
	widen64(&st.out, cur)
	s.out = &st.out
	return s.out
}

// forwardAs runs x through the model in the given type: Forward, or
// forward32 for Float32.
func (s *Sequential) forwardAs(d DType, x *mat.Dense) *mat.Dense {
	if d == Float32 {
		return s.forward32(x)
	}
	return s.Forward(x)
}

// backward32From propagates grad, the float64 gradient with respect to the
// output of layer i, rounded once to float32, back through layers i, ...,
// 0 in float32, filling the parameter gradients. A first layer that can
// fill its parameter gradients alone (Linear) skips its input gradient;
// the input gradient is not kept (InputGrad is nil after it).
func (s *Sequential) backward32From(i int, grad *mat.Dense) {
	s.busy.Add(1)
	defer s.busy.Add(-1)
	st := s.state32()
	round32(&st.grad, grad)
	cur := st.grad
	s.dx = nil
	for ; i >= 0; i-- {
		if i == 0 {
			if l, ok := s.layers[0].(interface{ backwardParams32(blas32.General) }); ok {
				l.backwardParams32(cur)
				return
			}
		}
		if f := st.layers[i]; f != nil {
			cur = f.Backward32(cur)
			continue
		}
		b := &st.bound[i]
		widen64(&b.grad, cur)
		round32(&b.dx, s.layers[i].Backward(&b.grad))
		cur = b.dx
	}
}

// backprop32 is backprop after forward32: the loss and its gradient are
// computed in float64 from the widened output (and, where the loss fuses
// with the final layer, from its widened logits), and the backward pass
// runs in float32.
func backprop32(m *Sequential, crit Loss, y Targets) float64 {
	out := m.out
	if out == nil || m.f32 == nil || out != &m.f32.out {
		misusePanic("Backprop", "called before a float32 forward pass")
	}
	last := len(m.layers) - 1
	loss := criterionLoss(crit, m.layers[last], out, y)
	if f, ok := crit.(fusedLoss); ok {
		if g := f.fusedGrad(m.layers[last], out, y); g != nil {
			m.backward32From(last-1, g)
			return loss
		}
	}
	m.backward32From(last, crit.Grad(out, y))
	return loss
}

// backpropAs is backprop (without the input gradient) or backprop32.
func backpropAs(d DType, m *Sequential, crit Loss, y Targets) float64 {
	if d == Float32 {
		return backprop32(m, crit, y)
	}
	return backprop(m, crit, y, false)
}
