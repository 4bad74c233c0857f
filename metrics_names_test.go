package mlp

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/testkit"
)

// TestMetricByName checks every name MetricByName knows: a fresh metric
// each call, whose Name is known too (so History's names look up again),
// whose "neg_" values are the negated figures with Goal Maximize, and an
// error listing the names for an unknown one.
func TestMetricByName(t *testing.T) {
	proba := mat.NewDense(4, 1, []float64{0.2, 0.7, 0.4, 0.9})
	cls := Targets{Labels: []int{0, 1, 1, 1}}
	pred := mat.NewDense(3, 1, []float64{1, 2, 4})
	reg := Targets{Values: mat.NewDense(3, 1, []float64{1, 3, 3})}
	want := map[string]float64{
		"accuracy": 0.75, "balanced_accuracy": (1 + 2.0/3) / 2, "roc_auc": 1, "roc_auc_ovr": 1,
		"average_precision":           1, // 0.9, 0.7, 0.4 positive, then 0.2: precision 1 at each positive
		"log_loss":                    -(math.Log(0.8) + math.Log(0.7) + math.Log(0.4) + math.Log(0.9)) / 4,
		"f1_macro":                    (2.0/3 + 0.8) / 2,
		"macro_f1":                    (2.0/3 + 0.8) / 2,
		"precision_macro":             (0.5 + 1) / 2,
		"macro_precision":             (0.5 + 1) / 2,
		"recall_macro":                (1 + 2.0/3) / 2,
		"macro_recall":                (1 + 2.0/3) / 2,
		"rmse":                        math.Sqrt(2.0 / 3),
		"mae":                         2.0 / 3,
		"r2":                          1 - 2/(8.0/3),
		"neg_root_mean_squared_error": -math.Sqrt(2.0 / 3),
		"neg_mean_absolute_error":     -2.0 / 3,
		"neg_mean_squared_error":      -2.0 / 3,
	}
	want["neg_log_loss"] = -want["log_loss"]
	names := MetricNames()
	if len(names) != len(want) || !slices.IsSorted(names) {
		t.Fatalf("MetricNames() = %v; want the %d names tested here, sorted", names, len(want))
	}
	for _, name := range names {
		m, err := MetricByName(name)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := MetricByName(name)
		if m == again {
			t.Errorf("%s: two calls return the same metric", name)
		}
		if _, err := MetricByName(m.Name()); err != nil {
			t.Errorf("%s: its metric's Name %q is unknown: %v", name, m.Name(), err)
		}
		if r, ok := m.(TargetReader); ok && r.ReadsTargets() == RealValues {
			m.Update(pred, reg)
		} else {
			m.Update(proba, cls)
		}
		w, ok := want[name]
		if got := m.Value(); !ok || math.Abs(got-w) > 1e-12*math.Abs(w) {
			t.Errorf("%s: %s = %.17g, want %.17g", name, m.Name(), got, w)
		}
		g, _ := m.(Goaler)
		wantGoal := Maximize
		if name == "log_loss" || name == "rmse" || name == "mae" {
			wantGoal = Minimize
		}
		if g == nil || g.Goal() != wantGoal {
			t.Errorf("%s: goal %v, want %v", name, g, wantGoal)
		}
	}
	for name, full := range map[string]string{"neg_log_loss": "neg_log_loss", "neg_root_mean_squared_error": "neg_root_mean_squared_error", "roc_auc_ovr": "roc_auc", "f1_macro": "macro_f1"} {
		if m, _ := MetricByName(name); m.Name() != full {
			t.Errorf("MetricByName(%q).Name() = %q, want %q", name, m.Name(), full)
		}
	}
	_, err := MetricByName("roc_auc_ovo")
	testkit.ErrorContains(t, err, ErrSetting, `unknown metric "roc_auc_ovo"; want one of accuracy, average_precision, balanced_accuracy`)

	// A "neg_" metric refuses what the metric it negates refuses.
	m, _ := MetricByName("neg_log_loss")
	logits, err := NewSequential(NewLinear(2, 3, rand.NewPCG(1, 1)))
	if err == nil {
		_, err = NewTrainer(logits, &CrossEntropy{FromLogits: true}, mustSGD(t, logits, SGDSettings{LR: 0.1}), TrainerSettings{Metrics: []Metric{m}})
	}
	testkit.ErrorContains(t, err, ErrSetting, "log_loss reads class probabilities")
}

// TestMetricValue checks that MetricValue returns the figure, turns the
// panics of Update into errors, and reports an undefined figure.
func TestMetricValue(t *testing.T) {
	proba := mat.NewDense(3, 1, []float64{0.2, 0.7, 0.9})
	v, err := MetricValue(&ROCAUC{}, proba, Targets{Labels: []int{0, 1, 1}})
	if err != nil || v != 1 {
		t.Errorf("MetricValue = %v, %v; want 1", v, err)
	}
	m := &LogLoss{}
	m.Update(proba, Targets{Labels: []int{1, 1, 1}}) // forgotten by Reset
	v, err = MetricValue(m, proba, Targets{Labels: []int{0, 1, 1}})
	if want := -(math.Log(0.8) + math.Log(0.7) + math.Log(0.9)) / 3; err != nil || math.Abs(v-want) > 1e-15 {
		t.Errorf("MetricValue = %v, %v; want %v", v, err, want)
	}
	_, err = MetricValue(&ROCAUC{}, proba, Targets{Labels: []int{1, 1, 1}})
	testkit.ErrorContains(t, err, ErrData, `metric "roc_auc" is undefined (NaN) on these 3 rows`)
	_, err = MetricValue(&Accuracy{}, proba, Targets{Labels: []int{0, 2, 1}})
	testkit.ErrorContains(t, err, ErrData, `metric "accuracy": `)
	_, err = MetricValue(&ROCAUC{}, mat.NewDense(1, 1, []float64{3}), Targets{Labels: []int{0}})
	testkit.ErrorContains(t, err, ErrData, "entry 3 of row 0, column 0 is not a probability")
	_, err = MetricValue(&RMSE{}, proba, Targets{Values: mat.NewDense(2, 1, nil)})
	testkit.ErrorContains(t, err, ErrShape, `metric "rmse"`)
	_, err = MetricValue(nil, proba, Targets{})
	testkit.ErrorContains(t, err, ErrSetting, "nil metric")
}

// With several outputs the squared-error scorer names average each
// output's figure, as scikit-learn's uniform_average, over batches, and
// refuse a batch with another number of outputs; "rmse" pools.
func TestOutputMeanNames(t *testing.T) {
	pred := mat.NewDense(3, 2, []float64{1, 0, 2, 0, 4, 0})
	y := Targets{Values: mat.NewDense(3, 2, []float64{1, 3, 3, 0, 3, 0})}
	// Output 0: errors 0, 1, 1; output 1: 3, 0, 0.
	want := map[string]float64{
		"neg_root_mean_squared_error": -(math.Sqrt(2.0/3) + math.Sqrt(3)) / 2,
		"neg_mean_squared_error":      -(2.0/3 + 3) / 2,
		"rmse":                        math.Sqrt(11.0 / 6),
	}
	for name, w := range want {
		m, _ := MetricByName(name)
		m.Update(pred.Slice(0, 2, 0, 2).(*mat.Dense), Targets{Values: y.Values.Slice(0, 2, 0, 2).(*mat.Dense)})
		m.Update(pred.Slice(2, 3, 0, 2).(*mat.Dense), Targets{Values: y.Values.Slice(2, 3, 0, 2).(*mat.Dense)})
		if got := m.Value(); math.Abs(got-w) > 1e-15*math.Abs(w) {
			t.Errorf("%s = %.17g, want %.17g", name, got, w)
		}
		m.Reset()
		if got := m.Value(); !math.IsNaN(got) {
			t.Errorf("%s after Reset = %v, want NaN", name, got)
		}
	}
	m, _ := MetricByName("neg_mean_squared_error")
	_, err := MetricValue(m, pred, y)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(pred, y)
	func() {
		defer func() {
			e, _ := recover().(error)
			testkit.ErrorContains(t, e, ErrShape, "1 outputs after batches with 2")
		}()
		m.Update(pred.Slice(0, 3, 0, 1).(*mat.Dense), Targets{Values: y.Values.Slice(0, 3, 0, 1).(*mat.Dense)})
	}()
}
