package kernel

import "github.com/mlpkit/mlp/internal/fmath"

// goGemm32 is the Go path's float32 product kernels.
var goGemm32 = gemm[float32]{block4: goBlock4x32, block1: goBlock1x32}

// goBlock4x32 is the float32 Go micro-kernel for four rows of C: C[0:4, 0:n] +=
// A(0:4, 0:k)·B[0:k, 0:n], with A(i, l) = a[i*ars + l*acs]. It keeps a 4×4
// tile of C in registers while it runs down the inner dimension, so that
// each loaded element of A and B feeds four multiply-adds; each element of
// C is still one chain of fmath.FMA32 over l = 0, 1, ..., k-1.
func goBlock4x32(k, n int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	last := (k - 1) * acs
	a0, a1, a2, a3 := a[:last+1], a[ars:ars+last+1], a[2*ars:2*ars+last+1], a[3*ars:3*ars+last+1]
	c0, c1, c2, c3 := c[:n], c[ldc:ldc+n], c[2*ldc:2*ldc+n], c[3*ldc:3*ldc+n]
	j := 0
	for ; j+4 <= n; j += 4 {
		x0, x1, x2, x3 := c0[j], c0[j+1], c0[j+2], c0[j+3]
		y0, y1, y2, y3 := c1[j], c1[j+1], c1[j+2], c1[j+3]
		z0, z1, z2, z3 := c2[j], c2[j+1], c2[j+2], c2[j+3]
		w0, w1, w2, w3 := c3[j], c3[j+1], c3[j+2], c3[j+3]
		p, q := 0, j
		for l := 0; l < k; l++ {
			bb := b[q : q+4 : q+4]
			v := a0[p]
			x0 = fmath.FMA32(v, bb[0], x0)
			x1 = fmath.FMA32(v, bb[1], x1)
			x2 = fmath.FMA32(v, bb[2], x2)
			x3 = fmath.FMA32(v, bb[3], x3)
			v = a1[p]
			y0 = fmath.FMA32(v, bb[0], y0)
			y1 = fmath.FMA32(v, bb[1], y1)
			y2 = fmath.FMA32(v, bb[2], y2)
			y3 = fmath.FMA32(v, bb[3], y3)
			v = a2[p]
			z0 = fmath.FMA32(v, bb[0], z0)
			z1 = fmath.FMA32(v, bb[1], z1)
			z2 = fmath.FMA32(v, bb[2], z2)
			z3 = fmath.FMA32(v, bb[3], z3)
			v = a3[p]
			w0 = fmath.FMA32(v, bb[0], w0)
			w1 = fmath.FMA32(v, bb[1], w1)
			w2 = fmath.FMA32(v, bb[2], w2)
			w3 = fmath.FMA32(v, bb[3], w3)
			p += acs
			q += ldb
		}
		c0[j], c0[j+1], c0[j+2], c0[j+3] = x0, x1, x2, x3
		c1[j], c1[j+1], c1[j+2], c1[j+3] = y0, y1, y2, y3
		c2[j], c2[j+1], c2[j+2], c2[j+3] = z0, z1, z2, z3
		c3[j], c3[j+1], c3[j+2], c3[j+3] = w0, w1, w2, w3
	}
	for ; j < n; j++ {
		x, y, z, w := c0[j], c1[j], c2[j], c3[j]
		p, q := 0, j
		for l := 0; l < k; l++ {
			v := b[q]
			x = fmath.FMA32(a0[p], v, x)
			y = fmath.FMA32(a1[p], v, y)
			z = fmath.FMA32(a2[p], v, z)
			w = fmath.FMA32(a3[p], v, w)
			p += acs
			q += ldb
		}
		c0[j], c1[j], c2[j], c3[j] = x, y, z, w
	}
}

// goBlock1x32 is the float32 Go micro-kernel for one row of C: C[0, 0:n] +=
// A(0, 0:k)·B[0:k, 0:n] with A(0, l) = a[l*acs], eight columns at a time.
func goBlock1x32(k, n int, a []float32, acs int, b []float32, ldb int, c []float32) {
	a = a[:(k-1)*acs+1]
	c = c[:n]
	j := 0
	for ; j+8 <= n; j += 8 {
		cc := c[j : j+8 : j+8]
		x0, x1, x2, x3, x4, x5, x6, x7 := cc[0], cc[1], cc[2], cc[3], cc[4], cc[5], cc[6], cc[7]
		p, q := 0, j
		for l := 0; l < k; l++ {
			bb := b[q : q+8 : q+8]
			v := a[p]
			x0 = fmath.FMA32(v, bb[0], x0)
			x1 = fmath.FMA32(v, bb[1], x1)
			x2 = fmath.FMA32(v, bb[2], x2)
			x3 = fmath.FMA32(v, bb[3], x3)
			x4 = fmath.FMA32(v, bb[4], x4)
			x5 = fmath.FMA32(v, bb[5], x5)
			x6 = fmath.FMA32(v, bb[6], x6)
			x7 = fmath.FMA32(v, bb[7], x7)
			p += acs
			q += ldb
		}
		cc[0], cc[1], cc[2], cc[3], cc[4], cc[5], cc[6], cc[7] = x0, x1, x2, x3, x4, x5, x6, x7
	}
	for ; j < n; j++ {
		x := c[j]
		p, q := 0, j
		for l := 0; l < k; l++ {
			x = fmath.FMA32(a[p], b[q], x)
			p += acs
			q += ldb
		}
		c[j] = x
	}
}
