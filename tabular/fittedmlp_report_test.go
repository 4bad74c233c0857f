package tabular

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// TestClassificationReportProbabilities checks that FittedMLP's report
// scores the probabilities of the rows whose class the model knows, and
// leaves out the rows of a class it never saw (which have none).
func TestClassificationReportProbabilities(t *testing.T) {
	table := func(n int, seed uint64, unseen bool) *Table {
		var b strings.Builder
		b.WriteString("x,y\n")
		rng := rand.New(rand.NewPCG(seed, 1))
		for i := range n {
			x := rng.NormFloat64()
			label := "a"
			if x+rng.NormFloat64() > 1.2 {
				label = "b"
			}
			if unseen && i%10 == 0 {
				label = "c"
			}
			fmt.Fprintf(&b, "%.4f,%s\n", x, label)
		}
		r := NewCSVReader(strings.NewReader(b.String()))
		r.Targets = []string{"y"}
		tb, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	f, err := MLPClassifier{HiddenLayerSizes: []int{4}, MaxIter: 30}.Fit(context.Background(), table(200, 1, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, unseen := range []bool{false, true} {
		test := table(100, 2, unseen)
		r, err := f.ClassificationReport(test)
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.Predict(test)
		if err != nil {
			t.Fatal(err)
		}
		var rows []int
		var labels []int
		for i := range test.Rows() {
			switch test.Targets[0].Text(i) {
			case "a":
				rows, labels = append(rows, i), append(labels, 0)
			case "b":
				rows, labels = append(rows, i), append(labels, 1)
			}
		}
		proba := mat.NewDense(len(rows), 2, nil)
		for r, i := range rows {
			proba.SetRow(r, p.Proba.RawRowView(i))
		}
		want, err := mlp.NewProbabilityScores(proba, labels)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Probability; got == nil || *got != *want {
			t.Errorf("unseen %v: probability scores %+v, want %+v", unseen, got, want)
		}
		if wantRows := 100 - 10*btoi(unseen); want.Rows != wantRows {
			t.Errorf("unseen %v: %d rows scored, want %d", unseen, want.Rows, wantRows)
		}
		if s := r.String(); strings.Contains(s, "(ROC AUC, average precision and log loss over the 90 of 100 rows") != unseen || !strings.Contains(s, "ROC AUC") {
			t.Errorf("unseen %v: report\n%s", unseen, s)
		}
	}
}
