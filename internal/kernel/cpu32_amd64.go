//go:build !purego

package kernel

import "unsafe"

// The float32 kernels of the AVX-512 and AVX2 paths (sgemm_amd64.s,
// sgemm_avx2_amd64.s), with the signatures of their float64 twins.

//go:noescape
func sgemm4AVX512(k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func sgemm1AVX512(k, n int, a *float32, acs int, b *float32, ldb int, c *float32)

//go:noescape
func stilesAVX512(rows, k, nt int, a *float32, ars, acs int, b *float32, c *float32, ldc int)

//go:noescape
func stilePackAVX512(k int, a *float32, ars, acs int, b *float32, ldb int, p *float32, c *float32, ldc int)

//go:noescape
func stcolsAVX512(k, n int, a *float32, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func snarrowAVX512(rows, k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func stileAPackAVX512(k int, a *float32, acs int, b *float32, p *float32, c *float32, ldc int)

//go:noescape
func sgemm4AVX2(k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func sgemm1AVX2(k, n int, a *float32, acs int, b *float32, ldb int, c *float32)

//go:noescape
func stilesAVX2(rows, k, nt int, a *float32, ars, acs int, b *float32, c *float32, ldc int)

//go:noescape
func stilePackAVX2(k int, a *float32, ars, acs int, b *float32, ldb int, p *float32, c *float32, ldc int)

//go:noescape
func relu32AVX512(dst, x *float32, n int)

//go:noescape
func reluGrad32AVX512(dst, grad, y *float32, n int)

//go:noescape
func to32AVX512(dst *float32, src *float64, n int)

//go:noescape
func to64AVX512(dst *float64, src *float32, n int)

//go:noescape
func relu32AVX2(dst, x *float32, n int)

//go:noescape
func reluGrad32AVX2(dst, grad, y *float32, n int)

//go:noescape
func to32AVX2(dst *float32, src *float64, n int)

//go:noescape
func to64AVX2(dst *float64, src *float32, n int)

// elem32AMD64 sets the float32 element-wise kernels of an amd64 path:
// the assembly (elem32_amd64.s) takes whole blocks of block elements,
// the Go loops the rest, with the same bits.
func elem32AMD64(im *impl, block int,
	relu func(dst, x *float32, n int), reluGrad func(dst, g, y *float32, n int),
	to32 func(dst *float32, src *float64, n int), to64 func(dst *float64, src *float32, n int)) {
	whole := func(n int) int { return n - n%block }
	im.relu32 = func(dst, x []float32) {
		m := whole(len(x))
		if m > 0 {
			relu(unsafe.SliceData(dst), unsafe.SliceData(x), m)
		}
		goReLU32(dst[m:], x[m:])
	}
	im.reluGrad32 = func(dst, g, y []float32) {
		m := whole(len(g))
		if m > 0 {
			reluGrad(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), m)
		}
		goReLUGrad32(dst[m:], g[m:], y[m:])
	}
	im.to32 = func(dst []float32, src []float64) {
		m := whole(len(src))
		if m > 0 {
			to32(unsafe.SliceData(dst), unsafe.SliceData(src), m)
		}
		goTo32(dst[m:], src[m:])
	}
	im.to64 = func(dst []float64, src []float32) {
		m := whole(len(src))
		if m > 0 {
			to64(unsafe.SliceData(dst), unsafe.SliceData(src), m)
		}
		goTo64(dst[m:], src[m:])
	}
}

// avx512Gemm32 and avx2Gemm32 are the float32 product kernels of the
// AVX-512 and AVX2 paths: tiles of 6×64 (four ZMM registers of 16 lanes
// per row) and 6×16 (two YMM registers of 8).
var (
	avx512Gemm32 = gemm[float32]{
		block4: func(k, n int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
			sgemm4AVX512(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
		},
		block1: func(k, n int, a []float32, acs int, b []float32, ldb int, c []float32) {
			sgemm1AVX512(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
		},
		mr: 6, nr: 64,
		tiles: func(rows, k, nt int, a []float32, ars, acs int, b []float32, c []float32, ldc int) {
			stilesAVX512(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
		},
		tilePack: func(k int, a []float32, ars, acs int, b []float32, ldb int, p, c []float32, ldc int) {
			stilePackAVX512(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
		},
		tileAPack: func(k int, a []float32, acs int, b []float32, p, c []float32, ldc int) {
			stileAPackAVX512(k, unsafe.SliceData(a), acs, unsafe.SliceData(b), unsafe.SliceData(p), unsafe.SliceData(c), ldc)
		},
		colRows: 32,
		cols: func(k, n int, a []float32, acs int, b []float32, ldb int, c []float32, ldc int) {
			stcolsAVX512(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
		},
		narrow: func(rows, k, n int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
			snarrowAVX512(rows, k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
		},
	}
	avx2Gemm32 = gemm[float32]{
		block4: func(k, n int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
			sgemm4AVX2(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
		},
		block1: func(k, n int, a []float32, acs int, b []float32, ldb int, c []float32) {
			sgemm1AVX2(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
		},
		mr: 6, nr: 16,
		tiles: func(rows, k, nt int, a []float32, ars, acs int, b []float32, c []float32, ldc int) {
			stilesAVX2(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
		},
		tilePack: func(k int, a []float32, ars, acs int, b []float32, ldb int, p, c []float32, ldc int) {
			stilePackAVX2(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
		},
	}
)
