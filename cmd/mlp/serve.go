package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mlpkit/mlp/mlpserve"
	"github.com/mlpkit/mlp/mlpserve/prommetrics"
	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "serve",
		args:    "-model [NAME=]MODEL ... [-addr 127.0.0.1:8080]",
		summary: "serve models over HTTP: POST /predict, the Open Inference Protocol under /v2, GET /metrics",
		setup:   setupServe,
	})
}

// exitNow ends the process at once, on a second SIGINT or SIGTERM.
var exitNow = os.Exit

func setupServe(fs *flag.FlagSet) func(context.Context, *env) error {
	var models modelFlags
	fs.Var(&models, "model", "a model `file` to serve, as NAME=FILE or FILE (named after its stem); repeat for several, the first also answers /predict and /metadata (required)")
	addr := fs.String("addr", "", "the `address` to listen on; port 0 picks a free one (default 0.0.0.0:$PORT when PORT is set, 127.0.0.1:8080 otherwise)")
	maxBody := fs.Int64("max-body", mlpserve.DefaultMaxBodyBytes, "the largest request body in `bytes`; a larger one is answered with 413")
	maxRows := fs.Int("max-rows", mlpserve.DefaultMaxRows, "the most `rows` in one request")
	maxConc := fs.Int("max-concurrent", 0, "the most predictions at once (`n`; 0 means 4·GOMAXPROCS)")
	bodyTimeout := fs.Duration("body-timeout", mlpserve.DefaultBodyTimeout, "the longest `time` to read a request's body; a slower one is answered with 408")
	logFormat := fs.String("log", "text", "the access log's `format` on standard error: text, json or none")
	metrics := fs.Bool("metrics", true, "serve Prometheus metrics at GET /metrics")
	watch := fs.Duration("watch", 0, "check the model files every `interval` and reload those changed (0: only on SIGHUP)")
	return func(ctx context.Context, e *env) error {
		switch {
		case len(models) == 0:
			return usagef("-model is required")
		case *maxBody < 1:
			return usagef("invalid value %d for flag -max-body: must be at least 1", *maxBody)
		case *maxRows < 1:
			return usagef("invalid value %d for flag -max-rows: must be at least 1", *maxRows)
		case *maxConc < 0:
			return usagef("invalid value %d for flag -max-concurrent: must be at least 0", *maxConc)
		case *bodyTimeout <= 0:
			return usagef("invalid value %v for flag -body-timeout: must be positive", *bodyTimeout)
		case *watch < 0:
			return usagef("invalid value %v for flag -watch: must be at least 0", *watch)
		}
		addrSet := false
		fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
		listen, from, err := listenAddress(*addr, addrSet, os.Getenv("PORT"))
		if err != nil {
			return err
		}
		var logger *slog.Logger
		switch *logFormat {
		case "text":
			logger = slog.New(slog.NewTextHandler(e.stderr, nil))
		case "json":
			logger = slog.New(slog.NewJSONHandler(e.stderr, nil))
		case "none":
		default:
			return usagef("invalid value %q for flag -log: want text, json or none", *logFormat)
		}
		named := make([]mlpserve.NamedModel, len(models))
		for i, m := range models {
			p, err := loadServed(m.file)
			if err != nil {
				return err
			}
			named[i] = mlpserve.NamedModel{Name: m.name, Model: p}
		}
		s := &mlpserve.Settings{MaxBodyBytes: *maxBody, MaxRows: *maxRows, MaxConcurrent: *maxConc,
			BodyTimeout: *bodyTimeout, Logger: logger}
		if *metrics {
			m := prommetrics.New()
			s.Observer, s.Metrics = m, m.Handler()
		}
		h, err := mlpserve.NewModelsHandler(named, s)
		if err != nil {
			return err
		}
		l, err := net.Listen("tcp", listen)
		if err != nil {
			return err
		}
		printKernel(e)
		sl := logger
		if sl == nil {
			sl = slog.New(slog.NewTextHandler(e.stderr, nil))
		}
		stopSignals := handleSignals(ctx, e, sl, h, models, *watch)
		defer stopSignals()
		fmt.Fprintf(e.stderr, "mlp serve: serving %s on http://%s (%s; POST /predict, GET /healthz, GET /metadata, /v2/...)\n",
			models, boundAddress(listen, l.Addr()), from)
		if err := mlpserve.Serve(ctx, l, h, nil); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "mlp serve: stopped")
		return nil
	}
}

// boundAddress returns the host of listen with the port of bound: the
// address asked for, with the port a port 0 picked (net.Listen reports
// 0.0.0.0 as [::]).
func boundAddress(listen string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(listen)
	_, port, err2 := net.SplitHostPort(bound.String())
	if err != nil || err2 != nil {
		return bound.String()
	}
	return net.JoinHostPort(host, port)
}

// versioned is a pipeline that knows the version of the file it was read
// from, for the metadata.
type versioned struct {
	*tabular.Pipeline
	version int
}

// FormatVersion returns the version of the model file.
func (v versioned) FormatVersion() int { return v.version }

// loadServed reads the model file at path for serving.
func loadServed(path string) (mlpserve.Model, error) {
	p, v, err := loadPipelineVersion(path)
	if err != nil {
		return nil, err
	}
	return versioned{p, v}, nil
}

// handleSignals reloads the models on SIGHUP (and, with watch > 0, when
// their files change), and exits at once on a second SIGINT or SIGTERM,
// the first having cancelled ctx. It returns a function that stops it.
func handleSignals(ctx context.Context, e *env, log *slog.Logger, h *mlpserve.Handler, models modelFlags, watch time.Duration) func() {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	reload := func(m modelFlag, why string) {
		p, err := loadServed(m.file)
		if err == nil {
			err = h.Replace(m.name, "", p)
		}
		if err != nil {
			log.Error("reload failed; serving the previous model", "model", m.name, "file", m.file, "reason", why, "err", err)
			return
		}
		log.Info("reloaded model", "model", m.name, "file", m.file, "reason", why)
	}
	go func() {
		var tick <-chan time.Time
		stamps := make([]fileStamp, len(models))
		if watch > 0 {
			t := time.NewTicker(watch)
			defer t.Stop()
			tick = t.C
			for i, m := range models {
				stamps[i] = stampOf(m.file)
			}
		}
		signals := 0
		for {
			select {
			case <-done:
				return
			case <-hup:
				for _, m := range models {
					reload(m, "SIGHUP")
				}
			case <-tick:
				for i, m := range models {
					if s := stampOf(m.file); s != stamps[i] {
						stamps[i] = s
						reload(m, "file changed")
					}
				}
			case sig := <-stop:
				if signals++; signals >= 2 {
					fmt.Fprintf(e.stderr, "mlp serve: second %v: exiting now\n", sig)
					code := 1
					if s, ok := sig.(syscall.Signal); ok {
						code = 128 + int(s)
					}
					exitNow(code)
				}
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		signal.Stop(stop)
		close(done)
	}
}

// fileStamp is what tells that a file changed: its size and modification
// time, or the error of reading them.
type fileStamp struct {
	size int64
	mod  time.Time
	err  string
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{err: err.Error()}
	}
	return fileStamp{size: fi.Size(), mod: fi.ModTime()}
}
