package mlp

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Initializer draws the initial values of a weight matrix.
//
// Init overwrites every entry of w, an in×out weight matrix as Linear holds
// it (rows are inputs), so fanIn is its number of rows and fanOut its number
// of columns. It draws from rng in row-major order, so the same rng state
// gives the same matrix. It panics with an error wrapping ErrShape if w is
// empty.
//
// The initializers of this package are empty structs, comparable and safe
// for concurrent use (the rng is not).
type Initializer interface {
	Init(w *mat.Dense, rng *rand.Rand)
}

var (
	_ Initializer = UniformInit{}
	_ Initializer = XavierUniform{}
	_ Initializer = HeUniform{}
	_ Initializer = HeNormal{}
)

// UniformInit draws weights from U(-1/√fanIn, 1/√fanIn), the distribution
// NewLinear uses and PyTorch's nn.Linear default for its weights. Each
// entry is (2u - 1)/√fanIn for u = rng.Float64(), exactly as NewLinear
// computes it, so NewLinearInit(in, out, UniformInit{}, src) and
// NewLinear(in, out, src) give the same weights bit for bit.
type UniformInit struct{}

// Init fills w from U(-1/√fanIn, 1/√fanIn).
func (UniformInit) Init(w *mat.Dense, rng *rand.Rand) {
	fanIn, _ := fans("UniformInit", w)
	fillUniform(w, rng, 1/math.Sqrt(float64(fanIn)))
}

// XavierUniform draws weights from U(-a, a) with a = √(6/(fanIn+fanOut)),
// Glorot and Bengio's initialization for tanh and sigmoid networks, as
// PyTorch's nn.init.xavier_uniform_ with gain 1.
type XavierUniform struct{}

// Init fills w from U(-√(6/(fanIn+fanOut)), √(6/(fanIn+fanOut))).
func (XavierUniform) Init(w *mat.Dense, rng *rand.Rand) {
	fanIn, fanOut := fans("XavierUniform", w)
	fillUniform(w, rng, math.Sqrt(6/float64(fanIn+fanOut)))
}

// HeUniform draws weights from U(-a, a) with a = √(6/fanIn), He et al.'s
// initialization for ReLU networks (variance 2/fanIn), as PyTorch's
// nn.init.kaiming_uniform_ with nonlinearity "relu" and mode "fan_in".
type HeUniform struct{}

// Init fills w from U(-√(6/fanIn), √(6/fanIn)).
func (HeUniform) Init(w *mat.Dense, rng *rand.Rand) {
	fanIn, _ := fans("HeUniform", w)
	fillUniform(w, rng, math.Sqrt(6/float64(fanIn)))
}

// HeNormal draws weights from N(0, 2/fanIn), He et al.'s initialization for
// ReLU networks, as PyTorch's nn.init.kaiming_normal_ with nonlinearity
// "relu" and mode "fan_in". Each entry is rng.NormFloat64()·√(2/fanIn).
type HeNormal struct{}

// Init fills w from N(0, 2/fanIn).
func (HeNormal) Init(w *mat.Dense, rng *rand.Rand) {
	fanIn, _ := fans("HeNormal", w)
	std := math.Sqrt(2 / float64(fanIn))
	wm := w.RawMatrix()
	for i := 0; i < wm.Rows; i++ {
		row := wm.Data[i*wm.Stride : i*wm.Stride+wm.Cols]
		for j := range row {
			row[j] = rng.NormFloat64() * std
		}
	}
}

// fans returns the fan-in (rows) and fan-out (columns) of w, and panics if
// w is empty.
func fans(name string, w *mat.Dense) (fanIn, fanOut int) {
	if w.IsEmpty() {
		shapePanic(name+".Init", "weight matrix is empty")
	}
	return w.Dims()
}

// fillUniform sets every entry of w to (2u - 1)·bound, u = rng.Float64(), in
// row-major order: the formula of NewLinear.
func fillUniform(w *mat.Dense, rng *rand.Rand, bound float64) {
	wm := w.RawMatrix()
	for i := 0; i < wm.Rows; i++ {
		row := wm.Data[i*wm.Stride : i*wm.Stride+wm.Cols]
		for j := range row {
			row[j] = (2*rng.Float64() - 1) * bound
		}
	}
}

// zeroSource is a rand.Source that always returns 0. NewLinearInit gives
// it to NewLinear, whose draw it then overwrites, so that the caller's
// source is used by init alone.
type zeroSource struct{}

func (zeroSource) Uint64() uint64 { return 0 }

// NewLinearInit returns a Linear layer from in to out columns whose weights
// init draws from rand.New(src), with the bias set to zero. A nil init means
// UniformInit{}, which gives the same layer as NewLinear(in, out, src). It
// panics with an error wrapping ErrMisuse if in or out is not positive or
// src is nil, as NewLinear does.
func NewLinearInit(in, out int, init Initializer, src rand.Source) *Linear {
	if isNil(src) {
		misusePanic("NewLinearInit", "nil random source; pass one such as rand.NewPCG(seed, seq)")
	}
	l := NewLinear(in, out, zeroSource{})
	if init == nil {
		init = UniformInit{}
	}
	init.Init(l.Weights(), rand.New(src))
	return l
}
