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
// which epoch is running and for how long, rewritten in place every tick;
// once an epoch of the phase has ended it also gives the rate (training
// rows per second over the phase's finished epochs) and the time left at
// most (the epochs left up to the cap at that rate: a stopping rule may end
// the run sooner). The next log line erases it. A progress is safe for
// concurrent use; Stop ends its ticker and erases the status line.
type progress struct {
	w           io.Writer
	after, tick time.Duration

	mu         sync.Mutex
	label      string    // what runs, before "epoch" in the status line
	echo       bool      // log lines are written through; otherwise only counted
	rows, max  int       // training rows per epoch and the most epochs of the phase; 0: unknown
	epoch      int       // the epochs of the phase ended: the number of log lines received
	phaseStart time.Time // when the phase's first epoch began
	start      time.Time // when the running epoch began
	status     bool      // a status line is on screen
	stop       chan struct{}
	done       chan struct{}
}

// newProgress starts a progress writing to w, in a phase that echoes the
// log and knows neither the rows nor the most epochs.
func newProgress(w io.Writer, after, tick time.Duration) *progress {
	now := time.Now()
	p := &progress{w: w, after: after, tick: tick, echo: true, start: now, phaseStart: now, stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// Phase starts counting epochs afresh for a fit of rows training rows and at
// most max epochs, named label in the status line ("" for the first fit);
// echo says whether its log lines are written through. With after 0
// (tests), each epoch's status line is written as the epoch starts, not
// only at the ticks.
func (p *progress) Phase(label string, rows, max int, echo bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.label, p.rows, p.max, p.echo, p.epoch = label, rows, max, echo, 0
	p.start = time.Now()
	p.phaseStart = p.start
	if p.after == 0 {
		io.WriteString(p.w, "\r\x1b[K"+p.line(p.start))
		p.status = true
	}
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
			if now.Sub(p.start) >= p.after {
				io.WriteString(p.w, "\r\x1b[K"+p.line(now))
				p.status = true
			}
			p.mu.Unlock()
		}
	}
}

// line returns the status line at time now. p.mu is held.
func (p *progress) line(now time.Time) string {
	// Epochs count from 0, as the log lines' epoch= does.
	s := fmt.Sprintf("%sepoch %d running: %.0fs", p.label, p.epoch, now.Sub(p.start).Seconds())
	if p.max > 0 {
		s = fmt.Sprintf("%sepoch %d running (of at most %d): %.0fs", p.label, p.epoch, p.max, now.Sub(p.start).Seconds())
	}
	if p.epoch == 0 || p.rows <= 0 {
		return s
	}
	perEpoch := p.start.Sub(p.phaseStart) / time.Duration(p.epoch)
	if perEpoch <= 0 {
		return s
	}
	s += fmt.Sprintf(", %s rows/s", rate(float64(p.rows)/perEpoch.Seconds()))
	if p.max > 0 {
		left := time.Duration(p.max-p.epoch)*perEpoch - now.Sub(p.start)
		s += ", at most " + shortDuration(max(left, 0)) + " left"
	}
	return s
}

// rate formats a rate with three significant digits: 987, 12.3k, 4.56M, 1.2G.
func rate(r float64) string {
	switch {
	case r >= 1e9:
		return fmt.Sprintf("%.3gG", r/1e9)
	case r >= 1e6:
		return fmt.Sprintf("%.3gM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.3gk", r/1e3)
	}
	return fmt.Sprintf("%.3g", r)
}

// shortDuration formats d in whole seconds: 42s, 3m05s, 2h01m.
func shortDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s >= 3600:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	case s >= 60:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

// Write writes b after erasing the status line (or only counts its lines
// in a phase that does not echo); each newline in b ends an epoch's log
// line and starts the clock of the next epoch.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if lines := bytes.Count(b, []byte{'\n'}); lines > 0 {
		p.epoch += lines
		p.start = time.Now()
	}
	n := len(b)
	var err error
	if p.echo {
		p.clear()
		n, err = p.w.Write(b)
	}
	if p.after == 0 && err == nil && bytes.HasSuffix(b, []byte{'\n'}) {
		// Every epoch is long: its status line is due at once.
		io.WriteString(p.w, "\r\x1b[K"+p.line(p.start))
		p.status = true
	}
	return n, err
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
