package onnx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/internal/needtool"
	"github.com/mlpkit/mlp/onnx"
)

// Tolerances against onnxruntime.
const (
	ortTol64 = 1e-12
	ortTol32 = 1e-5 // relative to max(1, |output|)
)

// ortVersion is the onnxruntime-node release the tests run, installed
// outside the repository.
const ortVersion = "1.30.0"

// findNode returns the node binary: /usr/bin/node, else node on PATH, else
// "".
func findNode() string { return firstExecutable("/usr/bin/node", "node") }

// firstExecutable returns the first of names that is an executable file, a
// path as it is and a bare name as found in PATH, or "" when none is: a
// file that exists but cannot be run is passed over, so that a test skips
// rather than fails on it.
func firstExecutable(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// ortDir returns the directory onnxruntime-node is installed in:
// $MLP_ORT_DIR, or $HOME/.cache/mlp-ort.
func ortDir() string {
	if d := os.Getenv("MLP_ORT_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "mlp-ort")
}

// needORT returns node and the onnxruntime-node directory. It skips t
// when node or onnxruntime-node is absent (needtool.Missing: a failure
// under MLP_REQUIRE_TOOLS=1).
func needORT(t *testing.T) (node, dir string) {
	t.Helper()
	node = findNode()
	if node == "" {
		needtool.Missing(t, "node is not installed (neither /usr/bin/node nor node on PATH): skipping the onnxruntime check; install nodejs and npm, then onnxruntime-node (.ci/run does)")
	}
	dir = ortDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json")); err != nil {
		needtool.Missing(t, "node is installed but onnxruntime-node is not in %s: skipping the onnxruntime check; install it with\n\tnpm install --prefix %s --ignore-scripts onnxruntime-node@%s\nor set MLP_ORT_DIR to where it is",
			dir, dir, ortVersion)
	}
	return node, dir
}

// ortJob is one model run of testdata/ort.js.
type ortJob struct {
	Model      string `json:"model"`
	Type       string `json:"type"`
	Rows       int    `json:"rows"`
	Cols       int    `json:"cols"`
	Input      []any  `json:"input"` // float64, or nil for NaN
	InputName  string `json:"inputName"`
	OutputName string `json:"outputName"`
}

// ortResult is the answer of testdata/ort.js to one job.
type ortResult struct {
	Output []*float64 `json:"output"` // nil for NaN
	Dims   []int      `json:"dims"`
	Error  string     `json:"error"`
}

// runORT runs the jobs in one node process and returns the output of each
// as a matrix, or an error message.
func runORT(t *testing.T, node, dir string, jobs []ortJob) ([]*mat.Dense, []string) {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "ort.js"), "run")
	cmd.Env = append(os.Environ(), "MLP_ORT_DIR="+dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node ort.js: %v\n%s", err, stderr.Bytes())
	}
	var res []ortResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(jobs) {
		t.Fatalf("node ort.js printed %d results (%v): %.200s", len(res), err, out)
	}
	ys := make([]*mat.Dense, len(res))
	errs := make([]string, len(res))
	for i, r := range res {
		if r.Error != "" || len(r.Dims) != 2 || r.Dims[0]*r.Dims[1] != len(r.Output) {
			errs[i] = fmt.Sprintf("onnxruntime: %s (dims %v, %d values)", r.Error, r.Dims, len(r.Output))
			continue
		}
		v := make([]float64, len(r.Output))
		for j, p := range r.Output {
			v[j] = math.NaN()
			if p != nil {
				v[j] = *p
			}
		}
		ys[i] = mat.NewDense(r.Dims[0], r.Dims[1], v)
	}
	return ys, errs
}

// jsonInput returns x row-major, NaN as nil, rounded to float32 if f32.
func jsonInput(x *mat.Dense, f32 bool) []any {
	r, c := x.Dims()
	v := make([]any, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			e := x.At(i, j)
			switch {
			case math.IsNaN(e):
				v = append(v, nil)
			case f32:
				v = append(v, float64(float32(e)))
			default:
				v = append(v, e)
			}
		}
	}
	return v
}

// roundTo32 returns x with each element rounded to float32.
func roundTo32(x *mat.Dense) *mat.Dense {
	y := mat.DenseCopyOf(x)
	y.Apply(func(_, _ int, v float64) float64 { return float64(float32(v)) }, y)
	return y
}

// Exported nets of every layer kind run in onnxruntime and give what they
// give in Go: within 1e-12 in float64 (except GELU, whose Erf onnxruntime
// has only in float32; TestRoundTrip checks it bit for bit), and within
// 1e-5 in float32 of the same net with the weights and inputs rounded to
// float32.
func TestOnnxruntime(t *testing.T) {
	node, dir := needORT(t)
	tmp := t.TempDir()
	type check struct {
		name string
		f32  bool
		ref  *mat.Dense // Go's output
		orig *mat.Dense // the float64 net's output, for the float32 jobs
	}
	var jobs []ortJob
	var checks []check
	for _, k := range kindNets(t) {
		x := kindInput(k.model, 32, 5)
		want, err := k.model.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		for _, f32 := range []bool{false, true} {
			if !f32 && strings.HasPrefix(k.name, "gelu") {
				continue // no float64 Erf in onnxruntime's CPU provider
			}
			b := exportBytes(t, k.model, &onnx.ExportSettings{Float32: f32})
			typ, ref := "float64", want
			if f32 {
				typ = "float32"
				m32, err := onnx.Import(bytes.NewReader(b), nil)
				if err != nil {
					t.Fatal(err)
				}
				if ref, err = m32.Predict(roundTo32(x)); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(tmp, k.name+"_"+typ+".onnx")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			r, c := x.Dims()
			jobs = append(jobs, ortJob{Model: path, Type: typ, Rows: r, Cols: c, Input: jsonInput(x, f32),
				InputName: "input", OutputName: "output"})
			checks = append(checks, check{name: k.name, f32: f32, ref: ref, orig: want})
		}
	}
	ys, errs := runORT(t, node, dir, jobs)
	for i, c := range checks {
		if errs[i] != "" {
			t.Errorf("%s float32=%v: %s", c.name, c.f32, errs[i])
			continue
		}
		if !c.f32 {
			d := maxDiff(t, ys[i], c.ref)
			t.Logf("%-18s float64: max |Go - onnxruntime| = %.3g", c.name, d)
			if !(d <= ortTol64) {
				t.Errorf("%s float64: max difference from onnxruntime %g, want at most %g", c.name, d, ortTol64)
			}
			continue
		}
		d, rel := maxDiff(t, ys[i], c.ref), maxRelDiff(ys[i], c.ref)
		t.Logf("%-18s float32: max |Go - onnxruntime| = %.3g (relative to max(1,|y|) %.3g; %.3g from the float64 net)",
			c.name, d, rel, maxDiff(t, ys[i], c.orig))
		if !(rel <= ortTol32) {
			t.Errorf("%s float32: max difference from onnxruntime %g relative to max(1, |y|), want at most %g", c.name, rel, ortTol32)
		}
	}
}

// maxRelDiff returns the largest |a - b| / max(1, |b|), +Inf where one is
// NaN and the other not.
func maxRelDiff(a, b *mat.Dense) float64 {
	r, c := b.Dims()
	d := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if math.IsNaN(x) != math.IsNaN(y) {
				return math.Inf(1)
			}
			if !math.IsNaN(x) {
				d = max(d, math.Abs(x-y)/max(1, math.Abs(y)))
			}
		}
	}
	return d
}

// checkerScript runs onnx.checker with full_check (shape inference too) on
// each file named on the command line.
const checkerScript = `
import sys, onnx
for p in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(p), full_check=True)
print(onnx.__version__)
`

// Exported files pass onnx.checker, in float64 and float32, for every
// layer kind.
func TestOnnxChecker(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		needtool.Missing(t, "/usr/bin/python3 is absent: skipping onnx.checker; install python3-onnx (.ci/run does)")
	}
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		needtool.Missing(t, "python3 has no onnx module: skipping onnx.checker; install python3-onnx (.ci/run does)")
	}
	tmp := t.TempDir()
	args := []string{"-c", checkerScript}
	for _, k := range kindNets(t) {
		for _, f32 := range []bool{false, true} {
			path := filepath.Join(tmp, fmt.Sprintf("%s_%v.onnx", k.name, f32))
			if err := os.WriteFile(path, exportBytes(t, k.model, &onnx.ExportSettings{Float32: f32}), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, path)
		}
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx.checker: %v\n%s", err, out)
	}
	t.Logf("onnx %s: %d files pass onnx.checker with full_check", strings.TrimSpace(string(out)), len(args)-2)
}

// firstExecutable passes over a missing file and one without execute
// permission, and finds a name in PATH.
func TestFirstExecutable(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	exe := filepath.Join(dir, "exe")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct {
		name  string
		names []string
		want  string
	}{
		{"missing, then executable", []string{filepath.Join(dir, "none"), exe}, exe},
		{"not executable, then executable", []string{plain, exe}, exe},
		{"not executable only", []string{plain}, ""},
		{"not executable, then a name in PATH", []string{plain, "exe"}, exe},
		{"a name in PATH without execute permission", []string{"plain"}, ""},
	} {
		if got := firstExecutable(c.names...); got != c.want {
			t.Errorf("%s: firstExecutable(%q) = %q, want %q", c.name, c.names, got, c.want)
		}
	}
}
