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
// the next log line erases it, and that short epochs get none.
func TestProgress(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, 30*time.Millisecond, 5*time.Millisecond)
	p.Write([]byte("epoch=  0 | loss= 1.000\n"))
	time.Sleep(120 * time.Millisecond) // epoch 1 is long
	p.Write([]byte("epoch=  1 | loss= 0.500\n"))
	p.Write([]byte("epoch=  2 | loss= 0.250\n")) // epoch 3 ends at once
	p.Stop()
	got := out.String()
	status := "\r\x1b[Kepoch 1 running: 0s"
	if !strings.Contains(got, status) {
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
