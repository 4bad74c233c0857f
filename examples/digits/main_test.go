package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/examples/internal/clitest"
)

var finalLine = regexp.MustCompile(`^final val_loss=\d+\.\d{4} val_accuracy=\d+\.\d{4}$`)

func TestOutputContract(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "2"},
	} {
		code, stdout, stderr := clitest.Call(run, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		clitest.Final(t, stdout, finalLine)
		for _, want := range []string{"10 classes", "\nmodel 1: Linear(64->", `true\pred`, "weighted avg"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, stdout)
			}
		}
	}
}

func TestNoHiddenLayer(t *testing.T) {
	code, stdout, stderr := clitest.Call(run, "-hidden", "", "-epochs", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "model 1: Linear(64->10), Softmax; 5 epochs"; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

// TestQuality trains the default model on the 80/20 splits of seeds 1 to 5
// and requires a mean validation accuracy of at least 0.96.
func TestQuality(t *testing.T) {
	if mean := clitest.MeanOverSeeds(t, run, finalLine, "val_accuracy"); mean < 0.96 {
		t.Errorf("mean validation accuracy %.4f, want >= 0.96", mean)
	}
}

func TestBadData(t *testing.T) { clitest.RunBadData(t, "digits", run, clitest.ClassifierBadData) }

func TestBadFlags(t *testing.T) { clitest.BadFlags(t, "digits", run, "(default 128)", "digits.csv") }

func TestPlot(t *testing.T) { clitest.Plot(t, run, "-epochs", "2") }

func TestPlotBadPath(t *testing.T) { clitest.PlotBadPath(t, "digits", run) }

func TestHugeNets(t *testing.T) { clitest.HugeNets(t, "digits", run) }

func TestManyClasses(t *testing.T) { clitest.ManyClasses(t, run) }
