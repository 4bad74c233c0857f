package kernel

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// naive returns C + A·B computed with one fused multiply-add chain per
// element, the order MulAdd promises.
func naive(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) []float64 {
	out := append([]float64(nil), c...)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := out[i*ldc+j]
			for l := 0; l < k; l++ {
				s = math.FMA(a[i*ars+l*acs], b[l*ldb+j], s)
			}
			out[i*ldc+j] = s
		}
	}
	return out
}

// forEachPath calls f once with each path this CPU and build can run in
// use, and restores the path chosen at start-up after.
func forEachPath(t *testing.T, f func(name string)) {
	t.Helper()
	saved := cur
	defer func() { cur = saved }()
	for _, im := range impls() {
		if im.missing != "" {
			continue
		}
		cur = im
		f(im.name)
	}
}

// TestMulAdd checks MulAdd on every path the CPU can run against a plain
// loop, bit for bit, over shapes that exercise every tile
// and edge of the micro-kernels and the blocking, with row-major and
// transposed A and strides wider than the rows.
func TestMulAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{
		{1, 1, 1}, {4, 16, 30}, {50, 16, 30}, {50, 2, 16}, {16, 3, 16}, {3, 7, 5},
		{30, 16, 50}, {32, 128, 64}, {7, 33, 9}, {5, 41, 300}, {9, 600, 260}, {13, 10, 128},
		// The packed path: several blocks of the inner dimension and of
		// the columns, the last ones partial, and rows and columns left
		// over from whole tiles.
		{40, 300, 530}, {13, 560, 100}, {26, 70, 300}, {64, 256, 257},
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			for _, pad := range []int{0, 3} {
				var a []float64
				var ars, acs int
				if trans { // A is the transpose of a k×m matrix with stride m+pad
					a, ars, acs = randSlice(rng, k*(m+pad)), 1, m+pad
				} else {
					a, ars, acs = randSlice(rng, m*(k+pad)), k+pad, 1
				}
				ldb, ldc := n+pad, n+pad
				b := randSlice(rng, (k-1)*ldb+n)
				c := randSlice(rng, (m-1)*ldc+n)
				want := naive(m, n, k, a, ars, acs, b, ldb, c, ldc)
				forEachPath(t, func(name string) {
					got := append([]float64(nil), c...)
					MulAdd(m, n, k, a, ars, acs, b, ldb, got, ldc)
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%s m=%d n=%d k=%d trans=%v pad=%d: c[%d] = %v, want %v", name, m, n, k, trans, pad, i, got[i], want[i])
						}
					}
				})
			}
		}
	}
}

// TestPacked checks the packed path on every path that has one against a
// plain loop, bit for bit: called directly, so that it takes every shape
// of at least two tiles of rows and one of columns, and through MulAdd and
// Group.MulAdd (on one core and split between two) with packMin lowered.
// The shapes lie around the tile sizes of every path and the blocks of the
// packed buffers, with A plain and transposed and strides wider than the
// rows.
func TestPacked(t *testing.T) {
	saved, savedPar := packMin, ParallelMin
	defer func() { packMin, ParallelMin = saved, savedPar }()
	packMin, ParallelMin = 0, 0
	rng := rand.New(rand.NewPCG(5, 6))
	var g Group
	for _, m := range []int{12, 13, 16, 20, 27, 35, 64, 71} {
		for _, n := range []int{8, 15, 32, 33, 71, 255, 256, 290, 513} {
			for _, k := range []int{16, 31, 64, 255, 256, 257, 600} {
				if m*n*k > 1<<21 {
					continue
				}
				for _, trans := range []bool{false, true} {
					pad := rng.IntN(3)
					var a []float64
					var ars, acs int
					if trans {
						a, ars, acs = randSlice(rng, k*(m+pad)), 1, m+pad
					} else {
						a, ars, acs = randSlice(rng, m*(k+pad)), k+pad, 1
					}
					ldb, ldc := n+pad, n+pad
					b := randSlice(rng, (k-1)*ldb+n)
					c := randSlice(rng, (m-1)*ldc+n)
					want := naive(m, n, k, a, ars, acs, b, ldb, c, ldc)
					forEachPath(t, func(name string) {
						procs := 1 + rng.IntN(2)
						prev := runtime.GOMAXPROCS(procs)
						defer runtime.GOMAXPROCS(prev)
						for _, how := range []string{"packed", "MulAdd", "Group"} {
							got := append([]float64(nil), c...)
							switch how {
							case "packed":
								if cur.f64.tiles == nil || m < 2*cur.f64.mr || n < cur.f64.nr {
									continue
								}
								packed(&cur.f64, nil, m, n, k, a, ars, acs, b, ldb, got, ldc)
							case "MulAdd":
								MulAdd(m, n, k, a, ars, acs, b, ldb, got, ldc)
							case "Group":
								g.MulAdd(m, n, k, a, ars, acs, b, ldb, got, ldc)
							}
							for i := range want {
								if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
									t.Fatalf("%s %s GOMAXPROCS=%d m=%d n=%d k=%d trans=%v pad=%d: c[%d] = %v, want %v",
										name, how, procs, m, n, k, trans, pad, i, got[i], want[i])
								}
							}
						}
					})
				}
			}
		}
	}
}

// TestMulAddPanics checks that MulAdd refuses slices too short for the
// shape.
func TestMulAddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MulAdd with a short C did not panic")
		}
	}()
	a, b, c := make([]float64, 6), make([]float64, 6), make([]float64, 3)
	MulAdd(2, 2, 3, a, 3, 1, b, 2, c, 2)
}

// TestSumRows checks SumRows against the plain loop, bit for bit, on
// every path, for values of very different magnitudes.
func TestSumRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range [][2]int{{1, 1}, {50, 2}, {16, 3}, {32, 10}, {7, 33}, {300, 129}} {
		r, c := s[0], s[1]
		ld := c + 2
		g := make([]float64, r*ld)
		for i := range g {
			g[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
		}
		want := randSlice(rng, c)
		start := append([]float64(nil), want...)
		for i := 0; i < r; i++ {
			for j := range want {
				want[j] += g[i*ld+j]
			}
		}
		forEachPath(t, func(name string) {
			got := append([]float64(nil), start...)
			SumRows(got, r, c, g, ld)
			for j := range want {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Fatalf("%s %dx%d: dst[%d] = %v, want %v", name, r, c, j, got[j], want[j])
				}
			}
		})
	}
}

// TestGroupMulAdd checks that splitting a product between goroutines gives
// the same bits as computing it on one, for splits by rows and by columns
// and with GOMAXPROCS 1 and 2.
func TestGroupMulAdd(t *testing.T) {
	saved := ParallelMin
	defer func() { ParallelMin = saved }()
	ParallelMin = 0
	rng := rand.New(rand.NewPCG(3, 4))
	var g Group
	for _, s := range [][3]int{{64, 10, 33}, {9, 100, 17}, {50, 16, 30}, {130, 260, 70}} {
		m, n, k := s[0], s[1], s[2]
		a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
		want := naive(m, n, k, a, k, 1, b, n, c, n)
		for _, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			got := append([]float64(nil), c...)
			g.MulAdd(m, n, k, a, k, 1, b, n, got, n)
			runtime.GOMAXPROCS(prev)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("m=%d n=%d k=%d GOMAXPROCS=%d: c[%d] = %v, want %v", m, n, k, procs, i, got[i], want[i])
				}
			}
		}
	}
}

// TestPackedAligned runs the packed path on transposed A whose stride is a
// multiple of 4 KiB (512 elements), which it copies to the packing
// buffer (packTransposed), against the plain loop, bit for bit.
func TestPackedAligned(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	if !packTransposed[float64](512) || packTransposed[float64](512+1) {
		t.Fatalf("packTransposed: a stride of 512 elements must be packed and 513 not")
	}
	for _, s := range [][3]int{{12, 64, 64}, {53, 130, 100}, {13, 70, 300}} {
		m, n, k := s[0], s[1], s[2]
		for _, lda := range []int{512, 513} {
			a, b, c := randSlice(rng, k*lda), randSlice(rng, k*n), randSlice(rng, m*n)
			want := naive(m, n, k, a, 1, lda, b, n, c, n)
			forEachPath(t, func(name string) {
				g := &cur.f64
				if g.tiles == nil || m < 2*g.mr || n < g.nr {
					return
				}
				got := append([]float64(nil), c...)
				packed(g, nil, m, n, k, a, 1, lda, b, n, got, n)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s m=%d n=%d k=%d lda=%d: c[%d] = %v, want %v", name, m, n, k, lda, i, got[i], want[i])
					}
				}
			})
		}
	}
}
