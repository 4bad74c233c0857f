package mlp

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// panicError runs f and returns the value it panics with as an error: nil
// if f returns normally, and an error saying so if the value is not an
// error.
func panicError(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var ok bool
			if err, ok = r.(error); !ok {
				err = fmt.Errorf("panic value %#v is not an error", r)
			}
		}
	}()
	f()
	return nil
}

// TestShapePanics checks that the low-level Layer and Loss methods panic on
// shapes that do not fit with an error wrapping ErrShape whose message
// starts with "mlp: " and names the layer and both shapes.
func TestShapePanics(t *testing.T) {
	x45 := mat.NewDense(4, 5, nil)
	for _, tc := range []struct {
		name string
		f    func()
		want []string // substrings of the message besides "mlp: "
		kind error    // ErrShape when nil; ErrData for a label out of range
	}{
		{
			name: "Linear.Forward/width",
			f:    func() { NewLinear(3, 2, rand.NewPCG(1, 1)).Forward(x45) },
			want: []string{"Linear(3->2)", "Forward", "4x5", "3x2"},
		},
		{
			name: "Linear.Backward/columns",
			f: func() {
				l := NewLinear(3, 2, rand.NewPCG(1, 1))
				l.Forward(mat.NewDense(4, 3, nil))
				l.Backward(mat.NewDense(4, 3, nil))
			},
			want: []string{"Linear(3->2)", "Backward", "4x3", "4x2"},
		},
		{
			name: "Linear.Backward/rows",
			f: func() {
				l := NewLinear(3, 2, rand.NewPCG(1, 1))
				l.Forward(mat.NewDense(4, 3, nil))
				l.Backward(mat.NewDense(5, 2, nil))
			},
			want: []string{"Linear(3->2)", "Backward", "5x2", "4x2"},
		},
		{
			name: "ReLU.Backward",
			f: func() {
				var a ReLU
				a.Forward(mat.NewDense(4, 3, nil))
				a.Backward(mat.NewDense(2, 3, nil))
			},
			want: []string{"ReLU", "Backward", "2x3", "4x3"},
		},
		{
			name: "Softmax.Backward",
			f: func() {
				var s Softmax
				s.Forward(mat.NewDense(4, 3, nil))
				s.Backward(mat.NewDense(4, 2, nil))
			},
			want: []string{"Softmax", "Backward", "4x2", "4x3"},
		},
		{
			name: "CrossEntropy.Loss/label-too-large",
			f:    func() { (&CrossEntropy{}).Loss(mat.NewDense(2, 3, nil), Targets{Labels: []int{0, 3}}) },
			want: []string{"CrossEntropy.Loss", "label 3", "row 1", "[0, 3)"},
			kind: ErrData,
		},
		{
			name: "CrossEntropy.Loss/negative-label",
			f:    func() { (&CrossEntropy{}).Loss(mat.NewDense(2, 3, nil), Targets{Labels: []int{-1, 0}}) },
			want: []string{"CrossEntropy.Loss", "label -1", "row 0", "[0, 3)"},
			kind: ErrData,
		},
		{
			name: "CrossEntropy.Loss/label-count",
			f:    func() { (&CrossEntropy{}).Loss(mat.NewDense(4, 3, nil), Targets{Labels: []int{0, 1}}) },
			want: []string{"CrossEntropy.Loss", "4x3", "2 labels"},
		},
		{
			name: "CrossEntropy.Grad/label-count",
			f:    func() { (&CrossEntropy{}).Grad(mat.NewDense(2, 3, nil), Targets{Labels: []int{0, 1, 2}}) },
			want: []string{"CrossEntropy.Grad", "2x3", "3 labels"},
		},
		{
			name: "CrossEntropy.Grad/label-too-large",
			f:    func() { (&CrossEntropy{}).Grad(mat.NewDense(2, 3, nil), Targets{Labels: []int{5, 0}}) },
			want: []string{"CrossEntropy.Grad", "label 5", "row 0", "[0, 3)"},
			kind: ErrData,
		},
		{
			name: "Backprop/label-count",
			f: func() {
				m, _ := NewSequential(NewLinear(2, 3, rand.NewPCG(1, 1)), &Softmax{})
				m.Forward(mat.NewDense(4, 2, nil))
				Backprop(m, &CrossEntropy{}, Targets{Labels: []int{0}})
			},
			want: []string{"CrossEntropy", "4x3", "1 labels"},
		},
		{
			name: "Sequential.Forward/width",
			f: func() {
				m, _ := NewSequential(NewLinear(4, 3, rand.NewPCG(1, 1)), &ReLU{})
				m.Forward(mat.NewDense(2, 5, nil))
			},
			want: []string{"Sequential.Forward", "2x5", "4 columns"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := panicError(tc.f)
			if err == nil {
				t.Fatal("no panic")
			}
			kind := tc.kind
			if kind == nil {
				kind = ErrShape
			}
			if !errors.Is(err, kind) || !errors.Is(err, ErrMisuse) {
				t.Fatalf("panic %q does not wrap %v and ErrMisuse", err, kind)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "mlp: ") {
				t.Errorf("message %q does not start with %q", msg, "mlp: ")
			}
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q does not contain %q", msg, s)
				}
			}
		})
	}
}

// TestLinearBackwardMemory measures the bytes allocated by Linear.Backward
// in steady state (after one warm-up call), over 10 calls, with
// runtime.ReadMemStats and testing.AllocsPerRun.
//
// Backward computes dW = Xᵀ·G and dX = G·Wᵀ as two matrix products into the
// layer's buffers, so it never needs a batch×in×out tensor: at batch 128,
// 784->256 that would be 128·784·256·8 bytes = 196 MiB, and the test fails
// at 1% of it. Below gonum's threshold for a parallel product (4 blocks of
// 64×64 in the output) Backward allocates nothing. Above it, gonum's Dgemm
// starts one goroutine per 64×64 output block (52 for dW, 26 for dX here),
// and each costs a closure: measured 160 allocations and 16,720 bytes per
// call, independent of the batch size beyond the block count. The budget of
// 64 KiB per call leaves a factor of 4 for other Go and gonum versions and
// still fails on any per-call buffer of batch×in (784 KiB) or more. Small
// layers must make no allocation; their byte budget of 16 KiB over the 10
// calls only absorbs the runtime's own allocations, which ReadMemStats
// counts too (a few hundred bytes were seen).
func TestLinearBackwardMemory(t *testing.T) {
	for _, tc := range []struct {
		name             string
		batch, in, out   int
		maxBytes         uint64  // over the 10 calls
		maxAllocsPerCall float64 // < 0: not checked
	}{
		{name: "784->256/batch128", batch: 128, in: 784, out: 256, maxBytes: 10 * 64 << 10, maxAllocsPerCall: -1},
		{name: "30->16/batch50", batch: 50, in: 30, out: 16, maxBytes: 16 << 10, maxAllocsPerCall: 0},
		{name: "64->64/batch64", batch: 64, in: 64, out: 64, maxBytes: 16 << 10, maxAllocsPerCall: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(31, 32))
			x := gradNormal(rng, tc.batch, tc.in, 1)
			g := gradNormal(rng, tc.batch, tc.out, 1)
			l := NewLinear(tc.in, tc.out, rand.NewPCG(33, 34))
			l.Forward(x)
			l.Backward(g) // warm-up: sizes the input-gradient buffer

			const calls = 10
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range calls {
				l.Backward(g)
			}
			runtime.ReadMemStats(&after)
			total := after.TotalAlloc - before.TotalAlloc
			perCall := total / calls
			allocs := testing.AllocsPerRun(calls, func() { l.Backward(g) })
			t.Logf("Linear(%d->%d).Backward at batch %d: %d bytes and %v allocations per call", tc.in, tc.out, tc.batch, perCall, allocs)

			if tensor := uint64(tc.batch * tc.in * tc.out * 8); perCall >= tensor/100 {
				t.Fatalf("Backward allocates %d bytes per call, at least 1%% of a batch×in×out tensor (%d bytes)", perCall, tensor)
			}
			if total > tc.maxBytes {
				t.Errorf("%d calls to Backward allocate %d bytes, want at most %d", calls, total, tc.maxBytes)
			}
			if tc.maxAllocsPerCall >= 0 && allocs > tc.maxAllocsPerCall {
				t.Errorf("Backward makes %v allocations per call, want at most %v", allocs, tc.maxAllocsPerCall)
			}
		})
	}
}

// TestTrainingStepAllocs checks that a steady-state training step (Forward,
// Backprop, SGD.Step) on a 30-16-2 network allocates nothing, for a fixed
// batch size and when batches of 50 and 5 alternate, as a loader's last
// batch does.
func TestTrainingStepAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	batch := func(n int) (*mat.Dense, Targets) {
		y := Targets{Labels: make([]int, n)}
		for i := range y.Labels {
			y.Labels[i] = rng.IntN(2)
		}
		return gradNormal(rng, n, 30, 1), y
	}
	x50, y50 := batch(50)
	x5, y5 := batch(5)
	for _, tc := range []struct {
		name     string
		settings SGDSettings
		sizes    []*mat.Dense
		labels   []Targets
	}{
		{name: "batch50", settings: SGDSettings{LR: 0.1}, sizes: []*mat.Dense{x50}, labels: []Targets{y50}},
		{name: "batch50-then-5", settings: SGDSettings{LR: 0.1}, sizes: []*mat.Dense{x50, x5}, labels: []Targets{y50, y5}},
		{name: "batch5-then-50/nesterov-decay", settings: SGDSettings{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}, sizes: []*mat.Dense{x5, x50}, labels: []Targets{y5, y50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := rand.NewPCG(43, 44)
			m, err := NewSequential(NewLinear(30, 16, src), &ReLU{}, NewLinear(16, 2, src), &Softmax{})
			if err != nil {
				t.Fatal(err)
			}
			opt, err := NewSGD(m.Params(), tc.settings)
			if err != nil {
				t.Fatal(err)
			}
			crit := &CrossEntropy{}
			steps := func() {
				for i, x := range tc.sizes {
					m.Forward(x)
					Backprop(m, crit, tc.labels[i])
					opt.Step()
				}
			}
			steps() // warm-up: sizes every buffer for the largest batch
			if a := testing.AllocsPerRun(100, steps); a != 0 {
				t.Errorf("a training step allocates %v times, want 0", a)
			}
		})
	}
}

// TestMisusePanics checks that every panic of the model's layers and
// constructors is an error wrapping ErrMisuse whose message starts with
// "mlp: " and names the function, and that shape panics wrap both ErrShape
// and ErrMisuse.
func TestMisusePanics(t *testing.T) {
	src := rand.NewPCG(1, 1)
	x := mat.NewDense(2, 3, nil)
	backwardFirst := func(l Layer) func() { return func() { l.Backward(x) } }
	d, _ := NewDropout(0.5, src)
	for _, tc := range []struct {
		name  string
		f     func()
		shape bool
		want  []string
	}{
		{name: "NewLinear/zero-in", f: func() { NewLinear(0, 3, src) }, want: []string{"NewLinear", "0->3"}},
		{name: "NewLinear/negative-out", f: func() { NewLinear(3, -1, src) }, want: []string{"NewLinear", "3->-1"}},
		{name: "NewLinear/nil-source", f: func() { NewLinear(2, 2, nil) }, want: []string{"NewLinear", "nil random source"}},
		{name: "NewLinear/typed-nil-source", f: func() { NewLinear(2, 2, (*rand.PCG)(nil)) }, want: []string{"NewLinear", "nil random source"}},
		{name: "NewLinearInit/nil-source", f: func() { NewLinearInit(2, 2, HeNormal{}, nil) }, want: []string{"NewLinearInit", "nil random source"}},
		{name: "Linear.Backward/before-Forward", f: backwardFirst(NewLinear(3, 3, src)), want: []string{"Linear(3->3).Backward", "before Forward"}},
		{name: "ReLU.Backward/before-Forward", f: backwardFirst(&ReLU{}), want: []string{"ReLU.Backward", "before Forward"}},
		{name: "Sigmoid.Backward/before-Forward", f: backwardFirst(&Sigmoid{}), want: []string{"Sigmoid.Backward", "before Forward"}},
		{name: "Tanh.Backward/before-Forward", f: backwardFirst(&Tanh{}), want: []string{"Tanh.Backward"}},
		{name: "GELU.Backward/before-Forward", f: backwardFirst(&GELU{}), want: []string{"GELU.Backward"}},
		{name: "LeakyReLU.Backward/before-Forward", f: backwardFirst(&LeakyReLU{}), want: []string{"LeakyReLU.Backward"}},
		{name: "Softmax.Backward/before-Forward", f: backwardFirst(&Softmax{}), want: []string{"Softmax.Backward"}},
		{name: "Dropout.Backward/before-Forward", f: backwardFirst(d), want: []string{"Dropout.Backward"}},
		{name: "Backprop/before-Forward", f: func() {
			m, _ := NewSequential(NewLinear(3, 2, src), &Softmax{})
			Backprop(m, &CrossEntropy{}, Targets{Labels: []int{0, 1}})
		}, want: []string{"Backprop", "before Sequential.Forward"}},
		{name: "Linear.PredictInto/destination", shape: true, f: func() {
			NewLinear(3, 2, src).PredictInto(mat.NewDense(2, 3, nil), x, nil)
		}, want: []string{"Linear(3->2).PredictInto", "destination is 2x3, want 2x2"}},
		{name: "ReLU.PredictInto/destination", shape: true, f: func() {
			(&ReLU{}).PredictInto(mat.NewDense(1, 3, nil), x, nil)
		}, want: []string{"ReLU.PredictInto", "destination is 1x3, want 2x3"}},
		{name: "Linear.Forward/width", shape: true, f: func() { NewLinear(4, 2, src).Forward(x) }, want: []string{"Linear(4->2).Forward"}},
		{name: "ClipGradNorm/zero", f: func() { ClipGradNorm(nil, 0) }, want: []string{"ClipGradNorm"}},
		{name: "StepDecay.Rate/zero-step", f: func() { StepDecay{}.Rate(0.1, 1) }, want: []string{"StepDecay"}},
		{name: "ConfusionMatrix.ClassScore/class", f: func() {
			c, _ := NewConfusionMatrix([]int{0, 1}, []int{0, 1}, nil)
			c.ClassScore(Precision, 2)
		}, want: []string{"ConfusionMatrix.ClassScore", "class 2"}},
		{name: "ConfusionMatrix.Macro/score", f: func() {
			c, _ := NewConfusionMatrix([]int{0, 1}, []int{0, 1}, nil)
			c.Macro(Score(7))
		}, want: []string{"ConfusionMatrix.Macro", "Score 7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := panicError(tc.f)
			if err == nil {
				t.Fatal("no panic")
			}
			if !errors.Is(err, ErrMisuse) {
				t.Errorf("panic %q does not wrap ErrMisuse", err)
			}
			if tc.shape != errors.Is(err, ErrShape) {
				t.Errorf("panic %q wraps ErrShape: %v, want %v", err, !tc.shape, tc.shape)
			}
			if !strings.HasPrefix(err.Error(), "mlp: ") {
				t.Errorf("message %q does not start with %q", err, "mlp: ")
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not contain %q", err, s)
				}
			}
		})
	}
}
