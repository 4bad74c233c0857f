package mlp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/guard"
)

// The model file format, version 1. Save documents it byte by byte.
const (
	// fileMagic opens every model file.
	fileMagic = "MLPMODEL"
	// fileVersion is the version Save writes and the newest Load reads.
	fileVersion = 1
	// maxFileLayers is the largest layer count Load accepts.
	maxFileLayers = 1 << 16
	// maxFileWeights is the largest in·out of one Linear layer Load accepts.
	maxFileWeights = 1 << 26
	// dropoutSeed is the first seed of the rand.NewPCG source of a loaded
	// Dropout; the second is the layer's index.
	dropoutSeed = 0x4d4c504d4f44454c // "MLPMODEL" read as a big-endian uint64
)

// Layer kind tags of the model file format.
const (
	kindLinear    = 1
	kindReLU      = 2
	kindSoftmax   = 3
	kindSigmoid   = 4
	kindTanh      = 5
	kindLeakyReLU = 6
	kindGELU      = 7
	kindDropout   = 8
)

// kindNames names the layer kinds in messages.
var kindNames = [...]string{
	kindLinear:    "Linear",
	kindReLU:      "ReLU",
	kindSoftmax:   "Softmax",
	kindSigmoid:   "Sigmoid",
	kindTanh:      "Tanh",
	kindLeakyReLU: "LeakyReLU",
	kindGELU:      "GELU",
	kindDropout:   "Dropout",
}

// Save writes the model, its architecture and its weights, to w in the
// binary format below, which Load reads back: the loaded model gives the
// same predictions bit for bit, without the code that built it.
//
// Save knows the layer types of this package: Linear, ReLU, Softmax,
// Sigmoid, Tanh, LeakyReLU, GELU and Dropout. For a model with a layer of
// any other type, a non-finite weight, bias, slope or probability, more than
// 65536 layers or a Linear layer with more than 2^26 weights, it returns an
// error wrapping ErrFormat that names the layer, and writes nothing. Save
// encodes the whole file in memory (its size is given below) and then makes
// one call to w.Write; an error from w is returned wrapped, and so is
// io.ErrShortWrite when w reports writing less than the whole file with no
// error. A nil w is an error wrapping ErrSetting. Save does not apply the
// ModelLimits: a model beyond the defaults is saved, and LoadWithLimits
// reads it back. The model is
// only read: Save does not change it, its mode or its buffers. Gradients,
// optimizer state and the training/evaluation mode are not saved.
//
// # Format
//
// All integers are unsigned and all numbers little-endian; every float64 is
// stored as its IEEE-754 bits (math.Float64bits), so a round trip is
// bit-exact, -0 and subnormals included. Version 1 is:
//
//	offset  size  content
//	0       8     magic, the ASCII bytes "MLPMODEL"
//	8       4     uint32 format version, 1
//	12      4     uint32 number of layers n, 1 ≤ n ≤ 65536
//	16      ...   n layers, each a uint8 kind tag and the kind's fields
//	end-4   4     uint32 CRC-32 (IEEE polynomial, as hash/crc32.ChecksumIEEE)
//	              of every byte before it, from the magic on
//
// The layer kinds and their fields, which follow the tag directly:
//
//	tag  layer      fields
//	1    Linear     uint32 in, uint32 out (each ≥ 1, in·out ≤ 2^26);
//	                in·out float64 W, row-major (W[0,0], W[0,1], …,
//	                W[0,out-1], W[1,0], …), for Y = X·W + b;
//	                out float64 b
//	2    ReLU       none
//	3    Softmax    none
//	4    Sigmoid    none
//	5    Tanh       none
//	6    LeakyReLU  float64 slope in use, finite and not 0 (the zero
//	                value's default is written as 0.01)
//	7    GELU       none
//	8    Dropout    float64 p, the drop probability, in [0, 1)
//
// Nothing follows the checksum. A Linear layer takes 9 + 8·(in·out + out)
// bytes, LeakyReLU and Dropout 9, the others 1; the file is those plus 20.
// For example Linear(2->1) followed by Sigmoid is 54 bytes: the magic,
// 01 00 00 00 (version), 02 00 00 00 (layers), then 01 02 00 00 00 01 00 00
// 00 and the three float64 W[0,0], W[1,0], b[0], then 04, then the CRC-32
// of the 50 bytes before it.
//
// The format is binary rather than JSON or text because float64 bits are
// then copied exactly, with no decimal formatting to get right (shortest
// round-trip printing, -0, subnormals) and at 8 bytes a weight instead of up
// to 24; because a fixed little-endian layout with a leading magic and
// version and a trailing checksum takes a few lines to read in any language
// (numpy.frombuffer with dtype '<f8' reads W); and because the version field
// lets a later format be told apart from this one instead of misread.
func (s *Sequential) Save(w io.Writer) error {
	if isNil(w) {
		return fmt.Errorf("%w: Save: nil io.Writer", ErrSetting)
	}
	buf, err := s.encode()
	if err != nil {
		return err
	}
	return writeFile("Save", w, buf)
}

// writeFile writes a whole model file to w in one call, for where (the
// saving method): a short write with no error is io.ErrShortWrite.
func writeFile(where string, w io.Writer, buf []byte) error {
	if n, err := guard.Writer(w).Write(buf); err != nil {
		return fmt.Errorf("mlp: %s: wrote %d of %d bytes: %w", where, n, len(buf), err)
	}
	return nil
}

// encode returns the whole model file of s.
func (s *Sequential) encode() ([]byte, error) {
	if s == nil || len(s.layers) == 0 {
		return nil, fmt.Errorf("%w: Save: the model has no layers", ErrFormat)
	}
	if len(s.layers) > maxFileLayers {
		return nil, fmt.Errorf("%w: Save: the model has %d layers, more than the format's %d",
			ErrFormat, len(s.layers), maxFileLayers)
	}
	size := 16 + 4
	for i, l := range s.layers {
		switch l := l.(type) {
		case *Linear:
			in, out := l.Dims()
			if uint64(in)*uint64(out) > maxFileWeights {
				return nil, fmt.Errorf("%w: Save: layer %d %v has %d weights, more than the format's %d",
					ErrFormat, i, l, uint64(in)*uint64(out), maxFileWeights)
			}
			size += 9 + 8*(in*out+out)
		case *LeakyReLU, *Dropout:
			size += 9
		case *ReLU, *Softmax, *Sigmoid, *Tanh, *GELU:
			size++
		default:
			return nil, fmt.Errorf("%w: Save: layer %d %v is a %T, a layer type the format does not know",
				ErrFormat, i, l, l)
		}
	}

	le := binary.LittleEndian
	buf := make([]byte, 0, size)
	buf = append(buf, fileMagic...)
	buf = le.AppendUint32(buf, fileVersion)
	buf = le.AppendUint32(buf, uint32(len(s.layers)))
	for i, l := range s.layers {
		var err error
		switch l := l.(type) {
		case *Linear:
			in, out := l.Dims()
			buf = append(buf, kindLinear)
			buf = le.AppendUint32(buf, uint32(in))
			buf = le.AppendUint32(buf, uint32(out))
			w := l.Weights()
			for r := 0; r < in && err == nil; r++ {
				for c := 0; c < out && err == nil; c++ {
					v := w.At(r, c)
					err = checkSaved(i, l, "weight", fmt.Sprintf("W[%d,%d]", r, c), v)
					buf = le.AppendUint64(buf, math.Float64bits(v))
				}
			}
			for j, v := range l.Bias() {
				if err != nil {
					break
				}
				err = checkSaved(i, l, "bias", fmt.Sprintf("b[%d]", j), v)
				buf = le.AppendUint64(buf, math.Float64bits(v))
			}
		case *ReLU:
			buf = append(buf, kindReLU)
		case *Softmax:
			buf = append(buf, kindSoftmax)
		case *Sigmoid:
			buf = append(buf, kindSigmoid)
		case *Tanh:
			buf = append(buf, kindTanh)
		case *GELU:
			buf = append(buf, kindGELU)
		case *LeakyReLU:
			k := l.slope()
			err = checkSaved(i, l, "slope", "", k)
			buf = append(buf, kindLeakyReLU)
			buf = le.AppendUint64(buf, math.Float64bits(k))
		case *Dropout:
			p := l.P()
			if !(p >= 0 && p < 1) {
				err = fmt.Errorf("%w: Save: layer %d %v: probability %v is not in [0, 1)", ErrFormat, i, l, p)
			}
			buf = append(buf, kindDropout)
			buf = le.AppendUint64(buf, math.Float64bits(p))
		}
		if err != nil {
			return nil, err
		}
	}
	return le.AppendUint32(buf, crc32.ChecksumIEEE(buf)), nil
}

// checkSaved returns an error unless v, the value named name of layer i, is
// finite.
func checkSaved(i int, l Layer, what, name string, v float64) error {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		return nil
	}
	if name != "" {
		what += " " + name
	}
	return fmt.Errorf("%w: Save: layer %d %v: %s is %v; a model file holds only finite numbers",
		ErrFormat, i, l, what, v)
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
// error naming LoadPipeline), a truncated
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
	if v == pipelineVersion {
		return nil, d.errorf("version %d is a pipeline file (preprocessing and network); read it with LoadPipeline", v)
	}
	return d.lastNetwork()
}

// newDecoder returns a decoder of r under lim (defaults filled in) that
// has read the header, and the file's version. where names the caller in
// the error for a nil r.
func newDecoder(where string, r io.Reader, lim ModelLimits) (*decoder, uint32, error) {
	if isNil(r) {
		return nil, 0, fmt.Errorf("%w: %s: nil io.Reader", ErrFormat, where)
	}
	lim, err := lim.withDefaults()
	if err != nil {
		return nil, 0, err
	}
	d := &decoder{r: guard.Reader(r), lim: lim}
	v, err := d.header()
	if err != nil {
		return nil, 0, err
	}
	return d, v, nil
}

// lastNetwork reads the network that ends a file, then the checksum.
func (d *decoder) lastNetwork() (*Sequential, error) {
	m, err := d.network()
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return m, nil
}

// network reads the layer count and the layers of a model, checks them
// against d.lim and returns the model, in evaluation mode.
func (d *decoder) network() (*Sequential, error) {
	at := d.off
	n, err := d.uint32(-1, "the layer count")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, d.errorf("the layer count at byte %d is 0", at)
	}
	if n > maxFileLayers {
		return nil, d.errorf("claims %d layers at byte %d, more than the cap of %d", n, at, maxFileLayers)
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

// end reads and checks the checksum and that nothing follows it.
func (d *decoder) end() error {
	want := d.crc
	at := d.off
	sum, err := d.uint32(-1, "the checksum")
	if err != nil {
		return err
	}
	if sum != want {
		return d.errorf("checksum mismatch at byte %d: the file says %#08x, its content gives %#08x", at, sum, want)
	}
	var one [1]byte
	if k, err := io.ReadFull(d.r, one[:]); k > 0 {
		return d.errorf("trailing bytes after the checksum, from byte %d", d.off)
	} else if err != io.EOF {
		return fmt.Errorf("mlp: Load: reading after the checksum at byte %d: %w", d.off, err)
	}
	return nil
}

// decoder reads a model file, keeping the offset and the CRC-32 of what it
// has read.
type decoder struct {
	r    io.Reader
	off  int64
	crc  uint32
	lim  ModelLimits // the limits in force, defaults filled in
	size sizeTally   // what the layers read so far cost
	buf  [4096]byte
}

// errorf returns an error wrapping ErrFormat.
func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// fill reads exactly n ≤ len(d.buf) bytes into d.buf, adding what it
// reads to the offset and the checksum. It returns the number of bytes read
// and the error of io.ReadFull.
func (d *decoder) fill(n int) (int, error) {
	k, err := io.ReadFull(d.r, d.buf[:n])
	d.crc = crc32.Update(d.crc, crc32.IEEETable, d.buf[:k])
	d.off += int64(k)
	return k, err
}

// ioError returns err, an error of the reader while reading what, wrapped.
func (d *decoder) ioError(what string, err error) error {
	return fmt.Errorf("mlp: Load: reading %s at byte %d: %w", what, d.off, err)
}

// read reads exactly n ≤ len(d.buf) bytes and returns them in d.buf. The
// part of the file they are is named what, after "layer i" if i ≥ 0.
func (d *decoder) read(n int, i int, what string) ([]byte, error) {
	_, err := d.fill(n)
	if err == nil {
		return d.buf[:n], nil
	}
	if i >= 0 {
		what = fmt.Sprintf("layer %d %s", i, what)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, d.errorf("unexpected end of file in %s at byte %d", what, d.off)
	}
	return nil, d.ioError(what, err)
}

// uint32 reads a uint32 for read(4, i, what).
func (d *decoder) uint32(i int, what string) (uint32, error) {
	b, err := d.read(4, i, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// float64 reads a float64 for read(8, i, what).
func (d *decoder) float64(i int, what string) (float64, error) {
	b, err := d.read(8, i, what)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// header reads and checks the magic and the version, and returns the
// version.
func (d *decoder) header() (uint32, error) {
	k, err := d.fill(len(fileMagic))
	b := d.buf[:k]
	switch {
	case k == 0 && err == io.EOF:
		return 0, d.errorf("empty input")
	case string(b) != fileMagic[:k]:
		return 0, d.errorf("bad magic %q at byte 0, want %q", b, fileMagic)
	case err == io.ErrUnexpectedEOF:
		return 0, d.errorf("unexpected end of file in the magic at byte %d", d.off)
	case err != nil:
		return 0, d.ioError("the magic", err)
	}
	v, err := d.uint32(-1, "the version")
	if err != nil {
		return 0, err
	}
	switch {
	case v == 0:
		return 0, d.errorf("version 0 at byte 8 is not a version")
	case v > pipelineVersion:
		return 0, d.errorf("version %d is newer than this library reads (%d)", v, pipelineVersion)
	}
	return v, nil
}

// layer reads layer i. width is the width the layers before it give, and
// widthFrom the index of the Linear layer that fixes it, -1 if none does;
// prev are the layers before it.
func (d *decoder) layer(i, width, widthFrom int, prev []Layer) (Layer, error) {
	at := d.off
	b, err := d.read(1, i, "kind tag")
	if err != nil {
		return nil, err
	}
	kind := b[0]
	if int(kind) >= len(kindNames) || kindNames[kind] == "" {
		return nil, d.errorf("layer %d: unknown layer kind %d at byte %d", i, kind, at)
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
		at := d.off
		k, err := d.float64(i, "LeakyReLU slope")
		if err != nil {
			return nil, err
		}
		if k == 0 || math.IsNaN(k) || math.IsInf(k, 0) {
			return nil, d.errorf("layer %d %s: slope %v at byte %d is not finite and non-zero", i, name, k, at)
		}
		return &LeakyReLU{Slope: k}, nil
	case kindDropout:
		at := d.off
		p, err := d.float64(i, "Dropout probability")
		if err != nil {
			return nil, err
		}
		if !(p >= 0 && p < 1) {
			return nil, d.errorf("layer %d %s: probability %v at byte %d is not in [0, 1)", i, name, p, at)
		}
		l, err := NewDropout(p, rand.NewPCG(dropoutSeed, uint64(i)))
		if err != nil {
			return nil, fmt.Errorf("%w: layer %d: %w", ErrFormat, i, err)
		}
		return l, nil
	}
	return nil, d.errorf("layer %d: layer kind %d (%s) at byte %d has no decoder", i, kind, name, at)
}

// linear reads the fields of layer i, a Linear layer.
func (d *decoder) linear(i, width, widthFrom int, prev []Layer) (Layer, error) {
	at := d.off
	b, err := d.read(8, i, "Linear sizes")
	if err != nil {
		return nil, err
	}
	in := binary.LittleEndian.Uint32(b)
	out := binary.LittleEndian.Uint32(b[4:])
	if in == 0 || out == 0 {
		return nil, d.errorf("layer %d Linear: size %dx%d at byte %d; sizes must be at least 1", i, in, out, at)
	}
	if n := uint64(in) * uint64(out); n > maxFileWeights {
		return nil, d.errorf("layer %d Linear: claims %dx%d weights at byte %d, more than the cap of %d per layer",
			i, in, out, at, maxFileWeights)
	}
	name := fmt.Sprintf("Linear(%d->%d)", in, out)
	if widthFrom >= 0 && int(in) != width {
		return nil, d.errorf("layer %d %s takes %d inputs but follows layer %d %v, which gives %d columns",
			i, name, in, widthFrom, prev[widthFrom], width)
	}
	// Check the limits before the weights are read and allocated.
	d.size.linear(int(in), int(out))
	if err := d.size.check(d.lim, func() string { return fmt.Sprintf("the model up to layer %d %s (byte %d)", i, name, at) }); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	w, err := d.floats(int(in)*int(out), func(k int) string {
		return fmt.Sprintf("layer %d %s weight W[%d,%d]", i, name, k/int(out), k%int(out))
	})
	if err != nil {
		return nil, err
	}
	bias, err := d.floats(int(out), func(k int) string {
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

// floats reads n float64, all finite; name(k) names the k-th in messages.
// The numbers are read into chunks that double in size as they arrive (the
// first holds 512) and are then copied into one slice, so a file that
// claims more than it holds fails before anything near n·8 bytes is
// allocated, and a whole read allocates 2·8·n bytes.
func (d *decoder) floats(n int, name func(k int) string) ([]float64, error) {
	const chunk = len(decoder{}.buf) / 8
	var chunks [][]float64
	got := 0 // numbers read
	for got < n {
		c := make([]float64, 0, min(n-got, max(chunk, got)))
		for len(c) < cap(c) {
			m := min(cap(c)-len(c), chunk)
			at := d.off
			k, err := d.fill(8 * m)
			switch err {
			case nil:
			case io.EOF, io.ErrUnexpectedEOF:
				got += len(c) + k/8 // the first number that is missing
				return nil, d.errorf("unexpected end of file in %s at byte %d (got %d of %d numbers)",
					name(got), d.off, got, n)
			default:
				return nil, d.ioError(name(got+len(c)+k/8), err)
			}
			b := d.buf[:8*m]
			for j := 0; j < m; j++ {
				x := math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, d.errorf("%s is %v at byte %d; a model file holds only finite numbers",
						name(got+len(c)), x, at+int64(8*j))
				}
				c = append(c, x)
			}
		}
		chunks = append(chunks, c)
		got += len(c)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	v := make([]float64, 0, n)
	for _, c := range chunks {
		v = append(v, c...)
	}
	return v, nil
}
