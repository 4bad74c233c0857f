// Package fmath holds the elementary functions of the mlp package's
// training path, exp, log, log1p, tanh, erf and erfc, written so that they give the same
// bits on every architecture and build.
//
// Package math does not promise that: it has assembly for some functions
// on some architectures (amd64's Exp even branches on the CPU's FMA flag),
// and Go may fuse x*y + z into one fused multiply-add on arm64, ppc64le,
// s390x, riscv64 and on amd64 built with GOAMD64=v3 or above, which changes
// the last bits of its pure-Go code. The functions here are the FreeBSD
// msun algorithms that package math ports, in pure Go, with every product
// that feeds a sum converted explicitly to float64, which the Go
// specification says rounds it and so prevents fusion.
//
// Exp, Log, Log1p, Tanh and Erf are accurate to 1 ulp, Erfc to 3.5 (tested
// against big.Float references); all handle ±Inf, NaN and signed zeros as
// package math does. They are safe for concurrent use and allocate
// nothing.
package fmath

import "math"

// Exp returns e**x.
//
// Special cases are the same as math.Exp: Exp(+Inf) = +Inf, Exp(NaN) = NaN,
// Exp(x) = 0 for x < -745.13..., +Inf for x > 709.78...
func Exp(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00

		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28) // 2**-28
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow: // +Inf included
		return math.Inf(1)
	case x < underflow: // -Inf included
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	// Reduce: x = k·ln2 + r, with r = hi - lo for extra precision.
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	return expmulti(hi, lo, k)
}

// expmulti returns e**r × 2**k, where r = hi - lo and |r| ≤ ln2/2.
func expmulti(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01  /* 0x3FC55555; 0x55555555 */
		p2 = -2.77777777770155933842e-03 /* 0xBF66C16C; 0x16BEBD93 */
		p3 = 6.61375632143793436117e-05  /* 0x3F11566A; 0xAF25DE2C */
		p4 = -1.65339022054652515390e-06 /* 0xBEBBBD41; 0xC5D26BF1 */
		p5 = 4.13813679705723846039e-08  /* 0x3E663769; 0x72BEA4D0 */
	)
	r := hi - lo
	t := r * r
	// c = r - t·(p1 + t·(p2 + t·(p3 + t·(p4 + t·p5)))), each product
	// rounded before it is added.
	p := float64(t * p5)
	p = float64(t * (p4 + p))
	p = float64(t * (p3 + p))
	p = float64(t * (p2 + p))
	p = float64(t * (p1 + p))
	c := r - p
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return scale(y, k)
}

// scale returns y × 2**k for y in [0.5, 2), as math.Ldexp does. Where the
// result is a normal number the product with 2**k is exact, so one
// multiplication gives Ldexp's bits without its general-purpose decoding;
// near the ends of the range, where it would overflow or lose bits to
// subnormal rounding, it calls Ldexp.
func scale(y float64, k int) float64 {
	if -1021 <= k && k <= 1023 {
		return y * math.Float64frombits(uint64(k+1023)<<52)
	}
	return math.Ldexp(y, k)
}

// Log returns the natural logarithm of x.
//
// Special cases are the same as math.Log: Log(+Inf) = +Inf, Log(0) = -Inf,
// Log(x < 0) = NaN, Log(NaN) = NaN.
func Log(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 /* 3fe62e42 fee00000 */
		ln2Lo = 1.90821492927058770002e-10 /* 3dea39ef 35793c76 */
		l1    = 6.666666666666735130e-01   /* 3FE55555 55555593 */
		l2    = 3.999999999940941908e-01   /* 3FD99999 9997FA04 */
		l3    = 2.857142874366239149e-01   /* 3FD24924 94229359 */
		l4    = 2.222219843214978396e-01   /* 3FCC71C5 1D8E78AF */
		l5    = 1.818357216161805012e-01   /* 3FC74664 96CB03DE */
		l6    = 1.531383769920937332e-01   /* 3FC39A09 D078C69F */
		l7    = 1.479819860511658591e-01   /* 3FC2F112 DF3E5244 */
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	// Reduce: x = f1 × 2**ki with √2/2 ≤ f1 < √2.
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

// Tanh returns the hyperbolic tangent of x.
//
// Special cases are the same as math.Tanh: Tanh(±0) = ±0, Tanh(±Inf) = ±1,
// Tanh(NaN) = NaN.
func Tanh(x float64) float64 {
	const (
		maxLog = 8.8029691931113054295988e+01 // log(2**127)
		p0     = -9.64399179425052238628e-1
		p1     = -9.92877231001918586564e1
		p2     = -1.61468768441708447952e3
		q0     = 1.12811678491632931402e2
		q1     = 2.23548839060100448583e3
		q2     = 4.84406305325125486048e3
	)
	z := math.Abs(x)
	switch {
	case z > 0.5*maxLog:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		// tanh z = 1 - 2/(s+1) with s = e**2z. The sum s+1, the quotient
		// and the difference from 1 are carried to twice the precision
		// (exact error terms from math.FMA and ordered two-sums), so that
		// only the error of s and the last rounding remain: package
		// math's single-precision version of this formula is off by up to
		// 1.2 ulp near z = 0.65.
		s := Exp(2 * z)
		d := s + 1
		e1 := (s - d) + 1 // s+1 = d + e1 exactly, as s ≥ 1
		q := 2 / d
		r := math.FMA(-q, d, 2)      // 2 = q·d + r exactly
		c := (r - float64(q*e1)) / d // 2/(s+1) ≈ q + c
		t := 1 - q
		e2 := (1 - t) - q // 1 - q = t + e2 exactly, as 1 > q
		z = t + (e2 - c)
		if x < 0 {
			z = -z
		}
		return z
	case x == 0:
		return x
	}
	// x + x·s·P(s)/Q(s) with s = x², each product rounded before a sum.
	s := float64(x * x)
	p := float64(float64(float64(p0*s)+p1)*s) + p2
	q := float64(float64(float64((s+q0)*s)+q1)*s) + q2
	return x + float64(float64(x*s)*p)/q
}
