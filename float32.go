package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// DType is the floating-point type a Trainer computes in, named as
// PyTorch's dtype (torch.float64, torch.float32).
//
// In Float32 the Trainer runs mixed-precision training: the forward and
// backward passes of the layers that implement Float32Layer (every layer of
// this package) run in float32, with float32 activations and gradients,
// while the parameters stay float64 master weights. Each float32 layer
// rounds its weights to float32 at each Forward32, so it computes with the
// weights of the last optimizer step; parameter gradients are accumulated
// in float32 and widened (exactly) to float64 into Param.Grad. The
// optimizers, clipping, snapshots and saved models therefore work on
// float64 as in Float64, and an optimizer step is the float64 step of the
// same library (PyTorch's optimizers replayed to 1e-9), given float32
// gradients. Keeping float64 masters costs one rounding of each weight per
// step (in·out per Linear, against batch·in·out for each product) and keeps
// small updates that a float32 weight would round away.
//
// The losses read the model's float32 output widened to float64 and
// compute their value and gradient with their float64 code, which is
// O(batch·outputs) work; the gradient is rounded once to float32 and the
// backward pass goes on in float32. A layer without Float32Layer (a user's
// own) runs in float64 between two conversions: its input is widened, its
// output and its input gradient are rounded.
//
// Every float32 operation is defined exactly, so training gives the same
// bits on every kernel path and architecture: products are chains of
// float32 fused multiply-adds in increasing order of the inner index
// (kernel.MulAdd32), row sums add in row order in float32, conversions
// round to nearest even; an element-wise function (Sigmoid, Tanh, GELU,
// LeakyReLU, Softmax, the gradients of these) is its float64 definition
// applied to the widened inputs, rounded once to float32.
type DType int

const (
	// Float64 computes everything in float64, the default.
	Float64 DType = iota
	// Float32 runs the forward and backward passes in float32 with float64
	// master weights (see DType).
	Float32
)

// String returns "float64" or "float32", PyTorch's names.
func (d DType) String() string {
	switch d {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// Float32Layer is implemented by a layer that can run its forward and
// backward passes in float32 (see DType). Every layer of this package
// implements it; Sequential runs a layer without it in float64, converting
// at its boundaries.
//
// Forward32 and Backward32 are Forward and Backward in float32: matrices
// are row-major blas32.General values whose Data the layer owns (the
// result) or reads (the argument); a result is valid until the next call
// of the same method, and x must not change between Forward32 and
// Backward32. A layer with parameters reads its float64 parameters at each
// Forward32 and, in Backward32, writes their gradients into its float64
// Param.Grad. Backward32 follows Forward32 (Backward follows Forward; a
// mixed order panics with ErrMisuse). Shapes that do not fit panic with an
// error wrapping ErrShape, as Forward and Backward do. In steady state they
// allocate nothing. They are not safe for concurrent use.
type Float32Layer interface {
	Layer
	Forward32(x blas32.General) blas32.General
	Backward32(grad blas32.General) blas32.General
}

// reuse32 sizes g as a contiguous r×c matrix, keeping its backing array
// when it is large enough.
func reuse32(g *blas32.General, r, c int) {
	if cap(g.Data) < r*c {
		g.Data = make([]float32, r*c)
	}
	g.Rows, g.Cols, g.Stride, g.Data = r, c, c, g.Data[:r*c]
}

// fillRows sets each of the rows of the contiguous r×len(v) matrix y to
// v, float64 or float32, doubling the rows copied at each step so that a
// batch takes log₂ r copies rather than r.
func fillRows[T float32 | float64](y []T, r int, v []T) {
	c := len(v)
	if r == 0 || c == 0 {
		return
	}
	copy(y[:c], v)
	for done := 1; done < r; done *= 2 {
		copy(y[done*c:r*c], y[:done*c])
	}
}

// row32 returns row i of g.
func row32(g blas32.General, i int) []float32 {
	return g.Data[i*g.Stride : i*g.Stride+g.Cols]
}

// round32 sets dst to src rounded to float32 (to nearest, ties to even),
// sizing dst.
func round32(dst *blas32.General, src *mat.Dense) {
	r, c := src.Dims()
	reuse32(dst, r, c)
	sm := src.RawMatrix()
	if sm.Stride == c {
		kernel.To32(dst.Data, sm.Data[:r*c])
		return
	}
	for i := 0; i < r; i++ {
		kernel.To32(row32(*dst, i), sm.Data[i*sm.Stride:i*sm.Stride+c])
	}
}

// widen64 sets dst to src widened to float64 (exact), sizing dst.
func widen64(dst *mat.Dense, src blas32.General) {
	reuse(dst, src.Rows, src.Cols)
	dm := dst.RawMatrix()
	if n := src.Rows * src.Cols; dm.Stride == src.Cols && src.Stride == src.Cols {
		kernel.To64(dm.Data[:n], src.Data[:n])
		return
	}
	for i := 0; i < src.Rows; i++ {
		kernel.To64(dm.Data[i*dm.Stride:i*dm.Stride+src.Cols], row32(src, i))
	}
}

// checkGrad32 panics with an error wrapping ErrShape, naming the layer,
// unless the gradient g is r×c, the shape of the last output.
func checkGrad32(name string, g blas32.General, r, c int) {
	if g.Rows != r || g.Cols != c {
		shapePanic(name+".Backward32", "gradient is %dx%d, output was %dx%d", g.Rows, g.Cols, r, c)
	}
}

// checkFloat32Range returns an error wrapping ErrData naming the first
// finite entry of m that rounds to ±Inf in float32 (beyond float32's
// range), and nil when there is none. what names the data.
func checkFloat32Range(what string, m *mat.Dense) error {
	if m == nil {
		return nil
	}
	r, c := m.Dims()
	raw := m.RawMatrix()
	for i := 0; i < r; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			if math.Abs(v) > math.MaxFloat32 && math.IsInf(float64(float32(v)), 0) && !math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s %v at row %d, column %d is beyond the float32 range (±%g); train with DType Float64",
					ErrData, what, v, i, j, math.MaxFloat32)
			}
		}
	}
	return nil
}

// nonFiniteData is nonFiniteData, and in Float32 also an error wrapping
// ErrData for a feature that float32 cannot hold (it would become ±Inf).
func (t *Trainer) nonFiniteData(w where, b Batch) error {
	if err := nonFiniteData(w, b); err != nil || t.s.DType != Float32 {
		return err
	}
	return checkFloat32Range(w.String()+" feature", b.X)
}
