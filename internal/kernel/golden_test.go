package kernel

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// goldenKernel is the SHA-256 of the bits of the results of TestGolden. It
// is the same on every path and architecture; a change means that some
// path no longer computes the promised chain of roundings.
const goldenKernel = "99636d27caa2b3f9ce7a237dec10c13c6966b4493b905b5ce60db5db56399d4c"

// TestGolden runs products of the benchmark shapes (A plain and
// transposed), row sums, ReLU, its gradient and SGD steps on inputs made
// without floating-point arithmetic that could differ between machines,
// and checks the hash of all the result bits on every path.
func TestGolden(t *testing.T) {
	forEachPath(t, func(name string) {
		rng := rand.New(rand.NewPCG(11, 12))
		vals := func(n int) []float64 {
			s := make([]float64, n)
			for i := range s {
				// Exact: an integer of at most 32 bits times a power of two.
				s[i] = float64(int32(rng.Uint32())) / (1 << 31)
			}
			return s
		}
		shapes := [][3]int{{50, 16, 30}, {16, 3, 4}, {32, 10, 128}, {64, 128, 32}, {13, 257, 300}}
		if got := goldenHash(ops64, shapes, vals); got != goldenKernel {
			t.Errorf("%s: hash of the results %s, want %s", name, got, goldenKernel)
		}
	})
}

// goldenHash returns the SHA-256, in hex, of the little-endian bits of
// the results of o's functions on values drawn by vals: for each shape,
// the product (A plain, then read as the transpose of k×m), the row sums
// of B, ReLU and its gradient of C, and an SGD step of C.
func goldenHash[T elem](o ops[T], shapes [][3]int, vals func(n int) []T) string {
	h := sha256.New()
	width := 8
	if _, ok := any(T(0)).(float32); ok {
		width = 4
	}
	put := func(s []T) {
		for _, v := range s {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], bitsOf(v))
			h.Write(b[:width])
		}
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		a, b, c := vals(m*k), vals(k*n), vals(m*n)
		o.mulAdd(m, n, k, a, k, 1, b, n, c, n)
		put(c)
		o.mulAdd(m, n, k, a, 1, m, b, n, c, n) // A read as the transpose of k×m
		put(c)
		sum := vals(n)
		o.sumRows(sum, k, n, b, n)
		put(sum)
		y := make([]T, len(c))
		o.relu(y, c)
		put(y)
		o.grad(y, vals(len(c)), c)
		put(y)
		o.sgdStep(c, vals(len(c)), 0.01, 1e-4)
		put(c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// goldenKernel32 is the SHA-256 of the bits of the results of
// TestGolden32, the same on every path and architecture.
const goldenKernel32 = "428f4267944ad7a75b9f1dab3882bf51f1bc76061dfdc5bb0d1003c2ca8e3e23"

// TestGolden32 is TestGolden for the float32 functions: products of the
// benchmark shapes and of shapes that take the packed path (A plain and
// transposed), row sums, ReLU, its gradient and SGD steps, on inputs made
// without floating-point arithmetic, hashed bit for bit on every path.
func TestGolden32(t *testing.T) {
	forEachPath(t, func(name string) {
		rng := rand.New(rand.NewPCG(11, 12))
		vals := func(n int) []float32 {
			s := make([]float32, n)
			for i := range s {
				// Exact: an integer of at most 24 bits times a power of two.
				s[i] = float32(int32(rng.Uint32())>>8) / (1 << 23)
			}
			return s
		}
		shapes := [][3]int{{50, 16, 30}, {16, 3, 4}, {32, 10, 128}, {64, 128, 32}, {13, 257, 300}, {128, 256, 100}, {70, 530, 300}}
		if got := goldenHash(ops32, shapes, vals); got != goldenKernel32 {
			t.Errorf("%s: hash of the results %s, want %s", name, got, goldenKernel32)
		}
	})
}
