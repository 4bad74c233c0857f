package onnx

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx/internal/onnxpb"
)

// Caps on what Import reads; each is checked before the memory it bounds
// is allocated.
const (
	// DefaultMaxBytes is the largest file Import reads when
	// ImportSettings.MaxBytes is zero: 256 MiB.
	DefaultMaxBytes = 256 << 20

	// maxMessages caps the protobuf messages of a file (nodes, tensors,
	// attributes, value infos, …). A message takes as little as two bytes
	// in the file but a few hundred in memory, so without it a file of
	// empty nodes would decode to a hundred times its size; with it the
	// decoded messages take at most a few tens of MiB beyond the file.
	maxMessages = 1 << 18

	// maxDepth caps the nesting of messages (a graph inside an attribute
	// of a node of a graph …).
	maxDepth = 32

	// maxTensorElems caps the elements of one tensor, as mlp.Load caps
	// the weights of one Linear layer.
	maxTensorElems = 1 << 26

	// elemSlack is what the elements of all the tensors Import decodes may
	// add up to beyond one per 4 bytes of the file. Without a cap tied to
	// the file's size, a weight read by many nodes would be decoded (and
	// become a Linear layer) once per node: 100000 MatMul nodes sharing one
	// 8 MB weight fit in a 3 MB file and would take terabytes.
	elemSlack = 1 << 20
)

// Tensor data fields Import reads in place (see scanner).
const (
	fieldFloatData  = 4  // TensorProto.float_data, packed fixed32
	fieldRawData    = 9  // TensorProto.raw_data
	fieldDoubleData = 10 // TensorProto.double_data, packed fixed64

	fieldStringData = 6  // TensorProto.string_data: the marker's field
	fieldUnused     = 15 // a field number TensorProto does not use

	// minInPlace is the least payload, in bytes, read in place; smaller
	// data is decoded (copied) by proto.Unmarshal.
	minInPlace = 64

	// markerLen is the bytes a marker takes in place of a data field's
	// tag, length and first payload bytes: string_data tag, length 12,
	// markerMagic and the payload's offset, then the unused field's tag
	// and a 5-byte length covering the rest of the payload.
	markerLen = 1 + 1 + 12 + 1 + 5
)

// markerMagic starts a marker's string_data entry.
const markerMagic = "mlp\x00"

// tensorDescriptor describes TensorProto.
var tensorDescriptor = (&onnxpb.TensorProto{}).ProtoReflect().Descriptor()

// dataField is a tensor's data field read in place: its field number and
// its payload in the file.
type dataField struct {
	num  protowire.Number
	data []byte
}

// scanner walks the protobuf wire encoding of a file without decoding it,
// counting its messages, and moves the large tensor data out of
// proto.Unmarshal's way: each tensor whose data is one raw_data,
// float_data or double_data field of at least minInPlace bytes has that
// field's first markerLen bytes overwritten in place by a marker, a
// string_data entry naming the payload's offset followed by a field
// TensorProto does not use, which Unmarshal (with DiscardUnknown) skips
// without copying. restore puts the file's bytes back afterwards, and the
// tensor's data is then read from the file itself (see tensorStore), never
// copied.
type scanner struct {
	buf   []byte // the whole file
	count int    // messages seen
	saved []savedBytes
	data  map[uint64]dataField // by payload offset
}

// savedBytes are the bytes of buf at off that a marker replaced.
type savedBytes struct {
	off  int
	orig [markerLen]byte
}

// offset returns where the subslice b of s.buf starts in it.
func (s *scanner) offset(b []byte) int { return cap(s.buf) - cap(b) }

// messages walks the wire encoding b of a message described by md and
// returns an error wrapping mlp.ErrFormat if it is malformed, holds more
// than maxMessages messages in all or nests them deeper than maxDepth.
func (s *scanner) messages(b []byte, md protoreflect.MessageDescriptor, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: messages nested more than %d deep", mlp.ErrFormat, maxDepth)
	}
	inPlace := md == tensorDescriptor && dataFields(b) == 1
	for len(b) > 0 {
		tagAt := b
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: protobuf: %v", mlp.ErrFormat, protowire.ParseError(n))
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return fmt.Errorf("%w: protobuf: %v", mlp.ErrFormat, protowire.ParseError(n))
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return fmt.Errorf("%w: protobuf: %v", mlp.ErrFormat, protowire.ParseError(n))
		}
		b = b[n:]
		if inPlace && isDataField(num) && len(v) >= minInPlace {
			s.mark(tagAt, v, num)
			continue
		}
		fd := md.Fields().ByNumber(num)
		if fd == nil || fd.Kind() != protoreflect.MessageKind {
			continue
		}
		s.count++
		if s.count > maxMessages {
			return fmt.Errorf("%w: more than %d protobuf messages", mlp.ErrFormat, maxMessages)
		}
		if err := s.messages(v, fd.Message(), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// isDataField reports whether num is a tensor data field read in place.
func isDataField(num protowire.Number) bool {
	return num == fieldFloatData || num == fieldRawData || num == fieldDoubleData
}

// dataFields returns the number of raw_data, float_data and double_data
// fields of the TensorProto encoding b, of any wire type, or -1 if b is
// malformed (messages reports it).
func dataFields(b []byte) int {
	k := 0
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return -1
		}
		b = b[n:]
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return -1
		}
		b = b[n:]
		if isDataField(num) {
			k++
		}
	}
	return k
}

// mark replaces the field that starts at tagAt, whose payload is v, by a
// marker (see scanner), saving the bytes it overwrites.
func (s *scanner) mark(tagAt, v []byte, num protowire.Number) {
	at, payload := s.offset(tagAt), s.offset(v)
	end := payload + len(v)
	sv := savedBytes{off: at}
	copy(sv.orig[:], s.buf[at:at+markerLen])
	s.saved = append(s.saved, sv)
	if s.data == nil {
		s.data = map[uint64]dataField{}
	}
	s.data[uint64(payload)] = dataField{num: num, data: v}

	m := s.buf[at : at+markerLen]
	m[0] = byte(protowire.EncodeTag(fieldStringData, protowire.BytesType))
	m[1] = 12
	copy(m[2:6], markerMagic)
	binary.LittleEndian.PutUint64(m[6:14], uint64(payload))
	m[14] = byte(protowire.EncodeTag(fieldUnused, protowire.BytesType))
	rest := uint64(end - (at + markerLen))
	for j := range 4 { // a 5-byte varint, not the shortest
		m[15+j] = byte(rest>>(7*j))&0x7f | 0x80
	}
	m[19] = byte(rest >> 28)
}

// restore puts back the bytes the markers replaced.
func (s *scanner) restore() {
	for _, sv := range s.saved {
		copy(s.buf[sv.off:], sv.orig[:])
	}
}

// inPlace returns the data field that a marker among t's string_data
// entries names, if any.
func (s *scanner) inPlace(t *onnxpb.TensorProto) (dataField, bool) {
	for _, e := range t.StringData {
		if len(e) == 12 && string(e[:4]) == markerMagic {
			if f, ok := s.data[binary.LittleEndian.Uint64(e[4:])]; ok {
				return f, true
			}
		}
	}
	return dataField{}, false
}
