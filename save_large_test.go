package mlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/allocs"
	"github.com/mlpkit/mlp/internal/modelfile"
)

// chunkWriter keeps what is written to it and the length of each call; the
// call numbered failAt (from 1, 0 for none) fails with err, or, with a nil
// err, reports writing 10 bytes.
type chunkWriter struct {
	bytes.Buffer
	calls  []int
	failAt int
	err    error
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.calls = append(w.calls, len(p))
	if len(w.calls) == w.failAt {
		if w.err != nil {
			return 0, w.err
		}
		return w.Buffer.Write(p[:10])
	}
	return w.Buffer.Write(p)
}

// largeModel returns a model of 12.8 MB whose file has 4 bytes left in its
// first ChunkSize bytes when the LeakyReLU's 9 bytes come, so that Save
// writes them before that layer; its second Linear layer spans two more
// chunks. first is the length of the bytes before the LeakyReLU.
func largeModel(t testing.TB) (m *Sequential, first int) {
	t.Helper()
	src := rand.NewPCG(3, 4)
	layers := []Layer{NewLinear(4368, 120, src)}
	first = 16 + 9 + 8*(4368*120+120)
	for first < modelfile.ChunkSize-4 {
		layers = append(layers, &ReLU{})
		first++
	}
	if first != modelfile.ChunkSize-4 {
		t.Fatalf("the layers before the LeakyReLU take %d bytes, want %d", first, modelfile.ChunkSize-4)
	}
	drop, err := NewDropout(0.25, src)
	if err != nil {
		t.Fatal(err)
	}
	layers = append(layers, &LeakyReLU{Slope: 0.2}, drop, NewLinear(120, 9000, src), &Softmax{})
	m, err = NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	return m, first
}

// TestSaveLarge checks Save of a model larger than 4 MiB: it writes the
// file in calls of at most 4 MiB, the first ending where the next layer's
// fields would not fit; the file has the size the format gives and loads
// back bit for bit; Save allocates one buffer of 4 MiB, not the file
// (allocs.Bytes at most 4 MiB + 64 KiB); and a writer that fails, or
// writes short, on its second call gives that error, wrapped, with the
// bytes written before it.
func TestSaveLarge(t *testing.T) {
	m, first := largeModel(t)
	var w chunkWriter
	if err := m.Save(&w); err != nil {
		t.Fatal(err)
	}
	size := 20 + (9 + 8*(4368*120+120)) + (first - 16 - 9 - 8*(4368*120+120)) + 9 + 9 + (9 + 8*(120*9000+9000)) + 1
	if w.Len() != size {
		t.Errorf("Save wrote %d bytes, want %d", w.Len(), size)
	}
	if len(w.calls) < 4 || w.calls[0] != first {
		t.Errorf("Save wrote in calls of %v bytes, want at least 4, the first of %d", w.calls, first)
	}
	for i, n := range w.calls {
		if n > modelfile.ChunkSize {
			t.Errorf("call %d wrote %d bytes, more than %d", i, n, modelfile.ChunkSize)
		}
	}

	back, err := Load(bytes.NewReader(w.Bytes()))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := back.String(), m.String(); got != want {
		t.Errorf("loaded %s, want %s", got, want)
	}
	want, got := m.Params(), back.Params()
	for i := range want {
		a, b := want[i].Value.RawMatrix().Data, got[i].Value.RawMatrix().Data
		for j := range a {
			if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
				t.Fatalf("parameter %d [%d] loaded as %v, saved %v", i, j, b[j], a[j])
			}
		}
	}
	if !bytes.Equal(saveBytes(t, back), w.Bytes()) {
		t.Error("Save of the loaded model writes other bytes")
	}

	n := allocs.Bytes(func() {
		if err := m.Save(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("Save of a %d-byte model allocated %d bytes", size, n)
	if n > modelfile.ChunkSize+64<<10 {
		t.Errorf("Save of a %d-byte model allocated %d bytes, want at most %d", size, n, modelfile.ChunkSize+64<<10)
	}
	if a := testing.AllocsPerRun(3, func() {
		if err := m.Save(io.Discard); err != nil {
			t.Fatal(err)
		}
	}); a != 1 {
		t.Errorf("Save of a %d-byte model made %v allocations, want 1", size, a)
	}

	broken := errors.New("disk full")
	for _, tc := range []struct {
		name string
		err  error
		want error
		msg  string
	}{
		{"error", broken, broken, fmt.Sprintf("mlp: Save: wrote %d of %d bytes: disk full", first, size)},
		{"short write", nil, io.ErrShortWrite, fmt.Sprintf("mlp: Save: wrote %d of %d bytes: short write", first+10, size)},
	} {
		w := chunkWriter{failAt: 2, err: tc.err}
		err := m.Save(&w)
		if !errors.Is(err, tc.want) || errors.Is(err, ErrFormat) || err.Error() != tc.msg {
			t.Errorf("%s: Save: %v, want %q wrapping %v", tc.name, err, tc.msg, tc.want)
		}
		if len(w.calls) != 2 {
			t.Errorf("%s: %d calls of Write, want none after the failing second", tc.name, len(w.calls))
		}
	}
}

// TestSaveLargeRefused checks that a model Save refuses writes nothing,
// even when the fault is in a layer beyond the first 4 MiB of its file.
func TestSaveLargeRefused(t *testing.T) {
	m, _ := largeModel(t)
	layers := m.Layers()
	last := layers[len(layers)-2].(*Linear)
	bias := last.Bias()
	bias[len(bias)-1] = math.Inf(-1)
	var w chunkWriter
	err := m.Save(&w)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "bias b[8999] is -Inf") {
		t.Errorf("Save: %v, want an error wrapping ErrFormat naming b[8999]", err)
	}
	if w.Len() != 0 || len(w.calls) != 0 {
		t.Errorf("Save wrote %d bytes in %d calls before failing", w.Len(), len(w.calls))
	}
}
