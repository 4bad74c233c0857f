package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// negLogFloor is -log(1e-8) = 8·ln 10, the largest loss one row can add.
const negLogFloor = 18.420680743952367

// TestCrossEntropyEveryClass checks the mean -log p of each row's own label
// against hand values, with labels of every class, so that a loss counting
// only class 1 (as a binary loss would) fails. Tolerance 1e-15.
func TestCrossEntropyEveryClass(t *testing.T) {
	base := []float64{
		0.7, 0.2, 0.1, // label 0
		0.1, 0.6, 0.3, // label 1
		0.2, 0.3, 0.5, // label 2
	}
	lowered := append([]float64(nil), base...)
	lowered[0], lowered[1] = 0.4, 0.5 // the class-0 row's own probability
	raised := append([]float64(nil), base...)
	raised[2], raised[0] = 0.4, 0.4 // a probability beside row 0's label
	for _, tc := range []struct {
		name   string
		p      []float64
		labels []int
		want   float64
	}{
		// -(ln 0.7 + ln 0.6 + ln 0.5)/3
		{name: "labels-0-1-2", p: base, labels: []int{0, 1, 2}, want: 0.5202159160882228},
		// -(ln 0.4 + ln 0.6 + ln 0.5)/3: only the class-0 row changed.
		{name: "class-0-row-lowered", p: lowered, labels: []int{0, 1, 2}, want: 0.706754512066697},
		// Other entries of a row do not count.
		{name: "off-label-entries-changed", p: raised, labels: []int{0, 1, 2}, want: -(math.Log(0.4) + math.Log(0.6) + math.Log(0.5)) / 3},
		// -(ln 0.2 + ln 0.1 + ln 0.2)/3
		{name: "labels-1-0-0", p: base, labels: []int{1, 0, 0}, want: -(math.Log(0.2) + math.Log(0.1) + math.Log(0.2)) / 3},
		{name: "all-class-0", p: base, labels: []int{0, 0, 0}, want: -(math.Log(0.7) + math.Log(0.1) + math.Log(0.2)) / 3},
		{name: "all-class-2", p: base, labels: []int{2, 2, 2}, want: -(math.Log(0.1) + math.Log(0.3) + math.Log(0.5)) / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := (&CrossEntropy{}).Loss(mat.NewDense(3, 3, tc.p), Targets{Labels: tc.labels})
			if math.Abs(got-tc.want) > 1e-15 {
				t.Errorf("loss = %.17g, want %.17g", got, tc.want)
			}
		})
	}
	// The first two cases differ only in the class-0 row.
	ce := &CrossEntropy{}
	a := ce.Loss(mat.NewDense(3, 3, base), Targets{Labels: []int{0, 1, 2}})
	b := ce.Loss(mat.NewDense(3, 3, lowered), Targets{Labels: []int{0, 1, 2}})
	if !(b > a+0.1) {
		t.Errorf("lowering the class-0 row's probability from 0.7 to 0.4 moved the loss from %v to %v", a, b)
	}
}

// TestCrossEntropyClipping checks that probabilities below 1e-8 count as
// 1e-8 in the loss, and that Grad is -1/(n·p) at a label's probability and
// 0 where it was clipped and off the labels.
func TestCrossEntropyClipping(t *testing.T) {
	for _, tc := range []struct {
		name     string
		p        float64 // probability of the label, in a two-row batch
		wantLoss float64 // of that row alone, before averaging
		wantGrad float64 // at that entry, for n = 2
	}{
		{name: "zero", p: 0, wantLoss: negLogFloor, wantGrad: 0},
		{name: "1e-30", p: 1e-30, wantLoss: negLogFloor, wantGrad: 0},
		{name: "just-below-floor", p: 9.999e-9, wantLoss: negLogFloor, wantGrad: 0},
		{name: "at-floor", p: 1e-8, wantLoss: negLogFloor, wantGrad: -1 / (2 * 1e-8)},
		{name: "one", p: 1, wantLoss: 0, wantGrad: -0.5},
		{name: "half", p: 0.5, wantLoss: math.Ln2, wantGrad: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pred := mat.NewDense(2, 2, []float64{
				tc.p, 1 - tc.p,
				0.25, 0.75,
			})
			y := Targets{Labels: []int{0, 1}}
			ce := &CrossEntropy{}
			// Row 1 adds -ln 0.75.
			want := (tc.wantLoss - math.Log(0.75)) / 2
			if got := ce.Loss(pred, y); math.Abs(got-want) > 1e-15 {
				t.Errorf("loss = %.17g, want %.17g", got, want)
			}
			g := ce.Grad(pred, y)
			wantG := []float64{tc.wantGrad, 0, 0, -1 / (2 * 0.75)}
			for k, w := range wantG {
				if got := g.At(k/2, k%2); math.Abs(got-w) > 1e-15*math.Max(1, math.Abs(w)) {
					t.Errorf("grad[%d][%d] = %.17g, want %.17g", k/2, k%2, got, w)
				}
			}
		})
	}
}

// TestFusedConfidentWrong checks Backprop on a model whose first layer is
// the identity, so that its input is the logits of the final Softmax, for
// predictions so confident and wrong that p[label] is about 1e-30 or
// underflows to 0. The gradient with respect to the logits must be finite
// and equal (p - onehot)/n within 1e-15 (a gradient through
// CrossEntropy.Grad and Softmax.Backward would be 0 there, since the
// probability is clipped), and the loss must count -log(1e-8) for such
// rows.
func TestFusedConfidentWrong(t *testing.T) {
	// ln(1e30): logits [0, z, 0] give p0 = 1/(2 + 1e30) ≈ 1e-30.
	const z = 69.07755278982137
	for _, tc := range []struct {
		name     string
		logits   [][]float64
		labels   []int
		wantLoss float64 // CrossEntropy.Loss of the probabilities, clipped at 1e-8
		exact    float64 // Backprop's loss, from the logits
		tiny     []bool  // rows whose label probability must be below 1e-29
	}{
		{
			name:     "one-row",
			logits:   [][]float64{{0, z, 0}},
			labels:   []int{0},
			wantLoss: negLogFloor,
			exact:    z, // log(2 + e^z) - 0
			tiny:     []bool{true},
		},
		{
			name:   "with-ordinary-row",
			logits: [][]float64{{0, z, 0}, {1, 2, 3}},
			labels: []int{0, 2},
			// (-ln 1e-8 + ln(e⁻² + e⁻¹ + 1)) / 2
			wantLoss: (negLogFloor + 0.4076059644443804) / 2,
			exact:    (z + 0.4076059644443804) / 2,
			tiny:     []bool{true, false},
		},
		{
			name:     "underflow-to-zero",
			logits:   [][]float64{{-500, 500, 0}, {0, z, 0}},
			labels:   []int{0, 2},
			wantLoss: negLogFloor,
			exact:    (1000 + z) / 2,
			tiny:     []bool{true, true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, k := len(tc.logits), len(tc.logits[0])
			m := identityNet(t, k, &Softmax{})
			y := Targets{Labels: tc.labels}
			p := mat.DenseCopyOf(m.Forward(denseOf(tc.logits)))
			for i, tiny := range tc.tiny {
				if pl := p.At(i, tc.labels[i]); tiny && !(pl < 1e-29) {
					t.Fatalf("row %d: p[label] = %g, the case needs < 1e-29", i, pl)
				}
			}
			loss := Backprop(m, &CrossEntropy{}, y)
			if math.Abs(loss-tc.exact) > 1e-12 {
				t.Errorf("Backprop loss = %.17g, want %.17g (from the logits)", loss, tc.exact)
			}
			if l := (&CrossEntropy{}).Loss(p, y); math.Abs(l-tc.wantLoss) > 1e-14 {
				t.Errorf("CrossEntropy.Loss = %.17g, want %.17g", l, tc.wantLoss)
			}
			dz := m.InputGrad()
			for i := range n {
				ref := softmaxShiftedRef(tc.logits[i])
				for j := range k {
					want := ref[j] / float64(n)
					if j == tc.labels[i] {
						want = (ref[j] - 1) / float64(n)
					}
					got := dz.At(i, j)
					if math.IsNaN(got) || math.IsInf(got, 0) || math.Abs(got-want) > 1e-15 {
						t.Errorf("dL/dz[%d][%d] = %.17g, want (p - onehot)/n = %.17g", i, j, got, want)
					}
				}
			}
			for _, prm := range m.Params() {
				for i, v := range prm.Grad.RawMatrix().Data {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("grad %s[%d] = %v", prm.Name, i, v)
					}
				}
			}
			// db is the column sums of (p - onehot)/n.
			for j := range k {
				var want float64
				for i := range n {
					want += dz.At(i, j)
				}
				if got := m.Params()[1].Grad.At(0, j); math.Abs(got-want) > 1e-15 {
					t.Errorf("db[%d] = %.17g, want %.17g", j, got, want)
				}
			}
		})
	}
}

// TestBatchAveraging checks that losses and gradients are means over the
// batch: a batch of one row repeated k times gives the loss and the
// parameter gradients of that row alone, within 1e-14 (relative above 1),
// and an input gradient whose rows are the single row's divided by k.
func TestBatchAveraging(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	row := gradNormal(rng, 1, 4, 1)
	y1 := Targets{Labels: []int{1}}
	newModel := func() *Sequential {
		m, err := NewSequential(NewLinear(4, 5, rand.NewPCG(23, 24)), &ReLU{}, NewLinear(5, 3, rand.NewPCG(25, 26)), &Softmax{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	single := newModel()
	single.Forward(row)
	wantLoss := Backprop(single, &CrossEntropy{}, y1)
	const tol = 1e-14
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }
	for _, k := range []int{1, 2, 3, 7, 32} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			x := mat.NewDense(k, 4, nil)
			y := Targets{Labels: make([]int, k)}
			for i := range k {
				x.SetRow(i, row.RawRowView(0))
				y.Labels[i] = 1
			}
			m := newModel()
			m.Forward(x)
			loss := Backprop(m, &CrossEntropy{}, y)
			if !near(loss, wantLoss) {
				t.Errorf("loss = %.17g, single row %.17g", loss, wantLoss)
			}
			for p, prm := range m.Params() {
				got, want := prm.Grad.RawMatrix().Data, single.Params()[p].Grad.RawMatrix().Data
				for i := range want {
					if !near(got[i], want[i]) {
						t.Errorf("param %d (%s)[%d]: batch %.17g, single row %.17g", p, prm.Name, i, got[i], want[i])
					}
				}
			}
			dx := m.InputGrad()
			for i := range k {
				for j := range 4 {
					if got, want := dx.At(i, j)*float64(k), single.InputGrad().At(0, j); !near(got, want) {
						t.Errorf("k·dX[%d][%d] = %.17g, single row %.17g", i, j, got, want)
					}
				}
			}
		})
	}
}
