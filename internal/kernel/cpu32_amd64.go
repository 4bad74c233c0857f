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
func sgemm4AVX2(k, n int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func sgemm1AVX2(k, n int, a *float32, acs int, b *float32, ldb int, c *float32)

//go:noescape
func stilesAVX2(rows, k, nt int, a *float32, ars, acs int, b *float32, c *float32, ldc int)

//go:noescape
func stilePackAVX2(k int, a *float32, ars, acs int, b *float32, ldb int, p *float32, c *float32, ldc int)

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
