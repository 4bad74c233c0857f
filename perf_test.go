package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTrainAllocs checks that, once the buffers are sized, a training step
// and a whole epoch through Trainer and a shuffling DataLoader allocate
// nothing, for the small benchmark networks on their real data.
func TestTrainAllocs(t *testing.T) {
	for _, w := range benchWorkloads[:3] { // bc, iris, digits
		t.Run(w.name, func(t *testing.T) {
			tr, l := benchTrainer(t, w)
			checkTrainAllocs(t, tr, l, 20, "a training")
		})
	}
}

// checkTrainAllocs checks that an epoch of tr over l (after one to warm
// up) and a step on l's first batch (averaged over steps runs) allocate
// nothing; kind names the training in the messages.
func checkTrainAllocs(t *testing.T, tr *Trainer, l *DataLoader, steps int, kind string) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := tr.trainEpoch(ctx, 0, l); err != nil {
		t.Fatal(err)
	}
	epoch := testing.AllocsPerRun(3, func() {
		if _, _, err := tr.trainEpoch(ctx, 0, l); err != nil {
			t.Fatal(err)
		}
	})
	if epoch != 0 {
		t.Errorf("%s epoch allocates %v times, want 0", kind, epoch)
	}
	l.Reset()
	l.Next()
	b := l.Batch()
	step := testing.AllocsPerRun(steps, func() {
		if _, err := tr.step(where{"training", 0, 0}, b); err != nil {
			t.Fatal(err)
		}
	})
	if step != 0 {
		t.Errorf("%s step allocates %v times, want 0", kind, step)
	}
}

// TestTrainAllocsLarge checks the allocations of a training step of the
// mnist-shape network (784-256-128-10, batch 128), whose products are split
// between the cores: none when they run in the package's kernel, on every
// path. With OpenBLAS instead (the openblas build above the kernel's size
// limit) the count is the BLAS binding's and is only logged.
func TestTrainAllocsLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large network")
	}
	w := benchWorkloads[3]
	w.rows = 256
	tr, l := benchTrainer(t, w)
	l.Reset()
	l.Next()
	b := l.Batch()
	if _, err := tr.step(where{"training", 0, 0}, b); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := tr.step(where{"training", 0, 0}, b); err != nil {
			t.Fatal(err)
		}
	})
	path, _ := KernelPath()
	t.Logf("a mnist-shape training step allocates %v times (kernel path %s, kernelMax = %d)", allocs, path, kernelMax)
	if kernelMax == math.MaxInt && allocs != 0 {
		t.Errorf("a training step allocates %v times, want 0", allocs)
	}
}

// TestTrainSameBitsAnyProcs checks that training gives the same weights,
// bit for bit, with GOMAXPROCS 1 and 2, for a network small enough to run on
// one core and one whose products are split between the cores.
func TestTrainSameBitsAnyProcs(t *testing.T) {
	cases := []struct {
		name  string
		sizes []int
		batch int
	}{
		{"digits-shape", []int{64, 128, 10}, 32},
		{"split-products", []int{300, 256, 64, 10}, 128},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(procs int) []float64 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				w := benchWorkload{name: c.name, sizes: c.sizes, batch: c.batch, lr: 0.05, rows: 3*c.batch + 5}
				tr, l := benchTrainer(t, w)
				if _, err := tr.Fit(context.Background(), l, nil, 2); err != nil {
					t.Fatal(err)
				}
				var all []float64
				for _, p := range tr.Model().Params() {
					all = append(all, p.Value.RawMatrix().Data...)
				}
				return all
			}
			one, two := run(1), run(2)
			for i := range one {
				if math.Float64bits(one[i]) != math.Float64bits(two[i]) {
					t.Fatalf("parameter element %d: %v with GOMAXPROCS 1, %v with 2", i, one[i], two[i])
				}
			}
		})
	}
}

// TestLinearKernelMatchesGonum checks that Linear computes the same values
// through the package's kernel as through gonum's products, to 1e-12, for
// shapes with edge rows and columns and a batch that is a view into a wider
// matrix.
func TestLinearKernelMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, s := range [][3]int{{50, 30, 16}, {7, 5, 3}, {33, 64, 10}, {130, 70, 260}} {
		batch, in, out := s[0], s[1], s[2]
		wide := mat.NewDense(batch, in+3, nil)
		for i := range wide.RawMatrix().Data {
			wide.RawMatrix().Data[i] = rng.NormFloat64()
		}
		x := wide.Slice(0, batch, 1, in+1).(*mat.Dense)
		g := mat.NewDense(batch, out, nil)
		for i := range g.RawMatrix().Data {
			g.RawMatrix().Data[i] = rng.NormFloat64()
		}
		results := make([][]*mat.Dense, 2)
		for k, limit := range []int{math.MaxInt, 0} {
			saved := kernelMax
			kernelMax = limit
			l := NewLinear(in, out, rand.NewPCG(1, 1))
			copy(l.Bias(), []float64{0.5, -0.25, 1})
			y := mat.DenseCopyOf(l.Forward(x))
			dx := mat.DenseCopyOf(l.Backward(g))
			results[k] = []*mat.Dense{y, dx, mat.DenseCopyOf(&l.dw), mat.DenseCopyOf(&l.db)}
			kernelMax = saved
		}
		for i, name := range []string{"Y", "dX", "dW", "db"} {
			if !mat.EqualApprox(results[0][i], results[1][i], 1e-12) {
				t.Errorf("%dx%d->%d: %s differs between the kernel and gonum", batch, in, out, name)
			}
		}
	}
}

// TestLinearBiasGradBits checks that db, summed by the kernel, is the
// in-order sum of the rows of G, bit for bit.
func TestLinearBiasGradBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	for _, s := range [][3]int{{50, 30, 16}, {7, 5, 3}, {33, 64, 10}} {
		batch, in, out := s[0], s[1], s[2]
		x, g := mat.NewDense(batch, in, nil), mat.NewDense(batch, out, nil)
		for _, m := range []*mat.Dense{x, g} {
			for i := range m.RawMatrix().Data {
				m.RawMatrix().Data[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
		l := NewLinear(in, out, rand.NewPCG(1, 1))
		l.Forward(x)
		l.Backward(g)
		for j := 0; j < out; j++ {
			var want float64
			for i := 0; i < batch; i++ {
				want += g.At(i, j)
			}
			if math.Float64bits(l.db.At(0, j)) != math.Float64bits(want) {
				t.Fatalf("%dx%d->%d: db[%d] = %v, want %v", batch, in, out, j, l.db.At(0, j), want)
			}
		}
	}
}
