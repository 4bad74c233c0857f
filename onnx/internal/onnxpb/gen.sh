#!/bin/sh
# gen.sh regenerates onnx.pb.go from ONNX's own onnx.proto (go generate runs
# it from this directory). It needs protoc (Debian: protobuf-compiler) and
# protoc-gen-go v1.36.12 on PATH:
#
#	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#
# The schema is onnx/onnx.proto of ONNX release $ONNX_TAG, taken from
# $ONNX_PROTO when set (a local copy) or else downloaded from GitHub. One line
# is changed: the protobuf package "onnx" becomes "mlpkit.mlp.onnxpb", and the
# file is registered as "onnx/internal/onnxpb/onnx.proto". Message names do
# not appear in the wire format, so the files read and written are ONNX's; the
# rename only keeps this copy from colliding in protobuf's global registry
# with another Go binding of onnx.proto linked into the same program, which
# would make that program panic at start-up.
set -eu
ONNX_TAG=${ONNX_TAG:-v1.22.0}
cd "$(dirname "$0")"
if [ -n "${ONNX_PROTO:-}" ]; then
	cat "$ONNX_PROTO"
else
	curl -fsSL "https://raw.githubusercontent.com/onnx/onnx/$ONNX_TAG/onnx/onnx.proto"
fi | sed 's/^package onnx;$/package mlpkit.mlp.onnxpb;/' >onnx.proto
grep -q '^package mlpkit.mlp.onnxpb;$' onnx.proto
root=../../..
protoc -I"$root" --go_out="$root" --go_opt=paths=source_relative \
	--go_opt=Monnx/internal/onnxpb/onnx.proto=github.com/mlpkit/mlp/onnx/internal/onnxpb \
	"$root/onnx/internal/onnxpb/onnx.proto"
