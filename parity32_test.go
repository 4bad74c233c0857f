package mlp

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// torch32Case is one case of testdata/torch32/cases.json, written by
// testdata/torch32/gen.py: a small MLP computed by PyTorch in float32.
type torch32Case struct {
	Name      string        `json:"name"`
	Sizes     []int         `json:"sizes"`
	Hidden    string        `json:"hidden"`
	LossFn    string        `json:"loss_fn"`
	X         [][]float64   `json:"x"`
	Labels    []int         `json:"labels"`
	Values    [][]float64   `json:"values"`
	Weights   []parityLayer `json:"weights"`
	Output    [][]float64   `json:"output"`
	Loss      float64       `json:"loss"`
	Grads     []parityLayer `json:"grads"`
	SGDAfter  []parityLayer `json:"sgd_after"`
	AdamAfter []parityLayer `json:"adam_after"`
}

// torch32Tol is the float32 tolerance, |got - want| <= tol·max(1, |want|),
// of outputs, losses, gradients and weights after a step. PyTorch's float32
// products and sums run in another order than the library's chains of fused
// multiply-adds (vectorized, blocked), its exp, tanh and log are its own
// float32 functions, its losses are computed in float32 where the
// library's are float64, and its optimizers step in float32 where the
// library's step float64 master weights: each rounding is at most 2^-24 ≈
// 6e-8 relative, and the vectors' sums have at most 8 terms, so the values
// agree to a few units in the last place of float32. The largest difference
// measured is 8e-8 (logged); 1e-6, 16 units of 2^-24, leaves room for
// cancellation in the sums.
const torch32Tol = 1e-6

// TestParityTorch32 replays PyTorch's float32 vectors through the float32
// training path: the forward output, the loss, every parameter gradient,
// and the weights after one SGD and one Adam step, each within the
// tolerances above.
func TestParityTorch32(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "torch32", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []torch32Case `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) != 4 {
		t.Fatalf("%d cases, want 4", len(file.Cases))
	}
	for _, c := range file.Cases {
		t.Run(c.Name, func(t *testing.T) {
			worst := 0.0
			check := func(what string, got, want float64, tol float64) {
				t.Helper()
				d := math.Abs(got-want) / max(1, math.Abs(want))
				worst = max(worst, d)
				if !(d <= tol) {
					t.Errorf("%s: %v, PyTorch float32 %v (difference %.3g, tolerance %g)", what, got, want, d, tol)
				}
			}
			checkLayers := func(what string, ps []Param, want []parityLayer, grad bool, tol float64) {
				t.Helper()
				for i, l := range want {
					w, b := ps[2*i].Value, ps[2*i+1].Value
					if grad {
						w, b = ps[2*i].Grad, ps[2*i+1].Grad
					}
					for r, row := range l.W {
						for col, v := range row {
							check(what+" W"+string(rune('1'+i)), w.At(r, col), v, tol)
						}
					}
					for col, v := range l.B {
						check(what+" b"+string(rune('1'+i)), b.At(0, col), v, tol)
					}
				}
			}
			for _, opt := range []string{"sgd", "adam"} {
				m, loss, y := torch32Model(t, c)
				var o Optimizer
				if opt == "sgd" {
					o, err = NewSGD(m.Params(), SGDSettings{LR: 0.1})
				} else {
					o, err = NewAdam(m.Params(), AdamSettings{LR: 1e-3})
				}
				if err != nil {
					t.Fatal(err)
				}
				out := m.forward32(denseOf(c.X))
				l := backprop32(m, loss, y)
				if opt == "sgd" {
					for i, row := range c.Output {
						for j, v := range row {
							check("output", out.At(i, j), v, torch32Tol)
						}
					}
					check("loss", l, c.Loss, torch32Tol)
					checkLayers("gradient of", m.Params(), c.Grads, true, torch32Tol)
				}
				o.Step()
				after := c.SGDAfter
				if opt == "adam" {
					after = c.AdamAfter
				}
				checkLayers(opt+" step:", m.Params(), after, false, torch32Tol)
			}
			t.Logf("largest scaled difference from PyTorch float32: %.3g", worst)
		})
	}
}

// torch32Model builds the model, loss and targets of a case: Linear layers
// with the case's weights, its hidden activation, and a final Softmax
// (CrossEntropy), Sigmoid (BinaryCrossEntropy) or nothing (MSE).
func torch32Model(t *testing.T, c torch32Case) (*Sequential, Loss, Targets) {
	t.Helper()
	var layers []Layer
	for i := 0; i+1 < len(c.Sizes); i++ {
		l := newLinear(c.Sizes[i], c.Sizes[i+1])
		if err := l.SetParams(denseOf(c.Weights[i].W), c.Weights[i].B); err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
		if i+2 < len(c.Sizes) {
			layers = append(layers, parityActivation(c.Hidden))
		}
	}
	var loss Loss
	var y Targets
	switch c.LossFn {
	case "ce":
		layers, loss, y = append(layers, &Softmax{}), &CrossEntropy{}, Targets{Labels: c.Labels}
	case "bce":
		layers, loss, y = append(layers, &Sigmoid{}), &BinaryCrossEntropy{}, Targets{Labels: c.Labels}
	case "mse":
		loss, y = &MSE{}, Targets{Values: denseOf(c.Values)}
	default:
		t.Fatalf("unknown loss %q", c.LossFn)
	}
	m, err := NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	return m, loss, y
}
