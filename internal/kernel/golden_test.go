package kernel

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
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
		h := sha256.New()
		put := func(s []float64) {
			for _, v := range s {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				h.Write(b[:])
			}
		}
		for _, s := range [][3]int{{50, 16, 30}, {16, 3, 4}, {32, 10, 128}, {64, 128, 32}, {13, 257, 300}} {
			m, n, k := s[0], s[1], s[2]
			a, b, c := vals(m*k), vals(k*n), vals(m*n)
			MulAdd(m, n, k, a, k, 1, b, n, c, n)
			put(c)
			MulAdd(m, n, k, a, 1, m, b, n, c, n) // A read as the transpose of k×m
			put(c)
			sum := vals(n)
			SumRows(sum, k, n, b, n)
			put(sum)
			y := make([]float64, len(c))
			ReLU(y, c)
			put(y)
			ReLUGrad(y, vals(len(c)), c)
			put(y)
			SGDStep(c, vals(len(c)), 0.01, 1e-4)
			put(c)
		}
		got := hex.EncodeToString(h.Sum(nil))
		if got != goldenKernel {
			t.Errorf("%s: hash of the results %s, want %s", name, got, goldenKernel)
		}
	})
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
		h := sha256.New()
		put := func(s []float32) {
			for _, v := range s {
				var b [4]byte
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
				h.Write(b[:])
			}
		}
		for _, s := range [][3]int{{50, 16, 30}, {16, 3, 4}, {32, 10, 128}, {64, 128, 32}, {13, 257, 300}, {128, 256, 100}, {70, 530, 300}} {
			m, n, k := s[0], s[1], s[2]
			a, b, c := vals(m*k), vals(k*n), vals(m*n)
			MulAdd32(m, n, k, a, k, 1, b, n, c, n)
			put(c)
			MulAdd32(m, n, k, a, 1, m, b, n, c, n) // A read as the transpose of k×m
			put(c)
			sum := vals(n)
			SumRows32(sum, k, n, b, n)
			put(sum)
			y := make([]float32, len(c))
			ReLU32(y, c)
			put(y)
			ReLUGrad32(y, vals(len(c)), c)
			put(y)
			SGDStep32(c, vals(len(c)), 0.01, 1e-4)
			put(c)
		}
		got := hex.EncodeToString(h.Sum(nil))
		if got != goldenKernel32 {
			t.Errorf("%s: hash of the results %s, want %s", name, got, goldenKernel32)
		}
	})
}
