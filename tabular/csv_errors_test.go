package tabular

import (
	"encoding/csv"
	"errors"
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

// TestCSVUnbalancedQuote checks that a quoted field left open is reported
// at the line and field of its opening quote, not at the end of the
// input, where encoding/csv finds it.
func TestCSVUnbalancedQuote(t *testing.T) {
	var long strings.Builder
	long.WriteString("a,b,c\n1,2,3\n4,\"5,6\n")
	for i := range 1000 {
		fmt.Fprintf(&long, "%d,%d,%d\n", i, i, i)
	}
	var big strings.Builder
	big.WriteString("a,b\n")
	for i := range 20000 {
		fmt.Fprintf(&big, "%d,%d\n", i, i)
	}
	big.WriteString("\"x\ny\",1\n7,\"8\n")
	for i := range 20000 {
		fmt.Fprintf(&big, "%d,%d\n", i, i)
	}
	for _, tc := range []struct {
		name      string
		input     string
		line, col int
	}{
		{"line 3 of 1003", long.String(), 3, 2},
		{"after a closed multi-line field, past the first buffer", big.String(), 20004, 2},
		{"first field", "a,b\n\"1,2\n3,4\n", 2, 1},
		{"escaped quotes before", "a,b\n\"x\"\"y\",\"z\n1,2\n", 2, 2},
		{"a quote after a quoted field, then one left open", "a,b\n\"x\"y,1\n2,\"3\n", 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := relCSV(tc.input, nil)
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, csv.ErrQuote) || pe.Line != tc.line || pe.Column != tc.col {
				t.Fatalf("error %v, want csv.ErrQuote at line %d, column %d", err, tc.line, tc.col)
			}
		})
	}
}
