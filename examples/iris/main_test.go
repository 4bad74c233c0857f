package main

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/examples/internal/clitest"
	"github.com/mlpkit/mlp/internal/datasets"
)

var finalLine = regexp.MustCompile(`^final val_loss=\d+\.\d{4} val_accuracy=\d+\.\d{4}$`)

func TestOutputContract(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "20"},
		{"-epochs", "5", "-hidden", "8,4", "-batch", "7", "-lr", "0.05", "-seed", "3"},
	} {
		code, stdout, stderr := clitest.Call(run, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
		clitest.Final(t, stdout, finalLine)
		for _, want := range []string{"3 classes", "\nmodel 1: Linear(4->", "setosa", "virginica", `true\pred`, "weighted avg"} {
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
	if want := "model 1: Linear(4->3), Softmax; 5 epochs"; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

// TestQuality trains the default model on the 80/20 splits of seeds 1 to 5
// and requires a mean validation accuracy of at least 0.94.
func TestQuality(t *testing.T) {
	if mean := clitest.MeanOverSeeds(t, run, finalLine, "val_accuracy"); mean < 0.94 {
		t.Errorf("mean validation accuracy %.4f, want >= 0.94", mean)
	}
}

func TestBadData(t *testing.T) { clitest.RunBadData(t, "iris", run, clitest.ClassifierBadData) }

func TestBadFlags(t *testing.T) { clitest.BadFlags(t, "iris", run, "(default 16)", "iris_species.csv") }

func TestPlot(t *testing.T) { clitest.Plot(t, run, "-epochs", "6") }

func TestPlotBadPath(t *testing.T) { clitest.PlotBadPath(t, "iris", run) }

func TestHugeNets(t *testing.T) { clitest.HugeNets(t, "iris", run) }

func TestManyClasses(t *testing.T) { clitest.ManyClasses(t, run) }

// TestDataFile checks that -data with a copy of the embedded file gives the
// same run, apart from the name of the source.
func TestDataFile(t *testing.T) {
	r, err := datasets.Open(defaults.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	path := clitest.WriteFile(t, "flowers.csv", string(b))
	_, embedded, _ := clitest.Call(run, "-epochs", "10")
	code, fromFile, stderr := clitest.Call(run, "-epochs", "10", "-data", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := strings.Replace(fromFile, path, defaults.Dataset, 1); got != embedded {
		t.Errorf("-data with a copy of the embedded file gives\n%s\nwant\n%s", got, embedded)
	}
}
