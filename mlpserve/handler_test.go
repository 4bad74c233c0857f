package mlpserve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// fake is a Model with fixed answers: for classes, row i gets the class
// of index (x mod len(classes)) with probability 0.75; for regression, target
// j of a row gets x + j/4. It checks its rows as a pipeline does.
type fake struct {
	classes []string
	targets []string
	err     error // returned by every PredictMaps when not nil
}

func (f *fake) Columns() []tabular.ColumnInfo {
	return []tabular.ColumnInfo{{Name: "x", Kind: tabular.Numeric}, {Name: "city", Kind: tabular.Categorical}}
}
func (f *fake) Classes() []string { return f.classes }
func (f *fake) Targets() []string { return f.targets }

func (f *fake) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	if f.err != nil {
		return nil, f.err
	}
	xs := make([]float64, len(rows))
	for i, r := range rows {
		if len(r) != 2 {
			return nil, fmt.Errorf("%w: row %d: want columns x and city", mlp.ErrData, i)
		}
		x, ok := r["x"].(float64)
		if !ok {
			return nil, fmt.Errorf("%w: row %d, column \"x\": not a number", mlp.ErrData, i)
		}
		if _, ok := r["city"].(string); !ok && r["city"] != nil {
			return nil, fmt.Errorf("%w: row %d, column \"city\": not a string", mlp.ErrData, i)
		}
		xs[i] = x
	}
	p := &tabular.Prediction{}
	if len(f.classes) > 0 {
		k := len(f.classes)
		p.Proba = mat.NewDense(len(rows), k, nil)
		for i, x := range xs {
			c := int(x) % k
			p.Labels = append(p.Labels, f.classes[c])
			for j := range k {
				p.Proba.Set(i, j, 0.25/float64(k-1))
			}
			p.Proba.Set(i, c, 0.75)
		}
		return p, nil
	}
	p.Values = mat.NewDense(len(rows), len(f.targets), nil)
	for i, x := range xs {
		for j := range f.targets {
			p.Values.Set(i, j, x+float64(j)/4)
		}
	}
	return p, nil
}

func newTestHandler(t testing.TB, p Model, s *Settings) *Handler {
	t.Helper()
	h, err := NewHandler(p, s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// do sends one request to h and returns the status and body.
func do(h http.Handler, method, path string, body io.Reader) (int, string, http.Header) {
	req := httptest.NewRequest(method, path, body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestHandlerAnswers(t *testing.T) {
	classifier := &fake{classes: []string{"setosa", "versi\"color", "virginica"}, targets: []string{"species"}}
	regressor := &fake{targets: []string{"y"}}
	twoTargets := &fake{targets: []string{"y", "z"}}
	body := `{"rows": [{"x": 1, "city": "Lyon"}, {"x": 5, "city": null}]}`
	for _, tc := range []struct {
		name, method, path, body string
		p                        Model
		want                     string
	}{
		{"classifier", "POST", "/predict", body, classifier,
			`{"predictions":["versi\"color","virginica"],"probabilities":[[0.125,0.75,0.125],[0.125,0.125,0.75]]}`},
		{"regressor", "POST", "/predict", body, regressor, `{"predictions":[1,5]}`},
		{"two targets", "POST", "/predict", body, twoTargets, `{"predictions":[{"y":1,"z":1.25},{"y":5,"z":5.25}]}`},
		{"healthz", "GET", "/healthz", "", classifier, `{"status":"ok"}`},
		{"metadata classifier", "GET", "/metadata", "", classifier,
			`{"format_version":2,"columns":[{"name":"x","kind":"numeric"},{"name":"city","kind":"categorical"}],"classes":["setosa","versi\"color","virginica"],"targets":["species"]}`},
		{"metadata regressor", "GET", "/metadata", "", twoTargets,
			`{"format_version":2,"columns":[{"name":"x","kind":"numeric"},{"name":"city","kind":"categorical"}],"classes":[],"targets":["y","z"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHandler(t, tc.p, nil)
			code, got, hd := do(h, tc.method, tc.path, strings.NewReader(tc.body))
			if code != http.StatusOK || strings.TrimSpace(got) != tc.want {
				t.Errorf("got %d %s\nwant 200 %s", code, got, tc.want)
			}
			if ct := hd.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("invalid JSON %s", got)
			}
		})
	}
}

// TestHandlerAnyContentType checks that the body is read as JSON whatever
// the request says it is, as plain curl -d sends form-urlencoded.
func TestHandlerAnyContentType(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, nil)
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8"} {
		req := httptest.NewRequest("POST", "/predict", strings.NewReader(`{"rows":[{"x":2,"city":"a"}]}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"predictions":[2]}` {
			t.Errorf("Content-Type %q: got %d %s", ct, rec.Code, rec.Body)
		}
	}
}

func TestHandlerErrors(t *testing.T) {
	p := &fake{classes: []string{"a", "b"}, targets: []string{"t"}}
	h := newTestHandler(t, p, &Settings{MaxRows: 3, MaxBodyBytes: 200})
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		want                     string // in the error message
	}{
		{"empty body", "POST", "/predict", "", 400, "the body ends early"},
		{"malformed", "POST", "/predict", `{"rows": [{"x": 1,}]}`, 400, "malformed JSON in row 0"},
		{"form data", "POST", "/predict", `x=1&city=a`, 400, "malformed JSON"},
		{"not an object", "POST", "/predict", `[1, 2]`, 400, "the body is not an object"},
		{"rows not an array", "POST", "/predict", `{"rows": {"x": 1}}`, 400, `"rows" is not an array`},
		{"row not an object", "POST", "/predict", `{"rows": [{"x": 1, "city": "a"}, 7]}`, 400, "row 1: not a JSON object"},
		{"null row", "POST", "/predict", `{"rows": [null]}`, 400, "row 0: null"},
		{"no rows field", "POST", "/predict", `{}`, 400, `no field "rows"`},
		{"no rows", "POST", "/predict", `{"rows": []}`, 400, `"rows" is empty`},
		{"unknown field", "POST", "/predict", `{"rows": [], "row": 1}`, 400, `unknown field "row"`},
		{"twice", "POST", "/predict", `{"rows": [], "rows": []}`, 400, "appears twice"},
		{"trailing data", "POST", "/predict", `{"rows": [{"x": 1, "city": "a"}]} {}`, 400, "data after the closing brace"},
		{"unterminated", "POST", "/predict", `{"rows": [{"x": 1, "city": "a"}`, 400, "ends early"},
		{"too many rows", "POST", "/predict", `{"rows": [` + strings.Repeat(`{"x":1,"city":"a"}, `, 3) + `{"x":1,"city":"a"}]}`, 400, "too many rows: at most 3"},
		{"too many rows before a syntax error", "POST", "/predict", `{"rows": [` + strings.Repeat(`{"x":1,"city":"a"}, `, 4) + `{`, 400, "too many rows"},
		{"wrong type", "POST", "/predict", `{"rows": [{"x": "1", "city": "a"}]}`, 400, `row 0, column "x": not a number`},
		{"missing column", "POST", "/predict", `{"rows": [{"x": 1}]}`, 400, `row 0: no column "city"`},
		{"unknown column", "POST", "/predict", `{"rows": [{"x": 1, "city": "a"}, {"x": 1, "city": "a", "colour": "red"}]}`, 400, `row 1: unknown column "colour"; the columns are "x", "city"`},
		{"huge number", "POST", "/predict", `{"rows": [{"x": 1e999, "city": "a"}]}`, 400, "row 0"},
		{"too large", "POST", "/predict", `{"rows": [{"x": 1, "city": "` + strings.Repeat("a", 300) + `"}]}`, 413, "over 200 bytes"},
		{"GET predict", "GET", "/predict", "", 405, "use POST"},
		{"POST healthz", "POST", "/healthz", "", 405, "use GET"},
		{"DELETE metadata", "DELETE", "/metadata", "", 405, "use GET"},
		{"unknown path", "GET", "/", "", 404, "no such path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, hd := do(h, tc.method, tc.path, strings.NewReader(tc.body))
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(got), &e); err != nil {
				t.Fatalf("answer is not JSON: %q", got)
			}
			if code != tc.code || !strings.Contains(e.Error, tc.want) {
				t.Errorf("got %d %q, want %d and %q", code, e.Error, tc.code, tc.want)
			}
			if code == 405 && hd.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

func TestHandlerModelFailure(t *testing.T) {
	body := `{"rows": [{"x": 1, "city": "a"}]}`
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("%w: row 0, column \"city\": unseen", mlp.ErrData), 400},
		{errors.New("disk on fire"), 500},
	} {
		h := newTestHandler(t, &fake{targets: []string{"y"}, err: tc.err}, nil)
		code, got, _ := do(h, "POST", "/predict", strings.NewReader(body))
		var e struct{ Error string }
		json.Unmarshal([]byte(got), &e)
		if code != tc.code || !strings.Contains(e.Error, tc.err.Error()) {
			t.Errorf("%v: got %d %s, want %d", tc.err, code, got, tc.code)
		}
	}
}

func TestNewHandlerErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Model
		s    *Settings
		want error
	}{
		{"nil predictor", nil, nil, mlp.ErrSetting},
		{"negative body", &fake{targets: []string{"y"}}, &Settings{MaxBodyBytes: -1}, mlp.ErrSetting},
		{"negative rows", &fake{targets: []string{"y"}}, &Settings{MaxRows: -1}, mlp.ErrSetting},
		{"no targets", &fake{}, nil, mlp.ErrData},
	} {
		if _, err := NewHandler(tc.p, tc.s); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestHandlerNonFinite checks that a prediction JSON cannot hold is a 500
// with a message, not invalid JSON.
func TestHandlerNonFinite(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, nil)
	code, got, _ := do(h, "POST", "/predict", strings.NewReader(`{"rows":[{"x":1.7976931348623157e308,"city":"a"},{"x":-1.7976931348623157e308,"city":"a"}]}`))
	if code != 200 || !json.Valid([]byte(got)) {
		t.Fatalf("extreme finite values: got %d %s", code, got)
	}
	var resp struct{ Predictions []float64 }
	if err := json.Unmarshal([]byte(got), &resp); err != nil || resp.Predictions[0] != 1.7976931348623157e308 {
		t.Errorf("round trip: %v %v", resp.Predictions, err)
	}
	if _, err := appendFloat(nil, mathInf()); err == nil {
		t.Error("appendFloat(+Inf): no error")
	}
}

func mathInf() float64 { return 1 / zero }

var zero float64

// TestHandlerNumbersRoundTrip checks that every number is written in the
// shortest form that reads back to the same float64.
func TestHandlerNumbersRoundTrip(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y", "z"}}, nil)
	xs := []float64{0.1, 1.0 / 3, 5e-324, 123456789.123456789, -2.5e-10}
	var b bytes.Buffer
	b.WriteString(`{"rows":[`)
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"x":%v,"city":"a"}`, x)
	}
	b.WriteString(`]}`)
	code, got, _ := do(h, "POST", "/predict", &b)
	if code != 200 {
		t.Fatalf("got %d %s", code, got)
	}
	var resp struct{ Predictions []map[string]float64 }
	if err := json.Unmarshal([]byte(got), &resp); err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if resp.Predictions[i]["y"] != x || resp.Predictions[i]["z"] != x+0.25 {
			t.Errorf("row %d: got %v, want y=%v z=%v", i, resp.Predictions[i], x, x+0.25)
		}
	}
}
