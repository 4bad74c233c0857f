package tabular

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// relCSV reads text with a CSVReader that configure may set up.
func relCSV(text string, configure func(*CSVReader)) error {
	r := NewCSVReader(strings.NewReader(text))
	if configure != nil {
		configure(r)
	}
	tab, err := r.ReadAll()
	if tab != nil && err != nil {
		return fmt.Errorf("ReadAll returned a Table with its error %w", err)
	}
	return err
}

// TestCSVReaderErrors reads bad tables: each error wraps ErrData and the
// cause, and names the line and the 1-based column.
func TestCSVReaderErrors(t *testing.T) {
	cases := []struct {
		name  string
		call  func(t *testing.T) error
		want  []error  // errors.Is must match each
		where []string // substrings of the message naming the place
	}{
		// CSVReader.ReadAll: the place is the line and the 1-based column.
		{"csv/empty input", func(*testing.T) error { return relCSV("", nil) },
			[]error{mlp.ErrData, ErrEmptyInput}, []string{"line 1", "no header"}},
		{"csv/header only", func(*testing.T) error { return relCSV("a,b\n", nil) },
			[]error{mlp.ErrData, ErrEmptyInput}, []string{"line 2", "no data rows"}},
		{"csv/one column holding semicolons", func(*testing.T) error { return relCSV("a;b\n1;2\n", nil) },
			[]error{mlp.ErrData, ErrEmptyInput}, []string{"line 1", "one column", "Comma"}},
		{"csv/ragged row", func(*testing.T) error { return relCSV("a,b,c\n1,2,0\n1,2\n", nil) },
			[]error{mlp.ErrData, ErrRagged}, []string{"line 3, column 3", "2 fields"}},
		{"csv/numbers and text", func(*testing.T) error { return relCSV("a,b\n1,0\nx,1\n", nil) },
			[]error{mlp.ErrData, ErrMixedColumn}, []string{"line 3, column 1", `column "a"`, `"x"`, "CSVReader.NA"}},
		{"csv/Inf feature", func(*testing.T) error { return relCSV("a,b\n1,0\n2,1\nInf,1\n", nil) },
			[]error{mlp.ErrData, ErrNotFinite}, []string{"line 4, column 1"}},
		{"csv/1e309", func(*testing.T) error { return relCSV("a,b\n1,0\n1e309,1\n", nil) },
			[]error{mlp.ErrData, ErrOutOfRange}, []string{"line 3, column 1", "range"}},
		{"csv/Inf regression target", func(*testing.T) error {
			return relCSV("a,y\n1,2\n3,+Inf\n", func(r *CSVReader) { r.Targets = []string{"y"}; r.Task = Regression })
		}, []error{mlp.ErrData, ErrNotFinite}, []string{"line 3, column 2", `column "y"`}},
		{"csv/label 0.99999999999999999", func(*testing.T) error {
			return relCSV("a,b\n1,0\n1,0.99999999999999999\n", func(r *CSVReader) { r.TargetIndex = []int{-1} })
		}, []error{mlp.ErrData, ErrBadLabel}, []string{"line 3, column 2", `"0.99999999999999999"`}},
		{"csv/fractional label asked to classify", func(*testing.T) error {
			return relCSV("a,b\n1,0\n1,0.5\n", func(r *CSVReader) { r.TargetIndex = []int{-1}; r.Task = Classification })
		}, []error{mlp.ErrData, ErrBadLabel}, []string{"column 2", "0.5"}},
		{"csv/label 2147483647.0000001", func(*testing.T) error {
			return relCSV("a,b\n1,2147483647.0000001\n1,0\n", func(r *CSVReader) { r.TargetIndex = []int{1} })
		}, []error{mlp.ErrData, ErrBadLabel}, []string{"line 2, column 2", `"2147483647.0000001"`}},
		{"csv/text in a number target", func(*testing.T) error {
			return relCSV("a,y,b\n1,0,2\n3,x,4\n", func(r *CSVReader) { r.Targets = []string{"y"} })
		}, []error{mlp.ErrData, ErrMixedColumn}, []string{"line 3, column 2"}},
		{"csv/no such target column", func(*testing.T) error {
			return relCSV("a,b\n1,0\n", func(r *CSVReader) { r.Targets = []string{"label"} })
		}, []error{mlp.ErrData, ErrNoColumn}, []string{"line 1", `"label"`, `"a", "b"`}},
		{"csv/bare quote", func(*testing.T) error { return relCSV("a,b\n1,0\n2,x\"y\n", nil) },
			[]error{mlp.ErrData, csv.ErrBareQuote}, []string{"line 3"}},
		{"csv/nil reader", func(*testing.T) error { _, err := NewCSVReader(nil).ReadAll(); return err },
			[]error{mlp.ErrData}, []string{"no input"}},
		{"csv/zero CSVReader", func(*testing.T) error { _, err := (&CSVReader{}).ReadAll(); return err },
			[]error{mlp.ErrData}, []string{"no input"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testkit.EntryError(t, testkit.NoPanic(t, func() error { return tc.call(t) }), tc.want, tc.where)
		})
	}
}
