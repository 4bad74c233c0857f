package mlp_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// metricProbs returns a len(classes)×k matrix whose row i has its largest
// entry, 0.7, in column classes[i] and 0.3/(k-1) elsewhere.
func metricProbs(classes []int, k int) *mat.Dense {
	m := mat.NewDense(len(classes), k, nil)
	for i, c := range classes {
		for j := range k {
			m.Set(i, j, 0.3/float64(k-1))
		}
		m.Set(i, c, 0.7)
	}
	return m
}

// metricClose reports whether got is within tol of want, NaN matching NaN.
func metricClose(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

// metricPanic runs f and returns the error it panics with, or nil.
func metricPanic(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var ok bool
			if err, ok = r.(error); !ok {
				err = fmt.Errorf("non-error panic: %v", r)
			}
		}
	}()
	f()
	return nil
}

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct {
		m    mlp.Metric
		want string
	}{
		{&mlp.Accuracy{}, "accuracy"},
		{&mlp.MacroAverage{}, "macro_f1"},
		{&mlp.MacroAverage{Score: mlp.Precision}, "macro_precision"},
		{&mlp.MacroAverage{Score: mlp.Recall}, "macro_recall"},
		{&mlp.RMSE{}, "rmse"},
		{&mlp.R2{}, "r2"},
		{&mlp.MAE{}, "mae"},
	} {
		if got := tc.m.Name(); got != tc.want {
			t.Errorf("%T.Name() = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows int
		data []float64
		want []int
	}{
		{"three columns", 3, []float64{0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.1, 0.2, 0.7}, []int{1, 0, 2}},
		{"ties take the first maximum", 2, []float64{0.4, 0.4, 0.2, 0.2, 0.4, 0.4}, []int{0, 1}},
		{"negative scores", 2, []float64{-3, -1, -2, -0.5, -4, -9}, []int{1, 0}},
		{"one column thresholds at 0.5", 4, []float64{0.2, 0.5, 0.51, 0.99}, []int{0, 0, 1, 1}},
		{"two columns at equal probability", 1, []float64{0.5, 0.5}, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pred := mat.NewDense(tc.rows, len(tc.data)/tc.rows, tc.data)
			if got := mlp.Classify(pred, nil); !slices.Equal(got, tc.want) {
				t.Errorf("Classify = %v, want %v", got, tc.want)
			}
			// A large enough dst is reused.
			dst := make([]int, 1, tc.rows+3)
			got := mlp.Classify(pred, dst)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Classify with dst = %v, want %v", got, tc.want)
			}
			if &got[0] != &dst[:1][0] {
				t.Errorf("Classify did not reuse dst of capacity %d for %d rows", cap(dst), tc.rows)
			}
		})
	}
}

// broadcastAccuracy is what an (n,1) column compared against an (n,) row
// gives after broadcasting to n×n: the fraction of all pairs (i, j) with
// pred[i] == labels[j]. The tests check that no metric computes this.
func broadcastAccuracy(pred, labels []int) float64 {
	n := 0
	for _, p := range pred {
		for _, l := range labels {
			if p == l {
				n++
			}
		}
	}
	return float64(n) / float64(len(pred)*len(labels))
}

func TestAccuracyBatch(t *testing.T) {
	const tol = 1e-15
	for _, tc := range []struct {
		name   string
		rows   int
		data   []float64 // n×2 class probabilities
		labels []int
		want   float64
	}{
		{
			// Predicted classes [1 1 0 1] against labels [1 0 1 1]: rows 0
			// and 3 agree, so 2/4. Broadcasting would count 3·3 pairs of
			// ones and 1·1 pair of zeros: 10/16 = 0.625.
			name:   "half correct",
			rows:   4,
			data:   []float64{0.2, 0.8, 0.4, 0.6, 0.9, 0.1, 0.3, 0.7},
			labels: []int{1, 0, 1, 1},
			want:   0.5,
		},
		{
			// Predicted [0 0 1] equal the labels: 3/3. Broadcasting gives
			// (2·2+1·1)/9 = 5/9.
			name:   "all correct",
			rows:   3,
			data:   []float64{0.6, 0.4, 0.99, 0.01, 0.45, 0.55},
			labels: []int{0, 0, 1},
			want:   1,
		},
		{
			// Predicted [1 0 0 0 0] against labels [0 1 1 1 1]: 0/5.
			// Broadcasting gives (1·1+4·4)/25 = 17/25.
			name:   "none correct",
			rows:   5,
			data:   []float64{0.1, 0.9, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.5},
			labels: []int{0, 1, 1, 1, 1},
			want:   0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pred := mat.NewDense(tc.rows, 2, tc.data)
			classes := mlp.Classify(pred, nil)
			if b := broadcastAccuracy(classes, tc.labels); math.Abs(b-tc.want) <= tol {
				t.Fatalf("test case cannot tell element-wise from broadcast comparison (both %v)", b)
			}
			var acc mlp.Accuracy
			acc.Update(pred, mlp.Targets{Labels: tc.labels})
			if got := acc.Value(); !metricClose(got, tc.want, tol) {
				t.Errorf("Accuracy.Value() = %v, want %v (broadcast would give %v)", got, tc.want, broadcastAccuracy(classes, tc.labels))
			}
			got, err := mlp.AccuracyScore(classes, tc.labels)
			if err != nil {
				t.Fatalf("AccuracyScore: %v", err)
			}
			if !metricClose(got, tc.want, tol) {
				t.Errorf("AccuracyScore = %v, want %v", got, tc.want)
			}
			r, err := mlp.NewClassificationReport(classes, tc.labels, nil)
			if err != nil {
				t.Fatalf("NewClassificationReport: %v", err)
			}
			if !metricClose(r.Accuracy, tc.want, tol) {
				t.Errorf("ClassificationReport.Accuracy = %v, want %v", r.Accuracy, tc.want)
			}
		})
	}
}

func TestAccuracyOneColumn(t *testing.T) {
	// Sigmoid outputs: predicted classes [0 1 0 1 1] (0.5 is class 0)
	// against labels [0 1 1 1 0]: 3/5 correct.
	pred := mat.NewDense(5, 1, []float64{0.1, 0.9, 0.5, 0.51, 0.7})
	var acc mlp.Accuracy
	acc.Update(pred, mlp.Targets{Labels: []int{0, 1, 1, 1, 0}})
	if got, want := acc.Value(), 0.6; !metricClose(got, want, 1e-15) {
		t.Errorf("Accuracy.Value() = %v, want %v", got, want)
	}
}

func TestAccuracyScoreErrors(t *testing.T) {
	for _, tc := range []struct {
		name         string
		pred, labels []int
	}{
		{"length mismatch", []int{0, 1, 1}, []int{0, 1}},
		{"one label for many predictions", []int{0, 1, 1, 0}, []int{1}},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mlp.AccuracyScore(tc.pred, tc.labels)
			if !errors.Is(err, mlp.ErrData) {
				t.Errorf("AccuracyScore(%v, %v) error = %v, want one wrapping ErrData", tc.pred, tc.labels, err)
			}
		})
	}
}

// The 3-class example used by several tests.
//
//	labels = [0 0 0 0 1 1 1 2 2 2]
//	pred   = [0 0 1 2 1 1 0 2 2 1]
//
// Counts (row true, column predicted):
//
//	        0 1 2
//	true 0: 2 1 1   (4 samples)
//	true 1: 1 2 0   (3 samples)
//	true 2: 0 1 2   (3 samples)
//	column sums: 3 4 3
//
// With tp = diagonal, fp = column sum − tp, fn = row sum − tp, the
// scikit-learn formulas precision = tp/(tp+fp), recall = tp/(tp+fn),
// F1 = 2tp/(2tp+fp+fn) give
//
//	class 0: P = 2/3, R = 2/4, F1 = 4/(4+1+2) = 4/7
//	class 1: P = 2/4, R = 2/3, F1 = 4/(4+2+1) = 4/7
//	class 2: P = 2/3, R = 2/3, F1 = 4/(4+1+1) = 2/3
//
// macro P = (2/3+1/2+2/3)/3 = 11/18, macro R = 11/18,
// macro F1 = (4/7+4/7+2/3)/3 = 38/63, accuracy = 6/10.
var (
	metricLabels3 = []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	metricPred3   = []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}
)

func TestConfusionHandExample(t *testing.T) {
	const tol = 1e-15
	cm, err := mlp.NewConfusionMatrix(metricPred3, metricLabels3, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := [][]int{{2, 1, 1}, {1, 2, 0}, {0, 1, 2}}
	if got := cm.Classes(); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Errorf("Classes() = %q, want [0 1 2]", got)
	}
	for i := range wantCounts {
		for j, want := range wantCounts[i] {
			if got := cm.At(i, j); got != want {
				t.Errorf("At(%d, %d) = %d, want %d", i, j, got, want)
			}
		}
	}
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"Precision(0)", cm.ClassScore(mlp.Precision, 0), 2.0 / 3},
		{"Precision(1)", cm.ClassScore(mlp.Precision, 1), 2.0 / 4},
		{"Precision(2)", cm.ClassScore(mlp.Precision, 2), 2.0 / 3},
		{"Recall(0)", cm.ClassScore(mlp.Recall, 0), 2.0 / 4},
		{"Recall(1)", cm.ClassScore(mlp.Recall, 1), 2.0 / 3},
		{"Recall(2)", cm.ClassScore(mlp.Recall, 2), 2.0 / 3},
		{"F1(0)", cm.ClassScore(mlp.F1, 0), 4.0 / 7},
		{"F1(1)", cm.ClassScore(mlp.F1, 1), 4.0 / 7},
		{"F1(2)", cm.ClassScore(mlp.F1, 2), 2.0 / 3},
		{"Macro(Precision)", cm.Macro(mlp.Precision), 11.0 / 18},
		{"Macro(Recall)", cm.Macro(mlp.Recall), 11.0 / 18},
		{"Macro(F1)", cm.Macro(mlp.F1), 38.0 / 63},
	} {
		if !metricClose(tc.got, tc.want, tol) {
			t.Errorf("%s = %.17g, want %.17g (tolerance %g)", tc.name, tc.got, tc.want, tol)
		}
	}
	// F1 is the harmonic mean of precision and recall where both are defined.
	for c := range 3 {
		p, r, f1 := cm.ClassScore(mlp.Precision, c), cm.ClassScore(mlp.Recall, c), cm.ClassScore(mlp.F1, c)
		if h := 2 * p * r / (p + r); !metricClose(f1, h, 1e-15) {
			t.Errorf("F1(%d) = %v, harmonic mean of P and R = %v", c, f1, h)
		}
	}

	wantTable := "" +
		"true\\pred 0 1 2\n" +
		"0         2 1 1\n" +
		"1         1 2 0\n" +
		"2         0 1 2"
	if got := cm.String(); got != wantTable {
		t.Errorf("String() =\n%s\nwant\n%s", got, wantTable)
	}
}

func TestConfusionStringWide(t *testing.T) {
	var pred, labels []int
	for _, c := range []struct{ t, p, n int }{{0, 0, 120}, {0, 1, 3}, {1, 0, 7}, {1, 1, 45}} {
		for range c.n {
			labels, pred = append(labels, c.t), append(pred, c.p)
		}
	}
	cm, err := mlp.NewConfusionMatrix(pred, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"true\\pred   0   1\n" +
		"0         120   3\n" +
		"1           7  45"
	if got := cm.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestStreamingMacroHandExample(t *testing.T) {
	const tol = 1e-15
	pred := metricProbs(metricPred3, 3)
	y := mlp.Targets{Labels: metricLabels3}
	for _, tc := range []struct {
		m    mlp.Metric
		want float64
	}{
		{&mlp.Accuracy{}, 0.6},
		{&mlp.MacroAverage{Score: mlp.Precision}, 11.0 / 18},
		{&mlp.MacroAverage{Score: mlp.Recall}, 11.0 / 18},
		{&mlp.MacroAverage{}, 38.0 / 63},
	} {
		t.Run(tc.m.Name(), func(t *testing.T) {
			tc.m.Update(pred, y)
			if got := tc.m.Value(); !metricClose(got, tc.want, tol) {
				t.Errorf("Value() = %.17g, want %.17g", got, tc.want)
			}
		})
	}
}

// indexNames returns the names "0" to "k-1", which fix the number of
// classes of a ConfusionMatrix or ClassificationReport at k.
func indexNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	return names
}

func TestConfusionZeroDivision(t *testing.T) {
	const tol = 1e-15
	type scores struct{ p, r, f1 []float64 }
	for _, tc := range []struct {
		name         string
		pred, labels []int
		classes      int
		want         scores
		macro        [3]float64 // precision, recall, F1
	}{
		{
			// Class 2 is a true class but never predicted: P = 0/0 -> 0,
			// R = 0/1 = 0, F1 = 0/1 = 0. Class 1: tp 1, fp 1, fn 0.
			name:    "never predicted",
			pred:    []int{0, 1, 1},
			labels:  []int{0, 1, 2},
			classes: 3,
			want:    scores{p: []float64{1, 0.5, 0}, r: []float64{1, 1, 0}, f1: []float64{1, 2.0 / 3, 0}},
			macro:   [3]float64{0.5, 2.0 / 3, 5.0 / 9},
		},
		{
			// Class 1 is predicted but never true: P = 0/1 = 0,
			// R = 0/0 -> 0, F1 = 0/1 = 0. Class 0: tp 1, fp 0, fn 1.
			name:    "never true",
			pred:    []int{0, 1},
			labels:  []int{0, 0},
			classes: 2,
			want:    scores{p: []float64{1, 0}, r: []float64{0.5, 0}, f1: []float64{2.0 / 3, 0}},
			macro:   [3]float64{0.5, 0.25, 1.0 / 3},
		},
		{
			// Class 2 is neither true nor predicted: its scores are 0 and it
			// is left out of the macro averages, as scikit-learn leaves out
			// labels absent from y_true and y_pred. Classes 0 and 1 are
			// perfect.
			name:    "absent class",
			pred:    []int{0, 1, 1, 0},
			labels:  []int{0, 1, 1, 0},
			classes: 3,
			want:    scores{p: []float64{1, 1, 0}, r: []float64{1, 1, 0}, f1: []float64{1, 1, 0}},
			macro:   [3]float64{1, 1, 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cm, err := mlp.NewConfusionMatrix(tc.pred, tc.labels, indexNames(tc.classes))
			if err != nil {
				t.Fatal(err)
			}
			for c := range tc.classes {
				if got := cm.ClassScore(mlp.Precision, c); !metricClose(got, tc.want.p[c], tol) {
					t.Errorf("Precision(%d) = %v, want %v", c, got, tc.want.p[c])
				}
				if got := cm.ClassScore(mlp.Recall, c); !metricClose(got, tc.want.r[c], tol) {
					t.Errorf("Recall(%d) = %v, want %v", c, got, tc.want.r[c])
				}
				if got := cm.ClassScore(mlp.F1, c); !metricClose(got, tc.want.f1[c], tol) {
					t.Errorf("F1(%d) = %v, want %v", c, got, tc.want.f1[c])
				}
			}
			for i, s := range []mlp.Score{mlp.Precision, mlp.Recall, mlp.F1} {
				if got := cm.Macro(s); !metricClose(got, tc.macro[i], tol) {
					t.Errorf("Macro(%d) = %v, want %v", s, got, tc.macro[i])
				}
			}

			// The streaming metrics agree.
			pred := metricProbs(tc.pred, tc.classes)
			y := mlp.Targets{Labels: tc.labels}
			for i, m := range []mlp.Metric{&mlp.MacroAverage{Score: mlp.Precision}, &mlp.MacroAverage{Score: mlp.Recall}, &mlp.MacroAverage{}} {
				m.Update(pred, y)
				if v := m.Value(); !metricClose(v, tc.macro[i], tol) {
					t.Errorf("%s.Value() = %v, want %v", m.Name(), v, tc.macro[i])
				}
			}
		})
	}
}

// TestMacroMatchesScikitLearn checks the one macro rule against
// scikit-learn 1.2: ConfusionMatrix.Macro, the macro and weighted lines of
// ClassificationReport and the streaming MacroAverage give the numbers
// scikit-learn gives. The expected numbers were printed by
//
//	from sklearn.metrics import precision_score, recall_score, f1_score
//	[f(yt, yp, average=a, zero_division=0) for a in ("macro", "weighted")
//	 for f in (precision_score, recall_score, f1_score)]
//
// with yt = labels and yp = pred. With classes larger than the classes
// that occur, the classes absent from both yt and yp must count in
// neither average.
func TestMacroMatchesScikitLearn(t *testing.T) {
	const tol = 1e-15
	for _, tc := range []struct {
		name         string
		labels, pred []int
		classes      int
		macro        [3]float64 // precision, recall, F1
		weighted     [3]float64
	}{
		{"hand example", []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, []int{0, 0, 1, 2, 1, 1, 0, 2, 2, 1}, 3,
			[3]float64{0.611111111111111, 0.611111111111111, 0.6031746031746033},
			[3]float64{0.6166666666666666, 0.6, 0.6}},
		{"absent class", []int{0, 1, 1, 0, 3, 3}, []int{0, 1, 0, 0, 3, 1}, 4,
			[3]float64{0.7222222222222222, 0.6666666666666666, 0.6555555555555556},
			[3]float64{0.7222222222222222, 0.6666666666666666, 0.6555555555555556}},
		{"never predicted", []int{0, 1, 2}, []int{0, 1, 1}, 3,
			[3]float64{0.5, 0.6666666666666666, 0.5555555555555555},
			[3]float64{0.5, 0.6666666666666666, 0.5555555555555555}},
		{"never true", []int{0, 0}, []int{0, 1}, 2,
			[3]float64{0.5, 0.25, 0.3333333333333333},
			[3]float64{1.0, 0.5, 0.6666666666666666}},
		{"two of five classes", []int{0, 0, 4, 4, 4}, []int{0, 4, 4, 4, 0}, 5,
			[3]float64{0.5833333333333333, 0.5833333333333333, 0.5833333333333333},
			[3]float64{0.6, 0.6, 0.6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := indexNames(tc.classes)
			cm, err := mlp.NewConfusionMatrix(tc.pred, tc.labels, names)
			if err != nil {
				t.Fatal(err)
			}
			r, err := mlp.NewClassificationReport(tc.pred, tc.labels, names)
			if err != nil {
				t.Fatal(err)
			}
			pred := metricProbs(tc.pred, tc.classes)
			for i, s := range []mlp.Score{mlp.Precision, mlp.Recall, mlp.F1} {
				rm := [3]float64{r.Macro.Precision, r.Macro.Recall, r.Macro.F1}
				rw := [3]float64{r.Weighted.Precision, r.Weighted.Recall, r.Weighted.F1}
				m := &mlp.MacroAverage{Score: s}
				m.Update(pred, mlp.Targets{Labels: tc.labels})
				for _, got := range []struct {
					what string
					v    float64
				}{{"ConfusionMatrix.Macro", cm.Macro(s)}, {"ClassificationReport.Macro", rm[i]}, {m.Name(), m.Value()}} {
					if !metricClose(got.v, tc.macro[i], tol) {
						t.Errorf("%s (score %d) = %.17g, scikit-learn gives %.17g", got.what, s, got.v, tc.macro[i])
					}
				}
				if !metricClose(rw[i], tc.weighted[i], tol) {
					t.Errorf("ClassificationReport.Weighted (score %d) = %.17g, scikit-learn gives %.17g", s, rw[i], tc.weighted[i])
				}
			}
		})
	}
}

func TestNewConfusionMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name         string
		pred, labels []int
		classes      int // 0: no names
		want         error
	}{
		{"length mismatch", []int{0, 1}, []int{0, 1, 1}, 2, mlp.ErrData},
		{"empty", []int{}, []int{}, 2, mlp.ErrData},
		{"label too large", []int{0, 1}, []int{0, 2}, 2, mlp.ErrData},
		{"negative label", []int{0, 1}, []int{-1, 1}, 2, mlp.ErrData},
		{"negative label without names", []int{0, 1}, []int{-1, 1}, 0, mlp.ErrData},
		{"prediction too large", []int{0, 3}, []int{0, 1}, 3, mlp.ErrData},
		{"index beyond MaxClasses without names", []int{0, mlp.MaxClasses}, []int{0, 1}, 0, mlp.ErrData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			if tc.classes > 0 {
				names = indexNames(tc.classes)
			}
			cm, err := mlp.NewConfusionMatrix(tc.pred, tc.labels, names)
			if !errors.Is(err, tc.want) || cm != nil {
				t.Errorf("NewConfusionMatrix = %v, %v; want nil and an error wrapping %v", cm, err, tc.want)
			}
		})
	}
	if cm, err := mlp.NewConfusionMatrix([]int{0}, []int{0}, []string{}); !errors.Is(err, mlp.ErrSetting) {
		t.Errorf("NewConfusionMatrix with no class names = %v, %v; want an error wrapping ErrSetting", cm, err)
	}
}

func TestConfusionClassOutOfRange(t *testing.T) {
	cm, err := mlp.NewConfusionMatrix([]int{0, 1}, []int{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    func()
		want error
	}{
		{"ClassScore(Precision, 2)", func() { cm.ClassScore(mlp.Precision, 2) }, mlp.ErrData},
		{"ClassScore(Recall, -1)", func() { cm.ClassScore(mlp.Recall, -1) }, mlp.ErrData},
		{"ClassScore(F1, 5)", func() { cm.ClassScore(mlp.F1, 5) }, mlp.ErrData},
		{"At(2, 0)", func() { cm.At(2, 0) }, mlp.ErrShape},
		{"Macro(Score(3))", func() { cm.Macro(mlp.Score(3)) }, mlp.ErrSetting},
	} {
		err := metricPanic(tc.f)
		if !errors.Is(err, tc.want) || !errors.Is(err, mlp.ErrMisuse) || !strings.HasPrefix(err.Error(), "mlp: ") {
			t.Errorf("%s panicked with %v, want an error wrapping %v and ErrMisuse", tc.name, err, tc.want)
		}
	}
}

// metricBatches splits n rows into consecutive batches of uneven sizes.
func metricBatches(n int) [][2]int {
	var b [][2]int
	sizes := []int{7, 1, 13, 4, 32}
	for i, lo := 0, 0; lo < n; i++ {
		hi := min(lo+sizes[i%len(sizes)], n)
		b = append(b, [2]int{lo, hi})
		lo = hi
	}
	return b
}

func TestClassificationStreaming(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name    string
		n, cols int
	}{
		{"binary probability column", 101, 1},
		{"two classes", 97, 2},
		{"four classes", 150, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(11, uint64(tc.cols)))
			pred := mat.NewDense(tc.n, tc.cols, nil)
			labels := make([]int, tc.n)
			k := max(tc.cols, 2)
			for i := range tc.n {
				for j := range tc.cols {
					pred.Set(i, j, rnd.Float64())
				}
				labels[i] = rnd.IntN(k)
			}
			classes := mlp.Classify(pred, nil)
			cm, err := mlp.NewConfusionMatrix(classes, labels, indexNames(k))
			if err != nil {
				t.Fatal(err)
			}
			accuracy, err := mlp.AccuracyScore(classes, labels)
			if err != nil {
				t.Fatal(err)
			}
			for _, mc := range []struct {
				m    mlp.Metric
				want float64
			}{
				{&mlp.Accuracy{}, accuracy},
				{&mlp.MacroAverage{Score: mlp.Precision}, cm.Macro(mlp.Precision)},
				{&mlp.MacroAverage{Score: mlp.Recall}, cm.Macro(mlp.Recall)},
				{&mlp.MacroAverage{}, cm.Macro(mlp.F1)},
			} {
				m := mc.m
				m.Update(pred, mlp.Targets{Labels: labels})
				oneShot := m.Value()
				if !metricClose(oneShot, mc.want, tol) {
					t.Errorf("%s one batch = %v, ConfusionMatrix gives %v", m.Name(), oneShot, mc.want)
				}
				// A stale state is cleared by Reset before streaming.
				m.Reset()
				for _, b := range metricBatches(tc.n) {
					m.Update(pred.Slice(b[0], b[1], 0, tc.cols).(*mat.Dense), mlp.Targets{Labels: labels[b[0]:b[1]]})
				}
				if got := m.Value(); !metricClose(got, oneShot, tol) {
					t.Errorf("%s streamed = %v, one batch = %v", m.Name(), got, oneShot)
				}
			}
		})
	}
}

func TestMacroGrowsWithClasses(t *testing.T) {
	// A first batch with two prediction columns, then one with three: the
	// counts of the first batch are kept when the matrix grows.
	first := metricProbs([]int{0, 1, 1}, 2)
	second := metricProbs([]int{2, 2, 0, 1, 1, 0, 2}, 3)
	labels := []int{0, 0, 1, 0, 1, 2, 2, 2, 2, 1}
	cm, err := mlp.NewConfusionMatrix([]int{0, 1, 1, 2, 2, 0, 1, 1, 0, 2}, labels, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f1 mlp.MacroAverage
	f1.Update(first, mlp.Targets{Labels: labels[:3]})
	f1.Update(second, mlp.Targets{Labels: labels[3:]})
	if got, want := f1.Value(), cm.Macro(mlp.F1); !metricClose(got, want, 1e-15) {
		t.Errorf("macro F1 = %v, want %v", got, want)
	}
}

func TestMetricEmptyIsNaN(t *testing.T) {
	ms := []mlp.Metric{&mlp.Accuracy{}, &mlp.MacroAverage{}, &mlp.MacroAverage{Score: mlp.Precision}, &mlp.MacroAverage{Score: mlp.Recall}, &mlp.RMSE{}, &mlp.MAE{}, &mlp.R2{}}
	for _, m := range ms {
		if v := m.Value(); !math.IsNaN(v) {
			t.Errorf("%s: zero value Value() = %v, want NaN", m.Name(), v)
		}
	}
	cls := mat.NewDense(2, 2, []float64{0.9, 0.1, 0.2, 0.8})
	reg := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	for _, m := range ms {
		switch m.(type) {
		case *mlp.RMSE, *mlp.MAE, *mlp.R2:
			m.Update(reg, mlp.Targets{Values: mat.NewDense(2, 2, []float64{1, 3, 2, 4})})
		default:
			m.Update(cls, mlp.Targets{Labels: []int{0, 0}})
		}
		if v := m.Value(); math.IsNaN(v) {
			t.Errorf("%s: Value() after Update is NaN", m.Name())
		}
		m.Reset()
		if v := m.Value(); !math.IsNaN(v) {
			t.Errorf("%s: Value() after Reset = %v, want NaN", m.Name(), v)
		}
	}
}

func TestRegressionHandValues(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name          string
		rows, cols    int
		y, pred       []float64
		rmse, mae, r2 float64
	}{
		{
			// scikit-learn's documented example: MSE = (0.25+0.25+0+1)/4 =
			// 0.375, MAE = (0.5+0.5+0+1)/4 = 0.5, ȳ = 2.875,
			// SS_tot = 29.1875, SS_res = 1.5, R² = 1 − 1.5/29.1875.
			name: "one output",
			rows: 4, cols: 1,
			y:    []float64{3, -0.5, 2, 7},
			pred: []float64{2.5, 0.0, 2, 8},
			rmse: math.Sqrt(0.375),
			mae:  0.5,
			r2:   1 - 1.5/29.1875,
		},
		{
			// Column 0: y = [0.5 −1 7], SS_tot = 50.25 − 6.5²/3,
			// SS_res = 0.25+0+1 = 1.25. Column 1: y = [1 1 −6],
			// SS_tot = 38 − 16/3, SS_res = 3. R² is the mean of the two
			// column scores (scikit-learn: 0.936...). Squared errors
			// 0.25, 1, 0, 1, 1, 1 pool to MSE 4.25/6; absolute errors pool
			// to 4.5/6.
			name: "two outputs",
			rows: 3, cols: 2,
			y:    []float64{0.5, 1, -1, 1, 7, -6},
			pred: []float64{0, 2, -1, 2, 8, -5},
			rmse: math.Sqrt(4.25 / 6),
			mae:  0.75,
			r2:   ((1 - 1.25/(50.25-6.5*6.5/3)) + (1 - 3/(38-16.0/3))) / 2,
		},
		{
			// A constant column predicted exactly scores 1; a constant
			// column predicted wrongly scores 0 (scikit-learn's
			// force_finite). Errors: 0,0.5, 0,−0.5, 0,0.
			name: "constant targets",
			rows: 3, cols: 2,
			y:    []float64{2, 5, 2, 5, 2, 5},
			pred: []float64{2, 5.5, 2, 4.5, 2, 5},
			rmse: math.Sqrt(0.5 / 6),
			mae:  1.0 / 6,
			r2:   0.5,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pred := mat.NewDense(tc.rows, tc.cols, tc.pred)
			y := mlp.Targets{Values: mat.NewDense(tc.rows, tc.cols, tc.y)}
			for _, mc := range []struct {
				m    mlp.Metric
				want float64
			}{
				{&mlp.RMSE{}, tc.rmse},
				{&mlp.MAE{}, tc.mae},
				{&mlp.R2{}, tc.r2},
			} {
				mc.m.Update(pred, y)
				if got := mc.m.Value(); !metricClose(got, mc.want, tol) {
					t.Errorf("%s = %.17g, want %.17g (tolerance %g)", mc.m.Name(), got, mc.want, tol)
				}
			}
		})
	}
	if got, want := 0.936, ((1-1.25/(50.25-6.5*6.5/3))+(1-3/(38-16.0/3)))/2; math.Abs(got-want) > 1e-3 {
		t.Errorf("two-output R² hand value %v differs from scikit-learn's 0.936", want)
	}
}

func TestR2Undefined(t *testing.T) {
	// One sample: R² is undefined, as in scikit-learn.
	var r2 mlp.R2
	r2.Update(mat.NewDense(1, 1, []float64{1}), mlp.Targets{Values: mat.NewDense(1, 1, []float64{2})})
	if v := r2.Value(); !math.IsNaN(v) {
		t.Errorf("R2 of one sample = %v, want NaN", v)
	}
}

func TestR2LargeOffset(t *testing.T) {
	// y = 1e8 + [1 2 3 4], errors ±0.1: SS_tot = 5, SS_res = 0.04,
	// R² = 0.992. Σy² − (Σy)²/n in float64 would lose all of SS_tot, since
	// Σy² ≈ 4e16 has a spacing of 8.
	const tol = 1e-8
	y := []float64{1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 4}
	pred := []float64{1e8 + 1.1, 1e8 + 1.9, 1e8 + 3.1, 1e8 + 3.9}
	var r2 mlp.R2
	for i := range y {
		r2.Update(mat.NewDense(1, 1, pred[i:i+1]), mlp.Targets{Values: mat.NewDense(1, 1, y[i:i+1])})
	}
	if got, want := r2.Value(), 0.992; !metricClose(got, want, tol) {
		t.Errorf("R2 = %.12g, want %v (tolerance %g)", got, want, tol)
	}
}

// metricRegressionRef computes RMSE, MAE and mean per-column R² of pred
// against y in two passes.
func metricRegressionRef(pred, y *mat.Dense) (rmse, mae, r2 float64) {
	r, c := y.Dims()
	var sq, abs float64
	for j := range c {
		mean := 0.0
		for i := range r {
			mean += y.At(i, j)
		}
		mean /= float64(r)
		var tot, res float64
		for i := range r {
			d := y.At(i, j) - mean
			e := y.At(i, j) - pred.At(i, j)
			tot += d * d
			res += e * e
			abs += math.Abs(e)
		}
		sq += res
		r2 += 1 - res/tot
	}
	n := float64(r * c)
	return math.Sqrt(sq / n), abs / n, r2 / float64(c)
}

func TestRegressionStreaming(t *testing.T) {
	const tol = 1e-12
	for _, tc := range []struct {
		name    string
		n, cols int
		offset  float64
	}{
		{"one output", 103, 1, 0},
		{"three outputs", 90, 3, 0},
		{"offset targets", 64, 2, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(5, uint64(tc.n)))
			pred := mat.NewDense(tc.n, tc.cols, nil)
			y := mat.NewDense(tc.n, tc.cols, nil)
			for i := range tc.n {
				for j := range tc.cols {
					v := tc.offset + float64(j+1)*rnd.NormFloat64()
					y.Set(i, j, v)
					pred.Set(i, j, v+0.3*rnd.NormFloat64())
				}
			}
			rmse, mae, r2 := metricRegressionRef(pred, y)
			for _, mc := range []struct {
				m    mlp.Metric
				want float64
			}{
				{&mlp.RMSE{}, rmse},
				{&mlp.MAE{}, mae},
				{&mlp.R2{}, r2},
			} {
				m := mc.m
				m.Update(pred, mlp.Targets{Values: y})
				oneShot := m.Value()
				if !metricClose(oneShot, mc.want, tol) {
					t.Errorf("%s one batch = %.17g, two-pass reference %.17g", m.Name(), oneShot, mc.want)
				}
				m.Reset()
				for _, b := range metricBatches(tc.n) {
					m.Update(pred.Slice(b[0], b[1], 0, tc.cols).(*mat.Dense),
						mlp.Targets{Values: y.Slice(b[0], b[1], 0, tc.cols).(*mat.Dense)})
				}
				if got := m.Value(); !metricClose(got, oneShot, tol) {
					t.Errorf("%s streamed = %.17g, one batch = %.17g (tolerance %g)", m.Name(), got, oneShot, tol)
				}
			}
		})
	}
}

func TestMetricUpdateAllocs(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	const n, k = 32, 3
	// A view into a wider matrix checks that strides are respected without
	// copying.
	wide := mat.NewDense(n, k+2, nil)
	labels := make([]int, n)
	values := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k + 2 {
			wide.Set(i, j, rnd.Float64())
		}
		for j := range k {
			values.Set(i, j, rnd.NormFloat64())
		}
		labels[i] = rnd.IntN(k)
	}
	pred := wide.Slice(0, n, 1, 1+k).(*mat.Dense)
	cls := mlp.Targets{Labels: labels}
	reg := mlp.Targets{Values: values}
	for _, tc := range []struct {
		m mlp.Metric
		y mlp.Targets
	}{
		{&mlp.Accuracy{}, cls},
		{&mlp.MacroAverage{}, cls},
		{&mlp.MacroAverage{Score: mlp.Precision}, cls},
		{&mlp.MacroAverage{Score: mlp.Recall}, cls},
		{&mlp.RMSE{}, reg},
		{&mlp.MAE{}, reg},
		{&mlp.R2{}, reg},
	} {
		t.Run(tc.m.Name(), func(t *testing.T) {
			m := tc.m
			m.Update(pred, tc.y) // first use may size storage
			m.Reset()
			allocs := testing.AllocsPerRun(20, func() {
				m.Update(pred, tc.y)
			})
			if allocs != 0 {
				t.Errorf("Update allocates %v times per call, want 0", allocs)
			}
		})
	}
	t.Run("Classify", func(t *testing.T) {
		dst := make([]int, n)
		if allocs := testing.AllocsPerRun(20, func() { dst = mlp.Classify(pred, dst) }); allocs != 0 {
			t.Errorf("Classify with a large enough dst allocates %v times per call, want 0", allocs)
		}
	})
}

func TestMetricUpdatePanics(t *testing.T) {
	cls := mat.NewDense(4, 3, nil)
	reg := mat.NewDense(4, 2, nil)
	for _, tc := range []struct {
		name    string
		m       mlp.Metric
		pred    *mat.Dense
		y       mlp.Targets
		want    error
		message []string // substrings the panic message must contain
	}{
		{"accuracy length", &mlp.Accuracy{}, cls, mlp.Targets{Labels: []int{0, 1, 2}}, mlp.ErrShape, []string{"accuracy", "3 labels", "4 prediction rows"}},
		{"macro_f1 length", &mlp.MacroAverage{}, cls, mlp.Targets{Labels: []int{0, 1, 2, 0, 1}}, mlp.ErrShape, []string{"macro_f1", "5 labels", "4 prediction rows"}},
		{"macro_precision no labels", &mlp.MacroAverage{Score: mlp.Precision}, cls, mlp.Targets{Values: reg}, mlp.ErrShape, []string{"macro_precision", "0 labels", "4 prediction rows"}},
		{"macro_recall length", &mlp.MacroAverage{Score: mlp.Recall}, cls, mlp.Targets{Labels: []int{1}}, mlp.ErrShape, []string{"macro_recall", "1 labels", "4 prediction rows"}},
		{"accuracy label out of range", &mlp.Accuracy{}, cls, mlp.Targets{Labels: []int{0, 1, 3, 0}}, mlp.ErrData, []string{"accuracy", "label 3", "row 2"}},
		{"macro_f1 negative label", &mlp.MacroAverage{}, cls, mlp.Targets{Labels: []int{0, -1, 2, 0}}, mlp.ErrData, []string{"macro_f1", "label -1", "row 1"}},
		{"rmse shape", &mlp.RMSE{}, reg, mlp.Targets{Values: mat.NewDense(4, 1, nil)}, mlp.ErrShape, []string{"rmse", "4x1", "4x2"}},
		{"mae rows", &mlp.MAE{}, reg, mlp.Targets{Values: mat.NewDense(3, 2, nil)}, mlp.ErrShape, []string{"mae", "3x2", "4x2"}},
		{"r2 no values", &mlp.R2{}, reg, mlp.Targets{Labels: []int{0, 1, 0, 1}}, mlp.ErrShape, []string{"r2", "no target values", "4x2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := metricPanic(func() { tc.m.Update(tc.pred, tc.y) })
			if err == nil {
				t.Fatal("Update did not panic")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("panic %q does not wrap %v", err, tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "mlp: ") {
				t.Errorf("panic message %q does not start with \"mlp: \"", msg)
			}
			for _, s := range tc.message {
				if !strings.Contains(msg, s) {
					t.Errorf("panic message %q does not contain %q", msg, s)
				}
			}
		})
	}
}

func TestR2ColumnChangePanics(t *testing.T) {
	var r2 mlp.R2
	r2.Update(mat.NewDense(2, 2, []float64{1, 2, 3, 4}), mlp.Targets{Values: mat.NewDense(2, 2, []float64{1, 2, 3, 5})})
	err := metricPanic(func() {
		r2.Update(mat.NewDense(2, 1, []float64{1, 2}), mlp.Targets{Values: mat.NewDense(2, 1, []float64{1, 2})})
	})
	if !errors.Is(err, mlp.ErrShape) {
		t.Errorf("R2 after a width change panicked with %v, want an error wrapping ErrShape", err)
	}
	// After Reset a new width is accepted.
	r2.Reset()
	r2.Update(mat.NewDense(2, 1, []float64{1, 2}), mlp.Targets{Values: mat.NewDense(2, 1, []float64{1, 2})})
	if v := r2.Value(); v != 1 {
		t.Errorf("R2 of an exact fit = %v, want 1", v)
	}
}
