package tabular

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// readWith reads text with a CSVReader that configure sets up.
func readWith(t *testing.T, text string, configure func(*CSVReader)) (*Table, error) {
	t.Helper()
	r := NewCSVReader(strings.NewReader(text))
	configure(r)
	return r.ReadAll()
}

// columnNames returns the names of cols.
func columnNames(cols []Column) []string {
	var out []string
	for _, c := range cols {
		out = append(out, c.Name)
	}
	return out
}

// categoricalNames returns the names of the categorical columns of cols.
func categoricalNames(cols []Column) []string {
	var out []string
	for _, c := range cols {
		if c.Kind == Categorical {
			out = append(out, c.Name)
		}
	}
	return out
}

// TestColumnPatterns selects columns of Categorical and Ignore by exact
// name and by pattern: which columns are features, which categorical.
func TestColumnPatterns(t *testing.T) {
	const data = "id,f_1,f_2,f*,g,y\n" +
		"a,0,1,3,0.5,0\n" +
		"b,1,0,4,1.5,1\n" +
		"c,1,1,3,2.5,0\n"
	cases := []struct {
		name              string
		targets           []string
		ignore, cat       []string
		features, catCols []string // want
		targetKind        ColumnKind
	}{
		{"exact names", []string{"y"}, []string{"id"}, []string{"f_1"},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f_1"}, Numeric},
		// "f*" is the name of a column: that column only, not a pattern.
		{"exact name holding *", []string{"y"}, []string{"id"}, []string{"f*"},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f*"}, Numeric},
		{"pattern *", []string{"y"}, []string{"id"}, []string{"f_*"},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f_1", "f_2"}, Numeric},
		{"pattern ? and class", []string{"y"}, []string{"[a-i]d"}, []string{"f_?"},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f_1", "f_2"}, Numeric},
		{"pattern quoting *", []string{"y"}, []string{"id"}, []string{`f\*`},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f*"}, Numeric},
		{"pattern with spaces trimmed", []string{"y"}, []string{" i? "}, []string{" f_[12] "},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f_1", "f_2"}, Numeric},
		// * matches every column, the target y too: the target wins.
		{"ignore pattern leaves the target", []string{"y"}, []string{"*"}, nil,
			[]string{}, nil, Numeric},
		{"ignore pattern leaves a target it matches by prefix", []string{"f_2"}, []string{"f_*", "id"}, nil,
			[]string{"f*", "g", "y"}, nil, Numeric},
		// A Categorical pattern does select a target.
		{"categorical pattern selects the target", []string{"y"}, []string{"id"}, []string{"[fy]*"},
			[]string{"f_1", "f_2", "f*", "g"}, []string{"f_1", "f_2", "f*"}, Categorical},
		{"ignored and categorical", []string{"y"}, []string{"id", "f_?"}, []string{"f*"},
			[]string{"f*", "g"}, []string{"f*"}, Numeric},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readWith(t, data, func(r *CSVReader) {
				r.Targets, r.Ignore, r.Categorical, r.Task = tc.targets, tc.ignore, tc.cat, Regression
				if tc.targetKind == Categorical {
					r.Task = Classification
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := columnNames(tab.Features); !slices.Equal(got, tc.features) && !(len(got) == 0 && len(tc.features) == 0) {
				t.Errorf("features %q, want %q", got, tc.features)
			}
			if got := categoricalNames(tab.Features); !slices.Equal(got, tc.catCols) {
				t.Errorf("categorical features %q, want %q", got, tc.catCols)
			}
			if got := columnNames(tab.Targets); !slices.Equal(got, tc.targets) {
				t.Errorf("targets %q, want %q", got, tc.targets)
			}
			// Ignored: the header's other columns, in header order.
			var ignored []string
			for _, name := range []string{"id", "f_1", "f_2", "f*", "g", "y"} {
				if !slices.Contains(tc.features, name) && !slices.Contains(tc.targets, name) {
					ignored = append(ignored, name)
				}
			}
			if !slices.Equal(tab.Ignored, ignored) {
				t.Errorf("Ignored %q, want %q", tab.Ignored, ignored)
			}
			if k := tab.Targets[0].Kind; k != tc.targetKind {
				t.Errorf("target kind %v, want %v", k, tc.targetKind)
			}
		})
	}
}

// TestColumnPatternErrors: a pattern matching no column, a malformed
// pattern, an exact target in Ignore.
func TestColumnPatternErrors(t *testing.T) {
	const data = "id,f_1,f_2,y\na,0,1,0\nb,1,0,1\n"
	cases := []struct {
		name      string
		configure func(*CSVReader)
		sentinel  error
		want      []string
	}{
		{"categorical pattern matching no column", func(r *CSVReader) { r.Categorical = []string{"x_*"} },
			ErrNoColumn, []string{`categorical column pattern "x_*" (matching no column)`, `"id", "f_1", "f_2", "y"`, "line 1"}},
		{"ignore pattern matching no column", func(r *CSVReader) { r.Ignore = []string{"z?"} },
			ErrNoColumn, []string{`ignored column pattern "z?" (matching no column)`, `"id", "f_1", "f_2", "y"`}},
		{"absent name and absent pattern", func(r *CSVReader) { r.Ignore = []string{"nope"}; r.Categorical = []string{"q*"} },
			ErrNoColumn, []string{"2 columns", `ignored column "nope"`, `categorical column pattern "q*"`}},
		{"malformed categorical pattern", func(r *CSVReader) { r.Categorical = []string{"f_[1"} },
			mlp.ErrSetting, []string{`CSVReader.Categorical entry "f_[1"`, "syntax error in pattern"}},
		{"malformed ignore pattern", func(r *CSVReader) { r.Ignore = []string{`id\`} },
			mlp.ErrSetting, []string{`CSVReader.Ignore entry "id\\"`, "syntax error in pattern"}},
		{"target named in Ignore", func(r *CSVReader) { r.Targets = []string{"y"}; r.Ignore = []string{"y"} },
			mlp.ErrSetting, []string{`column "y" is both a target and ignored`}},
		{"negative CategoricalInts", func(r *CSVReader) { r.CategoricalInts = -1 },
			mlp.ErrSetting, []string{"CSVReader.CategoricalInts = -1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := readWith(t, data, tc.configure)
			if tab != nil {
				t.Errorf("got a table with error %v", err)
			}
			testkit.ErrorContains(t, err, tc.sentinel, tc.want...)
		})
	}
	// A header name that would be a malformed pattern is a name.
	tab, err := readWith(t, "a[b,y\n1,0\n2,1\n", func(r *CSVReader) { r.Categorical = []string{"a[b"}; r.Targets = []string{"y"} })
	if err != nil {
		t.Fatal(err)
	}
	if got := categoricalNames(tab.Features); !slices.Equal(got, []string{"a[b"}) {
		t.Errorf("categorical %q, want [a[b]", got)
	}
}

// TestCategoricalInts reads a table of 0/1 factor columns with
// CategoricalInts and checks that it gives the same Table as naming the
// columns in Categorical, and which columns it leaves numeric.
func TestCategoricalInts(t *testing.T) {
	const data = "x1,x2,x3,f,big,neg,wide,allna,y\n" +
		"0,1,1,0.5,1,-1,1,,0\n" +
		"1,,0,1.5,2,0,2,,1\n" +
		"1,0,1,2.0,3,-1,3,,0\n" +
		"0,1,0,3,4,0,4,,1\n" +
		"1,1,1,1,5,-1,,,1\n"
	cases := []struct {
		name string
		n    int
		cats []string // the columns it makes categorical, to name in Categorical
	}{
		{"off", 0, nil},
		{"two values", 2, []string{"x1", "x2", "x3", "neg"}},
		{"four values", 4, []string{"x1", "x2", "x3", "neg", "wide"}},
		{"five values", 5, []string{"x1", "x2", "x3", "big", "neg", "wide"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			auto, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.CategoricalInts = tc.n })
			if err != nil {
				t.Fatal(err)
			}
			named, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.Categorical = tc.cats })
			if err != nil {
				t.Fatal(err)
			}
			if got := categoricalNames(auto.Features); !slices.Equal(got, tc.cats) {
				t.Errorf("categorical %q, want %q", got, tc.cats)
			}
			if !reflect.DeepEqual(nanless(auto), nanless(named)) {
				t.Errorf("CategoricalInts = %d:\n%+v\nnaming the columns:\n%+v", tc.n, auto.Features, named.Features)
			}
			// The target, integers of two values, stays as read.
			if auto.Targets[0].Kind != Numeric || auto.Task != Classification {
				t.Errorf("target %v, task %v; want Numeric, Classification", auto.Targets[0].Kind, auto.Task)
			}
		})
	}
	// x2's missing cell stays missing; categories are in byte order.
	tab, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.CategoricalInts = 2 })
	if err != nil {
		t.Fatal(err)
	}
	x2 := tab.Features[1]
	if !slices.Equal(x2.Categories, []string{"0", "1"}) || !math.IsNaN(x2.Values[1]) || x2.Values[0] != 1 || x2.Values[2] != 0 {
		t.Errorf("x2 = %+v, want categories [0 1], values [1 NaN 0 1 1]", x2)
	}
	neg := tab.Features[5]
	if !slices.Equal(neg.Categories, []string{"-1", "0"}) {
		t.Errorf("neg categories %q, want [-1 0]", neg.Categories)
	}
}

// TestCategoricalIntsSpelling: integers written "01" or "+1" are one
// category, "1", whereas naming the column keeps the texts; a column with
// a point ("1.0") is pandas' float64 and stays numeric.
func TestCategoricalIntsSpelling(t *testing.T) {
	const data = "a,b,y\n01,1.0,0\n+1,0.0,1\n0,1.0,0\n"
	tab, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.CategoricalInts = 2 })
	if err != nil {
		t.Fatal(err)
	}
	if a := tab.Features[0]; a.Kind != Categorical || !slices.Equal(a.Categories, []string{"0", "1"}) || !slices.Equal(a.Values, []float64{1, 1, 0}) {
		t.Errorf("a = %+v, want categories [0 1], values [1 1 0]", a)
	}
	if b := tab.Features[1]; b.Kind != Numeric {
		t.Errorf("b = %+v, want numeric", b)
	}
	named, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.Categorical = []string{"a"} })
	if err != nil {
		t.Fatal(err)
	}
	if a := named.Features[0]; !slices.Equal(a.Categories, []string{"+1", "0", "01"}) {
		t.Errorf("named a categories %q, want [+1 0 01]", a.Categories)
	}
}

// nanless returns tab's features with NaN replaced by -999, for
// reflect.DeepEqual.
func nanless(tab *Table) []Column {
	out := make([]Column, len(tab.Features))
	for i, c := range tab.Features {
		c.Values = slices.Clone(c.Values)
		for k, v := range c.Values {
			if math.IsNaN(v) {
				c.Values[k] = -999
			}
		}
		out[i] = c
	}
	return out
}

// TestCategoricalIntsLimit: the categories CategoricalInts makes count
// toward Limits.MaxCategories, as those of named columns do.
func TestCategoricalIntsLimit(t *testing.T) {
	const data = "a,b,y\n0,1,0\n1,0,1\n1,1,0\n"
	for _, tc := range []struct {
		name      string
		configure func(*CSVReader)
	}{
		{"CategoricalInts", func(r *CSVReader) { r.CategoricalInts = 2 }},
		{"named", func(r *CSVReader) { r.Categorical = []string{"a", "b"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readWith(t, data, func(r *CSVReader) {
				r.Targets = []string{"y"}
				r.Limits.MaxCategories = 3
				tc.configure(r)
			})
			testkit.ErrorContains(t, err, ErrLimit, `column "b"`, "MaxCategories = 3")
		})
	}
	tab, err := readWith(t, data, func(r *CSVReader) { r.Targets = []string{"y"}; r.Limits.MaxCategories = 4; r.CategoricalInts = 2 })
	if err != nil || len(categoricalNames(tab.Features)) != 2 {
		t.Errorf("MaxCategories = 4: %v", err)
	}
}

// TestStreamColumnPatterns: CSVStream resolves Categorical and Ignore
// patterns as ReadAll does: the same features, kinds and ignored columns.
func TestStreamColumnPatterns(t *testing.T) {
	const data = "id,id_2,f_1,f_2,g,y\n" +
		"a,7,0,1,0.5,0\n" +
		"b,8,1,0,1.5,1\n" +
		"c,9,1,1,2.5,0\n" +
		"d,10,0,0,3.5,1\n"
	settings := StreamSettings{Targets: []string{"y"}, Categorical: []string{"f_?"}, Ignore: []string{"id*", "y*"}}
	s, err := NewCSVStream(openBytes([]byte(data)), settings)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := readWith(t, data, func(r *CSVReader) {
		r.Targets, r.Categorical, r.Ignore = settings.Targets, settings.Categorical, settings.Ignore
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.FeatureNames(), columnNames(tab.Features); !slices.Equal(got, want) || !slices.Equal(want, []string{"f_1", "f_2", "g"}) {
		t.Errorf("stream features %q, ReadAll's %q, want [f_1 f_2 g]", got, want)
	}
	if got := s.IgnoredNames(); !slices.Equal(got, tab.Ignored) || !slices.Equal(got, []string{"id", "id_2"}) {
		t.Errorf("stream ignored %q, ReadAll's %q, want [id id_2]", got, tab.Ignored)
	}
	if got, want := categoricalNames(s.shell().Features), categoricalNames(tab.Features); !slices.Equal(got, want) || len(want) != 2 {
		t.Errorf("stream categorical %q, ReadAll's %q, want [f_1 f_2]", got, want)
	}
	_, err = NewCSVStream(openBytes([]byte(data)), StreamSettings{Targets: []string{"y"}, Categorical: []string{"q*"}})
	testkit.ErrorContains(t, err, ErrNoColumn, `categorical column pattern "q*" (matching no column)`)
}
