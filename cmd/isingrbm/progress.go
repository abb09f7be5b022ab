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
// logs and pipes stay clean. Bars of a progressBoard share one line.
type progressBar struct {
	mu      sync.Mutex
	w       io.Writer
	label   string
	start   time.Time
	last    time.Time
	enabled bool
	extra   string
	frac    float64
	board   *progressBoard // nil: the bar has the line to itself
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

// lock takes the bar's lock, or its board's.
func (p *progressBar) lock() func() {
	mu := &p.mu
	if p.board != nil {
		mu = &p.board.mu
	}
	mu.Lock()
	return mu.Unlock
}

// SetExtra sets a short status shown after the ETA (for example the
// reconstruction error of the last epoch).
func (p *progressBar) SetExtra(s string) {
	defer p.lock()()
	p.extra = s
}

// Update shows done out of total. It is safe for concurrent use.
func (p *progressBar) Update(done, total int64) {
	if p == nil || !p.enabled || total <= 0 {
		return
	}
	defer p.lock()()
	now := time.Now()
	// At most ten draws a second, but the first at 100% always.
	if now.Sub(p.last) < 100*time.Millisecond && !(done >= total && p.frac < 1) {
		return
	}
	p.last = now
	p.frac = min(float64(done)/float64(total), 1)
	if p.board != nil {
		p.board.draw(now)
		return
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.status(now, 30))
}

// status is "label [====>   ] 42% ETA 1m3s extra" with a bar of width
// characters.
func (p *progressBar) status(now time.Time, width int) string {
	filled := int(p.frac * float64(width))
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	eta := "--"
	if el := now.Sub(p.start); p.frac > 0.001 {
		eta = (time.Duration(float64(el)*(1-p.frac)/p.frac) / time.Second * time.Second).String()
	}
	s := fmt.Sprintf("%s [%s] %3.0f%% ETA %s", p.label, bar, 100*p.frac, eta)
	if p.extra != "" {
		s += " " + p.extra
	}
	return s
}

// Done ends the bar's line ("label done in 1.234s"; on a board, above the
// line of the bars still running).
func (p *progressBar) Done() {
	if p == nil || !p.enabled {
		return
	}
	defer p.lock()()
	fmt.Fprintf(p.w, "\r%s done in %s\x1b[K\n", p.label, time.Since(p.start).Round(time.Millisecond))
	if b := p.board; b != nil {
		for i, q := range b.bars {
			if q == p {
				b.bars = append(b.bars[:i], b.bars[i+1:]...)
				break
			}
		}
		b.draw(time.Now())
	}
}

// progressBoard shows the bars of tasks that run at the same time (the
// replication's stages side by side) on one line, separated by " | ",
// their bars narrower the more there are.
type progressBoard struct {
	mu   sync.Mutex
	w    io.Writer
	bars []*progressBar
}

func newProgressBoard(w io.Writer) *progressBoard { return &progressBoard{w: w} }

// task starts the bar of one task on the board.
func (b *progressBoard) task(label string) *progressBar {
	p := newProgressBar(b.w, label)
	p.board = b
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.enabled {
		b.bars = append(b.bars, p)
	}
	return p
}

// draw redraws the line of the running bars; b.mu is held.
func (b *progressBoard) draw(now time.Time) {
	if len(b.bars) == 0 {
		return
	}
	width := max(8, 30/len(b.bars))
	parts := make([]string, len(b.bars))
	for i, p := range b.bars {
		parts[i] = p.status(now, width)
	}
	fmt.Fprintf(b.w, "\r%s\x1b[K", strings.Join(parts, " | "))
}

// around returns a writer to w that clears the board's line before each
// write and redraws it after, so that log lines written while bars run
// (for example to stdout on the same terminal) stand on lines of their
// own.
func (b *progressBoard) around(w io.Writer) io.Writer { return boardWriter{b, w} }

type boardWriter struct {
	b *progressBoard
	w io.Writer
}

func (bw boardWriter) Write(p []byte) (int, error) {
	b := bw.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.bars) > 0 {
		fmt.Fprint(b.w, "\r\x1b[K")
		defer b.draw(time.Now())
	}
	return bw.w.Write(p)
}
