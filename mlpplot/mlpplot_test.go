package mlpplot_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/mlpplot"
)

// history returns a history of n epochs whose losses fall and whose
// metrics, named names, rise towards 1 (scaled by scale[k]).
func history(n int, val bool, names []string, scale []float64) *mlp.History {
	h := &mlp.History{MetricNames: names}
	for i := range n {
		t := float64(i) / float64(max(n-1, 1))
		e := mlp.Epoch{Epoch: i, LR: 0.1, Loss: 1.2*math.Exp(-3*t) + 0.05, ValLoss: math.NaN()}
		if val {
			e.ValLoss = 1.1*math.Exp(-2.5*t) + 0.1
			e.ValMetrics = make([]float64, len(names))
			for k := range names {
				e.ValMetrics[k] = scale[k] * (1 - 0.6*math.Exp(-4*t) - 0.01*float64(k))
			}
		}
		h.Epochs = append(h.Epochs, e)
	}
	return h
}

// decode checks that b is a PNG image of w x h pixels that is not blank:
// at least 1% of its pixels are not white and it has at least 8 colours.
func decode(t *testing.T, b []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the output is not a PNG image: %v", err)
	}
	if got := img.Bounds(); got.Dx() != w || got.Dy() != h {
		t.Fatalf("image is %dx%d pixels, want %dx%d", got.Dx(), got.Dy(), w, h)
	}
	colours := make(map[[4]uint32]bool)
	nonWhite := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			colours[[4]uint32{cr, cg, cb, ca}] = true
			if cr != 0xffff || cg != 0xffff || cb != 0xffff {
				nonWhite++
			}
		}
	}
	if frac := float64(nonWhite) / float64(w*h); frac < 0.01 || len(colours) < 8 {
		t.Errorf("image looks blank: %.4f of the pixels are not white, %d colours", frac, len(colours))
	}
	return img
}

func TestWritePNG(t *testing.T) {
	tests := []struct {
		name string
		h    *mlp.History
		s    mlpplot.Settings
		w, y int // expected size
	}{
		{"classification", history(30, true, []string{"accuracy", "macro_f1"}, []float64{1, 1}),
			mlpplot.Settings{Title: "iris: Linear(4->16), ReLU, Linear(16->3), Softmax"}, mlpplot.DefaultWidth, mlpplot.DefaultHeight},
		{"regression", history(100, true, []string{"rmse", "r2"}, []float64{60, 1}),
			mlpplot.Settings{Width: 640, Height: 900}, 640, 900},
		{"no validation", history(12, false, []string{"accuracy"}, []float64{1}),
			mlpplot.Settings{Width: 300, Height: 200}, 300, 200},
		{"one epoch", history(1, true, []string{"accuracy"}, []float64{1}),
			mlpplot.Settings{Width: 401, Height: 333}, 401, 333},
		{"no metrics", history(5, true, nil, nil), mlpplot.Settings{Height: 500}, mlpplot.DefaultWidth, 500},
		{"largest", history(5, true, nil, nil), mlpplot.Settings{Width: mlpplot.MaxSize, Height: mlpplot.MinSize}, mlpplot.MaxSize, mlpplot.MinSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := mlpplot.WritePNG(&buf, tt.h, tt.s); err != nil {
				t.Fatal(err)
			}
			decode(t, buf.Bytes(), tt.w, tt.y)
		})
	}
}

// Non-finite values are left out of the lines, not reported as errors.
func TestWritePNGNonFinite(t *testing.T) {
	h := history(20, true, []string{"r2"}, []float64{1})
	h.Epochs[0].ValMetrics[0] = math.NaN() // as R2 of fewer than two samples
	h.Epochs[3].Loss = math.Inf(1)
	for i := range h.Epochs {
		h.Epochs[i].ValLoss = math.NaN()
	}
	var buf bytes.Buffer
	if err := mlpplot.WritePNG(&buf, h, mlpplot.Settings{}); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes(), mlpplot.DefaultWidth, mlpplot.DefaultHeight)
}

// The history is read, not changed.
func TestWritePNGKeepsHistory(t *testing.T) {
	h := history(10, true, []string{"accuracy"}, []float64{1})
	want := history(10, true, []string{"accuracy"}, []float64{1})
	if err := mlpplot.WritePNG(&bytes.Buffer{}, h, mlpplot.Settings{}); err != nil {
		t.Fatal(err)
	}
	for i := range h.Epochs {
		a, b := h.Epochs[i], want.Epochs[i]
		if a.Loss != b.Loss || a.ValLoss != b.ValLoss || a.ValMetrics[0] != b.ValMetrics[0] {
			t.Fatalf("epoch %d changed: %+v, was %+v", i, a, b)
		}
	}
}

type failingWriter struct{}

var errWrite = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWritePNGErrors(t *testing.T) {
	mismatch := history(3, true, []string{"accuracy"}, []float64{1})
	mismatch.Epochs[1].ValMetrics = []float64{0.5, 0.6}
	good := history(3, true, []string{"accuracy"}, []float64{1})
	tests := []struct {
		name string
		h    *mlp.History
		s    mlpplot.Settings
		want error
	}{
		{"nil history", nil, mlpplot.Settings{}, mlpplot.ErrEmptyHistory},
		{"no epochs", &mlp.History{MetricNames: []string{"accuracy"}}, mlpplot.Settings{}, mlpplot.ErrEmptyHistory},
		{"metric count", mismatch, mlpplot.Settings{}, mlp.ErrData},
		{"negative width", good, mlpplot.Settings{Width: -1}, mlp.ErrSetting},
		{"too small", good, mlpplot.Settings{Width: mlpplot.MinSize - 1}, mlp.ErrSetting},
		{"too large", good, mlpplot.Settings{Height: mlpplot.MaxSize + 1}, mlp.ErrSetting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := mlpplot.WritePNG(&buf, tt.h, tt.s)
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want one matching %v", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written on error", buf.Len())
			}
		})
	}
	t.Run("writer", func(t *testing.T) {
		if err := mlpplot.WritePNG(failingWriter{}, good, mlpplot.Settings{}); !errors.Is(err, errWrite) {
			t.Errorf("error %v, want the writer's", err)
		}
	})
}

func TestSavePNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.png")
	h := history(40, true, []string{"accuracy"}, []float64{1})
	if err := mlpplot.SavePNG(path, h, mlpplot.Settings{Width: 500, Height: 400}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, b, 500, 400)

	// An empty history is an error and leaves no file.
	empty := filepath.Join(dir, "empty.png")
	if err := mlpplot.SavePNG(empty, &mlp.History{}, mlpplot.Settings{}); !errors.Is(err, mlpplot.ErrEmptyHistory) {
		t.Errorf("empty history: error %v, want ErrEmptyHistory", err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an empty history left a file: %v", err)
	}
	// A directory that does not exist.
	if err := mlpplot.SavePNG(filepath.Join(dir, "no", "such.png"), h, mlpplot.Settings{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing directory: error %v, want one matching os.ErrNotExist", err)
	}
}

// WritePNG may run concurrently on one history, and gives the same image
// each time.
func TestWritePNGConcurrent(t *testing.T) {
	h := history(15, true, []string{"rmse", "r2"}, []float64{50, 1})
	s := mlpplot.Settings{Width: 320, Height: 400}
	out := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			if err := mlpplot.WritePNG(&buf, h, s); err != nil {
				t.Error(err)
			}
			out[i] = buf.Bytes()
		}()
	}
	wg.Wait()
	for i := range out[1:] {
		if !bytes.Equal(out[0], out[i+1]) {
			t.Errorf("images 0 and %d differ", i+1)
		}
	}
}
