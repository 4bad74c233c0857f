package fmath

import "math"

// FMA32 returns x*y + z rounded once to float32 (to nearest, ties to
// even): IEEE 754's fusedMultiplyAdd in binary32, the bits of the
// VFMADD231SS/PS instructions of x86 and FMLA (single precision) of arm64.
// Go has no float32 fused multiply-add, and float32(math.FMA(x, y, z))
// can round twice (once to float64, then to float32) and differ in the
// last bit.
//
// The product of two float32 values is exact in float64 (24+24 bits fit
// in 53, and the exponents in float64's range), so the only rounding
// before the final one is that of the float64 sum s = x*y + z. The result
// is float32(s) unless s lands exactly halfway between two float32 values
// (or in float32's subnormal range, where the halfway points are finer):
// there the exact sum is recovered with Knuth's TwoSum, s is rounded to
// odd instead (its last bit set when the sum is inexact) and then rounded
// to float32, which Boldo and Melquiond ("Emulation of FMA and correctly
// rounded sums: proved algorithms using rounding to odd", IEEE Trans.
// Computers 57(4), 2008) prove gives the correctly rounded result
// whenever the odd rounding keeps at least two more bits than the target,
// here 53 against 24.
//
// Special cases follow IEEE 754: the sign of an exact zero result, ±Inf
// and overflow to ±Inf as VFMADD231SS gives them; a NaN operand or an
// invalid operation (Inf·0, Inf - Inf) gives NaN (its payload bits are not
// specified). FMA32 is safe for concurrent use and allocates nothing.
func FMA32(x, y, z float32) float32 {
	// The conversion rounds the product (exact anyway) on its own, so
	// that no compiler fuses it into the sum.
	p := float64(float64(x) * float64(y))
	s := p + float64(z)
	u := math.Float64bits(s)
	// A float32 halfway point at or above the smallest normal float32,
	// 2**-126 (float64 biased exponent 897), has the 29 low bits of its
	// float64 significand equal to 1<<28. Elsewhere float32(s) is the
	// correctly rounded sum: rounding to float64 never moves a sum across
	// a halfway point, which float64 represents.
	if u&(1<<29-1) != 1<<28 && (u>>52)&0x7ff >= 897 {
		return float32(s)
	}
	return float32(roundOdd(p, float64(z), s))
}

// roundOdd returns the exact sum p + z rounded to odd in float64: s =
// p + z rounded to nearest if that is exact, else whichever of the two
// float64 values around the sum has an odd significand.
func roundOdd(p, z, s float64) float64 {
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return s
	}
	// TwoSum: e = (p + z) - s exactly.
	bv := s - p
	e := (p - (s - bv)) + (z - bv)
	u := math.Float64bits(s)
	if e == 0 || u&1 == 1 {
		return s
	}
	// The sum lies strictly between s and its neighbour in the direction
	// of e, and s is even: the neighbour is odd. Stepping the bits by one
	// moves away from zero when e has the sign of s, toward zero when
	// not (s is not zero: a zero sum of two floats is exact).
	if (e > 0) == (s > 0) {
		u++
	} else {
		u--
	}
	return math.Float64frombits(u)
}
