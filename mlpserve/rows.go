package mlpserve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/mlpkit/mlp/tabular"
)

// requestError is a problem with a request, answered with its status code
// and {"error": msg}.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// body returns the body of r capped at Settings.MaxBodyBytes and bounded
// in time: reading it may wait for the client for Settings.BodyTimeout in
// all, or the ReadTimeout of the http.Server serving r when it is shorter
// (when the ResponseWriter lets the connection's read deadline be set).
// Only the time spent waiting for data counts, not the time the handler
// spends decoding what it has read, so that a fast client is not cut off
// on a busy server while a slow one is, whatever the server's load.
func (h *Handler) body(w http.ResponseWriter, r *http.Request) io.Reader {
	d := h.bodyTimeout
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 && (d == 0 || srv.ReadTimeout < d) {
		d = srv.ReadTimeout
	}
	var body io.Reader = r.Body
	if d > 0 {
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(d)) == nil {
			body = &waitBudget{r: r.Body, rc: rc, budget: d}
		}
	}
	return http.MaxBytesReader(w, readCloser{body, r.Body}, h.maxBody)
}

// readCloser is a Reader with the Close of another.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// waitBudget reads r with the connection's read deadline set before each
// read to what is left of budget, the time reads may wait in all.
type waitBudget struct {
	r      io.Reader
	rc     *http.ResponseController
	budget time.Duration
	waited time.Duration
}

func (b *waitBudget) Read(p []byte) (int, error) {
	start := time.Now()
	if err := b.rc.SetReadDeadline(start.Add(b.budget - b.waited)); err != nil {
		return 0, err
	}
	n, err := b.r.Read(p)
	b.waited += time.Since(start)
	return n, err
}

// decodeRows reads a request body of the form {"rows": [{...}, ...]} and
// returns its rows, at most maxRows of them, checked against sv's columns
// (see cellValue). It reads the body as a stream, one value at a time, so
// that a body with too many rows, an unknown, repeated or missing column
// or a value of the wrong type is refused as soon as it is read, whatever
// its length. The targets a row may hold are skipped.
//
// It returns a *requestError: 400 for malformed JSON, a body of another
// shape, duplicate or unknown fields, a bad value and too many rows; 408
// when reading the body times out; 413 when reading the body hits the cap
// of an http.MaxBytesReader.
func (sv *served) decodeRows(body io.Reader, maxRows int) (*batch, error) {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := expectDelim(dec, '{', "the body"); err != nil {
		return nil, err
	}
	var (
		rows    = newBatch(len(sv.cols))
		hasRows bool
		stamp   = make([]int, len(sv.known)) // row+1 where a column was last seen
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err, "the body")
		}
		key, _ := tok.(string)
		if key != "rows" {
			return nil, badRequest("unknown field %q in the body: it holds only \"rows\"", key)
		}
		if hasRows {
			return nil, badRequest("field \"rows\" appears twice in the body")
		}
		hasRows = true
		if err := expectDelim(dec, '[', `"rows"`); err != nil {
			return nil, err
		}
		for dec.More() {
			if rows.n == maxRows {
				return nil, badRequest("too many rows: at most %d per request", maxRows)
			}
			if err := sv.decodeRow(dec, rows, stamp); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, jsonError(err, `"rows"`)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, jsonError(err, "the body")
	}
	if err := expectEnd(dec); err != nil {
		return nil, err
	}
	if !hasRows {
		return nil, badRequest(`the body has no field "rows": send {"rows": [{"<column>": value, ...}, ...]}`)
	}
	if rows.n == 0 {
		return nil, badRequest(`"rows" is empty`)
	}
	return rows, nil
}

// expectEnd returns an error unless dec has nothing left to read but
// white space.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return jsonError(err, "the body")
		}
		return badRequest("malformed JSON: data after the closing brace of the body")
	}
	return nil
}

// decodeRow reads the next row, an object, from dec into rows. stamp[k] ==
// i+1 marks the columns and targets seen in row i so far.
func (sv *served) decodeRow(dec *json.Decoder, rows *batch, stamp []int) error {
	i := rows.n
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err, fmt.Sprintf("row %d", i))
	}
	if tok == nil {
		return badRequest("row %d: null instead of an object", i)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return badRequest("row %d: not a JSON object", i)
	}
	rows.addRow()
	seen := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err, fmt.Sprintf("row %d", i))
		}
		key, _ := tok.(string)
		k, ok := sv.known[key]
		if !ok {
			return badRequest("row %d: unknown column %q; the columns are %s", i, key, sv.names)
		}
		if stamp[k] == i+1 {
			return badRequest("row %d: column %q appears twice", i, key)
		}
		stamp[k] = i + 1
		if tok, err = dec.Token(); err != nil {
			return jsonError(err, fmt.Sprintf("row %d, column %q", i, key))
		}
		if sv.isTarget(k) { // sent with the features, as a table row holds it: ignored
			if err := skipValue(dec, tok); err != nil {
				return jsonError(err, fmt.Sprintf("row %d, column %q", i, key))
			}
			continue
		}
		v, err := sv.cellValue(k, tok)
		if err != nil {
			return badRequest("row %d, column %q: %v", i, key, err)
		}
		sv.set(rows, i, k, v)
		seen++
	}
	if _, err := dec.Token(); err != nil { // '}'
		return jsonError(err, fmt.Sprintf("row %d", i))
	}
	if seen < len(sv.cols) {
		for j, c := range sv.cols {
			if stamp[j] != i+1 {
				return badRequest("row %d: no column %q; a row holds every column of %s (null for a missing value)", i, c.Name, sv.names)
			}
		}
	}
	return nil
}

// cellValue returns the value for column j of a JSON token read with
// UseNumber, as PredictMaps takes it: a float64 for a number in a numeric
// column, a string for a string (interned when it is one of a categorical
// column's categories), nil for null. A number in a categorical column is
// taken as the category its shortest decimal form names, and refused when
// it names none: a categorical value is text, and {"zip": 2116} must not be
// read silently as an unseen category when the model learnt "02116". It
// returns an error for a number beyond float64's range, a boolean, an
// array or an object.
func (sv *served) cellValue(j int, tok json.Token) (any, error) {
	cats := sv.cats[j]
	switch v := tok.(type) {
	case nil:
		return nil, nil
	case string:
		if c, ok := cats[v]; ok {
			return c, nil
		}
		return v, nil
	case json.Number:
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil { // JSON number syntax is valid ParseFloat syntax: a range error
			return nil, fmt.Errorf("the number %s is beyond the range of float64", v)
		}
		if cats != nil {
			return sv.category(j, x, string(v))
		}
		return x, nil
	case bool:
		return nil, fmt.Errorf("%v is not %s", v, sv.wants(j))
	case json.Delim:
		what := "an object"
		if v == '[' {
			what = "an array"
		}
		return nil, fmt.Errorf("%s is not %s", what, sv.wants(j))
	}
	return nil, fmt.Errorf("unexpected value %v", tok)
}

// category returns the category of categorical column j that the number x,
// written text in the request, names, or an error when it names none.
func (sv *served) category(j int, x float64, text string) (string, error) {
	if c, ok := sv.cats[j][numberText(x)]; ok {
		return c, nil
	}
	return "", fmt.Errorf("the number %s is not one of the column's categories: a categorical column takes its categories as JSON strings", text)
}

// numberText is the shortest decimal form of x: without exponent for an
// integer of magnitude up to 2^53 ("3", not "3e+00"), as a table's numeric
// cells are written.
func numberText(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// wants says what column j takes, for messages.
func (sv *served) wants(j int) string {
	if sv.cats[j] != nil {
		return "a string or null: the column is categorical"
	}
	return "a number, a string or null: the column is numeric"
}

// skipValue reads the rest of the value that starts with tok.
func skipValue(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '[' && d != '{') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// expectDelim reads the next token of dec and returns an error naming what
// unless it is the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err, what)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		kind := "an object"
		if d == '[' {
			kind = "an array"
		}
		return badRequest("%s is not %s", what, kind)
	}
	return nil
}

// jsonError turns an error of reading or decoding JSON within what into a
// *requestError: 408 when reading the body timed out, 413 when the body is
// over its cap, 400 otherwise.
func jsonError(err error, what string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("request body too large: over %d bytes", mb.Limit)}
	}
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &requestError{status: http.StatusRequestTimeout,
			msg: fmt.Sprintf("reading the request body took too long: %s was not read in time", what)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badRequest("malformed JSON: %s ends early", what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest("malformed JSON in %s at byte %d: %v", what, se.Offset, se)
	}
	return badRequest("reading %s: %v", what, err)
}

// answerRows predicts rows with sv and appends the JSON answer of
// /predict to buf. On error it returns the status code to answer.
func (sv *served) answerRows(buf []byte, rows *batch) ([]byte, int, error) {
	pred, err := sv.predict(rows)
	if err != nil {
		status, err := predictStatus(err)
		return buf, status, err
	}
	buf, err = sv.appendPrediction(buf, pred, rows.n)
	if err != nil {
		return buf, http.StatusInternalServerError, err
	}
	return buf, http.StatusOK, nil
}

// checkPrediction returns an error unless pred holds what sv predicts for
// n rows: n labels, each a class, and n×classes probabilities for a
// classifier; n×targets values for a regressor.
func (sv *served) checkPrediction(pred *tabular.Prediction, n int) error {
	if pred == nil {
		return errors.New("prediction failed: no prediction")
	}
	if sv.qclasses != nil {
		if len(pred.Labels) != n {
			return fmt.Errorf("prediction failed: %d labels for %d rows", len(pred.Labels), n)
		}
		for _, l := range pred.Labels {
			if _, ok := sv.qclasses[l]; !ok {
				return fmt.Errorf("prediction failed: label %q is not one of the classes", l)
			}
		}
		if pred.Proba != nil {
			if r, c := pred.Proba.Dims(); r != n || c != len(sv.classes) {
				return fmt.Errorf("prediction failed: probabilities of shape %d×%d for %d rows and %d classes", r, c, n, len(sv.classes))
			}
		}
		return nil
	}
	if pred.Values == nil {
		return errors.New("prediction failed: no values")
	}
	if r, c := pred.Values.Dims(); r != n || c != len(sv.targets) {
		return fmt.Errorf("prediction failed: values of shape %d×%d for %d rows and %d targets", r, c, n, len(sv.targets))
	}
	return nil
}

// appendPrediction appends the JSON answer of /predict for pred, which
// must hold n rows, to buf.
func (sv *served) appendPrediction(buf []byte, pred *tabular.Prediction, n int) ([]byte, error) {
	if err := sv.checkPrediction(pred, n); err != nil {
		return buf, err
	}
	buf = append(buf, `{"predictions":[`...)
	var err error
	if sv.qclasses != nil {
		for i, l := range pred.Labels {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, sv.qclasses[l]...)
		}
	} else {
		v := pred.Values
		for i := range n {
			if i > 0 {
				buf = append(buf, ',')
			}
			if len(sv.qtargets) == 1 {
				if buf, err = appendFloat(buf, v.At(i, 0)); err != nil {
					return buf, err
				}
				continue
			}
			buf = append(buf, '{')
			for j, t := range sv.qtargets {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, t...)
				buf = append(buf, ':')
				if buf, err = appendFloat(buf, v.At(i, j)); err != nil {
					return buf, err
				}
			}
			buf = append(buf, '}')
		}
	}
	buf = append(buf, ']')
	if sv.qclasses != nil && pred.Proba != nil {
		r, c := pred.Proba.Dims()
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

// writeRequestError answers err: with its status when it is a
// *requestError, 400 otherwise.
func writeRequestError(w http.ResponseWriter, err error) {
	var re *requestError
	if errors.As(err, &re) {
		writeError(w, re.status, re.msg)
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method not allowed: use "+allow)
}
