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
	cur.to32(dst[:len(src)], src)
}

// To64 sets dst[i] = float64(src[i]), which is exact. It panics if dst is
// shorter than src. It allocates nothing.
func To64(dst []float64, src []float32) {
	if len(dst) < len(src) {
		panic("kernel: To64: dst is shorter than src")
	}
	cur.to64(dst[:len(src)], src)
}

// goTo32 is To32 in Go.
func goTo32(dst []float32, src []float64) {
	dst = dst[:len(src)]
	// Four at a time: the conversions of one iteration do not wait for one
	// another (2.5 times the plain loop's speed on amd64).
	i := 0
	for ; i+4 <= len(src); i += 4 {
		s, d := src[i:i+4:i+4], dst[i:i+4:i+4]
		d[0], d[1], d[2], d[3] = float32(s[0]), float32(s[1]), float32(s[2]), float32(s[3])
	}
	for ; i < len(src); i++ {
		dst[i] = float32(src[i])
	}
}

// goTo64 is To64 in Go.
func goTo64(dst []float64, src []float32) {
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

// goReLU32 and goReLUGrad32 select without branches, through a mask made
// from the bits of x (or y): a branch on the sign of random data is
// mispredicted half the time. keep32 is all ones where v > 0 or v is NaN.
func goReLU32(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		b := math.Float32bits(v)
		dst[i] = math.Float32frombits(b & keep32(b))
	}
}

func goReLUGrad32(dst, g, y []float32) {
	dst, y = dst[:len(g)], y[:len(g)]
	for i, v := range g {
		dst[i] = math.Float32frombits(math.Float32bits(v) & keep32(math.Float32bits(y[i])))
	}
}

// keep32 returns all ones when the float32 with bits b is above zero or
// NaN, and zero otherwise (±0, negative numbers, -Inf).
func keep32(b uint32) uint32 {
	drop := uint32(int32((b-1)|b) >> 31)                  // b is 0 or has its sign bit set
	nan := uint32(int32(0x7f800000-(b&0x7fffffff)) >> 31) // the magnitude is above Inf's
	return ^drop | nan
}
