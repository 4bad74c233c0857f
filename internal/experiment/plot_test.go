package experiment_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpkit/mlp/internal/experiment"
	"github.com/mlpkit/mlp/mlpplot"
)

// -plot writes the history of the last model as a PNG image, and the final
// line stays last.
func TestMainPlot(t *testing.T) {
	tests := []struct {
		name string
		def  experiment.Defaults
		args []string
	}{
		{"breastcancer", breastCancer, []string{"-epochs", "4"}},
		{"iris", iris, []string{"-epochs", "6"}},
		{"digits", digits, []string{"-epochs", "2"}},
		{"diabetes", diabetes, []string{"-epochs", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.png")
			code, stdout, stderr := run(tt.name, tt.def, append(tt.args, "-plot", path)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if got := lastLine(t, stdout); !strings.HasPrefix(got, "final val_loss=") {
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
		})
	}
}

// For breastcancer the plot shows the second model, the one the flags
// describe, not the 20-epoch baseline.
func TestMainPlotLastModel(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if code, _, stderr := run("breastcancer", breastCancer, "-epochs", "3", "-plot", a); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run("breastcancer", breastCancer, "-epochs", "7", "-plot", b); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pa, _ := os.ReadFile(a)
	pb, _ := os.ReadFile(b)
	if bytes.Equal(pa, pb) {
		t.Error("-epochs 3 and 7 give the same plot: it does not show the second model")
	}
}

// A -plot file that cannot be written is found before training.
func TestMainPlotBadPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "h.png"), "no such file"},
		{"under a file", filepath.Join(file, "h.png"), "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run("iris", iris, "-epochs", "2", "-plot", tt.path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			checkOneLineError(t, stderr, "iris: -plot: ", tt.want)
			if stdout != "" {
				t.Errorf("training ran:\n%s", stdout)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		// The directory exists, but the path names a directory: the error
		// comes after training, with no final line.
		code, stdout, stderr := run("iris", iris, "-epochs", "2", "-plot", dir)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		checkOneLineError(t, stderr, "iris: mlpplot: ", dir)
		if strings.Contains(stdout, "final") {
			t.Errorf("stdout has a final line:\n%s", stdout)
		}
	})
	t.Run("help", func(t *testing.T) {
		_, _, stderr := run("iris", iris, "-h")
		if !strings.Contains(stderr, "-plot file") {
			t.Errorf("usage lacks -plot:\n%s", stderr)
		}
	})
}
