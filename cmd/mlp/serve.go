package main

import (
	"context"
	"flag"
	"fmt"
	"net"

	"github.com/mlpkit/mlp/mlpserve"
)

func init() {
	register(&command{
		name:    "serve",
		args:    "-model MODEL [-addr 127.0.0.1:8080]",
		summary: "serve a model's predictions over HTTP: POST /predict, GET /healthz, GET /metadata",
		setup:   setupServe,
	})
}

func setupServe(fs *flag.FlagSet) func(context.Context, *env) error {
	model := fs.String("model", "", "the model `file` to serve (required)")
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on; port 0 picks a free one")
	maxBody := fs.Int64("max-body", mlpserve.DefaultMaxBodyBytes, "the largest request body in `bytes`; a larger one is answered with 413")
	maxRows := fs.Int("max-rows", mlpserve.DefaultMaxRows, "the most `rows` in one request")
	return func(ctx context.Context, e *env) error {
		switch {
		case *model == "":
			return usagef("-model is required")
		case *maxBody < 1:
			return usagef("invalid value %d for flag -max-body: must be at least 1", *maxBody)
		case *maxRows < 1:
			return usagef("invalid value %d for flag -max-rows: must be at least 1", *maxRows)
		}
		p, err := loadPipeline(*model)
		if err != nil {
			return err
		}
		h, err := mlpserve.NewHandler(p, &mlpserve.Settings{MaxBodyBytes: *maxBody, MaxRows: *maxRows})
		if err != nil {
			return err
		}
		l, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		printKernel(e)
		fmt.Fprintf(e.stderr, "mlp serve: serving %s on http://%s (POST /predict, GET /healthz, GET /metadata)\n", *model, l.Addr())
		if err := mlpserve.Serve(ctx, l, h, nil); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "mlp serve: stopped")
		return nil
	}
}
