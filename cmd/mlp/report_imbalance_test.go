package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
)

// imbalancedCSV returns a CSV file of n rows, x and a class "yes" for about
// 12% of them, "no" for the rest.
func imbalancedCSV(t *testing.T, n int, seed uint64) string {
	var b strings.Builder
	b.WriteString("x,z,y\n")
	rng := rand.New(rand.NewPCG(seed, 5))
	for range n {
		x, z := rng.NormFloat64(), rng.NormFloat64()
		y := "no"
		if x+0.7*rng.NormFloat64() > 1.6 {
			y = "yes"
		}
		fmt.Fprintf(&b, "%.4f,%.4f,%s\n", x, z, y)
	}
	return writeTemp(t, t.TempDir(), "imbalanced.csv", b.String())
}

// summaryFigure returns the number on the report line "<name>  <number>".
func summaryFigure(t *testing.T, out, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ *` + regexp.QuoteMeta(name) + `  (\d\.\d{4})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q line in\n%s", name, out)
	}
	return floats(t, m)[0]
}

// TestEvalImbalanceFigures checks that mlp eval prints the majority-class
// rate beside the accuracy, the balanced accuracy and the probability
// scores, equal (to the 4 printed decimals) to the library's functions on
// the probabilities mlp predict -proba gives for the same rows, and the
// note exactly when the accuracy is below the majority-class rate.
func TestEvalImbalanceFigures(t *testing.T) {
	data := imbalancedCSV(t, 300, 1)
	model := filepath.Join(t.TempDir(), "m.mlp")
	// Trained long, the model beats the majority-class rate; trained
	// briefly with balanced class weights, it falls below it.
	below := map[bool]bool{}
	for _, weighting := range []string{"", "balanced"} {
		epochs := "300"
		if weighting != "" {
			epochs = "15"
		}
		args := []string{"train", "-data", data, "-target", "y", "-epochs", epochs, "-lr", "0.01", "-hidden", "4", "-quiet", "-o", model}
		if weighting != "" {
			args = append(args, "-class-weight", weighting)
		}
		if r := runMLP(t, "", nil, args...); r.code != 0 {
			t.Fatalf("train: exit %d: %s", r.code, r.stderr)
		}
		ev := runMLP(t, "", nil, "eval", "-model", model, "-data", data)
		pr := runMLP(t, "", nil, "predict", "-model", model, "-data", data, "-proba")
		if ev.code != 0 || pr.code != 0 {
			t.Fatalf("eval exit %d, predict exit %d: %s%s", ev.code, pr.code, ev.stderr, pr.stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(pr.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		truth, err := csv.NewReader(strings.NewReader(readFile(t, data))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if recs[0][1] != "p_no" || recs[0][2] != "p_yes" || len(recs) != len(truth) {
			t.Fatalf("predict -proba header %v, %d rows", recs[0], len(recs))
		}
		n := len(recs) - 1
		proba := mat.NewDense(n, 2, nil)
		labels, pred := make([]int, n), make([]int, n)
		yes := 0
		for i, rec := range recs[1:] {
			for j := range 2 {
				v, err := strconv.ParseFloat(rec[1+j], 64)
				if err != nil {
					t.Fatal(err)
				}
				proba.Set(i, j, v)
			}
			if truth[i+1][2] == "yes" {
				labels[i], yes = 1, yes+1
			}
			if rec[0] == "yes" {
				pred[i] = 1
			}
		}
		auc, err1 := mlp.ROCAUCScore(proba, labels, nil)
		ap, err2 := mlp.AveragePrecisionScore(proba, labels, nil)
		ll, err3 := mlp.LogLossScore(proba, labels, nil)
		ba, err4 := mlp.BalancedAccuracyScore(pred, labels, nil)
		acc, err5 := mlp.AccuracyScore(pred, labels)
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				t.Fatal(err)
			}
		}
		majority := float64(max(yes, n-yes)) / float64(n)
		for _, c := range []struct {
			line string
			want float64
		}{
			{"accuracy", acc}, {"majority-class rate", majority}, {"balanced accuracy", ba},
			{"ROC AUC", auc}, {"average precision", ap}, {"log loss", ll},
		} {
			if got := summaryFigure(t, ev.stdout, c.line); math.Abs(got-c.want) > 5e-5 {
				t.Errorf("class weight %q: eval prints %s %.4f, want %.4f", weighting, c.line, got, c.want)
			}
		}
		if !strings.Contains(ev.stdout, `majority-class rate  0.`) || !strings.Contains(ev.stdout, `(always predicting "no")`) {
			t.Errorf("no majority class named:\n%s", ev.stdout)
		}
		below[acc < majority] = true
		if note := strings.Contains(ev.stdout, "note: accuracy"); note != (acc < majority) {
			t.Errorf("class weight %q: accuracy %.4f, majority-class rate %.4f, note printed %v:\n%s", weighting, acc, majority, note, ev.stdout)
		}
	}
	if !below[true] || !below[false] {
		t.Errorf("the runs' accuracies are below the majority-class rate: %v; want one below and one not, to check both", below)
	}
}

// TestTrainJSONImbalanceFigures checks that train -json gives the figures
// the text output prints for the validation rows.
func TestTrainJSONImbalanceFigures(t *testing.T) {
	data := imbalancedCSV(t, 300, 2)
	args := []string{"-target", "y", "-epochs", "10", "-hidden", "4", "-seed", "4"}
	v, _ := trainedJSON(t, data, args...)
	text := runMLP(t, "", nil, append([]string{"train", "-data", data, "-quiet", "-o", filepath.Join(t.TempDir(), "m.mlp")}, args...)...)
	if text.code != 0 {
		t.Fatalf("exit %d: %s", text.code, text.stderr)
	}
	val := v["validation"].(map[string]any)
	for key, line := range map[string]string{
		"majority_rate": "majority-class rate", "balanced_accuracy": "balanced accuracy", "roc_auc": "ROC AUC",
		"average_precision": "average precision", "log_loss": "log loss",
	} {
		got, ok := val[key].(float64)
		if want := summaryFigure(t, text.stdout, line); !ok || math.Abs(got-want) > 5e-5 {
			t.Errorf("-json validation %s = %v, the text's %s %.4f", key, val[key], line, want)
		}
	}
	if val["majority_rate"].(float64) < 0.7 {
		t.Errorf("majority-class rate %v of a set about 88%% \"no\"", val["majority_rate"])
	}
}

// readFile returns the text of the file at path.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
