package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/mlpkit/mlp/internal/fmath"
)

// randSlice returns n standard normal float64 values.
func randSlice(rng *rand.Rand, n int) []float64 { return randOf[float64](rng, n) }

// randOf returns n standard normal values, rounded to T.
func randOf[T elem](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(rng.NormFloat64())
	}
	return s
}

// naive returns C + A·B computed with one fused multiply-add chain per
// element, the order MulAdd promises.
func naive(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) []float64 {
	return naiveOf(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// naiveOf returns C + A·B computed with one fused multiply-add chain per
// element rounded once in T (math.FMA or fmath.FMA32), the order MulAdd
// and MulAdd32 promise.
func naiveOf[T elem](m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) []T {
	out := append([]T(nil), c...)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := out[i*ldc+j]
			for l := 0; l < k; l++ {
				s = fmaOf(a[i*ars+l*acs], b[l*ldb+j], s)
			}
			out[i*ldc+j] = s
		}
	}
	return out
}

// fmaOf is x*y + z rounded once in T.
func fmaOf[T elem](x, y, z T) T {
	if v, ok := any(x).(float32); ok {
		return T(fmath.FMA32(v, float32(y), float32(z)))
	}
	return T(math.FMA(float64(x), float64(y), float64(z)))
}

// bitsOf is the bits of x in its own type.
func bitsOf[T elem](x T) uint64 {
	if v, ok := any(x).(float32); ok {
		return uint64(math.Float32bits(v))
	}
	return math.Float64bits(float64(x))
}

// sameBits fails unless got and want hold the same bits.
func sameBits[T elem](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := range want {
		if bitsOf(got[i]) != bitsOf(want[i]) {
			t.Fatalf("%s: [%d] = %v (%#x), want %v (%#x)", what, i, got[i], bitsOf(got[i]), want[i], bitsOf(want[i]))
		}
	}
}

// operands returns A (plain, or the transpose of a k×m matrix), B and C
// of an m×n×k product with strides padded by pad, and A's strides.
func operands[T elem](rng *rand.Rand, m, n, k, pad int, trans bool) (a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if trans {
		a, ars, acs = randOf[T](rng, k*(m+pad)), 1, m+pad
	} else {
		a, ars, acs = randOf[T](rng, m*(k+pad)), k+pad, 1
	}
	ldb, ldc = n+pad, n+pad
	b = randOf[T](rng, (k-1)*ldb+n)
	c = randOf[T](rng, (m-1)*ldc+n)
	return
}

// ops is the float64 or the float32 side of the package, for the tests
// that check both the same way.
type ops[T elem] struct {
	name    string          // of the product: MulAdd or MulAdd32
	gemm    func() *gemm[T] // the product kernels of the path in use
	mulAdd  func(m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int)
	group   func(g *Group, m, n, k int, a []T, ars, acs int, b []T, ldb int, c []T, ldc int)
	sumRows func(dst []T, r, c int, g []T, ldg int)
	relu    func(dst, x []T)
	grad    func(dst, g, y []T) // ReLUGrad
	sgdStep func(w, g []T, lr, wd T)
}

var (
	ops64 = ops[float64]{"MulAdd", func() *gemm[float64] { return &cur.f64 }, MulAdd, (*Group).MulAdd, SumRows,
		ReLU, ReLUGrad, SGDStep}
	ops32 = ops[float32]{"MulAdd32", func() *gemm[float32] { return &cur.f32 }, MulAdd32, (*Group).MulAdd32, SumRows32,
		ReLU32, ReLUGrad32, SGDStep32}
)

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
	shapes := [][3]int{
		{1, 1, 1}, {4, 16, 30}, {50, 16, 30}, {50, 2, 16}, {16, 3, 16}, {3, 7, 5},
		{30, 16, 50}, {32, 128, 64}, {7, 33, 9}, {5, 41, 300}, {9, 600, 260}, {13, 10, 128},
		// The packed path: several blocks of the inner dimension and of
		// the columns, the last ones partial, and rows and columns left
		// over from whole tiles.
		{40, 300, 530}, {13, 560, 100}, {26, 70, 300}, {64, 256, 257},
		// The column kernels (A transposed, fewer than 16 columns): every
		// count of columns in groups of 4, 2 and 1, rows left over.
		{32, 1, 16}, {64, 2, 17}, {71, 3, 40}, {96, 4, 16}, {100, 5, 33}, {64, 7, 20}, {135, 10, 64}, {64, 15, 300},
		// The narrow kernels' blocks of 12, 8 and 4 rows, one and two
		// registers per row.
		{20, 10, 40}, {44, 12, 30}, {28, 9, 17}, {8, 16, 5},
	}
	testMulAdd(t, ops64, shapes)
}

// testMulAdd checks o's product on every path against naiveOf, bit for
// bit, over the shapes with A plain and transposed, strides tight and
// padded by 3.
func testMulAdd[T elem](t *testing.T, o ops[T], shapes [][3]int) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, trans := range []bool{false, true} {
			for _, pad := range []int{0, 3} {
				a, ars, acs, b, ldb, c, ldc := operands[T](rng, m, n, k, pad, trans)
				want := naiveOf(m, n, k, a, ars, acs, b, ldb, c, ldc)
				forEachPath(t, func(name string) {
					got := append([]T(nil), c...)
					o.mulAdd(m, n, k, a, ars, acs, b, ldb, got, ldc)
					sameBits(t, fmt.Sprintf("%s %s m=%d n=%d k=%d trans=%v pad=%d", name, o.name, m, n, k, trans, pad), got, want)
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
	testPacked(t, ops64, []int{12, 13, 16, 20, 27, 35, 64, 71}, []int{8, 15, 32, 33, 71, 255, 256, 290, 513},
		[]int{16, 31, 64, 255, 256, 257, 600})
}

// testPacked checks o's packed path directly and through o's product and
// Group's (GOMAXPROCS 1 or 2) against naiveOf, bit for bit, on every
// path, for the rows ms, columns ns and inner dimensions ks of at most
// 2**21 multiply-adds, with A plain and transposed and random padding.
func testPacked[T elem](t *testing.T, o ops[T], ms, ns, ks []int) {
	saved, savedPar := packMin, ParallelMin
	defer func() { packMin, ParallelMin = saved, savedPar }()
	packMin, ParallelMin = 0, 0
	rng := rand.New(rand.NewPCG(5, 6))
	var g Group
	for _, m := range ms {
		for _, n := range ns {
			for _, k := range ks {
				if m*n*k > 1<<21 {
					continue
				}
				for _, trans := range []bool{false, true} {
					pad := rng.IntN(3)
					a, ars, acs, b, ldb, c, ldc := operands[T](rng, m, n, k, pad, trans)
					want := naiveOf(m, n, k, a, ars, acs, b, ldb, c, ldc)
					forEachPath(t, func(name string) {
						procs := 1 + rng.IntN(2)
						prev := runtime.GOMAXPROCS(procs)
						defer runtime.GOMAXPROCS(prev)
						for _, how := range []string{"packed", o.name, "Group"} {
							got := append([]T(nil), c...)
							switch how {
							case "packed":
								gk := o.gemm()
								if gk.tiles == nil || m < 2*gk.mr || n < gk.nr {
									continue
								}
								packed(gk, nil, m, n, k, a, ars, acs, b, ldb, got, ldc)
							case o.name:
								o.mulAdd(m, n, k, a, ars, acs, b, ldb, got, ldc)
							case "Group":
								o.group(&g, m, n, k, a, ars, acs, b, ldb, got, ldc)
							}
							sameBits(t, fmt.Sprintf("%s %s GOMAXPROCS=%d m=%d n=%d k=%d trans=%v pad=%d", name, how, procs, m, n, k, trans, pad), got, want)
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
	testSumRows(t, ops64)
}

// testSumRows checks o's SumRows against the plain loop, bit for bit, on
// every path, for values of very different magnitudes.
func testSumRows[T elem](t *testing.T, o ops[T]) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range [][2]int{{1, 1}, {50, 2}, {16, 3}, {32, 10}, {7, 33}, {300, 129}} {
		r, c := s[0], s[1]
		ld := c + 2
		g := make([]T, r*ld)
		for i := range g {
			g[i] = T(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
		}
		want := randOf[T](rng, c)
		start := append([]T(nil), want...)
		for i := 0; i < r; i++ {
			for j := range want {
				want[j] += g[i*ld+j]
			}
		}
		forEachPath(t, func(name string) {
			got := append([]T(nil), start...)
			o.sumRows(got, r, c, g, ld)
			sameBits(t, fmt.Sprintf("%s %dx%d", name, r, c), got, want)
		})
	}
}

// TestGroupMulAdd checks that splitting a product between goroutines gives
// the same bits as computing it on one, for splits by rows and by columns
// and with GOMAXPROCS 1 and 2.
func TestGroupMulAdd(t *testing.T) {
	testGroupMulAdd(t, ops64)
}

// testGroupMulAdd checks that Group's o product gives the bits of
// naiveOf, split by rows and by columns, with GOMAXPROCS 1 and 2.
func testGroupMulAdd[T elem](t *testing.T, o ops[T]) {
	saved := ParallelMin
	defer func() { ParallelMin = saved }()
	ParallelMin = 0
	rng := rand.New(rand.NewPCG(3, 4))
	var g Group
	for _, s := range [][3]int{{64, 10, 33}, {9, 100, 17}, {50, 16, 30}, {130, 260, 70}} {
		m, n, k := s[0], s[1], s[2]
		a, b, c := randOf[T](rng, m*k), randOf[T](rng, k*n), randOf[T](rng, m*n)
		want := naiveOf(m, n, k, a, k, 1, b, n, c, n)
		for _, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			got := append([]T(nil), c...)
			o.group(&g, m, n, k, a, k, 1, b, n, got, n)
			runtime.GOMAXPROCS(prev)
			sameBits(t, fmt.Sprintf("Group.%s m=%d n=%d k=%d GOMAXPROCS=%d", o.name, m, n, k, procs), got, want)
		}
	}
}

// TestPackedAligned runs the packed path on transposed A whose stride is a
// multiple of 4 KiB (512 elements), which it copies to the packing
// buffer (packTransposed), against the plain loop, bit for bit.
func TestPackedAligned(t *testing.T) {
	testPackedAligned(t, ops64, 512)
}

// testPackedAligned runs o's packed path on transposed A of stride lda (a
// multiple of 4 KiB, which packTransposed must take) and lda+1 (which it
// must not) against naiveOf, bit for bit, on every path.
func testPackedAligned[T elem](t *testing.T, o ops[T], lda int) {
	rng := rand.New(rand.NewPCG(15, 16))
	if !packTransposed[T](lda) || packTransposed[T](lda+1) {
		t.Fatalf("packTransposed: a stride of %d elements must be packed and %d not", lda, lda+1)
	}
	for _, s := range [][3]int{{12, 64, 64}, {53, 130, 100}, {13, 70, 300}} {
		m, n, k := s[0], s[1], s[2]
		for _, lda := range []int{lda, lda + 1} {
			a, b, c := randOf[T](rng, k*lda), randOf[T](rng, k*n), randOf[T](rng, m*n)
			want := naiveOf(m, n, k, a, 1, lda, b, n, c, n)
			forEachPath(t, func(name string) {
				g := o.gemm()
				if g.tiles == nil || m < 2*g.mr || n < g.nr {
					return
				}
				got := append([]T(nil), c...)
				packed(g, nil, m, n, k, a, 1, lda, b, n, got, n)
				sameBits(t, fmt.Sprintf("%s m=%d n=%d k=%d lda=%d", name, m, n, k, lda), got, want)
			})
		}
	}
}
