package mlp

import (
	"fmt"
	"math/bits"
)

// The default ModelLimits, the limits Load enforces.
const (
	// DefaultMaxLayers is the default cap on the number of layers.
	DefaultMaxLayers = 1024
	// DefaultMaxWidth is the default cap on the input or output width of
	// any layer.
	DefaultMaxWidth = 1 << 16
	// DefaultMaxParams is the default cap on the weights and biases of all
	// layers together: 2^26, 512 MiB of float64.
	DefaultMaxParams = 1 << 26
	// DefaultMaxRowFloats is the default cap on the activation floats one
	// input row needs: 2^17, 1 MiB per row.
	DefaultMaxRowFloats = 1 << 17
)

// ModelLimits caps what a model may cost to hold and to run. Load enforces
// the defaults (LoadWithLimits takes others), and programs that build a
// model from user settings (hidden widths from a command line, say) check
// them with CheckWidths before allocating anything. A zero field means its
// default; a negative one is an error.
//
// Memory follows from the caps: the parameters take 8·Params bytes (a
// Linear layer also keeps their gradients, and its backward pass a
// transposed copy of W: at most 3·8·Params bytes for training, plus the
// optimizer's state), and every layer keeps an output buffer of one float64
// per output element, so a training batch of b rows takes 8·b·RowFloats
// bytes for the outputs and as much for the gradients: 2 MiB a row at the
// default caps. Prediction alternates two buffers of at most 8 MiB each
// (or one row of the widest layer, 512 KiB at the default width cap),
// whatever the number of rows.
type ModelLimits struct {
	// MaxLayers caps the number of layers, activations included; 0 means
	// DefaultMaxLayers (1024).
	MaxLayers int
	// MaxWidth caps the input and output width of every layer; 0 means
	// DefaultMaxWidth (65536).
	MaxWidth int
	// MaxParams caps the weights and biases of all layers together; 0
	// means DefaultMaxParams (2^26).
	MaxParams int
	// MaxRowFloats caps the sum, over the layers, of the width of each
	// layer's output: the float64 values one input row occupies in the
	// layers' output buffers. 0 means DefaultMaxRowFloats (2^17).
	MaxRowFloats int
}

// withDefaults returns l with zero fields set to their defaults, or an
// error wrapping ErrSetting for a negative field.
func (l ModelLimits) withDefaults() (ModelLimits, error) {
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"MaxLayers", &l.MaxLayers, DefaultMaxLayers},
		{"MaxWidth", &l.MaxWidth, DefaultMaxWidth},
		{"MaxParams", &l.MaxParams, DefaultMaxParams},
		{"MaxRowFloats", &l.MaxRowFloats, DefaultMaxRowFloats},
	} {
		switch {
		case *f.v < 0:
			return l, fmt.Errorf("%w: ModelLimits.%s is %d; want >= 0 (0 means %d)", ErrSetting, f.name, *f.v, f.def)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	return l, nil
}

// CheckWidths returns an error unless the multilayer perceptron of the
// given widths fits l: widths are the input width, the hidden widths and
// the output width (at least two), and the model is taken to be a Linear
// layer from each width to the next, each followed by one activation
// (2·(len(widths)−1) layers). It allocates nothing and does not overflow,
// whatever the widths.
//
// The error wraps ErrSetting for fewer than two widths, a width below 1 or
// a negative field of l, and ErrTooLarge, naming the cap and the value, for
// a model that exceeds l.
func (l ModelLimits) CheckWidths(widths []int) error {
	l, err := l.withDefaults()
	if err != nil {
		return err
	}
	if len(widths) < 2 {
		return fmt.Errorf("%w: a model needs an input and an output width, got %d widths", ErrSetting, len(widths))
	}
	var t sizeTally
	for i, w := range widths {
		if w < 1 {
			return fmt.Errorf("%w: width %d (position %d) is below 1", ErrSetting, w, i)
		}
		if i == 0 {
			continue
		}
		t.linear(widths[i-1], w)
		t.layer(w) // the activation
	}
	return t.check(l, theModel)
}

// CheckModel returns an error wrapping ErrTooLarge unless m fits l (its
// layers, widths, parameters and activation floats per row as defined by
// the fields of ModelLimits), or wrapping ErrSetting if m is nil or a field
// of l is negative.
func (l ModelLimits) CheckModel(m *Sequential) error {
	l, err := l.withDefaults()
	if err != nil {
		return err
	}
	if m == nil || len(m.layers) == 0 {
		return fmt.Errorf("%w: the model is nil or has no layers", ErrSetting)
	}
	t := tallyModel(m)
	return t.check(l, theModel)
}

// tallyModel returns what the layers of m cost.
func tallyModel(m *Sequential) sizeTally {
	t := sizeTally{width: uint64(m.in)}
	for _, layer := range m.layers {
		if in, out := layer.Dims(); in != 0 {
			t.linear(in, out)
		} else {
			t.layer(int(t.width))
		}
	}
	return t
}

// sizeTally adds up what a chain of layers costs, saturating at the
// largest uint64 instead of overflowing.
type sizeTally struct {
	layers, widest, params, rowFloats uint64
	width                             uint64 // the width after the last layer
}

// linear adds a layer with in·out weights and out biases.
func (t *sizeTally) linear(in, out int) {
	hi, lo := bits.Mul64(uint64(in)+1, uint64(out))
	if hi != 0 {
		lo = 1<<64 - 1
	}
	t.params = satAdd(t.params, lo)
	t.widest = max(t.widest, uint64(in))
	t.layer(out)
}

// layer adds a layer whose output is width wide.
func (t *sizeTally) layer(width int) {
	t.layers++
	t.width = uint64(width)
	t.widest = max(t.widest, t.width)
	t.rowFloats = satAdd(t.rowFloats, t.width)
}

// check returns an error wrapping ErrTooLarge for the first cap of l that
// t exceeds; what() names the model in the message (it is called only to
// make the error, so that a check that passes allocates nothing).
func (t *sizeTally) check(l ModelLimits, what func() string) error {
	for _, c := range []struct {
		v      uint64
		cap    int
		format string
	}{
		{t.layers, l.MaxLayers, "%s%d layers, more than ModelLimits.MaxLayers %d"},
		{t.widest, l.MaxWidth, "%sa layer %d wide, more than ModelLimits.MaxWidth %d"},
		{t.params, l.MaxParams, "%s%d parameters, more than ModelLimits.MaxParams %d"},
		{t.rowFloats, l.MaxRowFloats, "%s%d activation floats per input row, more than ModelLimits.MaxRowFloats %d"},
	} {
		if c.v > uint64(c.cap) {
			return fmt.Errorf("%w: "+c.format, ErrTooLarge, what()+" has ", c.v, c.cap)
		}
	}
	return nil
}

func theModel() string { return "the model" }

// satAdd returns a+b, or the largest uint64 if that overflows.
func satAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 1<<64 - 1
	}
	return s
}
