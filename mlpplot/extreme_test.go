package mlpplot_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/mlpplot"
)

// TestWritePNGExtremeValues draws histories whose values or epoch numbers
// are at the edges of float64, and checks that each gives an image or an
// error, within a second: never a panic or an endless loop.
func TestWritePNGExtremeValues(t *testing.T) {
	flat := func(epochs []int, loss func(i int) float64) *mlp.History {
		h := &mlp.History{MetricNames: []string{"rmse"}}
		for i, e := range epochs {
			h.Epochs = append(h.Epochs, mlp.Epoch{Epoch: e, Loss: loss(i), ValLoss: loss(i), ValMetrics: []float64{loss(i)}})
		}
		return h
	}
	const big = 1 << 53
	constant := func(v float64) func(int) float64 { return func(int) float64 { return v } }
	for _, tc := range []struct {
		name string
		h    *mlp.History
		says string // in the error; empty when an image must be drawn
	}{
		{"constant 1", flat([]int{0, 1, 2}, constant(1)), ""},
		{"constant 1e16", flat([]int{0, 1, 2}, constant(1e16)), ""},
		{"constant -3e18", flat([]int{0, 1, 2}, constant(-3e18)), ""},
		{"constant 1e300", flat([]int{0, 1, 2}, constant(1e300)), ""},
		{"adjacent floats near 1e16", flat([]int{0, 1}, func(i int) float64 { return 1e16 + 2*float64(i) }), ""},
		{"one epoch of 1e18", flat([]int{0}, constant(1e18)), ""},
		{"MaxFloat64", flat([]int{0, 1}, constant(math.MaxFloat64)), "beyond ±1e+300"},
		{"±1e308", flat([]int{0, 1}, func(i int) float64 { return 1e308 * float64(2*i-1) }), "beyond ±1e+300"},
		{"epoch 2^53", flat([]int{big, big + 1}, constant(1)), "epoch 9007199254740992"},
		{"epoch 2^53 alone", flat([]int{big}, constant(1)), "epoch 9007199254740992"},
		{"epoch 2^62", flat([]int{1 << 62}, constant(1)), "epoch 4611686018427387904"},
		{"negative epoch", flat([]int{-1, 0}, constant(1)), ""},
		{"epochs near 2^52", flat([]int{1<<52 - 1, 1 << 52}, constant(1)), ""},
		{"every loss NaN", flat([]int{0, 1, 2}, constant(math.NaN())), "no epoch of the history has a finite loss"},
		{"every loss +Inf", flat([]int{0, 1}, constant(math.Inf(1))), "no epoch of the history has a finite loss"},
		{"one NaN epoch without validation", &mlp.History{Epochs: []mlp.Epoch{{Loss: math.NaN(), ValLoss: math.NaN()}}}, "finite loss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				defer func() {
					if r := recover(); r != nil {
						done <- errors.New("panic: " + strings.TrimSpace(strings.Split(toString(r), "\n")[0]))
					}
				}()
				var buf bytes.Buffer
				err := mlpplot.WritePNG(&buf, tc.h, mlpplot.Settings{Width: 300, Height: 300})
				if err == nil && buf.Len() == 0 {
					t.Error("no error and no image")
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("WritePNG did not return within 10 s")
			}
			if err != nil && strings.HasPrefix(err.Error(), "panic: ") {
				t.Fatalf("WritePNG %v", err)
			}
			if tc.says == "" {
				if err != nil {
					t.Fatalf("WritePNG: %v", err)
				}
				return
			}
			if !errors.Is(err, mlp.ErrData) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want one wrapping mlp.ErrData that says %q", err, tc.says)
			}
		})
	}
}

func toString(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "non-string panic value"
}

// shortWriter reports writing at most 10 bytes, with no error.
type shortWriter struct{}

func (shortWriter) Write(b []byte) (int, error) { return min(len(b), 10), nil }

// TestWritePNGStreams checks that WritePNG refuses a nil writer and reports
// a writer's short write instead of success.
func TestWritePNGStreams(t *testing.T) {
	h := &mlp.History{Epochs: []mlp.Epoch{{Epoch: 0, Loss: 1, ValLoss: math.NaN()}, {Epoch: 1, Loss: 0.5, ValLoss: math.NaN()}}}
	var nilBuf *bytes.Buffer
	for _, tc := range []struct {
		name string
		w    io.Writer
		want error
	}{
		{"nil", nil, mlp.ErrSetting},
		{"nil *bytes.Buffer", nilBuf, mlp.ErrSetting},
		{"short write", shortWriter{}, io.ErrShortWrite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return mlpplot.WritePNG(tc.w, h, mlpplot.Settings{Width: 200, Height: 200})
			}()
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want one wrapping %v", err, tc.want)
			}
		})
	}
}
