package mlp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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

// lossTol is the tolerance of hand-value comparisons, absolute on values of
// order 1.
const lossTol = 1e-14

// ceHandP and ceHandY are a two-row, three-class case small enough to work
// by hand: probabilities p and labels y.
var (
	ceHandP = []float64{
		0.7, 0.2, 0.1,
		0.1, 0.3, 0.6,
	}
	ceHandY = []int{0, 2}
)

// TestCrossEntropyHandValues compares the weighted and smoothed losses with
// values worked out from PyTorch's definitions, where logp = log(p) stands
// for log_softmax of the logits:
//
//	weighted: F.nll_loss(logp, y, weight=w)
//	        = Σ_i w[y_i](-logp[i,y_i]) / Σ_i w[y_i]
//	smoothed: F.cross_entropy(z, y, label_smoothing=e)
//	        = (1-e)·mean_i(-logp[i,y_i]) + (e/K)·mean_i Σ_j -logp[i,j]
//	both:     F.cross_entropy(z, y, weight=w, label_smoothing=e)
//	        = (1-e)·nll_weighted + (e/K)·Σ_i Σ_j w_j(-logp[i,j]) / Σ_i w[y_i]
func TestCrossEntropyHandValues(t *testing.T) {
	tests := []struct {
		name string
		ce   CrossEntropy
		want float64
	}{
		// (1·-ln 0.7 + 3·-ln 0.6) / (1 + 3)
		{"weighted", CrossEntropy{Weights: []float64{1, 2, 3}}, 0.47228795380917615},
		// 0.7·(-ln 0.7 - ln 0.6)/2 + 0.1·(-ln 0.7 - ln 0.2 - ln 0.1 - ln 0.1 - ln 0.3 - ln 0.6)/2
		{"smoothed", CrossEntropy{Smoothing: 0.3}, 0.7179292722192956},
		// 0.7·0.47228795380917615
		//  + 0.1·(1·-ln 0.7 + 2·-ln 0.2 + 3·-ln 0.1 + 1·-ln 0.1 + 2·-ln 0.3 + 3·-ln 0.6)/4
		{"weighted-smoothed", CrossEntropy{Weights: []float64{1, 2, 3}, Smoothing: 0.3}, 0.7487594081847473},
		// Weights of 1 and no smoothing give the plain mean NLL, (-ln 0.7 - ln 0.6)/2.
		{"unit-weights", CrossEntropy{Weights: []float64{1, 1, 1}}, -(math.Log(0.7) + math.Log(0.6)) / 2},
	}
	p := mat.NewDense(2, 3, ceHandP)
	y := Targets{Labels: ceHandY}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.ce.Loss(p, y); math.Abs(got-tc.want) > lossTol {
				t.Errorf("Loss = %.17g, want %.17g", got, tc.want)
			}
		})
	}
}

// TestCrossEntropyFusedHandValues checks the fused gradient with respect to
// the Softmax input for weights w = (1, 2, 3) and smoothing e = 0.3:
// (S_i·p_ij - w_j·q_ij) / Σ_i w[y_i] with q_i = (0.8, 0.1, 0.1) for label 0
// and (0.1, 0.1, 0.8) for label 2, S_0 = 1.3, S_1 = 2.7, Σ w[y_i] = 4.
func TestCrossEntropyFusedHandValues(t *testing.T) {
	ce := &CrossEntropy{Weights: []float64{1, 2, 3}, Smoothing: 0.3}
	g := ce.fusedGrad(&Softmax{}, mat.NewDense(2, 3, ceHandP), Targets{Labels: ceHandY})
	want := []float64{
		(1.3*0.7 - 0.8) / 4, (1.3*0.2 - 2*0.1) / 4, (1.3*0.1 - 3*0.1) / 4, // 0.0275, 0.015, -0.0425
		(2.7*0.1 - 0.1) / 4, (2.7*0.3 - 2*0.1) / 4, (2.7*0.6 - 3*0.8) / 4, // 0.0425, 0.1525, -0.195
	}
	for i, w := range want {
		if got := g.RawMatrix().Data[i]; math.Abs(got-w) > lossTol {
			t.Errorf("gradient entry %d = %.17g, want %.17g", i, got, w)
		}
	}
}

// TestCrossEntropyUnitWeightsMatchPlain checks that the general weighted
// and smoothed code gives the plain results when the weights are all 1 and
// the smoothing is 0, so the two code paths agree.
func TestCrossEntropyUnitWeightsMatchPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	z := gradNormal(rng, 6, 4, 2)
	var sm Softmax
	p := sm.Forward(z)
	y := Targets{Labels: []int{0, 1, 2, 3, 3, 1}}
	plain, unit := &CrossEntropy{}, &CrossEntropy{Weights: []float64{1, 1, 1, 1}}
	if a, b := plain.Loss(p, y), unit.Loss(p, y); math.Abs(a-b) > lossTol {
		t.Errorf("Loss: plain %.17g, unit weights %.17g", a, b)
	}
	for _, tc := range []struct {
		name string
		grad func(ce *CrossEntropy) *mat.Dense
	}{
		{"Grad", func(ce *CrossEntropy) *mat.Dense { return ce.Grad(p, y) }},
		{"fused", func(ce *CrossEntropy) *mat.Dense { return ce.fusedGrad(&sm, p, y) }},
	} {
		if a, b := tc.grad(plain), tc.grad(unit); !mat.EqualApprox(a, b, lossTol) {
			t.Errorf("%s: plain %v, unit weights %v", tc.name, mat.Formatted(a), mat.Formatted(b))
		}
	}
}

func TestCrossEntropyValidate(t *testing.T) {
	tests := []struct {
		name string
		ce   CrossEntropy
		ok   bool
	}{
		{"zero-value", CrossEntropy{}, true},
		{"weights", CrossEntropy{Weights: []float64{1, 0, 2.5}}, true},
		{"smoothing", CrossEntropy{Smoothing: 0.999}, true},
		{"both", CrossEntropy{Weights: []float64{1, 2, 3}, Smoothing: 0.1}, true},
		{"short-weights", CrossEntropy{Weights: []float64{1, 2}}, false},
		{"long-weights", CrossEntropy{Weights: []float64{1, 2, 3, 4}}, false},
		{"empty-weights", CrossEntropy{Weights: []float64{}}, false},
		{"negative-weight", CrossEntropy{Weights: []float64{1, -0.5, 2}}, false},
		{"NaN-weight", CrossEntropy{Weights: []float64{1, math.NaN(), 2}}, false},
		{"Inf-weight", CrossEntropy{Weights: []float64{1, math.Inf(1), 2}}, false},
		{"all-zero-weights", CrossEntropy{Weights: []float64{0, 0, 0}}, false},
		{"negative-smoothing", CrossEntropy{Smoothing: -0.1}, false},
		{"smoothing-one", CrossEntropy{Smoothing: 1}, false},
		{"NaN-smoothing", CrossEntropy{Smoothing: math.NaN()}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ce.Validate()
			if err == nil {
				err = tc.ce.ValidateOutput(3, &Softmax{})
			}
			if tc.ok && err != nil {
				t.Errorf("Validate, ValidateOutput(3, Softmax) = %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, ErrSetting) {
				t.Errorf("Validate, ValidateOutput(3, Softmax) = %v, want an error wrapping ErrSetting", err)
			}
		})
	}
}

// TestLossPanics checks that the low-level loss methods panic with the
// documented errors on targets or settings that do not fit.
func TestLossPanics(t *testing.T) {
	p3 := mat.NewDense(2, 3, ceHandP)
	p1 := mat.NewDense(2, 1, []float64{0.3, 0.8})
	labels := Targets{Labels: ceHandY}
	calls := func(l Loss, last Layer, pred *mat.Dense, y Targets) map[string]func() {
		m := map[string]func(){
			"Loss": func() { l.Loss(pred, y) },
			"Grad": func() { l.Grad(pred, y) },
		}
		if f, ok := l.(fusedLoss); ok {
			m["fused"] = func() { f.fusedGrad(last, pred, y) }
		}
		return m
	}
	tests := []struct {
		name string
		l    Loss
		last Layer
		pred *mat.Dense
		y    Targets
		want error
	}{
		{"CrossEntropy/weights-length", &CrossEntropy{Weights: []float64{1, 2}}, &Softmax{}, p3, labels, ErrShape},
		{"CrossEntropy/negative-weight", &CrossEntropy{Weights: []float64{1, -2, 1}}, &Softmax{}, p3, labels, ErrSetting},
		{"CrossEntropy/NaN-weight", &CrossEntropy{Weights: []float64{1, math.NaN(), 1}}, &Softmax{}, p3, labels, ErrSetting},
		{"CrossEntropy/smoothing-one", &CrossEntropy{Smoothing: 1}, &Softmax{}, p3, labels, ErrSetting},
		{"CrossEntropy/smoothing-negative", &CrossEntropy{Smoothing: -0.5}, &Softmax{}, p3, labels, ErrSetting},
		{"MSE/nil-values", &MSE{}, nil, p3, labels, ErrShape},
		{"MSE/rows", &MSE{}, nil, p3, Targets{Values: mat.NewDense(3, 3, nil)}, ErrShape},
		{"MSE/columns", &MSE{}, nil, p3, Targets{Values: mat.NewDense(2, 2, nil)}, ErrShape},
		{"BinaryCrossEntropy/two-columns", &BinaryCrossEntropy{}, &Sigmoid{}, mat.NewDense(2, 2, nil), labels, ErrShape},
		{"BinaryCrossEntropy/label-count", &BinaryCrossEntropy{}, &Sigmoid{}, p1, Targets{Labels: []int{1}}, ErrShape},
		{"BinaryCrossEntropy/label-2", &BinaryCrossEntropy{}, &Sigmoid{}, p1, Targets{Labels: []int{1, 2}}, ErrData},
		{"BinaryCrossEntropy/label-negative", &BinaryCrossEntropy{}, &Sigmoid{}, p1, Targets{Labels: []int{-1, 0}}, ErrData},
		{"CrossEntropy/label-3", &CrossEntropy{}, &Softmax{}, p3, Targets{Labels: []int{0, 3}}, ErrData},
		{"CrossEntropy/label-negative", &CrossEntropy{}, &Softmax{}, p3, Targets{Labels: []int{-1, 0}}, ErrData},
	}
	for _, tc := range tests {
		for call, f := range calls(tc.l, tc.last, tc.pred, tc.y) {
			t.Run(tc.name+"/"+call, func(t *testing.T) { extPanics(t, tc.want, f) })
		}
	}
}

func TestMSEHandValues(t *testing.T) {
	// pred - y = (1, 0, -2, 3): L = (1 + 0 + 4 + 9)/4 = 3.5, as
	// F.mse_loss(pred, y); dL/dpred = 2(pred - y)/4.
	pred := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	y := Targets{Values: mat.NewDense(2, 2, []float64{0, 2, 5, 1})}
	var l MSE
	if got := l.Loss(pred, y); got != 3.5 {
		t.Errorf("Loss = %v, want 3.5", got)
	}
	want := mat.NewDense(2, 2, []float64{0.5, 0, -1, 1.5})
	if got := l.Grad(pred, y); !mat.Equal(got, want) {
		t.Errorf("Grad = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
	if l.ReadsTargets() != RealValues {
		t.Error("MSE does not mark itself as a criterion for real-valued targets")
	}
}

func TestBinaryCrossEntropyHandValues(t *testing.T) {
	const clipped = 18.420680743952367 // -ln 1e-8
	tests := []struct {
		name       string
		p          []float64
		y          []int
		loss       float64
		grad       []float64
		gradWithin float64
		lossWithin float64
	}{
		// -(ln 0.8 + ln(1 - 0.3))/2, as F.binary_cross_entropy; dL/dp = -1/(2·0.8), 1/(2·0.7).
		{"plain", []float64{0.8, 0.3}, []int{1, 0}, 0.2899092476264711, []float64{-1 / 1.6, 1 / 1.4}, 1e-15, lossTol},
		// p = 0 and p = 1 with the wrong label: clipped to 1e-8, gradient 0 where clipped.
		{"clipped-wrong", []float64{0, 1}, []int{1, 0}, clipped, []float64{0, 0}, 0, 1e-7},
		// p = 1 and p = 0 with the right label: loss -ln(1 - 1e-8) ≈ 1e-8.
		{"clipped-right", []float64{1, 0}, []int{1, 0}, 1.0000000100247594e-08, []float64{0, 0}, 0, 1e-15},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pred := mat.NewDense(len(tc.p), 1, tc.p)
			y := Targets{Labels: tc.y}
			var b BinaryCrossEntropy
			if got := b.Loss(pred, y); math.Abs(got-tc.loss) > tc.lossWithin {
				t.Errorf("Loss = %.17g, want %.17g", got, tc.loss)
			}
			g := b.Grad(pred, y)
			for i, w := range tc.grad {
				if got := g.At(i, 0); math.Abs(got-w) > tc.gradWithin {
					t.Errorf("Grad[%d] = %.17g, want %.17g", i, got, w)
				}
			}
		})
	}
}

func TestBinaryCrossEntropyValidate(t *testing.T) {
	var b BinaryCrossEntropy
	if err := b.ValidateOutput(1, &Sigmoid{}); err != nil {
		t.Errorf("ValidateOutput(1, Sigmoid) = %v, want nil", err)
	}
	for _, outputs := range []int{0, 2, 3} {
		if err := b.ValidateOutput(outputs, &Sigmoid{}); !errors.Is(err, ErrSetting) {
			t.Errorf("ValidateOutput(%d, Sigmoid) = %v, want an error wrapping ErrSetting", outputs, err)
		}
	}
	for _, last := range []Layer{&Softmax{}, &ReLU{}, NewLinear(2, 1, rand.NewPCG(1, 1))} {
		if err := b.ValidateOutput(1, last); !errors.Is(err, ErrSetting) || !strings.Contains(err.Error(), "Sigmoid") {
			t.Errorf("ValidateOutput(1, %v) = %v, want an error wrapping ErrSetting that names Sigmoid", last, err)
		}
	}
}

// TestFusedLossOnlyWithItsLayer checks that each criterion fuses only with
// the final layer it has the exact gradient for.
func TestFusedLossOnlyWithItsLayer(t *testing.T) {
	p := mat.NewDense(2, 1, []float64{0.3, 0.8})
	y := Targets{Labels: []int{0, 1}}
	tests := []struct {
		name string
		f    fusedLoss
		last Layer
		want bool
	}{
		{"BinaryCrossEntropy/Sigmoid", &BinaryCrossEntropy{}, &Sigmoid{}, true},
		{"BinaryCrossEntropy/Softmax", &BinaryCrossEntropy{}, &Softmax{}, false},
		{"BinaryCrossEntropy/Tanh", &BinaryCrossEntropy{}, &Tanh{}, false},
		{"CrossEntropy/Sigmoid", &CrossEntropy{Smoothing: 0.1}, &Sigmoid{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.fusedGrad(tc.last, p, y) != nil; got != tc.want {
				t.Errorf("fused with %v: %v, want %v", tc.last, got, tc.want)
			}
		})
	}
}

// lossModelCase is a small model trained with a criterion through
// Backprop, whose gradients are checked against central differences of the
// criterion's Loss of the model's output.
type lossModelCase struct {
	name    string
	layers  func(src rand.Source) []Layer
	crit    func() Loss
	in      int
	batch   int
	targets func(rng *rand.Rand, n int) Targets
	fused   bool // Backprop must take the fused path
}

func lossModelLabels(classes int) func(*rand.Rand, int) Targets {
	return func(_ *rand.Rand, n int) Targets {
		y := make([]int, n)
		for i := range y {
			y[i] = i % classes
		}
		return Targets{Labels: y}
	}
}

var lossModelCases = []lossModelCase{
	{
		name:    "BinaryCrossEntropy/Linear(4->1)-Sigmoid",
		layers:  func(src rand.Source) []Layer { return []Layer{NewLinear(4, 1, src), &Sigmoid{}} },
		crit:    func() Loss { return &BinaryCrossEntropy{} },
		in:      4,
		batch:   6,
		targets: lossModelLabels(2),
		fused:   true,
	},
	{
		name: "BinaryCrossEntropy/Linear-Tanh-Linear-Sigmoid",
		layers: func(src rand.Source) []Layer {
			return []Layer{NewLinear(3, 5, src), &Tanh{}, NewLinear(5, 1, src), &Sigmoid{}}
		},
		crit:    func() Loss { return &BinaryCrossEntropy{} },
		in:      3,
		batch:   5,
		targets: lossModelLabels(2),
		fused:   true,
	},
	{
		name:    "CrossEntropy/weighted/Linear(4->3)-Softmax",
		layers:  func(src rand.Source) []Layer { return []Layer{NewLinear(4, 3, src), &Softmax{}} },
		crit:    func() Loss { return &CrossEntropy{Weights: []float64{0.5, 2, 1.25}} },
		in:      4,
		batch:   6,
		targets: lossModelLabels(3),
		fused:   true,
	},
	{
		name:    "CrossEntropy/smoothed/Linear(4->3)-Softmax",
		layers:  func(src rand.Source) []Layer { return []Layer{NewLinear(4, 3, src), &Softmax{}} },
		crit:    func() Loss { return &CrossEntropy{Smoothing: 0.15} },
		in:      4,
		batch:   6,
		targets: lossModelLabels(3),
		fused:   true,
	},
	{
		name: "CrossEntropy/weighted-smoothed/Linear-GELU-Linear-Softmax",
		layers: func(src rand.Source) []Layer {
			return []Layer{NewLinear(3, 6, src), &GELU{}, NewLinear(6, 4, src), &Softmax{}}
		},
		crit:    func() Loss { return &CrossEntropy{Weights: []float64{1, 0.25, 3, 0}, Smoothing: 0.2} },
		in:      3,
		batch:   7,
		targets: lossModelLabels(4),
		fused:   true,
	},
	{
		name: "MSE/Linear-Sigmoid-Linear",
		layers: func(src rand.Source) []Layer {
			return []Layer{NewLinear(3, 5, src), &Sigmoid{}, NewLinear(5, 2, src)}
		},
		crit:  func() Loss { return &MSE{} },
		in:    3,
		batch: 4,
		targets: func(rng *rand.Rand, n int) Targets {
			return Targets{Values: gradNormal(rng, n, 2, 1)}
		},
	},
}

// TestBackpropLossGradients checks, for each model of lossModelCases, every
// parameter gradient Backprop leaves and the input gradient against central
// differences of the criterion's Loss (gradNumerical and gradCompare of
// gradcheck_test.go). For the fused cases this checks (p - y)/n through a
// final Sigmoid and the weighted and smoothed gradient through a final
// Softmax.
func TestBackpropLossGradients(t *testing.T) {
	for ci, tc := range lossModelCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(41, uint64(ci)))
			m, err := NewSequential(tc.layers(rand.NewPCG(42, uint64(ci)))...)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range linears(m) {
				for j := range l.Bias() {
					l.Bias()[j] = 0.3 * rng.NormFloat64()
				}
			}
			x := gradNormal(rng, tc.batch, tc.in, 1.5)
			y := tc.targets(rng, tc.batch)
			crit := tc.crit()

			out := m.Forward(x)
			if f, ok := crit.(fusedLoss); ok {
				layers := m.Layers()
				if fused := f.fusedGrad(layers[len(layers)-1], out, y) != nil; fused != tc.fused {
					t.Fatalf("fused path taken: %v, want %v", fused, tc.fused)
				}
			} else if tc.fused {
				t.Fatal("criterion has no fused gradient")
			}
			Backprop(m, crit, y)
			var grads [][]float64
			for _, p := range m.Params() {
				grads = append(grads, append([]float64(nil), p.Grad.RawMatrix().Data...))
			}
			dx := append([]float64(nil), m.InputGrad().RawMatrix().Data...)

			f := func() float64 { return crit.Loss(m.Forward(x), y) }
			for k, p := range m.Params() {
				gradCompare(t, fmt.Sprintf("param %d (%s)", k, p.Name), grads[k], gradNumerical(f, p.Value.RawMatrix().Data))
			}
			gradCompare(t, "InputGrad", dx, gradNumerical(f, x.RawMatrix().Data))
		})
	}
}

// TestLossAllocs checks that a steady-state Forward and Backprop allocate
// nothing with each new criterion and setting.
func TestLossAllocs(t *testing.T) {
	for ci, tc := range lossModelCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(51, uint64(ci)))
			m, err := NewSequential(tc.layers(rand.NewPCG(52, uint64(ci)))...)
			if err != nil {
				t.Fatal(err)
			}
			x := gradNormal(rng, tc.batch, tc.in, 1)
			y := tc.targets(rng, tc.batch)
			crit := tc.crit()
			m.Forward(x)
			Backprop(m, crit, y)
			if n := testing.AllocsPerRun(20, func() {
				m.Forward(x)
				Backprop(m, crit, y)
			}); n != 0 {
				t.Errorf("Forward+Backprop allocate %v times per run, want 0", n)
			}
		})
	}
}
