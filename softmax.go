package mlp

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// Softmax turns each row of logits z into probabilities
// p_j = exp(z_j - max z) / Σ_k exp(z_k - max z). Subtracting the row maximum
// keeps every exponent at or below zero, so large logits give finite,
// correct probabilities. The zero value is ready to use.
//
// When a Softmax ends a network trained with CrossEntropy, Backprop skips
// Softmax.Backward and starts at its input with the exact gradient
// (p - onehot)/n.
type Softmax struct {
	x     *mat.Dense // input of the last Forward, for the fused gradient
	y, dx mat.Dense
	have  bool

	f32 *softmax32 // the float32 path's state, made by the first Forward32 (softmax32.go)
}

var (
	_ Layer     = (*Softmax)(nil)
	_ Predictor = (*Softmax)(nil)
	_ Cloner    = (*Softmax)(nil)
)

// Forward returns the row-wise softmax of x.
func (s *Softmax) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	reuse(&s.y, r, c)
	softmax(&s.y, x)
	s.x = x
	s.have = true
	s.f32.reset()
	return &s.y
}

// PredictInto writes the row-wise softmax of x into dst, of x's shape,
// reading nothing of the layer. It panics with an error wrapping ErrShape
// if dst does not have x's shape.
func (s *Softmax) PredictInto(dst, x *mat.Dense, _ *Workspace) {
	checkPredictShapes(s, dst, x, 0, 0)
	softmax(dst, x)
}

// softmax sets each row of y, of x's shape, to the softmax of that row of x.
func softmax(y, x *mat.Dense) {
	xm, ym := x.RawMatrix(), y.RawMatrix()
	if ym.Stride != xm.Cols {
		eachRow(y, x, softmaxRow)
		return
	}
	softmaxRows(ym.Data, xm.Data, xm.Stride, xm.Rows, xm.Cols)
}

// CloneLayer returns a new Softmax. It never fails.
func (s *Softmax) CloneLayer() (Layer, error) { return &Softmax{}, nil }

// softmaxRow writes the softmax of z into p.
func softmaxRow(p, z []float64) {
	shiftRow(p, z)
	kernel.Exp(p[:len(z)], p[:len(z)])
	normalizeRow(p[:len(z)])
}

// softmaxRows sets the r rows of c elements of dst, one after the other,
// to the softmax of the rows of src (row stride lds), as softmaxRow does
// row by row, with one kernel.Exp over all of them.
func softmaxRows(dst, src []float64, lds, r, c int) {
	for i := range r {
		shiftRow(dst[i*c:i*c+c], src[i*lds:i*lds+c])
	}
	kernel.Exp(dst[:r*c], dst[:r*c])
	for i := range r {
		normalizeRow(dst[i*c : i*c+c])
	}
}

// shiftRow sets p_j = z_j - max z, the exponents of softmaxRow, where
// max z is the largest z_j that is not NaN (-Inf if none is).
//
// The builtin max has no branch to mispredict on random logits; it
// returns NaN when a z_j is NaN, where the row is taken again with
// comparisons that skip NaNs. It may pick +0 where the comparisons would
// keep a first -0, which changes no exponential: z_j - (±0) is z_j for
// z_j ≠ 0, and exp(±0) = 1.
func shiftRow(p, z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	if math.IsNaN(m) {
		m = math.Inf(-1)
		for _, v := range z {
			if v > m {
				m = v
			}
		}
	}
	for j, v := range z {
		p[j] = v - m
	}
}

// normalizeRow divides the exponentials e of a row by their sum, added in
// column order.
func normalizeRow(e []float64) {
	var sum float64
	for _, v := range e {
		sum += v
	}
	inv := 1 / sum
	for j := range e {
		e[j] *= inv
	}
}

// Backward returns dz_j = p_j (g_j - Σ_k g_k p_k) for each row.
func (s *Softmax) Backward(grad *mat.Dense) *mat.Dense {
	r, c := checkActivationGrad("Softmax", s.have, &s.y, grad)
	reuse(&s.dx, r, c)
	gm, ym, dm := grad.RawMatrix(), s.y.RawMatrix(), s.dx.RawMatrix()
	for i := 0; i < r; i++ {
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		ps := ym.Data[i*ym.Stride : i*ym.Stride+c]
		ds := dm.Data[i*dm.Stride : i*dm.Stride+c]
		var dot float64
		for j, p := range ps {
			dot += float64(p * gs[j])
		}
		for j, p := range ps {
			ds[j] = p * (gs[j] - dot)
		}
	}
	return &s.dx
}

// Dims returns 0, 0: Softmax keeps the width of its input.
func (s *Softmax) Dims() (in, out int) { return 0, 0 }

// String returns "Softmax".
func (s *Softmax) String() string { return "Softmax" }

// Probabilities returns SoftmaxProbabilities: each output row of a Softmax
// is a distribution over its columns (see ProbabilityOutput).
func (s *Softmax) Probabilities() ProbabilityKind { return SoftmaxProbabilities }

// Logits returns the input of the last Forward, nil before the first.
func (s *Softmax) Logits() *mat.Dense { return s.x }

var (
	_ ProbabilityOutput = (*Softmax)(nil)
	_ ProbabilityOutput = (*Sigmoid)(nil)
)
