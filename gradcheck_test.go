package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Every analytic gradient of the package is compared with central finite
// differences, as gonum's optimize does with diff/fd.
const (
	// gradStep is the step h of the central difference
	// (f(x+h) - f(x-h)) / 2h.
	gradStep = 1e-6
	// gradTol bounds the relative error ‖a-n‖ / max(gradFloor, ‖a‖+‖n‖)
	// between the analytic gradient a of one matrix (a parameter, an
	// input) and its numerical estimate n, in the Euclidean norm. A
	// per-entry ratio would be dominated by rounding noise (about
	// 1e-16·|f|/h = 1e-10) in entries that happen to be near zero; the norm
	// still catches one wrong entry larger than 2e-6 of the gradient's norm.
	gradTol = 1e-6
	// gradFloor keeps the relative error finite where both are zero.
	gradFloor = 1e-8
	// gradKinkGap is the smallest distance kept between an input and a
	// point where the derivative is undefined (0 for ReLU), far more than
	// gradStep so that no difference straddles a kink.
	gradKinkGap = 1e-3
)

// gradNumerical returns the central-difference gradient of f with respect to
// the entries of x: (f(x+h·e_i) - f(x-h·e_i)) / 2h with h = gradStep. It
// changes x[i] in place while evaluating f, so f must read x (for example
// through a matrix backed by x), and restores every entry exactly.
func gradNumerical(f func() float64, x []float64) []float64 {
	g := make([]float64, len(x))
	for i, v := range x {
		x[i] = v + gradStep
		fp := f()
		x[i] = v - gradStep
		fm := f()
		x[i] = v
		g[i] = (fp - fm) / (2 * gradStep)
	}
	return g
}

// gradRelErr returns ‖a-n‖ / max(gradFloor, ‖a‖+‖n‖), the relative error
// gradCompare bounds by gradTol, or +Inf if a holds NaN or Inf.
func gradRelErr(a, n []float64) float64 {
	var d, na, nn float64
	for i, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.Inf(1)
		}
		d += (v - n[i]) * (v - n[i])
		na += v * v
		nn += n[i] * n[i]
	}
	return math.Sqrt(d) / math.Max(gradFloor, math.Sqrt(na)+math.Sqrt(nn))
}

// gradCompare fails t if the analytic gradient differs from the numerical
// one by more than gradTol in relative error, listing the entries that
// differ most.
func gradCompare(t *testing.T, what string, analytic, numeric []float64) {
	t.Helper()
	if len(analytic) != len(numeric) {
		t.Fatalf("%s: %d analytic entries, %d numerical", what, len(analytic), len(numeric))
	}
	e := gradRelErr(analytic, numeric)
	if !(e <= gradTol) {
		t.Errorf("%s: relative error %.3g > %g", what, e, gradTol)
		for i, a := range analytic {
			if n := numeric[i]; math.Abs(a-n) > gradTol*math.Max(gradFloor, math.Abs(a)+math.Abs(n)) {
				t.Errorf("%s[%d]: analytic %.12g, numerical %.12g", what, i, a, n)
			}
		}
		return
	}
	t.Logf("%s: %d entries, relative error %.3g", what, len(analytic), e)
}

// gradEntries returns a copy of the entries of m, row by row.
func gradEntries(m mat.Matrix) []float64 {
	r, c := m.Dims()
	d := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d = append(d, m.At(i, j))
		}
	}
	return d
}

// gradNormal returns an r×c matrix of N(0, scale²) entries from rng.
func gradNormal(rng *rand.Rand, r, c int, scale float64) *mat.Dense {
	d := make([]float64, r*c)
	for i := range d {
		d[i] = scale * rng.NormFloat64()
	}
	return mat.NewDense(r, c, d)
}

// gradAwayFromKinks moves every entry of x at least gradKinkGap away from
// each kink, keeping its side.
func gradAwayFromKinks(x *mat.Dense, kinks []float64) {
	d := x.RawMatrix().Data
	for i, v := range d {
		for _, k := range kinks {
			if math.Abs(v-k) < gradKinkGap {
				if v >= k {
					v = k + gradKinkGap + math.Abs(v-k)
				} else {
					v = k - gradKinkGap - math.Abs(v-k)
				}
			}
		}
		d[i] = v
	}
}

// gradSumProd returns Σ g∘y, the scalar objective whose gradient with
// respect to y is g.
func gradSumProd(g, y *mat.Dense) float64 {
	r, c := y.Dims()
	var s float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s += g.At(i, j) * y.At(i, j)
		}
	}
	return s
}

// layerGradCase is one layer whose Backward is checked against the
// derivative of the objective Σ G∘Forward(X) for a random upstream gradient G.
// A new layer is one more line in layerGradCases.
type layerGradCase struct {
	name  string
	layer func(src rand.Source) Layer
	in    int       // input width
	kinks []float64 // inputs where the derivative is undefined
	scale float64   // inputs are N(0, scale²); 0 means 1
}

var layerGradCases = []layerGradCase{
	{name: "Linear(3->4)", layer: func(src rand.Source) Layer { return NewLinear(3, 4, src) }, in: 3},
	{name: "Linear(5->1)", layer: func(src rand.Source) Layer { return NewLinear(5, 1, src) }, in: 5},
	{name: "Linear(1->6)", layer: func(src rand.Source) Layer { return NewLinear(1, 6, src) }, in: 1},
	{name: "ReLU", layer: func(rand.Source) Layer { return &ReLU{} }, in: 6, kinks: []float64{0}},
	{name: "Softmax", layer: func(rand.Source) Layer { return &Softmax{} }, in: 4},
	{name: "Softmax/wide-logits", layer: func(rand.Source) Layer { return &Softmax{} }, in: 5, scale: 3},
	{name: "Softmax/one-column", layer: func(rand.Source) Layer { return &Softmax{} }, in: 1},
	{name: "Sigmoid", layer: func(rand.Source) Layer { return &Sigmoid{} }, in: 4, scale: 2},
	{name: "Tanh", layer: func(rand.Source) Layer { return &Tanh{} }, in: 4, scale: 1.5},
	{name: "LeakyReLU", layer: func(rand.Source) Layer { return &LeakyReLU{} }, in: 6, kinks: []float64{0}},
	{name: "LeakyReLU/slope0.2", layer: func(rand.Source) Layer { return &LeakyReLU{Slope: 0.2} }, in: 6, kinks: []float64{0}},
	{name: "GELU", layer: func(rand.Source) Layer { return &GELU{} }, in: 5, scale: 2},
}

// TestLayerGradients checks, for every layer of layerGradCases, the input
// gradient returned by Backward and every parameter gradient against
// central differences of Σ G∘Forward(X). Parameters are set to random values
// first, so that a zero bias does not hide a wrong bias gradient.
func TestLayerGradients(t *testing.T) {
	for ci, tc := range layerGradCases {
		for _, batch := range []int{1, 5} {
			t.Run(fmt.Sprintf("%s/batch%d", tc.name, batch), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(ci), uint64(batch)))
				l := tc.layer(rand.NewPCG(uint64(ci), 7))
				for _, p := range layerParams(l) {
					d := p.Value.RawMatrix().Data
					for i := range d {
						d[i] = rng.NormFloat64()
					}
				}
				scale := tc.scale
				if scale == 0 {
					scale = 1
				}
				x := gradNormal(rng, batch, tc.in, scale)
				gradAwayFromKinks(x, tc.kinks)
				y := l.Forward(x)
				r, c := y.Dims()
				g := gradNormal(rng, r, c, 1)

				dx := gradEntries(l.Backward(g))
				var grads [][]float64
				for _, p := range layerParams(l) {
					grads = append(grads, gradEntries(p.Grad))
				}

				f := func() float64 { return gradSumProd(g, l.Forward(x)) }
				gradCompare(t, "dX", dx, gradNumerical(f, x.RawMatrix().Data))
				for k, p := range layerParams(l) {
					gradCompare(t, "d"+p.Name, grads[k], gradNumerical(f, p.Value.RawMatrix().Data))
				}
			})
		}
	}
}

// lossGradCase is one criterion whose Grad is checked against central
// differences of Loss with respect to the predictions.
type lossGradCase struct {
	name string
	loss func() Loss
	pred *mat.Dense
	y    Targets
}

var lossGradCases = []lossGradCase{
	{
		name: "CrossEntropy/3-classes",
		loss: func() Loss { return &CrossEntropy{} },
		pred: mat.NewDense(4, 3, []float64{
			0.7, 0.2, 0.1,
			0.1, 0.6, 0.3,
			0.2, 0.3, 0.5,
			0.05, 0.15, 0.8,
		}),
		y: Targets{Labels: []int{0, 1, 2, 1}},
	},
	{
		name: "CrossEntropy/one-row",
		loss: func() Loss { return &CrossEntropy{} },
		pred: mat.NewDense(1, 2, []float64{0.25, 0.75}),
		y:    Targets{Labels: []int{0}},
	},
	{
		// Unnormalised rows: Loss and Grad look at the label's entry only.
		name: "CrossEntropy/unnormalised",
		loss: func() Loss { return &CrossEntropy{} },
		pred: mat.NewDense(3, 4, []float64{
			0.9, 0.4, 0.3, 0.01,
			0.02, 0.5, 0.7, 0.3,
			0.6, 0.6, 0.6, 0.01,
		}),
		y: Targets{Labels: []int{3, 0, 3}},
	},
	{
		name: "CrossEntropy/weighted",
		loss: func() Loss { return &CrossEntropy{Weights: []float64{0.5, 2, 1}} },
		pred: mat.NewDense(4, 3, []float64{
			0.7, 0.2, 0.1,
			0.1, 0.6, 0.3,
			0.2, 0.3, 0.5,
			0.05, 0.15, 0.8,
		}),
		y: Targets{Labels: []int{0, 1, 2, 1}},
	},
	{
		name: "CrossEntropy/smoothed",
		loss: func() Loss { return &CrossEntropy{Smoothing: 0.1} },
		pred: mat.NewDense(4, 3, []float64{
			0.7, 0.2, 0.1,
			0.1, 0.6, 0.3,
			0.2, 0.3, 0.5,
			0.05, 0.15, 0.8,
		}),
		y: Targets{Labels: []int{0, 1, 2, 1}},
	},
	{
		name: "CrossEntropy/weighted-smoothed",
		loss: func() Loss { return &CrossEntropy{Weights: []float64{0.5, 2, 0, 1.5}, Smoothing: 0.2} },
		pred: mat.NewDense(3, 4, []float64{
			0.4, 0.3, 0.2, 0.1,
			0.1, 0.2, 0.3, 0.4,
			0.25, 0.25, 0.4, 0.1,
		}),
		y: Targets{Labels: []int{0, 3, 2}},
	},
	{
		name: "MSE/3x2",
		loss: func() Loss { return &MSE{} },
		pred: mat.NewDense(3, 2, []float64{0.5, -1.2, 2.0, 0.3, -0.7, 1.1}),
		y:    Targets{Values: mat.NewDense(3, 2, []float64{0.4, -1.0, 1.5, 0.9, -0.2, 1.1})},
	},
	{
		name: "MSE/one-column",
		loss: func() Loss { return &MSE{} },
		pred: mat.NewDense(4, 1, []float64{1, 2, 3, 4}),
		y:    Targets{Values: mat.NewDense(4, 1, []float64{1.5, 1.5, 2.5, 5})},
	},
	{
		name: "BinaryCrossEntropy",
		loss: func() Loss { return &BinaryCrossEntropy{} },
		pred: mat.NewDense(5, 1, []float64{0.9, 0.2, 0.6, 0.05, 0.5}),
		y:    Targets{Labels: []int{1, 0, 0, 1, 1}},
	},
}

// TestLossGradients checks every criterion's Grad against central
// differences of its Loss with respect to each prediction entry.
func TestLossGradients(t *testing.T) {
	for _, tc := range lossGradCases {
		t.Run(tc.name, func(t *testing.T) {
			crit := tc.loss()
			pred := mat.DenseCopyOf(tc.pred)
			analytic := gradEntries(crit.Grad(pred, tc.y))
			numeric := gradNumerical(func() float64 { return crit.Loss(pred, tc.y) }, pred.RawMatrix().Data)
			gradCompare(t, "dPred", analytic, numeric)
		})
	}
}

// gradMinReLUInput runs x through m layer by layer and returns the smallest
// |z| over the inputs z of m's ReLU layers (+Inf if there are none).
func gradMinReLUInput(m *Sequential, x *mat.Dense) float64 {
	least := math.Inf(1)
	for _, l := range m.Layers() {
		if _, ok := l.(*ReLU); ok {
			for _, v := range x.RawMatrix().Data {
				least = min(least, math.Abs(v))
			}
		}
		x = l.Forward(x)
	}
	return least
}

// modelGradCase is a whole model trained with a criterion through Backprop.
type modelGradCase struct {
	name   string
	sizes  []int // Linear widths, input first; ReLU between, Softmax at the end
	batch  int
	labels func(i int) int
	// identity sets the first Linear to W = I, b = 0, so that its input is
	// the logits of the final Softmax (sizes must then be [k, k]).
	identity bool
}

var modelGradCases = []modelGradCase{
	{name: "fused/logits", sizes: []int{3, 3}, batch: 4, identity: true},
	{name: "fused/logits-one-row", sizes: []int{5, 5}, batch: 1, identity: true},
	{name: "fused/Linear(4->3)", sizes: []int{4, 3}, batch: 6},
	{name: "fused/Linear(2->2)", sizes: []int{2, 2}, batch: 3},
	{name: "3-layer/5-7-6-4", sizes: []int{5, 7, 6, 4}, batch: 8},
	{name: "3-layer/3-4-4-2-one-row", sizes: []int{3, 4, 4, 2}, batch: 1},
	{name: "3-layer/8-10-9-3", sizes: []int{8, 10, 9, 3}, batch: 5},
}

// gradModel builds Linear-ReLU-...-Linear-Softmax with the given widths,
// with random biases so that their gradients are exercised.
func gradModel(t *testing.T, sizes []int, rng *rand.Rand, src rand.Source) *Sequential {
	t.Helper()
	var layers []Layer
	for i := 0; i+1 < len(sizes); i++ {
		l := NewLinear(sizes[i], sizes[i+1], src)
		for j := range l.Bias() {
			l.Bias()[j] = 0.3 * rng.NormFloat64()
		}
		layers = append(layers, l)
		if i+2 < len(sizes) {
			layers = append(layers, &ReLU{})
		}
	}
	m, err := NewSequential(append(layers, &Softmax{})...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBackpropGradients checks the gradients Backprop leaves in every
// parameter, and the input gradient m.InputGrad(), against central
// differences of CrossEntropy.Loss(m.Forward(x)). Every model ends in
// Softmax, so this checks the fused softmax and cross-entropy gradient:
// with an identity first layer, InputGrad is the gradient with respect to
// the logits.
func TestBackpropGradients(t *testing.T) {
	for ci, tc := range modelGradCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(ci)))
			m := gradModel(t, tc.sizes, rng, rand.NewPCG(12, uint64(ci)))
			if tc.identity {
				k := tc.sizes[0]
				w := mat.NewDense(k, k, nil)
				for i := 0; i < k; i++ {
					w.Set(i, i, 1)
				}
				if err := linears(m)[0].SetParams(w, make([]float64, k)); err != nil {
					t.Fatal(err)
				}
			}
			x := gradNormal(rng, tc.batch, tc.sizes[0], 1.5)
			classes := tc.sizes[len(tc.sizes)-1]
			y := Targets{Labels: make([]int, tc.batch)}
			for i := range y.Labels {
				y.Labels[i] = i % classes
			}
			if z := gradMinReLUInput(m, x); z < gradKinkGap {
				t.Fatalf("a ReLU input is %.3g from 0, too close to check by differences; change the seed", z)
			}
			crit := &CrossEntropy{}
			m.Forward(x)
			Backprop(m, crit, y)
			var grads [][]float64
			for _, p := range m.Params() {
				grads = append(grads, gradEntries(p.Grad))
			}
			dx := gradEntries(m.InputGrad())

			f := func() float64 { return crit.Loss(m.Forward(x), y) }
			for k, p := range m.Params() {
				gradCompare(t, fmt.Sprintf("param %d (%s)", k, p.Name), grads[k], gradNumerical(f, p.Value.RawMatrix().Data))
			}
			gradCompare(t, "InputGrad", dx, gradNumerical(f, x.RawMatrix().Data))
		})
	}
}

// TestGradNumerical checks the difference helper itself on functions with
// known gradients, so that a broken helper cannot pass the checks above.
func TestGradNumerical(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		f    func(x []float64) float64
		want func(x []float64) []float64
	}{
		{
			name: "quadratic",
			x:    []float64{1, -2, 0.5},
			f:    func(x []float64) float64 { return x[0]*x[0] + 3*x[1]*x[2] },
			want: func(x []float64) []float64 { return []float64{2 * x[0], 3 * x[2], 3 * x[1]} },
		},
		{
			name: "exp-sin",
			x:    []float64{0.3, 1.2},
			f:    func(x []float64) float64 { return math.Exp(x[0]) * math.Sin(x[1]) },
			want: func(x []float64) []float64 {
				return []float64{math.Exp(x[0]) * math.Sin(x[1]), math.Exp(x[0]) * math.Cos(x[1])}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := append([]float64(nil), tc.x...)
			got := gradNumerical(func() float64 { return tc.f(x) }, x)
			for i, v := range x {
				if v != tc.x[i] {
					t.Errorf("x[%d] = %v after the differences, want %v restored", i, v, tc.x[i])
				}
			}
			gradCompare(t, "grad", got, tc.want(tc.x))
			// One entry off by 1e-5 of the norm must be rejected.
			bad := append([]float64(nil), got...)
			bad[len(bad)-1] += 1e-5 * math.Sqrt(floats.Dot(got, got))
			if e := gradRelErr(bad, got); e <= gradTol {
				t.Errorf("relative error %.3g of a wrong entry is within gradTol", e)
			}
		})
	}
}
