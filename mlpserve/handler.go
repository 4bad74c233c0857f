package mlpserve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"

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
	// request's fault and is answered with 400 and its message.
	PredictMaps(rows []map[string]any) (*tabular.Prediction, error)
	// Columns, Classes and Targets describe the pipeline for /metadata.
	// Classes is empty for regression.
	Columns() []tabular.ColumnInfo
	Classes() []string
	Targets() []string
}

// Settings bound what a Handler accepts. A zero field means its default.
type Settings struct {
	// MaxBodyBytes is the largest request body read, in bytes; a larger one
	// is answered with 413 after MaxBodyBytes bytes have been read.
	// Default 8 MiB.
	MaxBodyBytes int64
	// MaxRows is the largest number of rows in one request; more are
	// answered with 400 after MaxRows+1 rows have been decoded.
	// Default 10,000.
	MaxRows int
	// MaxConcurrent is the most /predict requests read and predicted at
	// once; others wait for a turn before their body is read, so that the
	// memory held is bounded by MaxConcurrent times what one request may
	// take. Default 4·GOMAXPROCS.
	MaxConcurrent int
}

// Default limits of a Handler.
const (
	DefaultMaxBodyBytes = 8 << 20
	DefaultMaxRows      = 10000
)

// Handler serves predictions of a Model over HTTP, in JSON:
//
//   - POST /predict takes {"rows": [{"<column>": value, ...}, ...]}, whatever
//     the Content-Type (plain curl -d sends form-urlencoded), and answers
//     {"predictions": [...], "probabilities": [[...], ...]}. A prediction is
//     a class name for a classifier, a number for a regressor with one
//     target, and an object keyed by target name with several targets.
//     "probabilities" holds one array per row, in the order of "classes" of
//     /metadata, for classifiers only.
//   - GET /healthz answers {"status":"ok"}.
//   - GET /metadata answers {"format_version": n, "columns": [{"name":
//     "...", "kind": "numeric"|"categorical"}, ...], "classes": [...],
//     "targets": [...]}.
//
// Numbers are written in the shortest form that reads back to the same
// float64 (strconv.FormatFloat(v, 'g', -1, 64)). Problems are answered with
// {"error": "<message>"}: 400 for malformed JSON, a body of another shape,
// an unknown or missing column, a value of the wrong type (the message
// names the row, 0-based, and the column) or more than Settings.MaxRows
// rows; 404 for another path; 405 for another method (with an Allow
// header); 413 for a body over Settings.MaxBodyBytes, which is never read
// further; 500 when the Model fails for another reason; 503 when the
// client goes away while its request waits for a turn. Nothing a client
// sends makes it panic.
//
// A Handler is safe for concurrent use when its Model's PredictMaps is.
// At most Settings.MaxConcurrent predictions run at once, each holding
// memory bounded by Settings.MaxBodyBytes and Settings.MaxRows; to bound the time a client may take, serve it with
// Serve or an http.Server from NewServer, which set timeouts.
type Handler struct {
	p        Model
	maxBody  int64
	maxRows  int
	slots    chan struct{}     // one token per /predict request in progress
	targets  [][]byte          // JSON-quoted target names
	known    map[string]bool   // the names a row may hold: the columns and the targets
	names    string            // the columns, quoted and joined, for the unknown-column message
	classes  map[string][]byte // class name -> JSON-quoted; nil for regression
	metadata []byte
	pool     sync.Pool // *[]byte response buffers
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler serving p with the limits of s (nil means
// the defaults). It returns an error wrapping mlp.ErrSetting for a negative
// limit, and one wrapping mlp.ErrData when p has no columns or no targets.
func NewHandler(p Model, s *Settings) (*Handler, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: mlpserve: nil Model", mlp.ErrSetting)
	}
	if s == nil {
		s = &Settings{}
	}
	h := &Handler{p: p, maxBody: s.MaxBodyBytes, maxRows: s.MaxRows}
	switch {
	case h.maxBody < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxBodyBytes is %d, want at least 0", mlp.ErrSetting, h.maxBody)
	case h.maxRows < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxRows is %d, want at least 0", mlp.ErrSetting, h.maxRows)
	case s.MaxConcurrent < 0:
		return nil, fmt.Errorf("%w: mlpserve: Settings.MaxConcurrent is %d, want at least 0", mlp.ErrSetting, s.MaxConcurrent)
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
	m, err := describe(p)
	if err != nil {
		return nil, err
	}
	h.known = make(map[string]bool, len(m.Columns)+len(m.Targets))
	quoted := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		h.known[c.Name] = true
		quoted[i] = strconv.Quote(c.Name)
	}
	h.names = strings.Join(quoted, ", ")
	for _, t := range m.Targets {
		h.targets = append(h.targets, quote(t))
		h.known[t] = true
	}
	if len(m.Classes) > 0 {
		h.classes = make(map[string][]byte, len(m.Classes))
		for _, c := range m.Classes {
			h.classes[c] = quote(c)
		}
	}
	h.pool.New = func() any { b := make([]byte, 0, 4096); return &b }
	h.metadata, err = json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("mlpserve: metadata: %w", err)
	}
	h.metadata = append(h.metadata, '\n')
	return h, nil
}

// ServeHTTP answers one request, as the Handler's documentation says.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/predict":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		h.predict(w, r)
	case "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		writeJSON(w, http.StatusOK, []byte("{\"status\":\"ok\"}\n"))
	case "/metadata":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		writeJSON(w, http.StatusOK, h.metadata)
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such path %q: the paths are POST /predict, GET /healthz and GET /metadata", r.URL.Path))
	}
}

func (h *Handler) predict(w http.ResponseWriter, r *http.Request) {
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-r.Context().Done():
		writeError(w, http.StatusServiceUnavailable, "the request was cancelled while waiting for its turn")
		return
	}
	body := http.MaxBytesReader(w, r.Body, h.maxBody)
	rows, err := decodeRows(body, h.maxRows)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			writeError(w, re.status, re.msg)
			return
		}
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := h.checkNames(rows); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	pred, err := h.p.PredictMaps(rows)
	if err != nil {
		if errors.Is(err, mlp.ErrData) {
			writeError(w, http.StatusBadRequest, err.Error())
		} else {
			writeError(w, http.StatusInternalServerError, "prediction failed: "+err.Error())
		}
		return
	}
	bp := h.pool.Get().(*[]byte)
	buf, err := h.appendPrediction((*bp)[:0], pred, len(rows))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
	} else {
		writeJSON(w, http.StatusOK, buf)
	}
	if cap(buf) <= 1<<20 { // keep small buffers only
		*bp = buf
		h.pool.Put(bp)
	}
}

// appendPrediction appends the JSON answer for pred, which must hold n
// rows, to buf.
// checkNames returns an error naming the first row and key that is neither
// a column of the pipeline nor one of its targets: a misspelt column must
// not be imputed silently as missing. A target may be sent, and is ignored.
func (h *Handler) checkNames(rows []map[string]any) error {
	for i, row := range rows {
		for k := range row {
			if !h.known[k] {
				return fmt.Errorf("row %d: unknown column %q; the columns are %s", i, k, h.names)
			}
		}
	}
	return nil
}

func (h *Handler) appendPrediction(buf []byte, pred *tabular.Prediction, n int) ([]byte, error) {
	buf = append(buf, `{"predictions":[`...)
	switch {
	case h.classes != nil:
		if len(pred.Labels) != n {
			return buf, fmt.Errorf("prediction failed: %d labels for %d rows", len(pred.Labels), n)
		}
		for i, l := range pred.Labels {
			if i > 0 {
				buf = append(buf, ',')
			}
			q, ok := h.classes[l]
			if !ok {
				return buf, fmt.Errorf("prediction failed: label %q is not one of the classes", l)
			}
			buf = append(buf, q...)
		}
	default:
		v := pred.Values
		if v == nil {
			return buf, errors.New("prediction failed: no values")
		}
		if r, c := v.Dims(); r != n || c != len(h.targets) {
			return buf, fmt.Errorf("prediction failed: values of shape %d×%d for %d rows and %d targets", r, c, n, len(h.targets))
		}
		for i := range n {
			if i > 0 {
				buf = append(buf, ',')
			}
			if len(h.targets) == 1 {
				var err error
				if buf, err = appendFloat(buf, v.At(i, 0)); err != nil {
					return buf, err
				}
				continue
			}
			buf = append(buf, '{')
			for j, t := range h.targets {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, t...)
				buf = append(buf, ':')
				var err error
				if buf, err = appendFloat(buf, v.At(i, j)); err != nil {
					return buf, err
				}
			}
			buf = append(buf, '}')
		}
	}
	buf = append(buf, ']')
	if h.classes != nil && pred.Proba != nil {
		r, c := pred.Proba.Dims()
		if r != n {
			return buf, fmt.Errorf("prediction failed: probabilities of %d rows for %d rows", r, n)
		}
		buf = append(buf, `,"probabilities":[`...)
		for i := range r {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '[')
			for j := range c {
				if j > 0 {
					buf = append(buf, ',')
				}
				var err error
				if buf, err = appendFloat(buf, pred.Proba.At(i, j)); err != nil {
					return buf, err
				}
			}
			buf = append(buf, ']')
		}
		buf = append(buf, ']')
	}
	return append(buf, "}\n"...), nil
}

// quote returns s as a JSON string.
func quote(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// appendFloat appends v in the shortest form that reads back to v, or
// returns an error for NaN and infinities, which JSON cannot hold.
func appendFloat(buf []byte, v float64) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return buf, fmt.Errorf("prediction failed: non-finite value %v", v)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64), nil
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	writeJSON(w, status, append(b, '\n'))
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method not allowed: use "+allow)
}
