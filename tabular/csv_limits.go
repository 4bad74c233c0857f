package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mlpkit/mlp"
)

// Limits bound what a CSVReader accepts, so that memory and time stay
// proportional to the input; input beyond a limit is a *ParseError
// wrapping ErrLimit (and so mlp.ErrTooLarge) that names the line and the
// limit. A zero field means its default.
type Limits struct {
	// MaxBytes is the most bytes of input; default 1 GiB.
	MaxBytes int64
	// MaxLineBytes is the most bytes of one line, and of one record
	// (which quoted newlines may spread over several lines); default
	// 4 MiB. A newline-free input such as /dev/zero stops here.
	MaxLineBytes int
	// MaxFields is the most fields (columns) of one record; default
	// 2048 (raise it for wider tables: the allocation bound of ReadAll
	// holds for the defaults).
	MaxFields int
	// MaxFieldBytes is the most bytes of one cell; default 64 KiB.
	MaxFieldBytes int
	// MaxCategories is the most distinct texts all categorical columns
	// together may hold; default 4096 (each becomes a one-hot input of
	// the network). An identifier or free-text column trips it: add it
	// to CSVReader.Ignore.
	MaxCategories int
}

// Default limits; see Limits.
const (
	DefaultMaxBytes      = 1 << 30
	DefaultMaxLineBytes  = 4 << 20
	DefaultMaxFields     = 2048
	DefaultMaxFieldBytes = 64 << 10
	DefaultMaxCategories = 4096
)

// withDefaults returns l with zero fields set to their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes == 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxLineBytes == 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxFields == 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxFieldBytes == 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if l.MaxCategories == 0 {
		l.MaxCategories = DefaultMaxCategories
	}
	return l
}

// check returns an error wrapping mlp.ErrSetting for a negative limit.
func (l Limits) check() error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"MaxBytes", l.MaxBytes}, {"MaxLineBytes", int64(l.MaxLineBytes)}, {"MaxFields", int64(l.MaxFields)},
		{"MaxFieldBytes", int64(l.MaxFieldBytes)}, {"MaxCategories", int64(l.MaxCategories)}} {
		if f.v < 0 {
			return fmt.Errorf("%w: CSVReader.Limits.%s = %d is negative", mlp.ErrSetting, f.name, f.v)
		}
	}
	return nil
}

// limitError returns the *ParseError for input beyond a limit at line.
func limitError(line, column int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Column: column, Err: fmt.Errorf("%w: "+format, append([]any{ErrLimit}, args...)...)}
}

// boundedReader passes on the bytes of r, stopping with a *ParseError
// wrapping ErrLimit when the input passes MaxBytes, a line passes
// MaxLineBytes or, for a one-byte delimiter, a record passes MaxFields
// (counting delimiters outside quotes), so that the CSV parser reading
// from it never sees a record it would spend far more than its size on.
// Its first error, a limit or one of r (wrapped, matching mlp.ErrData), is
// kept in err and returned by every later Read. It allocates nothing.
type boundedReader struct {
	r           io.Reader
	lim         Limits
	sep         byte
	countFields bool
	total       int64
	line        int // 1-based line of the next byte
	lineLen     int
	fields      int // of the record so far
	quoted      bool
	err         error

	// openLine and openField are the line and the field (1-based; 0
	// when fields are not counted) of the quote that opened the quoted
	// field still open, if quoted.
	openLine, openField int

	atEOF bool // r has returned io.EOF

	// abort makes Read panic with errAbort when it finds input beyond a
	// limit, so that a parser reading from it stops at once rather than
	// parse the bytes it holds (an over-long line, say). The reader's
	// owner recovers it and returns err.
	abort bool
}

// errAbort is the panic value of a boundedReader with abort set.
var errAbort = errors.New("tabular: input beyond a limit")

// newBoundedReader returns a boundedReader of r for records delimited by
// comma.
func newBoundedReader(r io.Reader, comma rune, lim Limits) *boundedReader {
	return &boundedReader{r: r, lim: lim, sep: byte(comma), countFields: comma < utf8.RuneSelf, line: 1, fields: 1}
}

// Read reads from r and checks what it read against the limits.
func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := b.r.Read(p)
	for tries := 1; n == 0 && err == nil; tries++ {
		// A reader that returns nothing and no error, again and again.
		if tries == 100 {
			err = io.ErrNoProgress
			break
		}
		n, err = b.r.Read(p)
	}
	if e := b.scan(p[:n]); e != nil {
		b.err = e
		if b.abort {
			panic(errAbort)
		}
		return 0, e
	}
	if err == io.EOF {
		b.atEOF = true
	}
	if err != nil && err != io.EOF {
		b.err = fmt.Errorf("%w: reading csv at line %d: %w", mlp.ErrData, b.line, err)
		return n, b.err
	}
	return n, err
}

// drain reads the rest of the input, checking it against the limits, and
// returns the first error other than io.EOF.
func (b *boundedReader) drain() error {
	if b.err != nil {
		return b.err
	}
	b.abort = false
	var buf [32 << 10]byte
	for {
		_, err := b.Read(buf[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// scan checks p, the next bytes of the input, against the limits.
func (b *boundedReader) scan(p []byte) error {
	if over := b.total + int64(len(p)) - b.lim.MaxBytes; over > 0 {
		if err := b.scan(p[:int64(len(p))-over]); err != nil {
			return err
		}
		return limitError(b.line, 0, "the input is longer than Limits.MaxBytes = %d bytes", b.lim.MaxBytes)
	}
	b.total += int64(len(p))
	for len(p) > 0 {
		// One line, or the rest of p.
		seg, newline := p, false
		if k := bytes.IndexByte(p, '\n'); k >= 0 {
			seg, newline = p[:k], true
		}
		p = p[len(seg):]
		fields := 0
		if b.countFields {
			fields = bytes.Count(seg, []byte{b.sep})
		}
		if b.quoted || b.fields+fields > b.lim.MaxFields || b.lineLen+len(seg) > b.lim.MaxLineBytes ||
			bytes.IndexByte(seg, '"') >= 0 {
			// Quotes, or a limit to report at the byte that passes it.
			if err := b.scanBytes(seg); err != nil {
				return err
			}
		} else {
			b.fields += fields
			b.lineLen += len(seg)
		}
		if newline {
			p = p[1:]
			b.line, b.lineLen = b.line+1, 0
			if !b.quoted {
				b.fields = 1
			}
		}
	}
	return nil
}

// scanBytes is scan for a part of a line without newline, byte by byte.
func (b *boundedReader) scanBytes(seg []byte) error {
	for _, c := range seg {
		switch {
		case c == '"':
			b.quoted = !b.quoted
			if b.quoted {
				b.openLine, b.openField = b.line, 0
				if b.countFields {
					b.openField = b.fields
				}
			}
		case c == b.sep && b.countFields && !b.quoted:
			if b.fields++; b.fields > b.lim.MaxFields {
				return limitError(b.line, 0, "more than Limits.MaxFields = %d fields", b.lim.MaxFields)
			}
		}
		if b.lineLen++; b.lineLen > b.lim.MaxLineBytes {
			return b.lineError()
		}
	}
	return nil
}

func (b *boundedReader) lineError() error {
	return limitError(b.line, 0, "line %d is longer than Limits.MaxLineBytes = %d bytes", b.line, b.lim.MaxLineBytes)
}
