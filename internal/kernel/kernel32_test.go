package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpkit/mlp/internal/fmath"
)

// randSlice32 returns n standard normal values rounded to float32.
func randSlice32(rng *rand.Rand, n int) []float32 { return randOf[float32](rng, n) }

// naive32 returns C + A·B computed with one float32 fused multiply-add
// chain per element (fmath.FMA32), the order MulAdd32 promises.
func naive32(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) []float32 {
	return naiveOf(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// same32 fails unless got and want hold the same bits.
func same32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	sameBits(t, what, got, want)
}

// TestMulAdd32 checks MulAdd32 on every path the CPU can run against a
// plain loop of fmath.FMA32, bit for bit, over the shapes of TestMulAdd.
func TestMulAdd32(t *testing.T) {
	shapes := [][3]int{
		{1, 1, 1}, {4, 16, 30}, {50, 16, 30}, {50, 2, 16}, {16, 3, 16}, {3, 7, 5}, {4, 33, 7}, {5, 65, 3},
		{30, 16, 50}, {32, 128, 64}, {7, 33, 9}, {5, 41, 300}, {9, 600, 260}, {13, 10, 128}, {6, 1100, 20},
		{40, 300, 530}, {13, 560, 100}, {26, 70, 300}, {64, 256, 257}, {12, 1030, 70},
		{64, 1, 16}, {128, 2, 17}, {140, 3, 40}, {64, 4, 16}, {100, 5, 33}, {192, 7, 20}, {135, 10, 64},
		{64, 15, 300}, {20, 10, 40}, {44, 12, 30}, {28, 9, 17}, {8, 16, 5},
	}
	testMulAdd(t, ops32, shapes)
}

// TestPacked32 is TestPacked for float32: the packed path called directly
// and through MulAdd32 and Group.MulAdd32 (one core and two), against the
// plain loop, bit for bit.
func TestPacked32(t *testing.T) {
	testPacked(t, ops32, []int{12, 13, 27, 53}, []int{16, 31, 64, 65, 130, 513, 1030}, []int{16, 64, 257, 600})
}

// TestFMA32Hardware runs adversarial triples through every path's
// kernels as products with k = 1 (one fused multiply-add per element: on
// the assembly paths VFMADD231PS or FMLA .4S, in full vectors and in
// masked tails) and checks the bits against fmath.FMA32. The triples come
// in blocks of 4 rows × w columns, c[r][j] += x[r]·y[j], so that the
// 4-row kernels, the one-row kernels and single elements all run them:
// random bits, sums within a few float64 ulps of a float32 halfway point,
// subnormal results and cancellations.
func TestFMA32Hardware(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 23))
	const w = 67 // full vectors and a tail on every path
	blocks := 2000
	if testing.Short() {
		blocks = 100
	}
	mant := func() float64 { return 1 + float64(rng.IntN(1<<23))/(1<<23) }
	sign := func(v float32) float32 {
		if rng.IntN(2) == 0 {
			return -v
		}
		return v
	}
	for blk := 0; blk < blocks; blk++ {
		x, y, z := make([]float32, 4), make([]float32, w), make([]float32, 4*w)
		u := float64(rng.IntN(362)) / (1 << 23)
		for j := range y {
			y[j] = float32(1 - u)
		}
		for r := range 4 {
			switch blk % 4 {
			case 0: // random bits
				x[r] = math.Float32frombits(rng.Uint32())
				for j := range y {
					y[j] = math.Float32frombits(rng.Uint32())
					z[r*w+j] = math.Float32frombits(rng.Uint32())
				}
			case 1: // z + x·y within h·u² of a halfway point, h half an ulp of z
				e := rng.IntN(200) - 100
				x[r] = sign(float32(math.Ldexp(1+u, e-24)))
				for j := range w {
					z[r*w+j] = sign(float32(math.Ldexp(mant(), e)))
				}
			case 2: // subnormal results
				x[r] = sign(float32(math.Ldexp(1+u, -75)))
				for j := range w {
					y[j] = float32(math.Ldexp(1-u, -75))
					z[r*w+j] = sign(math.Float32frombits(rng.Uint32() & 0x007fffff))
				}
			case 3: // cancellation, to a few ulps
				x[r] = sign(float32(mant()))
				for j := range w {
					y[j] = float32(math.Ldexp(mant(), rng.IntN(40)-20))
					zz := math.Float32bits(-float32(float64(x[r]) * float64(y[j])))
					z[r*w+j] = math.Float32frombits(zz + uint32(rng.IntN(5)) - 2)
				}
			}
		}
		want := make([]float32, 4*w)
		for r := range 4 {
			for j := range w {
				want[r*w+j] = fmath.FMA32(x[r], y[j], z[r*w+j])
			}
		}
		check := func(how string, got []float32) {
			t.Helper()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s %s: fma32(%g, %g, %g) = %g (%#x), want %g (%#x)", cur.name, how, x[i/w], y[i%w], z[i],
						got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
		forEachPath(t, func(name string) {
			got := append([]float32(nil), z...)
			MulAdd32(4, w, 1, x, 1, 1, y, w, got, w)
			check("4 rows", got)
			got = append(got[:0], z...)
			for r := range 4 {
				MulAdd32(1, w, 1, x[r:], 1, 1, y, w, got[r*w:], w)
			}
			check("1 row", got)
			got = append(got[:0], z...)
			for i := range got {
				MulAdd32(1, 1, 1, x[i/w:], 1, 1, y[i%w:], 1, got[i:], 1)
			}
			check("1 element", got)
		})
		if t.Failed() {
			return
		}
	}
}

// TestSumRows32 checks SumRows32 against the plain float32 loop, bit for
// bit, on every path, for values of very different magnitudes.
func TestSumRows32(t *testing.T) {
	testSumRows(t, ops32)
}

// TestGroupMulAdd32 checks that splitting a float32 product between
// goroutines gives the bits of the plain loop, by rows and by columns,
// with GOMAXPROCS 1 and 2.
func TestGroupMulAdd32(t *testing.T) {
	testGroupMulAdd(t, ops32)
}

// TestMulAdd32Panics checks that MulAdd32 and SumRows32 refuse slices too
// short for the shape.
func TestMulAdd32Panics(t *testing.T) {
	for name, f := range map[string]func(){
		"MulAdd32":  func() { MulAdd32(2, 2, 3, make([]float32, 6), 3, 1, make([]float32, 6), 2, make([]float32, 3), 2) },
		"SumRows32": func() { SumRows32(make([]float32, 1), 2, 2, make([]float32, 4), 2) },
		"ReLU32":    func() { ReLU32(make([]float32, 1), make([]float32, 2)) },
		"To32":      func() { To32(make([]float32, 1), make([]float64, 2)) },
		"To64":      func() { To64(make([]float64, 1), make([]float32, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a short slice did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestAllocs32 checks that the float32 functions allocate nothing, on the
// packed path too once a packing buffer exists.
func TestAllocs32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var g Group
	for _, s := range [][3]int{{50, 16, 30}, {128, 256, 128}} {
		m, n, k := s[0], s[1], s[2]
		a, b, c := randSlice32(rng, m*k), randSlice32(rng, k*n), make([]float32, m*n)
		MulAdd32(m, n, k, a, k, 1, b, n, c, n)
		g.MulAdd32(m, n, k, a, k, 1, b, n, c, n)
		if got := testing.AllocsPerRun(10, func() { MulAdd32(m, n, k, a, k, 1, b, n, c, n) }); got != 0 {
			t.Errorf("MulAdd32 %dx%dx%d: %v allocations, want 0", m, n, k, got)
		}
		if got := testing.AllocsPerRun(10, func() { g.MulAdd32(m, n, k, a, k, 1, b, n, c, n) }); got != 0 {
			t.Errorf("Group.MulAdd32 %dx%dx%d: %v allocations, want 0", m, n, k, got)
		}
	}
	x, y := randSlice32(rng, 100), make([]float32, 100)
	x64 := make([]float64, 100)
	for name, f := range map[string]func(){
		"SumRows32":   func() { SumRows32(y[:10], 10, 10, x, 10) },
		"ReLU32":      func() { ReLU32(y, x) },
		"ReLUGrad32":  func() { ReLUGrad32(y, x, x) },
		"AllFinite32": func() { AllFinite32(x) },
		"SGDStep32":   func() { SGDStep32(y, x, 0.1, 0.01) },
		"To32":        func() { To32(y, x64) },
		"To64":        func() { To64(x64, x) },
	} {
		if got := testing.AllocsPerRun(10, f); got != 0 {
			t.Errorf("%s: %v allocations, want 0", name, got)
		}
	}
}

// TestTo32 checks the conversions at the edges of float32's range.
func TestTo32(t *testing.T) {
	src := []float64{0, math.Copysign(0, -1), 1, 1 + 1.0/(1<<24), 1 + 3.0/(1<<24), 1e-46, 1e-45, math.MaxFloat32, 3.5e38, -1e39, math.Inf(1)}
	want := []float32{0, float32(math.Copysign(0, -1)), 1, 1, 1 + 2.0/(1<<23), 0, math.SmallestNonzeroFloat32, math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Inf(1))}
	got := make([]float32, len(src))
	To32(got, src)
	same32(t, "To32", got, want)
	back := make([]float64, len(got))
	To64(back, got)
	for i, v := range got {
		if back[i] != float64(v) || math.Signbit(back[i]) != math.Signbit(float64(v)) {
			t.Errorf("To64: [%d] = %v, want %v", i, back[i], v)
		}
	}
	nan := make([]float32, 1)
	To32(nan, []float64{math.NaN()})
	if nan[0] == nan[0] {
		t.Errorf("To32(NaN) = %v, want NaN", nan[0])
	}
}

// TestPacked32Aligned runs the packed path on transposed A whose stride is a
// multiple of 4 KiB (1024 elements), which it copies to the packing
// buffer (packTransposed), against the plain loop, bit for bit.
func TestPacked32Aligned(t *testing.T) {
	testPackedAligned(t, ops32, 1024)
}
