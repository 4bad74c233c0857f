package mlp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
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
	return modelfile.Write("Save", w, buf)
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
	buf = append(buf, modelfile.Magic...)
	buf = le.AppendUint32(buf, modelfile.VersionNetwork)
	buf = le.AppendUint32(buf, uint32(len(s.layers)))
	for i, l := range s.layers {
		var err error
		switch l := l.(type) {
		case *Linear:
			in, out := l.Dims()
			buf = append(buf, kindLinear)
			buf = le.AppendUint32(buf, uint32(in))
			buf = le.AppendUint32(buf, uint32(out))
			// The weights are read in place, row by row; a name is
			// formatted only for a value that is refused.
			raw := l.w.RawMatrix()
			for r := 0; r < in && err == nil; r++ {
				for c, v := range raw.Data[r*raw.Stride : r*raw.Stride+out] {
					if !finite(v) {
						err = savedError(i, l, "weight", fmt.Sprintf("W[%d,%d]", r, c), v)
						break
					}
					buf = le.AppendUint64(buf, math.Float64bits(v))
				}
			}
			for j, v := range l.b.RawMatrix().Data {
				if err != nil {
					break
				}
				if !finite(v) {
					err = savedError(i, l, "bias", fmt.Sprintf("b[%d]", j), v)
				}
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
			if !finite(k) {
				err = savedError(i, l, "slope", "", k)
			}
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
