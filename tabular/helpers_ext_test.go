package tabular_test

import (
	"os"
	"path/filepath"
	"testing"
)

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
