// Package onnx writes mlp's nets as ONNX models and reads feedforward nets
// from ONNX models, in pure Go, with the numbers exact.
//
// ONNX is the exchange format that PyTorch, onnxruntime, browsers and model
// viewers such as Netron read. Two workflows use this package: a net trained
// in PyTorch and exported with torch.onnx.export is served by a Go program
// with Import, and a net trained with mlp runs in another runtime after
// Export.
//
// # Export
//
// Export writes a Model (a *mlp.Sequential with its column names, class
// names, task and preprocessing) as a standard ONNX model: IR version 8,
// opset 17, operators of the ai.onnx domain only, float64 by default and
// float32 on request, one input [batch, n] and one output [batch, k] with a
// dynamic batch dimension, and the metadata_props mlp.columns, mlp.classes,
// mlp.task and mlp.targets (the target names, which Import reads back, so
// that a round trip keeps them). Export's documentation lists the
// operators each layer becomes.
//
// ExportPipeline and ImportPipeline do the same for a tabular.Pipeline, through
// FromPipeline and Model.Pipeline.
//
// Preprocess is what a data pipeline learnt on its training data: per-column
// imputation values and scaling, written as IsNaN/Where and Sub/Div in front
// of the net, so that the exported model takes raw columns. A pipeline with
// categorical columns fills Preprocess.Categorical, and Export refuses it
// with an error naming them. Postprocess maps a regressor's outputs back to
// the units of its targets (Mul and Add after the net), for a net trained
// on standardized targets.
//
// # Import
//
// Import reads a feedforward net written by PyTorch, by Export or by other
// exporters: Gemm, MatMul and Add, the activations mlp has, the erf form of
// GELU, Softmax, Identity, Dropout and Flatten, and the imputation and
// scaling that Export writes, which come back in Model.Preprocess and
// Model.Postprocess. A file without target names (PyTorch's) gets the
// default "y", or "y0", "y1", … for several outputs, or those of
// ImportSettings.Targets (mlp import -target). Import holds the file once
// and decodes each weight straight into its layer: its peak memory is at
// most 3 times the file's size plus 64 MiB. The net
// it returns is an ordinary *mlp.Sequential of Linear layers and
// activations: it predicts with the same kernels as a native net, at the
// same speed, and can be trained further. Anything else is an error that
// names the node and its operator.
//
// ONNX files are untrusted input. Import never panics on them, reads at
// most ImportSettings.MaxBytes, refuses tensors with external data, checks
// the size each tensor declares against the bytes it holds before
// allocating, and caps the number and nesting of protobuf messages and the
// size of a tensor (see Import).
//
// # Concurrency
//
// Import and Export keep no state between calls and may run concurrently.
// Export and Model.Predict only read the model, so any number of them may
// run at once, as Net.Predict may, but not while the net trains.
//
// # Numbers
//
// Float64 graphs are read and written bit for bit: a round trip through
// Export and Import gives the same weights and the same predictions, bit
// for bit. Nets exported by torch.onnx.export in float64 predict within
// 1e-12 of PyTorch once imported (the tests measure 3.3e-16 at most), and
// exported nets agree with onnxruntime within 1e-12 in float64 and 1e-5 in
// float32. onnxruntime's CPU provider has no float64 Erf, so a float64
// GELU is checked by round trip only, and in float32 against onnxruntime.
//
// Float32 attributes (LeakyRelu's alpha, Gemm's alpha and beta) are read as
// the shortest decimal that rounds to them: torch writes nn.LeakyReLU(0.2)
// as alpha 0.2f, which Import reads as 0.2, the slope PyTorch computed
// with. Export avoids float32 attributes: LeakyReLU becomes PRelu with a
// float64 slope.
//
// # Names
//
// The package is named onnx after the format. The Go types of ONNX's
// protobuf schema live in an internal package, onnxpb, generated from
// ONNX's own onnx.proto (see its gen.sh), so users of this package never
// see them and the two names cannot be confused. This package is the only
// one of the module that imports google.golang.org/protobuf: programs that
// use only github.com/mlpkit/mlp do not link it.
package onnx
