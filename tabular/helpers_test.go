package tabular

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// goldenModelFile is a version-1 model file holding every layer kind, a
// copy of the root package's golden file.
const goldenModelFile = "testdata/model_v1.mlp"

// pipelineVersion is the model file version of a Pipeline.
const pipelineVersion = 2

// callNoPanic returns f's error, failing the test if f panics.
func callNoPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked instead of returning an error: %v", r)
		}
	}()
	return f()
}

// fuzzModelFiles seeds f with the golden model file and extra, and runs
// check on each input and on the input with its checksum made right.
func fuzzModelFiles(f *testing.F, check func(t *testing.T, data []byte), extra ...[]byte) {
	golden, err := os.ReadFile(goldenModelFile)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range append([][]byte{golden}, extra...) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		if len(data) >= 4 {
			check(t, withChecksum(data))
		}
	})
}

// withChecksum returns a copy of b whose last 4 bytes are the CRC-32 of
// the bytes before them.
func withChecksum(b []byte) []byte {
	b = bytes.Clone(b)
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.ChecksumIEEE(b[:n]))
	return b
}

// loadFailed reports whether err, the error of the loading function
// named where, is not nil, and fails the test unless it wraps ErrFormat
// and came without a result (got reports whether there was one).
func loadFailed(t *testing.T, where string, got bool, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if got {
		t.Fatalf("%s returned a result with its error %v", where, err)
	}
	if !errors.Is(err, mlp.ErrFormat) {
		t.Fatalf("%s: %v does not wrap ErrFormat", where, err)
	}
	return true
}

// TestNilReceivers checks that the methods of nil tabular values that take
// user data return an error wrapping ErrSetting naming them, rather than
// panic.
func TestNilReceivers(t *testing.T) {
	errs := []struct {
		name string
		f    func() error
	}{
		{"Preprocessor.Transform", func() error { _, err := (*Preprocessor)(nil).Transform(nil); return err }},
		{"LabelEncoder.Transform", func() error { _, err := (*LabelEncoder)(nil).Transform(nil); return err }},
	}
	for _, c := range errs {
		if err := c.f(); !errors.Is(err, mlp.ErrSetting) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v, want one wrapping ErrSetting naming it", c.name, err)
		}
	}
	if w := (*Preprocessor)(nil).Width(); w != 0 {
		t.Errorf("nil Preprocessor.Width = %d, want 0", w)
	}
}
