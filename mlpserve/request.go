package mlpserve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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

// decodeRows reads a request body of the form {"rows": [{...}, ...]} and
// returns its rows, at most maxRows of them. It reads the body as a stream,
// one row at a time, so that a body with too many rows is refused after
// maxRows+1 rows have been read, whatever its length. Values are decoded as
// encoding/json decodes into an interface: float64 for a number, string,
// nil for null, and bool, []any or map[string]any for what no column
// accepts.
//
// It returns a *requestError: 400 for malformed JSON, a body of another
// shape, duplicate or unknown fields and too many rows; 413 when reading the
// body hits the cap of an http.MaxBytesReader.
func decodeRows(body io.Reader, maxRows int) ([]map[string]any, error) {
	dec := json.NewDecoder(body)
	if err := expectDelim(dec, '{', "the body"); err != nil {
		return nil, err
	}
	var (
		rows    []map[string]any
		seen    bool
		hasRows bool
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
		if seen {
			return nil, badRequest("field \"rows\" appears twice in the body")
		}
		seen = true
		if err := expectDelim(dec, '[', `"rows"`); err != nil {
			return nil, err
		}
		hasRows = true
		for dec.More() {
			if len(rows) == maxRows {
				return nil, badRequest("too many rows: at most %d per request", maxRows)
			}
			var row map[string]any
			if err := dec.Decode(&row); err != nil {
				var te *json.UnmarshalTypeError
				if errors.As(err, &te) && te.Field == "" {
					return nil, badRequest("row %d: not a JSON object", len(rows))
				}
				return nil, jsonError(err, fmt.Sprintf("row %d", len(rows)))
			}
			if row == nil {
				return nil, badRequest("row %d: null instead of an object", len(rows))
			}
			rows = append(rows, row)
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, jsonError(err, `"rows"`)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, jsonError(err, "the body")
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, jsonError(err, "the body")
		}
		return nil, badRequest("malformed JSON: data after the closing brace of the body")
	}
	if !hasRows {
		return nil, badRequest(`the body has no field "rows": send {"rows": [{"<column>": value, ...}, ...]}`)
	}
	if len(rows) == 0 {
		return nil, badRequest(`"rows" is empty`)
	}
	return rows, nil
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
		return badRequest("%s is not %s: send {\"rows\": [{\"<column>\": value, ...}, ...]}", what, kind)
	}
	return nil
}

// jsonError turns an error of reading or decoding JSON within what into a
// *requestError: 413 when the body is over its cap, 400 otherwise.
func jsonError(err error, what string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("request body too large: over %d bytes", mb.Limit)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badRequest("malformed JSON: %s ends early", what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest("malformed JSON in %s at byte %d: %v", what, se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badRequest("%s: %v", what, te)
	}
	return badRequest("reading %s: %v", what, err)
}
