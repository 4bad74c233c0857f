package kernel

// Products whose A is transposed (A(i, l) = a[i + l*acs]) and whose C has
// fewer columns than a register has lanes, such as the weight gradient
// Xᵀ·G of a layer with ten outputs, waste most of the lanes of the row
// kernels, which hold a row of C in a register: on AVX-512, ten columns
// of float64 fill two registers of eight and leave each multiply-add
// chain too short to hide the FMA latency. There, the column kernel of
// the path holds a column of C in a register instead: colRows consecutive
// rows, which the transposition makes a contiguous run of A at each step
// of the inner dimension, so every lane does useful work. It reads C with
// gathers and writes it with scatters, once per product, and each element
// is still one chain of fused multiply-adds over l = 0, 1, ..., k-1, the
// same bits as the other kernels.

// colsMaxN is the most columns of C that go to the column kernels: from 16,
// the row kernels fill whole registers on every path.
const colsMaxN = 16

// useCols reports whether the column kernel of g takes an m×n×k product
// whose A has strides ars and acs and whose C has row stride ldc: A
// transposed, fewer than colsMaxN columns, at least one block of colRows
// rows, an inner dimension of at least 16 (the gathers and scatters are
// paid once per element of C) and row offsets that fit the gathers'
// 32-bit indices.
func useCols[T elem](g *gemm[T], m, n, k, ars, acs, ldc int) bool {
	return g.cols != nil && ars == 1 && acs != 1 && n < colsMaxN && m >= g.colRows && k >= 16 &&
		ldc < 1<<26
}

// byCols computes C += A·B as mulAdd does, with A(i, l) = a[i + l*acs]:
// whole blocks of colRows rows with the column kernel of g, the rows left
// over with the unpacked kernels.
func byCols[T elem](g *gemm[T], m, n, k int, a []T, acs int, b []T, ldb int, c []T, ldc int) {
	r := g.colRows
	i := 0
	for ; i+r <= m; i += r {
		g.cols(k, n, a[i:], acs, b, ldb, c[i*ldc:], ldc)
	}
	if i < m {
		unpacked(g, m-i, n, k, a[i:], 1, acs, b, ldb, c[i*ldc:], ldc)
	}
}
