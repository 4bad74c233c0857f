package fmath

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"
)

// goldenHash is the SHA-256 of the bits of every function on the inputs
// of TestGolden. It is the same on every architecture and build (amd64
// with GOAMD64=v1 and v3, arm64); a change means that Go fused or
// reordered an operation the code rounds explicitly.
const goldenHash = "efae5902a5ce4c8500f1bef8ecddc883af35519816322c287ba9c8eea91712c8"

// TestGolden hashes the results of each function on 20000 inputs per
// range, made without floating-point arithmetic that could differ between
// machines.
func TestGolden(t *testing.T) {
	h := sha256.New()
	var b [8]byte
	for _, f := range fns {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, r := range f.ranges {
			lo, hi := r[0], r[1]
			for i := 0; i < 20000; i++ {
				// lo + (hi-lo)·u with u = j/2^20: a product and a sum
				// rounded separately, so the same everywhere.
				u := float64(rng.IntN(1<<20)) / (1 << 20)
				x := lo + float64((hi-lo)*u)
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(f.f(x)))
				h.Write(b[:])
			}
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != goldenHash {
		t.Errorf("hash of the results %s, want %s", got, goldenHash)
	}
}
