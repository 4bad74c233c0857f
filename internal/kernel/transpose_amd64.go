//go:build !purego

package kernel

import "unsafe"

//go:noescape
func transpose32AVX2(dst, src *float32, r, c, rb, cb int)

//go:noescape
func transpose64AVX2(dst, src *float64, r, c, rb, cb int)

// transposeAsm reports whether the path in use has the assembly
// transposes: AVX-512 and AVX2 (the AVX-512 path runs the AVX2 code,
// whose blocks of 8×8 float32 or 4×4 float64 fill YMM registers).
func transposeAsm() bool { return cur.name == "avx512" || cur.name == "avx2" }

// transpose32Asm transposes the whole 8×8 blocks of the r×c src into dst
// with transpose32AVX2, and reports whether the path has it.
func transpose32Asm(dst, src []float32, r, c int) bool {
	if !transposeAsm() {
		return false
	}
	transpose32AVX2(unsafe.SliceData(dst), unsafe.SliceData(src), r, c, r/8, c/8)
	return true
}

// transpose64Asm is transpose32Asm for float64, in blocks of 4×4.
func transpose64Asm(dst, src []float64, r, c int) bool {
	if !transposeAsm() {
		return false
	}
	transpose64AVX2(unsafe.SliceData(dst), unsafe.SliceData(src), r, c, r/4, c/4)
	return true
}
