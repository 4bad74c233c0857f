package mlp

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// goldenTrainHash is the SHA-256 of the bits of the final weights and the
// per-epoch losses and metrics of goldenTrain. It is the same on every
// kernel path (MLP_KERNEL=avx512, avx2, go, neon), on amd64 built with
// GOAMD64=v1 or v3 and on arm64: CI checks each. A change means that some
// path, build or architecture rounds differently from the others.
const goldenTrainHash = "5183936234f988b8532702c0dce01c51ce3558423a2a077cba368a98a6135a6a"

// goldenTrain trains a 64-128-10 network with ReLU, Dropout and a softmax
// output for 50 Adam steps (5 epochs of 10 shuffled batches of 32) on
// seeded data in the given type, and returns the SHA-256 of the result bits. The data are
// made without floating-point functions that could differ between
// machines (rand's NormFloat64 calls math.Exp and math.Log).
func goldenTrain(t *testing.T, dtype DType) string {
	t.Helper()
	const samples, features, classes = 320, 64, 10
	rng := rand.New(rand.NewPCG(2026, 1))
	x := mat.NewDense(samples, features, nil)
	labels := make([]int, samples)
	for i := range labels {
		labels[i] = rng.IntN(classes)
		for j := 0; j < features; j++ {
			v := float64(rng.IntN(2049)-1024) / 512 // exact
			if j%classes == labels[i] {
				v += 1
			}
			x.Set(i, j, v)
		}
	}
	d, err := NewDataset(x, Targets{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(2026, 2)
	drop, err := NewDropout(0.2, rand.NewPCG(2026, 3))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(NewLinear(features, 128, src), &ReLU{}, drop, NewLinear(128, classes, src), &Softmax{})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := NewAdam(m.Params(), AdamSettings{LR: 1e-3, WeightDecay: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, &CrossEntropy{}, opt, TrainerSettings{Metrics: []Metric{&Accuracy{}}, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	train := mustLoader(t, d, LoaderSettings{BatchSize: 32, Shuffle: true, Src: rand.NewPCG(2026, 4)})
	h, err := tr.Fit(context.Background(), train, nil, 5)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.New()
	var b [8]byte
	put := func(v float64) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		sum.Write(b[:])
	}
	for _, w := range snapshot(m.Params()) {
		for _, v := range w {
			put(v)
		}
	}
	for _, e := range h.Epochs {
		put(e.Loss)
		for _, v := range e.Metrics {
			put(v)
		}
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// TestGoldenTraining checks that a seeded training run gives the same bits
// as on every other supported machine and kernel path.
func TestGoldenTraining(t *testing.T) {
	path, _ := KernelPath()
	if got := goldenTrain(t, Float64); got != goldenTrainHash {
		t.Errorf("kernel path %s: hash of the trained weights and history %s, want %s", path, got, goldenTrainHash)
	}
}
