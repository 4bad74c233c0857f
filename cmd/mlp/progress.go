package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress passes the epoch log through to a terminal and, while an epoch
// runs for longer than after, keeps a status line below the log that says
// which epoch is running and for how long, rewritten in place every tick.
// The next log line erases it. A progress is safe for concurrent use; Stop
// ends its ticker and erases the status line.
type progress struct {
	w           io.Writer
	after, tick time.Duration

	mu     sync.Mutex
	epoch  int       // the epoch running: the number of log lines written
	start  time.Time // when it began
	status bool      // a status line is on screen
	stop   chan struct{}
	done   chan struct{}
}

// newProgress starts a progress writing to w.
func newProgress(w io.Writer, after, tick time.Duration) *progress {
	p := &progress{w: w, after: after, tick: tick, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *progress) run() {
	defer close(p.done)
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			if d := now.Sub(p.start); d >= p.after {
				fmt.Fprintf(p.w, "\r\x1b[Kepoch %d running: %.0fs", p.epoch, d.Seconds())
				p.status = true
			}
			p.mu.Unlock()
		}
	}
}

// Write writes b after erasing the status line; each newline in b ends an
// epoch's log line and starts the clock of the next epoch.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	if n := bytes.Count(b, []byte{'\n'}); n > 0 {
		p.epoch += n
		p.start = time.Now()
	}
	return p.w.Write(b)
}

// clear erases the status line, if any. p.mu is held.
func (p *progress) clear() {
	if p.status {
		io.WriteString(p.w, "\r\x1b[K")
		p.status = false
	}
}

// Stop stops the ticker and erases the status line.
func (p *progress) Stop() {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}
