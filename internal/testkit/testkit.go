// Package testkit holds the checks that the tests of several packages of
// the module share, so that each is written once: an entry point that must
// come back with an error rather than panic, what that error must match
// and say, and the fuzzing of model files around their checksum.
//
// It imports no package of the module, so that the tests of package mlp
// itself (package mlp and mlp_test) can use it.
package testkit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strconv"
	"strings"
	"testing"
)

// NoPanic runs f and returns its error. A panic fails the test: the entry
// points checked with it must come back with an error.
func NoPanic(t testing.TB, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked instead of returning an error: %v", r)
		}
	}()
	return f()
}

// ErrorContains fails the test unless err wraps sentinel and its text
// holds every one of substrings. A nil err ends the test.
func ErrorContains(t testing.TB, err, sentinel error, substrings ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one wrapping %v", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not match %v", err, sentinel)
	}
	for _, s := range substrings {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// EntryError fails the test unless err, the error of an entry point of
// the module, wraps every one of want, says every one of says and starts
// with "mlp: ", as every error of the module does. A nil err ends the
// test.
func EntryError(t testing.TB, err error, want []error, says []string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("error %q does not match %q", err, w)
		}
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if !strings.HasPrefix(err.Error(), "mlp: ") {
		t.Errorf("error %q does not start with \"mlp: \"", err)
	}
}

// WithChecksum returns a copy of b whose last four bytes are the CRC-32
// (IEEE) of the bytes before them, the checksum that ends a model file.
// It panics if b is shorter than four bytes.
func WithChecksum(b []byte) []byte {
	b = bytes.Clone(b)
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.ChecksumIEEE(b[:n]))
	return b
}

// FuzzModelFiles seeds f with the file golden and with extra, and fuzzes
// check with each input as it is and, when it has at least four bytes,
// with its last four replaced by the right CRC-32 (WithChecksum): a random
// change almost always breaks the checksum, and the second call lets the
// fuzzer reach the decoders behind it.
func FuzzModelFiles(f *testing.F, golden string, check func(t *testing.T, data []byte), extra ...[]byte) {
	seed, err := os.ReadFile(golden)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range append([][]byte{seed}, extra...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		if len(data) >= 4 {
			check(t, WithChecksum(data))
		}
	})
}

// LoadFailed reports whether err, the error of the loading function named
// where, is not nil, and fails the test unless it wraps sentinel (the
// module's ErrFormat) and came without a result (got reports whether
// there was one).
func LoadFailed(t testing.TB, where string, got bool, err, sentinel error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if got {
		t.Fatalf("%s returned a result with its error %v", where, err)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: %v does not wrap %v", where, err, sentinel)
	}
	return true
}

// SklearnCases decodes the cases of testdata/sklearn/<file>, a JSON object
// {"sklearn": version, "cases": [...]} written by the generator beside it,
// into a slice of C, failing the test unless scikit-learn 1.2.1 wrote it
// and it holds at least min cases.
func SklearnCases[C any](t testing.TB, file string, min int) []C {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Sklearn string `json:"sklearn"`
		Cases   []C    `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.Sklearn != "1.2.1" {
		t.Fatalf("%s written with scikit-learn %q, want 1.2.1", file, f.Sklearn)
	}
	if len(f.Cases) < min {
		t.Fatalf("%s: %d cases, want at least %d", file, len(f.Cases), min)
	}
	return f.Cases
}

// LongEnv is the environment variable that runs the long tests: the
// stress, peak-memory and million-row cases that take from seconds to a
// minute each. Continuous integration sets it to 1; a plain `go test ./...`
// skips them, and so does -short.
const LongEnv = "MLP_LONG_TESTS"

// Long skips t, saying what it does and how to run it, unless
// MLP_LONG_TESTS is 1 and -short is not set.
func Long(t testing.TB, what string) {
	t.Helper()
	if testing.Short() || os.Getenv(LongEnv) != "1" {
		t.Skipf("%s: a long test, run with %s=1 (continuous integration does)", what, LongEnv)
	}
}

// PeakRSS returns the peak resident memory in bytes of the process pid, or
// of the calling process for pid 0, as Linux reports it (VmHWM of
// /proc/PID/status). It returns an error where there is no such file.
func PeakRSS(pid int) (int64, error) {
	path := "/proc/self/status"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: VmHWM %q: %w", path, v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("%s holds no VmHWM line", path)
}
