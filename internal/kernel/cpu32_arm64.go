//go:build !purego

package kernel

import "unsafe"

// The float32 kernels of the NEON path (sgemm_arm64.s), with the
// signatures of their float64 twins and the same register use.

//go:noescape
func sgemm4NEON(k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func sgemm1NEON(k, n int, a *float32, acs int, b *float32, ldb int, c *float32)

//go:noescape
func stilesNEON(rows, k, nt int, a *float32, ars, acs int, b *float32, c *float32, ldc int)

//go:noescape
func stilePackNEON(k int, a *float32, ars, acs int, b *float32, ldb int, p *float32, c *float32, ldc int)

//go:noescape
func relu32NEON(dst, x *float32, n int)

//go:noescape
func reluGrad32NEON(dst, grad, y *float32, n int)

//go:noescape
func to32NEON(dst *float32, src *float64, n int)

//go:noescape
func to64NEON(dst *float64, src *float32, n int)

// elem32NEON sets the float32 element-wise kernels of the NEON path: the
// assembly (elem32_arm64.s) takes whole blocks of 8 elements, the Go loops
// the rest, with the same bits.
func elem32NEON(im *impl) {
	whole := func(n int) int { return n &^ 7 }
	im.relu32 = func(dst, x []float32) {
		m := whole(len(x))
		if m > 0 {
			relu32NEON(unsafe.SliceData(dst), unsafe.SliceData(x), m)
		}
		goReLU32(dst[m:], x[m:])
	}
	im.reluGrad32 = func(dst, g, y []float32) {
		m := whole(len(g))
		if m > 0 {
			reluGrad32NEON(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), m)
		}
		goReLUGrad32(dst[m:], g[m:], y[m:])
	}
	im.to32 = func(dst []float32, src []float64) {
		m := whole(len(src))
		if m > 0 {
			to32NEON(unsafe.SliceData(dst), unsafe.SliceData(src), m)
		}
		goTo32(dst[m:], src[m:])
	}
	im.to64 = func(dst []float64, src []float32) {
		m := whole(len(src))
		if m > 0 {
			to64NEON(unsafe.SliceData(dst), unsafe.SliceData(src), m)
		}
		goTo64(dst[m:], src[m:])
	}
}

// neonGemm32 is the float32 product kernels of the NEON path: tiles of
// 6×16 (four Q registers of 4 lanes per row).
var neonGemm32 = gemm[float32]{
	block4: func(k, n int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
		sgemm4NEON(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
	},
	block1: func(k, n int, a []float32, acs int, b []float32, ldb int, c []float32) {
		sgemm1NEON(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
	},
	mr: 6, nr: 16,
	tiles: func(rows, k, nt int, a []float32, ars, acs int, b []float32, c []float32, ldc int) {
		stilesNEON(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
	},
	tilePack: func(k int, a []float32, ars, acs int, b []float32, ldb int, p, c []float32, ldc int) {
		stilePackNEON(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
	},
}
