// Package guard holds the checks that every package of the module applies
// to what callers hand in: nil values, and io.Readers and io.Writers that
// break their contracts in ways that would otherwise make a caller spin
// forever or report success after writing part of its output.
package guard

import (
	"fmt"
	"io"
	"reflect"
)

// IsNil reports whether v is nil or holds a nil pointer, map, slice,
// function, channel or interface. It allocates nothing for pointers.
func IsNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// MaxEmptyReads is the number of calls in a row that a Reader lets return
// no bytes and no error before it reports io.ErrNoProgress, as
// bufio.Reader does.
const MaxEmptyReads = 100

// Reader returns r wrapped so that MaxEmptyReads calls in a row of r.Read
// that return no bytes and no error (which io.Reader discourages, and which
// make io.ReadFull and io.ReadAll loop forever) give an error wrapping
// io.ErrNoProgress. Everything else passes through unchanged.
func Reader(r io.Reader) io.Reader { return &reader{r: r} }

type reader struct {
	r     io.Reader
	empty int // calls in a row that returned (0, nil)
}

func (p *reader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 || err != nil || len(b) == 0 {
		p.empty = 0
		return n, err
	}
	if p.empty++; p.empty >= MaxEmptyReads {
		return 0, fmt.Errorf("%d Read calls in a row returned no bytes and no error: %w", p.empty, io.ErrNoProgress)
	}
	return 0, nil
}

// Writer returns w wrapped so that a Write that reports writing fewer bytes
// than it was given with a nil error (which io.Writer forbids) returns
// io.ErrShortWrite. Everything else passes through unchanged.
func Writer(w io.Writer) io.Writer { return writer{w} }

type writer struct{ w io.Writer }

func (w writer) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}
