package mlpserve

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mlpkit/mlp/tabular"
)

// FuzzDecodeRows feeds arbitrary bodies to decodeRows of a model with
// columns "a" (numeric) and "b" (categorical) and target "c", under a small
// body and row cap: it never panics, and it returns either between 1 and
// the cap of rows, each of the two columns, or a *requestError with status
// 400 or 413.
func FuzzDecodeRows(f *testing.F) {
	for _, s := range []string{
		`{"rows": [{"a": 1, "b": "x", "c": null}]}`, `{"rows": [{"a": 1, "a": 2}]}`, `{"rows": [{"b": 7}]}`, `{"rows": [{"c": [{"d": [1]}], "b": 1, "a": null}]}`,
		`{"rows": [{"a": "1.5", "b": "y"}, {"a": 2, "b": "1"}]}`,
		`{"rows": [{}, {}, {}, {}]}`,
		`{"rows": []}`, `{}`, `[]`, `null`, `{"rows": [1]}`, `{"rows": [{"a": [1, {"b": 2}]}]}`,
		`{"rows": [{"a": 1e999}]}`, `{"rows": [{"a": "\ud800"}]} x`, `{"rows": [{"a": 1}], "rows": []}`,
		`{"rows": [{"a": "` + string(bytes.Repeat([]byte("z"), 300)) + `"}]}`,
	} {
		f.Add([]byte(s))
	}
	sv, err := newServed(NamedModel{Name: "m", Model: &fuzzModel{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		rows, err := sv.decodeRows(http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(body)), 256), 3)
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) || (re.status != 400 && re.status != 413) || rows != nil {
				t.Fatalf("%q: rows %v, error %v", body, rows, err)
			}
			return
		}
		if rows.n < 1 || rows.n > 3 || len(rows.vals) != 2*rows.n {
			t.Fatalf("%q: %d rows of %d cells", body, rows.n, len(rows.vals))
		}
		for i := range rows.n {
			row := map[string]any{}
			sv.rowMap(rows, i, row)
			if len(row) != 2 {
				t.Fatalf("%q: row %d is %v", body, i, row)
			}
			for k, v := range row {
				if k != "a" && k != "b" {
					t.Fatalf("%q: row %d has key %q", body, i, k)
				}
				switch v.(type) {
				case nil, string, float64:
				default:
					t.Fatalf("%q: row %d, column %q: value %#v", body, i, k, v)
				}
			}
		}
	})
}

// fuzzModel is a Model of numeric column "a", categorical column "b" of
// categories "1" and "x", and target "c".
type fuzzModel struct{ fake }

func (fuzzModel) Columns() []tabular.ColumnInfo {
	return []tabular.ColumnInfo{{Name: "a", Kind: tabular.Numeric}, {Name: "b", Kind: tabular.Categorical, Categories: []string{"1", "x"}}}
}
func (fuzzModel) Targets() []string { return []string{"c"} }
