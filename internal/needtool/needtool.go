// Package needtool lets a test that needs a tool outside Go (node with
// onnxruntime-node, python3 with onnx or scikit-learn) skip on a machine
// that lacks it, with a line saying what to install, so that `go test
// ./...` passes on a fresh machine; continuous integration, which installs
// every tool, sets MLP_REQUIRE_TOOLS=1 and such a skip is then a failure.
package needtool

import (
	"os"
	"testing"
)

// Env is the environment variable that turns a missing tool into a failure.
const Env = "MLP_REQUIRE_TOOLS"

// Required reports whether MLP_REQUIRE_TOOLS is set to 1.
func Required() bool { return os.Getenv(Env) == "1" }

// Missing ends t because a tool is missing: with t.Skipf, or with t.Fatalf
// when Required. format and args say what is missing and how to install it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format+" ("+Env+"=1: every tool must be present)", args...)
	}
	t.Skipf(format, args...)
}
