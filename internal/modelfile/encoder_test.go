package modelfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// callWriter keeps what is written to it and the length of each call.
type callWriter struct {
	bytes.Buffer
	calls []int
}

func (w *callWriter) Write(p []byte) (int, error) {
	w.calls = append(w.calls, len(p))
	return w.Buffer.Write(p)
}

// TestEncoder writes files of random pieces (runs of float64 of random
// lengths, and small fields after Room) through an Encoder and checks that
// the bytes written are the pieces appended in one buffer, followed by
// their CRC-32, whatever chunk boundaries the pieces cross; that each call
// writes at most ChunkSize bytes; and that a file of at most ChunkSize
// bytes is one call.
func TestEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, total := range []int{60, 5000, ChunkSize - 4, ChunkSize, 3*ChunkSize + 12345} {
		// The pieces: field lengths (negative: a run of -n float64).
		var pieces []int
		size := 4
		for size < total {
			var n int
			if rng.IntN(2) == 0 {
				n = min(1+rng.IntN(9), total-size)
			} else {
				k := min(1+rng.IntN(max(1, total/8)), (total-size)/8)
				if k == 0 {
					continue
				}
				n = -k
			}
			pieces = append(pieces, n)
			size += max(n, -8*n)
		}
		var want []byte
		var w callWriter
		e := NewEncoder("Test", &w, size)
		for _, n := range pieces {
			if n > 0 {
				field := make([]byte, n)
				for j := range field {
					field[j] = byte(rng.Uint32())
				}
				if err := e.Room(n); err != nil {
					t.Fatal(err)
				}
				e.Buf = append(e.Buf, field...)
				want = append(want, field...)
				continue
			}
			v := make([]float64, -n)
			for j := range v {
				v[j] = rng.NormFloat64()
				want = binary.LittleEndian.AppendUint64(want, math.Float64bits(v[j]))
			}
			if err := e.Float64s(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.End(); err != nil {
			t.Fatal(err)
		}
		want = binary.LittleEndian.AppendUint32(want, crc32.ChecksumIEEE(want))
		if !bytes.Equal(w.Bytes(), want) {
			t.Errorf("file of %d bytes: the bytes written differ from the pieces and their checksum", size)
		}
		for i, n := range w.calls {
			if n > ChunkSize {
				t.Errorf("file of %d bytes: call %d wrote %d bytes, more than %d", size, i, n, ChunkSize)
			}
		}
		if size <= ChunkSize && len(w.calls) != 1 {
			t.Errorf("file of %d bytes: %d calls of Write, want 1", size, len(w.calls))
		}
	}
}

// failWriter fails every call with err.
type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestEncoderError checks that the first error of the writer is returned
// wrapped, naming the saving method and the bytes written, and that the
// Encoder writes nothing after it.
func TestEncoderError(t *testing.T) {
	broken := errors.New("disk full")
	e := NewEncoder("Save", failWriter{broken}, 3*ChunkSize)
	err := e.Float64s(make([]float64, 3*ChunkSize/8-1))
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "mlp: Save: wrote 0 of 12582912 bytes: disk full") {
		t.Errorf("Float64s: %v, want the writer's error wrapped", err)
	}
	if err := e.End(); !errors.Is(err, broken) {
		t.Errorf("End after an error: %v, want the writer's error", err)
	}
}

// TestEncoderSmallSize checks that an Encoder told a size smaller than what
// is appended (a caller's mistake) still writes every byte and ends.
func TestEncoderSmallSize(t *testing.T) {
	var w callWriter
	e := NewEncoder("Save", &w, 4)
	if err := e.Float64s(make([]float64, 100)); err != nil {
		t.Fatal(err)
	}
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	if w.Len() != 804 {
		t.Errorf("%d bytes written, want 804", w.Len())
	}
}
