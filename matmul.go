package mlp

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/mlpkit/mlp/internal/kernel"
)

// kernelMax is the largest product m·n·k that matmul hands to the
// package's own kernel rather than to gonum's BLAS. It is unlimited except
// in the openblas build, where OpenBLAS takes the large products when it
// runs AVX2 or AVX-512 kernels (see blas_openblas.go).
var kernelMax = math.MaxInt

// matmul sets C += op(A)·B, where C is m×n with row stride ldc, B is k×n
// with row stride ldb, and op(A) is the m×k matrix A with row stride lda
// or, with transA, the transpose of the k×m matrix A with row stride lda.
// It is the one place that decides where Linear's products run: in the
// package's kernel, split between the cores by g, so that every element is
// the same chain of fused multiply-adds on every path, or, above kernelMax,
// in gonum's BLAS.
func matmul(g *kernel.Group, transA bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m*n*k <= kernelMax {
		ars, acs := lda, 1
		if transA {
			ars, acs = 1, lda
		}
		g.MulAdd(m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	ta, ar, ac := blas.NoTrans, m, k
	if transA {
		ta, ar, ac = blas.Trans, k, m
	}
	blas64.Gemm(ta, blas.NoTrans, 1,
		blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
		blas64.General{Rows: k, Cols: n, Stride: ldb, Data: b},
		1, blas64.General{Rows: m, Cols: n, Stride: ldc, Data: c})
}
