// Package mlpserve serves the predictions of a fitted mlp pipeline over
// HTTP, as JSON.
//
// A Handler answers POST /predict, GET /healthz and GET /metadata for any
// Model, which *tabular.Pipeline is; Serve runs it on a listener with
// timeouts set and stops gracefully when its context is done. A Go program
// serves a saved pipeline in a few lines:
//
//	f, err := os.Open("model.mlp")
//	...
//	p, err := tabular.LoadPipeline(f)
//	...
//	h, err := mlpserve.NewHandler(p, nil)
//	...
//	http.ListenAndServe("127.0.0.1:8080", h) // or mlpserve.Serve, with timeouts
//
// and a client asks
//
//	curl -d '{"rows": [{"age": 41, "city": "Lyon"}]}' http://127.0.0.1:8080/predict
//
// The command github.com/mlpkit/mlp/cmd/mlp (mlp serve) is this package
// behind flags.
//
// # Limits
//
// Everything a request makes the server hold is bounded: the body by
// Settings.MaxBodyBytes (read through http.MaxBytesReader, so a longer body
// is refused with 413 once the cap is reached, never read whole), the rows
// by Settings.MaxRows (decoded one at a time, refused with 400 at the first
// row over), and the time to read and answer by the timeouts of
// ServerSettings.
package mlpserve
