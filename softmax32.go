package mlp

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

var _ Float32Layer = (*Softmax)(nil)

// softmax32 is the state of Softmax's float32 path.
type softmax32 struct {
	act32
	logits mat.Dense // the input of the last Forward32, widened
	p64    []float64 // the probabilities in float64
}

// reset is act32's reset; s may be nil.
func (s *softmax32) reset() {
	if s != nil {
		s.have = false
	}
}

// Forward32 returns the row-wise softmax of x in float32: the float64
// softmax of the widened row (Forward's), each probability rounded once.
// Logits then returns x widened to float64, from which CrossEntropy
// computes the loss and its gradient.
func (s *Softmax) Forward32(x blas32.General) blas32.General {
	if s.f32 == nil {
		s.f32 = new(softmax32)
	}
	st := s.f32
	widen64(&st.logits, x)
	reuse32(&st.y, x.Rows, x.Cols)
	n := x.Rows * x.Cols
	if len(st.p64) < n {
		st.p64 = make([]float64, n)
	}
	lm := st.logits.RawMatrix()
	softmaxRows(st.p64, lm.Data, lm.Stride, x.Rows, x.Cols)
	kernel.To32(st.y.Data, st.p64[:n])
	s.x, s.have, st.have = &st.logits, false, true
	return st.y
}

// Backward32 returns dz_j = p_j (g_j - Σ_k g_k p_k) for each row, computed
// in float64 from the float32 probabilities and gradient (the sum in column
// order) and rounded once.
func (s *Softmax) Backward32(grad blas32.General) blas32.General {
	st := s.f32
	if st == nil {
		misusePanic("Softmax.Backward32", "called before Forward32")
	}
	r, c := st.check("Softmax", grad)
	reuse32(&st.dx, r, c)
	for i := 0; i < r; i++ {
		gs, ps, ds := row32(grad, i), row32(st.y, i), row32(st.dx, i)
		var dot float64
		for j, p := range ps {
			dot += float64(float64(p) * float64(gs[j]))
		}
		for j, p := range ps {
			ds[j] = float32(float64(p) * (float64(gs[j]) - dot))
		}
	}
	return st.dx
}
