package mlp

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/modelfile"
)

func init() {
	modelfile.ReadNetwork = func(d *modelfile.Decoder) (any, error) {
		lim, _ := ModelLimits{}.withDefaults()
		return (&netReader{d: d, lim: lim}).lastNetwork()
	}
	modelfile.NetworkSize = func(s any) (int, error) { return s.(*Sequential).layersSize() }
	modelfile.WriteNetwork = func(e *modelfile.Encoder, s any) error { return s.(*Sequential).writeLayers(e) }
}

// Load reads a model written by Save (the format is documented there) and
// returns it in evaluation mode, ready to predict; call SetTraining(true)
// to train it further.
//
// A loaded Dropout layer, which needs a random source, draws its masks from
// rand.NewPCG(0x4d4c504d4f44454c, i), where i is the layer's index in the
// model (from 0) and the first seed is "MLPMODEL" read as a big-endian
// uint64: the same file gives the same masks. To train with another source,
// replace the layer: d, _ := mlp.NewDropout(p, src); err := m.SetLayer(i, d).
//
// Load reads r to its end: bytes after the checksum are an error. A file
// that is not a valid model gives an error wrapping ErrFormat that says what
// is wrong and where, with layers numbered from 0 and byte offsets from the
// start of the file: a wrong magic, a version other than 1 (version 2, a pipeline, is an
// error naming tabular.LoadPipeline), a truncated
// section, a layer count or Linear size of 0 or above the caps (65536
// layers, 2^26 weights in one Linear), an unknown kind tag, a NaN or Inf
// weight, bias, slope or probability, a LeakyReLU slope of 0, a Dropout
// probability outside [0, 1), a Linear whose input width differs from the
// width the layers before it give, a model without Linear layer (the error
// of NewSequential, wrapped), a checksum that does not match, or trailing
// bytes. An error from r other than io.EOF is returned wrapped, with the
// offset, and does not wrap ErrFormat; so is an error wrapping
// io.ErrNoProgress when 100 calls of r.Read in a row return no bytes and no
// error. A nil r (a nil interface or a nil pointer) is an error wrapping
// ErrFormat.
//
// Load enforces the default ModelLimits (1024 layers, a width of 65536,
// 2^26 parameters, 2^17 activation floats per input row), so that what a
// loaded model costs to run is bounded too: a training batch of b rows
// keeps about 16·b·2^17 bytes of layer outputs and gradients (2 MiB a
// row), and prediction's workspace is at most two buffers of 8 MiB (or of
// one row of the widest layer, 512 KiB at the width cap) whatever the
// number of rows. A model
// beyond them is refused, before its weights are allocated, with an error
// wrapping ErrFormat and ErrTooLarge that names the cap; LoadWithLimits
// takes other limits.
//
// Load never panics on its input, and what it allocates is bounded by what
// r holds, never by the sizes a file claims: weights are read in chunks of
// 4 KiB into a slice that grows as they arrive, so a file that claims 2^25
// weights and ends after 100 bytes fails having allocated a few KiB. A file
// of N bytes costs at most 4.5·N bytes plus 384 KiB of allocation
// (TestLoadAllocationBound measures it).
func Load(r io.Reader) (*Sequential, error) {
	return LoadWithLimits(r, ModelLimits{})
}

// LoadWithLimits is Load with other limits than the defaults: a model that
// exceeds lim is refused with an error wrapping ErrFormat and ErrTooLarge
// before its layers are allocated, or one wrapping ErrSetting if a field of
// lim is negative.
func LoadWithLimits(r io.Reader, lim ModelLimits) (*Sequential, error) {
	d, v, err := newDecoder("Load", r, lim)
	if err != nil {
		return nil, err
	}
	if v >= modelfile.VersionPipeline {
		return nil, d.d.Errorf("version %d is a pipeline file (preprocessing and network); read it with tabular.LoadPipeline", v)
	}
	return d.lastNetwork()
}

// newDecoder returns a reader of r under lim (defaults filled in) that
// has read the header, and the file's version. where names the caller in
// the error for a nil r.
func newDecoder(where string, r io.Reader, lim ModelLimits) (*netReader, uint32, error) {
	if isNil(r) {
		return nil, 0, fmt.Errorf("%w: %s: nil io.Reader", ErrFormat, where)
	}
	lim, err := lim.withDefaults()
	if err != nil {
		return nil, 0, err
	}
	d := &netReader{d: modelfile.NewDecoder(r, ErrFormat), lim: lim}
	v, err := d.d.Header()
	if err != nil {
		return nil, 0, err
	}
	return d, v, nil
}

// netReader reads the network section of a model file under limits.
type netReader struct {
	d    *modelfile.Decoder
	lim  ModelLimits // the limits in force, defaults filled in
	size sizeTally   // what the layers read so far cost
}

// lastNetwork reads the network that ends a file, then the checksum.
func (d *netReader) lastNetwork() (*Sequential, error) {
	m, err := d.network()
	if err != nil {
		return nil, err
	}
	if err := d.d.End(); err != nil {
		return nil, err
	}
	return m, nil
}

// network reads the layer count and the layers of a model, checks them
// against d.lim and returns the model, in evaluation mode.
func (d *netReader) network() (*Sequential, error) {
	at := d.d.Off
	n, err := d.d.Uint32(-1, "the layer count")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.d.Errorf("the layer count at byte %d is 0", at)
	}
	if n > maxFileLayers {
		return nil, d.d.Errorf("claims %d layers at byte %d, more than the cap of %d", n, at, maxFileLayers)
	}
	if int64(n) > int64(d.lim.MaxLayers) {
		return nil, fmt.Errorf("%w: %w: the file has %d layers (byte %d), more than ModelLimits.MaxLayers %d",
			ErrFormat, ErrTooLarge, n, at, d.lim.MaxLayers)
	}
	var layers []Layer
	width, widthFrom := 0, -1 // the width the layers so far give, and the Linear that fixes it
	for i := 0; i < int(n); i++ {
		l, err := d.layer(i, width, widthFrom, layers)
		if err != nil {
			return nil, err
		}
		if in, out := l.Dims(); in != 0 {
			width, widthFrom = out, i
		} else {
			d.size.layer(width)
		}
		if err := d.size.check(d.lim, func() string { return fmt.Sprintf("the model up to layer %d", i) }); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFormat, err)
		}
		layers = append(layers, l)
	}
	m, err := NewSequential(layers...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if err := d.lim.CheckModel(m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	m.SetTraining(false)
	return m, nil
}

// layer reads layer i. width is the width the layers before it give, and
// widthFrom the index of the Linear layer that fixes it, -1 if none does;
// prev are the layers before it.
func (d *netReader) layer(i, width, widthFrom int, prev []Layer) (Layer, error) {
	at := d.d.Off
	b, err := d.d.Read(1, i, "kind tag")
	if err != nil {
		return nil, err
	}
	kind := b[0]
	if int(kind) >= len(kindNames) || kindNames[kind] == "" {
		return nil, d.d.Errorf("layer %d: unknown layer kind %d at byte %d", i, kind, at)
	}
	name := kindNames[kind]
	switch kind {
	case kindLinear:
		return d.linear(i, width, widthFrom, prev)
	case kindReLU:
		return &ReLU{}, nil
	case kindSoftmax:
		return &Softmax{}, nil
	case kindSigmoid:
		return &Sigmoid{}, nil
	case kindTanh:
		return &Tanh{}, nil
	case kindGELU:
		return &GELU{}, nil
	case kindLeakyReLU:
		at := d.d.Off
		k, err := d.d.Float64(i, "LeakyReLU slope")
		if err != nil {
			return nil, err
		}
		if k == 0 || math.IsNaN(k) || math.IsInf(k, 0) {
			return nil, d.d.Errorf("layer %d %s: slope %v at byte %d is not finite and non-zero", i, name, k, at)
		}
		return &LeakyReLU{Slope: k}, nil
	case kindDropout:
		at := d.d.Off
		p, err := d.d.Float64(i, "Dropout probability")
		if err != nil {
			return nil, err
		}
		if !(p >= 0 && p < 1) {
			return nil, d.d.Errorf("layer %d %s: probability %v at byte %d is not in [0, 1)", i, name, p, at)
		}
		l, err := NewDropout(p, rand.NewPCG(dropoutSeed, uint64(i)))
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d: %w", ErrFormat, i, err)
		}
		return l, nil
	}
	return nil, d.d.Errorf("layer %d: layer kind %d (%s) at byte %d has no decoder", i, kind, name, at)
}

// linear reads the fields of layer i, a Linear layer.
func (d *netReader) linear(i, width, widthFrom int, prev []Layer) (Layer, error) {
	at := d.d.Off
	b, err := d.d.Read(8, i, "Linear sizes")
	if err != nil {
		return nil, err
	}
	in := binary.LittleEndian.Uint32(b)
	out := binary.LittleEndian.Uint32(b[4:])
	if in == 0 || out == 0 {
		return nil, d.d.Errorf("layer %d Linear: size %dx%d at byte %d; sizes must be at least 1", i, in, out, at)
	}
	if n := uint64(in) * uint64(out); n > maxFileWeights {
		return nil, d.d.Errorf("layer %d Linear: claims %dx%d weights at byte %d, more than the cap of %d per layer",
			i, in, out, at, maxFileWeights)
	}
	name := fmt.Sprintf("Linear(%d->%d)", in, out)
	if widthFrom >= 0 && int(in) != width {
		return nil, d.d.Errorf("layer %d %s takes %d inputs but follows layer %d %v, which gives %d columns",
			i, name, in, widthFrom, prev[widthFrom], width)
	}
	// Check the limits before the weights are read and allocated.
	d.size.linear(int(in), int(out))
	if err := d.size.check(d.lim, func() string { return fmt.Sprintf("the model up to layer %d %s (byte %d)", i, name, at) }); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	w, err := d.d.Floats(int(in)*int(out), func(k int) string {
		return fmt.Sprintf("layer %d %s weight W[%d,%d]", i, name, k/int(out), k%int(out))
	})
	if err != nil {
		return nil, err
	}
	bias, err := d.d.Floats(int(out), func(k int) string {
		return fmt.Sprintf("layer %d %s bias b[%d]", i, name, k)
	})
	if err != nil {
		return nil, err
	}
	l := NewLinear(int(in), int(out), rand.NewPCG(0, 0))
	if err := l.SetParams(mat.NewDense(int(in), int(out), w), bias); err != nil {
		return nil, fmt.Errorf("%w: layer %d: %w", ErrFormat, i, err)
	}
	return l, nil
}
