package kernel

import "math"

// AllFinite32 reports whether every element of x is finite (neither NaN
// nor ±Inf). It allocates nothing.
func AllFinite32(x []float32) bool {
	return cur.allFinite32(x)
}

// ReLU32 is ReLU in float32: dst[i] = x[i] where x[i] > 0 or x[i] is NaN,
// and +0 elsewhere (-0 included). It panics if dst is shorter than x; dst
// and x may be the same slice.
func ReLU32(dst, x []float32) {
	if len(dst) < len(x) {
		panic("kernel: ReLU32: dst is shorter than x")
	}
	cur.relu32(dst[:len(x)], x)
}

// ReLUGrad32 is ReLUGrad in float32: dst[i] = g[i] where y[i] > 0 or y[i]
// is NaN, and +0 elsewhere. It panics unless dst and y are at least as
// long as g.
func ReLUGrad32(dst, g, y []float32) {
	if len(dst) < len(g) || len(y) < len(g) {
		panic("kernel: ReLUGrad32: dst or y is shorter than g")
	}
	cur.reluGrad32(dst[:len(g)], g, y[:len(g)])
}

// SGDStep32 is SGDStep in float32: w[i] -= lr*(g[i] + wd*w[i]) with every
// operation rounded to float32 as that Go expression on float32 values
// does (a product, a sum, a product and a difference, no fused
// multiply-add). It panics if g is shorter than w.
func SGDStep32(w, g []float32, lr, wd float32) {
	if len(g) < len(w) {
		panic("kernel: SGDStep32: g is shorter than w")
	}
	cur.sgd32(w, g[:len(w)], lr, wd)
}

// To32 sets dst[i] = float32(src[i]): each value rounded to the nearest
// float32 (ties to even), ±Inf beyond float32's range, NaN kept NaN. It
// panics if dst is shorter than src. It allocates nothing.
func To32(dst []float32, src []float64) {
	if len(dst) < len(src) {
		panic("kernel: To32: dst is shorter than src")
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// To64 sets dst[i] = float64(src[i]), which is exact. It panics if dst is
// shorter than src. It allocates nothing.
func To64(dst []float64, src []float32) {
	if len(dst) < len(src) {
		panic("kernel: To64: dst is shorter than src")
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// goSGD32 is SGDStep32 in Go; the conversions keep the products from
// being fused into the sums.
func goSGD32(w, g []float32, lr, wd float32) {
	for i, gi := range g {
		w[i] -= float32(lr * (gi + float32(wd*w[i])))
	}
}

func goAllFinite32(x []float32) bool {
	// As goAllFinite: the exponent field is all ones only for Inf and NaN.
	const exp = 0x7f800000
	var bad uint32
	for _, v := range x {
		bad |= math.Float32bits(v)&exp + 1<<23
	}
	return bad>>31 == 0
}

func goReLU32(dst, x []float32) {
	for i, v := range x {
		if !(v <= 0) { // v > 0 or NaN
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func goReLUGrad32(dst, g, y []float32) {
	for i, v := range g {
		if !(y[i] <= 0) { // y > 0 or NaN
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}
