//go:build !purego

package kernel

import "unsafe"

//go:noescape
func gemm4AVX512(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func gemm1AVX512(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)

//go:noescape
func tilesAVX512(rows, k, nt int, a *float64, ars, acs int, b *float64, c *float64, ldc int)

//go:noescape
func tilePackAVX512(k int, a *float64, ars, acs int, b *float64, ldb int, p *float64, c *float64, ldc int)

//go:noescape
func tcolsAVX512(k, n int, a *float64, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func narrowAVX512(rows, k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tileAPackAVX512(k int, a *float64, acs int, b *float64, p *float64, c *float64, ldc int)

//go:noescape
func finiteAVX512(x *float64, n int) bool

//go:noescape
func reluAVX512(dst, x *float64, n int)

//go:noescape
func reluGradAVX512(dst, grad, y *float64, n int)

//go:noescape
func sgdAVX512(w, grad *float64, n int, lr, wd float64)

//go:noescape
func gemm4AVX2(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func gemm1AVX2(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)

//go:noescape
func tilesAVX2(rows, k, nt int, a *float64, ars, acs int, b *float64, c *float64, ldc int)

//go:noescape
func tilePackAVX2(k int, a *float64, ars, acs int, b *float64, ldb int, p *float64, c *float64, ldc int)

//go:noescape
func finiteAVX2(x *float64, n int) bool

//go:noescape
func reluAVX2(dst, x *float64, n int)

//go:noescape
func reluGradAVX2(dst, grad, y *float64, n int)

//go:noescape
func sgdAVX2(w, grad *float64, n int, lr, wd float64)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// cpuFeatures reports whether the CPU and the operating system support
// AVX2 with FMA, and the AVX-512 foundation instructions with FMA.
func cpuFeatures() (avx2, avx512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false, false
	}
	xcr0, _ := xgetbv()
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2bit = 1 << 5
		avx512f = 1 << 16
	)
	// XCR0: SSE and AVX state enabled; for AVX-512 also the opmask and
	// upper ZMM0-15 and ZMM16-31 state.
	avx2 = xcr0&0x6 == 0x6 && ebx7&avx2bit != 0
	avx512 = xcr0&0xe6 == 0xe6 && ebx7&avx512f != 0
	return avx2, avx512
}

// impls returns the paths of amd64, best first.
func impls() []impl {
	avx2, avx512 := cpuFeatures()
	a512 := impl{
		name: "avx512", has: "the CPU has AVX-512F and FMA",
		f64: gemm[float64]{
			block4: func(k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
				gemm4AVX512(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
			},
			block1: func(k, n int, a []float64, acs int, b []float64, ldb int, c []float64) {
				gemm1AVX512(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
			},
			mr: 6, nr: 32,
			tiles: func(rows, k, nt int, a []float64, ars, acs int, b []float64, c []float64, ldc int) {
				tilesAVX512(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
			},
			tilePack: func(k int, a []float64, ars, acs int, b []float64, ldb int, p, c []float64, ldc int) {
				tilePackAVX512(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
			},
			tileAPack: func(k int, a []float64, acs int, b []float64, p, c []float64, ldc int) {
				tileAPackAVX512(k, unsafe.SliceData(a), acs, unsafe.SliceData(b), unsafe.SliceData(p), unsafe.SliceData(c), ldc)
			},
			colRows: 16,
			cols: func(k, n int, a []float64, acs int, b []float64, ldb int, c []float64, ldc int) {
				tcolsAVX512(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
			},
			narrow: func(rows, k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
				narrowAVX512(rows, k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
			},
		},
		allFinite: func(x []float64) bool { return finiteAVX512(unsafe.SliceData(x), len(x)) },
		relu:      func(dst, x []float64) { reluAVX512(unsafe.SliceData(dst), unsafe.SliceData(x), len(x)) },
		reluGrad: func(dst, g, y []float64) {
			reluGradAVX512(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), len(g))
		},
		sgd: func(w, g []float64, lr, wd float64) {
			sgdAVX512(unsafe.SliceData(w), unsafe.SliceData(g), len(w), lr, wd)
		},
	}
	if !avx512 {
		a512.missing = "the CPU or the operating system does not support AVX-512F with FMA"
	}
	a2 := impl{
		name: "avx2", has: "the CPU has AVX2 and FMA but not AVX-512F",
		f64: gemm[float64]{
			block4: func(k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
				gemm4AVX2(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
			},
			block1: func(k, n int, a []float64, acs int, b []float64, ldb int, c []float64) {
				gemm1AVX2(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
			},
			mr: 6, nr: 8,
			tiles: func(rows, k, nt int, a []float64, ars, acs int, b []float64, c []float64, ldc int) {
				tilesAVX2(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
			},
			tilePack: func(k int, a []float64, ars, acs int, b []float64, ldb int, p, c []float64, ldc int) {
				tilePackAVX2(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
			},
		},
		allFinite: func(x []float64) bool { return finiteAVX2(unsafe.SliceData(x), len(x)) },
		relu:      func(dst, x []float64) { reluAVX2(unsafe.SliceData(dst), unsafe.SliceData(x), len(x)) },
		reluGrad: func(dst, g, y []float64) {
			reluGradAVX2(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), len(g))
		},
		sgd: func(w, g []float64, lr, wd float64) {
			sgdAVX2(unsafe.SliceData(w), unsafe.SliceData(g), len(w), lr, wd)
		},
	}
	if !avx2 {
		a2.missing = "the CPU or the operating system does not support AVX2 with FMA"
	}
	goFloat32(&a512)
	goFloat32(&a2)
	a512.f32, a2.f32 = avx512Gemm32, avx2Gemm32
	elem32AMD64(&a512, 32, relu32AVX512, reluGrad32AVX512, to32AVX512, to64AVX512)
	elem32AMD64(&a2, 16, relu32AVX2, reluGrad32AVX2, to32AVX2, to64AVX2)
	g := goImpl
	g.has = "the CPU has neither AVX-512F nor AVX2 with FMA"
	return []impl{a512, a2, g}
}
