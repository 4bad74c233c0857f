package mlp

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// parityCase is one file of testdata/parity: a small MLP computed by
// PyTorch in float64 (format in testdata/parity/README.md).
type parityCase struct {
	Name             string        `json:"name"`
	Sizes            []int         `json:"sizes"`
	HiddenActivation string        `json:"hidden_activation"`
	Output           string        `json:"output"`
	LossFn           string        `json:"loss_fn"`
	X                [][]float64   `json:"x"`
	Y                []int         `json:"y"`
	Weights          []parityLayer `json:"weights"`
	Probs            [][]float64   `json:"probs"`
	Loss             float64       `json:"loss"`
	Grads            []parityLayer `json:"grads"`
	GradX            [][]float64   `json:"grad_x"`
	Optimizers       []struct {
		Optimizer    string                     `json:"optimizer"`
		Params       map[string]json.RawMessage `json:"params"`
		Steps        int                        `json:"steps"`
		LossesBefore []float64                  `json:"losses_before_each_step"`
		WeightsAfter []parityLayer              `json:"weights_after"`
	} `json:"optimizers"`
}

type parityLayer struct {
	W [][]float64 `json:"W"`
	B []float64   `json:"b"`
}

// parityTol is the tolerance of every parity comparison: relative, or
// absolute for values below 1 in magnitude.
const parityTol = 1e-9

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// parityActivation returns the hidden activation layer named by a parity
// file, or nil if the library has none of that name.
func parityActivation(name string) Layer {
	switch name {
	case "relu":
		return &ReLU{}
	case "tanh":
		return &Tanh{}
	case "sigmoid":
		return &Sigmoid{}
	case "leaky_relu":
		return &LeakyReLU{Slope: 0.01}
	case "gelu":
		return &GELU{}
	}
	return nil
}

// parityOptimizer returns the optimizer a trajectory names, or nil, false if
// the library does not have it.
func parityOptimizer(t *testing.T, name string, raw map[string]json.RawMessage, ps []Param) (Optimizer, bool) {
	num := func(key string, def float64) float64 {
		v, ok := raw[key]
		if !ok {
			return def
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			t.Fatalf("param %s: %v", key, err)
		}
		return f
	}
	switch name {
	case "sgd":
		var nesterov bool
		if v, ok := raw["nesterov"]; ok {
			if err := json.Unmarshal(v, &nesterov); err != nil {
				t.Fatal(err)
			}
		}
		o, err := NewSGD(ps, SGDSettings{LR: num("lr", 0), Momentum: num("momentum", 0), Nesterov: nesterov, WeightDecay: num("weight_decay", 0)})
		if err != nil {
			t.Fatal(err)
		}
		return o, true
	case "adam", "adamw":
		// An absent key means PyTorch's default, whose weight decay is
		// 0 for Adam but 0.01 for AdamW.
		wd := 0.0
		if name == "adamw" {
			wd = 0.01
		}
		s := AdamSettings{LR: num("lr", 0), Betas: [2]float64{0.9, 0.999}, Eps: num("eps", 1e-8), WeightDecay: num("weight_decay", wd)}
		if v, ok := raw["betas"]; ok {
			var b []float64
			if err := json.Unmarshal(v, &b); err != nil || len(b) != 2 {
				t.Fatalf("param betas %s: want two numbers (%v)", v, err)
			}
			s.Betas = [2]float64{b[0], b[1]}
		}
		var (
			o   Optimizer
			err error
		)
		if name == "adam" {
			o, err = NewAdam(ps, s)
		} else {
			o, err = NewAdamW(ps, s)
		}
		if err != nil {
			t.Fatal(err)
		}
		return o, true
	}
	return nil, false
}

// buildParityNet builds the network a parity file describes with its initial
// weights.
func buildParityNet(t *testing.T, pc *parityCase) *Sequential {
	t.Helper()
	if pc.Output != "softmax" {
		t.Fatalf("unknown output %q", pc.Output)
	}
	if pc.LossFn != "cross_entropy_mean" {
		t.Fatalf("unknown loss_fn %q", pc.LossFn)
	}
	var layers []Layer
	src := rand.NewPCG(1, 2)
	for i := 0; i+1 < len(pc.Sizes); i++ {
		l := NewLinear(pc.Sizes[i], pc.Sizes[i+1], src)
		if err := l.SetParams(denseOf(pc.Weights[i].W), pc.Weights[i].B); err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
		if i+2 < len(pc.Sizes) {
			a := parityActivation(pc.HiddenActivation)
			if a == nil {
				t.Fatalf("unknown hidden_activation %q", pc.HiddenActivation)
			}
			layers = append(layers, a)
		}
	}
	layers = append(layers, &Softmax{})
	m, err := NewSequential(layers...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func closeEnough(got, want float64) bool {
	d := math.Abs(got - want)
	if math.Abs(want) < 1 {
		return d <= parityTol
	}
	return d <= parityTol*math.Abs(want)
}

func compareMatrix(t *testing.T, what string, got mat.Matrix, want [][]float64) {
	t.Helper()
	r, c := got.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s: got %dx%d, want %dx%d", what, r, c, len(want), len(want[0]))
	}
	for i := range want {
		for j, w := range want[i] {
			if g := got.At(i, j); !closeEnough(g, w) {
				t.Errorf("%s[%d][%d] = %.17g, want %.17g (diff %.3g)", what, i, j, g, w, g-w)
			}
		}
	}
}

func compareVector(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d entries, want %d", what, len(got), len(want))
	}
	for j, w := range want {
		if !closeEnough(got[j], w) {
			t.Errorf("%s[%d] = %.17g, want %.17g (diff %.3g)", what, j, got[j], w, got[j]-w)
		}
	}
}

func linears(m *Sequential) []*Linear {
	var ls []*Linear
	for _, l := range m.Layers() {
		if lin, ok := l.(*Linear); ok {
			ls = append(ls, lin)
		}
	}
	return ls
}

// TestParity checks every file in testdata/parity against the library:
// forward probabilities, loss, every parameter gradient and the input
// gradient, then each optimizer trajectory, to 1e-9.
func TestParity(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "parity", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no parity files in testdata/parity")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pc parityCase
		if err := json.Unmarshal(data, &pc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if stem := strings.TrimSuffix(filepath.Base(f), ".json"); pc.Name != stem {
			t.Fatalf("%s: name %q differs from the file stem", f, pc.Name)
		}
		t.Run(pc.Name, func(t *testing.T) {
			m := buildParityNet(t, &pc)
			x := denseOf(pc.X)
			y := Targets{Labels: pc.Y}
			probs := m.Forward(x)
			compareMatrix(t, "probs", probs, pc.Probs)
			loss := Backprop(m, &CrossEntropy{}, y)
			if !closeEnough(loss, pc.Loss) {
				t.Errorf("loss = %.17g, want %.17g", loss, pc.Loss)
			}
			for i, l := range linears(m) {
				ps := l.Params()
				compareMatrix(t, fmt.Sprintf("grad W%d", i), ps[0].Grad, pc.Grads[i].W)
				compareVector(t, fmt.Sprintf("grad b%d", i), ps[1].Grad.RawMatrix().Data, pc.Grads[i].B)
			}
			compareMatrix(t, "grad_x", m.InputGrad(), pc.GradX)
			for i, traj := range pc.Optimizers {
				t.Run(fmt.Sprintf("%s-%d", traj.Optimizer, i), func(t *testing.T) {
					m := buildParityNet(t, &pc)
					opt, ok := parityOptimizer(t, traj.Optimizer, traj.Params, m.Params())
					if !ok {
						t.Skipf("optimizer %q is not in the library", traj.Optimizer)
					}
					for k := 0; k < traj.Steps; k++ {
						m.Forward(x)
						loss := Backprop(m, &CrossEntropy{}, y)
						if !closeEnough(loss, traj.LossesBefore[k]) {
							t.Errorf("loss before step %d = %.17g, want %.17g", k, loss, traj.LossesBefore[k])
						}
						opt.Step()
					}
					for i, l := range linears(m) {
						compareMatrix(t, fmt.Sprintf("W%d", i), l.Weights(), traj.WeightsAfter[i].W)
						compareVector(t, fmt.Sprintf("b%d", i), l.Bias(), traj.WeightsAfter[i].B)
					}
				})
			}
		})
	}
}
