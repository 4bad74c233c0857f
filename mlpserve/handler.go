package mlpserve

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/tabular"
)

// Model is what a Handler serves: a fitted pipeline from raw records to
// predictions. *tabular.Pipeline satisfies it. PredictMaps must be safe for
// concurrent use, as the Handler calls it from the goroutine of each
// request.
type Model interface {
	// PredictMaps predicts one row per map, keyed by column name: a
	// float64 for a numeric column, a string for a categorical one, nil
	// for a missing value. An error that wraps mlp.ErrData is the
	// request's fault and is answered with 400 and its message. The
	// Handler reuses the maps once it returns, and gives it at most 1,024
	// rows at a time.
	PredictMaps(rows []map[string]any) (*tabular.Prediction, error)
	// Columns, Classes and Targets describe the pipeline for /metadata.
	// Classes is empty for regression.
	Columns() []tabular.ColumnInfo
	Classes() []string
	Targets() []string
}

// Settings bound what a Handler accepts and say what it reports. A zero
// field means its default.
type Settings struct {
	// MaxBodyBytes is the largest request body read, in bytes; a larger one
	// is answered with 413 after MaxBodyBytes bytes have been read.
	// Default 8 MiB.
	MaxBodyBytes int64
	// MaxRows is the largest number of rows in one request; more are
	// answered with 400 after MaxRows+1 rows have been decoded.
	// Default 10,000.
	MaxRows int
	// MaxConcurrent is the most predictions run at once. A request reads
	// and decodes its body first, then waits for one of these slots, so
	// that a slow client never holds one. Default 4·GOMAXPROCS.
	MaxConcurrent int
	// BodyTimeout bounds the time reading one request's body may spend
	// waiting for the client, in all: a body not read in time is answered
	// with 408. The time the Handler spends decoding what it has read does
	// not count, so a busy server does not cut off fast clients. It
	// replaces the read deadline of the connection (an http.Server's
	// ReadTimeout, which bounds it too when shorter) while the body is
	// read. Default 10s; negative means none beyond the server's.
	BodyTimeout time.Duration
	// UnreadyAfter is how long every prediction slot must have been busy
	// before GET /healthz and GET /v2/health/ready answer 503, so that a
	// load balancer sends traffic elsewhere; GET /v2/health/live stays
	// 200. Default 1s.
	UnreadyAfter time.Duration
	// Logger, when not nil, receives one access line per request at level
	// Info (see Handler).
	Logger *slog.Logger
	// Observer, when not nil, is told of every request and of every model
	// served, as a metrics collector needs (see package
	// github.com/mlpkit/mlp/mlpserve/prommetrics).
	Observer Observer
	// Metrics, when not nil, answers GET /metrics (a Prometheus handler,
	// say).
	Metrics http.Handler
	// ServerName and ServerVersion are the "name" and "version" of GET
	// /v2, the server metadata; default "mlp" and the version of module
	// github.com/mlpkit/mlp in the build information ("devel" without
	// one).
	ServerName, ServerVersion string
}

// Default limits of a Handler.
const (
	DefaultMaxBodyBytes = 8 << 20
	DefaultMaxRows      = 10000
	DefaultBodyTimeout  = 10 * time.Second
	DefaultUnreadyAfter = time.Second
)

// Handler serves predictions of one or more named Models over HTTP, in
// JSON, on two protocols. The first model is the default one of the
// original paths:
//
//   - POST /predict takes {"rows": [{"<column>": value, ...}, ...]}, whatever
//     the Content-Type (plain curl -d sends form-urlencoded), and answers
//     {"predictions": [...], "probabilities": [[...], ...]}. A prediction is
//     a class name for a classifier, a number for a regressor with one
//     target, and an object keyed by target name with several targets.
//     "probabilities" holds one array per row, in the order of "classes" of
//     /metadata, for classifiers only. A numeric column takes a JSON
//     number, a string read as a CSV cell is, or null for a missing value;
//     a categorical column takes a string or null, or a number whose
//     shortest decimal form is one of its categories.
//   - GET /healthz answers {"status":"ok"}, or 503 when not ready (see
//     below).
//   - GET /metadata answers {"format_version": n, "columns": [{"name":
//     "...", "kind": "numeric"|"categorical"}, ...], "classes": [...],
//     "targets": [...]}.
//
// and the Open Inference Protocol (KServe v2) over REST, for every model
// by name, with or without /versions/{version}:
//
//   - GET /v2/health/live: {"live": true} while the process runs.
//   - GET /v2/health/ready: {"ready": true}, or 503 and false when not ready.
//   - GET /v2 (and /v2/): {"name", "version", "extensions"}.
//   - GET /v2/models/{name}: {"name", "versions"?, "platform": "mlp_pipeline",
//     "inputs", "outputs"}, one input per column (FP64 for a numeric
//     column, BYTES for a categorical one, shape [-1]) and one output per
//     target (BYTES class names or FP64 values, shape [-1]), plus
//     "probabilities", FP64 of shape [-1, classes], for a classifier.
//   - GET /v2/models/{name}/ready: {"name", "ready"}.
//   - POST /v2/models/{name}/infer: see "The Open Inference Protocol" in the
//     package documentation.
//
// GET /metrics answers with Settings.Metrics when it is set.
//
// Numbers are written in the shortest form that reads back to the same
// float64 (strconv.FormatFloat(v, 'g', -1, 64)), so that answers equal
// those of mlp predict bit for bit. Problems are answered with {"error":
// "<message>"}: 400 for malformed JSON, a body of another shape, an unknown,
// repeated or missing column, a value of the wrong type or out of range
// (the message names the row, 0-based, and the column) or more than
// Settings.MaxRows rows; 404 for another path or an unknown model; 405 for
// another method (with an Allow header); 408 for a body not read within
// Settings.BodyTimeout; 413 for a body over Settings.MaxBodyBytes, which is
// never read further; 500 when the Model fails for another reason; 503 when
// the client goes away while its request waits for a slot. Nothing a client
// sends makes it panic.
//
// Every answer carries an X-Request-ID header: the request's own when it
// sends a printable one of at most 128 bytes, a new random one otherwise.
// With Settings.Logger each request is logged once, after its answer, with
// the attributes id, method, path, route, model, status, rows, bytes and
// latency (seconds).
//
// A Handler is ready once made, with its models loaded, and until
// SetReady(false) (Serve calls it when it begins to shut down); while every
// prediction slot has been busy for Settings.UnreadyAfter it reports not
// ready too.
//
// # Memory
//
// A request's body is read and decoded as it streams, before the request
// takes a prediction slot: the rows of /predict into one map per row, the
// inputs of /v2 into one float64 or string per element. Unknown columns,
// repeated columns and values of the wrong type are refused as soon as they
// are read. A request therefore holds at most about MaxRows·(300 + 24·columns)
// bytes for its rows plus its longest string, within MaxBodyBytes, and then,
// inside a slot, the pipeline's own workspace (see tabular.Pipeline.Predict).
// The memory of the requests in progress is bounded by the number of
// connections being read (which the http.Server's timeouts and the
// operating system bound) times that, whatever the core count.
//
// A Handler is safe for concurrent use when its Models' PredictMaps are. To
// bound the time a client may take, serve it with Serve or an http.Server
// from NewServer, which set timeouts.
type Handler struct {
	maxBody      int64
	maxRows      int
	bodyTimeout  time.Duration
	unreadyAfter time.Duration
	slots        chan struct{} // one token per prediction in progress
	busySince    atomic.Int64  // UnixNano when the last free slot was taken; 0 when one is free
	notReady     atomic.Bool
	models       atomic.Pointer[modelSet]
	mu           sync.Mutex // serializes Replace
	logger       *slog.Logger
	obs          Observer
	metrics      http.Handler
	serverMeta   []byte
	pool         sync.Pool // *[]byte response buffers
}

var _ http.Handler = (*Handler)(nil)

// NamedModel is a Model served under a name, and optionally a version.
type NamedModel struct {
	// Name is the {name} of /v2/models/{name}: not empty, and without
	// "/", "?" or "#".
	Name string
	// Version, when not empty, is the model's only version: the one
	// /v2/models/{name}/versions/{version} accepts and the "model_version"
	// of its answers. Empty means the model has no versions, and paths
	// naming one are answered with 404.
	Version string
	Model   Model
}

// NewHandler returns a Handler serving p, named "model", with the limits
// of s (nil means the defaults). It returns an error wrapping
// mlp.ErrSetting for a nil p or a negative limit, and one wrapping
// mlp.ErrData when p has no columns or no targets.
func NewHandler(p Model, s *Settings) (*Handler, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: mlpserve: nil Model", mlp.ErrSetting)
	}
	return NewModelsHandler([]NamedModel{{Name: "model", Model: p}}, s)
}

// NewModelsHandler returns a Handler serving the models under their names,
// the first one also on /predict and /metadata, with the limits of s (nil
// means the defaults). It returns an error wrapping mlp.ErrSetting for no
// models, a nil Model, an empty, repeated or ill-formed name or a negative
// limit, and one wrapping mlp.ErrData when a model has no columns or no
// targets.
func NewModelsHandler(models []NamedModel, s *Settings) (*Handler, error) {
	if s == nil {
		s = &Settings{}
	}
	h := &Handler{maxBody: s.MaxBodyBytes, maxRows: s.MaxRows, bodyTimeout: s.BodyTimeout,
		unreadyAfter: s.UnreadyAfter, logger: s.Logger, obs: s.Observer, metrics: s.Metrics}
	switch {
	case h.maxBody < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxBodyBytes is %d, want at least 0", mlp.ErrSetting, h.maxBody)
	case h.maxRows < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxRows is %d, want at least 0", mlp.ErrSetting, h.maxRows)
	case s.MaxConcurrent < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxConcurrent is %d, want at least 0", mlp.ErrSetting, s.MaxConcurrent)
	case s.UnreadyAfter < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.UnreadyAfter is %v, want at least 0", mlp.ErrSetting, s.UnreadyAfter)
	case len(models) == 0:
		return nil, fmt.Errorf("%w: mlpserve: no models to serve", mlp.ErrSetting)
	}
	n := s.MaxConcurrent
	if n == 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	h.slots = make(chan struct{}, n)
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.maxRows == 0 {
		h.maxRows = DefaultMaxRows
	}
	switch {
	case h.bodyTimeout == 0:
		h.bodyTimeout = DefaultBodyTimeout
	case h.bodyTimeout < 0:
		h.bodyTimeout = 0
	}
	if h.unreadyAfter == 0 {
		h.unreadyAfter = DefaultUnreadyAfter
	}
	set := &modelSet{byName: make(map[string]*served, len(models))}
	for _, nm := range models {
		if err := checkName(nm.Name); err != nil {
			return nil, err
		}
		if _, dup := set.byName[nm.Name]; dup {
			return nil, fmt.Errorf("%w: mlpserve: model name %q appears twice", mlp.ErrSetting, nm.Name)
		}
		sv, err := newServed(nm)
		if err != nil {
			return nil, err
		}
		set.list = append(set.list, sv)
		set.byName[nm.Name] = sv
	}
	h.models.Store(set)
	h.serverMeta = serverMetadata(s.ServerName, s.ServerVersion)
	h.pool.New = func() any { b := make([]byte, 0, 4096); return &b }
	if h.obs != nil {
		for _, sv := range set.list {
			h.obs.ModelServed(sv.info())
		}
	}
	return h, nil
}

// checkName returns an error wrapping mlp.ErrSetting unless name can be a
// path segment of /v2/models/{name}.
func checkName(name string) error {
	if name == "" || strings.ContainsAny(name, "/?#") || strings.TrimSpace(name) != name {
		return fmt.Errorf("%w: mlpserve: model name %q: want a non-empty name without spaces around it and without /, ? or #", mlp.ErrSetting, name)
	}
	return nil
}

// Replace serves m in place of the model named name, with the same
// version unless version is not empty. Requests already in progress finish
// with the old model; later ones get m. It returns an error, and serves the
// old model still, when no model is named name, m is nil or has no columns
// or no targets. It is safe for concurrent use.
func (h *Handler) Replace(name, version string, m Model) error {
	if m == nil {
		return fmt.Errorf("%w: mlpserve: Replace %q: nil Model", mlp.ErrSetting, name)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.models.Load()
	prev, ok := old.byName[name]
	if !ok {
		return fmt.Errorf("%w: mlpserve: Replace: no model named %q", mlp.ErrSetting, name)
	}
	if version == "" {
		version = prev.version
	}
	sv, err := newServed(NamedModel{Name: name, Version: version, Model: m})
	if err != nil {
		return err
	}
	set := &modelSet{byName: make(map[string]*served, len(old.list))}
	for _, o := range old.list {
		if o.name == name {
			o = sv
		}
		set.list = append(set.list, o)
		set.byName[o.name] = o
	}
	h.models.Store(set)
	if h.obs != nil {
		h.obs.ModelServed(sv.info())
	}
	return nil
}

// Models returns the names of the models served, the default one first.
func (h *Handler) Models() []string {
	set := h.models.Load()
	names := make([]string, len(set.list))
	for i, sv := range set.list {
		names[i] = sv.name
	}
	return names
}

// SetReady sets whether the Handler reports itself ready, on GET /healthz,
// /v2/health/ready and /v2/models/{name}/ready. Serve sets it false when it
// begins to shut down.
func (h *Handler) SetReady(ready bool) { h.notReady.Store(!ready) }

// Ready reports whether the Handler is ready: SetReady(false) has not been
// called, and not every prediction slot has been busy for
// Settings.UnreadyAfter or longer.
func (h *Handler) Ready() bool {
	if h.notReady.Load() {
		return false
	}
	since := h.busySince.Load()
	return since == 0 || len(h.slots) < cap(h.slots) || time.Since(time.Unix(0, since)) < h.unreadyAfter
}

// acquire waits for a prediction slot, and returns false if the request's
// context is done first.
func (h *Handler) acquire(r *http.Request) bool {
	select {
	case h.slots <- struct{}{}:
	case <-r.Context().Done():
		return false
	}
	if len(h.slots) == cap(h.slots) {
		h.busySince.CompareAndSwap(0, time.Now().UnixNano())
	}
	return true
}

func (h *Handler) release() {
	<-h.slots
	h.busySince.Store(0)
}

// ServeHTTP answers one request, as the Handler's documentation says.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID(r.Header.Get("X-Request-ID"))
	w.Header().Set("X-Request-ID", id)
	if h.obs != nil {
		h.obs.RequestStarted()
	}
	rw := &recorder{ResponseWriter: w}
	ev := Event{ID: id, Method: r.Method, Path: r.URL.Path}
	h.route(rw, r, &ev)
	ev.Status = rw.status
	if ev.Status == 0 {
		ev.Status = http.StatusOK
	}
	ev.Bytes = rw.bytes
	ev.Duration = time.Since(start)
	if h.logger != nil {
		h.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", ev.ID), slog.String("method", ev.Method), slog.String("path", ev.Path),
			slog.String("route", ev.Route), slog.String("model", ev.Model), slog.Int("status", ev.Status),
			slog.Int("rows", ev.Rows), slog.Int64("bytes", ev.Bytes), slog.Float64("latency", ev.Duration.Seconds()))
	}
	if h.obs != nil {
		h.obs.RequestDone(ev)
	}
}

// route answers r, recording in ev its route, model and rows.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, ev *Event) {
	path := r.URL.Path
	switch {
	case path == "/predict":
		ev.Route = "/predict"
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		sv := h.models.Load().list[0]
		ev.Model = sv.name
		h.predict(w, r, sv, ev)
	case path == "/healthz":
		ev.Route = "/healthz"
		h.health(w, r, []byte("{\"status\":\"ok\"}\n"), []byte("{\"status\":\"unavailable\"}\n"))
	case path == "/metadata":
		ev.Route = "/metadata"
		if !isGet(w, r) {
			return
		}
		sv := h.models.Load().list[0]
		ev.Model = sv.name
		writeJSON(w, http.StatusOK, sv.metadata)
	case path == "/metrics" && h.metrics != nil:
		ev.Route = "/metrics"
		if !isGet(w, r) {
			return
		}
		h.metrics.ServeHTTP(w, r)
	case path == "/v2" || strings.HasPrefix(path, "/v2/"):
		h.routeV2(w, r, ev)
	default:
		ev.Route = "other"
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q: the paths are POST /predict, GET /healthz, GET /metadata and those of the Open Inference Protocol under /v2", path))
	}
}

// isGet reports whether r is a GET or HEAD request, and answers 405
// otherwise.
func isGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return false
	}
	return true
}

// predict answers POST /predict for sv.
func (h *Handler) predict(w http.ResponseWriter, r *http.Request, sv *served, ev *Event) {
	body := h.body(w, r)
	rows, err := sv.decodeRows(body, h.maxRows)
	if err != nil {
		writeRequestError(w, err)
		return
	}
	ev.Rows = rows.n
	if !h.acquire(r) {
		writeError(w, http.StatusServiceUnavailable, "the request was cancelled while waiting for its turn")
		return
	}
	bp := h.pool.Get().(*[]byte)
	buf, status, err := sv.answerRows((*bp)[:0], rows)
	h.release()
	if err != nil {
		writeError(w, status, err.Error())
	} else {
		writeJSON(w, http.StatusOK, buf)
	}
	h.putBuffer(bp, buf)
}

// putBuffer returns buf to the pool through bp, unless it has grown large.
func (h *Handler) putBuffer(bp *[]byte, buf []byte) {
	if cap(buf) <= 1<<20 {
		*bp = buf
		h.pool.Put(bp)
	}
}

// predictStatus returns the status code of an error of a Model's
// PredictMaps: 400 when it wraps mlp.ErrData, 500 otherwise.
func predictStatus(err error) (int, error) {
	if errors.Is(err, mlp.ErrData) {
		return http.StatusBadRequest, err
	}
	if strings.HasPrefix(err.Error(), "prediction failed") { // from checkPrediction
		return http.StatusInternalServerError, err
	}
	return http.StatusInternalServerError, fmt.Errorf("prediction failed: %w", err)
}

// health answers a readiness probe r: ready with status 200 while the
// handler is ready, unready with 503 otherwise, and 405 to a method other
// than GET or HEAD.
func (h *Handler) health(w http.ResponseWriter, r *http.Request, ready, unready []byte) {
	if !isGet(w, r) {
		return
	}
	if !h.Ready() {
		writeJSON(w, http.StatusServiceUnavailable, unready)
		return
	}
	writeJSON(w, http.StatusOK, ready)
}
