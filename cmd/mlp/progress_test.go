package main

import (
	"bytes"
	"regexp"
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
