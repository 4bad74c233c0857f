package main

import (
	"fmt"

	"github.com/mlpkit/mlp"
)

// printKernel writes the code path of the matrix products on standard
// error, as "mlp: kernel avx512 (<why>)".
func printKernel(e *env) {
	name, reason := mlp.KernelPath()
	fmt.Fprintf(e.stderr, "mlp: kernel %s (%s)\n", name, reason)
}
