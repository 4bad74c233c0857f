package mlp

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// FuzzCSVReader checks that CSVReader.Read never panics, that every error
// is a *ParseError matching ErrData and naming a line, and that every
// Dataset it returns satisfies the invariants of NewDataset: one label (or
// target row) per row of X, no NaN or Inf, non-negative labels, Classes the
// largest label + 1 (0 for regression) and one feature name per column. The
// seed corpus is testdata/fuzz/FuzzCSVReader and the inputs added below.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []struct {
		data       string
		target     string
		regression bool
		semicolon  bool
	}{
		{"a,b,label\n1,2,0\n3,4,1\n", "", false, false},
		{"a;b;y\n1.5;-2;0.25\n3e2;4;1\n", "y", true, true},
		{"a,y,b\n1,2,3\n4,0,6\n", "y", false, false},
		{"a,b\n\n1, 2.0\n\n3 ,4\n", "", false, false},
		{"\"a\",\"b\"\n\"1\",\"0\"\n", "", false, false},
		{"a,b\n1,2147483647\n", "", false, false},
		{"a,b\n1,-0\n", "", false, false},
		{"a,b\nNaN,0\n", "", false, false},
		{"a,b\n1,2\n3\n", "", false, false},
		{"a,b\n1,\"x\ny\"\n", "", false, false},
	} {
		f.Add([]byte(s.data), s.target, s.regression, s.semicolon)
	}
	f.Fuzz(func(t *testing.T, data []byte, target string, regression, semicolon bool) {
		r := NewCSVReader(bytes.NewReader(data))
		r.Target = target
		r.Regression = regression
		if semicolon {
			r.Comma = ';'
		}
		d, err := r.Read()
		if err != nil {
			if d != nil {
				t.Fatalf("Read returned a Dataset with its error %v", err)
			}
			if !errors.Is(err, ErrData) {
				t.Fatalf("error %v does not match ErrData", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line < 1 || pe.Column < 0 {
				t.Fatalf("error %v names line %d, column %d", err, pe.Line, pe.Column)
			}
			return
		}
		if d == nil || d.X == nil || d.X.IsEmpty() {
			t.Fatal("Read returned no error and no samples")
		}
		if err := d.check("fuzz", true); err != nil {
			t.Fatalf("the Dataset breaks an invariant: %v", err)
		}
		n, f := d.X.Dims()
		if len(d.FeatureNames) != f {
			t.Fatalf("%d feature names for %d columns", len(d.FeatureNames), f)
		}
		if regression {
			if d.Y.Labels != nil || d.Y.Values == nil {
				t.Fatal("regression data without Values, or with Labels")
			}
			if r, c := d.Y.Values.Dims(); r != n || c != 1 {
				t.Fatalf("target values are %dx%d for %d samples", r, c, n)
			}
			if d.Classes != 0 {
				t.Fatalf("Classes = %d for regression", d.Classes)
			}
			return
		}
		if d.Y.Values != nil || len(d.Y.Labels) != n {
			t.Fatalf("%d labels for %d samples, or Values set", len(d.Y.Labels), n)
		}
		largest := -1
		for i, c := range d.Y.Labels {
			if c < 0 || c > math.MaxInt32 {
				t.Fatalf("label %d of row %d", c, i)
			}
			largest = max(largest, c)
		}
		if d.Classes != largest+1 {
			t.Fatalf("Classes = %d, want the largest label %d + 1", d.Classes, largest)
		}
	})
}
