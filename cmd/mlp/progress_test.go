package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgress checks that a long epoch gets a status line naming it, that
// the next log line erases it, and that short epochs get none. Epoch 1
// lasts until its status line has appeared (at most 20 s), however late
// the ticker's goroutine runs on a busy machine; epochs 2 and 3 end at
// once, far less than the 250 ms after which a status line is due.
func TestProgress(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, 250*time.Millisecond, 5*time.Millisecond)
	p.Write([]byte("epoch=  0 | loss= 1.000\n"))
	status := regexp.MustCompile("\r\x1b\\[Kepoch 1 running: \\d+s")
	for deadline := time.Now().Add(20 * time.Second); !status.MatchString(out.String()) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // epoch 1 is long
	}
	p.Write([]byte("epoch=  1 | loss= 0.500\n"))
	p.Write([]byte("epoch=  2 | loss= 0.250\n")) // epoch 3 ends at once
	p.Stop()
	got := out.String()
	if !status.MatchString(got) {
		t.Errorf("no status line for the long epoch 1 in %q", got)
	}
	if strings.Contains(got, "epoch 2 running") || strings.Contains(got, "epoch 3 running") {
		t.Errorf("a status line for a short epoch in %q", got)
	}
	// Erased before the next line: the log reads the same without it.
	clean := strings.NewReplacer("\r\x1b[K", "").Replace(regexpStatus.ReplaceAllString(got, ""))
	if clean != "epoch=  0 | loss= 1.000\nepoch=  1 | loss= 0.500\nepoch=  2 | loss= 0.250\n" {
		t.Errorf("log %q", clean)
	}
	if !strings.HasSuffix(got, "\nepoch=  2 | loss= 0.250\n") {
		t.Errorf("output ends %q", got[max(0, len(got)-40):])
	}
}

var regexpStatus = regexp.MustCompile("\r\x1b\\[Kepoch \\d+ running: \\d+s")

// TestProgressRate checks that once epochs of a phase have ended, the status
// line of a long epoch gives the rate in rows per second and the time left
// at most: epochs 1 and 2 last at least 50 ms each, so 1000 rows an epoch
// run at most 20k rows/s, and epoch 2 (of at most 10, counting from 0) waits for its status
// line.
func TestProgressRate(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, 250*time.Millisecond, 5*time.Millisecond)
	p.Phase("", 1000, 10, true)
	for i := range 2 {
		time.Sleep(50 * time.Millisecond)
		fmt.Fprintf(p, "epoch=%3d | loss= 1.000\n", i)
	}
	status := regexp.MustCompile("\r\x1b\\[Kepoch 2 running \\(of at most 10\\): \\d+s, ([0-9.]+)(k?) rows/s, at most (\\d+)s left")
	for deadline := time.Now().Add(20 * time.Second); !status.MatchString(out.String()) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	p.Stop()
	m := status.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no status line with a rate and the time left in %q", out.String())
	}
	r, err := strconv.ParseFloat(m[1], 64)
	if m[2] == "k" {
		r *= 1000
	}
	if err != nil || r <= 0 || r > 20000 {
		t.Errorf("rate %q%s rows/s; want in (0, 20k]", m[1], m[2])
	}
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("Stop does not erase the status line: %q", out.String())
	}
}

// TestProgressSilentPhase checks that a phase that does not echo counts the
// log lines without writing them and names itself in the status line.
func TestProgressSilentPhase(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, 100*time.Millisecond, 5*time.Millisecond)
	p.Phase("refit on all 9 rows: ", 9, 4, false)
	p.Write([]byte("epoch=  0 | loss= 1.000\n"))
	status := regexp.MustCompile("\r\x1b\\[Krefit on all 9 rows: epoch 1 running \\(of at most 4\\): \\d+s, ")
	for deadline := time.Now().Add(20 * time.Second); !status.MatchString(out.String()) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	p.Stop()
	got := out.String()
	if !status.MatchString(got) {
		t.Errorf("no status line for the silent phase in %q", got)
	}
	if strings.Contains(got, "loss=") {
		t.Errorf("a silent phase writes its log: %q", got)
	}
}

// TestProgressFormats checks the rate's and the time's formats.
func TestProgressFormats(t *testing.T) {
	for _, c := range []struct {
		r    float64
		want string
	}{{987, "987"}, {12345, "12.3k"}, {4.56e6, "4.56M"}, {1.2e9, "1.2G"}, {0.5, "0.5"}} {
		if got := rate(c.r); got != c.want {
			t.Errorf("rate(%v) = %q, want %q", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{42 * time.Second, "42s"}, {185 * time.Second, "3m05s"}, {2*time.Hour + 61*time.Second, "2h01m"}, {400 * time.Millisecond, "0s"}} {
		if got := shortDuration(c.d); got != c.want {
			t.Errorf("shortDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestTrainProgressTerminal runs train in the process with a terminal and
// without one, every epoch counting as long: on the terminal the status
// lines give the epoch of at most 1000 (the command's cap), the rate and the
// time left, and the refit gets its own; piped output has none, and both
// print the same log once the status lines are taken out.
func TestTrainProgressTerminal(t *testing.T) {
	defer func(a, b time.Duration) { progressAfter, progressTick = a, b }(progressAfter, progressTick)
	progressAfter, progressTick = 0, time.Millisecond
	dir := t.TempDir()
	train := func(terminal bool) string {
		var out, errOut bytes.Buffer
		args := []string{"train", "-data", "testdata/iris.csv", "-target", "species", "-ignore", "id", "-na", "NA", "-seed", "2", "-o", filepath.Join(dir, "m.mlp")}
		if code := run(context.Background(), args, &env{stdout: &out, stderr: &errOut, terminal: terminal}); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	piped, term := train(false), train(true)
	if strings.ContainsAny(piped, "\r\x1b") {
		t.Errorf("piped output holds a status line: %q", piped)
	}
	if !regexp.MustCompile("\r\x1b\\[Kepoch \\d+ running \\(of at most 1000\\): \\d+s, [0-9.]+[kMG]? rows/s, at most \\d+(s|m\\d\\ds) left").MatchString(term) {
		t.Errorf("no status line with the rate and the time left on the terminal:\n%q", term)
	}
	if !strings.Contains(term, "\r\x1b[Krefit on all 150 rows: epoch ") {
		t.Errorf("no status line for the refit on the terminal")
	}
	status := regexp.MustCompile("\r\x1b\\[K(refit on all 150 rows: |training rows again: )?epoch \\d+ running[^\r\n]*")
	clean := strings.ReplaceAll(status.ReplaceAllString(term, ""), "\r\x1b[K", "")
	if clean != piped {
		t.Errorf("the terminal's log differs from the piped one once the status lines are out:\n%s\n---\n%s", clean, piped)
	}
}
