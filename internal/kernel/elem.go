package kernel

import "math"

// AllFinite reports whether every element of x is finite (neither NaN nor
// ±Inf). It allocates nothing.
func AllFinite(x []float64) bool {
	return cur.allFinite(x)
}

// ReLU sets dst[i] = x[i] where x[i] > 0 or x[i] is NaN, and +0 elsewhere
// (-0 included): NaN in, NaN out, as in PyTorch, so that a NaN reaching a
// ReLU is not hidden from the checks after it. PyTorch gives -0 for -0;
// ReLU gives +0. Every path (Go and assembly) gives the same bits. It panics
// if dst is shorter than x; dst and x may be the same slice.
func ReLU(dst, x []float64) {
	if len(dst) < len(x) {
		panic("kernel: ReLU: dst is shorter than x")
	}
	cur.relu(dst[:len(x)], x)
}

// ReLUGrad sets dst[i] = g[i] where y[i] > 0 or y[i] is NaN, and +0
// elsewhere: the gradient through a ReLU whose output was y. A NaN output
// passes the gradient, as PyTorch's threshold_backward does. It panics unless dst and y
// are at least as long as g.
func ReLUGrad(dst, g, y []float64) {
	if len(dst) < len(g) || len(y) < len(g) {
		panic("kernel: ReLUGrad: dst or y is shorter than g")
	}
	cur.reluGrad(dst[:len(g)], g, y[:len(g)])
}

// SGDStep sets w[i] -= lr*(g[i] + wd*w[i]) for every i, rounding as that
// Go expression does (a product, a sum, a product and a difference, no fused
// multiply-add), so the result is the same bits as the plain loop. It panics
// if g is shorter than w.
func SGDStep(w, g []float64, lr, wd float64) {
	if len(g) < len(w) {
		panic("kernel: SGDStep: g is shorter than w")
	}
	cur.sgd(w, g[:len(w)], lr, wd)
}

// goSGD is SGDStep in Go. The conversions round each product on its own,
// so that no compiler fuses them into the sums (Go may fuse x*y + z on
// arm64 and on amd64 built for v3 and above).
func goSGD(w, g []float64, lr, wd float64) {
	for i, gi := range g {
		w[i] -= float64(lr * (gi + float64(wd*w[i])))
	}
}

func goAllFinite(x []float64) bool {
	// The exponent field is all ones only for Inf and NaN; OR-ing the
	// (exponent + 1) carries keeps the loop free of branches.
	const exp = 0x7ff0000000000000
	var bad uint64
	for _, v := range x {
		bad |= math.Float64bits(v)&exp + 1<<52
	}
	return bad>>63 == 0
}

func goReLU(dst, x []float64) {
	for i, v := range x {
		if !(v <= 0) { // v > 0 or NaN
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

func goReLUGrad(dst, g, y []float64) {
	for i, v := range g {
		if !(y[i] <= 0) { // y > 0 or NaN
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}
