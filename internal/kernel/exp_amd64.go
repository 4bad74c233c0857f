//go:build !purego

package kernel

import "unsafe"

//go:noescape
func expAVX512(dst, x *float64, n int) int

// expAsm computes the leading elements of Exp in blocks of eight on the
// AVX-512 path, and returns how many it did: all but the last len(x)
// mod 8, where expAVX512 stops at a block it cannot do (which goExp
// does before expAVX512 goes on), and 0 on the other paths.
func expAsm(dst, x []float64) int {
	if cur.name != "avx512" {
		return 0
	}
	i, n := 0, len(x)-len(x)%8
	for i < n {
		i += expAVX512(unsafe.SliceData(dst[i:]), unsafe.SliceData(x[i:]), n-i)
		if i < n {
			goExp(dst[i:i+8], x[i:i+8])
			i += 8
		}
	}
	return n
}
