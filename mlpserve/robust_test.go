package mlpserve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// zipModel is a regressor of one categorical column "zip", categories
// "02116" and "10001", and one numeric column "x", that predicts x + 5 for
// "02116", x + 100 otherwise (an unseen category included): a model where
// reading {"zip": 2116} as an unseen category silently answers 100 where
// 105 was meant.
type zipModel struct{ fake }

func (zipModel) Columns() []tabular.ColumnInfo {
	return []tabular.ColumnInfo{{Name: "zip", Kind: tabular.Categorical, Categories: []string{"02116", "10001"}}, {Name: "x", Kind: tabular.Numeric}}
}
func (zipModel) Targets() []string { return []string{"price"} }
func (zipModel) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	v := mat.NewDense(len(rows), 1, nil)
	for i, r := range rows {
		x, _ := r["x"].(float64)
		if r["zip"] == "02116" {
			v.Set(i, 0, x+5)
		} else {
			v.Set(i, 0, x+100)
		}
	}
	return &tabular.Prediction{Values: v}, nil
}

// TestPredictMisreads checks the values /predict used to read silently
// wrong: a number for a categorical column that names none of its
// categories, a repeated column and a number beyond float64 are 400s
// naming the row and the column; a number whose text is a category is that
// category.
func TestPredictMisreads(t *testing.T) {
	h := newTestHandler(t, &zipModel{}, nil)
	for _, tc := range []struct {
		name, rows string
		code       int
		want       string
	}{
		{"category as a string", `{"zip": "02116", "x": 0}`, 200, `{"predictions":[5]}`},
		{"unseen category as a string", `{"zip": "99999", "x": 0}`, 200, `{"predictions":[100]}`},
		{"number naming a category", `{"zip": 10001, "x": 0}`, 200, `{"predictions":[100]}`},
		{"number naming no category", `{"zip": "02116", "x": 0}, {"zip": 2116, "x": 0}`, 400, `row 1, column \"zip\": the number 2116 is not one of the column's categories`},
		{"repeated column", `{"zip": "02116", "x": 1, "x": 2}`, 400, `row 0: column \"x\" appears twice`},
		{"repeated categorical column", `{"x": 1, "zip": null}, {"zip": "02116", "x": 1, "zip": "10001"}`, 400, `row 1: column \"zip\" appears twice`},
		{"number beyond float64", `{"zip": "02116", "x": 1e400}`, 400, `row 0, column \"x\": the number 1e400 is beyond the range of float64`},
		{"negative number beyond float64", `{"zip": "02116", "x": -1e400}`, 400, `row 0, column \"x\": the number -1e400`},
		{"number beyond float64 in a categorical column", `{"zip": 1e400, "x": 1}`, 400, `row 0, column \"zip\": the number 1e400 is beyond`},
		{"boolean", `{"zip": "02116", "x": true}`, 400, `row 0, column \"x\": true is not a number, a string or null`},
		{"array in a categorical column", `{"zip": ["02116"], "x": 1}`, 400, `row 0, column \"zip\": an array is not a string or null`},
		{"target sent and ignored", `{"zip": "02116", "x": 1, "price": {"any": [1, 2]}}`, 200, `{"predictions":[6]}`},
		{"target twice", `{"zip": "02116", "x": 1, "price": 1, "price": 2}`, 400, `row 0: column \"price\" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, _ := do(h, "POST", "/predict", strings.NewReader(`{"rows": [`+tc.rows+`]}`))
			if code != tc.code || !strings.Contains(got, tc.want) {
				t.Errorf("got %d %s\nwant %d and %s", code, got, tc.code, tc.want)
			}
		})
	}
}

// TestUnknownColumnAtOnce checks that a row with an unknown column is
// refused as soon as it is read: of an endless body whose first row has
// one, the handler reads a few kilobytes.
func TestUnknownColumnAtOnce(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, nil)
	body := &endless{head: `{"rows": [{"x": 1, "city": "a"}, {"colour": 1}, `, fill: `{"k": 1}, `, size: gigabyte}
	req := httptest.NewRequest("POST", "/predict", body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `row 1: unknown column \"colour\"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	if n := body.off.Load(); n > 64<<10 {
		t.Errorf("read %d bytes of the body before refusing it", n)
	}
}

// TestSlowBody408 checks that a body that does not arrive within
// Settings.BodyTimeout is answered 408, and holds no prediction slot
// meanwhile: a good request is answered while it is being read.
func TestSlowBody408(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, &Settings{MaxConcurrent: 1, BodyTimeout: time.Second})
	srv := httptest.NewServer(h)
	defer srv.Close()
	pr, pw := io.Pipe()
	defer pw.Close()
	slow := make(chan string, 1)
	go func() {
		resp, err := http.Post(srv.URL+"/predict", "", pr)
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- resp.Status + " " + string(b)
	}()
	io.WriteString(pw, `{"rows": [`)
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	resp, err := http.Post(srv.URL+"/predict", "", strings.NewReader(`{"rows": [{"x": 1, "city": "a"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || time.Since(start) > 700*time.Millisecond {
		t.Errorf("good request beside a slow body: %d after %v", resp.StatusCode, time.Since(start))
	}
	if got := <-slow; !strings.HasPrefix(got, "408 ") || !strings.Contains(got, "took too long") {
		t.Errorf("slow body: %s, want 408", got)
	}
}

// TestReadiness checks that /healthz and /v2/health/ready answer 503 once
// every slot has been busy for Settings.UnreadyAfter, and after
// SetReady(false), while /v2/health/live stays 200.
func TestReadiness(t *testing.T) {
	g := &gated{fake: fake{targets: []string{"y"}}, entered: make(chan struct{}), release: make(chan struct{})}
	h := newTestHandler(t, g, &Settings{MaxConcurrent: 1, UnreadyAfter: 100 * time.Millisecond})
	status := func(path string) int { code, _, _ := do(h, "GET", path, nil); return code }
	check := func(when string, healthz, ready, live int) {
		t.Helper()
		if a, b, c := status("/healthz"), status("/v2/health/ready"), status("/v2/health/live"); a != healthz || b != ready || c != live {
			t.Errorf("%s: /healthz %d, /v2/health/ready %d, /v2/health/live %d; want %d, %d, %d", when, a, b, c, healthz, ready, live)
		}
	}
	check("idle", 200, 200, 200)
	done := make(chan int)
	go func() {
		code, _, _ := do(h, "POST", "/predict", strings.NewReader(`{"rows": [{"x": 1, "city": "a"}]}`))
		done <- code
	}()
	<-g.entered
	check("every slot busy for less than UnreadyAfter", 200, 200, 200)
	time.Sleep(150 * time.Millisecond)
	check("every slot busy for longer", 503, 503, 200)
	if code, got, _ := do(h, "GET", "/v2/models/model/ready", nil); code != 503 || strings.TrimSpace(got) != `{"name":"model","ready":false}` {
		t.Errorf("model ready while busy: %d %s", code, got)
	}
	close(g.release)
	<-done
	check("after the slot is free", 200, 200, 200)
	h.SetReady(false)
	check("SetReady(false)", 503, 503, 200)
	h.SetReady(true)
	check("SetReady(true)", 200, 200, 200)
}

// TestRequestIDAndAccessLog checks the X-Request-ID header, taken from the
// request or made, and the access line logged for each request.
func TestRequestIDAndAccessLog(t *testing.T) {
	var log bytes.Buffer
	h := newTestHandler(t, &fake{targets: []string{"y"}}, &Settings{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	for _, tc := range []struct {
		sent string
		want string // a regular expression
	}{
		{"abc-123", `^abc-123$`},
		{"", `^[0-9a-f]{32}$`},
		{"bad id with spaces", `^[0-9a-f]{32}$`},
		{strings.Repeat("x", 129), `^[0-9a-f]{32}$`},
	} {
		log.Reset()
		req := httptest.NewRequest("POST", "/predict", strings.NewReader(`{"rows": [{"x": 1, "city": "a"}, {"x": 2, "city": "b"}]}`))
		if tc.sent != "" {
			req.Header.Set("X-Request-ID", tc.sent)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		id := rec.Header().Get("X-Request-ID")
		if !regexp.MustCompile(tc.want).MatchString(id) {
			t.Errorf("sent %q: X-Request-ID %q, want %s", tc.sent, id, tc.want)
		}
		var line struct {
			Level, Msg, ID, Method, Path, Route, Model string
			Status, Rows                               int
			Bytes                                      int64
			Latency                                    float64
		}
		if err := json.Unmarshal(log.Bytes(), &line); err != nil {
			t.Fatalf("log %q: %v", log.String(), err)
		}
		if line.Level != "INFO" || line.Msg != "request" || line.ID != id || line.Method != "POST" || line.Path != "/predict" ||
			line.Route != "/predict" || line.Model != "model" || line.Status != 200 || line.Rows != 2 ||
			line.Bytes != int64(rec.Body.Len()) || line.Latency <= 0 {
			t.Errorf("log line %s", log.String())
		}
	}
	log.Reset()
	do(h, "GET", "/nosuch", nil)
	if !strings.Contains(log.String(), `"status":404`) || !strings.Contains(log.String(), `"route":"other"`) {
		t.Errorf("log of a 404: %s", log.String())
	}
}

// TestModelsAndReplace serves two models, checks that /predict answers
// with the first and /v2 with each by name, then replaces one: later
// requests get the new model; a failed replacement keeps the old one.
func TestModelsAndReplace(t *testing.T) {
	h, err := NewModelsHandler([]NamedModel{
		{Name: "one", Model: &fake{targets: []string{"y"}}},
		{Name: "two", Version: "7", Model: &fake{targets: []string{"y", "z"}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows := `{"rows": [{"x": 1, "city": "a"}]}`
	infer := `{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]}, {"name": "city", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}`
	expect := func(method, path, body string, code int, want string) {
		t.Helper()
		c, got, _ := do(h, method, path, strings.NewReader(body))
		if c != code || !strings.Contains(got, want) {
			t.Errorf("%s %s: got %d %s, want %d and %s", method, path, c, got, code, want)
		}
	}
	expect("POST", "/predict", rows, 200, `{"predictions":[1]}`)
	expect("GET", "/metadata", "", 200, `"targets":["y"]`)
	expect("POST", "/v2/models/two/infer", infer, 200, `"model_name":"two","model_version":"7","outputs":[{"name":"y"`)
	expect("POST", "/v2/models/two/versions/7/infer", infer, 200, `"name":"z"`)

	if err := h.Replace("one", "", &fake{classes: []string{"p", "q"}, targets: []string{"label"}}); err != nil {
		t.Fatal(err)
	}
	expect("POST", "/predict", rows, 200, `{"predictions":["q"],"probabilities":[[0.25,0.75]]}`)
	expect("POST", "/v2/models/one/infer", infer, 200, `"outputs":[{"name":"label","datatype":"BYTES","shape":[1],"data":["q"]}`)

	for _, tc := range []struct {
		name string
		m    Model
		want error
	}{
		{"nosuch", &fake{targets: []string{"y"}}, mlp.ErrSetting},
		{"one", nil, mlp.ErrSetting},
		{"one", &fake{}, mlp.ErrData}, // no targets
	} {
		if err := h.Replace(tc.name, "", tc.m); !errors.Is(err, tc.want) {
			t.Errorf("Replace(%q, %v): %v, want %v", tc.name, tc.m, err, tc.want)
		}
	}
	expect("POST", "/predict", rows, 200, `{"predictions":["q"]`)
	if got := strings.Join(h.Models(), ","); got != "one,two" {
		t.Errorf("Models() = %s", got)
	}

	for _, tc := range []struct {
		name   string
		models []NamedModel
	}{
		{"none", nil},
		{"empty name", []NamedModel{{Name: "", Model: &fake{targets: []string{"y"}}}}},
		{"slash", []NamedModel{{Name: "a/b", Model: &fake{targets: []string{"y"}}}}},
		{"twice", []NamedModel{{Name: "a", Model: &fake{targets: []string{"y"}}}, {Name: "a", Model: &fake{targets: []string{"y"}}}}},
		{"nil model", []NamedModel{{Name: "a"}}},
	} {
		if _, err := NewModelsHandler(tc.models, nil); !errors.Is(err, mlp.ErrSetting) {
			t.Errorf("%s: %v, want ErrSetting", tc.name, err)
		}
	}
}

// observed is an Observer that records what it is told.
type observed struct {
	started int
	events  []Event
	models  []ModelInfo
}

func (o *observed) RequestStarted()         { o.started++ }
func (o *observed) RequestDone(e Event)     { o.events = append(o.events, e) }
func (o *observed) ModelServed(i ModelInfo) { o.models = append(o.models, i) }

// TestObserver checks what an Observer is told: the models served, and
// each request with its route, model, status and rows.
func TestObserver(t *testing.T) {
	o := &observed{}
	h, err := NewModelsHandler([]NamedModel{{Name: "m", Version: "1", Model: &fake{targets: []string{"y"}}}}, &Settings{Observer: o})
	if err != nil {
		t.Fatal(err)
	}
	do(h, "POST", "/predict", strings.NewReader(`{"rows": [{"x": 1, "city": "a"}, {"x": 2, "city": "a"}]}`))
	do(h, "POST", "/v2/models/m/versions/1/infer", strings.NewReader(`{"inputs": [{"name": "x", "shape": [3], "datatype": "FP64", "data": [1, 2, 3]}, {"name": "city", "shape": [3], "datatype": "BYTES", "data": ["a", "b", "c"]}]}`))
	do(h, "GET", "/v2/models/m/ready", nil)
	do(h, "GET", "/v2/models/nosuch/ready", nil)
	want := []Event{
		{Method: "POST", Path: "/predict", Route: "/predict", Model: "m", Status: 200, Rows: 2},
		{Method: "POST", Path: "/v2/models/m/versions/1/infer", Route: "/v2/models/{name}/versions/{version}/infer", Model: "m", Status: 200, Rows: 3},
		{Method: "GET", Path: "/v2/models/m/ready", Route: "/v2/models/{name}/ready", Model: "m", Status: 200},
		{Method: "GET", Path: "/v2/models/nosuch/ready", Route: "/v2/models/{name}/ready", Status: 404},
	}
	if o.started != len(want) || len(o.events) != len(want) {
		t.Fatalf("started %d, events %+v", o.started, o.events)
	}
	for i, e := range o.events {
		if e.ID == "" || e.Duration <= 0 || e.Bytes <= 0 {
			t.Errorf("event %d: %+v", i, e)
		}
		e.ID, e.Duration, e.Bytes = "", 0, 0
		if e != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, e, want[i])
		}
	}
	if len(o.models) != 1 || o.models[0] != (ModelInfo{"m", "1", 2}) {
		t.Errorf("models %+v", o.models)
	}
}

// TestPredictChunks checks a request of more rows than one PredictMaps call
// takes (predictChunk): its answer is the pipeline's for all rows at once,
// bit for bit, and a bad cell in a later chunk is named by its row in the
// request.
func TestPredictChunks(t *testing.T) {
	p := testPipeline(t, false)
	h := newTestHandler(t, p, nil)
	n := 2*predictChunk + 17
	pool := rowPool(n)
	body, err := json.Marshal(map[string]any{"rows": pool})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := p.PredictMaps(pool)
	if err != nil {
		t.Fatal(err)
	}
	want, err := h.models.Load().list[0].appendPrediction(nil, pred, n)
	if err != nil {
		t.Fatal(err)
	}
	code, got, _ := do(h, "POST", "/predict", bytes.NewReader(body))
	if code != 200 || got != string(want) {
		t.Errorf("%d rows: got %d, answer equal to the pipeline's: %v", n, code, got == string(want))
	}
	pool[predictChunk+500]["a"] = "one"
	body, _ = json.Marshal(map[string]any{"rows": pool})
	code, got, _ = do(h, "POST", "/predict", bytes.NewReader(body))
	if wantErr := `record 1524 (0-based), column \"a\"`; code != 400 || !strings.Contains(got, wantErr) {
		t.Errorf("bad cell in row %d: got %d %s, want 400 and %s", predictChunk+500, code, got, wantErr)
	}
}

// rowsDone is a fake that closes done once it has predicted want rows.
type rowsDone struct {
	fake
	want, n int
	done    chan struct{}
}

func (r *rowsDone) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	p, err := r.fake.PredictMaps(rows)
	if r.n += len(rows); r.n == r.want {
		close(r.done)
	}
	return p, err
}

// TestUnreadAnswerHoldsNoSlot checks that a client that never reads its
// (large) answer holds no prediction slot: with one slot, the next request
// is answered at once while the first answer is still being written.
func TestUnreadAnswerHoldsNoSlot(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes the first prediction outlast the pause")
	}
	targets := make([]string, 64)
	for j := range targets {
		targets[j] = fmt.Sprintf("target_%02d", j)
	}
	m := &rowsDone{fake: fake{targets: targets}, want: 50000, done: make(chan struct{})}
	h := newTestHandler(t, m, &Settings{MaxConcurrent: 1, MaxRows: 50000})
	l, cancel, _ := serveLoopback(t, h, &ServerSettings{ShutdownTimeout: -1})
	defer cancel()
	body := `{"rows": [` + strings.Repeat(`{"x": 1, "city": "a"}, `, 49999) + `{"x": 1, "city": "a"}]}`
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body) // an answer of about 40 MB, never read
	select {                                                                                             // predicted; the answer is then being written, and stalls
	case <-m.done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the first request was not predicted within 2 minutes")
	}
	start := time.Now()
	resp, err := http.Post("http://"+l.Addr().String()+"/predict", "", strings.NewReader(`{"rows": [{"x": 2, "city": "a"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The slot comes back once the first prediction is done, before its
	// answer is written; holding it would keep the second request waiting
	// for the write timeout, about a minute. 20 s leaves room for a loaded
	// machine.
	if took := time.Since(start); resp.StatusCode != 200 || took > 20*time.Second {
		t.Errorf("request beside an unread answer: %d after %v", resp.StatusCode, took)
	}
}
