package kernel

// MulAdd32 sets C += A·B in float32, with the shapes and strides of
// MulAdd: A is m×k with element (i, l) at a[i*ars + l*acs], B is k×n
// row-major with row stride ldb and C is m×n row-major with row stride
// ldc.
//
// Every element of C is updated by one chain of float32 fused
// multiply-adds over the inner dimension in increasing order, c =
// fma32(a_il, b_lj, c), each rounded once to float32 (fmath.FMA32, the
// VFMADD231PS and FMLA .4S instructions), whatever the shape, the
// blocking, the path or the split between goroutines: the same order as
// MulAdd, so every path gives the same bits.
//
// C must not overlap A or B. MulAdd32 panics if a slice is too short for
// its shape and strides. It allocates nothing, except that a large product
// allocates a packing buffer of PackBytes when none is free, as MulAdd
// does (the two share the buffers).
func MulAdd32(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	check(m, n, k, a, ars, acs, b, ldb, c, ldc)
	mulAdd(&cur.f32, nil, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// SumRows32 adds the r rows of the r×c float32 matrix g (row stride ldg)
// to dst, in row order: dst[j] += g[0][j] + g[1][j] + ... with one float32
// rounding per addition, the bits of the plain float32 loop. It panics if
// dst is shorter than c or g is too short for its shape. It allocates
// nothing.
func SumRows32(dst []float32, r, c int, g []float32, ldg int) {
	sumRows("SumRows32", &cur.f32, one32[:], dst, r, c, g, ldg)
}

// one32 is the single element of the all-ones row by which SumRows32
// multiplies G.
var one32 = [1]float32{1}
