package mlpserve

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// Observer is told by a Handler of every request and of every model it
// serves, as a metrics collector needs. Its methods are called from the
// goroutines of the requests, so they must be safe for concurrent use, and
// quick.
type Observer interface {
	// RequestStarted is called when a request arrives.
	RequestStarted()
	// RequestDone is called once the request's answer is written.
	RequestDone(Event)
	// ModelServed is called for each model when the Handler is made, and
	// for a model that Handler.Replace serves anew.
	ModelServed(ModelInfo)
}

// Event describes one request a Handler answered.
type Event struct {
	// ID is the request id of the X-Request-ID header.
	ID string
	// Method and Path are the request's.
	Method, Path string
	// Route is the path pattern the request matched, such as "/predict"
	// or "/v2/models/{name}/infer", and "other" for none: a label of few
	// values, unlike Path.
	Route string
	// Model is the name of the model the request was for, or "".
	Model string
	// Status is the status code of the answer.
	Status int
	// Rows is the number of rows the request asked to predict, or 0.
	Rows int
	// Bytes is the length of the answer's body.
	Bytes int64
	// Duration is the time from the request's arrival to the end of its
	// answer.
	Duration time.Duration
}

// ModelInfo describes a model a Handler serves.
type ModelInfo struct {
	Name, Version string
	// FormatVersion is the version of the model file format (see
	// Metadata).
	FormatVersion int
}

// recorder is a ResponseWriter that records the status and length of the
// answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap returns the ResponseWriter underneath, for
// http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// maxRequestID is the longest X-Request-ID taken from a request.
const maxRequestID = 128

// requestID returns id when it is a usable request id (1 to 128 printable
// ASCII characters), and a new random one of 32 hexadecimal digits
// otherwise.
func requestID(id string) string {
	ok := len(id) > 0 && len(id) <= maxRequestID
	for i := 0; ok && i < len(id); i++ {
		ok = id[i] > ' ' && id[i] < 0x7f
	}
	if ok {
		return id
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read documentation)
	return hex.EncodeToString(b[:])
}
