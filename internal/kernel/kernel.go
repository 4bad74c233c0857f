// Package kernel computes the matrix products and element-wise loops of the
// mlp package's training and prediction steps: C += A·B for the small and
// medium shapes of feedforward networks, where gonum's general-purpose Dgemm
// leaves most of the machine unused, and the ReLU, finiteness, SGD and
// row-sum loops around them.
//
// # Paths
//
// The work runs on one of several paths, chosen once when the program
// starts: AVX-512 or AVX2+FMA assembly on amd64, NEON assembly on arm64, or
// register-blocked Go everywhere (and in builds with the purego tag, which
// contain no assembly). The best path the CPU supports is the default; the
// environment variable MLP_KERNEL (avx512, avx2, neon or go) forces one.
// Path reports the path in use and why it was chosen.
//
// # Determinism
//
// Every element of C is updated by one chain of fused multiply-adds over the
// inner dimension in increasing order, c = fma(a_il, b_lj, c), whatever the
// shape, the blocking, the path or the way the work is split between
// goroutines; the element-wise loops round as their plain Go definitions do.
// The result for a given input is therefore the same bits on every path, on
// every architecture, whatever GOMAXPROCS is.
//
// # Float32
//
// MulAdd32, Group.MulAdd32, SumRows32, ReLU32, ReLUGrad32, AllFinite32
// and SGDStep32 are the float32 twins of the float64 functions, with the
// same shapes, chain order and guarantees: each fused multiply-add is
// rounded once to float32 (fmath.FMA32 on the Go path, VFMADD231PS on
// AVX-512 and AVX2, FMLA .4S on NEON), so every path gives the same bits.
// The assembly paths have float32 product kernels of twice the lanes of
// their float64 ones (tiles of 6×64 on AVX-512, 6×16 on AVX2 and NEON).
// To32 and To64 convert between the precisions. ReLU32, ReLUGrad32, To32
// and To64 are assembly on AVX-512 and AVX2 (elem32_amd64.s: VCMPPS with
// the NaN-passing predicate of the float64 ReLU, VCVTPD2PS and VCVTPS2PD,
// which round to nearest even and quiet NaNs exactly as Go's conversions
// on amd64 do) and on NEON (elem32_arm64.s: FCMLE and BIC, FCVTN and
// FCVTL) for whole blocks, and Go for the last few elements; AllFinite32
// and SGDStep32 are Go on every path.
package kernel

import (
	"fmt"
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
// shape and strides. It allocates nothing, except that a large product
// (one that packs its operands) allocates a packing buffer of PackBytes
// when none is free: the process keeps one for each large product that
// ran at the same time as others and reuses them.
func MulAdd(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	check(m, n, k, a, ars, acs, b, ldb, c, ldc)
	mulAdd(&cur.f64, nil, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// SumRows adds the r rows of the r×c matrix g (row stride ldg) to dst, in
// row order: dst[j] += g[0][j] + g[1][j] + ... with one rounding per
// addition, the bits of the plain loop. It panics if dst is shorter than c
// or g is too short for its shape. It allocates nothing.
func SumRows(dst []float64, r, c int, g []float64, ldg int) {
	sumRows("SumRows", &cur.f64, one[:], dst, r, c, g, ldg)
}

// sumRows is SumRows and SumRows32 (name, in the panic) with the product
// kernels gk and the one-element all-ones row one.
func sumRows[T elem](name string, gk *gemm[T], one []T, dst []T, r, c int, g []T, ldg int) {
	if r == 0 || c == 0 {
		return
	}
	if len(dst) < c {
		panic(fmt.Sprintf("kernel: %s: dst has %d elements, want %d", name, len(dst), c))
	}
	check(1, c, r, one, 0, 0, g, ldg, dst, c)
	// dst = 1ᵀ·G: each fused multiply-add (1, g, s) is the sum s + g
	// rounded once in T.
	unpacked(gk, 1, c, r, one, 0, 0, g, ldg, dst, c)
}

// one is the single element of the all-ones row by which SumRows
// multiplies G.
var one = [1]float64{1}

// elem is the element type of the products: float64, or float32 for the
// ...32 functions.
type elem interface{ float32 | float64 }

// check panics unless the slices hold every element their shapes and strides
// address.
func check[T elem](m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 || ars < 0 || acs < 0 || ldb < n || ldc < n {
		panic(fmt.Sprintf("kernel: bad shape or stride: m=%d n=%d k=%d ars=%d acs=%d ldb=%d ldc=%d", m, n, k, ars, acs, ldb, ldc))
	}
	if len(a) <= (m-1)*ars+(k-1)*acs || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernel: slice too short for m=%d n=%d k=%d: len(a)=%d len(b)=%d len(c)=%d", m, n, k, len(a), len(b), len(c)))
	}
}

// gemm is the product kernels of a path for one element type.
type gemm[T elem] struct {
	block4 func(k, n int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int)
	block1 func(k, n int, a []T, acs int, b []T, ldb int, c []T)
	// tiles, where the path has it, is the micro-kernel of large
	// products (see packed): it updates nt tiles of rows×nr elements of C
	// (rows at most mr) side by side from A, read in place with strides
	// ars and acs, and from B packed in panels of nr columns.
	// tilePack updates one tile reading B in place, with row stride ldb,
	// and packs the panel of B it reads to p on the way.
	mr, nr   int
	tiles    func(rows, k, nt int, a []T, ars, acs int, b []T, c []T, ldc int)
	tilePack func(k int, a []T, ars, acs int, b []T, ldb int, p, c []T, ldc int)
	// tileAPack, where the path has it, updates one whole tile (mr
	// rows) reading a transposed A (ars = 1) in place, and copies the
	// mr×k panel of A it reads to p as packA would, for the tiles to
	// its right (see packed).
	tileAPack func(k int, a []T, acs int, b []T, p, c []T, ldc int)
	// cols, where the path has it, is the kernel of products whose A is
	// transposed and whose C has few columns (see useCols): it updates
	// colRows whole rows of C with A(i, l) = a[i + l*acs].
	colRows int
	cols    func(k, n int, a []T, acs int, b []T, ldb int, c []T, ldc int)
	// narrow, where the path has it, updates rows rows (narrowRows, 8
	// or 4) of a C of at most colsMaxN columns as block4 does four (see
	// rows).
	narrow func(rows, k, n int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int)
}

// narrowRows is the rows of C that the narrow kernels update at once.
const narrowRows = 12

// mulAdd is MulAdd without the checks, with the kernels g: on the packed
// path, if the product goes there, with the buffers of buf or, if buf is
// nil, of the free list; else unpacked.
func mulAdd[T elem](g *gemm[T], buf *packBuf, m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if usePacked(g, m, n, k, acs) {
		packed(g, buf, m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	if useCols(g, m, n, k, ars, acs, ldc) {
		byCols(g, m, n, k, a, acs, b, ldb, c, ldc)
		return
	}
	unpacked(g, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// unpacked computes C += A·B as MulAdd does, with the micro-kernels g
// reading A and B in place, in blocks for large shapes.
func unpacked[T elem](g *gemm[T], m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if k <= blockK && n <= blockN {
		rows(g, m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	for j := 0; j < n; j += blockN {
		nb := min(blockN, n-j)
		for l := 0; l < k; l += blockK {
			kb := min(blockK, k-l)
			rows(g, m, nb, kb, a[l*acs:], ars, acs, b[l*ldb+j:], ldb, c[j:], ldc)
		}
	}
}

// rows runs the micro-kernels g over the rows of C, four at a time or,
// if C has at most colsMaxN columns and the path has a narrow kernel,
// narrowRows at a time first, then 8 and 4 for the rows left over: a row of such a C fills at most two
// registers, so four rows would leave too few independent chains of
// multiply-adds to hide their latency.
func rows[T elem](g *gemm[T], m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	block4, block1 := g.block4, g.block1
	i := 0
	if g.narrow != nil && n <= colsMaxN {
		for ; i+narrowRows <= m; i += narrowRows {
			g.narrow(narrowRows, k, n, a[i*ars:], ars, acs, b, ldb, c[i*ldc:], ldc)
		}
		// The rows left over, in blocks of 8 and 4, when the inner
		// dimension is long enough to pay for the narrow kernels'
		// set-up (at 4, iris' first layer, the four-row kernels win).
		for _, r := range [...]int{8, 4} {
			if i+r <= m && k >= 16 {
				g.narrow(r, k, n, a[i*ars:], ars, acs, b, ldb, c[i*ldc:], ldc)
				i += r
			}
		}
	}
	for ; i+4 <= m; i += 4 {
		block4(k, n, a[i*ars:], ars, acs, b, ldb, c[i*ldc:], ldc)
	}
	for ; i < m; i++ {
		block1(k, n, a[i*ars:], acs, b, ldb, c[i*ldc:])
	}
}
