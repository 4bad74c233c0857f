package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpkit/mlp/internal/fmath"
)

// TestExp checks Exp on the path in use against fmath.Exp, bit for bit,
// over special values, the edges of fmath.Exp's cases (overflow,
// underflow, |x| < 2⁻²⁸, the subnormal results that go through
// math.Ldexp) and random values of every scale, in blocks that mix them,
// and in place.
func TestExp(t *testing.T) {
	const (
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
	)
	special := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, math.Ln2 / 2, -math.Ln2 / 2, 1e-300, -1e-300, 5e-324,
		math.NaN(), math.Float64frombits(0x7ff8_0000_dead_beef), math.Float64frombits(0xfff0_0000_0000_0001),
		math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64,
		overflow, math.Nextafter(overflow, 0), math.Nextafter(overflow, 1000),
		underflow, math.Nextafter(underflow, 0), math.Nextafter(underflow, -1000),
		nearZero, -nearZero, math.Nextafter(nearZero, 0), math.Nextafter(-nearZero, 0), math.Nextafter(nearZero, 1),
		-707.7, -708.3, -708.4, -708.5, -709, -720, -740, -744.4, 707.7, 708, 709, 709.5, 709.7,
		-1021 * math.Ln2, -1021.5 * math.Ln2, 1023 * math.Ln2, 1023.5 * math.Ln2,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var x []float64
	x = append(x, special...)
	for range 4000 {
		switch rng.IntN(4) {
		case 0:
			x = append(x, (rng.Float64()*2-1)*1500)
		case 1:
			x = append(x, (rng.Float64()*2-1)*30)
		case 2:
			x = append(x, -rng.Float64()*40) // shifted logits
		default:
			x = append(x, math.Ldexp(rng.Float64()*2-1, -rng.IntN(40)))
		}
	}
	// Blocks of eight that mix the special values with ordinary ones.
	for i, v := range special {
		blk := []float64{-1, -2, -3, -4, -5, -6, -7, -8}
		blk[i%8] = v
		x = append(x, blk...)
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, len(x)} {
		for off := range 3 {
			if off+n > len(x) {
				continue
			}
			src := x[off : off+n]
			dst := make([]float64, n)
			Exp(dst, src)
			inPlace := append([]float64(nil), src...)
			Exp(inPlace, inPlace)
			for i, v := range src {
				want := math.Float64bits(fmath.Exp(v))
				if g := math.Float64bits(dst[i]); g != want {
					t.Fatalf("n=%d: Exp(%v) = %v (%#x), want %v (%#x)", n, v, dst[i], g, fmath.Exp(v), want)
				}
				if g := math.Float64bits(inPlace[i]); g != want {
					t.Fatalf("n=%d in place: Exp(%v) = %v, want %v", n, v, inPlace[i], fmath.Exp(v))
				}
			}
		}
	}
}

// TestExpShort checks that Exp panics when dst is shorter than x.
func TestExpShort(t *testing.T) {
	defer func() {
		if r := recover(); r != "kernel: Exp: dst is shorter than x" {
			t.Errorf("recover() = %v, want the short-dst panic", r)
		}
	}()
	Exp(make([]float64, 2), make([]float64, 3))
}

// BenchmarkExp times Exp over shifted logits (at most 0), as Softmax
// computes them.
func BenchmarkExp(b *testing.B) {
	x := make([]float64, 320)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = -rng.Float64() * 10
	}
	dst := make([]float64, len(x))
	b.ReportAllocs()
	for range b.N {
		Exp(dst, x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/element")
}
