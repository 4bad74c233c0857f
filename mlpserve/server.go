package mlpserve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ServerSettings are the timeouts of the http.Server that Serve runs. A
// zero field means its default; a negative one means no limit.
type ServerSettings struct {
	// ReadHeaderTimeout bounds the time to read a request's headers;
	// default 5s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the time to read a whole request, body included;
	// default 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of reading the request's
	// headers to the end of writing the response; default 60s.
	WriteTimeout time.Duration
	// IdleTimeout bounds the time a kept-alive connection waits for its
	// next request; default 120s.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds the time Serve waits, once its context is
	// done, for the requests in flight to finish; default 30s. Connections
	// still busy after it are closed.
	ShutdownTimeout time.Duration
}

// orDefault returns d for a zero duration, 0 (no limit, as net/http reads
// it) for a negative one, and v otherwise.
func orDefault(v, d time.Duration) time.Duration {
	switch {
	case v == 0:
		return d
	case v < 0:
		return 0
	}
	return v
}

// NewServer returns an http.Server serving h with the timeouts of s (nil
// means the defaults). Its Addr is empty: use it with Serve, or set Addr
// and call its ListenAndServe.
func NewServer(h http.Handler, s *ServerSettings) *http.Server {
	if s == nil {
		s = &ServerSettings{}
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: orDefault(s.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       orDefault(s.ReadTimeout, 30*time.Second),
		WriteTimeout:      orDefault(s.WriteTimeout, 60*time.Second),
		IdleTimeout:       orDefault(s.IdleTimeout, 120*time.Second),
		MaxHeaderBytes:    64 << 10,
	}
}

// readySetter is the capability of a handler that reports readiness, as
// *Handler does.
type readySetter interface{ SetReady(bool) }

// Serve serves h on the connections l accepts, with the timeouts of s (nil
// means the defaults), until ctx is done. It then tells h it is not ready
// (when h has a SetReady(bool) method, as *Handler has), stops accepting, lets the
// requests in flight finish (for at most s.ShutdownTimeout), closes l and
// returns nil. It returns early with an error when accepting fails.
//
// A program serves a pipeline p on a port until SIGINT or SIGTERM with
//
//	h, err := mlpserve.NewHandler(p, nil)
//	...
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	l, err := net.Listen("tcp", "127.0.0.1:8080")
//	...
//	err = mlpserve.Serve(ctx, l, h, nil)
func Serve(ctx context.Context, l net.Listener, h http.Handler, s *ServerSettings) error {
	if s == nil {
		s = &ServerSettings{}
	}
	srv := NewServer(h, s)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if r, ok := h.(readySetter); ok {
		r.SetReady(false)
	}
	sctx := context.Background()
	if d := orDefault(s.ShutdownTimeout, 30*time.Second); d > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(sctx, d)
		defer cancel()
	}
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
