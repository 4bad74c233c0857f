package experiment_test

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/experiment"
)

// The defaults of examples/diabetes/main.go.
var diabetes = experiment.Defaults{
	Dataset: "diabetes.csv", Task: experiment.Regression, Seed: 3, Hidden: []int{16}, Epochs: 100, Batch: 32, LR: 0.01,
}

var regressionFinalLine = regexp.MustCompile(`^final val_loss=(\d+\.\d{4}) val_rmse=(\d+\.\d{4}) val_r2=(-?\d+\.\d{4})$`)

func TestMainRegressionOutputContract(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"defaults", nil},
		{"short", []string{"-epochs", "3"}},
		{"no hidden layer", []string{"-epochs", "20", "-hidden", ""}},
		{"two hidden", []string{"-epochs", "5", "-hidden", "8,4", "-batch", "7", "-lr", "0.02", "-seed", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run("diabetes", diabetes, tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			last := lastLine(t, stdout)
			m := regressionFinalLine.FindStringSubmatch(last)
			if m == nil {
				t.Fatalf("last line %q does not match %v", last, regressionFinalLine)
			}
			if got := strings.Count(stdout, "final "); got != 1 {
				t.Errorf("%d final lines, want 1", got)
			}
			// val_loss is the MSE in the target's units: the square of val_rmse.
			mse, _ := strconv.ParseFloat(m[1], 64)
			rmse, _ := strconv.ParseFloat(m[2], 64)
			if math.Abs(mse-rmse*rmse) > 0.01*rmse+1e-4 {
				t.Errorf("val_loss %v is not val_rmse² = %v", mse, rmse*rmse)
			}
			// The diabetes target has a standard deviation of about 77: an
			// RMSE of the standardized target would be about 1.
			if rmse < 20 || rmse > 200 {
				t.Errorf("val_rmse %v is not in the target's units", rmse)
			}
			for _, want := range []string{"a real-valued target", "->1); ", "| val_rmse=", "| val_r2="} {
				if !strings.Contains(stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout, "Softmax") || strings.Contains(stdout, `true\pred`) || strings.Contains(stdout, "accuracy") {
				t.Errorf("a regression run reports classification figures:\n%s", stdout)
			}
		})
	}
}

// The default run reaches the R² of a good model of this data, 0.4 to 0.6.
func TestMainRegressionDefaults(t *testing.T) {
	code, stdout, stderr := run("diabetes", diabetes)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := regressionFinalLine.FindStringSubmatch(lastLine(t, stdout))
	if m == nil {
		t.Fatalf("no final line:\n%s", stdout)
	}
	r2, _ := strconv.ParseFloat(m[3], 64)
	t.Logf("%s", m[0])
	if r2 < 0.4 || r2 > 0.6 {
		t.Errorf("validation R² %v with the defaults, want 0.4 to 0.6", r2)
	}
	if want := "model 1: Linear(10->16), ReLU, Linear(16->1); 100 epochs, batch 32, lr 0.01\n"; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

func TestMainRegressionSameSeedSameOutput(t *testing.T) {
	args := []string{"-epochs", "10"}
	_, a, _ := run("diabetes", diabetes, args...)
	_, b, _ := run("diabetes", diabetes, args...)
	if a != b {
		t.Errorf("two runs with one seed differ:\n%s\n---\n%s", a, b)
	}
	_, c, _ := run("diabetes", diabetes, append(args, "-seed", "4")...)
	if a == c {
		t.Errorf("seeds 3 and 4 give the same output:\n%s", a)
	}
}

func TestMainRegressionBadData(t *testing.T) {
	const header = "a,b,target\n"
	tests := []badData{
		{"empty", "", "empty input"},
		{"header only", header, "no data rows"},
		{"not a number", header + "1,2,3.5\n1,x,1\n", `line 3, column 2: column mixes numbers and text`},
		{"target not a number", header + "1,2,3.5\n1,2,high\n", `line 3, column 3: column mixes numbers and text`},
		{"not finite", header + "1,2,0.5\n1,2,Inf\n", "not finite"},
		{"ragged", header + "1,2,0\n1,2\n", "wrong number of fields"},
		{"one sample", header + "1,2,1.5\n", "one part would be empty"},
		{"binary", "\x00\x01\x02,\xff\n\x00,\x00\n", "csv line"},
	}
	runBadData(t, "diabetes", diabetes, tests)

	t.Run("diverging", func(t *testing.T) {
		code, _, stderr := run("diabetes", diabetes, "-lr", "1e200", "-epochs", "3")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		checkOneLineError(t, stderr, "diabetes: ", "diverged")
	})
}

// A regression data set with real-valued targets runs through -data, and a
// classification program does not take real-valued labels.
func TestMainRegressionDataFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("x1,x2,y\n")
	for i := range 60 {
		x1, x2 := float64(i%7)-3, float64(i%5)/2
		line := strconv.FormatFloat(x1, 'g', -1, 64) + "," + strconv.FormatFloat(x2, 'g', -1, 64) + "," +
			strconv.FormatFloat(100.3+20*x1-8*x2, 'g', -1, 64) + "\n"
		b.WriteString(line)
	}
	path := writeFile(t, "line.csv", b.String())
	code, stdout, stderr := run("diabetes", diabetes, "-data", path, "-epochs", "200", "-hidden", "", "-lr", "0.05", "-batch", "8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := regressionFinalLine.FindStringSubmatch(lastLine(t, stdout))
	if m == nil {
		t.Fatalf("no final line:\n%s", stdout)
	}
	// An exact linear target: a linear model fits it almost perfectly.
	if r2, _ := strconv.ParseFloat(m[3], 64); r2 < 0.999 {
		t.Errorf("R² %v on an exact linear target, want at least 0.999:\n%s", r2, stdout)
	}
	code, _, stderr = run("iris", iris, "-data", path, "-epochs", "2")
	if code != 1 {
		t.Errorf("classification of real-valued targets: exit %d, want 1", code)
	}
	checkOneLineError(t, stderr, "iris: "+path+": ", "bad class label")
}
