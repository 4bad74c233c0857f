package kernel

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// specials64 are the float64 values whose rounding to float32 To32 must
// get exactly right: signed zeros, NaNs (quiet, signalling, with
// payloads, negative), infinities, the edges of float32's range (the
// largest finite, the tie above it that rounds to Inf), float32
// subnormals and the ties between them, float64 subnormals, and ties
// between normal float32 values.
var specials64 = []float64{
	0, math.Copysign(0, -1), 1, -1, math.NaN(), math.Float64frombits(0x7ff0000000000001),
	math.Float64frombits(0x7ff4000000000000), math.Float64frombits(0xfff8000000000123),
	math.Float64frombits(0x7ff0000020000000), math.Inf(1), math.Inf(-1),
	math.MaxFloat32, -math.MaxFloat32, math.MaxFloat32 * (1 + 0x1p-25), 0x1p128 - 0x1p103, -(0x1p128 - 0x1p103),
	0x1p128 - 0x1p103 - 0x1p60, 1e39, -1e300, math.MaxFloat64,
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat32 / 2,
	math.SmallestNonzeroFloat32 * 1.5, math.SmallestNonzeroFloat32 * 2.5, math.SmallestNonzeroFloat32 * 0.75,
	0x1p-126, 0x1p-126 - 0x1p-150, -0x1p-127, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	1 + 0x1p-24, 1 + 3*0x1p-24, 1 + 0x1p-24 + 0x1p-52, -(1 + 0x1p-24), 0.1, 1.0 / 3,
}

// round32 is float32(v) for a non-NaN v computed without the hardware:
// the exact decimal expansion of v parsed to float32, which strconv rounds
// to nearest even (subnormals and overflow to ±Inf included).
func round32(v float64) float32 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 800, 64), 32)
	return float32(f) // exact: f is a float32 value
}

// TestTo32To64 checks To32 and To64 on every path, bit for bit, against
// Go's conversions, which are first checked against the rounding done
// in software (round32) on the specials and 2000 random values,, for every
// length up to 100 with each special value at every position; NaN stays
// NaN with the bits of Go's float32 and float64 conversions.
func TestTo32To64(t *testing.T) {
	for _, v := range specials64 {
		if v != v {
			continue
		}
		if got, want := float32(v), round32(v); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("float32(%v) = %#x, rounding in software gives %#x", v, math.Float32bits(got), math.Float32bits(want))
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 2000 {
		v := rng.NormFloat64() * math.Exp2(float64(rng.IntN(300)-150))
		if math.Float32bits(float32(v)) != math.Float32bits(round32(v)) {
			t.Fatalf("float32(%v) differs from the software rounding", v)
		}
	}
	forEachPath(t, func(name string) {
		rng := rand.New(rand.NewPCG(7, 8))
		for n := 0; n <= 100; n++ {
			for _, sp := range specials64 {
				for pos := 0; pos < max(n, 1); pos += 1 + n/20 {
					src := make([]float64, n)
					for i := range src {
						src[i] = rng.NormFloat64() * math.Exp2(float64(rng.IntN(300)-150))
					}
					if n > 0 {
						src[pos] = sp
					}
					got := make([]float32, n+1)
					got[n] = 7
					To32(got, src)
					for i, v := range src {
						want := float32(v)
						if v != v && want == want {
							t.Fatalf("float32(NaN) is not NaN")
						}
						if math.Float32bits(got[i]) != math.Float32bits(want) {
							t.Fatalf("%s n=%d: To32 of %v (%#x) = %#x, want %#x", name, n, v, math.Float64bits(v), math.Float32bits(got[i]), math.Float32bits(want))
						}
					}
					if got[n] != 7 {
						t.Fatalf("%s n=%d: To32 wrote past the end", name, n)
					}
					// To64 of the float32 values, and of float32 NaNs and
					// specials put in directly.
					src32 := got[:n]
					if n > 0 {
						src32[pos] = specials32[pos%len(specials32)]
						src32[n-1] = math.Float32frombits(0x7f800001 + uint32(pos)) // a signalling NaN
					}
					wide := make([]float64, n+1)
					wide[n] = 7
					To64(wide, src32)
					for i, v := range src32 {
						if math.Float64bits(wide[i]) != math.Float64bits(float64(v)) {
							t.Fatalf("%s n=%d: To64 of %#x = %#x, want %#x", name, n, math.Float32bits(v), math.Float64bits(wide[i]), math.Float64bits(float64(v)))
						}
						if v == v && float32(wide[i]) != v {
							t.Fatalf("To64 is not exact")
						}
					}
					if wide[n] != 7 {
						t.Fatalf("%s n=%d: To64 wrote past the end", name, n)
					}
				}
			}
		}
	})
}
