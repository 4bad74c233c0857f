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
