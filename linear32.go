package mlp

import (
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/mlpkit/mlp/internal/kernel"
)

// linear32 is the state of Linear's float32 path: W and b rounded from the
// float64 masters at each Forward32, the buffers of the products and the
// input of the last Forward32.
type linear32 struct {
	w, b, wt []float32 // W (in×out), b, Wᵀ (out×in)
	dw, db   []float32 // gradients before widening into the float64 ones
	x        blas32.General
	y, dx    blas32.General
	have     bool
}

// Forward32 returns X·W + b in float32 (see Float32Layer), with W and b
// rounded to float32 from the layer's float64 parameters at each call:
// each element is b_j followed by one chain of float32 fused multiply-adds
// over the inputs in order. It panics with an error wrapping ErrShape if x
// does not have in columns.
func (l *Linear) Forward32(x blas32.General) blas32.General {
	if x.Cols != l.in {
		shapePanic(l.String()+".Forward32", "input is %dx%d, weights are %dx%d", x.Rows, x.Cols, l.in, l.out)
	}
	if l.f32 == nil {
		l.f32 = &linear32{w: make([]float32, l.in*l.out), b: make([]float32, l.out),
			dw: make([]float32, l.in*l.out), db: make([]float32, l.out)}
	}
	s := l.f32
	kernel.To32(s.w, l.w.RawMatrix().Data)
	kernel.To32(s.b, l.b.RawMatrix().Data)
	l.x, s.x, s.have = nil, x, true
	reuse32(&s.y, x.Rows, l.out)
	fillRows(s.y.Data, x.Rows, s.b)
	l.par.MulAdd32(x.Rows, l.out, l.in, x.Data, x.Stride, 1, s.w, l.out, s.y.Data, s.y.Stride)
	return s.y
}

// Backward32 takes G = dLoss/dY in float32, sets dW = Xᵀ·G and db = Σ
// rows of G, computed in float32 and widened into the layer's float64
// gradients, and returns dX = G·Wᵀ in float32. It panics if G is not
// batch×out for the batch of the last Forward32, or if Forward32 has not
// been called.
func (l *Linear) Backward32(g blas32.General) blas32.General {
	l.backwardParams32(g)
	s := l.f32
	r := g.Rows
	reuse32(&s.dx, r, l.in)
	if len(s.wt) != l.in*l.out {
		s.wt = make([]float32, l.in*l.out)
	}
	kernel.Transpose32(s.wt, s.w, l.in, l.out)
	clear(s.dx.Data)
	l.par.MulAdd32(r, l.in, l.out, g.Data, g.Stride, 1, s.wt, l.in, s.dx.Data, s.dx.Stride)
	return s.dx
}

// backwardParams32 is Backward32 without dX, for a first layer whose input
// gradient nobody reads.
func (l *Linear) backwardParams32(g blas32.General) {
	s := l.f32
	if s == nil || !s.have {
		misusePanic(l.String()+".Backward32", "called before Forward32")
	}
	r := s.x.Rows
	if g.Rows != r || g.Cols != l.out {
		shapePanic(l.String()+".Backward32", "gradient is %dx%d, output was %dx%d", g.Rows, g.Cols, r, l.out)
	}
	clear(s.dw)
	l.par.MulAdd32(l.in, l.out, r, s.x.Data, 1, s.x.Stride, g.Data, g.Stride, s.dw, l.out)
	clear(s.db)
	kernel.SumRows32(s.db, r, l.out, g.Data, g.Stride)
	kernel.To64(l.dw.RawMatrix().Data, s.dw)
	kernel.To64(l.db.RawMatrix().Data, s.db)
}
