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
	"github.com/mlpkit/mlp/onnx"
	"github.com/mlpkit/mlp/tabular"
)

// peakArgsEnv holds the arguments of the command whose peak memory
// measurePeak's child process measures, separated by newlines.
const peakArgsEnv = "MLP_PEAK_ARGS"

// TestPeakChild is the child process of measurePeak: it runs the command
// with the arguments in $MLP_PEAK_ARGS and prints its exit status and peak
// resident memory. It does nothing in a test run of its own.
func TestPeakChild(t *testing.T) {
	args := os.Getenv(peakArgsEnv)
	if args == "" {
		t.Skip("the child process of measurePeak")
	}
	r := runMLP(t, "", nil, strings.Split(args, "\n")...)
	fmt.Printf("peak-rss %d exit %d\n", r.maxRSS, r.code)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// measurePeak runs the command with args and returns its peak resident
// memory in bytes. The command runs as the child of a fresh test process
// (TestPeakChild), not of this one: Linux counts a process's peak from the
// memory of the process it was started from (os/exec starts it with
// vfork), which here may hold hundreds of MB.
func measurePeak(t *testing.T, args ...string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestPeakChild$", "-test.v")
	cmd.Env = append(os.Environ(), binEnv+"="+mlpBin, peakArgsEnv+"="+strings.Join(args, "\n"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mlp %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var peak int64
		var code int
		if _, err := fmt.Sscanf(sc.Text(), "peak-rss %d exit %d", &peak, &code); err == nil && code == 0 && peak > 0 {
			return peak
		}
	}
	t.Fatalf("mlp %s: no peak measured:\n%s", strings.Join(args, " "), out)
	return 0
}

// TestImportPeakMemory checks the bound docs/command.md states for mlp
// import: its peak resident memory is at most 3 times the ONNX file's size
// plus 64 MiB, for a file of about 40 MB with float32 weights (which become
// float64, twice their bytes, in the model) and one with float64 weights.
// It also checks that the model file written predicts what the net does.
// The peak is the maximum resident set size the kernel reports
// (getrusage), so the test runs on Linux only, and not with -short or
// under the race detector (the files take long to build there).
func TestImportPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ONNX files of about 40 MB; skipped with -short")
	}
	if raceEnabled {
		t.Skip("builds ONNX files of about 40 MB, slow under the race detector")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory as Linux reports it")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		hidden  int
		float32 bool
		tol     float64 // largest difference of a prediction from the net's
	}{
		{"float32", 3072, true, 1e-4},
		{"float64", 2048, false, 1e-12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := rand.NewPCG(7, uint64(tc.hidden))
			net, err := mlp.NewSequential(mlp.NewLinear(256, tc.hidden, src), &mlp.ReLU{},
				mlp.NewLinear(tc.hidden, tc.hidden, src), &mlp.ReLU{}, mlp.NewLinear(tc.hidden, 8, src))
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, tc.name+".onnx")
			f, err := os.Create(in)
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
			fi, err := os.Stat(in)
			if err != nil {
				t.Fatal(err)
			}
			size := fi.Size()

			out := filepath.Join(dir, tc.name+".mlp")
			peak := measurePeak(t, "import", "-onnx", in, "-o", out)
			bound := 3*size + 64<<20
			t.Logf("file %.1f MB, peak RSS %.1f MB (%.2f× the file), bound %.1f MB",
				float64(size)/1e6, float64(peak)/1e6, float64(peak)/float64(size), float64(bound)/1e6)
			if peak > bound {
				t.Errorf("peak RSS %d bytes for a file of %d bytes, more than 3×size + 64 MiB = %d", peak, size, bound)
			}

			g, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			p, err := tabular.LoadPipeline(g)
			g.Close()
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
		})
	}
}
