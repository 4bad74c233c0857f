//go:build !amd64 || purego

package kernel

// transpose32Asm and transpose64Asm report that this build has no
// assembly transpose.
func transpose32Asm(dst, src []float32, r, c int) bool { return false }

func transpose64Asm(dst, src []float64, r, c int) bool { return false }
