//go:build !purego

package kernel

import "unsafe"

//go:noescape
func gemm4AVX512(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func gemm1AVX512(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)

//go:noescape
func finiteAVX512(x *float64, n int) bool

//go:noescape
func reluAVX512(dst, x *float64, n int)

//go:noescape
func reluGradAVX512(dst, grad, y *float64, n int)

//go:noescape
func sgdAVX512(w, grad *float64, n int, lr, wd float64)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// hasAVX512 reports whether the CPU and the operating system support the
// AVX-512 foundation instructions and FMA.
func hasAVX512() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
	)
	if ecx1&fma == 0 || ecx1&osxsave == 0 {
		return false
	}
	// XCR0: SSE, AVX, opmask, upper ZMM0-15 and ZMM16-31 state enabled.
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}

func init() {
	if hasAVX512() {
		block4, block1, Fast = avx512Block4, avx512Block1, true
		allFinite = func(x []float64) bool { return finiteAVX512(unsafe.SliceData(x), len(x)) }
		relu = func(dst, x []float64) { reluAVX512(unsafe.SliceData(dst), unsafe.SliceData(x), len(x)) }
		sgd = func(w, g []float64, lr, wd float64) {
			sgdAVX512(unsafe.SliceData(w), unsafe.SliceData(g), len(w), lr, wd)
		}
		reluGrad = func(dst, g, y []float64) {
			reluGradAVX512(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), len(g))
		}
	}
}

func avx512Block4(k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	gemm4AVX512(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
}

func avx512Block1(k, n int, a []float64, acs int, b []float64, ldb int, c []float64) {
	gemm1AVX512(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
}
