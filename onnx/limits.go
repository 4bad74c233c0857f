package onnx

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/mlpkit/mlp"
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

// scanMessages walks the protobuf wire encoding b of a message described
// by md without decoding it and returns an error wrapping mlp.ErrFormat if
// it is malformed, holds more than maxMessages messages in all or nests
// them deeper than maxDepth. count is the number of messages seen so far.
func scanMessages(b []byte, md protoreflect.MessageDescriptor, depth int, count *int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: messages nested more than %d deep", mlp.ErrFormat, maxDepth)
	}
	for len(b) > 0 {
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
		fd := md.Fields().ByNumber(num)
		if fd == nil || fd.Kind() != protoreflect.MessageKind {
			continue
		}
		*count++
		if *count > maxMessages {
			return fmt.Errorf("%w: more than %d protobuf messages", mlp.ErrFormat, maxMessages)
		}
		if err := scanMessages(v, fd.Message(), depth+1, count); err != nil {
			return err
		}
	}
	return nil
}
