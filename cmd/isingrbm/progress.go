package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// progressBar draws "label [=====>    ] 42% ETA 1m03s" on a terminal, at most
// ten times a second. It draws nothing when its writer is not a terminal, so
// logs and pipes stay clean. Every bar belongs to a progressBoard (a lone
// bar to a board of its own); the bars of one board share a line.
type progressBar struct {
	label, extra string
	start, last  time.Time
	frac         float64
	board        *progressBoard // nil when the writer is not a terminal
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

// newProgressBar returns a bar with a line of its own.
func newProgressBar(w io.Writer, label string) *progressBar {
	return newProgressBoard(w).task(label)
}

// SetExtra sets a short status shown after the ETA (for example the
// reconstruction error of the last epoch).
func (p *progressBar) SetExtra(s string) {
	if p.board == nil {
		return
	}
	p.board.mu.Lock()
	defer p.board.mu.Unlock()
	p.extra = s
}

// Update shows done out of total. It is safe for concurrent use.
func (p *progressBar) Update(done, total int64) {
	if p.board == nil || total <= 0 {
		return
	}
	p.board.mu.Lock()
	defer p.board.mu.Unlock()
	now := time.Now()
	// At most ten draws a second, but the first at 100% always.
	if now.Sub(p.last) < 100*time.Millisecond && !(done >= total && p.frac < 1) {
		return
	}
	p.last = now
	p.frac = min(float64(done)/float64(total), 1)
	p.board.draw(now)
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

// Done ends the bar's line ("label done in 1.234s", above the line of the
// bars of its board still running).
func (p *progressBar) Done() {
	b := p.board
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.w, "\r%s done in %s\x1b[K\n", p.label, time.Since(p.start).Round(time.Millisecond))
	b.bars = slices.DeleteFunc(b.bars, func(q *progressBar) bool { return q == p })
	b.draw(time.Now())
}

// progressBoard shows the bars of tasks that run at the same time (the
// replication's stages side by side) on one line, separated by " | ",
// their bars narrower the more there are.
type progressBoard struct {
	mu   sync.Mutex
	w    io.Writer
	tty  bool // draw at all
	bars []*progressBar
}

func newProgressBoard(w io.Writer) *progressBoard {
	return &progressBoard{w: w, tty: isTerminal(w)}
}

// task starts the bar of one task on the board.
func (b *progressBoard) task(label string) *progressBar {
	p := &progressBar{label: label, start: time.Now()}
	if !b.tty {
		return p
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p.board = b
	b.bars = append(b.bars, p)
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
