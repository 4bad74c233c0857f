package guard

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// zeroReader returns (0, nil) from every Read.
type zeroReader struct{ calls int }

func (z *zeroReader) Read([]byte) (int, error) { z.calls++; return 0, nil }

// stutterReader returns (0, nil) 99 times before each byte of its data.
type stutterReader struct {
	data  []byte
	calls int
}

func (s *stutterReader) Read(b []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, io.EOF
	}
	if s.calls++; s.calls%MaxEmptyReads != 0 {
		return 0, nil
	}
	b[0] = s.data[0]
	s.data = s.data[1:]
	return 1, nil
}

// shortWriter reports writing at most 3 bytes, with no error.
type shortWriter struct{ got []byte }

func (s *shortWriter) Write(b []byte) (int, error) {
	n := min(len(b), 3)
	s.got = append(s.got, b[:n]...)
	return n, nil
}

func TestReader(t *testing.T) {
	z := &zeroReader{}
	_, err := io.ReadAll(Reader(z))
	if !errors.Is(err, io.ErrNoProgress) || z.calls != MaxEmptyReads {
		t.Errorf("ReadAll of a reader of (0, nil): %v after %d calls, want io.ErrNoProgress after %d", err, z.calls, MaxEmptyReads)
	}
	got, err := io.ReadAll(Reader(&stutterReader{data: []byte("abc")}))
	if err != nil || string(got) != "abc" {
		t.Errorf("ReadAll of a reader that makes progress every %d calls: %q, %v; want \"abc\", nil", MaxEmptyReads, got, err)
	}
}

func TestWriter(t *testing.T) {
	s := &shortWriter{}
	n, err := Writer(s).Write([]byte("hello"))
	if n != 3 || !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("short write: %d, %v; want 3, io.ErrShortWrite", n, err)
	}
	var buf bytes.Buffer
	if n, err := Writer(&buf).Write([]byte("hello")); n != 5 || err != nil || buf.String() != "hello" {
		t.Errorf("full write: %d, %v, %q", n, err, buf.String())
	}
}

func TestIsNil(t *testing.T) {
	var p *bytes.Buffer
	var w io.Writer
	var m map[int]int
	for _, tc := range []struct {
		name string
		v    any
		want bool
	}{
		{"nil", nil, true}, {"nil interface", w, true}, {"typed nil pointer", p, true}, {"nil map", m, true},
		{"pointer", &bytes.Buffer{}, false}, {"int", 0, false}, {"empty struct", struct{}{}, false},
	} {
		if got := IsNil(tc.v); got != tc.want {
			t.Errorf("%s: IsNil = %v, want %v", tc.name, got, tc.want)
		}
	}
}
