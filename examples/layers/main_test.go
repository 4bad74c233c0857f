package main

import (
	"testing"

	"github.com/mlpkit/mlp/examples/internal/readme"
)

// TestREADME requires the README's example of layers by hand to be this
// program as it is, and to quote all it prints. The printed figures are
// stable: training is bit-identical on every supported machine.
func TestREADME(t *testing.T) {
	md := readme.CheckProgram(t)
	out := readme.Run(t, t.TempDir())
	readme.CheckQuoted(t, md, out)
	const want = "Sequential(Linear(4->16), ReLU, Linear(16->3), Softmax) [0 1 2 0]\n"
	if len(out) < len(want) || out[len(out)-len(want):] != want {
		t.Errorf("output ends %q, want the model and the classes of the four rows, %q", out, want)
	}
}
