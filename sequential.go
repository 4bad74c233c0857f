package mlp

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Sequential chains layers: the output of each is the input of the next. It
// holds no criterion; Backprop combines a model with a Loss, and a Trainer
// ties model, criterion and optimizer.
//
// Training a Sequential (Forward, Backward, Backprop, an optimizer's Step,
// SetLayer, SetTraining) is not safe for concurrent use. Prediction is: see
// Predict.
type Sequential struct {
	layers []Layer
	in     int
	outW   int
	widths []int // output width of each layer
	evenW  int   // the largest output width of layers 0, 2, 4, ...
	oddW   int   // the largest output width of layers 1, 3, 5, ...
	eval   bool
	out    *mat.Dense // output of the last Forward
	dx     *mat.Dense // input gradient of the last backward pass
	f32    *seq32     // the float32 path's buffers, nil until first used (sequential32.go)

	version uint64 // counts the changes made by SetLayer
	change  string // what the last SetLayer changed, for messages

	// busy counts the training calls (Forward, Backward, SetLayer) in
	// progress; prediction reads it to report a model trained while it
	// predicts. It is written by training only, so prediction writes
	// nothing shared.
	busy atomic.Int32

	serial bool       // some layer does not implement Predictor
	mu     sync.Mutex // runs the layers without Predictor one call at a time

	// Each prediction in progress has a workspace: the one in spare, kept
	// across garbage collections so that steady-state prediction allocates
	// nothing, or one from pool when several run at once.
	spare atomic.Pointer[Workspace]
	pool  sync.Pool
}

// NewSequential returns a model made of layers, in order, in training mode.
// It returns an error wrapping ErrShape if two layers with fixed widths do
// not chain (the message names both), there are no layers, a layer is nil
// (a nil interface or a nil pointer such as (*Linear)(nil)) or none of them
// fixes the input width, and one wrapping ErrSetting if the same layer
// instance appears twice (the message names both positions: a layer keeps
// the input of its last Forward for its Backward, so one instance cannot
// serve two places).
func NewSequential(layers ...Layer) (*Sequential, error) {
	s := &Sequential{}
	if err := s.setLayers("NewSequential", append([]Layer(nil), layers...)); err != nil {
		return nil, err
	}
	return s, nil
}

// setLayers makes layers, which the model owns from then on, the model's
// layers, or returns the error of chain.
func (s *Sequential) setLayers(where string, layers []Layer) error {
	in, out, err := chain(where, layers)
	if err != nil {
		return err
	}
	widths := make([]int, len(layers))
	serial, w, even, odd := false, in, 0, 0
	for i, l := range layers {
		if _, o := l.Dims(); o != 0 {
			w = o
		}
		widths[i] = w
		if i%2 == 0 {
			even = max(even, w)
		} else {
			odd = max(odd, w)
		}
		if _, ok := l.(Predictor); !ok {
			serial = true
		}
	}
	s.layers, s.in, s.outW, s.widths, s.serial = layers, in, out, widths, serial
	s.f32 = nil
	s.evenW, s.oddW = even, odd
	return nil
}

// chain returns the input width of the first layer with a fixed width and
// the output width of the last, or an error starting with where if there are
// no layers, one is nil, one instance appears twice, two do not chain or none
// fixes the input width.
func chain(where string, layers []Layer) (in, out int, err error) {
	if len(layers) == 0 {
		return 0, 0, fmt.Errorf("%w: %s: no layers", ErrShape, where)
	}
	seen := make(map[Layer]int, len(layers))
	width, prev := 0, -1
	for i, l := range layers {
		if isNil(l) {
			return 0, 0, fmt.Errorf("%w: %s: layer %d is nil", ErrShape, where, i)
		}
		if instance(l) {
			if j, ok := seen[l]; ok {
				return 0, 0, fmt.Errorf("%w: %s: layers %d and %d are the same %v instance; give each place a layer of its own",
					ErrSetting, where, j, i, l)
			}
			seen[l] = i
		}
		li, lo := l.Dims()
		if li == 0 {
			continue
		}
		if prev < 0 {
			in = li
		} else if li != width {
			return 0, 0, fmt.Errorf("%w: %s: layer %d %v takes %d inputs but layer %d %v gives %d",
				ErrShape, where, i, l, li, prev, layers[prev], width)
		}
		width, prev = lo, i
	}
	if prev < 0 {
		return 0, 0, fmt.Errorf("%w: %s: no layer fixes the input width", ErrShape, where)
	}
	return in, width, nil
}

// instance reports whether l is a pointer to memory of its own, which two
// places of one model must not share. Pointers to zero-size values hold no
// state (and may compare equal although made apart), and layers of other
// kinds are copied with the interface value.
func instance(l Layer) bool {
	t := reflect.TypeOf(l)
	return t.Kind() == reflect.Pointer && t.Elem().Size() > 0
}

// check returns an error wrapping ErrShape, starting with where, unless the
// layers still chain with the widths the model was made with (a user's
// layer could change its Dims).
func (s *Sequential) check(where string) error {
	in, out, err := chain(where, s.layers)
	if err != nil {
		return err
	}
	if in != s.in || out != s.outW {
		return fmt.Errorf("%w: %s: the layers now take %d and give %d columns; the model was made taking %d and giving %d",
			ErrShape, where, in, out, s.in, s.outW)
	}
	return nil
}

// Layers returns the model's layers, in order, in a new slice: changing the
// slice does not change the model (SetLayer does). The layers themselves are
// the model's own.
func (s *Sequential) Layers() []Layer { return append([]Layer(nil), s.layers...) }

// SetLayer replaces layer i with l, which takes the model's training or
// evaluation mode. The layers must still chain, and l must not be another
// layer of the model; the model's input and output widths may change.
// It returns an error wrapping ErrSetting if i is out of range or l is
// already in the model at another position, and one wrapping ErrShape if l
// is nil or the widths no longer chain; the model is unchanged then.
//
// Replacing a layer changes the model's parameters: an optimizer or Trainer
// made before holds the old ones, and Trainer.Fit and Evaluate return an
// error instead of training them. Make a new optimizer and Trainer after
// SetLayer. SetLayer must not run while the model predicts or trains.
func (s *Sequential) SetLayer(i int, l Layer) error {
	if s == nil || len(s.layers) == 0 {
		return fmt.Errorf("%w: SetLayer: the model is nil or has no layers; make it with NewSequential", ErrSetting)
	}
	if i < 0 || i >= len(s.layers) {
		return fmt.Errorf("%w: SetLayer: index %d out of range for a model of %d layers", ErrSetting, i, len(s.layers))
	}
	old := s.layers[i]
	if !isNil(l) && instance(l) && l == old {
		return nil
	}
	layers := s.Layers()
	layers[i] = l
	s.busy.Add(1)
	defer s.busy.Add(-1)
	if err := s.setLayers(fmt.Sprintf("SetLayer(%d)", i), layers); err != nil {
		return err
	}
	if t, ok := l.(TrainingModer); ok {
		t.SetTraining(!s.eval)
	}
	s.out, s.dx = nil, nil
	s.version++
	s.change = fmt.Sprintf("layer %d %v was replaced by %v", i, old, l)
	return nil
}

// changedSince returns an error wrapping ErrSetting, starting with where,
// if SetLayer has changed the model since it had version v.
func (s *Sequential) changedSince(where string, v uint64) error {
	if s.version == v {
		return nil
	}
	return fmt.Errorf("%w: %s: the model changed after the Trainer was made (%s): the Trainer and its optimizer hold the old parameters; make a new optimizer and Trainer for the changed model",
		ErrSetting, where, s.change)
}

// InputSize returns the number of input columns the model takes.
func (s *Sequential) InputSize() int { return s.in }

// OutputSize returns the number of output columns the model gives.
func (s *Sequential) OutputSize() int { return s.outW }

// String describes the architecture, for example
// "Sequential(Linear(4->16), ReLU, Linear(16->3), Softmax)".
func (s *Sequential) String() string {
	if s == nil {
		return "Sequential(<nil>)"
	}
	var b strings.Builder
	b.WriteString("Sequential(")
	for i, l := range s.layers {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.String())
	}
	b.WriteString(")")
	return b.String()
}

// Params returns the parameters of every layer that has some (see
// Parameterized), in layer order.
func (s *Sequential) Params() []Param {
	var ps []Param
	for _, l := range s.layers {
		ps = append(ps, layerParams(l)...)
	}
	return ps
}

// layerParams returns the parameters of l, nil if it has none.
func layerParams(l Layer) []Param {
	if p, ok := l.(Parameterized); ok {
		return p.Params()
	}
	return nil
}

// SetTraining switches every layer that behaves differently in training and
// evaluation (see TrainingModer) to training mode (true) or evaluation mode
// (false). A new model is in training mode. Prediction does not depend on
// the mode: it always runs in evaluation mode.
func (s *Sequential) SetTraining(training bool) {
	s.eval = !training
	for _, l := range s.layers {
		if t, ok := l.(TrainingModer); ok {
			t.SetTraining(training)
		}
	}
}

// Training reports whether the model is in training mode.
func (s *Sequential) Training() bool { return !s.eval }

// Forward runs x through every layer and returns the last layer's output,
// owned by that layer and valid until the next Forward. It panics with an
// error wrapping ErrShape if x does not have InputSize columns. Forward is
// the training path: it writes every layer's buffers, and must not run
// while the model predicts (see Predict).
func (s *Sequential) Forward(x *mat.Dense) *mat.Dense {
	if s == nil || x == nil {
		misusePanic("Sequential.Forward", "nil model or input")
	}
	if _, c := x.Dims(); c != s.in {
		shapePanic("Sequential.Forward", "input is %s, the model takes %d columns", dimsOf(x), s.in)
	}
	s.busy.Add(1)
	defer s.busy.Add(-1)
	for _, l := range s.layers {
		x = l.Forward(x)
	}
	s.out = x
	return x
}

// Backward takes dLoss/dOutput for the batch of the last Forward,
// propagates it through every layer, filling the parameter gradients, and
// returns dLoss/dInput.
func (s *Sequential) Backward(grad *mat.Dense) *mat.Dense {
	return s.backwardFrom(len(s.layers)-1, grad, true)
}

// backwardFrom propagates grad, the gradient with respect to the output of
// layer i, back through layers i, i-1, ..., 0. With inputGrad false, a
// first layer that can fill its parameter gradients alone (Linear) skips
// computing dLoss/dInput, and backwardFrom returns nil.
func (s *Sequential) backwardFrom(i int, grad *mat.Dense, inputGrad bool) *mat.Dense {
	s.busy.Add(1)
	defer s.busy.Add(-1)
	for ; i >= 0; i-- {
		if i == 0 && !inputGrad {
			if l, ok := s.layers[0].(interface{ backwardParams(*mat.Dense) }); ok {
				l.backwardParams(grad)
				s.dx = nil
				return nil
			}
		}
		grad = s.layers[i].Backward(grad)
	}
	s.dx = grad
	return grad
}

// InputGrad returns dLoss/dInput computed by the last Backward or Backprop,
// owned by the first layer and valid until the next backward pass; nil
// before the first. The steps of Trainer.Fit do not compute it: after them
// it is nil when the first layer is a Linear, and always after a float32
// step (TrainerSettings.DType Float32).
func (s *Sequential) InputGrad() *mat.Dense { return s.dx }

// Clone returns a deep copy of s, made layer by layer through each layer's
// CloneLayer (see Cloner): the same layers with the same parameters, bit for
// bit, and buffers of their own, in the same training or evaluation mode.
// The copy shares nothing with s: training either afterwards does not change
// the other. A Dropout of the copy draws the masks the original would draw
// next (it copies the state of the random source).
//
// It returns an error wrapping ErrSetting naming the layer and its type if a
// layer does not implement Cloner or cannot be copied. Clone reads s only:
// several goroutines may clone or predict with one model at once.
func (s *Sequential) Clone() (*Sequential, error) {
	if s == nil || len(s.layers) == 0 {
		return nil, fmt.Errorf("%w: Clone: the model is nil or has no layers; make it with NewSequential", ErrSetting)
	}
	layers := make([]Layer, len(s.layers))
	for i, l := range s.layers {
		c, ok := l.(Cloner)
		if !ok {
			return nil, fmt.Errorf("%w: Clone: layer %d %v is a %T, which does not implement Cloner", ErrSetting, i, l, l)
		}
		cl, err := c.CloneLayer()
		if err != nil {
			return nil, fmt.Errorf("mlp: Clone: layer %d %v: %w", i, l, err)
		}
		if isNil(cl) || (instance(cl) && cl == l) {
			return nil, fmt.Errorf("%w: Clone: layer %d %v: CloneLayer of %T returned nil or the layer itself", ErrSetting, i, l, l)
		}
		layers[i] = cl
	}
	c := &Sequential{eval: s.eval}
	if err := c.setLayers("Clone", layers); err != nil {
		return nil, err
	}
	return c, nil
}

// Backprop computes crit's loss of the output of m's last Forward against y,
// then propagates its gradient back through every layer of m, filling the
// gradients of all parameters. When crit has an exact gradient with respect
// to the input of m's final layer (CrossEntropy after Softmax), the backward
// pass starts there and the final layer's Backward is skipped.
//
// It returns the loss. It panics (ErrMisuse) if Forward has not been called
// since the model was made or changed, and if y does not fit the output; it
// allocates nothing in steady state.
func Backprop(m *Sequential, crit Loss, y Targets) float64 {
	if m == nil || isNil(crit) {
		misusePanic("Backprop", "nil model or loss")
	}
	return backprop(m, crit, y, true)
}

// backprop is Backprop; with inputGrad false it leaves out the gradient
// with respect to the model's input where it can (see
// Sequential.backwardFrom), which a training step does not need.
func backprop(m *Sequential, crit Loss, y Targets, inputGrad bool) float64 {
	out := m.out
	if out == nil {
		misusePanic("Backprop", "called before Sequential.Forward")
	}
	last := len(m.layers) - 1
	loss := criterionLoss(crit, m.layers[last], out, y)
	if f, ok := crit.(fusedLoss); ok {
		if g := f.fusedGrad(m.layers[last], out, y); g != nil {
			m.backwardFrom(last-1, g, inputGrad)
			return loss
		}
	}
	m.backwardFrom(last, crit.Grad(out, y), inputGrad)
	return loss
}
