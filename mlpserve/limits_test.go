package mlpserve

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpkit/mlp/tabular"
)

// endless is a request body of size bytes: head, then fill repeated, then
// tail, produced as it is read and never held whole. It counts the bytes
// read, in off, which other goroutines may read.
type endless struct {
	head, fill, tail string
	size             int64
	off              atomic.Int64
}

func (r *endless) Read(p []byte) (int, error) {
	off := r.off.Load()
	if off >= r.size {
		return 0, io.EOF
	}
	n := 0
	fillEnd := r.size - int64(len(r.tail))
	for n < len(p) && off < r.size {
		switch {
		case off < int64(len(r.head)):
			p[n] = r.head[off]
		case off >= fillEnd:
			p[n] = r.tail[off-fillEnd]
		default:
			p[n] = r.fill[(off-int64(len(r.head)))%int64(len(r.fill))]
		}
		n++
		off++
	}
	r.off.Store(off)
	return n, nil
}

const gigabyte = 1 << 30

// allocated returns the bytes allocated on the heap by f.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHandlerHugeBody sends 1 GB bodies, produced as they are read, and
// checks that the handler refuses them having read and allocated a bounded
// amount: one long string is cut at MaxBodyBytes (413), many small rows at
// MaxRows (400).
func TestHandlerHugeBody(t *testing.T) {
	h := newTestHandler(t, &fake{classes: []string{"a", "b"}, targets: []string{"t"}}, nil)
	for _, tc := range []struct {
		name     string
		body     *endless
		code     int
		maxRead  int64
		maxAlloc uint64
	}{
		{"one long string", &endless{head: `{"rows":[{"x":1,"city":"`, fill: "abcdefgh", tail: `"}]}`, size: gigabyte},
			413, DefaultMaxBodyBytes + 1, 8 * DefaultMaxBodyBytes},
		{"many rows", &endless{head: `{"rows":[`, fill: `{"x":1,"city":"a"},`, tail: `{"x":1,"city":"a"}]}`, size: gigabyte},
			400, 64 * DefaultMaxRows, 8 << 20 * 10},
		{"deep nesting", &endless{head: `{"rows":[{"x":`, fill: `[`, tail: `]`, size: gigabyte},
			400, DefaultMaxBodyBytes + 1, 8 * DefaultMaxBodyBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var code int
			var body string
			alloc := allocated(func() {
				code, body, _ = do(h, "POST", "/predict", tc.body)
			})
			t.Logf("read %d bytes, allocated %d bytes: %d %.80s", tc.body.off.Load(), alloc, code, body)
			if code != tc.code {
				t.Errorf("status %d, want %d", code, tc.code)
			}
			if tc.body.off.Load() > tc.maxRead {
				t.Errorf("read %d bytes of the body, want at most %d", tc.body.off.Load(), tc.maxRead)
			}
			if alloc > tc.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", alloc, tc.maxAlloc)
			}
		})
	}
}

// TestServeHugeBody sends a 1 GB body over a real connection and checks
// that the client gets 413 without the server reading it all.
func TestServeHugeBody(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, &Settings{MaxBodyBytes: 1 << 20})
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := &endless{head: `{"rows":[{"x":1,"city":"`, fill: "abcdefgh", tail: `"}]}`, size: gigabyte}
	resp, err := http.Post(srv.URL+"/predict", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(got), "request body too large") {
		t.Errorf("got %d %s", resp.StatusCode, got)
	}
	if n := body.off.Load(); n > 64<<20 {
		t.Errorf("the client sent %d bytes before the answer stopped it", n)
	}
}

// gated is a Model whose PredictMaps waits until release is closed,
// after telling entered.
type gated struct {
	fake
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gated) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return g.fake.PredictMaps(rows)
}

// TestServeShutdown checks that Serve, once its context is done, stops
// accepting connections but answers the request in flight, and returns nil.
func TestServeShutdown(t *testing.T) {
	g := &gated{fake: fake{targets: []string{"y"}}, entered: make(chan struct{}), release: make(chan struct{})}
	h := newTestHandler(t, g, nil)
	l, cancel, served := serveLoopback(t, h, nil)

	type answer struct {
		code int
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Post("http://"+l.Addr().String()+"/predict", "", strings.NewReader(`{"rows":[{"x":3,"city":"a"}]}`))
		if err != nil {
			answered <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- answer{resp.StatusCode, string(b), err}
	}()
	<-g.entered
	cancel()
	// New connections are refused once the listener is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5s after the context was cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v before the request in flight was answered", err)
	default:
	}
	close(g.release)
	a := <-answered
	if a.err != nil || a.code != 200 || strings.TrimSpace(a.body) != `{"predictions":[3]}` {
		t.Errorf("request in flight: %d %q %v", a.code, a.body, a.err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestServeReadTimeout checks that a client that stops sending in the
// middle of its body is answered 408 and cut off after the server's read
// timeout, shorter than Settings.BodyTimeout.
func TestServeReadTimeout(t *testing.T) {
	h := newTestHandler(t, &fake{targets: []string{"y"}}, nil)
	l, cancel, _ := serveLoopback(t, h, &ServerSettings{ReadTimeout: 200 * time.Millisecond})
	defer cancel()

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	io.WriteString(c, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"rows\":[")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(c) // until the server closes the connection
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("connection closed after %v, want about 200ms", took)
	}
	if !strings.Contains(string(got), "408 Request Timeout") {
		t.Errorf("got %q, want a 408", got)
	}
}

// TestNewServerSettings checks the defaults and that a negative timeout
// means none.
func TestNewServerSettings(t *testing.T) {
	srv := NewServer(http.NotFoundHandler(), nil)
	if srv.ReadHeaderTimeout != 5*time.Second || srv.ReadTimeout != 30*time.Second ||
		srv.WriteTimeout != 60*time.Second || srv.IdleTimeout != 120*time.Second {
		t.Errorf("defaults: %+v", srv)
	}
	srv = NewServer(http.NotFoundHandler(), &ServerSettings{ReadTimeout: -1, WriteTimeout: time.Second})
	if srv.ReadTimeout != 0 || srv.WriteTimeout != time.Second {
		t.Errorf("ReadTimeout %v, WriteTimeout %v", srv.ReadTimeout, srv.WriteTimeout)
	}
}

// counting is a Model that counts the calls in progress and waits for
// release.
type counting struct {
	fake
	mu      sync.Mutex
	calls   int
	release chan struct{}
}

func (c *counting) PredictMaps(rows []map[string]any) (*tabular.Prediction, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	<-c.release
	return c.fake.PredictMaps(rows)
}

func (c *counting) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// TestHandlerMaxConcurrent checks that requests over MaxConcurrent wait
// for a slot after their body is read (so that a slow body never holds
// one), and that one whose client goes away meanwhile gets 503.
func TestHandlerMaxConcurrent(t *testing.T) {
	p := &counting{fake: fake{targets: []string{"y"}}, release: make(chan struct{})}
	h := newTestHandler(t, p, &Settings{MaxConcurrent: 1})
	body := `{"rows":[{"x":1,"city":"a"}]}`
	first := make(chan int, 1)
	go func() {
		code, _, _ := do(h, "POST", "/predict", strings.NewReader(body))
		first <- code
	}()
	for p.n() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan int, 1)
	secondBody := &endless{head: body, size: int64(len(body))}
	go func() {
		req := httptest.NewRequest("POST", "/predict", secondBody).WithContext(ctx)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		second <- rec.Code
	}()
	time.Sleep(50 * time.Millisecond)
	if p.n() != 1 || secondBody.off.Load() != int64(len(body)) {
		t.Errorf("%d predictions in progress and %d bytes of the second body read, want 1 and %d", p.n(), secondBody.off.Load(), len(body))
	}
	cancel()
	if code := <-second; code != http.StatusServiceUnavailable {
		t.Errorf("cancelled waiting request: %d, want 503", code)
	}
	close(p.release)
	if code := <-first; code != 200 {
		t.Errorf("first request: %d", code)
	}
}
