package tabular

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
)

// FuzzCSVReader checks that CSVReader.ReadAll never panics, that every
// error is a *ParseError matching ErrData and naming a line, or a settings
// error, and that every Table it returns keeps its invariants: columns of
// equal length, numeric cells finite or NaN, categorical cells indices into
// sorted distinct categories, no missing target, unique names, a decided
// task; and that fitting a Preprocessor on it and transforming it never
// panics and gives finite numbers. The seed corpus is
// testdata/fuzz/FuzzCSVReader and the inputs added below.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []struct {
		data      string
		target    string
		task      uint8
		semicolon bool
	}{
		{"a,b,label\n1,2,0\n3,4,1\n", "label", 0, false},
		{"a;b;y\n1.5;-2;0.25\n3e2;4;1\n", "y", 2, true},
		{"a,y,b\n1,2,3\n4,0,6\n", "y", 1, false},
		{"a,b\n\n1, 2.0\n\n3 ,4\n", "", 0, false},
		{"\"a\",\"b\"\n\"1\",\"0\"\n", "b", 0, false},
		{"a,b\n1,2147483647\n", "b", 0, false},
		{"a,b\n1,-0\n", "b", 0, false},
		{"a,b\nNaN,0\n", "b", 0, false},
		{"a,b\n1,2\n3\n", "", 0, false},
		{"a,b\n1,\"x\ny\"\n", "", 0, false},
		{"\uFEFFc,n,y\nred,1,a\n,NA,b\nblue,2,\n", "y", 0, false},
		{"a,a\n1,2\n", "", 0, false},
		{"a,b\n1,1e309\n", "", 0, false},
		{"a,b,y\n1,-,0\n?,x,1\n3,.,0\n", "y", 0x80, false},
		{"a,y\n1,2\n3,?\n", "y", 0x82, false},
	} {
		f.Add([]byte(s.data), s.target, s.task, s.semicolon)
	}
	f.Fuzz(func(t *testing.T, data []byte, target string, task uint8, semicolon bool) {
		r := NewCSVReader(bytes.NewReader(data))
		if target != "" {
			r.Targets = strings.Split(target, "|")
		}
		r.Task = Task(task % 3)
		r.DetectNA = task&0x80 != 0 // with NA "?" below, other markers: "-", "."
		r.NA = []string{"?"}
		if semicolon {
			r.Comma = ';'
		}
		tab, err := r.ReadAll()
		if err != nil {
			if tab != nil {
				t.Fatalf("ReadAll returned a Table with its error %v", err)
			}
			if errors.Is(err, mlp.ErrSetting) {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, mlp.ErrData) {
				t.Fatalf("error %v is not a *ParseError matching ErrData", err)
			}
			if pe.Line < 1 || pe.Column < 0 {
				t.Fatalf("error %v names line %d, column %d", err, pe.Line, pe.Column)
			}
			return
		}
		n := tab.Rows()
		if n == 0 {
			t.Fatal("ReadAll returned no error and no rows")
		}
		var names []string
		for k, cols := range [][]Column{tab.Features, tab.Targets} {
			for _, c := range cols {
				names = append(names, c.Name)
				if len(c.Values) != n {
					t.Fatalf("column %q has %d values for %d rows", c.Name, len(c.Values), n)
				}
				if c.Kind == Categorical && !slices.IsSorted(c.Categories) || len(slices.Compact(slices.Clone(c.Categories))) != len(c.Categories) {
					t.Fatalf("column %q categories %q are not sorted and distinct", c.Name, c.Categories)
				}
				for _, v := range c.Values {
					switch {
					case math.IsNaN(v):
						if k == 1 {
							t.Fatalf("target %q has a missing cell", c.Name)
						}
						if math.Float64bits(v) != math.Float64bits(math.NaN()) {
							t.Fatalf("column %q holds a NaN of bits %#x", c.Name, math.Float64bits(v))
						}
					case math.IsInf(v, 0):
						t.Fatalf("column %q holds %v", c.Name, v)
					case c.Kind == Categorical && (v != math.Trunc(v) || v < 0 || int(v) >= len(c.Categories)):
						t.Fatalf("categorical column %q holds index %v of %d", c.Name, v, len(c.Categories))
					}
				}
			}
		}
		slices.Sort(names)
		if len(slices.Compact(names)) != len(tab.Features)+len(tab.Targets) {
			t.Fatalf("repeated column names %q", names)
		}
		if (len(tab.Targets) == 0) != (tab.Task == AutoTask) || len(tab.Targets) > 1 && tab.Task != Regression {
			t.Fatalf("task %v for %d targets", tab.Task, len(tab.Targets))
		}
		if len(tab.Features) == 0 {
			return
		}
		pre, err := FitPreprocessor(tab, PreprocessSettings{})
		if err != nil {
			if !errors.Is(err, mlp.ErrData) {
				t.Fatalf("FitPreprocessor: %v", err)
			}
			return
		}
		x, err := pre.Transform(tab)
		if err != nil {
			t.Fatalf("Transform of the training table: %v", err)
		}
		for k, v := range x.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("preprocessed entry %d is %v", k, v)
			}
		}
	})
}
