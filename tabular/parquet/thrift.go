package parquet

import (
	"errors"
	"fmt"
)

// The footer and the page headers of a Parquet file are Thrift structures
// in the compact protocol. parquet-go's decoder allocates what a length
// field declares before it reads the bytes (a list of 2^31 structures, a
// string of 2 GiB), so each structure is first walked here: every length
// is checked against the bytes left, and the Go memory the decoder would
// allocate for it is added up and bounded.

// Compact protocol types.
const (
	ctTrue   = 1
	ctFalse  = 2
	ctByte   = 3
	ctI16    = 4
	ctI32    = 5
	ctI64    = 6
	ctDouble = 7
	ctBinary = 8
	ctList   = 9
	ctSet    = 10
	ctMap    = 11
	ctStruct = 12
)

// maxDepth is the deepest nesting of structures and lists walked; the
// Parquet format nests a few levels.
const maxDepth = 32

// structCost is a bound on the Go size of one decoded structure of
// parquet-go's format package (the largest, format.ColumnChunk, is 560
// bytes on 64-bit platforms).
const structCost = 1024

// errThrift is wrapped by the errors of the walk.
var errThrift = errors.New("malformed Thrift structure")

// thriftWalk walks one compact-protocol structure in b.
type thriftWalk struct {
	b    []byte
	pos  int
	cost int64 // bytes the decoder would allocate, bounded
	max  int64 // the bound on cost
}

// walkStruct walks one structure at the start of b and returns its length
// in bytes. It returns an error wrapping errThrift if a length passes the
// end of b, the nesting is deeper than maxDepth, the types are unknown, or
// decoding it would allocate more than max bytes.
func walkStruct(b []byte, max int64) (int, error) {
	w := &thriftWalk{b: b, max: max}
	if err := w.value(ctStruct, 0); err != nil {
		return 0, err
	}
	return w.pos, nil
}

func (w *thriftWalk) fail(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", errThrift, w.pos, fmt.Sprintf(format, args...))
}

func (w *thriftWalk) byte() (byte, error) {
	if w.pos >= len(w.b) {
		return 0, w.fail("unexpected end")
	}
	c := w.b[w.pos]
	w.pos++
	return c, nil
}

// uvarint reads an unsigned varint of at most 10 bytes.
func (w *thriftWalk) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 70; shift += 7 {
		c, err := w.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, w.fail("varint longer than 10 bytes")
}

// length reads a length and checks that n elements of at least min bytes
// each fit in the bytes left.
func (w *thriftWalk) length(min int) (int, error) {
	n, err := w.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(w.b)-w.pos)/uint64(min) {
		return 0, w.fail("a length of %d passes the end of the structure (%d bytes left)", n, len(w.b)-w.pos)
	}
	return int(n), nil
}

func (w *thriftWalk) spend(n int64) error {
	if w.cost += n; w.cost > w.max {
		return w.fail("decoding it would allocate more than %d bytes", w.max)
	}
	return nil
}

// elemCost is the Go memory a decoded element of type t takes, at most.
func elemCost(t byte) int64 {
	switch t {
	case ctStruct:
		return structCost
	case ctBinary, ctList, ctSet, ctMap:
		return 24
	}
	return 8
}

// value walks one value of compact type t.
func (w *thriftWalk) value(t byte, depth int) error {
	if depth > maxDepth {
		return w.fail("nested deeper than %d", maxDepth)
	}
	switch t {
	case ctTrue, ctFalse:
		return nil // a struct field's value is in its type
	case ctByte:
		_, err := w.byte()
		return err
	case ctI16, ctI32, ctI64:
		_, err := w.uvarint()
		return err
	case ctDouble:
		if len(w.b)-w.pos < 8 {
			return w.fail("unexpected end")
		}
		w.pos += 8
		return nil
	case ctBinary:
		n, err := w.length(1)
		if err != nil {
			return err
		}
		w.pos += n
		return w.spend(int64(n))
	case ctList, ctSet:
		h, err := w.byte()
		if err != nil {
			return err
		}
		n, et := int(h>>4), h&0x0f
		if n == 0x0f {
			if n, err = w.length(1); err != nil {
				return err
			}
		} else if n > len(w.b)-w.pos {
			return w.fail("a list of %d passes the end", n)
		}
		if err := w.spend(int64(n) * elemCost(et)); err != nil {
			return err
		}
		for range n {
			if et == ctTrue || et == ctFalse {
				// A boolean element of a list takes a byte.
				if _, err := w.byte(); err != nil {
					return err
				}
				continue
			}
			if err := w.value(et, depth+1); err != nil {
				return err
			}
		}
		return nil
	case ctMap:
		n, err := w.length(2)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		kv, err := w.byte()
		if err != nil {
			return err
		}
		kt, vt := kv>>4, kv&0x0f
		if err := w.spend(int64(n) * (elemCost(kt) + elemCost(vt))); err != nil {
			return err
		}
		for range n {
			if err := w.value(kt, depth+1); err != nil {
				return err
			}
			if err := w.value(vt, depth+1); err != nil {
				return err
			}
		}
		return nil
	case ctStruct:
		for {
			h, err := w.byte()
			if err != nil {
				return err
			}
			if h == 0 {
				return nil
			}
			if h>>4 == 0 {
				// A field id of its own, a zigzag varint.
				if _, err := w.uvarint(); err != nil {
					return err
				}
			}
			if err := w.value(h&0x0f, depth+1); err != nil {
				return err
			}
		}
	}
	return w.fail("unknown type %d", t)
}
