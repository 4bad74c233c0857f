package mlp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/fmath"
	"github.com/mlpkit/mlp/internal/kernel"
)

// ReLU is the rectified linear unit, y = max(x, 0), applied element-wise.
// Its derivative is taken as 0 at x = 0, as PyTorch does. A NaN input gives
// a NaN output, and the gradient passes through it, as in PyTorch, so that
// the finiteness checks after it see the NaN; -0 gives +0 (PyTorch gives
// -0). The zero value is ready to use.
type ReLU struct {
	y, dx mat.Dense
	have  bool
	f32   *act32 // the float32 path's state, made by the first Forward32 (activation32.go)
}

var (
	_ Layer     = (*ReLU)(nil)
	_ Predictor = (*ReLU)(nil)
	_ Cloner    = (*ReLU)(nil)
)

// Forward returns max(x, 0) element-wise.
func (a *ReLU) Forward(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	reuse(&a.y, r, c)
	relu(&a.y, x)
	a.have = true
	a.f32.reset()
	return &a.y
}

// PredictInto writes max(x, 0) into dst, of x's shape, reading nothing of
// the layer. It panics with an error wrapping ErrShape if dst does not have
// x's shape.
func (a *ReLU) PredictInto(dst, x *mat.Dense, _ *Workspace) {
	checkPredictShapes(a, dst, x, 0, 0)
	relu(dst, x)
}

// relu sets y = max(x, 0) element-wise; y has x's shape.
func relu(y, x *mat.Dense) {
	xm, ym := x.RawMatrix(), y.RawMatrix()
	if n := xm.Rows * xm.Cols; xm.Stride == xm.Cols && ym.Stride == xm.Cols {
		kernel.ReLU(ym.Data[:n], xm.Data[:n]) // one call for the whole batch
		return
	}
	eachRow(y, x, kernel.ReLU)
}

// eachRow calls f(y's row i, x's row i) for every row of x; y has x's
// shape.
func eachRow(y, x *mat.Dense, f func(dst, src []float64)) {
	xm, ym := x.RawMatrix(), y.RawMatrix()
	for i := 0; i < xm.Rows; i++ {
		f(ym.Data[i*ym.Stride:i*ym.Stride+xm.Cols], xm.Data[i*xm.Stride:i*xm.Stride+xm.Cols])
	}
}

// CloneLayer returns a new ReLU. It never fails.
func (a *ReLU) CloneLayer() (Layer, error) { return &ReLU{}, nil }

// Backward returns grad where the last output was positive or NaN, 0
// elsewhere.
func (a *ReLU) Backward(grad *mat.Dense) *mat.Dense {
	r, c := checkActivationGrad("ReLU", a.have, &a.y, grad)
	reuse(&a.dx, r, c)
	gm, ym, dm := grad.RawMatrix(), a.y.RawMatrix(), a.dx.RawMatrix()
	if n := r * c; gm.Stride == c && ym.Stride == c && dm.Stride == c {
		kernel.ReLUGrad(dm.Data[:n], gm.Data[:n], ym.Data[:n])
		return &a.dx
	}
	for i := 0; i < r; i++ {
		kernel.ReLUGrad(dm.Data[i*dm.Stride:i*dm.Stride+c], gm.Data[i*gm.Stride:i*gm.Stride+c], ym.Data[i*ym.Stride:i*ym.Stride+c])
	}
	return &a.dx
}

// Dims returns 0, 0: ReLU keeps the width of its input.
func (a *ReLU) Dims() (in, out int) { return 0, 0 }

// String returns "ReLU".
func (a *ReLU) String() string { return "ReLU" }

// checkActivationGrad panics unless Forward has run and grad has the shape
// of the output y; it returns that shape.
func checkActivationGrad(name string, have bool, y, grad *mat.Dense) (r, c int) {
	if !have {
		misusePanic(name+".Backward", "called before Forward")
	}
	r, c = y.Dims()
	if gr, gc := grad.Dims(); gr != r || gc != c {
		shapePanic(name+".Backward", "gradient is %dx%d, output was %dx%d", gr, gc, r, c)
	}
	return r, c
}

// elementwise holds the state shared by the activations that act on each
// element on its own (Sigmoid, Tanh, LeakyReLU, GELU): the input of the last
// Forward, and the output and input-gradient buffers.
//
// Each per-element function takes a parameter k (the slope of LeakyReLU,
// unused by the others) so that the functions can be plain top-level
// functions: passing them costs no allocation, only an indirect call per
// element.
type elementwise struct {
	x     *mat.Dense // input of the last Forward, not owned
	y, dx mat.Dense
	have  bool

	f32 *elem32 // the float32 path's state, made by the first Forward32 (activation32.go)
}

// forward sets y = f(x, k) element-wise and returns y.
func (e *elementwise) forward(x *mat.Dense, f func(x, k float64) float64, k float64) *mat.Dense {
	r, c := x.Dims()
	reuse(&e.y, r, c)
	apply(&e.y, x, f, k)
	e.x = x
	e.have = true
	e.f32.reset()
	return &e.y
}

// predict is PredictInto of the activation l that applies f with parameter
// k: it sets dst = f(x, k) element-wise, panicking with an error wrapping
// ErrShape unless dst has x's shape.
func predict(l Layer, dst, x *mat.Dense, f func(x, k float64) float64, k float64) {
	checkPredictShapes(l, dst, x, 0, 0)
	apply(dst, x, f, k)
}

// apply sets y = f(x, k) element-wise; y has x's shape.
func apply(y, x *mat.Dense, f func(x, k float64) float64, k float64) {
	xm, ym := x.RawMatrix(), y.RawMatrix()
	for i := 0; i < xm.Rows; i++ {
		xs := xm.Data[i*xm.Stride : i*xm.Stride+xm.Cols]
		ys := ym.Data[i*ym.Stride : i*ym.Stride+xm.Cols]
		for j, v := range xs {
			ys[j] = f(v, k)
		}
	}
}

// backward sets dx = grad · df(x, y, k) element-wise, where df is the
// derivative of the activation given its input x and output y, and returns
// dx. It panics (through checkActivationGrad) if Forward has not run or grad
// does not have the shape of the last output.
func (e *elementwise) backward(name string, grad *mat.Dense, df func(x, y, k float64) float64, k float64) *mat.Dense {
	r, c := checkActivationGrad(name, e.have, &e.y, grad)
	reuse(&e.dx, r, c)
	gm, xm, ym, dm := grad.RawMatrix(), e.x.RawMatrix(), e.y.RawMatrix(), e.dx.RawMatrix()
	for i := 0; i < r; i++ {
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		xs := xm.Data[i*xm.Stride : i*xm.Stride+c]
		ys := ym.Data[i*ym.Stride : i*ym.Stride+c]
		ds := dm.Data[i*dm.Stride : i*dm.Stride+c]
		for j, g := range gs {
			ds[j] = g * df(xs[j], ys[j], k)
		}
	}
	return &e.dx
}

// Sigmoid is the logistic function σ(x) = 1/(1 + exp(-x)), applied
// element-wise; its derivative is σ(x)(1 - σ(x)). It is evaluated as
// exp(x)/(1 + exp(x)) for negative x, so no exponent is positive and
// σ(±1000) is exactly 1 or 0, never NaN. The zero value is ready to use.
//
// When a Sigmoid ends a network trained with BinaryCrossEntropy, Backprop
// skips Sigmoid.Backward and starts at its input with the exact gradient
// (p - y)/n.
type Sigmoid struct {
	e elementwise
}

var (
	_ Layer     = (*Sigmoid)(nil)
	_ Predictor = (*Sigmoid)(nil)
	_ Cloner    = (*Sigmoid)(nil)
)

func sigmoid(x, _ float64) float64 {
	if x >= 0 {
		return 1 / (1 + fmath.Exp(-x))
	}
	z := fmath.Exp(x)
	return z / (1 + z)
}

func sigmoidDeriv(_, y, _ float64) float64 { return y * (1 - y) }

// Forward returns σ(x) element-wise.
func (a *Sigmoid) Forward(x *mat.Dense) *mat.Dense { return a.e.forward(x, sigmoid, 0) }

// Backward returns grad · σ(x)(1 - σ(x)) element-wise, for the x of the last
// Forward.
func (a *Sigmoid) Backward(grad *mat.Dense) *mat.Dense {
	return a.e.backward("Sigmoid", grad, sigmoidDeriv, 0)
}

// PredictInto writes the output for x into dst, of x's shape, reading
// nothing of the layer. It panics with an error wrapping ErrShape if dst
// does not have x's shape.
func (a *Sigmoid) PredictInto(dst, x *mat.Dense, _ *Workspace) { predict(a, dst, x, sigmoid, 0) }

// CloneLayer returns a new Sigmoid. It never fails.
func (a *Sigmoid) CloneLayer() (Layer, error) { return &Sigmoid{}, nil }

// Dims returns 0, 0: Sigmoid keeps the width of its input.
func (a *Sigmoid) Dims() (in, out int) { return 0, 0 }

// String returns "Sigmoid".
func (a *Sigmoid) String() string { return "Sigmoid" }

// Probabilities returns SigmoidProbabilities: a Sigmoid's outputs are
// probabilities (see ProbabilityOutput).
func (a *Sigmoid) Probabilities() ProbabilityKind { return SigmoidProbabilities }

// Logits returns the input of the last Forward, nil before the first.
func (a *Sigmoid) Logits() *mat.Dense { return a.e.x }

// Tanh is the hyperbolic tangent y = tanh(x), applied element-wise; its
// derivative is 1 - y². The zero value is ready to use.
type Tanh struct {
	e elementwise
}

var (
	_ Layer     = (*Tanh)(nil)
	_ Predictor = (*Tanh)(nil)
	_ Cloner    = (*Tanh)(nil)
)

func tanh(x, _ float64) float64 { return fmath.Tanh(x) }

func tanhDeriv(_, y, _ float64) float64 { return 1 - float64(y*y) }

// Forward returns tanh(x) element-wise.
func (a *Tanh) Forward(x *mat.Dense) *mat.Dense { return a.e.forward(x, tanh, 0) }

// Backward returns grad · (1 - tanh²(x)) element-wise, for the x of the
// last Forward.
func (a *Tanh) Backward(grad *mat.Dense) *mat.Dense {
	return a.e.backward("Tanh", grad, tanhDeriv, 0)
}

// PredictInto writes the output for x into dst, of x's shape, reading
// nothing of the layer. It panics with an error wrapping ErrShape if dst
// does not have x's shape.
func (a *Tanh) PredictInto(dst, x *mat.Dense, _ *Workspace) { predict(a, dst, x, tanh, 0) }

// CloneLayer returns a new Tanh. It never fails.
func (a *Tanh) CloneLayer() (Layer, error) { return &Tanh{}, nil }

// Dims returns 0, 0: Tanh keeps the width of its input.
func (a *Tanh) Dims() (in, out int) { return 0, 0 }

// String returns "Tanh".
func (a *Tanh) String() string { return "Tanh" }

// DefaultLeakySlope is the slope LeakyReLU uses for negative inputs when
// its Slope field is zero, PyTorch's default negative_slope.
const DefaultLeakySlope = 0.01

// LeakyReLU is the leaky rectified linear unit, applied element-wise:
//
//	y = x          for x > 0
//	y = Slope · x  otherwise
//
// Its derivative is 1 for x > 0 and Slope otherwise (Slope at x = 0, as in
// PyTorch). As in PyTorch any slope is allowed, negative or above 1
// included.
//
// The zero value is ready to use and has slope DefaultLeakySlope (0.01):
// a zero Slope means the default, since a slope of exactly 0 is ReLU. For
// another slope set the field, &LeakyReLU{Slope: 0.2}.
type LeakyReLU struct {
	// Slope multiplies negative inputs; 0 means DefaultLeakySlope.
	Slope float64

	e elementwise
}

var (
	_ Layer     = (*LeakyReLU)(nil)
	_ Predictor = (*LeakyReLU)(nil)
	_ Cloner    = (*LeakyReLU)(nil)
)

// slope returns the slope in use, the default for a zero Slope.
func (a *LeakyReLU) slope() float64 {
	if a.Slope == 0 {
		return DefaultLeakySlope
	}
	return a.Slope
}

func leakyReLU(x, k float64) float64 {
	if x > 0 {
		return x
	}
	return k * x
}

func leakyReLUDeriv(x, _, k float64) float64 {
	if x > 0 {
		return 1
	}
	return k
}

// Forward returns x where x > 0 and Slope·x elsewhere.
func (a *LeakyReLU) Forward(x *mat.Dense) *mat.Dense {
	return a.e.forward(x, leakyReLU, a.slope())
}

// Backward returns grad where the last input was positive and Slope·grad
// elsewhere.
func (a *LeakyReLU) Backward(grad *mat.Dense) *mat.Dense {
	return a.e.backward("LeakyReLU", grad, leakyReLUDeriv, a.slope())
}

// PredictInto writes the output for x into dst, of x's shape, reading only
// the slope. It panics with an error wrapping ErrShape if dst does not have
// x's shape.
func (a *LeakyReLU) PredictInto(dst, x *mat.Dense, _ *Workspace) {
	predict(a, dst, x, leakyReLU, a.slope())
}

// CloneLayer returns a new LeakyReLU with the same Slope. It never fails.
func (a *LeakyReLU) CloneLayer() (Layer, error) { return &LeakyReLU{Slope: a.Slope}, nil }

// Dims returns 0, 0: LeakyReLU keeps the width of its input.
func (a *LeakyReLU) Dims() (in, out int) { return 0, 0 }

// String returns "LeakyReLU(slope)" with the slope in use, for example
// "LeakyReLU(0.01)" for the zero value.
func (a *LeakyReLU) String() string { return fmt.Sprintf("LeakyReLU(%g)", a.slope()) }

// GELU is the Gaussian error linear unit in its exact form (PyTorch's
// GELU with approximate="none"), applied element-wise:
//
//	y = x·Φ(x) = ½·x·(1 + erf(x/√2))
//
// where Φ is the standard normal distribution function. Its derivative is
// Φ(x) + x·φ(x), with φ(x) = exp(-x²/2)/√(2π) the normal density. Φ is
// computed as ½·erfc(-x/√2), the same function written so that it keeps
// full relative precision for negative x. The zero value is ready to use.
type GELU struct {
	e elementwise
}

var (
	_ Layer     = (*GELU)(nil)
	_ Predictor = (*GELU)(nil)
	_ Cloner    = (*GELU)(nil)
)

// normCDF returns Φ(x), the standard normal distribution function.
func normCDF(x float64) float64 { return float64(0.5 * fmath.Erfc(-x/math.Sqrt2)) }

func gelu(x, _ float64) float64 { return x * normCDF(x) }

func geluDeriv(x, _, _ float64) float64 {
	const invSqrt2Pi = 0.3989422804014327 // 1/√(2π)
	return normCDF(x) + float64(x*invSqrt2Pi*fmath.Exp(-0.5*x*x))
}

// Forward returns x·Φ(x) element-wise.
func (a *GELU) Forward(x *mat.Dense) *mat.Dense { return a.e.forward(x, gelu, 0) }

// Backward returns grad · (Φ(x) + x·φ(x)) element-wise, for the x of the
// last Forward.
func (a *GELU) Backward(grad *mat.Dense) *mat.Dense {
	return a.e.backward("GELU", grad, geluDeriv, 0)
}

// PredictInto writes the output for x into dst, of x's shape, reading
// nothing of the layer. It panics with an error wrapping ErrShape if dst
// does not have x's shape.
func (a *GELU) PredictInto(dst, x *mat.Dense, _ *Workspace) { predict(a, dst, x, gelu, 0) }

// CloneLayer returns a new GELU. It never fails.
func (a *GELU) CloneLayer() (Layer, error) { return &GELU{}, nil }

// Dims returns 0, 0: GELU keeps the width of its input.
func (a *GELU) Dims() (in, out int) { return 0, 0 }

// String returns "GELU".
func (a *GELU) String() string { return "GELU" }
