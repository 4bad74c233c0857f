package experiment_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/datasets"
	"github.com/mlpkit/mlp/internal/experiment"
)

// The defaults of the example programs, as in examples/*/main.go.
var (
	breastCancer = experiment.Defaults{
		Dataset: "breast_cancer.csv", Seed: 9, Hidden: []int{16}, Epochs: 100, Batch: 50, LR: 0.1,
		Baseline: &experiment.Baseline{Epochs: 20},
	}
	iris   = experiment.Defaults{Dataset: "iris.csv", Seed: 1, Hidden: []int{16}, Epochs: 200, Batch: 16, LR: 0.1}
	digits = experiment.Defaults{Dataset: "digits.csv", Seed: 1, Hidden: []int{128}, Epochs: 30, Batch: 32, LR: 0.1}
)

var finalLine = regexp.MustCompile(`^final val_loss=\d+\.\d{4} val_accuracy=\d+\.\d{4}$`)

// run calls Main and returns its exit status, stdout and stderr.
func run(name string, def experiment.Defaults, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := experiment.Main(name, def, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// lastLine returns the last line of out, which must end in a newline.
func lastLine(t *testing.T, out string) string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// writeFile writes data to a new file in a temporary directory and returns
// its path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMainOutputContract(t *testing.T) {
	tests := []struct {
		name   string
		def    experiment.Defaults
		args   []string
		models int
	}{
		{"breastcancer", breastCancer, []string{"-epochs", "10"}, 2},
		{"iris", iris, []string{"-epochs", "20"}, 1},
		{"digits", digits, []string{"-epochs", "2"}, 1},
		{"iris-two-hidden", iris, []string{"-epochs", "5", "-hidden", "8,4", "-batch", "7", "-lr", "0.05", "-seed", "3"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.name, tt.def, tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if got := lastLine(t, stdout); !finalLine.MatchString(got) {
				t.Errorf("last line %q does not match %v", got, finalLine)
			}
			if got := strings.Count(stdout, "final "); got != 1 {
				t.Errorf("%d final lines, want 1", got)
			}
			if got := strings.Count(stdout, "\nmodel "); got != tt.models {
				t.Errorf("%d models trained, want %d:\n%s", got, tt.models, stdout)
			}
			if got := strings.Count(stdout, `true\pred`); got != tt.models {
				t.Errorf("%d confusion matrices, want %d", got, tt.models)
			}
		})
	}
}

func TestMainBaselineKeepsItsShape(t *testing.T) {
	code, stdout, stderr := run("breastcancer", breastCancer, "-epochs", "3", "-hidden", "8,8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"model 1: Linear(30->2), Softmax; 20 epochs, batch 50, lr 0.1\n",
		"model 2: Linear(30->8), ReLU, Linear(8->8), ReLU, Linear(8->2), Softmax; 3 epochs, batch 50, lr 0.1\n",
		"epoch= 19 |",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestMainNoHiddenLayer(t *testing.T) {
	code, stdout, stderr := run("iris", iris, "-hidden", "", "-epochs", "5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "model 1: Linear(4->3), Softmax; 5 epochs"; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout, "ReLU") {
		t.Errorf("a model with no hidden layer has a ReLU:\n%s", stdout)
	}
}

func TestMainSameSeedSameOutput(t *testing.T) {
	args := []string{"-epochs", "15"}
	_, a, _ := run("breastcancer", breastCancer, args...)
	_, b, _ := run("breastcancer", breastCancer, args...)
	if a != b {
		t.Errorf("two runs with seed 9 differ:\n%s\n---\n%s", a, b)
	}
	_, c, _ := run("breastcancer", breastCancer, append(args, "-seed", "10")...)
	if a == c {
		t.Errorf("seeds 9 and 10 give the same output:\n%s", a)
	}
}

func TestMainDataFile(t *testing.T) {
	r, err := datasets.Open("iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "flowers.csv", string(b))
	_, embedded, _ := run("iris", iris, "-epochs", "10")
	code, fromFile, stderr := run("iris", iris, "-epochs", "10", "-data", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Apart from the name of the source, the runs are the same.
	if got, want := strings.Replace(fromFile, path, "iris.csv", 1), embedded; got != want {
		t.Errorf("-data with a copy of the embedded file gives\n%s\nwant\n%s", got, want)
	}
}

func TestMainBadData(t *testing.T) {
	const header = "a,b,target\n"
	tests := []badData{
		{"empty", "", "empty input"},
		{"header only", header, "no data rows"},
		{"one column", "target\n0\n1\n", "no feature column"},
		{"numbers and text", header + "1,2,0\n1,x,1\n", `line 3, column 2: column mixes numbers and text`},
		{"not finite", header + "1,2,0\n1,Inf,1\n", "not finite"},
		{"missing cell", header + "1,2,0\n1,NaN,1\n", "missing cell"},
		{"ragged", header + "1,2,0\n1,2\n", "wrong number of fields"},
		{"bad label", header + "1,2,0\n1,2,1.5\n", "bad class label"},
		{"inexact label", header + "1,2,0\n1,2,0.99999999999999999\n", "bad class label"},
		{"bare quote", header + "1,\"2,0\n", "csv line"},
		{"one class", header + "1,2,0\n3,4,0\n5,6,0\n", "at least 2"},
		{"one sample", header + "1,2,1\n", "at least 2"},
		{"two samples", header + "1,2,1\n1,2,0\n", "one part would be empty"},
		{"binary", "\x00\x01\x02,\xff\n\x00,\x00\n", "categorical"},
	}
	runBadData(t, "breastcancer", breastCancer, tests)

	t.Run("directory", func(t *testing.T) {
		code, _, stderr := run("breastcancer", breastCancer, "-data", t.TempDir())
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		checkOneLineError(t, stderr, "breastcancer: ", "")
	})
	t.Run("diverging", func(t *testing.T) {
		code, _, stderr := run("iris", iris, "-lr", "1e200", "-epochs", "3")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		checkOneLineError(t, stderr, "iris: ", "diverged")
	})
}

// badData is a data file that an example program must refuse.
type badData struct {
	name, data string
	want       string // in the message
}

// runBadData runs the program name with defaults def on each file of tests
// and on a missing file, and checks the exit status 1, the one-line error
// and that no final line is printed.
func runBadData(t *testing.T, name string, def experiment.Defaults, tests []badData) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "data.csv", tt.data)
			code, stdout, stderr := run(name, def, "-data", path, "-epochs", "2")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			checkOneLineError(t, stderr, name+": "+path+": ", tt.want)
			if strings.Contains(stdout, "final") {
				t.Errorf("stdout has a final line:\n%s", stdout)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.csv")
		code, _, stderr := run(name, def, "-data", path)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		checkOneLineError(t, stderr, name+": open "+path+": ", "no such file")
	})
}

// checkOneLineError checks that stderr is a single line starting with prefix
// and containing want.
func checkOneLineError(t *testing.T, stderr, prefix, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	if !strings.HasPrefix(stderr, prefix) || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want prefix %q and %q in it", stderr, prefix, want)
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr has a panic trace: %q", stderr)
	}
}

func TestMainBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"epochs not a number", []string{"-epochs", "ten"}, `invalid value "ten" for flag -epochs`},
		{"zero epochs", []string{"-epochs", "0"}, "-epochs: must be at least 1"},
		{"zero batch", []string{"-batch", "0"}, "-batch: must be at least 1"},
		{"negative lr", []string{"-lr", "-0.1"}, "-lr: must be positive"},
		{"infinite lr", []string{"-lr", "Inf"}, "-lr: must be positive"},
		{"NaN lr", []string{"-lr", "NaN"}, "-lr: must be positive"},
		{"zero width", []string{"-hidden", "16,0"}, `width "0" is not a positive integer`},
		{"bad width", []string{"-hidden", "16,,8"}, `width "" is not a positive integer`},
		{"negative seed", []string{"-seed", "-1"}, `invalid value "-1" for flag -seed`},
		{"missing value", []string{"-data"}, "flag needs an argument: -data"},
		{"argument", []string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run("breastcancer", breastCancer, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "usage: breastcancer [flags]") {
				t.Errorf("stderr lacks %q or the usage:\n%s", tt.want, stderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stdout, stderr := run("breastcancer", breastCancer, "-h")
		if code != 0 || stdout != "" {
			t.Errorf("exit %d, stdout %q; want 0 and nothing", code, stdout)
		}
		for _, want := range []string{"usage: breastcancer [flags]", "-data file", "-hidden widths", "(default 16)", "(default 9)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("usage lacks %q:\n%s", want, stderr)
			}
		}
	})
}

func TestParseWidths(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{" ", nil, false},
		{"16", []int{16}, false},
		{"128, 64,10", []int{128, 64, 10}, false},
		{"0", nil, true},
		{"-3", nil, true},
		{"1.5", nil, true},
		{"8,", nil, true},
		{"a", nil, true},
	}
	for _, tt := range tests {
		got, err := experiment.ParseWidths(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("ParseWidths(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
