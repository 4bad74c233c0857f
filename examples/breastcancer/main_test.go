package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/examples/internal/clitest"
)

var (
	finalLine        = regexp.MustCompile(`^final val_loss=\d+\.\d{4} val_accuracy=\d+\.\d{4}$`)
	baselineAccuracy = regexp.MustCompile(`validation: loss \d+\.\d{4}, accuracy (\d+\.\d{4})`)
)

func TestOutputContract(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "10"},
		{"-epochs", "3", "-hidden", "8,8"},
	} {
		code, stdout, stderr := clitest.Call(run, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		clitest.Final(t, stdout, finalLine)
		for _, want := range []string{"2 classes", "\nmodel 1: Linear(30->2), Softmax; 20 epochs, batch 50, lr 0.1\n", "\nmodel 2: Linear(30->", `true\pred`, "weighted avg"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, stdout)
			}
		}
	}
}

// TestNoHiddenLayer checks that -hidden "" gives the second model no hidden
// layer, and that -hidden and -epochs leave the baseline as it is.
func TestNoHiddenLayer(t *testing.T) {
	code, stdout, stderr := clitest.Call(run, "-hidden", "", "-epochs", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "model 2: Linear(30->2), Softmax; 5 epochs"; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

// TestQuality trains the default models on the 80/20 splits of seeds 1 to
// 5 and requires mean validation accuracies of at least 0.95 for the
// baseline and 0.96 for the net.
func TestQuality(t *testing.T) {
	var sum, baseSum float64
	for _, seed := range []string{"1", "2", "3", "4", "5"} {
		code, stdout, stderr := clitest.Call(run, "-seed", seed)
		if code != 0 {
			t.Fatalf("seed %s: exit %d: %s", seed, code, stderr)
		}
		acc := clitest.Final(t, stdout, finalLine)["val_accuracy"]
		m := baselineAccuracy.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("seed %s: no validation line:\n%s", seed, stdout)
		}
		base, _ := strconv.ParseFloat(m[1], 64)
		t.Logf("seed %s: validation accuracy %.4f, baseline %.4f", seed, acc, base)
		sum += acc
		baseSum += base
	}
	if mean := sum / 5; mean < 0.96 {
		t.Errorf("mean validation accuracy %.4f, want >= 0.96", mean)
	}
	if mean := baseSum / 5; mean < 0.95 {
		t.Errorf("mean baseline validation accuracy %.4f, want >= 0.95", mean)
	}
}

func TestBadData(t *testing.T) { clitest.RunBadData(t, "breastcancer", run, clitest.ClassifierBadData) }

func TestBadFlags(t *testing.T) {
	clitest.BadFlags(t, "breastcancer", run, "(default 16)", "(default 9)", "breast_cancer.csv")
}

func TestPlot(t *testing.T) { clitest.Plot(t, run, "-epochs", "4") }

func TestPlotBadPath(t *testing.T) { clitest.PlotBadPath(t, "breastcancer", run) }

func TestHugeNets(t *testing.T) { clitest.HugeNets(t, "breastcancer", run) }

func TestManyClasses(t *testing.T) { clitest.ManyClasses(t, run) }

func TestSameSeedSameOutput(t *testing.T) {
	_, a, _ := clitest.Call(run, "-epochs", "15")
	_, b, _ := clitest.Call(run, "-epochs", "15")
	if a != b {
		t.Errorf("two runs with seed 9 differ:\n%s\n---\n%s", a, b)
	}
	_, c, _ := clitest.Call(run, "-epochs", "15", "-seed", "10")
	if a == c {
		t.Errorf("seeds 9 and 10 give the same output:\n%s", a)
	}
}
