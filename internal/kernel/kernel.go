// Package kernel computes the matrix products of the mlp package's training
// and prediction steps: C += A·B for the small and medium shapes of
// feedforward networks, where gonum's general-purpose Dgemm leaves most of
// the machine unused.
//
// On amd64 processors with AVX-512 the products run in assembly (Fast is
// true); elsewhere, or when built with the purego tag, they run in plain Go.
//
// # Determinism
//
// Every element of C is updated by one chain of fused multiply-adds over the
// inner dimension in increasing order, c = fma(a_il, b_lj, c), whatever the
// shape, the blocking, the code path or the way the work is split between
// goroutines. The result for a given input is therefore the same bits
// whatever GOMAXPROCS is.
package kernel

import (
	"fmt"
	"math"
)

// Fast reports whether the products run in assembly. Callers that have a
// faster general-purpose product use it when Fast is false.
var Fast bool

// block4 and block1 are the micro-kernels in use: block4 updates four rows
// of C, block1 one row; both take strides in elements.
var (
	block4 = goBlock4
	block1 = goBlock1

	allFinite = goAllFinite
	relu      = goReLU
	reluGrad  = goReLUGrad
	sgd       = goSGD
)

// Blocking of large products, so that the block of B in use stays in the
// L2 cache while every row of A passes over it.
const (
	blockK = 256
	blockN = 512
)

// MulAdd sets C += A·B, where A is m×k with element (i, l) at
// a[i*ars + l*acs], B is k×n row-major with row stride ldb and C is m×n
// row-major with row stride ldc. With ars = lda and acs = 1, A is a
// row-major matrix; with ars = 1 and acs = lda, A is the transpose of a
// row-major k×m matrix.
//
// C must not overlap A or B. MulAdd panics if a slice is too short for its
// shape and strides. It allocates nothing.
func MulAdd(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	check(m, n, k, a, ars, acs, b, ldb, c, ldc)
	mulAdd(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// check panics unless the slices hold every element their shapes and strides
// address.
func check(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 || ars < 0 || acs < 0 || ldb < n || ldc < n {
		panic(fmt.Sprintf("kernel: bad shape or stride: m=%d n=%d k=%d ars=%d acs=%d ldb=%d ldc=%d", m, n, k, ars, acs, ldb, ldc))
	}
	if len(a) <= (m-1)*ars+(k-1)*acs || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernel: slice too short for m=%d n=%d k=%d: len(a)=%d len(b)=%d len(c)=%d", m, n, k, len(a), len(b), len(c)))
	}
}

// mulAdd is MulAdd without the checks, blocked for large shapes.
func mulAdd(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if k <= blockK && n <= blockN {
		rows(m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	for j := 0; j < n; j += blockN {
		nb := min(blockN, n-j)
		for l := 0; l < k; l += blockK {
			kb := min(blockK, k-l)
			rows(m, nb, kb, a[l*acs:], ars, acs, b[l*ldb+j:], ldb, c[j:], ldc)
		}
	}
}

// rows runs the micro-kernels over the rows of C, four at a time.
func rows(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	i := 0
	for ; i+4 <= m; i += 4 {
		block4(k, n, a[i*ars:], ars, acs, b, ldb, c[i*ldc:], ldc)
	}
	for ; i < m; i++ {
		block1(k, n, a[i*ars:], acs, b, ldb, c[i*ldc:])
	}
}

// goBlock4 is block4 in Go.
func goBlock4(k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	for r := 0; r < 4; r++ {
		goBlock1(k, n, a[r*ars:], acs, b, ldb, c[r*ldc:])
	}
}

// goBlock1 is block1 in Go.
func goBlock1(k, n int, a []float64, acs int, b []float64, ldb int, c []float64) {
	c = c[:n]
	for l := 0; l < k; l++ {
		v := a[l*acs]
		br := b[l*ldb : l*ldb+n]
		for j, bv := range br {
			c[j] = math.FMA(v, bv, c[j])
		}
	}
}
