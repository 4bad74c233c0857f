package kernel

// Temporary float32 kernels in plain Go, replaced by the f32k branch's.

import (
	"math"

	"github.com/mlpkit/mlp/internal/fmath"
)

// MulAdd32 sets C += A·B in float32, each element one chain of FMA32.
func MulAdd32(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := c[i*ldc+j]
			for l := 0; l < k; l++ {
				s = fmath.FMA32(a[i*ars+l*acs], b[l*ldb+j], s)
			}
			c[i*ldc+j] = s
		}
	}
}

// MulAdd32 is the function MulAdd32.
func (g *Group) MulAdd32(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	MulAdd32(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// SumRows32 adds the rows of g to dst in order.
func SumRows32(dst []float32, r, c int, g []float32, ldg int) {
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j] += g[i*ldg+j]
		}
	}
}

// ReLU32 is ReLU in float32.
func ReLU32(dst, x []float32) {
	for i, v := range x {
		if v > 0 || v != v {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

// ReLUGrad32 is ReLUGrad in float32.
func ReLUGrad32(dst, g, y []float32) {
	for i, v := range y {
		if v > 0 || v != v {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}

// AllFinite32 is AllFinite in float32.
func AllFinite32(x []float32) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// To32 rounds src into dst.
func To32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// To64 widens src into dst.
func To64(dst []float64, src []float32) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}
