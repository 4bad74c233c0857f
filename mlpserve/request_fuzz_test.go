package mlpserve

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeRows feeds arbitrary bodies to decodeRows under a small body
// and row cap: it never panics, and it returns either between 1 and the
// cap of non-nil rows or a *requestError with status 400 or 413.
func FuzzDecodeRows(f *testing.F) {
	for _, s := range []string{
		`{"rows": [{"a": 1, "b": "x", "c": null}]}`,
		`{"rows": [{}, {}, {}, {}]}`,
		`{"rows": []}`, `{}`, `[]`, `null`, `{"rows": [1]}`, `{"rows": [{"a": [1, {"b": 2}]}]}`,
		`{"rows": [{"a": 1e999}]}`, `{"rows": [{"a": "\ud800"}]} x`, `{"rows": [{"a": 1}], "rows": []}`,
		`{"rows": [{"a": "` + string(bytes.Repeat([]byte("z"), 300)) + `"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		rows, err := decodeRows(http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(body)), 256), 3)
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) || (re.status != 400 && re.status != 413) || rows != nil {
				t.Fatalf("%q: rows %v, error %v", body, rows, err)
			}
			return
		}
		if len(rows) < 1 || len(rows) > 3 {
			t.Fatalf("%q: %d rows", body, len(rows))
		}
		for i, row := range rows {
			if row == nil {
				t.Fatalf("%q: row %d is nil", body, i)
			}
		}
	})
}
