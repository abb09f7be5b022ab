package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestProgressBoard(t *testing.T) {
	var out bytes.Buffer
	b := &progressBoard{w: &out, tty: true}
	a, c := b.task("a"), b.task("c")
	a.start = time.Now().Add(-10 * time.Second)
	a.SetExtra("recon 0.5")
	a.Update(1, 4)
	if got, want := out.String(), "\ra [===>           ]  25% ETA 30s recon 0.5 | c [>              ]   0% ETA --\x1b[K"; got != want {
		t.Fatalf("two bars drew %q, want %q", got, want)
	}
	out.Reset()
	a.Update(2, 4) // within 100 ms of the last draw: skipped
	a.Update(4, 4) // the first 100% always draws
	if got := out.String(); !strings.Contains(got, "a [===============] 100% ETA 0s") || strings.Count(got, "\r") != 1 {
		t.Errorf("update to 100%%: %q", got)
	}
	out.Reset()
	fmt.Fprintln(b.around(&out), "log line")
	if got := out.String(); !strings.HasPrefix(got, "\r\x1b[Klog line\n\ra [") {
		t.Errorf("log line around the bars: %q", got)
	}
	out.Reset()
	a.Done()
	if got := out.String(); !strings.HasPrefix(got, "\ra done in 10") || !strings.Contains(got, "\n\rc [") || strings.Contains(got, "\ra [") {
		t.Errorf("done: %q", got)
	}
	out.Reset()
	c.Done()
	if got := out.String(); !strings.HasPrefix(got, "\rc done in ") || !strings.HasSuffix(got, "\x1b[K\n") {
		t.Errorf("last bar done: %q", got)
	}
	out.Reset()
	fmt.Fprint(b.around(&out), "x")
	if out.String() != "x" {
		t.Errorf("a write with no bars running: %q", out.String())
	}
}

func TestProgressNotTerminal(t *testing.T) {
	var out bytes.Buffer
	bar := newProgressBar(&out, "x") // a buffer is not a terminal
	bar.SetExtra("e")
	bar.Update(1, 2)
	bar.Update(2, 2)
	bar.Done()
	if out.Len() != 0 {
		t.Errorf("a bar on a non-terminal wrote %q", out.String())
	}
}
