package prommetrics_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/needtool"
	"github.com/mlpkit/mlp/mlpserve"
	"github.com/mlpkit/mlp/mlpserve/prommetrics"
	"github.com/mlpkit/mlp/tabular"
)

// model is a regressor of one numeric column "x" predicting x; a row whose
// x is not a number is an error wrapping mlp.ErrData.
type model struct{}

func (model) Columns() []tabular.ColumnInfo {
	return []tabular.ColumnInfo{{Name: "x", Kind: tabular.Numeric}}
}
func (model) Classes() []string { return nil }
func (model) Targets() []string { return []string{"y"} }
func (model) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	v := mat.NewDense(len(rows), 1, nil)
	for i, r := range rows {
		x, ok := r["x"].(float64)
		if !ok {
			return nil, fmt.Errorf("%w: row %d, column \"x\": not a number", mlp.ErrData, i)
		}
		v.Set(i, 0, x)
	}
	return &tabular.Prediction{Values: v}, nil
}

// parser is a Python program that reads the Prometheus text format on its
// standard input with prometheus_client's parser and prints the samples as
// JSON: [[name, labels, value], ...].
const parser = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        out.append([s.name, s.labels, s.value])
json.dump(out, sys.stdout)
`

// TestMetrics sends requests of several routes and statuses to a Handler
// with Metrics, reads GET /metrics with prometheus_client's text parser
// (Python), and checks that the counters match the requests sent.
func TestMetrics(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import prometheus_client.parser").Run(); err != nil {
		needtool.Missing(t, "%s with prometheus_client is needed to parse /metrics: apt-get install -y python3-prometheus-client", py)
	}
	m := prommetrics.New()
	h, err := mlpserve.NewModelsHandler([]mlpserve.NamedModel{{Name: "m", Version: "v1", Model: model{}}},
		&mlpserve.Settings{Observer: m, Metrics: m.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	send := func(method, path, body string, n int) {
		for range n {
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	send("POST", "/predict", `{"rows": [{"x": 1}, {"x": 2}, {"x": 3}]}`, 5)                                                // 15 rows
	send("POST", "/v2/models/m/infer", `{"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [1, 2]}]}`, 4) // 8 rows
	send("POST", "/predict", `{"rows": [{"x": "one"}]}`, 3)                                                                // 400 from the model: "one" is not a number
	send("GET", "/v2/health/ready", "", 2)
	send("GET", "/nosuch/1", "", 1)
	send("GET", "/nosuch/2", "", 1)
	send("DELETE", "/predict", "", 1)
	send("GET", "/metrics", "", 1) // counted by the next scrape

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cmd := exec.Command(py, "-c", parser)
	cmd.Stdin = strings.NewReader(string(text))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("prometheus_client could not parse /metrics: %v\n%s", err, text)
	}
	var samples [][3]any
	if err := json.Unmarshal(out, &samples); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	names := map[string]bool{}
	for _, s := range samples {
		name := s[0].(string)
		names[name] = true
		labels := s[1].(map[string]any)
		keys := []string{}
		for _, k := range []string{"method", "route", "code", "model", "version", "format", "le"} {
			if v, ok := labels[k]; ok {
				keys = append(keys, fmt.Sprintf("%s=%v", k, v))
			}
		}
		got[name+"{"+strings.Join(keys, ",")+"}"] = s[2].(float64)
	}
	for key, want := range map[string]float64{
		"mlp_http_requests_total{method=POST,route=/predict,code=200}":                5,
		"mlp_http_requests_total{method=POST,route=/v2/models/{name}/infer,code=200}": 4,
		"mlp_http_requests_total{method=POST,route=/predict,code=400}":                3,
		"mlp_http_requests_total{method=GET,route=/v2/health/ready,code=200}":         2,
		"mlp_http_requests_total{method=GET,route=other,code=404}":                    2,
		"mlp_http_requests_total{method=DELETE,route=/predict,code=405}":              1,
		"mlp_http_requests_total{method=GET,route=/metrics,code=200}":                 1,
		"mlp_http_request_duration_seconds_count{route=/predict}":                     9,
		"mlp_http_request_duration_seconds_count{route=/v2/models/{name}/infer}":      4,
		"mlp_http_request_duration_seconds_bucket{route=/v2/health/ready,le=+Inf}":    2,
		"mlp_http_requests_in_flight{}":                                               1, // the scrape itself
		"mlp_rows_predicted_total{model=m}":                                           23,
		"mlp_model_info{model=m,version=v1,format=2}":                                 1,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total"} {
		if !names[name] {
			t.Errorf("no %s: the Go and process collectors are missing", name)
		}
	}
}

// TestModelInfoReplaced checks that mlp_model_info keeps one series per
// model when a model is replaced by one of another version.
func TestModelInfoReplaced(t *testing.T) {
	m := prommetrics.New()
	h, err := mlpserve.NewModelsHandler([]mlpserve.NamedModel{{Name: "m", Version: "1", Model: model{}}}, &mlpserve.Settings{Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Replace("m", "2", model{}); err != nil {
		t.Fatal(err)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var series []string
	for _, f := range fams {
		if f.GetName() != "mlp_model_info" {
			continue
		}
		for _, s := range f.GetMetric() {
			var l []string
			for _, p := range s.GetLabel() {
				l = append(l, p.GetName()+"="+p.GetValue())
			}
			series = append(series, strings.Join(l, ","))
		}
	}
	if len(series) != 1 || series[0] != "format=2,model=m,version=2" {
		t.Errorf("mlp_model_info series %v, want the replacement's only", series)
	}
}
