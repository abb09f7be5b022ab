// Package interrupt stops a command cleanly on SIGINT, SIGTERM and SIGHUP.
//
// Watch installs one handler for the three signals (SIGHUP not when it is
// ignored, as under nohup). The first signal cancels the context that
// Context returns, with the signal as its cause (every long loop watches
// that context). If the command has not returned (called Watch's stop) a
// grace period later, the process exits with status 128+signal, unless a
// held write (HoldWrite: a checkpoint or a model) is in progress: then the
// watcher says so on stderr, waits for the write to end and grants the
// command another grace period. A second signal ends the process at once,
// also during a held write. Outputs are written atomically (package npy),
// so an early end leaves the old files or none.
//
// The state is the process's: one command runs under one Watch at a time.
package interrupt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// prog begins the watcher's messages on stderr.
const prog = "isingrbm"

// grace is how long a command may take to stop after a signal, not
// counting a held write in progress.
const grace = 600 * time.Millisecond

var interrupts struct {
	sync.Mutex
	ctx context.Context
	// held counts the checkpoint (or model) writes in progress, of about
	// heldBytes, the last of them heldWhat; idle is closed when held drops
	// back to 0.
	held      int
	heldBytes float64
	heldWhat  string
	idle      chan struct{}
}

// caught is the cause of a context cancelled by a signal.
type caught struct{ sig syscall.Signal }

func (c caught) Error() string {
	switch c.sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return c.sig.String()
}

// Watch installs the handler of SIGINT, SIGTERM and SIGHUP (see the
// package comment) and a new context for Context to return; the messages
// of the watcher go to stderr. stop, to be called when the command
// returns, removes the handler, ends the watcher and cancels the context
// (with no signal as its cause when none came).
func Watch(stderr io.Writer) (stop func()) { return watchSignals(stderr, grace, os.Exit) }

// watchSignals is Watch with the grace period and the function that ends
// the process as arguments.
func watchSignals(stderr io.Writer, grace time.Duration, exit func(status int)) (stop func()) {
	ch := make(chan os.Signal, 2)
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) { // nohup: hangups are to be ignored
		sigs = append(sigs, syscall.SIGHUP)
	}
	signal.Notify(ch, sigs...)
	stopWatch := start(stderr, ch, grace, exit)
	return func() {
		signal.Stop(ch)
		stopWatch()
	}
}

// WatchForTest is for tests only, of the commands that use this package:
// it is Watch on the signals sent to ch rather than to the process (it
// installs no handler), with grace as the grace period and exit called in
// place of os.Exit. Its stop also forgets the context, so that Context
// returns context.Background() again until the next Watch.
func WatchForTest(stderr io.Writer, ch <-chan os.Signal, grace time.Duration, exit func(status int)) (stop func()) {
	stopWatch := start(stderr, ch, grace, exit)
	return func() {
		stopWatch()
		interrupts.Lock()
		interrupts.ctx = nil
		interrupts.Unlock()
	}
}

// start makes the context that Context returns and runs watch on ch.
func start(stderr io.Writer, ch <-chan os.Signal, grace time.Duration, exit func(status int)) (stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	interrupts.Lock()
	interrupts.ctx = ctx
	interrupts.Unlock()
	quit := make(chan struct{})
	go watch(stderr, ch, quit, cancel, grace, exit)
	return func() {
		close(quit)
		cancel(nil)
	}
}

// watch waits for the first signal on ch, cancels the command with it, and
// ends the process (exit) when the command has not returned (quit) grace
// later and no write is held, or at once on a second signal.
func watch(stderr io.Writer, ch <-chan os.Signal, quit <-chan struct{}, cancel context.CancelCauseFunc, grace time.Duration, exit func(status int)) {
	var c caught
	select {
	case s := <-ch:
		c.sig = s.(syscall.Signal)
	case <-quit:
		return
	}
	cancel(c)
	end := func() {
		fmt.Fprintf(stderr, "%s: %s: stopped\n", prog, c)
		exit(128 + int(c.sig))
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	announced := false
	// Either the grace period runs (idle nil) or a held write is awaited
	// (tick nil): a receive from a nil channel never proceeds.
	var idle <-chan struct{}
	for {
		tick := timer.C
		if idle != nil {
			tick = nil
		}
		select {
		case <-ch:
			end()
			return
		case <-quit:
			return
		case <-tick:
			bytes, held := heldWrites()
			if held == nil {
				end()
				return
			}
			if !announced {
				announced = true
				fmt.Fprintf(stderr, "%s: %s: writing the %s (about %.0f MB); send %s again to quit without it\n", prog, c, heldWhat(), bytes/1e6, c)
			}
			idle = held
		case <-idle:
			idle = nil
			timer.Reset(grace)
		}
	}
}

// HoldWrite tells the watcher that a write of about bytes bytes is in
// progress, a "checkpoint" or a "model" (what, which its message names):
// after a signal the watcher waits for release (or a second signal) before
// ending the process, then grants the command another grace period.
// Calling release more than once does nothing.
func HoldWrite(what string, bytes float64) (release func()) {
	interrupts.Lock()
	if interrupts.held == 0 {
		interrupts.idle = make(chan struct{})
	}
	interrupts.held++
	interrupts.heldBytes += bytes
	interrupts.heldWhat = what
	interrupts.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			interrupts.Lock()
			defer interrupts.Unlock()
			interrupts.held--
			interrupts.heldBytes -= bytes
			if interrupts.held == 0 {
				close(interrupts.idle)
				interrupts.idle, interrupts.heldBytes = nil, 0
			}
		})
	}
}

// holdCheckpoint is HoldWrite for the checkpoints that core/rbm writes
// (rbm.WithCheckpointHold).
func holdCheckpoint(bytes float64) (release func()) { return HoldWrite("checkpoint", bytes) }

// heldWhat names the last write held (HoldWrite).
func heldWhat() string {
	interrupts.Lock()
	defer interrupts.Unlock()
	return interrupts.heldWhat
}

// heldWrites returns the bytes of the writes held and a channel closed
// when they are done; nil when none is.
func heldWrites() (float64, <-chan struct{}) {
	interrupts.Lock()
	defer interrupts.Unlock()
	if interrupts.held == 0 {
		return 0, nil
	}
	return interrupts.heldBytes, interrupts.idle
}

// Context returns the context that the signals cancel, under which the
// checkpoints that core/rbm writes hold the exit (rbm.WithCheckpointHold);
// context.Background() before the first Watch.
func Context() context.Context {
	interrupts.Lock()
	defer interrupts.Unlock()
	if interrupts.ctx == nil {
		return context.Background()
	}
	return rbm.WithCheckpointHold(interrupts.ctx, holdCheckpoint)
}

// Caught returns the signal that cancelled Context's context, or nil.
func Caught() os.Signal {
	var c caught
	if errors.As(context.Cause(Context()), &c) {
		return c.sig
	}
	return nil
}

// Interrupted rewrites a cancellation (context.Canceled) by a signal as
// one line, "interrupted by SIGINT; " followed by kept, which says what
// was kept; other errors, and every error when no signal came, pass
// unchanged.
func Interrupted(err error, kept string) error {
	if s := Caught(); s != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted by %s; %s", caught{s.(syscall.Signal)}, kept)
	}
	return err
}
