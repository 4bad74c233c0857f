package tabular_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// pandasCSVCase is one case of testdata/pandas/csv_kinds.json, written by
// testdata/pandas/gen_csv.py from pandas 1.5.3.
type pandasCSVCase struct {
	CSV     string `json:"csv"`
	Columns []struct {
		Name    string    `json:"name"`
		Kind    string    `json:"kind"`
		Missing []bool    `json:"missing"`
		Values  []*string `json:"values"`
	} `json:"columns"`
	Error *struct {
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Kind   string `json:"kind"`
	} `json:"error"`
	Deviation []string `json:"deviation"`
}

// TestCSVKindsAgreeWithPandas reads the generated CSV texts and compares,
// exactly, each column's kind (numeric, bool or object, as pandas' dtype
// says), which cells are missing, the numbers of numeric columns (within
// 2 ulps: pandas' parser does not always round correctly) and the values
// of bool columns. Where the reader deliberately differs from pandas (see
// gen_csv.py and doc.go), the case asserts the reader's documented
// behaviour: cells trimmed, Inf and out-of-range numbers errors, missing
// markers kept missing.
func TestCSVKindsAgreeWithPandas(t *testing.T) {
	data, err := os.ReadFile("testdata/pandas/csv_kinds.json")
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		NA    []string        `json:"na_values"`
		Cases []pandasCSVCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &vec); err != nil {
		t.Fatal(err)
	}
	if len(vec.Cases) < 1000 {
		t.Fatalf("%d cases", len(vec.Cases))
	}
	kinds := map[string]int{}
	for n, tc := range vec.Cases {
		tab, err := tabular.NewCSVReader(strings.NewReader(tc.CSV)).ReadAll()
		if tc.Error != nil {
			want := map[string]error{"inf": tabular.ErrNotFinite, "range": tabular.ErrOutOfRange}[tc.Error.Kind]
			var pe *tabular.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, want) || pe.Line != tc.Error.Line || pe.Column != tc.Error.Column {
				t.Errorf("case %d %q: error %v; want %v at line %d, column %d", n, tc.CSV, err, want, tc.Error.Line, tc.Error.Column)
			}
			kinds["error "+tc.Error.Kind]++
			continue
		}
		if err != nil {
			t.Errorf("case %d %q: %v", n, tc.CSV, err)
			continue
		}
		if len(tab.Features) != len(tc.Columns) {
			t.Errorf("case %d %q: %d columns, pandas %d", n, tc.CSV, len(tab.Features), len(tc.Columns))
			continue
		}
		for j, want := range tc.Columns {
			c := &tab.Features[j]
			kinds[want.Kind]++
			if got := pandasKind(c); got != want.Kind || c.Name != want.Name {
				t.Errorf("case %d %q: column %q is %s (%v), pandas reads %q as %s", n, tc.CSV, c.Name, got, c.Categories, want.Name, want.Kind)
				continue
			}
			if len(c.Values) != len(want.Missing) {
				t.Errorf("case %d %q: column %q has %d rows, pandas %d", n, tc.CSV, c.Name, len(c.Values), len(want.Missing))
				continue
			}
			for i, m := range want.Missing {
				if c.Missing(i) != m {
					t.Errorf("case %d %q: column %q row %d: missing %v, pandas %v", n, tc.CSV, c.Name, i, c.Missing(i), m)
				}
				if m || want.Values == nil {
					continue
				}
				switch want.Kind {
				case "bool":
					if c.Text(i) != *want.Values[i] {
						t.Errorf("case %d %q: column %q row %d is %q, pandas %s", n, tc.CSV, c.Name, i, c.Text(i), *want.Values[i])
					}
				case "numeric":
					v, err := strconv.ParseFloat(*want.Values[i], 64)
					if err != nil {
						t.Fatal(err)
					}
					if got := c.Values[i]; got != v && math.Abs(got-v) > 2*math.Abs(v)*0x1p-52 {
						t.Errorf("case %d %q: column %q row %d is %v, pandas %v", n, tc.CSV, c.Name, i, got, v)
					}
				}
			}
		}
	}
	t.Logf("columns by pandas kind: %v", kinds)
}

// pandasKind names the kind of c as pandas names its dtype: "numeric",
// "bool" for a column of the categories False and True, "object" for
// other text.
func pandasKind(c *tabular.Column) string {
	if c.Kind == tabular.Numeric {
		return "numeric"
	}
	if len(c.Categories) > 0 && !slices.ContainsFunc(c.Categories, func(s string) bool { return s != "False" && s != "True" }) {
		return "bool"
	}
	return "object"
}
