//go:build openblas

package mlp

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_corename(void);
*/
import "C"

import (
	"strings"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// openblasKernelMax is the largest product m·n·k that Linear keeps in the
// package's AVX-512 kernel when OpenBLAS runs its own AVX2 or AVX-512
// kernels: below about a million multiply-adds the package's kernel is as
// fast or faster (no cgo call, no thread hand-off); above, OpenBLAS's
// packed, cache-blocked GEMM wins.
const openblasKernelMax = 1 << 20

// With the openblas build tag, gonum's BLAS calls (mat.Dense.Mul and the
// rest of gonum) go to OpenBLAS through cgo; Debian's libopenblas-dev
// provides the library. This init calls blas64.Use, which switches gonum's
// BLAS for the whole process: every gonum call of a program built with the
// tag, in any package, goes to OpenBLAS, not only this package's.
//
// Linear's products go to OpenBLAS only where it is faster than the
// package's kernel: for large products, and only when OpenBLAS runs kernels
// written for AVX2 or AVX-512. An OpenBLAS older than the CPU falls back to
// its SSE3 kernels (Debian 12's 0.3.21 on Sapphire Rapids reports
// "Prescott"), which the package's kernel outruns at every size; setting
// OPENBLAS_CORETYPE=SkylakeX in the environment selects the AVX-512 ones.
func init() {
	blas64.Use(netlib.Implementation{})
	switch core := strings.ToLower(C.GoString(C.openblas_get_corename())); core {
	case "haswell", "zen", "skylakex", "cooperlake", "sapphirerapids":
		kernelMax = openblasKernelMax
	}
}
