package kernel

import "github.com/mlpkit/mlp/internal/fmath"

// Exp sets dst[i] = fmath.Exp(x[i]), the same bits: on the AVX-512 path
// eight at a time in ZMM registers, on the AVX2 path four at a time in YMM
// registers (exp_amd64.s), with the operations of fmath.Exp in the same
// order, each rounded once as there (no fused multiply-add), and its
// special cases (NaN, overflow to +Inf, underflow to 0, |x| < 2⁻²⁸)
// blended in; a block whose result would be subnormal or need fmath.Exp's
// general scaling goes to fmath.Exp, as do the last elements that do not
// fill a block and every element on the other paths. It panics if dst is
// shorter than x; dst and x may be the same slice. It allocates nothing.
func Exp(dst, x []float64) {
	if len(dst) < len(x) {
		panic("kernel: Exp: dst is shorter than x")
	}
	dst = dst[:len(x)]
	i := expAsm(dst, x)
	goExp(dst[i:], x[i:])
}

// goExp is Exp in Go.
func goExp(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = fmath.Exp(v)
	}
}
