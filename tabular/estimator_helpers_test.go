package tabular

import (
	"os"
	"testing"
)

// readTable reads the CSV file at path (relative to the package) with the
// named target columns.
func readTable(t testing.TB, path string, targets ...string) *Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewCSVReader(f)
	r.Targets = targets
	tab, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// wineTable is the wine data set, 178 rows, 13 features, target "target".
func wineTable(t testing.TB) *Table { return readTable(t, "../internal/datasets/wine.csv", "target") }
