package tabular

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// weightVectors is testdata/sklearn/weights.json, written by gen_weights.py.
type weightVectors struct {
	Sklearn  string `json:"sklearn"`
	Balanced []struct {
		Labels  []int     `json:"labels"`
		K       int       `json:"k"`
		Weights []float64 `json:"weights"`
	} `json:"balanced"`
	Gradients []struct {
		Name           string        `json:"name"`
		Kind           string        `json:"kind"`
		Activation     string        `json:"activation"`
		Alpha          float64       `json:"alpha"`
		X              [][]float64   `json:"X"`
		Labels         []int         `json:"labels"`
		Values         [][]float64   `json:"values"`
		SampleWeight   []float64     `json:"sample_weight"`
		Coefs          [][][]float64 `json:"coefs"`
		Intercepts     [][]float64   `json:"intercepts"`
		Loss           float64       `json:"loss"`
		CoefGrads      [][][]float64 `json:"coef_grads"`
		InterceptGrads [][]float64   `json:"intercept_grads"`
	} `json:"gradients"`
	Trajectories []struct {
		trajectoryCase
		SampleWeight []float64 `json:"sample_weight"`
	} `json:"trajectories"`
}

func loadWeightVectors(t *testing.T) *weightVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn/weights.json")
	if err != nil {
		t.Fatal(err)
	}
	var v weightVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Sklearn != "1.2.1" || len(v.Balanced) == 0 || len(v.Gradients) == 0 || len(v.Trajectories) == 0 {
		t.Fatalf("vectors of scikit-learn %q with %d/%d/%d cases; want 1.2.1 and some of each",
			v.Sklearn, len(v.Balanced), len(v.Gradients), len(v.Trajectories))
	}
	return &v
}

// TestBalancedClassWeightsSklearn checks BalancedClassWeights against
// scikit-learn's compute_class_weight("balanced") to 1e-15 relative.
func TestBalancedClassWeightsSklearn(t *testing.T) {
	for i, c := range loadWeightVectors(t).Balanced {
		got, err := BalancedClassWeights(c.Labels, c.K)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		for j, want := range c.Weights {
			if d := math.Abs(got[j]-want) / want; !(d <= 1e-15) {
				t.Errorf("case %d: weight of class %d = %.17g, scikit-learn %.17g", i, j, got[j], want)
			}
		}
	}
}

// TestBalancedClassWeightsErrors checks that a class without rows, a label
// out of range and no classes are errors wrapping ErrData.
func TestBalancedClassWeightsErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		labels []int
		k      int
	}{
		{"class without rows", []int{0, 0, 2}, 3},
		{"label out of range", []int{0, 3}, 2},
		{"negative label", []int{0, -1}, 2},
		{"no classes", []int{}, 0},
	} {
		if _, err := BalancedClassWeights(c.labels, c.k); !errors.Is(err, mlp.ErrData) {
			t.Errorf("%s: err = %v, want ErrData", c.name, err)
		}
	}
}

// gradRecorder is an Optimizer that copies the gradients it is asked to
// step with.
type gradRecorder struct {
	params []mlp.Param
	grads  []*mat.Dense
}

func (r *gradRecorder) Step() {
	r.grads = r.grads[:0]
	for _, p := range r.params {
		r.grads = append(r.grads, mat.DenseCopyOf(p.Grad))
	}
}
func (r *gradRecorder) LearningRate() float64      { return 0 }
func (r *gradRecorder) SetLearningRate(lr float64) {}

// weightedGradTol bounds the relative difference (to max(1, |reference|))
// of the loss and every gradient entry: the same sums in another order.
const weightedGradTol = 1e-12

// TestSampleWeightGradientsSklearn checks the weighted, penalised loss of
// one batch and its gradients with respect to every weight and bias, as
// the estimators train, against scikit-learn 1.7's formula
// Σ s·l/Σ s + α‖W‖²/(2Σ s) computed by gen_weights.py (and checked there
// against scikit-learn 1.2.1's _backprop for unit weights).
func TestSampleWeightGradientsSklearn(t *testing.T) {
	var worst float64
	defer func() { t.Logf("largest relative difference from the reference: %.2g", worst) }()
	for _, c := range loadWeightVectors(t).Gradients {
		t.Run(c.Name, func(t *testing.T) {
			init := &MLPWeights{}
			for i := range c.Coefs {
				init.Coefs = append(init.Coefs, denseOf(c.Coefs[i]))
				init.Intercepts = append(init.Intercepts, c.Intercepts[i])
			}
			var hidden []int
			for _, w := range c.Coefs[:len(c.Coefs)-1] {
				hidden = append(hidden, len(w[0]))
			}
			d, err := MLPSettings{HiddenLayerSizes: hidden, Activation: c.Activation, InitialWeights: init}.resolve("test")
			if err != nil {
				t.Fatal(err)
			}
			outputs := len(c.Intercepts[len(c.Intercepts)-1])
			y := mlp.Targets{Labels: c.Labels, Weights: c.SampleWeight}
			var (
				last mlp.Layer
				loss mlp.Loss
			)
			switch c.Kind {
			case "binary":
				last, loss = &mlp.Sigmoid{}, &mlp.BinaryCrossEntropy{}
			case "multiclass":
				last, loss = &mlp.Softmax{}, &mlp.CrossEntropy{}
			default:
				y = mlp.Targets{Values: denseOf(c.Values), Weights: c.SampleWeight}
				loss = &squaredLoss{}
			}
			x := denseOf(c.X)
			net, weights, err := d.build(len(c.X[0]), outputs, len(c.X), last)
			if err != nil {
				t.Fatal(err)
			}
			rec := &gradRecorder{params: net.Params()}
			pen, opt, err := mlp.NewL2Penalty(loss, rec, weights, c.Alpha)
			if err != nil {
				t.Fatal(err)
			}
			net.Forward(x)
			got := mlp.Backprop(net, pen, y)
			opt.Step()
			near := func(what string, got, want float64) {
				t.Helper()
				d := math.Abs(got-want) / math.Max(1, math.Abs(want))
				worst = math.Max(worst, d)
				if !(d <= weightedGradTol) {
					t.Errorf("%s = %.17g, reference %.17g", what, got, want)
				}
			}
			near("loss", got, c.Loss)
			for l := range c.CoefGrads {
				g, b := rec.grads[2*l], rec.grads[2*l+1]
				for i, row := range c.CoefGrads[l] {
					for j, want := range row {
						near("dL/dW"+strconv.Itoa(l)+"["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]", g.At(i, j), want)
					}
				}
				for j, want := range c.InterceptGrads[l] {
					near("dL/db"+strconv.Itoa(l)+"["+strconv.Itoa(j)+"]", b.At(0, j), want)
				}
			}
		})
	}
}

// TestSampleWeightTrajectoriesSklearn trains with integer sample weights
// and checks the loss curve, n_iter_ and final weights against
// scikit-learn 1.2.1 trained on the rows repeated as often as their weight
// (the same objective, one batch per epoch), to trajectoryTol.
func TestSampleWeightTrajectoriesSklearn(t *testing.T) {
	var worst float64
	defer func() { t.Logf("largest relative difference from scikit-learn: %.2g", worst) }()
	for _, c := range loadWeightVectors(t).Trajectories {
		t.Run(c.Name, func(t *testing.T) {
			worst = math.Max(worst, checkTrajectory(t, &c.trajectoryCase, c.SampleWeight))
		})
	}
}

// TestClassWeightIsSampleWeight checks that ClassWeight{c: w} trains
// exactly as sample weight w on every row of class c, and that
// BalancedClassWeight trains as ClassWeight with BalancedClassWeights.
func TestClassWeightIsSampleWeight(t *testing.T) {
	tab, s := trajectoryTable(t, "classifier 3 classes relu alpha 0")
	labels, err := targetClasses(tab)
	if err != nil {
		t.Fatal(err)
	}
	classes := tab.Targets[0].Categories
	fit := func(s MLPSettings, sw []float64) *MLPWeights {
		t.Helper()
		m, err := MLPClassifier(s).FitWeighted(context.Background(), tab, sw)
		if err != nil {
			t.Fatal(err)
		}
		return m.Weights()
	}
	same := func(name string, a, b *MLPWeights) {
		t.Helper()
		for l := range a.Coefs {
			if !mat.Equal(a.Coefs[l], b.Coefs[l]) {
				t.Errorf("%s: coefs[%d] differ", name, l)
			}
		}
	}
	cw := map[string]float64{classes[0]: 2.5, classes[2]: 0.5}
	sw := make([]float64, len(labels))
	for i, l := range labels {
		sw[i] = 1
		if w, ok := cw[classes[l]]; ok {
			sw[i] = w
		}
	}
	withClass := s
	withClass.ClassWeight = cw
	same("ClassWeight against sample weights", fit(withClass, nil), fit(s, sw))

	bw, err := BalancedClassWeights(labels, len(classes))
	if err != nil {
		t.Fatal(err)
	}
	balanced, explicit := s, s
	balanced.BalancedClassWeight = true
	explicit.ClassWeight = map[string]float64{}
	for i, c := range classes {
		explicit.ClassWeight[c] = bw[i]
	}
	same("BalancedClassWeight against ClassWeight", fit(balanced, nil), fit(explicit, nil))

	plain := fit(s, nil)
	ones := make([]float64, len(labels))
	for i := range ones {
		ones[i] = 1
	}
	same("unit sample weights against none", fit(s, ones), plain)
	if w := fit(withClass, nil); mat.Equal(w.Coefs[0], plain.Coefs[0]) {
		t.Error("ClassWeight changed nothing")
	}
}

// TestSampleWeightRejected checks the errors of bad weights: each wraps
// the sentinel named and names what is wrong.
func TestSampleWeightRejected(t *testing.T) {
	tab, s := trajectoryTable(t, "classifier 3 classes relu alpha 0") // 48 rows
	n := tab.Rows()
	ones := func() []float64 {
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		return w
	}
	set := func(w []float64, i int, v float64) []float64 { w[i] = v; return w }
	tests := []struct {
		name  string
		edit  func(s *MLPSettings)
		w     []float64
		reg   bool
		want  error
		words string
	}{
		{"too few weights", nil, ones()[:n-1], false, mlp.ErrData, "47 sample weights for a table of 48 rows"},
		{"negative weight", nil, set(ones(), 3, -1), false, mlp.ErrData, "row 3"},
		{"NaN weight", nil, set(ones(), 5, math.NaN()), false, mlp.ErrData, "row 5"},
		{"all zero", nil, make([]float64, n), false, mlp.ErrData, "sum to 0"},
		{"unknown class", func(s *MLPSettings) { s.ClassWeight = map[string]float64{"nope": 2} }, nil, false, mlp.ErrSetting, `"nope"`},
		{"negative class weight", func(s *MLPSettings) { s.ClassWeight = map[string]float64{"a": -2} }, nil, false, mlp.ErrSetting, "ClassWeight"},
		{"both class weights", func(s *MLPSettings) { s.ClassWeight = map[string]float64{"a": 2}; s.BalancedClassWeight = true }, nil, false, mlp.ErrSetting, "BalancedClassWeight"},
		{"class weights zero every row", func(s *MLPSettings) {
			s.ClassWeight = map[string]float64{"a": 0, "b": 0, "c": 0}
		}, nil, false, mlp.ErrData, "class weights"},
		{"regressor class weight", func(s *MLPSettings) { s.BalancedClassWeight = true }, nil, true, mlp.ErrSetting, "regressor"},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			s := s
			if c.edit != nil {
				c.edit(&s)
			}
			var err error
			if c.reg {
				rt, rs := trajectoryTable(t, "regressor 1 output relu alpha 0")
				rs.BalancedClassWeight = s.BalancedClassWeight
				_, err = MLPRegressor(rs).FitWeighted(context.Background(), rt, c.w)
			} else {
				_, err = MLPClassifier(s).FitWeighted(context.Background(), tab, c.w)
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.words) {
				t.Errorf("err = %v; want %v naming %q", err, c.want, c.words)
			}
		})
	}
}
