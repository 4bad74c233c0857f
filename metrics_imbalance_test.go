package mlp

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/testkit"
)

// sklearnImbalanceCase is a case of testdata/sklearn/imbalance.json, written
// by imbalance.py: scikit-learn 1.2.1's figures for probabilities proba (one
// column P(class 1), or one per class) against labels, with weights when
// not nil. A figure is a number, "nan" (scikit-learn returns NaN), or nil
// with the message scikit-learn raises in the matching *Error field.
type sklearnImbalanceCase struct {
	Name                  string      `json:"name"`
	Proba                 [][]float64 `json:"proba"`
	Labels                []int       `json:"labels"`
	Weights               []float64   `json:"weights"`
	BalancedAccuracy      any         `json:"balanced_accuracy"`
	BalancedAccuracyError *string     `json:"balanced_accuracy_error"`
	ROCAUC                any         `json:"roc_auc"`
	ROCAUCError           *string     `json:"roc_auc_error"`
	AveragePrecision      any         `json:"average_precision"`
	AveragePrecisionError *string     `json:"average_precision_error"`
	LogLoss               any         `json:"log_loss"`
	LogLossError          *string     `json:"log_loss_error"`
}

func (c *sklearnImbalanceCase) proba() *mat.Dense {
	m := mat.NewDense(len(c.Proba), len(c.Proba[0]), nil)
	for i, r := range c.Proba {
		m.SetRow(i, r)
	}
	return m
}

// checkFigure compares got (and the function's err) with scikit-learn's
// figure want: by sklearnClose for a number (1e-12 relative or 1e-14
// absolute); NaN and an error wrapping ErrData where scikit-learn returns
// NaN or raises.
func checkFigure(t *testing.T, what string, got float64, err error, want any, raised *string) {
	t.Helper()
	switch w := want.(type) {
	case float64:
		if err != nil {
			t.Errorf("%s: %v, want %v", what, err, w)
		} else if !sklearnClose(got, w) {
			t.Errorf("%s = %.17g, scikit-learn %.17g (diff %.3g)", what, got, w, math.Abs(got-w))
		}
	default: // "nan" or raised
		if raised == nil && w != "nan" {
			t.Fatalf("%s: the case holds neither a figure nor an error: %v", what, want)
		}
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want NaN (scikit-learn: %v %v)", what, got, want, deref(raised))
		}
		if err != nil && !errors.Is(err, ErrData) {
			t.Errorf("%s: error %v does not wrap ErrData", what, err)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestImbalanceMetricsSklearn compares the functions and the streaming
// metrics (fed in batches of 7 rows) with scikit-learn 1.2.1 on every case
// of imbalance.json.
func TestImbalanceMetricsSklearn(t *testing.T) {
	cases := testkit.SklearnCases[sklearnImbalanceCase](t, "imbalance.json", 80)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			p := c.proba()
			pred := Classify(p, nil)

			ba, err := BalancedAccuracyScore(pred, c.Labels, c.Weights)
			checkFigure(t, "BalancedAccuracyScore", ba, err, c.BalancedAccuracy, c.BalancedAccuracyError)
			auc, err := ROCAUCScore(p, c.Labels, c.Weights)
			if _, ok := c.ROCAUC.(float64); !ok && err == nil {
				t.Errorf("ROCAUCScore = %v with no error; scikit-learn: %v %s", auc, c.ROCAUC, deref(c.ROCAUCError))
			}
			checkFigure(t, "ROCAUCScore", auc, err, c.ROCAUC, c.ROCAUCError)
			ap, err := AveragePrecisionScore(p, c.Labels, c.Weights)
			checkFigure(t, "AveragePrecisionScore", ap, err, c.AveragePrecision, c.AveragePrecisionError)
			ll, err := LogLossScore(p, c.Labels, c.Weights)
			checkFigure(t, "LogLossScore", ll, err, c.LogLoss, c.LogLossError)

			metrics := []Metric{&BalancedAccuracy{}, &ROCAUC{}, &AveragePrecision{}, &LogLoss{}}
			want := []any{c.BalancedAccuracy, c.ROCAUC, c.AveragePrecision, c.LogLoss}
			raised := []*string{c.BalancedAccuracyError, c.ROCAUCError, c.AveragePrecisionError, c.LogLossError}
			for pass := range 2 { // the second pass after Reset
				for _, m := range metrics {
					m.Reset()
				}
				n, _ := p.Dims()
				for i := 0; i < n; i += 7 {
					j := min(n, i+7)
					y := Targets{Labels: c.Labels[i:j]}
					if c.Weights != nil {
						y.Weights = c.Weights[i:j]
					}
					for _, m := range metrics {
						m.Update(p.Slice(i, j, 0, len(c.Proba[0])).(*mat.Dense), y)
					}
				}
				for k, m := range metrics {
					checkFigure(t, m.Name()+" metric, pass "+string(rune('1'+pass)), m.Value(), nil, want[k], raised[k])
				}
			}
		})
	}
}

// TestProbaMetricsEdges checks what the vectors cannot: Value before any
// sample, the messages of undefined figures, and bad input.
func TestProbaMetricsEdges(t *testing.T) {
	for _, m := range []Metric{&BalancedAccuracy{}, &ROCAUC{}, &AveragePrecision{}, &LogLoss{}} {
		if v := m.Value(); !math.IsNaN(v) {
			t.Errorf("%s: Value with no sample = %v, want NaN", m.Name(), v)
		}
	}
	one := mat.NewDense(3, 1, []float64{0.2, 0.6, 0.9})
	_, err := ROCAUCScore(one, []int{1, 1, 1}, nil)
	testkit.ErrorContains(t, err, ErrData, "only one class (1) is present")
	three := mat.NewDense(2, 3, []float64{0.2, 0.3, 0.5, 0.6, 0.3, 0.1})
	_, err = ROCAUCScore(three, []int{0, 1}, nil)
	testkit.ErrorContains(t, err, ErrData, "class 2 of 3 has no sample")
	_, err = ROCAUCScore(one, []int{0, 1, 1}, []float64{1, 0, 0})
	testkit.ErrorContains(t, err, ErrData, "all have weight 0")
	_, err = AveragePrecisionScore(one, []int{0, 1, 1}, []float64{0, 0, 0})
	testkit.ErrorContains(t, err, ErrData, "every sample weight is 0")
	_, err = LogLossScore(one, []int{0, 1, 1}, []float64{0, 0, 0})
	testkit.ErrorContains(t, err, ErrData, "every sample weight is 0")
	_, err = BalancedAccuracyScore([]int{0, 1}, []int{0, 1}, []float64{0, 0})
	testkit.ErrorContains(t, err, ErrData, "every sample weight is 0")

	// Weights near the float64 limit give the figures of equal weights:
	// no product of totals overflows.
	big := mat.NewDense(4, 1, []float64{0.2, 0.7, 0.4, 0.9})
	for name, f := range map[string]func(*mat.Dense, []int, []float64) (float64, error){"ROCAUCScore": ROCAUCScore, "AveragePrecisionScore": AveragePrecisionScore} {
		plain, err1 := f(big, []int{0, 1, 1, 0}, nil)
		huge, err2 := f(big, []int{0, 1, 1, 0}, []float64{1e300, 1e300, 1e300, 1e300})
		if err1 != nil || err2 != nil || math.Abs(huge-plain) > 1e-15 {
			t.Errorf("%s: %v (%v) with weights 1e300, %v (%v) without", name, huge, err2, plain, err1)
		}
	}

	for _, tc := range []struct {
		name    string
		proba   *mat.Dense
		labels  []int
		weights []float64
		want    string
	}{
		{"nil", nil, nil, nil, "no probabilities"},
		{"rows", one, []int{0, 1}, nil, "2 labels for 3 rows"},
		{"weights", one, []int{0, 1, 1}, []float64{1}, "1 sample weights for 3 rows"},
		{"negative weight", one, []int{0, 1, 1}, []float64{1, -1, 1}, "sample weight -1 of row 1"},
		{"label", one, []int{0, 2, 1}, nil, "label 2 of row 1 is not a class in [0, 2)"},
		{"logit", mat.NewDense(2, 1, []float64{0.5, 1.5}), []int{0, 1}, nil, "entry 1.5 of row 1, column 0 is not a probability"},
		{"NaN", mat.NewDense(2, 1, []float64{math.NaN(), 0.5}), []int{0, 1}, nil, "entry NaN of row 0"},
		{"sum", mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.6}), []int{0, 1}, nil, "row 1 of the probabilities sums to 1.1, not 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, f := range map[string]func(*mat.Dense, []int, []float64) (float64, error){
				"ROCAUCScore": ROCAUCScore, "AveragePrecisionScore": AveragePrecisionScore, "LogLossScore": LogLossScore,
			} {
				_, err := f(tc.proba, tc.labels, tc.weights)
				testkit.ErrorContains(t, err, ErrData, name+": "+tc.want)
			}
		})
	}
	_, err = BalancedAccuracyScore([]int{0}, []int{0, 1}, nil)
	testkit.ErrorContains(t, err, ErrData, "1 predictions for 2 labels")
	_, err = BalancedAccuracyScore([]int{0, 1}, []int{0, 1}, []float64{1, math.Inf(1)})
	testkit.ErrorContains(t, err, ErrData, "sample weight +Inf of sample 1")

	// Update panics, naming the metric, on what the functions refuse.
	for _, m := range []Metric{&ROCAUC{}, &AveragePrecision{}, &LogLoss{}} {
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, ErrMisuse) || !errors.Is(err, ErrData) || !strings.Contains(err.Error(), m.Name()+": entry 1.5") {
					t.Errorf("%s.Update on a logit: panic %v, want ErrMisuse and ErrData naming the metric", m.Name(), err)
				}
			}()
			m.Update(mat.NewDense(2, 1, []float64{0.5, 1.5}), Targets{Labels: []int{0, 1}})
		}()
	}
}

// TestProbaMetricsBatching checks that ROCAUC keeps the samples of every
// batch, with a Reset forgetting them, and that its figure does not depend
// on how the rows are batched.
func TestProbaMetricsBatching(t *testing.T) {
	p := mat.NewDense(6, 1, []float64{0.9, 0.1, 0.8, 0.3, 0.3, 0.6})
	labels := []int{1, 0, 0, 1, 0, 1}
	whole, err := ROCAUCScore(p, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 3·3 (positive, negative) pairs; ranked right: 0.9 beats all three
	// negatives, 0.6 beats 0.3 and 0.1, 0.3 beats 0.1 and ties 0.3 (a
	// half): 3 + 2 + 1.5 = 6.5 of 9.
	if want := 6.5 / 9; math.Abs(whole-want) > 1e-15 {
		t.Errorf("ROCAUCScore = %v, want %v", whole, want)
	}
	var m ROCAUC
	m.Update(mat.NewDense(1, 1, []float64{0.5}), Targets{Labels: []int{0}})
	m.Reset()
	for i := range 6 {
		m.Update(p.Slice(i, i+1, 0, 1).(*mat.Dense), Targets{Labels: labels[i : i+1]})
	}
	if v := m.Value(); v != whole {
		t.Errorf("row by row %v, whole set %v", v, whole)
	}
}

// TestProbaMetricsRefuseLogits checks that NewTrainer refuses a model whose
// output is not probabilities, with a message naming what to build.
func TestProbaMetricsRefuseLogits(t *testing.T) {
	net := func(out int, last ...Layer) *Sequential {
		m, err := NewSequential(append([]Layer{NewLinear(4, out, rand.NewPCG(1, 1))}, last...)...)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	logits, sigmoid3, softmax3, sigmoid1 := net(3), net(3, &Sigmoid{}), net(3, &Softmax{}), net(1, &Sigmoid{})
	sgd := func(m *Sequential) Optimizer { return mustSGD(t, m, SGDSettings{LR: 0.1}) }
	for _, m := range []Metric{&ROCAUC{}, &AveragePrecision{}, &LogLoss{}} {
		_, err := NewTrainer(logits, &CrossEntropy{FromLogits: true}, sgd(logits), TrainerSettings{Metrics: []Metric{m}})
		testkit.ErrorContains(t, err, ErrSetting, m.Name()+" reads class probabilities, but the model ends in Linear(4->3)")
		testkit.ErrorContains(t, err, ErrSetting, "end it with a Softmax")
		_, err = NewTrainer(sigmoid3, &MSE{}, sgd(sigmoid3), TrainerSettings{Metrics: []Metric{m}})
		testkit.ErrorContains(t, err, ErrSetting, "a Sigmoid over 3 columns")
		for _, ok := range []*Sequential{softmax3, sigmoid1} {
			loss := Loss(&CrossEntropy{})
			if ok == sigmoid1 {
				loss = &BinaryCrossEntropy{}
			}
			if _, err := NewTrainer(ok, loss, sgd(ok), TrainerSettings{Metrics: []Metric{m}}); err != nil {
				t.Errorf("%s on %v: %v", m.Name(), ok, err)
			}
		}
	}
}
