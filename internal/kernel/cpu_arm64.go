//go:build !purego

package kernel

import "unsafe"

//go:noescape
func gemm4NEON(k, n int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func gemm1NEON(k, n int, a *float64, acs int, b *float64, ldb int, c *float64)

//go:noescape
func tilesNEON(rows, k, nt int, a *float64, ars, acs int, b *float64, c *float64, ldc int)

//go:noescape
func tilePackNEON(k int, a *float64, ars, acs int, b *float64, ldb int, p *float64, c *float64, ldc int)

//go:noescape
func finiteNEON(x *float64, n int) bool

//go:noescape
func reluNEON(dst, x *float64, n int)

//go:noescape
func reluGradNEON(dst, grad, y *float64, n int)

//go:noescape
func sgdNEON(w, grad *float64, n int, lr, wd float64)

// impls returns the paths of arm64, best first. Advanced SIMD (NEON) with
// double-precision vectors is part of every arm64 CPU Go supports.
func impls() []impl {
	neon := impl{
		name: "neon", has: "arm64 CPUs all have NEON",
		f64: gemm[float64]{
			block4: func(k, n int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
				gemm4NEON(k, n, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c), ldc)
			},
			block1: func(k, n int, a []float64, acs int, b []float64, ldb int, c []float64) {
				gemm1NEON(k, n, unsafe.SliceData(a), acs, unsafe.SliceData(b), ldb, unsafe.SliceData(c))
			},
			mr: 6, nr: 8,
			tiles: func(rows, k, nt int, a []float64, ars, acs int, b []float64, c []float64, ldc int) {
				tilesNEON(rows, k, nt, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), unsafe.SliceData(c), ldc)
			},
			tilePack: func(k int, a []float64, ars, acs int, b []float64, ldb int, p, c []float64, ldc int) {
				tilePackNEON(k, unsafe.SliceData(a), ars, acs, unsafe.SliceData(b), ldb, unsafe.SliceData(p), unsafe.SliceData(c), ldc)
			},
		},
		allFinite: func(x []float64) bool { return finiteNEON(unsafe.SliceData(x), len(x)) },
		relu:      func(dst, x []float64) { reluNEON(unsafe.SliceData(dst), unsafe.SliceData(x), len(x)) },
		reluGrad: func(dst, g, y []float64) {
			reluGradNEON(unsafe.SliceData(dst), unsafe.SliceData(g), unsafe.SliceData(y), len(g))
		},
		sgd: func(w, g []float64, lr, wd float64) {
			sgdNEON(unsafe.SliceData(w), unsafe.SliceData(g), len(w), lr, wd)
		},
	}
	goFloat32(&neon)
	neon.f32 = neonGemm32
	elem32NEON(&neon)
	return []impl{neon, goImpl}
}
