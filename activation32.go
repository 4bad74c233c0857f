package mlp

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// act32 is the state of an activation's float32 path: the input of the
// last Forward32 (not owned), and the output and input-gradient buffers.
type act32 struct {
	x, y, dx blas32.General
	have     bool
}

// reset marks that Forward ran after the last Forward32, so that
// Backward32 panics; s may be nil.
func (s *act32) reset() {
	if s != nil {
		s.have = false
	}
}

// elem32 is the float32 state of an element-wise activation, with
// Sigmoid's float32 input widened, which Logits returns.
type elem32 struct {
	act32
	logits mat.Dense
}

// reset is act32's reset; s may be nil.
func (s *elem32) reset() {
	if s != nil {
		s.have = false
	}
}

var (
	_ Float32Layer = (*ReLU)(nil)
	_ Float32Layer = (*Sigmoid)(nil)
	_ Float32Layer = (*Tanh)(nil)
	_ Float32Layer = (*LeakyReLU)(nil)
	_ Float32Layer = (*GELU)(nil)
)

// check panics unless Forward32 has run and grad has the shape of its
// output; it returns that shape.
func (s *act32) check(name string, grad blas32.General) (r, c int) {
	if s == nil || !s.have {
		misusePanic(name+".Backward32", "called before Forward32")
	}
	checkGrad32(name, grad, s.y.Rows, s.y.Cols)
	return s.y.Rows, s.y.Cols
}

// Forward32 returns max(x, 0) element-wise in float32, as Forward.
func (a *ReLU) Forward32(x blas32.General) blas32.General {
	if a.f32 == nil {
		a.f32 = new(act32)
	}
	s := a.f32
	reuse32(&s.y, x.Rows, x.Cols)
	if x.Stride == x.Cols {
		// One call over the whole batch, so that rows narrower than a
		// vector block still run in the path's vector loop.
		kernel.ReLU32(s.y.Data, x.Data[:x.Rows*x.Cols])
	} else {
		for i := 0; i < x.Rows; i++ {
			kernel.ReLU32(row32(s.y, i), row32(x, i))
		}
	}
	a.have, s.have = false, true
	return s.y
}

// Backward32 returns grad where the last output of Forward32 was positive
// or NaN, 0 elsewhere.
func (a *ReLU) Backward32(grad blas32.General) blas32.General {
	s := a.f32
	r, c := s.check("ReLU", grad)
	reuse32(&s.dx, r, c)
	if grad.Stride == c {
		kernel.ReLUGrad32(s.dx.Data, grad.Data[:r*c], s.y.Data)
	} else {
		for i := 0; i < r; i++ {
			kernel.ReLUGrad32(row32(s.dx, i), row32(grad, i), row32(s.y, i))
		}
	}
	return s.dx
}

// forward32 sets y = float32(f(float64(x), k)) element-wise and returns y:
// the float64 function on the widened input, rounded once. With logits it
// also keeps x widened to float64, which Logits returns.
func (e *elementwise) forward32(x blas32.General, f func(x, k float64) float64, k float64, logits bool) blas32.General {
	if e.f32 == nil {
		e.f32 = new(elem32)
	}
	s := e.f32
	reuse32(&s.y, x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		ys := row32(s.y, i)
		for j, v := range row32(x, i) {
			ys[j] = float32(f(float64(v), k))
		}
	}
	if logits {
		widen64(&s.logits, x)
		e.x = &s.logits
	}
	s.x, s.have, e.have = x, true, false
	return s.y
}

// backward32 sets dx = float32(g · df(x, y, k)) element-wise, with g, x
// and y widened to float64 and one rounding, and returns dx.
func (e *elementwise) backward32(name string, grad blas32.General, df func(x, y, k float64) float64, k float64) blas32.General {
	s := e.f32
	if s == nil {
		misusePanic(name+".Backward32", "called before Forward32")
	}
	r, c := s.check(name, grad)
	reuse32(&s.dx, r, c)
	for i := 0; i < r; i++ {
		gs, xs, ys, ds := row32(grad, i), row32(s.x, i), row32(s.y, i), row32(s.dx, i)
		for j, g := range gs {
			ds[j] = float32(float64(g) * df(float64(xs[j]), float64(ys[j]), k))
		}
	}
	return s.dx
}

// Forward32 returns σ(x) element-wise in float32: the float64 σ of the
// widened input, rounded once. Logits then returns the input widened.
func (a *Sigmoid) Forward32(x blas32.General) blas32.General {
	return a.e.forward32(x, sigmoid, 0, true)
}

// Backward32 returns grad · σ(x)(1 - σ(x)) element-wise in float32, from
// the float32 output of the last Forward32, computed in float64 and rounded
// once.
func (a *Sigmoid) Backward32(grad blas32.General) blas32.General {
	return a.e.backward32("Sigmoid", grad, sigmoidDeriv, 0)
}

// Forward32 returns tanh(x) element-wise in float32: the float64 tanh of
// the widened input, rounded once.
func (a *Tanh) Forward32(x blas32.General) blas32.General { return a.e.forward32(x, tanh, 0, false) }

// Backward32 returns grad · (1 - y²) element-wise in float32, y the float32
// output of the last Forward32, computed in float64 and rounded once.
func (a *Tanh) Backward32(grad blas32.General) blas32.General {
	return a.e.backward32("Tanh", grad, tanhDeriv, 0)
}

// Forward32 returns x where x > 0 and Slope·x elsewhere, in float32: the
// float64 product rounded once.
func (a *LeakyReLU) Forward32(x blas32.General) blas32.General {
	return a.e.forward32(x, leakyReLU, a.slope(), false)
}

// Backward32 returns grad where the last input was positive and Slope·grad
// elsewhere, in float32 (the float64 product rounded once).
func (a *LeakyReLU) Backward32(grad blas32.General) blas32.General {
	return a.e.backward32("LeakyReLU", grad, leakyReLUDeriv, a.slope())
}

// Forward32 returns x·Φ(x) element-wise in float32: the float64 value on
// the widened input, rounded once.
func (a *GELU) Forward32(x blas32.General) blas32.General { return a.e.forward32(x, gelu, 0, false) }

// Backward32 returns grad · (Φ(x) + x·φ(x)) element-wise in float32,
// computed in float64 and rounded once.
func (a *GELU) Backward32(grad blas32.General) blas32.General {
	return a.e.backward32("GELU", grad, geluDeriv, 0)
}
