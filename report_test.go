package mlp_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
)

// The reference outputs below are scikit-learn 1.2's, from
// classification_report(yt, yp) and r2_score / mean_squared_error /
// mean_absolute_error with multioutput="raw_values" on the same data.

func TestClassificationReportMatchesScikitLearn(t *testing.T) {
	names := []string{"bird", "cat", "dog"}
	// yt = cat dog dog bird cat dog bird bird cat dog
	// yp = cat dog cat bird dog dog cat bird cat bird
	labels := []int{1, 2, 2, 0, 1, 2, 0, 0, 1, 2}
	pred := []int{1, 2, 1, 0, 2, 2, 1, 0, 1, 0}
	r, err := mlp.NewClassificationReport(pred, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	const want = "              precision    recall  f1-score   support\n\n" +
		"        bird       0.67      0.67      0.67         3\n" +
		"         cat       0.50      0.67      0.57         3\n" +
		"         dog       0.67      0.50      0.57         4\n\n" +
		"    accuracy                           0.60        10\n" +
		"   macro avg       0.61      0.61      0.60        10\n" +
		"weighted avg       0.62      0.60      0.60        10\n"
	if got := r.Table(); got != want {
		t.Errorf("report:\n%s\nwant (scikit-learn):\n%s", got, want)
	}
	// String adds the summary: "dog" is 4 of 10 rows, and the recalls are
	// 2/3, 2/3 and 1/2.
	const summary = "\n" +
		"           accuracy  0.6000\n" +
		"majority-class rate  0.4000  (always predicting \"dog\")\n" +
		"  balanced accuracy  0.6111\n"
	if got := r.String(); got != want+summary {
		t.Errorf("report:\n%s\nwant:\n%s", got, want+summary)
	}
	const tol = 1e-12
	if math.Abs(r.Classes[2].Recall-0.5) > tol || math.Abs(r.Weighted.Precision-(2.0/3*3+0.5*3+2.0/3*4)/10) > tol {
		t.Errorf("dog recall %v, weighted precision %v", r.Classes[2].Recall, r.Weighted.Precision)
	}
}

// TestClassificationReportProbabilities checks the summary of a report
// with probabilities on a set where 8 of 10 rows are class 0 and the
// model, at 60% accuracy, does worse than always predicting 0: the note
// says so. The figures are scikit-learn 1.2.1's roc_auc_score (6.5 of 16
// pairs ranked right, a tie at 0.1 counting a half),
// average_precision_score (0.5·1/3 + 0.5·0.2), log_loss and
// balanced_accuracy_score on the same data.
func TestClassificationReportProbabilities(t *testing.T) {
	p := mat.NewDense(10, 1, []float64{0.1, 0.2, 0.3, 0.4, 0.6, 0.35, 0.7, 0.2, 0.1, 0.45})
	labels := []int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1}
	r, err := mlp.NewClassificationReportProba(p, labels, []string{"no", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	ps := r.Probability
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"accuracy", r.Accuracy, 0.6}, {"majority-class rate", r.MajorityRate, 0.8}, {"balanced accuracy", r.BalancedAccuracy, 0.375},
		{"ROC AUC", ps.ROCAUC, 0.40625}, {"average precision", ps.AveragePrecision, 0.26666666666666666}, {"log loss", ps.LogLoss, 0.7071287427495331},
	} {
		if math.Abs(c.got-c.want) > 1e-12*c.want {
			t.Errorf("%s = %.17g, want %.17g", c.what, c.got, c.want)
		}
	}
	const summary = "           accuracy  0.6000\n" +
		"majority-class rate  0.8000  (always predicting \"no\")\n" +
		"  balanced accuracy  0.3750\n" +
		"            ROC AUC  0.4062\n" +
		"  average precision  0.2667\n" +
		"           log loss  0.7071\n" +
		"note: accuracy 0.6000 is below the majority-class rate 0.8000: always predicting\n" +
		"  \"no\" would score higher; judge the model by its balanced accuracy and\n" +
		"  per-class recall\n"
	if got := r.Summary(); got != summary {
		t.Errorf("summary:\n%s\nwant:\n%s", got, summary)
	}
	// One class only: the AUC is undefined, and the report says why.
	r, err = mlp.NewClassificationReportProba(mat.NewDense(2, 1, []float64{0.7, 0.9}), []int{1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Summary(), "            ROC AUC  undefined: only one class (1) is present in the labels\n") || !math.IsNaN(r.Probability.ROCAUC) {
		t.Errorf("summary:\n%s", r.Summary())
	}
	if strings.Contains(r.Summary(), "note:") {
		t.Errorf("a model at the majority-class rate gets a note:\n%s", r.Summary())
	}
	// Long lines wrap at 80 characters: an undefined AUC of three classes,
	// a long majority class name.
	long := strings.Repeat("ネコ", 20)
	r, err = mlp.NewClassificationReportProba(mat.NewDense(3, 3, []float64{0.2, 0.3, 0.5, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8}), []int{0, 0, 1}, []string{long, "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	const undefined = "            ROC AUC  undefined: class 2 of 3 has no sample (one-vs-rest needs\n" +
		"                     every class)\n"
	if s := r.Summary(); !strings.Contains(s, undefined) || !strings.Contains(s, "note: accuracy 0.3333") {
		t.Errorf("summary:\n%s\nwant the lines\n%s", s, undefined)
	}
	for _, l := range strings.Split(r.Summary(), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("a line of %d characters: %s", n, l)
		}
	}
	_, err = mlp.NewClassificationReportProba(p, labels, []string{"a", "b", "c"})
	testkit.ErrorContains(t, err, mlp.ErrSetting, "3 class names for 1 probability columns (2 classes)")
	_, err = mlp.NewClassificationReportProba(p, labels[:3], nil)
	testkit.ErrorContains(t, err, mlp.ErrData, "3 labels for 10 rows")
}

// TestClassificationReportAbsentClass checks that a class absent from both
// the labels and the predictions gets no line and counts in neither
// average. The reference is
//
//	classification_report([0, 1, 1, 0, 3, 3], [0, 1, 0, 0, 3, 1],
//	                      target_names=["a", "b", "d"], zero_division=0)
//
// from scikit-learn 1.2, whose default labels are the classes present.
func TestClassificationReportAbsentClass(t *testing.T) {
	labels := []int{0, 1, 1, 0, 3, 3}
	pred := []int{0, 1, 0, 0, 3, 1}
	r, err := mlp.NewClassificationReport(pred, labels, []string{"a", "b", "c", "d"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "              precision    recall  f1-score   support\n\n" +
		"           a       0.67      1.00      0.80         2\n" +
		"           b       0.50      0.50      0.50         2\n" +
		"           d       1.00      0.50      0.67         2\n\n" +
		"    accuracy                           0.67         6\n" +
		"   macro avg       0.72      0.67      0.66         6\n" +
		"weighted avg       0.72      0.67      0.66         6\n"
	if got := r.Table(); got != want {
		t.Errorf("report:\n%s\nwant (scikit-learn):\n%s", got, want)
	}
	// Without names the classes are named by their index.
	r, err = mlp.NewClassificationReport(pred, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Classes {
		got = append(got, c.Class)
	}
	if strings.Join(got, " ") != "0 1 3" {
		t.Errorf("classes without names: %q, want [0 1 3]", got)
	}
}

func TestClassificationReportErrors(t *testing.T) {
	tests := []struct {
		name         string
		pred, labels []int
		names        []string
		sentinel     error
		want         string
	}{
		{"length", []int{0}, []int{0, 1}, []string{"a", "b"}, mlp.ErrData, "1 predictions for 2 labels"},
		{"empty", nil, nil, []string{"a"}, mlp.ErrData, "no samples"},
		{"label out of range", []int{0}, []int{2}, []string{"a", "b"}, mlp.ErrData, "label 2 of sample 0"},
		{"negative prediction", []int{-1}, []int{0}, []string{"a", "b"}, mlp.ErrData, "prediction -1 of sample 0"},
		{"no names", []int{0}, []int{0}, []string{}, mlp.ErrSetting, "0 class names"},
		{"repeated name", []int{0}, []int{0}, []string{"a", "a"}, mlp.ErrSetting, `both "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mlp.NewClassificationReport(tt.pred, tt.labels, tt.names)
			testkit.ErrorContains(t, err, tt.sentinel, tt.want)
			_, err = mlp.NewConfusionMatrix(tt.pred, tt.labels, tt.names)
			testkit.ErrorContains(t, err, tt.sentinel, tt.want)
		})
	}
}

func TestConfusionMatrixNames(t *testing.T) {
	m, err := mlp.NewConfusionMatrix([]int{1, 2, 1, 0, 2, 2, 1, 0, 1, 0}, []int{1, 2, 2, 0, 1, 2, 0, 0, 1, 2}, []string{"bird", "cat", "dog"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "true\\pred bird  cat  dog\n" +
		"bird         2    1    0\n" +
		"cat          0    2    1\n" +
		"dog          1    1    2"
	if got := m.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if m.At(2, 0) != 1 {
		t.Errorf("At(dog, bird) = %d, want 1", m.At(2, 0))
	}
}

// TestConfusionMatrixSummarisesManyClasses checks that 4096 classes, two of
// them used, print a few lines instead of a 4096×4096 table (84 MB).
func TestConfusionMatrixSummarisesManyClasses(t *testing.T) {
	names := make([]string, 4096)
	for i := range names {
		names[i] = "class_" + strconv.Itoa(i)
	}
	labels := []int{0, 4095, 0, 4095, 0}
	pred := []int{0, 0, 4095, 4095, 0}
	m, err := mlp.NewConfusionMatrix(pred, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	s := m.String()
	if len(s) > 1000 {
		t.Errorf("summary of 4096 classes is %d bytes, want at most 1000:\n%.2000s", len(s), s)
	}
	for _, want := range []string{"4096 classes", "3 of 5 samples on the diagonal", "-> "} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	r, err := mlp.NewClassificationReport(pred, labels, names)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy != 0.6 {
		t.Errorf("accuracy %v, want 0.6", r.Accuracy)
	}
}

func TestRegressionReportMatchesScikitLearn(t *testing.T) {
	y := mat.NewDense(4, 2, []float64{1, 10, 2, 20, 3, 35, 4, 38})
	p := mat.NewDense(4, 2, []float64{1.5, 12, 1.8, 18, 3.3, 30, 3.9, 40})
	r, err := mlp.NewRegressionReport(p, y, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := []mlp.OutputScores{
		{Name: "a", RMSE: 0.3122499, MAE: 0.275, R2: 0.922},
		{Name: "b", RMSE: 3.04138127, MAE: 2.75, R2: 0.92839865},
	}
	const tol = 1e-7
	for j, w := range want {
		g := r.Outputs[j]
		if g.Name != w.Name || math.Abs(g.RMSE-w.RMSE) > tol || math.Abs(g.MAE-w.MAE) > tol || math.Abs(g.R2-w.R2) > tol {
			t.Errorf("output %d: %+v, want %+v", j, g, w)
		}
	}
	if got := r.R2(); math.Abs(got-0.9251993226898887) > 1e-12 {
		t.Errorf("R2() = %v, want 0.9251993226898887", got)
	}
	if s := r.String(); !strings.Contains(s, "mean r2") || !strings.Contains(s, "0.9284") {
		t.Errorf("String:\n%s", s)
	}
	_, err = mlp.NewRegressionReport(p, mat.NewDense(4, 1, nil), nil)
	if !errors.Is(err, mlp.ErrData) {
		t.Errorf("shape mismatch: %v, want ErrData", err)
	}
	p.Set(0, 0, math.NaN())
	if _, err = mlp.NewRegressionReport(p, y, nil); !errors.Is(err, mlp.ErrData) {
		t.Errorf("NaN prediction: %v, want ErrData", err)
	}
}
