package mlp

import (
	"encoding"
	"fmt"
	"math/rand/v2"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// Dropout zeroes each input element with probability p during training and
// scales the kept elements by 1/(1-p) (inverted dropout, as PyTorch's
// nn.Dropout), so that the expected output equals the input:
//
//	y = x · m / (1-p),  m ~ Bernoulli(1-p) drawn anew for every element
//	    of every Forward
//
// In evaluation mode Dropout is the identity: Forward returns x itself and
// Backward returns grad itself, not copies, so the next layer reads the
// previous layer's buffer.
//
// A new Dropout is in training mode; SetTraining(false) switches it to
// evaluation, and Sequential.SetTraining does so for every Dropout of a
// model. Backward uses the mode and the mask of the last Forward. The mask
// is drawn from a rand.Rand made once from the constructor's source, one
// Float64 per element in row-major order, so the same source gives the same
// masks. Forward and Backward allocate nothing in steady state. A Dropout
// is not safe for concurrent use.
type Dropout struct {
	p     float64
	scale float64 // 1/(1-p)
	src   rand.Source
	rng   *rand.Rand // draws from src
	eval  bool

	mask  mat.Dense // scale where kept, 0 where dropped
	y, dx mat.Dense
	out   *mat.Dense // output of the last Forward: &y, or its input in evaluation mode
	ident bool       // the last Forward ran in evaluation mode

	f32 *dropout32 // the float32 path's state, made by the first Forward32 (dropout32.go)
}

var (
	_ Layer         = (*Dropout)(nil)
	_ TrainingModer = (*Dropout)(nil)
	_ Predictor     = (*Dropout)(nil)
	_ Cloner        = (*Dropout)(nil)
)

// NewDropout returns a Dropout layer in training mode that drops each
// element with probability p, drawing its masks from src. It returns an
// error wrapping ErrSetting if p is not in [0, 1) or src is nil.
func NewDropout(p float64, src rand.Source) (*Dropout, error) {
	if !(p >= 0 && p < 1) {
		return nil, fmt.Errorf("%w: NewDropout: probability %v is not in [0, 1)", ErrSetting, p)
	}
	if src == nil {
		return nil, fmt.Errorf("%w: NewDropout: nil random source", ErrSetting)
	}
	return &Dropout{p: p, scale: 1 / (1 - p), src: src, rng: rand.New(src)}, nil
}

// CloneLayer returns a new Dropout with the same probability and mode,
// whose random source is a copy of this one's: it draws the masks this
// layer would draw next. The source is copied through its MarshalBinary and
// UnmarshalBinary methods, which math/rand/v2's PCG and ChaCha8 have; for a
// source without them CloneLayer returns an error wrapping ErrSetting
// naming its type.
func (d *Dropout) CloneLayer() (Layer, error) {
	src, err := copySource(d.src)
	if err != nil {
		return nil, err
	}
	return &Dropout{p: d.p, scale: d.scale, src: src, rng: rand.New(src), eval: d.eval}, nil
}

// copySource returns a new source in the state of src, through its binary
// marshalling.
func copySource(src rand.Source) (rand.Source, error) {
	m, ok := src.(encoding.BinaryMarshaler)
	t := reflect.TypeOf(src)
	if !ok || t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("%w: the random source %T cannot be copied: it is not a pointer with MarshalBinary and UnmarshalBinary methods",
			ErrSetting, src)
	}
	c, ok := reflect.New(t.Elem()).Interface().(interface {
		rand.Source
		encoding.BinaryUnmarshaler
	})
	if !ok {
		return nil, fmt.Errorf("%w: the random source %T cannot be copied: it has no UnmarshalBinary method", ErrSetting, src)
	}
	state, err := m.MarshalBinary()
	if err == nil {
		err = c.UnmarshalBinary(state)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: copying the random source %T: %w", ErrSetting, src, err)
	}
	return c, nil
}

// P returns the probability that an element is dropped in training mode.
func (d *Dropout) P() float64 { return d.p }

// SetTraining switches the layer to training mode (true), where it drops
// elements, or evaluation mode (false), where it is the identity.
func (d *Dropout) SetTraining(training bool) { d.eval = !training }

// Training reports whether the layer is in training mode.
func (d *Dropout) Training() bool { return !d.eval }

// Forward returns x with each element dropped with probability p and the
// others multiplied by 1/(1-p) in training mode, and x itself in evaluation
// mode. In training mode it draws one random number per element.
func (d *Dropout) Forward(x *mat.Dense) *mat.Dense {
	if d.f32 != nil {
		d.f32.have = false
	}
	if d.eval {
		d.ident, d.out = true, x
		return x
	}
	d.ident, d.out = false, &d.y
	r, c := x.Dims()
	reuse(&d.mask, r, c)
	reuse(&d.y, r, c)
	xm, mm, ym := x.RawMatrix(), d.mask.RawMatrix(), d.y.RawMatrix()
	for i := 0; i < r; i++ {
		xs := xm.Data[i*xm.Stride : i*xm.Stride+c]
		ms := mm.Data[i*mm.Stride : i*mm.Stride+c]
		ys := ym.Data[i*ym.Stride : i*ym.Stride+c]
		for j, v := range xs {
			if d.rng.Float64() < d.p {
				ms[j] = 0
			} else {
				ms[j] = d.scale
			}
			ys[j] = v * ms[j]
		}
	}
	return &d.y
}

// PredictInto copies x into dst, of x's shape: in evaluation mode Dropout
// is the identity, whatever the layer's mode. It reads nothing of the
// layer, and panics with an error wrapping ErrShape if dst does not have
// x's shape.
func (d *Dropout) PredictInto(dst, x *mat.Dense, _ *Workspace) {
	checkPredictShapes(d, dst, x, 0, 0)
	dst.Copy(x)
}

// Backward returns grad multiplied by the mask of the last Forward (0 for
// dropped elements, 1/(1-p) for kept ones), or grad itself if the last
// Forward ran in evaluation mode. It panics if Forward has not run or grad
// does not have the shape of the last output.
func (d *Dropout) Backward(grad *mat.Dense) *mat.Dense {
	r, c := checkActivationGrad("Dropout", d.out != nil, d.out, grad)
	if d.ident {
		return grad
	}
	reuse(&d.dx, r, c)
	gm, mm, dm := grad.RawMatrix(), d.mask.RawMatrix(), d.dx.RawMatrix()
	for i := 0; i < r; i++ {
		gs := gm.Data[i*gm.Stride : i*gm.Stride+c]
		ms := mm.Data[i*mm.Stride : i*mm.Stride+c]
		ds := dm.Data[i*dm.Stride : i*dm.Stride+c]
		for j, g := range gs {
			ds[j] = g * ms[j]
		}
	}
	return &d.dx
}

// Dims returns 0, 0: Dropout keeps the width of its input.
func (d *Dropout) Dims() (in, out int) { return 0, 0 }

// String returns "Dropout(p)", for example "Dropout(0.5)".
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(%g)", d.p) }
