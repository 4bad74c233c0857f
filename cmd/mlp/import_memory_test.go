package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/testkit"
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/tabular"
)

// peakStepEnv tells a child process of TestImportPeakMemory which step to
// run: its words, separated by newlines, are the step and its arguments.
const peakStepEnv = "MLP_PEAK_STEP"

// peakNets are the nets of TestImportPeakMemory: 256 -> hidden -> hidden
// -> 8, written as float32 or float64 ONNX files of about 40 MB.
var peakNets = map[string]struct {
	hidden  int
	float32 bool
	tol     float64 // largest difference of a prediction from the net's
}{
	"float32": {3072, true, 1e-4},
	"float64": {2048, false, 1e-12},
}

// TestImportPeakMemory checks the bound docs/command.md states for mlp
// import: its peak resident memory is at most 3 times the ONNX file's size
// plus 64 MiB, for a file of about 40 MB with float32 weights (which become
// float64, twice their bytes, in the model) and one with float64 weights.
// It also checks that the model file written predicts what the net does.
//
// The peak is the maximum resident set size the kernel reports
// (getrusage), so the test runs on Linux only, and not with -short or
// under the race detector (the files take long to build there). Linux
// counts a process's peak from the memory of the process it was started
// from (os/exec starts it with vfork), so each step runs in a fresh process
// of this test (peakStep) and this one stays small: building and writing
// the file, running the command (from that small child), and checking the
// model it wrote. Other tests that read a command's peak are not disturbed.
func TestImportPeakMemory(t *testing.T) {
	if step := os.Getenv(peakStepEnv); step != "" {
		peakStep(t, strings.Split(step, "\n"))
		return
	}
	testkit.Long(t, "builds ONNX files of about 40 MB")
	if raceEnabled {
		t.Skip("builds ONNX files of about 40 MB, slow under the race detector")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory as Linux reports it")
	}
	dir := t.TempDir()
	for _, name := range []string{"float32", "float64"} {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(dir, name+".onnx")
			out := filepath.Join(dir, name+".mlp")
			inChild(t, "gen", name, in)
			fi, err := os.Stat(in)
			if err != nil {
				t.Fatal(err)
			}
			size := fi.Size()
			var peak int64
			if _, err := fmt.Sscanf(inChild(t, "run", "import", "-onnx", in, "-o", out), "peak-rss %d", &peak); err != nil || peak <= 0 {
				t.Fatalf("no peak measured (%v)", err)
			}
			bound := 3*size + 64<<20
			t.Logf("file %.1f MB, peak RSS %.1f MB (%.2f× the file), bound %.1f MB",
				float64(size)/1e6, float64(peak)/1e6, float64(peak)/float64(size), float64(bound)/1e6)
			if peak > bound {
				t.Errorf("peak RSS %d bytes for a file of %d bytes, more than 3×size + 64 MiB = %d", peak, size, bound)
			}
			inChild(t, "check", name, out)
		})
	}
}

// inChild runs one step of TestImportPeakMemory in a fresh process of the
// test and returns the line it printed after "step-output ".
func inChild(t *testing.T, step ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestImportPeakMemory$", "-test.v")
	cmd.Env = append(os.Environ(), binEnv+"="+mlpBin, peakStepEnv+"="+strings.Join(step, "\n"))
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(step, " "), err, b)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "step-output "); ok {
			return s
		}
	}
	t.Fatalf("%s printed no output:\n%s", strings.Join(step, " "), b)
	return ""
}

// peakStep runs one step of TestImportPeakMemory and prints its output:
// "gen NAME PATH" writes the ONNX file of peakNets[NAME]; "run ARGS..."
// runs the command and prints its peak resident memory; "check NAME PATH"
// checks that the model file at PATH predicts what the net of NAME does.
func peakStep(t *testing.T, step []string) {
	if step[0] == "run" {
		r := runMLP(t, "", nil, step[1:]...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		fmt.Printf("step-output peak-rss %d\n", r.maxRSS)
		return
	}
	name, path := step[1], step[2]
	tc, ok := peakNets[name]
	if !ok {
		t.Fatalf("no net %q", name)
	}
	src := rand.NewPCG(7, uint64(tc.hidden))
	net, err := mlp.NewSequential(mlp.NewLinear(256, tc.hidden, src), &mlp.ReLU{},
		mlp.NewLinear(tc.hidden, tc.hidden, src), &mlp.ReLU{}, mlp.NewLinear(tc.hidden, 8, src))
	if err != nil {
		t.Fatal(err)
	}
	switch step[0] {
	case "gen":
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		err = onnx.Export(f, &onnx.Model{Net: net}, &onnx.ExportSettings{Float32: tc.float32})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	case "check":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := tabular.LoadPipeline(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		const rows = 3
		x := mat.NewDense(rows, 256, nil)
		header := make([]string, 256)
		records := make([][]string, rows)
		for j := range header {
			header[j] = "x" + strconv.Itoa(j)
		}
		for i := range records {
			for j := range header {
				v := math.Sin(float64(i*256 + j))
				x.Set(i, j, v)
				records[i] = append(records[i], strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		want, err := net.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.PredictRecords(header, records)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			for j := range 8 {
				if d := math.Abs(got.Values.At(i, j) - want.At(i, j)); !(d <= tc.tol) {
					t.Errorf("prediction [%d,%d] = %v, the net gives %v; want within %g", i, j, got.Values.At(i, j), want.At(i, j), tc.tol)
				}
			}
		}
	default:
		t.Fatalf("unknown step %q", step[0])
	}
	fmt.Println("step-output done")
}
