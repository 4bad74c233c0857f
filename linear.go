package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/kernel"
)

// Linear is a fully connected layer computing Y = X·W + b, with W of shape
// in×out (rows are inputs) and b of length out, added to every row.
//
// Backward computes dW = Xᵀ·G and db = the column sums of G, and returns
// dX = G·Wᵀ; each is one matrix product into a buffer the layer owns, so the
// memory used grows with batch×width (plus one in×out copy of Wᵀ), never
// with batch×in×out.
//
// The products run in the package's own kernel (AVX-512, AVX2 or NEON
// assembly, or Go; see KernelPath), large ones split between the cores.
// Each element of a product is computed by the same chain of fused
// multiply-adds on every path and however the work is split, so the results
// are the same bits whatever the CPU and GOMAXPROCS. The one exception is
// the openblas build tag, which sends products above 2^20 multiply-adds to
// OpenBLAS when it runs AVX2 or AVX-512 kernels (see matmul).
type Linear struct {
	in, out int

	w, b   mat.Dense // b is 1×out
	dw, db mat.Dense

	x  *mat.Dense // input of the last Forward, not owned
	y  mat.Dense  // output buffer
	dx mat.Dense  // input-gradient buffer

	wt  []float64    // Wᵀ (out×in), refreshed by each Backward
	par kernel.Group // splits large products between the cores

	f32 *linear32 // the float32 path's state, made by the first Forward32 (linear32.go)
}

var (
	_ Layer         = (*Linear)(nil)
	_ Parameterized = (*Linear)(nil)
	_ Predictor     = (*Linear)(nil)
	_ Cloner        = (*Linear)(nil)
	_ Float32Layer  = (*Linear)(nil)
)

// NewLinear returns a Linear layer from in to out columns, with W drawn from
// U(-1/√in, 1/√in) using src and b set to zero. It panics with an error
// wrapping ErrMisuse if in or out is not positive or src is nil: sizes and
// sources are part of the program, and a default source would make runs
// irreproducible.
func NewLinear(in, out int, src rand.Source) *Linear {
	if in <= 0 || out <= 0 {
		misusePanic("NewLinear", "sizes must be positive, got %d->%d", in, out)
	}
	if isNil(src) {
		misusePanic("NewLinear", "nil random source; pass one such as rand.NewPCG(seed, seq)")
	}
	l := newLinear(in, out)
	bound := 1 / math.Sqrt(float64(in))
	rng := rand.New(src)
	w := l.w.RawMatrix().Data
	for i := range w {
		w[i] = (2*rng.Float64() - 1) * bound
	}
	return l
}

// newLinear returns a Linear layer from in to out columns with zero
// parameters.
func newLinear(in, out int) *Linear {
	l := &Linear{in: in, out: out}
	l.w.ReuseAs(in, out)
	l.b.ReuseAs(1, out)
	l.dw.ReuseAs(in, out)
	l.db.ReuseAs(1, out)
	return l
}

// CloneLayer returns a new Linear with the same W and b, bit for bit, and
// buffers of its own. It never fails.
func (l *Linear) CloneLayer() (Layer, error) {
	c := newLinear(l.in, l.out)
	c.w.Copy(&l.w)
	c.b.Copy(&l.b)
	return c, nil
}

// Dims returns the input and output widths.
func (l *Linear) Dims() (in, out int) { return l.in, l.out }

// String returns "Linear(in->out)".
func (l *Linear) String() string { return fmt.Sprintf("Linear(%d->%d)", l.in, l.out) }

// Weights returns W, the in×out weight matrix. It is the layer's own matrix:
// changes to it change the layer.
func (l *Linear) Weights() *mat.Dense { return &l.w }

// Bias returns b, the layer's own bias slice of length out: changes to it
// change the layer.
func (l *Linear) Bias() []float64 { return l.b.RawMatrix().Data }

// SetParams copies w (in×out) and b (length out) into the layer. It returns
// an error wrapping ErrShape if w is nil or either has the wrong size, and
// one wrapping ErrData naming the entry if one is NaN or Inf; the layer is
// unchanged in that case. SetParams must not run while the layer's model
// predicts or trains.
func (l *Linear) SetParams(w mat.Matrix, b []float64) error {
	if l == nil {
		return fmt.Errorf("%w: Linear.SetParams: nil Linear", ErrSetting)
	}
	if isNil(w) {
		return fmt.Errorf("%w: %v.SetParams: weights are nil, want %dx%d", ErrShape, l, l.in, l.out)
	}
	if r, c := w.Dims(); r != l.in || c != l.out {
		return fmt.Errorf("%w: %v.SetParams: weights are %dx%d, want %dx%d", ErrShape, l, r, c, l.in, l.out)
	}
	if len(b) != l.out {
		return fmt.Errorf("%w: %v.SetParams: bias has %d entries, want %d", ErrShape, l, len(b), l.out)
	}
	for i := 0; i < l.in; i++ {
		for j := 0; j < l.out; j++ {
			if v := w.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %v.SetParams: weight W[%d,%d] is %v", ErrData, l, i, j, v)
			}
		}
	}
	for j, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %v.SetParams: bias b[%d] is %v", ErrData, l, j, v)
		}
	}
	l.w.Copy(w)
	copy(l.b.RawMatrix().Data, b)
	return nil
}

// Params returns W and b with their gradients.
func (l *Linear) Params() []Param {
	return []Param{
		{Name: "W", Value: &l.w, Grad: &l.dw},
		{Name: "b", Value: &l.b, Grad: &l.db},
	}
}

// Forward returns X·W + b. It panics if x does not have in columns.
func (l *Linear) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	if c != l.in {
		shapePanic(l.String()+".Forward", "input is %dx%d, weights are %dx%d", r, c, l.in, l.out)
	}
	l.x = x
	if l.f32 != nil {
		l.f32.have = false
	}
	reuse(&l.y, r, l.out)
	l.affine(&l.y, x, &l.par)
	return &l.y
}

// PredictInto writes X·W + b into dst (x's rows × out), reading the layer
// only; large products are split between the cores through ws. It panics
// with an error wrapping ErrShape if x does not have in columns or dst is
// not x's rows × out. It is safe for concurrent use with distinct dst and
// ws, as long as nothing changes the layer.
func (l *Linear) PredictInto(dst, x *mat.Dense, ws *Workspace) {
	checkPredictShapes(l, dst, x, l.in, l.out)
	if ws == nil {
		ws = new(Workspace)
	}
	l.affine(dst, x, &ws.par)
}

// affine sets y = X·W + b, splitting a large product between the cores
// through g.
func (l *Linear) affine(y, x *mat.Dense, g *kernel.Group) {
	ym, xm := y.RawMatrix(), x.RawMatrix()
	// Y starts as b in every row; the product adds X·W.
	b := l.b.RawMatrix().Data
	if ym.Stride == l.out {
		fillRows(ym.Data, ym.Rows, b)
	} else {
		for i := 0; i < ym.Rows; i++ {
			copy(ym.Data[i*ym.Stride:i*ym.Stride+l.out], b)
		}
	}
	matmul(g, false, ym.Rows, l.out, l.in, xm.Data, xm.Stride, l.w.RawMatrix().Data, l.out, ym.Data, ym.Stride)
}

// Backward takes G = dLoss/dY, sets dW = Xᵀ·G and db = Σ rows of G, and
// returns dX = G·Wᵀ. It panics if G is not batch×out for the batch of the
// last Forward, or if Forward has not been called.
func (l *Linear) Backward(g *mat.Dense) *mat.Dense {
	l.backwardParams(g)
	r, _ := g.Dims()
	reuse(&l.dx, r, l.in)
	// dX = G·Wᵀ with Wᵀ copied out, so that the product reads whole rows.
	if len(l.wt) != l.in*l.out {
		l.wt = make([]float64, l.in*l.out)
	}
	kernel.Transpose(l.wt, l.w.RawMatrix().Data, l.in, l.out)
	dx, gm := l.dx.RawMatrix(), g.RawMatrix()
	for i := 0; i < r; i++ {
		clear(dx.Data[i*dx.Stride : i*dx.Stride+l.in])
	}
	matmul(&l.par, false, r, l.in, l.out, gm.Data, gm.Stride, l.wt, l.in, dx.Data, dx.Stride)
	return &l.dx
}

// backwardParams is Backward without dX: it sets dW and db only, for a
// first layer whose input gradient nobody reads.
func (l *Linear) backwardParams(g *mat.Dense) {
	if l.x == nil {
		misusePanic(l.String()+".Backward", "called before Forward")
	}
	r, _ := l.x.Dims()
	gr, gc := g.Dims()
	if gr != r || gc != l.out {
		shapePanic(l.String()+".Backward", "gradient is %dx%d, output was %dx%d", gr, gc, r, l.out)
	}
	gm, xm := g.RawMatrix(), l.x.RawMatrix()
	dw := l.dw.RawMatrix().Data
	clear(dw)
	matmul(&l.par, true, l.in, l.out, r, xm.Data, xm.Stride, gm.Data, gm.Stride, dw, l.out)
	db := l.db.RawMatrix().Data
	clear(db)
	kernel.SumRows(db, gr, gc, gm.Data, gm.Stride)
}
