package mlp

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzLoad checks that Load never panics, that every error it returns for
// an in-memory file wraps ErrFormat, and that every file it accepts is
// canonical: Save of the loaded model writes the same bytes, which load
// again. Since a random change almost always breaks the checksum, each
// input is also tried with its last four bytes replaced by the right
// CRC-32, so that the fuzzer reaches the layer decoders and the success
// path. The seed corpus is testdata/model_v1.mlp and
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	golden, err := os.ReadFile(goldenModelFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Fuzz(func(t *testing.T, data []byte) {
		loadRoundTrip(t, data)
		if len(data) >= 4 {
			loadRoundTrip(t, withChecksum(data))
		}
	})
}

// loadRoundTrip loads data and checks the properties FuzzLoad states.
func loadRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	m, err := Load(bytes.NewReader(data))
	if err != nil {
		if m != nil {
			t.Fatalf("Load returned a model with its error %v", err)
		}
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("Load: %v does not wrap ErrFormat", err)
		}
		return
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatalf("Load accepted the file but Save of the model fails: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("Save of the loaded model differs from the file it was loaded from:\n% x\n% x", buf.Bytes(), data)
	}
	m2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Load of what Save wrote: %v", err)
	}
	var buf2 bytes.Buffer
	if err := m2.Save(&buf2); err != nil {
		t.Fatalf("second Save: %v", err)
	}
	if !bytes.Equal(buf2.Bytes(), buf.Bytes()) {
		t.Fatalf("Save, Load, Save does not give the same bytes")
	}
}
