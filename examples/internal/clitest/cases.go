package clitest

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/mlpplot"
)

// Plot checks that -plot writes the history as a PNG image, that the
// output names it and that the final line stays last.
func Plot(t *testing.T, r Run, args ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.png")
	code, stdout, stderr := Call(r, append(args, "-plot", path)...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got := LastLine(t, stdout); !strings.HasPrefix(got, "final val_loss=") {
		t.Errorf("last line %q is not the final line", got)
	}
	if !strings.Contains(stdout, "\nplot: "+path+"\n") {
		t.Errorf("output does not name the plot file:\n%s", stdout)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is not a PNG image: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() != mlpplot.DefaultWidth || r.Dy() != mlpplot.DefaultHeight {
		t.Errorf("image is %dx%d, want %dx%d", r.Dx(), r.Dy(), mlpplot.DefaultWidth, mlpplot.DefaultHeight)
	}
}

// PlotBadPath checks that a -plot file that cannot be created is reported
// before training, with exit status 1 and nothing on stdout. Tests run as
// root, which writes into read-only directories, so the paths are ones
// root cannot create either.
func PlotBadPath(t *testing.T, name string, r Run) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "h.png"), "no such file"},
		{"parent is a regular file", filepath.Join(file, "h.png"), "not a directory"},
		{"a directory", dir, "is a directory"},
		{"under /proc", "/proc/h.png", "/proc/h.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := Call(r, "-epochs", "2", "-plot", tt.path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			OneLineError(t, stderr, name+": -plot: ", tt.want)
			if stdout != "" {
				t.Errorf("training ran:\n%s", stdout)
			}
		})
	}
}

// HugeNets checks that -hidden widths whose net, or whose batch buffers,
// would take gigabytes are refused with exit status 1 before they are
// allocated: each run allocates less than 64 MiB in all.
func HugeNets(t *testing.T, name string, r Run) {
	eight := strings.TrimSuffix(strings.Repeat("8192,", 8), ",")
	for _, args := range [][]string{
		{"-hidden", eight},
		{"-hidden", "16777216"},
		{"-hidden", "60000,60000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code, stdout, stderr := Call(r, append(args, "-epochs", "1")...)
			runtime.ReadMemStats(&after)
			if code != 1 {
				t.Errorf("exit %d, want 1; stdout:\n%s", code, stdout)
			}
			OneLineError(t, stderr, name+": ", "too large")
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("%d MiB allocated before the refusal, want < 64", got>>20)
			}
		})
	}
}

// ManyClasses checks that a 64-byte file whose labels are 0 and 4095 gives
// a short output: its classes are the two labels it holds, and a confusion
// matrix of many classes is summarised, never thousands of lines.
func ManyClasses(t *testing.T, r Run) {
	data := "a,b,target\n1,2,0\n2,3,4095\n3,1,0\n4,4,4095\n5,2,0\n6,1,4095\n"
	if len(data) > 64 {
		t.Fatalf("test file is %d bytes, want at most 64", len(data))
	}
	path := WriteFile(t, "data.csv", data)
	code, stdout, stderr := Call(r, "-data", path, "-epochs", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(stdout) > 16<<10 {
		t.Errorf("output is %d bytes for a 64-byte file, want under 16 KiB", len(stdout))
	}
	if !strings.Contains(stdout, "4095") || !strings.Contains(stdout, "2 classes") {
		t.Errorf("output does not name class 4095 or 2 classes:\n%s", stdout)
	}
}

// MeanOverSeeds runs the program with -seed 1 to 5 (and args) and returns
// the mean of the value named key on its final line, which must match re.
func MeanOverSeeds(t *testing.T, r Run, re *regexp.Regexp, key string, args ...string) float64 {
	t.Helper()
	var sum float64
	for _, seed := range []string{"1", "2", "3", "4", "5"} {
		code, stdout, stderr := Call(r, append([]string{"-seed", seed}, args...)...)
		if code != 0 {
			t.Fatalf("seed %s: exit %d: %s", seed, code, stderr)
		}
		v := Final(t, stdout, re)[key]
		t.Logf("seed %s: %s %.4f", seed, key, v)
		sum += v
	}
	return sum / 5
}

// ClassifierBadData are data files a classification program refuses.
var ClassifierBadData = []BadData{
	{Name: "empty", Data: "", Want: "empty"},
	{Name: "header only", Data: "a,b,target\n", Want: "no data rows"},
	{Name: "Inf feature", Data: "a,b,target\n1,2,x\n1,inf,z\n3,4,x\n", Want: `column "b"`},
	{Name: "ragged", Data: "a,b,target\n1,2,0\n1,2\n", Want: "line 3"},
	{Name: "non-integer label", Data: "a,b,target\n1,2,0\n1,2,1.5\n", Want: "1.5"},
	{Name: "bare quote", Data: "a,b,target\n1,\"2,0\n", Want: "line 2"},
	{Name: "one class", Data: "a,b,target\n1,2,0\n3,4,0\n5,6,0\n", Want: "at least 2"},
	{Name: "one sample", Data: "a,b,target\n1,2,1\n", Want: "a classifier needs at least 2"},
}
