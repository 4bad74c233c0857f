package onnx_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/onnx"
)

// kindNet is a net of each layer kind Export writes, named after it.
type kindNet struct {
	name  string
	model *onnx.Model
}

// kindNets returns one model per layer kind Export writes, seeded, with
// preprocessing in front of some.
func kindNets(t testing.TB) []kindNet {
	t.Helper()
	src := rand.NewPCG(7, 11)
	drop, err := mlp.NewDropout(0.3, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	net := func(layers ...mlp.Layer) *mlp.Sequential {
		s, err := mlp.NewSequential(layers...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	lin := func(in, out int) *mlp.Linear { return mlp.NewLinear(in, out, src) }
	nan := math.NaN()
	return []kindNet{
		{"relu", &onnx.Model{Net: net(lin(4, 8), &mlp.ReLU{}, lin(8, 3))}},
		{"leakyrelu", &onnx.Model{Net: net(lin(4, 8), &mlp.LeakyReLU{Slope: 0.2}, lin(8, 3))}},
		{"leakyrelu_default", &onnx.Model{Net: net(lin(4, 8), &mlp.LeakyReLU{}, lin(8, 3))}},
		{"sigmoid", &onnx.Model{Net: net(lin(4, 8), &mlp.Sigmoid{}, lin(8, 1), &mlp.Sigmoid{}), Classes: []string{"no", "yes"}}},
		{"tanh", &onnx.Model{Net: net(lin(4, 8), &mlp.Tanh{}, lin(8, 3))}},
		{"gelu", &onnx.Model{Net: net(lin(4, 8), &mlp.GELU{}, lin(8, 8), &mlp.GELU{}, lin(8, 3))}},
		{"softmax", &onnx.Model{Net: net(lin(4, 16), &mlp.ReLU{}, lin(16, 3), &mlp.Softmax{}),
			Classes: []string{"setosa", "versicolor", "virginica"}}},
		{"dropout", &onnx.Model{Net: net(lin(4, 8), drop, &mlp.ReLU{}, lin(8, 2))}},
		{"preprocess", &onnx.Model{
			Net: net(lin(4, 8), &mlp.Tanh{}, lin(8, 1)),
			Preprocess: onnx.Preprocess{
				Columns: []string{"age", "bmi", "bp", "s1"},
				Impute:  []float64{50, nan, 120.5, -1},
				Mean:    []float64{48.5, 26.4, 94.6, 189.1},
				Std:     []float64{13.1, 4.4, 13.8, 34.6},
			},
			Task: onnx.Regression,
		}},
		{"regressor_scaled", &onnx.Model{
			Net:         net(lin(3, 8), &mlp.ReLU{}, lin(8, 2)),
			Preprocess:  onnx.Preprocess{Impute: []float64{nan, 0.5, nan}, Mean: []float64{1, 2, 3}, Std: []float64{2, 3, 4}},
			Postprocess: onnx.Postprocess{Mean: []float64{152.1, -3}, Std: []float64{77.3, 0.25}},
		}},
		{"scale_only", &onnx.Model{
			Net:        net(lin(4, 8), &mlp.ReLU{}, lin(8, 2), &mlp.Softmax{}),
			Preprocess: onnx.Preprocess{Mean: []float64{1, 2, 3, 4}, Std: []float64{0.5, 2, 3, 1e-3}},
		}},
	}
}

// kindModel returns the model of kindNets named name.
func kindModel(t testing.TB, name string) *onnx.Model {
	t.Helper()
	for _, k := range kindNets(t) {
		if k.name == name {
			return k.model
		}
	}
	t.Fatalf("no net %q in kindNets", name)
	return nil
}

// kindInput returns rows×n inputs drawn from N(0, 3²)·scale + shift, with
// a NaN in some cells of the columns m imputes.
func kindInput(m *onnx.Model, rows int, seed uint64) *mat.Dense {
	n := m.Net.InputSize()
	rng := rand.New(rand.NewPCG(seed, 3))
	x := mat.NewDense(rows, n, nil)
	for i := 0; i < rows; i++ {
		for j := 0; j < n; j++ {
			v := 3 * rng.NormFloat64()
			if m.Preprocess.Mean != nil {
				v = m.Preprocess.Mean[j] + v*m.Preprocess.Std[j]
			}
			if m.Preprocess.Impute != nil && !math.IsNaN(m.Preprocess.Impute[j]) && (i+j)%3 == 0 {
				v = math.NaN()
			}
			x.Set(i, j, v)
		}
	}
	return x
}

// exportBytes returns m exported with settings s.
func exportBytes(t testing.TB, m *onnx.Model, s *onnx.ExportSettings) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := onnx.Export(&buf, m, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Export then Import gives the same layers, weights, names and
// preprocessing, and predictions equal bit for bit, for every layer kind.
func TestRoundTrip(t *testing.T) {
	for _, tc := range kindNets(t) {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model
			back, err := onnx.Import(bytes.NewReader(exportBytes(t, m, nil)), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := layerNames(m.Net)
			var kept []string
			for _, l := range want {
				if l != "Dropout(0.3)" {
					kept = append(kept, l)
				}
			}
			if got := layerNames(back.Net); !slices.Equal(got, kept) {
				t.Errorf("layers %q, want %q", got, kept)
			}
			if back.Appended != "" {
				t.Errorf("appended %q", back.Appended)
			}
			checkSameParams(t, back.Net, m.Net)
			p, q := back.Preprocess, m.Preprocess
			if q.Columns == nil {
				q.Columns = onnx.DefaultColumns(m.Net.InputSize())
			}
			if !slices.Equal(p.Columns, q.Columns) || !sameBits(p.Impute, q.Impute) || !sameBits(p.Mean, q.Mean) || !sameBits(p.Std, q.Std) {
				t.Errorf("preprocessing %+v, want %+v", p, q)
			}
			if pp, qq := back.Postprocess, m.Postprocess; !sameBits(pp.Mean, qq.Mean) || !sameBits(pp.Std, qq.Std) {
				t.Errorf("postprocessing %+v, want %+v", pp, qq)
			}
			x := kindInput(m, 64, 1)
			a, err := m.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			b, err := back.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(a, b) {
				t.Errorf("predictions differ after the round trip, by up to %g", maxDiff(t, a, b))
			}
		})
	}
}

// checkSameParams fails t unless the parameters of a and b, in order, are
// equal bit for bit, and the LeakyReLU slopes are the same.
func checkSameParams(t *testing.T, a, b *mlp.Sequential) {
	t.Helper()
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d parameters, want %d", len(pa), len(pb))
	}
	for i := range pa {
		if !sameBits(pa[i].Value.RawMatrix().Data, pb[i].Value.RawMatrix().Data) {
			t.Errorf("parameter %d (%s) differs", i, pa[i].Name)
		}
	}
	slopes := func(s *mlp.Sequential) []float64 {
		var k []float64
		for _, l := range s.Layers() {
			if l, ok := l.(*mlp.LeakyReLU); ok {
				k = append(k, l.Slope)
			}
		}
		return k
	}
	ka, kb := slopes(a), slopes(b)
	for i := range kb {
		if kb[i] == 0 {
			kb[i] = mlp.DefaultLeakySlope
		}
	}
	if !sameBits(ka, kb) {
		t.Errorf("slopes %v, want %v", ka, kb)
	}
}

// sameBits reports whether a and b hold the same float64 bits.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// A float32 export rounds each weight to the nearest float32 and nothing
// else: importing it gives those weights exactly.
func TestRoundTripFloat32(t *testing.T) {
	for _, tc := range kindNets(t) {
		t.Run(tc.name, func(t *testing.T) {
			back, err := onnx.Import(bytes.NewReader(exportBytes(t, tc.model, &onnx.ExportSettings{Float32: true})), nil)
			if err != nil {
				t.Fatal(err)
			}
			pa, pb := back.Net.Params(), tc.model.Net.Params()
			for i := range pb {
				want := append([]float64(nil), pb[i].Value.RawMatrix().Data...)
				for j, v := range want {
					want[j] = float64(float32(v))
				}
				if !sameBits(pa[i].Value.RawMatrix().Data, want) {
					t.Errorf("parameter %d is not the float32 rounding of the original", i)
				}
			}
		})
	}
}

// The exported graph has the operators the documentation lists, in order.
func TestExportOperators(t *testing.T) {
	want := map[string][]string{
		"relu":             {"Gemm", "Relu", "Gemm"},
		"leakyrelu":        {"Gemm", "PRelu", "Gemm"},
		"sigmoid":          {"Gemm", "Sigmoid", "Gemm", "Sigmoid"},
		"gelu":             {"Gemm", "Div", "Erf", "Add", "Mul", "Mul", "Gemm", "Div", "Erf", "Add", "Mul", "Mul", "Gemm"},
		"softmax":          {"Gemm", "Relu", "Gemm", "Softmax"},
		"dropout":          {"Gemm", "Relu", "Gemm"},
		"preprocess":       {"IsNaN", "Where", "Sub", "Div", "Gemm", "Tanh", "Gemm"},
		"scale_only":       {"Sub", "Div", "Gemm", "Relu", "Gemm", "Softmax"},
		"regressor_scaled": {"IsNaN", "Where", "Sub", "Div", "Gemm", "Relu", "Gemm", "Mul", "Add"},
	}
	for _, tc := range kindNets(t) {
		ops, ok := want[tc.name]
		if !ok {
			continue
		}
		g := decodeGraph(t, exportBytes(t, tc.model, nil))
		var got []string
		for _, n := range g.Node {
			got = append(got, n.GetOpType())
		}
		if !slices.Equal(got, ops) {
			t.Errorf("%s: operators %q, want %q", tc.name, got, ops)
		}
	}
}
