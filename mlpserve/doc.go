// Package mlpserve serves the predictions of fitted mlp pipelines over
// HTTP, as JSON, on its own protocol and on the Open Inference Protocol
// (KServe v2).
//
// A Handler answers POST /predict, GET /healthz and GET /metadata, and the
// /v2 paths, for one or more Models, which *tabular.Pipeline is; Serve runs
// it on a listener with timeouts set and stops gracefully when its context
// is done. A Go program serves a saved pipeline in a few lines:
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
// behind flags, with Prometheus metrics from package
// github.com/mlpkit/mlp/mlpserve/prommetrics; this package itself imports
// no metrics library.
//
// # The Open Inference Protocol
//
// POST /v2/models/{name}/infer (or /v2/models/{name}/versions/{v}/infer)
// takes the protocol's inference request:
//
//	{"id": "42", "parameters": {...},
//	 "inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [41, 33]},
//	            {"name": "city", "shape": [2, 1], "datatype": "BYTES", "data": ["Lyon", "Oslo"]}],
//	 "outputs": [{"name": "species"}]}
//
// Rows come as one input per column, named after it (the "pd" content type
// of MLServer), of shape [N] or [N, 1]; a numeric column takes FP64, FP32,
// INT8 to INT64 or UINT8 to UINT64 data (or BYTES, read as CSV cells are),
// a categorical one BYTES (or numbers whose shortest decimal form is one of
// its categories); null is a missing value. A pipeline whose columns are
// all numeric also takes one input named "input" (TensorInput, as mlp
// export names its ONNX input) of shape [N, columns], its columns in the
// pipeline's order. Data may be flat or nested, in row-major order; FP32
// values are rounded to float32 and integers must be whole and within their
// type's range. Unknown fields and "parameters" are ignored.
//
// The answer is {"model_name", "model_version" (for a model with a
// version), "id" (when the request has one), "outputs": [...]}, with one
// output per target, named after it (BYTES class names of shape [N] for a
// classifier, FP64 values of shape [N] for a regressor), and for a
// classifier "probabilities" (ProbabilitiesOutput), FP64 of shape
// [N, classes] in the order of the classes; "outputs" in the request
// selects among them.
//
// An input of an unknown name, of a shape its data do not fill, of another
// datatype than its data, BOOL or FP16 data, a missing column, a repeated
// input, an unknown output and the errors of /predict are answered with 400
// and a message naming the input, or the row and the column.
//
// # Limits
//
// Everything a request makes the server hold is bounded: the body by
// Settings.MaxBodyBytes (read through http.MaxBytesReader, so a longer body
// is refused with 413 once the cap is reached, never read whole), the rows
// by Settings.MaxRows (decoded one at a time, refused with 400 at the first
// row over), the time to read the body by Settings.BodyTimeout (408), and
// the time to read and answer by the timeouts of ServerSettings. A body is
// read and decoded before its request takes one of Settings.MaxConcurrent
// prediction slots, so a slow client holds memory (see Handler) and a
// goroutine but never a slot, and the answer is written after the slot is
// given back, so a client that does not read its answer holds none either.
//
// Go's net/http removes the Content-Length header of a request that also
// has Transfer-Encoding: chunked and reads it as chunked, but keeps the
// connection open afterwards, where RFC 9112 section 6.1 says to close it;
// the handler cannot see that both were sent, so it cannot close it
// either. Put a proxy that refuses such requests in front where request
// smuggling matters.
package mlpserve
