package mlp

import "gonum.org/v1/gonum/blas/blas32"

// dropout32 is the state of Dropout's float32 path.
type dropout32 struct {
	mask, y, dx blas32.General // mask: float32(1/(1-p)) where kept, 0 where dropped
	out         blas32.General // output of the last Forward32
	have, ident bool
}

var _ Float32Layer = (*Dropout)(nil)

// Forward32 is Forward in float32: in training mode it draws the mask as
// Forward does (one Float64 per element, in row-major order, so the same
// source gives the same masks in both types) and returns x·m with m
// float32(1/(1-p)) or 0, a float32 product; in evaluation mode it returns
// x itself.
func (d *Dropout) Forward32(x blas32.General) blas32.General {
	if d.f32 == nil {
		d.f32 = new(dropout32)
	}
	s := d.f32
	d.out, s.have = nil, true
	if d.eval {
		s.ident, s.out = true, x
		return x
	}
	s.ident = false
	reuse32(&s.mask, x.Rows, x.Cols)
	reuse32(&s.y, x.Rows, x.Cols)
	scale := float32(d.scale)
	for i := 0; i < x.Rows; i++ {
		xs, ms, ys := row32(x, i), row32(s.mask, i), row32(s.y, i)
		for j, v := range xs {
			if d.rng.Float64() < d.p {
				ms[j] = 0
			} else {
				ms[j] = scale
			}
			ys[j] = v * ms[j]
		}
	}
	s.out = s.y
	return s.y
}

// Backward32 returns grad multiplied by the mask of the last Forward32, or
// grad itself if it ran in evaluation mode.
func (d *Dropout) Backward32(grad blas32.General) blas32.General {
	s := d.f32
	if s == nil || !s.have {
		misusePanic("Dropout.Backward32", "called before Forward32")
	}
	checkGrad32("Dropout", grad, s.out.Rows, s.out.Cols)
	if s.ident {
		return grad
	}
	reuse32(&s.dx, grad.Rows, grad.Cols)
	for i := 0; i < grad.Rows; i++ {
		gs, ms, ds := row32(grad, i), row32(s.mask, i), row32(s.dx, i)
		for j, g := range gs {
			ds[j] = g * ms[j]
		}
	}
	return s.dx
}
