package mlpserve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// tableCSV returns a CSV of n rows: four numeric columns, one of them with
// missing cells, a categorical "city", a class label "kind" and two
// numeric targets "y" and "z".
func tableCSV(n int, src *rand.Rand) string {
	var b strings.Builder
	b.WriteString("a,b,c,d,city,kind,y,z\n")
	cities := []string{"Lyon", "Oslo", "Lima", "Pune"}
	kinds := []string{"low", "mid", "high"}
	for i := range n {
		a, bb, c, d := src.NormFloat64(), src.NormFloat64()*3+1, src.Float64()*10, src.NormFloat64()
		dCell := fmt.Sprint(d)
		if i%7 == 3 {
			dCell = "NA"
		}
		k := 0
		if a+bb/3 > 0.5 {
			k = 1
		}
		if c > 7 {
			k = 2
		}
		fmt.Fprintf(&b, "%v,%v,%v,%s,%s,%s,%v,%v\n", a, bb, c, dCell, cities[i%4], kinds[k], 2*a-bb+c, a*c)
	}
	return b.String()
}

// testPipeline returns a pipeline with random weights, fitted on a table of
// tableCSV: a classifier of "kind" (a 6->8->3 net: a, b, c, d, and city
// one-hot over 4 would be 8 inputs) or a regressor of y and z.
func testPipeline(t testing.TB, regression bool) *tabular.Pipeline {
	t.Helper()
	src := rand.New(rand.NewPCG(3, 4))
	rd := tabular.NewCSVReader(strings.NewReader(tableCSV(200, src)))
	if regression {
		rd.Targets = []string{"y", "z"}
		rd.Ignore = []string{"kind"}
	} else {
		rd.Targets = []string{"kind"}
		rd.Ignore = []string{"y", "z"}
	}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pre, err := tabular.FitPreprocessor(tab, tabular.PreprocessSettings{})
	if err != nil {
		t.Fatal(err)
	}
	wsrc := rand.NewPCG(5, 6)
	targets := tabular.PipelineTargets{Names: tab.TargetNames()}
	layers := []mlp.Layer{mlp.NewLinear(pre.Width(), 16, wsrc), &mlp.ReLU{}}
	if regression {
		layers = append(layers, mlp.NewLinear(16, 2, wsrc))
		targets.Scaler = &mlp.StandardScaler{Mean: []float64{10, -3}, Std: []float64{4, 0.5}}
	} else {
		layers = append(layers, mlp.NewLinear(16, 3, wsrc), &mlp.Softmax{})
		targets.Classes = []string{"high", "low", "mid"}
	}
	net, err := mlp.NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tabular.NewPipeline(pre, net, targets)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rowPool returns n rows for testPipeline as JSON decodes them: numbers as
// float64, some nulls.
func rowPool(n int) []map[string]any {
	src := rand.New(rand.NewPCG(7, 8))
	cities := []any{"Lyon", "Oslo", "Lima", "Pune", nil}
	rows := make([]map[string]any, n)
	for i := range rows {
		r := map[string]any{
			"a": src.NormFloat64(), "b": src.NormFloat64()*3 + 1, "c": src.Float64() * 10, "d": src.NormFloat64(),
			"city": cities[i%5],
		}
		if i%9 == 4 {
			r["d"] = nil
		}
		rows[i] = r
	}
	return rows
}

// TestPipelineAnswers checks that the handler answers what the pipeline
// predicts, for a classifier and a two-target regressor.
func TestPipelineAnswers(t *testing.T) {
	rows := rowPool(20)
	body, _ := json.Marshal(map[string]any{"rows": rows})
	for _, regression := range []bool{false, true} {
		p := testPipeline(t, regression)
		want, err := p.PredictMaps(rows)
		if err != nil {
			t.Fatal(err)
		}
		h := newTestHandler(t, p, nil)
		code, got, _ := do(h, "POST", "/predict", bytes.NewReader(body))
		if code != 200 {
			t.Fatalf("%d %s", code, got)
		}
		var resp struct {
			Predictions   []json.RawMessage
			Probabilities [][]float64
		}
		if err := json.Unmarshal([]byte(got), &resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.Predictions) != len(rows) {
			t.Fatalf("%d predictions for %d rows", len(resp.Predictions), len(rows))
		}
		for i, raw := range resp.Predictions {
			if regression {
				var v map[string]float64
				if err := json.Unmarshal(raw, &v); err != nil {
					t.Fatal(err)
				}
				if v["y"] != want.Values.At(i, 0) || v["z"] != want.Values.At(i, 1) || len(v) != 2 {
					t.Errorf("row %d: %v, want y=%v z=%v", i, v, want.Values.At(i, 0), want.Values.At(i, 1))
				}
				continue
			}
			var label string
			if err := json.Unmarshal(raw, &label); err != nil || label != want.Labels[i] {
				t.Errorf("row %d: %s, want %q", i, raw, want.Labels[i])
			}
			for j, v := range resp.Probabilities[i] {
				if v != want.Proba.At(i, j) {
					t.Errorf("row %d, class %d: probability %v, want %v", i, j, v, want.Proba.At(i, j))
				}
			}
		}
		if regression && resp.Probabilities != nil {
			t.Error("a regressor answered probabilities")
		}
	}
}

// TestPipelineBadRows checks the answers to rows the pipeline refuses: 400
// with a message naming the row and the column.
func TestPipelineBadRows(t *testing.T) {
	h := newTestHandler(t, testPipeline(t, false), nil)
	good := `"a": 1, "b": 2, "c": 3, "d": 4, "city": "Lyon"`
	for _, tc := range []struct {
		name, rows string
		want       []string
	}{
		{"missing column", `{` + good + `}, {"a": 1, "b": 2, "c": 3, "city": "Lyon"}`, []string{"1", `"d"`}},
		{"text in a numeric column", `{` + good + `}, {` + good + `}, {"a": "one", "b": 2, "c": 3, "d": 4, "city": "Lyon"}`, []string{"2", `"a"`}},
		{"object value", `{"a": {"x": 1}, "b": 2, "c": 3, "d": 4, "city": "Lyon"}`, []string{"0", `"a"`}},
		{"array value", `{"a": 1, "b": 2, "c": 3, "d": 4, "city": ["Lyon"]}`, []string{"0", `"city"`}},
		{"bool value", `{"a": true, "b": 2, "c": 3, "d": 4, "city": "Lyon"}`, []string{"0", `"a"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, got, _ := do(h, "POST", "/predict", strings.NewReader(`{"rows": [`+tc.rows+`]}`))
			var e struct{ Error string }
			json.Unmarshal([]byte(got), &e)
			if code != 400 {
				t.Errorf("status %d: %s", code, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error, w) {
					t.Errorf("error %q does not name %s", e.Error, w)
				}
			}
		})
	}
}

// TestMetadataFormatVersion checks /metadata's format_version against the
// version Pipeline.Save writes (bytes 8 to 11 of the file).
func TestMetadataFormatVersion(t *testing.T) {
	p := testPipeline(t, false)
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		t.Fatal(err)
	}
	want := int(buf.Bytes()[8]) | int(buf.Bytes()[9])<<8
	h := newTestHandler(t, p, nil)
	_, got, _ := do(h, "GET", "/metadata", nil)
	var m Metadata
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	if m.FormatVersion != want || len(m.Columns) != 5 || m.Columns[4] != (ColumnMetadata{"city", "categorical"}) ||
		strings.Join(m.Classes, ",") != "high,low,mid" || strings.Join(m.Targets, ",") != "kind" {
		t.Errorf("metadata %+v, want format version %d", m, want)
	}
}

// TestLoad is the load test: 32 clients at once, each sending 200 requests
// of 1 to 64 rows in turn to a pipeline served on loopback. Every answer
// must equal the one the pipeline gives a single caller. Under the race
// detector (and with -short) each client sends 20 requests.
func TestLoad(t *testing.T) {
	clients, perClient := 32, 200
	if testing.Short() || raceEnabled {
		perClient = 20
	}
	for _, regression := range []bool{false, true} {
		p := testPipeline(t, regression)
		h := newTestHandler(t, p, nil)
		src := rand.New(rand.NewPCG(9, 10))
		pool := rowPool(512)
		reqs := make([][]request, clients)
		for c := range reqs {
			reqs[c] = makeRequests(t, h, pool, perClient, 64, src)
		}
		s := runLoad(t, h, reqs)
		t.Logf("regression=%v, GOMAXPROCS %d: %v", regression, runtime.GOMAXPROCS(0), s)
		if s.errors != 0 {
			t.Errorf("%d errors", s.errors)
		}
	}
}

// BenchmarkPredict measures POST /predict of a classifier pipeline in
// process (httptest.NewRecorder) and through loopback (httptest.NewServer),
// with 1 and 64 rows per request.
func BenchmarkPredict(b *testing.B) {
	h := newTestHandler(b, testPipeline(b, false), nil)
	for _, n := range []int{1, 64} {
		body, _ := json.Marshal(map[string]any{"rows": rowPool(n)})
		b.Run(fmt.Sprintf("handler/rows=%d", n), func(b *testing.B) {
			benchPredict(b, h, body, n)
			b.ReportMetric(float64(testing.AllocsPerRun(10, func() {
				do(h, "POST", "/predict", bytes.NewReader(body))
			}))/float64(n), "allocs/row")
		})
		b.Run(fmt.Sprintf("server/rows=%d", n), func(b *testing.B) { benchServer(b, h, body, n) })
	}
}
