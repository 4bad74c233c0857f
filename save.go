package mlp

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/mlpkit/mlp/internal/modelfile"
)

// The model file format, version 1. Save documents it byte by byte.
const (
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
// error wrapping ErrFormat that names the layer, and writes nothing: every
// layer is checked before the first byte is written. Save writes a file of
// up to 4 MiB (its size is given below; about half a million weights) in
// one call to w.Write, and a larger one in several calls of at most 4 MiB,
// so that it holds at most 4 MiB of the file in memory beside the model,
// whatever the model's size: its one allocation is that buffer. An
// error from w is returned wrapped, with the bytes written before it (a
// large file may then be partly written: write to a temporary file and
// rename it to keep a whole file or none), and so is io.ErrShortWrite when
// w reports writing less than it was given with no error. A nil w is an
// error wrapping ErrSetting. Save does not apply the
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
	size, err := s.layersSize()
	if err != nil {
		return err
	}
	e := modelfile.NewEncoder("Save", w, 12+size+4)
	e.Buf = append(e.Buf, modelfile.Magic...)
	e.Buf = binary.LittleEndian.AppendUint32(e.Buf, modelfile.VersionNetwork)
	if err := s.writeLayers(&e); err != nil {
		return err
	}
	return e.End()
}

// layersSize checks that s can be saved, returning the error Save
// documents if not, and returns the byte size of its layer count and
// layers in the file.
func (s *Sequential) layersSize() (int, error) {
	if s == nil || len(s.layers) == 0 {
		return 0, fmt.Errorf("%w: Save: the model has no layers", ErrFormat)
	}
	if len(s.layers) > maxFileLayers {
		return 0, fmt.Errorf("%w: Save: the model has %d layers, more than the format's %d",
			ErrFormat, len(s.layers), maxFileLayers)
	}
	size := 4
	for i, l := range s.layers {
		switch l := l.(type) {
		case *Linear:
			in, out := l.Dims()
			if uint64(in)*uint64(out) > maxFileWeights {
				return 0, fmt.Errorf("%w: Save: layer %d %v has %d weights, more than the format's %d",
					ErrFormat, i, l, uint64(in)*uint64(out), maxFileWeights)
			}
			size += 9 + 8*(in*out+out)
		case *LeakyReLU, *Dropout:
			size += 9
		case *ReLU, *Softmax, *Sigmoid, *Tanh, *GELU:
			size++
		default:
			return 0, fmt.Errorf("%w: Save: layer %d %v is a %T, a layer type the format does not know",
				ErrFormat, i, l, l)
		}
	}
	for i, l := range s.layers {
		switch l := l.(type) {
		case *Linear:
			// The weights are read in place, row by row; a name is
			// formatted only for a value that is refused.
			in, out := l.Dims()
			raw := l.w.RawMatrix()
			for r := range in {
				for c, v := range raw.Data[r*raw.Stride : r*raw.Stride+out] {
					if !finite(v) {
						return 0, savedError(i, l, "weight", fmt.Sprintf("W[%d,%d]", r, c), v)
					}
				}
			}
			for j, v := range l.b.RawMatrix().Data {
				if !finite(v) {
					return 0, savedError(i, l, "bias", fmt.Sprintf("b[%d]", j), v)
				}
			}
		case *LeakyReLU:
			if k := l.slope(); !finite(k) {
				return 0, savedError(i, l, "slope", "", k)
			}
		case *Dropout:
			if p := l.P(); !(p >= 0 && p < 1) {
				return 0, fmt.Errorf("%w: Save: layer %d %v: probability %v is not in [0, 1)", ErrFormat, i, l, p)
			}
		}
	}
	return size, nil
}

// writeLayers appends the layer count and the layers of s, which
// layersSize accepted, to e, and returns the error of e's writer.
func (s *Sequential) writeLayers(e *modelfile.Encoder) error {
	le := binary.LittleEndian
	if err := e.Room(4); err != nil {
		return err
	}
	e.Buf = le.AppendUint32(e.Buf, uint32(len(s.layers)))
	for _, l := range s.layers {
		n := 1 // bytes before any weights: the tag and the fixed fields
		switch l.(type) {
		case *Linear, *LeakyReLU, *Dropout:
			n = 9
		}
		if err := e.Room(n); err != nil {
			return err
		}
		switch l := l.(type) {
		case *Linear:
			in, out := l.Dims()
			e.Buf = append(e.Buf, kindLinear)
			e.Buf = le.AppendUint32(e.Buf, uint32(in))
			e.Buf = le.AppendUint32(e.Buf, uint32(out))
			raw := l.w.RawMatrix()
			for r := range in {
				if err := e.Float64s(raw.Data[r*raw.Stride : r*raw.Stride+out]); err != nil {
					return err
				}
			}
			if err := e.Float64s(l.b.RawMatrix().Data); err != nil {
				return err
			}
		case *ReLU:
			e.Buf = append(e.Buf, kindReLU)
		case *Softmax:
			e.Buf = append(e.Buf, kindSoftmax)
		case *Sigmoid:
			e.Buf = append(e.Buf, kindSigmoid)
		case *Tanh:
			e.Buf = append(e.Buf, kindTanh)
		case *GELU:
			e.Buf = append(e.Buf, kindGELU)
		case *LeakyReLU:
			e.Buf = append(e.Buf, kindLeakyReLU)
			e.Buf = le.AppendUint64(e.Buf, math.Float64bits(l.slope()))
		case *Dropout:
			e.Buf = append(e.Buf, kindDropout)
			e.Buf = le.AppendUint64(e.Buf, math.Float64bits(l.P()))
		}
	}
	return nil
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// savedError is the error for v, the value named name of layer i, which is
// not finite.
func savedError(i int, l Layer, what, name string, v float64) error {
	if name != "" {
		what += " " + name
	}
	return fmt.Errorf("%w: Save: layer %d %v: %s is %v; a model file holds only finite numbers",
		ErrFormat, i, l, what, v)
}
