//go:build !purego

package kernel

import "unsafe"

//go:noescape
func expAVX512(dst, x *float64, n int) int

//go:noescape
func expAVX2(dst, x *float64, n int) int

// expAsm computes the leading elements of Exp in blocks on the AVX-512
// (eight elements) and AVX2 (four) paths, and returns how many it did:
// all but the last len(x) mod the block, where the assembly stops at a
// block it cannot do (which goExp does before the assembly goes on), and
// 0 on the other paths.
func expAsm(dst, x []float64) int {
	var (
		f     func(dst, x *float64, n int) int
		block int
	)
	switch cur.name {
	case "avx512":
		f, block = expAVX512, 8
	case "avx2":
		f, block = expAVX2, 4
	default:
		return 0
	}
	i, n := 0, len(x)-len(x)%block
	for i < n {
		i += f(unsafe.SliceData(dst[i:]), unsafe.SliceData(x[i:]), n-i)
		if i < n {
			goExp(dst[i:i+block], x[i:i+block])
			i += block
		}
	}
	return n
}
