package fmath

import (
	"math"
	"testing"
)

// PairwiseSum gives numpy 1.24's np.sum and np.mean bit for bit on
// x_i = ((37·i) mod 101)/7 − 3.1, values whose sequential sum differs from
// numpy's for most of the lengths below (the sums were printed by numpy
// with float.hex).
func TestPairwiseSumAsNumpy(t *testing.T) {
	for _, c := range []struct {
		n         int
		sum, mean float64
	}{
		{0, 0x0.0p+0, 0x0.0p+0},
		{1, -0x1.8cccccccccccdp+1, -0x1.8cccccccccccdp+1},
		{5, 0x1.1000000000000p+3, 0x1.b333333333333p+0},
		{7, 0x1.1283a83a83a83p+4, 0x1.39bb096771e4dp+1},
		{8, 0x1.6333333333333p+4, 0x1.6333333333333p+1},
		{9, 0x1.043a83a83a83ap+5, 0x1.cea0ea0ea0ea0p+1},
		{15, 0x1.7649249249249p+5, 0x1.8f3cf3cf3cf3dp+1},
		{16, 0x1.96a0ea0ea0ea1p+5, 0x1.96a0ea0ea0ea1p+1},
		{17, 0x1.e141d41d41d42p+5, 0x1.c4f2a984f2a98p+1},
		{100, 0x1.9249249249249p+8, 0x1.01767dce434aap+2},
		{128, 0x1.fa33333333334p+8, 0x1.fa33333333334p+1},
		{129, 0x1.01fa83a83a83bp+9, 0x1.fff51d1648767p+1},
		{130, 0x1.024924924924ap+9, 0x1.fc9fc9fc9fca1p+1},
		{255, 0x1.0032492492492p+10, 0x1.01337ca1337cap+2},
		{256, 0x1.00ebe2be2be2cp+10, 0x1.00ebe2be2be2cp+2},
		{300, 0x1.2e12492492492p+10, 0x1.01c482ae914f7p+2},
		{1000, 0x1.f989249249249p+11, 0x1.02d593bfa2609p+2},
		{1031, 0x1.04178af8af8b0p+12, 0x1.025378e51e958p+2},
	} {
		x := make([]float64, c.n)
		for i := range x {
			x[i] = float64((37*i)%101)/7.0 - 3.1
		}
		got := PairwiseSum(x)
		if got != c.sum {
			t.Errorf("n=%d: PairwiseSum = %x, numpy %x", c.n, got, c.sum)
		}
		if c.n > 0 {
			if m := got / float64(c.n); m != c.mean {
				t.Errorf("n=%d: mean = %x, numpy %x", c.n, m, c.mean)
			}
		}
		if math.Signbit(PairwiseSum(nil)) {
			t.Error("PairwiseSum(nil) is -0")
		}
	}
}
