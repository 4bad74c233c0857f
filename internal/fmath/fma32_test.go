package fmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// refFMA32 returns x*y + z computed exactly with big.Float and rounded
// once to float32 (to nearest, ties to even, subnormals and overflow
// included), for finite x, y and z.
func refFMA32(x, y, z float32) float32 {
	// 2000 bits hold any product and sum of float32 values exactly.
	const prec = 2000
	bx := new(big.Float).SetPrec(prec).SetFloat64(float64(x))
	by := new(big.Float).SetPrec(prec).SetFloat64(float64(y))
	bz := new(big.Float).SetPrec(prec).SetFloat64(float64(z))
	p := new(big.Float).SetPrec(prec).Mul(bx, by)
	s := new(big.Float).SetPrec(prec).Add(p, bz)
	if s.Sign() == 0 {
		// IEEE 754: an exact zero sum is +0 when rounding to nearest,
		// unless both terms are zeros of the same sign.
		pz, zz := float64(x)*float64(y), float64(z)
		if pz == 0 && zz == 0 && math.Signbit(pz) && math.Signbit(zz) {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	f, _ := s.Float32()
	return f
}

// fma32Triples returns n triples of the named family: random bits,
// sums within a few float64 ulps of a float32 halfway point (where
// rounding to float64 first goes wrong), cancellations, subnormal results
// and results near the overflow threshold.
func fma32Triples(rng *rand.Rand, family string, n int) [][3]float32 {
	out := make([][3]float32, 0, n)
	sign := func(v float32) float32 {
		if rng.IntN(2) == 0 {
			return -v
		}
		return v
	}
	mant := func() float32 { return 1 + float32(rng.IntN(1<<23))/(1<<23) } // in [1, 2)
	for len(out) < n {
		var x, y, z float32
		switch family {
		case "bits":
			x, y, z = math.Float32frombits(rng.Uint32()), math.Float32frombits(rng.Uint32()), math.Float32frombits(rng.Uint32())
			// Keep the products in a range where they matter: rescale
			// the exponents of x and y into [-80, 80] half of the time.
			if rng.IntN(2) == 0 {
				x = sign(float32(math.Ldexp(float64(mant()), rng.IntN(161)-80)))
				y = sign(float32(math.Ldexp(float64(mant()), rng.IntN(161)-80)))
				z = sign(float32(math.Ldexp(float64(mant()), rng.IntN(161)-80)))
			}
		case "halfway":
			// z + x*y with x*y = h·(1+u)(1-u) = h·(1-u²), h half an ulp
			// of z and u = j·2**-23: the exact sum lies h·j²·2**-46 from a
			// halfway point, closer than float64 tells apart for j < 362
			// (and a quarter of the time anywhere near it).
			e := rng.IntN(200) - 100
			z = sign(float32(math.Ldexp(float64(mant()), e)))
			h := math.Ldexp(1, e-24)
			j := rng.IntN(362)
			k := j
			if rng.IntN(4) == 0 {
				k = rng.IntN(1 << 22)
			}
			x = float32(h * (1 + float64(j)/(1<<23)))
			y = float32(1 - float64(k)/(1<<23))
			x, y = sign(x), sign(y)
			if rng.IntN(3) == 0 { // an odd multiple of h: 3h, 5h, ...
				x *= float32(2*rng.IntN(4) + 1)
			}
			if rng.IntN(2) == 0 {
				x, y = y, x
			}
		case "subhalf":
			// The halfway family in the subnormal range: x*y =
			// 2**-150·(1-u²) is just under half the smallest subnormal's
			// ulp, added to a subnormal z.
			u := float64(rng.IntN(362)) / (1 << 23)
			x = sign(float32(math.Ldexp(1+u, -75)))
			y = sign(float32(math.Ldexp(1-u, -75)))
			z = sign(math.Float32frombits(rng.Uint32() & 0x007fffff))
		case "cancel":
			// z ≈ -x*y, off by a few ulps or by a tiny amount.
			x, y = sign(mant()), sign(float32(math.Ldexp(float64(mant()), rng.IntN(40)-20)))
			p := float64(x) * float64(y)
			z = -float32(p)
			z = math.Float32frombits(math.Float32bits(z) + uint32(rng.IntN(5)) - 2)
		case "subnormal":
			// x*y and z around the float32 subnormal range.
			x = sign(float32(math.Ldexp(float64(mant()), -rng.IntN(80)-40)))
			y = sign(float32(math.Ldexp(float64(mant()), -rng.IntN(80)-20)))
			for math.Abs(float64(x)*float64(y)) > 1e-36 {
				y /= 1 << 10
			}
			z = sign(math.Float32frombits(rng.Uint32() & 0x00ffffff)) // subnormal or tiny normal
			if rng.IntN(4) == 0 {
				z = sign(float32(math.Ldexp(0.5, -149))) // 0 or the smallest subnormal
			}
		case "overflow":
			x = sign(float32(math.Ldexp(float64(mant()), 64)))
			y = sign(float32(math.Ldexp(float64(mant()), 63)))
			z = sign(math.Float32frombits(0x7f7fffff - uint32(rng.IntN(1<<20))))
		}
		out = append(out, [3]float32{x, y, z})
	}
	return out
}

// TestFMA32 checks FMA32 against the exact sum rounded once, bit for bit,
// on 400000 triples (10000 with -short or the race detector) of each of
// six families, and that the
// halfway family defeats float32(math.FMA(x, y, z)), the double rounding
// that FMA32 avoids.
func TestFMA32(t *testing.T) {
	n := 400000
	if testing.Short() || raceEnabled {
		n = 10000
	}
	rng := rand.New(rand.NewPCG(23, 32))
	for _, fam := range []string{"bits", "halfway", "subhalf", "cancel", "subnormal", "overflow"} {
		doubleRounded := 0
		for _, tr := range fma32Triples(rng, fam, n) {
			x, y, z := tr[0], tr[1], tr[2]
			got := FMA32(x, y, z)
			if isNaN32(x) || isNaN32(y) || isNaN32(z) || math.IsInf(float64(x), 0) || math.IsInf(float64(y), 0) || math.IsInf(float64(z), 0) {
				want := float32(math.FMA(float64(x), float64(y), float64(z))) // exact for non-finite operands
				if isNaN32(want) != isNaN32(got) || !isNaN32(want) && math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%s: FMA32(%g, %g, %g) = %g, want %g", fam, x, y, z, got, want)
				}
				continue
			}
			want := refFMA32(x, y, z)
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%s: FMA32(%g, %g, %g) = %g (%#x), want %g (%#x)", fam, x, y, z,
					got, math.Float32bits(got), want, math.Float32bits(want))
			}
			if float32(math.FMA(float64(x), float64(y), float64(z))) != want {
				doubleRounded++
			}
		}
		t.Logf("%s: %d triples, %d where float32(math.FMA) rounds wrongly", fam, n, doubleRounded)
		if (fam == "halfway" || fam == "subhalf") && doubleRounded == 0 {
			t.Errorf("no halfway triple defeats float32(math.FMA): the family does not test the double rounding")
		}
	}
}

// TestFMA32Special checks signed zeros, infinities, NaN and the edges of
// the range against IEEE 754's rules.
func TestFMA32Special(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	maxF, minSub := float32(math.MaxFloat32), float32(math.SmallestNonzeroFloat32)
	cases := []struct{ x, y, z, want float32 }{
		{0, 1, 0, 0},
		{negZero, 1, 0, 0},
		{negZero, 1, negZero, negZero},
		{0, -1, negZero, negZero},
		{2, 3, -6, 0},             // exact cancellation: +0
		{-2, 3, 6, 0},             // +0 too
		{1, 1, inf, inf},          // Inf + finite
		{inf, 2, 1, inf},          // Inf product
		{inf, -1, inf, nan},       // -Inf + Inf
		{inf, 0, 1, nan},          // Inf·0
		{nan, 1, 1, nan},          // NaN operand
		{maxF, 2, 0, inf},         // overflow
		{maxF, 2, -maxF, maxF},    // no overflow: the sum is in range
		{minSub, 0.5, 0, 0},       // halfway to zero: ties to even, +0
		{minSub, 0.75, 0, minSub}, // above halfway: the smallest subnormal
		{-minSub, 0.5, 0, negZero},
		{1, 1 + 1.0/(1<<23), float32(math.Ldexp(1, -60)), 1 + 1.0/(1<<23)},
	}
	for _, c := range cases {
		got := FMA32(c.x, c.y, c.z)
		if isNaN32(c.want) != isNaN32(got) || !isNaN32(c.want) && math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("FMA32(%g, %g, %g) = %g, want %g", c.x, c.y, c.z, got, c.want)
		}
	}
	// The double rounding FMA32 avoids: 1 + (2**-24 - 2**-48) is below
	// the halfway point 1 + 2**-24 and rounds to 1, but rounded to float64
	// first it is the halfway point, which rounds to even, 1 + 2**-23... or
	// down, depending on the side: check both sides against big.Float.
	for _, y := range []float32{1 - 1.0/(1<<24), 1 + 1.0/(1<<23)} {
		x := float32(math.Ldexp(1, -24))
		if got, want := FMA32(x, y, 1), refFMA32(x, y, 1); got != want {
			t.Errorf("FMA32(2**-24, %g, 1) = %g, want %g", y, got, want)
		}
	}
}

func isNaN32(v float32) bool { return v != v }

// BenchmarkFMA32 times FMA32 and, for comparison, float32(math.FMA)
// (which can round twice) on a chain of dependent operations.
func BenchmarkFMA32(b *testing.B) {
	b.Run("FMA32", func(b *testing.B) {
		s := float32(0)
		for i := 0; i < b.N; i++ {
			s = FMA32(1.0000001, s, 0.3)
		}
		sink32 = s
	})
	b.Run("float32(math.FMA)", func(b *testing.B) {
		s := float32(0)
		for i := 0; i < b.N; i++ {
			s = float32(math.FMA(1.0000001, float64(s), 0.3))
		}
		sink32 = s
	})
}

var sink32 float32
