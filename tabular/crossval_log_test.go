package tabular

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// overlapWriter records its writes and counts the Write calls that began
// while another was running; each Write pauses to widen that window.
type overlapWriter struct {
	active, overlaps atomic.Int32
	buf              bytes.Buffer // written only by a Write that found no other running
}

func (w *overlapWriter) Write(p []byte) (int, error) {
	if w.active.Add(1) > 1 {
		w.overlaps.Add(1)
		w.active.Add(-1)
		return len(p), nil
	}
	defer w.active.Add(-1)
	time.Sleep(50 * time.Microsecond)
	return w.buf.Write(p)
}

// TestCrossValidateSharedLog checks that fits running at once never write
// to a shared Log writer at the same time (go test -race reports the old
// code's race on a bytes.Buffer; overlapWriter finds it without -race),
// and that every epoch's line arrives whole.
func TestCrossValidateSharedLog(t *testing.T) {
	tab := wineTable(t)
	for _, tc := range []struct {
		name string
		run  func(w *overlapWriter) error
		// lines is the number of epoch lines the fits write.
		lines int
	}{
		{"CrossValidate", func(w *overlapWriter) error {
			est := smallMLP
			est.Log = w
			_, err := CrossValidate(context.Background(), est, tab, CVSettings{K: 4, Workers: 4})
			return err
		}, 4 * smallMLP.MaxIter},
		{"GridSearch", func(w *overlapWriter) error {
			a, b := smallMLP, smallMLP
			a.Log, b.Log = w, w
			b.Alpha = 0.1
			_, err := GridSearch(context.Background(), []Estimator[*FittedMLP]{a, b}, tab, CVSettings{K: 3, Workers: 6})
			return err
		}, 2 * 3 * smallMLP.MaxIter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &overlapWriter{}
			if err := tc.run(w); err != nil {
				t.Fatal(err)
			}
			if n := w.overlaps.Load(); n > 0 {
				t.Errorf("%d writes to the shared Log began while another was running", n)
			}
			lines := strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n")
			if len(lines) < tc.lines {
				t.Errorf("%d lines logged, want at least %d (one per epoch of each fit)", len(lines), tc.lines)
			}
			for i, l := range lines {
				if !strings.HasPrefix(l, "epoch=") || strings.Count(l, "epoch=") != 1 {
					t.Errorf("line %d %q is not one epoch's line", i, l)
					break
				}
			}
		})
	}
}

// TestCrossValidateSharedLogRace runs folds at once on one bytes.Buffer,
// which is not safe for concurrent use: go test -race reports the writes
// unless CrossValidate serialises them.
func TestCrossValidateSharedLogRace(t *testing.T) {
	var buf bytes.Buffer
	est := smallMLP
	est.Log = &buf
	if _, err := CrossValidate(context.Background(), est, wineTable(t), CVSettings{K: 3, Workers: 3}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n < 3*smallMLP.MaxIter {
		t.Errorf("%d lines logged, want at least %d", n, 3*smallMLP.MaxIter)
	}
}
