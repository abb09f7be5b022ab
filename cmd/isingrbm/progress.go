package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws "label [=====>    ] 42% ETA 1m03s" on a terminal, at most
// ten times a second. It draws nothing when its writer is not a terminal, so
// logs and pipes stay clean.
type progressBar struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	start   time.Time
	last    time.Time
	enabled bool
	extra   string
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgressBar(w io.Writer, label string) *progressBar {
	now := time.Now()
	return &progressBar{w: w, label: label, start: now, enabled: isTerminal(w)}
}

// SetExtra sets a short status shown after the ETA (for example the
// reconstruction error of the last epoch).
func (p *progressBar) SetExtra(s string) {
	p.mu.Lock()
	p.extra = s
	p.mu.Unlock()
}

// Update shows done out of total. It is safe for concurrent use.
func (p *progressBar) Update(done, total int64) {
	if p == nil || !p.enabled || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	eta := "--"
	if el := now.Sub(p.start); frac > 0.001 {
		eta = (time.Duration(float64(el)*(1-frac)/frac) / time.Second * time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%% ETA %s %s\x1b[K", p.label, bar, 100*frac, eta, p.extra)
}

// Done ends the bar's line.
func (p *progressBar) Done() {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r%s done in %s\x1b[K\n", p.label, time.Since(p.start).Round(time.Millisecond))
}
