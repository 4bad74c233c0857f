package tabular_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataErrorContains fails the test unless err wraps sentinel and its text
// holds every one of substrings.
func dataErrorContains(t *testing.T, err error, sentinel error, substrings ...string) {
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

// dataOpen opens testdata/csv/name, closed when the test ends.
func dataOpen(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

type dataFailingReader struct{ err error }

func (r dataFailingReader) Read([]byte) (int, error) { return 0, r.err }
