package parquet

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadAll reads arbitrary bytes as a Parquet file, seeded with the
// fixtures: an error or a valid table, never a panic (ReadAll's recover
// is switched off, so that a panic of parquet-go the checks let through
// fails the target).
func FuzzReadAll(f *testing.F) {
	for _, name := range []string{"flags", "iris_species", "penguins", "churn"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".parquet"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := NewReader(bytes.NewReader(b), int64(len(b)))
		rd.TargetIndex = []int{-1}
		rd.Limits.MaxBytes = 1 << 20
		tab, err := rd.read()
		if err != nil {
			return
		}
		if err := validTable(tab); err != nil {
			t.Fatalf("a table that is not valid: %v", err)
		}
	})
}
