// Package modelfile reads and writes the framing of the model file format:
// the magic, the version, length-prefixed strings, float64 fields and the
// trailing CRC-32. Package mlp documents the format (Sequential.Save) and
// reads its network section; package tabular reads and writes the pipeline
// section of version 2. The network reader is registered by package mlp
// (ReadNetwork), so that a package above mlp reads a whole file without mlp
// exporting its decoder.
package modelfile

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"

	"github.com/mlpkit/mlp/internal/guard"
)

const (
	// Magic opens every model file.
	Magic = "MLPMODEL"
	// VersionNetwork is the version of a file holding a network alone.
	VersionNetwork = 1
	// VersionPipeline is the version of a file holding a pipeline: its
	// section, then a network.
	VersionPipeline = 2
	// VersionProvenance is the version of a file holding a pipeline and
	// the record of how it was made: version 2 with a provenance record
	// between the pipeline section and the network.
	VersionProvenance = 3
	// VersionColumnNA is the version of a file holding a pipeline whose
	// columns have missing-value markers of their own: version 3 with
	// those markers after the pipeline's, and a provenance record that
	// may be empty.
	VersionColumnNA = 4
	// Newest is the newest version this library reads.
	Newest = VersionColumnNA

	// MaxStrings is the largest count of a list of strings.
	MaxStrings = 1 << 20
	// MaxStringSize is the largest byte length of one string.
	MaxStringSize = 1 << 16
)

// ReadNetwork reads the layer count and the layers of a network at d's
// offset under the default limits, then the checksum, and returns the
// network (a *mlp.Sequential). Package mlp sets it when it is initialized.
var ReadNetwork func(d *Decoder) (any, error)

// NetworkSize checks that a network (a *mlp.Sequential) can be saved and
// returns the byte size of its layer count and layers, the part of a file
// WriteNetwork writes; its errors are those of Sequential.Save. Package mlp
// sets it when it is initialized.
var NetworkSize func(net any) (int, error)

// WriteNetwork appends the layer count and the layers of a network that
// NetworkSize accepted to e. Package mlp sets it when it is initialized.
var WriteNetwork func(e *Encoder, net any) error

// Decoder reads a model file, keeping the offset and the CRC-32 of what it
// has read. Its errors about the content wrap Err.
type Decoder struct {
	r   io.Reader
	Err error // the sentinel every format error wraps (mlp.ErrFormat)
	Off int64 // bytes read
	crc uint32
	Buf [4096]byte
}

// NewDecoder returns a decoder of r whose format errors wrap errFormat; r
// is read through guard.Reader (no progress in 100 reads is an error).
func NewDecoder(r io.Reader, errFormat error) *Decoder {
	return &Decoder{r: guard.Reader(r), Err: errFormat}
}

// Errorf returns an error wrapping d.Err.
func (d *Decoder) Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", d.Err, fmt.Sprintf(format, args...))
}

// Fill reads exactly n ≤ len(d.Buf) bytes into d.Buf, adding what it reads
// to the offset and the checksum. It returns the number of bytes read and
// the error of io.ReadFull.
func (d *Decoder) Fill(n int) (int, error) {
	k, err := io.ReadFull(d.r, d.Buf[:n])
	d.crc = crc32.Update(d.crc, crc32.IEEETable, d.Buf[:k])
	d.Off += int64(k)
	return k, err
}

// IOError returns err, an error of the reader while reading what, wrapped.
func (d *Decoder) IOError(what string, err error) error {
	return fmt.Errorf("mlp: Load: reading %s at byte %d: %w", what, d.Off, err)
}

// Read reads exactly n ≤ len(d.Buf) bytes and returns them in d.Buf. The
// part of the file they are is named what, after "layer i" if i ≥ 0.
func (d *Decoder) Read(n int, i int, what string) ([]byte, error) {
	_, err := d.Fill(n)
	if err == nil {
		return d.Buf[:n], nil
	}
	if i >= 0 {
		what = fmt.Sprintf("layer %d %s", i, what)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, d.Errorf("unexpected end of file in %s at byte %d", what, d.Off)
	}
	return nil, d.IOError(what, err)
}

// Uint32 reads a uint32 for Read(4, i, what).
func (d *Decoder) Uint32(i int, what string) (uint32, error) {
	b, err := d.Read(4, i, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// Float64 reads a float64 for Read(8, i, what).
func (d *Decoder) Float64(i int, what string) (float64, error) {
	b, err := d.Read(8, i, what)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// Header reads and checks the magic and the version, and returns the
// version.
func (d *Decoder) Header() (uint32, error) {
	k, err := d.Fill(len(Magic))
	b := d.Buf[:k]
	switch {
	case k == 0 && err == io.EOF:
		return 0, d.Errorf("empty input")
	case string(b) != Magic[:k]:
		return 0, d.Errorf("bad magic %q at byte 0, want %q", b, Magic)
	case err == io.ErrUnexpectedEOF:
		return 0, d.Errorf("unexpected end of file in the magic at byte %d", d.Off)
	case err != nil:
		return 0, d.IOError("the magic", err)
	}
	v, err := d.Uint32(-1, "the version")
	if err != nil {
		return 0, err
	}
	switch {
	case v == 0:
		return 0, d.Errorf("version 0 at byte 8 is not a version")
	case v > Newest:
		return 0, d.Errorf("version %d is newer than this library reads (%d)", v, Newest)
	}
	return v, nil
}

// End reads and checks the checksum and that nothing follows it.
func (d *Decoder) End() error {
	want := d.crc
	at := d.Off
	sum, err := d.Uint32(-1, "the checksum")
	if err != nil {
		return err
	}
	if sum != want {
		return d.Errorf("checksum mismatch at byte %d: the file says %#08x, its content gives %#08x", at, sum, want)
	}
	var one [1]byte
	if k, err := io.ReadFull(d.r, one[:]); k > 0 {
		return d.Errorf("trailing bytes after the checksum, from byte %d", d.Off)
	} else if err != io.EOF {
		return fmt.Errorf("mlp: Load: reading after the checksum at byte %d: %w", d.Off, err)
	}
	return nil
}

// Floats reads n float64, all finite; name(k) names the k-th in messages.
// The numbers are read into chunks that double in size as they arrive (the
// first holds 512) and are then copied into one slice, so a file that
// claims more than it holds fails before anything near n·8 bytes is
// allocated, and a whole read allocates 2·8·n bytes.
func (d *Decoder) Floats(n int, name func(k int) string) ([]float64, error) {
	const chunk = len(Decoder{}.Buf) / 8
	var chunks [][]float64
	got := 0 // numbers read
	for got < n {
		c := make([]float64, 0, min(n-got, max(chunk, got)))
		for len(c) < cap(c) {
			m := min(cap(c)-len(c), chunk)
			at := d.Off
			k, err := d.Fill(8 * m)
			switch err {
			case nil:
			case io.EOF, io.ErrUnexpectedEOF:
				got += len(c) + k/8 // the first number that is missing
				return nil, d.Errorf("unexpected end of file in %s at byte %d (got %d of %d numbers)",
					name(got), d.Off, got, n)
			default:
				return nil, d.IOError(name(got+len(c)+k/8), err)
			}
			b := d.Buf[:8*m]
			for j := 0; j < m; j++ {
				x := math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, d.Errorf("%s is %v at byte %d; a model file holds only finite numbers",
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

// Flagged reads a uint8 flag (0 or 1) and a float64, finite when the flag
// is set and 0 when it is not.
func (d *Decoder) Flagged(what string) (bool, float64, error) {
	at := d.Off
	b, err := d.Read(1, -1, what+" flag")
	if err != nil {
		return false, 0, err
	}
	if b[0] > 1 {
		return false, 0, d.Errorf("%s flag %d at byte %d is not 0 or 1", what, b[0], at)
	}
	if b[0] == 0 {
		// A field that is not set holds 0, so that a file has one form.
		at := d.Off
		v, err := d.Float64(-1, what)
		if err == nil && math.Float64bits(v) != 0 {
			err = d.Errorf("%s at byte %d is %v but not set; it must be 0", what, at, v)
		}
		return false, 0, err
	}
	v, err := d.Finite(what)
	return true, v, err
}

// Finite reads a finite float64.
func (d *Decoder) Finite(what string) (float64, error) {
	at := d.Off
	v, err := d.Float64(-1, what)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, d.Errorf("%s is %v at byte %d; a model file holds only finite numbers", what, v, at)
	}
	return v, nil
}

// String reads a uint32 length and that many bytes, at most MaxStringSize.
func (d *Decoder) String(what string) (string, error) {
	at := d.Off
	n, err := d.Uint32(-1, what+" length")
	if err != nil {
		return "", err
	}
	if n > MaxStringSize {
		return "", d.Errorf("%s length %d at byte %d is more than the cap of %d", what, n, at, MaxStringSize)
	}
	var s []byte
	for left := int(n); left > 0; {
		k := min(left, len(d.Buf))
		b, err := d.Read(k, -1, what)
		if err != nil {
			return "", err
		}
		s = append(s, b...)
		left -= k
	}
	return string(s), nil
}

// Strings reads a uint32 count, at most MaxStrings, and that many strings.
// The list grows as the strings arrive.
func (d *Decoder) Strings(what string) ([]string, error) {
	at := d.Off
	n, err := d.Uint32(-1, what+" count")
	if err != nil {
		return nil, err
	}
	if n > MaxStrings {
		return nil, d.Errorf("%s count %d at byte %d is more than the cap of %d", what, n, at, MaxStrings)
	}
	var ss []string
	for i := 0; i < int(n); i++ {
		s, err := d.String(fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	return ss, nil
}

// AppendFlagged appends a uint8 flag and the float64 v (0 when flag is
// false).
func AppendFlagged(buf []byte, flag bool, v float64) []byte {
	if !flag {
		return binary.LittleEndian.AppendUint64(append(buf, 0), 0)
	}
	return binary.LittleEndian.AppendUint64(append(buf, 1), math.Float64bits(v))
}

// AppendString appends s as a uint32 length and its bytes.
func AppendString(buf []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(buf, uint32(len(s))), s...)
}

// AppendStrings appends a uint32 count and the strings.
func AppendStrings(buf []byte, ss []string) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(ss)))
	for _, s := range ss {
		buf = AppendString(buf, s)
	}
	return buf
}

// ChunkSize is the most bytes an Encoder holds: a file of at most
// ChunkSize bytes is written in one call to the writer, a larger one in
// several calls of at most ChunkSize bytes.
const ChunkSize = 4 << 20

// Encoder writes a model file of a known size to a writer in chunks,
// keeping the CRC-32 of what it has written, so that saving a model holds
// at most min(size, ChunkSize) bytes of the file in memory. The caller
// appends to Buf, making room first with Room or writing numbers with
// Float64s, and ends the file with End, which appends the checksum.
type Encoder struct {
	// Buf holds the bytes not written yet. Its capacity is min(size,
	// ChunkSize): appends that keep within it (see Room) do not allocate.
	Buf []byte

	w     io.Writer
	where string // the saving method, for messages
	size  int    // bytes of the whole file
	n     int    // bytes written
	crc   uint32 // CRC-32 of the bytes written
	err   error  // the first error of w
}

// NewEncoder returns an Encoder of a file of size bytes to w, for where
// (the saving method, named in errors). Its Buf is the one allocation.
func NewEncoder(where string, w io.Writer, size int) Encoder {
	return Encoder{Buf: make([]byte, 0, min(size, ChunkSize)), w: w, where: where, size: size}
}

// SetSize sets the size of the file to size bytes, for a caller that has
// appended a part of it whose size it did not know to Buf, and grows Buf to
// a capacity of min(size, ChunkSize), so that a file of at most ChunkSize
// bytes is still written in one call.
func (e *Encoder) SetSize(size int) {
	e.size = size
	if c := min(size, ChunkSize); cap(e.Buf) < c {
		e.Buf = slices.Grow(e.Buf, c-len(e.Buf))
	}
}

// Room makes room for n more bytes in Buf, writing what it holds if they
// would not fit, and returns the error of the writer, if any.
func (e *Encoder) Room(n int) error {
	if len(e.Buf)+n > cap(e.Buf) && len(e.Buf) > 0 {
		e.flush()
	}
	return e.err
}

// Float64s appends the IEEE-754 bits of v, little-endian, writing Buf
// whenever it is full, and returns the error of the writer, if any.
func (e *Encoder) Float64s(v []float64) error {
	for len(v) > 0 && e.err == nil {
		k := min(len(v), (cap(e.Buf)-len(e.Buf))/8)
		if k == 0 {
			if len(e.Buf) == 0 { // a size too small for v: grow
				e.Buf = slices.Grow(e.Buf, 8*len(v))
			} else {
				e.flush()
			}
			continue
		}
		n := len(e.Buf)
		b := e.Buf[n : n+8*k]
		for j, x := range v[:k] {
			binary.LittleEndian.PutUint64(b[8*j:], math.Float64bits(x))
		}
		e.Buf = e.Buf[:n+8*k]
		v = v[k:]
	}
	return e.err
}

// End appends the CRC-32 of the whole file so far and writes what Buf
// holds. It returns the error of the writer wrapped, with the bytes
// written before it; a short write with no error is io.ErrShortWrite.
func (e *Encoder) End() error {
	if e.Room(4) != nil {
		return e.err
	}
	e.crc = crc32.Update(e.crc, crc32.IEEETable, e.Buf)
	e.Buf = binary.LittleEndian.AppendUint32(e.Buf, e.crc)
	e.write()
	return e.err
}

// flush adds Buf to the checksum and writes it.
func (e *Encoder) flush() {
	e.crc = crc32.Update(e.crc, crc32.IEEETable, e.Buf)
	e.write()
}

// write writes Buf and empties it; an error is kept in e.err.
func (e *Encoder) write() {
	if e.err != nil {
		return
	}
	n, err := guard.Writer(e.w).Write(e.Buf)
	e.n += n
	if err != nil {
		e.err = fmt.Errorf("mlp: %s: wrote %d of %d bytes: %w", e.where, e.n, e.size, err)
	}
	e.Buf = e.Buf[:0]
}
