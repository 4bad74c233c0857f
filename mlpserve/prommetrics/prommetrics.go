// Package prommetrics counts what an mlpserve.Handler serves as Prometheus
// metrics, with github.com/prometheus/client_golang, so that package
// mlpserve itself needs no metrics library.
//
// A program serving a pipeline p with metrics at GET /metrics writes
//
//	m := prommetrics.New()
//	h, err := mlpserve.NewHandler(p, &mlpserve.Settings{Observer: m, Metrics: m.Handler()})
//
// The metrics are
//
//	mlp_http_requests_total{method, route, code}      counter
//	mlp_http_request_duration_seconds{route}          histogram
//	mlp_http_requests_in_flight                       gauge
//	mlp_rows_predicted_total{model}                   counter (rows of the requests answered 200)
//	mlp_model_info{model, version, format}            gauge, 1 for each model served
//
// where route is the path pattern a request matched (mlpserve.Event.Route:
// "/predict", "/v2/models/{name}/infer", "other", ...), never the raw path,
// so that a client cannot make the number of series grow; and the Go and
// process collectors of client_golang (go_*, process_*).
package prommetrics

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mlpkit/mlp/mlpserve"
)

// Metrics is an mlpserve.Observer that keeps Prometheus metrics in a
// registry of its own. It is safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	rows     *prometheus.CounterVec
	info     *prometheus.GaugeVec

	mu     sync.Mutex
	models map[string]prometheus.Labels // the info labels of each model, to drop on replacement
}

var _ mlpserve.Observer = (*Metrics)(nil)

// New returns Metrics registered in a new registry with the Go and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlp_http_requests_total",
			Help: "HTTP requests answered, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mlp_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by route.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mlp_http_requests_in_flight",
			Help: "Requests being answered.",
		}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlp_rows_predicted_total",
			Help: "Rows predicted in requests answered with 200, by model.",
		}, []string{"model"}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mlp_model_info",
			Help: "1 for each model served, with its name, version and model file format version.",
		}, []string{"model", "version", "format"}),
		models: map[string]prometheus.Labels{},
	}
	m.reg.MustRegister(m.requests, m.latency, m.inFlight, m.rows, m.info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry of m, to register more collectors in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler returns the handler of GET /metrics: the metrics of m's registry
// in the Prometheus text format (or another format the request accepts).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// RequestStarted counts a request in flight.
func (m *Metrics) RequestStarted() { m.inFlight.Inc() }

// RequestDone counts a request answered, its latency and, when answered
// with 200, its rows.
func (m *Metrics) RequestDone(e mlpserve.Event) {
	m.inFlight.Dec()
	m.requests.WithLabelValues(e.Method, e.Route, strconv.Itoa(e.Status)).Inc()
	m.latency.WithLabelValues(e.Route).Observe(e.Duration.Seconds())
	if e.Status == http.StatusOK && e.Rows > 0 {
		m.rows.WithLabelValues(e.Model).Add(float64(e.Rows))
	}
}

// ModelServed sets mlp_model_info of the model to 1, dropping the series
// of the model it replaces.
func (m *Metrics) ModelServed(i mlpserve.ModelInfo) {
	l := prometheus.Labels{"model": i.Name, "version": i.Version, "format": strconv.Itoa(i.FormatVersion)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.models[i.Name]; ok {
		m.info.Delete(old)
	}
	m.models[i.Name] = l
	m.info.With(l).Set(1)
}
