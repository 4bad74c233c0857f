package mlp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// sklearnClassCase is a case of testdata/sklearn/classification.json,
// written by gen_classification.py: scikit-learn's figures for class
// indices labels (true) and pred among k classes, with zero_division=0.
type sklearnClassCase struct {
	Name      string    `json:"name"`
	K         int       `json:"k"`
	Names     []string  `json:"names"` // nil: the indices in decimal
	Labels    []int     `json:"labels"`
	Pred      []int     `json:"pred"`
	Accuracy  float64   `json:"accuracy"`
	Confusion [][]int   `json:"confusion"` // confusion_matrix(labels=range(k))
	Present   []int     `json:"present"`   // the classes in labels ∪ pred
	Precision []float64 `json:"precision"` // per present class
	Recall    []float64 `json:"recall"`
	F1        []float64 `json:"f1"`
	Support   []int     `json:"support"`
	Macro     []float64 `json:"macro"`    // precision, recall, F1
	Weighted  []float64 `json:"weighted"` // precision, recall, F1
	Report    string    `json:"report"`
	// BalancedAccuracy is balanced_accuracy_score; MajorityRate the score
	// of DummyClassifier(strategy="most_frequent") on the labels.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	MajorityRate     float64 `json:"majority_rate"`
}

// names returns the case's class names, the indices in decimal when it
// has none.
func (c *sklearnClassCase) names() []string {
	if c.Names != nil {
		return c.Names
	}
	names := make([]string, c.K)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// oneHotRows returns one row per class index in pred, 1 in that class's
// column of k: a model output every classification metric reads as pred.
func oneHotRows(pred []int, k int) *mat.Dense {
	m := mat.NewDense(len(pred), max(k, 2), nil)
	for i, p := range pred {
		m.Set(i, p, 1)
	}
	return m
}

// intSupports returns scikit-learn's report text with its supports
// printed as integers. When no prediction is right, scikit-learn 1.2.1
// counts the supports in floats (multilabel_confusion_matrix's zeros for
// an empty bincount) and prints "2.0"; the library prints "2" as in every
// other report, a documented difference (docs/conventions.md).
func intSupports(report string) string {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if len(l) < 9 || !strings.HasSuffix(l, ".0") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(l[len(l)-9:]), 64)
		if err != nil {
			continue
		}
		lines[i] = fmt.Sprintf("%s%9d", l[:len(l)-9], int(v))
	}
	return strings.Join(lines, "\n")
}

func checkFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !sklearnClose(got, want) {
		t.Errorf("%s = %v, scikit-learn %v", what, got, want)
	}
}

// AccuracyScore, the Accuracy and MacroAverage metrics, ConfusionMatrix
// (its counts, ClassScore and Macro) and ClassificationReport (its figures
// and its text) give what scikit-learn 1.2.1 gives for the same indices.
func TestClassificationAsScikitLearn(t *testing.T) {
	scores := []struct {
		s    Score
		name string
	}{{Precision, "precision"}, {Recall, "recall"}, {F1, "f1"}}
	for _, c := range readSklearnCases[sklearnClassCase](t, "classification.json", 90) {
		t.Run(c.Name, func(t *testing.T) {
			names := c.names()
			acc, err := AccuracyScore(c.Pred, c.Labels)
			if err != nil {
				t.Fatal(err)
			}
			checkFloat(t, "AccuracyScore", acc, c.Accuracy)

			out := oneHotRows(c.Pred, c.K)
			var a Accuracy
			a.Update(out, Targets{Labels: c.Labels})
			checkFloat(t, "Accuracy", a.Value(), c.Accuracy)

			m, err := NewConfusionMatrix(c.Pred, c.Labels, names)
			if err != nil {
				t.Fatal(err)
			}
			for ti, row := range c.Confusion {
				for pi, want := range row {
					if got := m.At(ti, pi); got != want {
						t.Errorf("At(%d, %d) = %d, scikit-learn %d", ti, pi, got, want)
					}
				}
			}
			for j, cl := range c.Present {
				want := map[Score]float64{Precision: c.Precision[j], Recall: c.Recall[j], F1: c.F1[j]}
				for _, s := range scores {
					checkFloat(t, "ClassScore("+s.name+", "+strconv.Itoa(cl)+")", m.ClassScore(s.s, cl), want[s.s])
				}
			}
			for i, s := range scores {
				checkFloat(t, "Macro("+s.name+")", m.Macro(s.s), c.Macro[i])
				// The metric, fed in two batches.
				mm := MacroAverage{Score: s.s}
				h := len(c.Pred) / 2
				if h > 0 {
					mm.Update(oneHotRows(c.Pred[:h], c.K), Targets{Labels: c.Labels[:h]})
				}
				mm.Update(oneHotRows(c.Pred[h:], c.K), Targets{Labels: c.Labels[h:]})
				checkFloat(t, "MacroAverage{"+s.name+"}", mm.Value(), c.Macro[i])
			}

			r, err := NewClassificationReport(c.Pred, c.Labels, names)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Classes) != len(c.Present) {
				t.Fatalf("%d class lines, scikit-learn %d", len(r.Classes), len(c.Present))
			}
			for j, cl := range c.Present {
				got := r.Classes[j]
				if got.Class != names[cl] || got.Support != c.Support[j] {
					t.Errorf("line %d: class %q support %d, scikit-learn %q %d", j, got.Class, got.Support, names[cl], c.Support[j])
				}
				checkFloat(t, got.Class+" precision", got.Precision, c.Precision[j])
				checkFloat(t, got.Class+" recall", got.Recall, c.Recall[j])
				checkFloat(t, got.Class+" f1", got.F1, c.F1[j])
			}
			checkFloat(t, "report accuracy", r.Accuracy, c.Accuracy)
			for _, avg := range []struct {
				got  ClassScores
				want []float64
			}{{r.Macro, c.Macro}, {r.Weighted, c.Weighted}} {
				checkFloat(t, avg.got.Class+" precision", avg.got.Precision, avg.want[0])
				checkFloat(t, avg.got.Class+" recall", avg.got.Recall, avg.want[1])
				checkFloat(t, avg.got.Class+" f1", avg.got.F1, avg.want[2])
			}
			want := c.Report
			if c.Accuracy == 0 {
				want = intSupports(want)
			}
			if got := r.Table(); got != want {
				t.Errorf("report text differs\n got:\n%s\nscikit-learn:\n%s", got, want)
			}
			checkFloat(t, "report balanced accuracy", r.BalancedAccuracy, c.BalancedAccuracy)
			checkFloat(t, "report majority-class rate", r.MajorityRate, c.MajorityRate)
			if ba, err := BalancedAccuracyScore(c.Pred, c.Labels, nil); err != nil || ba != r.BalancedAccuracy {
				t.Errorf("BalancedAccuracyScore = %v, %v; the report's %v", ba, err, r.BalancedAccuracy)
			}
			if got := r.String(); got != r.Table()+"\n"+r.Summary() {
				t.Errorf("String is not Table, a blank line and Summary:\n%s", got)
			}
			if c.Names == nil {
				// Without names, the classes are named by their indices.
				r0, err := NewClassificationReport(c.Pred, c.Labels, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := r0.Table(); got != want {
					t.Errorf("report without names differs\n got:\n%s\nscikit-learn:\n%s", got, want)
				}
			}
		})
	}
}

// The printed tables align names by characters, not bytes: every line of
// a ConfusionMatrix and of a RegressionReport with non-ASCII names is as
// wide as its header in runes, and a long name is cut between characters.
func TestReportsAlignByCharacters(t *testing.T) {
	names := []string{"chat", "ネコ科の動物", "é"}
	cm, err := NewConfusionMatrix([]int{0, 1, 2, 1}, []int{0, 1, 2, 2}, names)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ネ", 45)
	rr, err := NewRegressionReport(mat.NewDense(2, 2, []float64{1, 2, 3, 4}), mat.NewDense(2, 2, []float64{1, 2, 3, 5}), []string{"ネコ科の動物", long})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
	}{{"ConfusionMatrix", cm.String()}, {"RegressionReport", rr.String()}} {
		lines := strings.Split(strings.TrimRight(c.text, "\n"), "\n")
		w := utf8.RuneCountInString(lines[0])
		for _, l := range lines[1:] {
			if l != "" && utf8.RuneCountInString(l) != w {
				t.Errorf("%s: line %q is %d characters wide, the header %d:\n%s", c.name, l, utf8.RuneCountInString(l), w, c.text)
			}
			if !utf8.ValidString(l) {
				t.Errorf("%s: line %q is not valid UTF-8", c.name, l)
			}
		}
	}
	if got, want := quoteLong(long), strings.Repeat("ネ", 40)+"..."; got != want {
		t.Errorf("quoteLong cuts to %q, want %q", got, want)
	}
}
