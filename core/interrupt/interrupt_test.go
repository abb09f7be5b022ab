package interrupt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// syncBuffer is a bytes.Buffer safe for the watcher's goroutine.
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

// fake is a watcher started on a fake signal channel (start) whose exit
// reports the status instead of exiting.
type fake struct {
	ch     chan os.Signal
	exited chan int
	stderr *syncBuffer
	ctx    context.Context // the context the signals cancel
	stop   func()
}

// startFake starts a watcher with the given grace; the test's cleanup
// stops it and forgets its context.
func startFake(t *testing.T, grace time.Duration) *fake {
	t.Helper()
	f := &fake{ch: make(chan os.Signal, 2), exited: make(chan int, 2), stderr: &syncBuffer{}}
	f.stop = start(f.stderr, f.ch, grace, func(code int) { f.exited <- code })
	interrupts.Lock()
	f.ctx = interrupts.ctx
	interrupts.Unlock()
	t.Cleanup(func() {
		f.stop()
		interrupts.Lock()
		interrupts.ctx = nil
		interrupts.Unlock()
	})
	return f
}

// noExit fails when the watcher ends the process within d.
func (f *fake) noExit(t *testing.T, d time.Duration, when string) {
	t.Helper()
	select {
	case code := <-f.exited:
		t.Fatalf("exited with %d %s", code, when)
	case <-time.After(d):
	}
}

// exit waits (5 s at most) for the watcher to end the process and returns
// the status.
func (f *fake) exit(t *testing.T, when string) int {
	t.Helper()
	select {
	case code := <-f.exited:
		return code
	case <-time.After(5 * time.Second):
		t.Fatalf("did not exit %s", when)
	}
	return 0
}

// TestFirstSignalCancels: the first signal cancels Context's context with
// the signal as its cause (named SIGINT, SIGTERM or SIGHUP), which Caught
// returns; the process goes on until the grace ends.
func TestFirstSignalCancels(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGINT, "SIGINT"}, {syscall.SIGTERM, "SIGTERM"}, {syscall.SIGHUP, "SIGHUP"}} {
		t.Run(c.name, func(t *testing.T) {
			f := startFake(t, time.Hour)
			ctx := Context()
			if ctx.Err() != nil || Caught() != nil {
				t.Fatalf("before a signal: err %v, caught %v", ctx.Err(), Caught())
			}
			f.ch <- c.sig
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the signal did not cancel the context")
			}
			if cause := context.Cause(ctx); cause == nil || cause.Error() != c.name {
				t.Errorf("cause %v, want %s", cause, c.name)
			}
			if !errors.Is(ctx.Err(), context.Canceled) {
				t.Errorf("err %v, want context.Canceled", ctx.Err())
			}
			if s := Caught(); s != c.sig {
				t.Errorf("Caught() = %v, want %v", s, c.sig)
			}
			f.noExit(t, 30*time.Millisecond, "before the grace ended")
			if got := f.stderr.String(); got != "" {
				t.Errorf("stderr %q before the grace ended", got)
			}
		})
	}
}

// TestGraceExpiryExits: a command that does not return ends the grace
// after the signal, when no write is held, with status 128+signal and one
// line on stderr.
func TestGraceExpiryExits(t *testing.T) {
	const grace = 30 * time.Millisecond
	for _, c := range []struct {
		sig  syscall.Signal
		code int
		line string
	}{
		{syscall.SIGHUP, 129, "isingrbm: SIGHUP: stopped\n"},
		{syscall.SIGINT, 130, "isingrbm: SIGINT: stopped\n"},
		{syscall.SIGTERM, 143, "isingrbm: SIGTERM: stopped\n"},
	} {
		f := startFake(t, grace)
		start := time.Now()
		f.ch <- c.sig
		if code := f.exit(t, "after the grace"); code != c.code {
			t.Errorf("%v: exit %d, want %d", c.sig, code, c.code)
		}
		if d := time.Since(start); d < grace {
			t.Errorf("%v: exited after %v, before the grace %v", c.sig, d, grace)
		}
		if got := f.stderr.String(); got != c.line {
			t.Errorf("%v: stderr %q, want %q", c.sig, got, c.line)
		}
	}
}

// TestHeldWriteDelaysExit: after a signal, a checkpoint being written
// (the hold that Context gives core/rbm) keeps the process alive past the
// grace, with one message saying so; once it is written the command gets
// another grace, after which the process ends with 128+signal.
func TestHeldWriteDelaysExit(t *testing.T) {
	const grace = 40 * time.Millisecond
	f := startFake(t, grace)
	release := holdCheckpoint(5e6)
	defer release()
	f.ch <- syscall.SIGINT
	<-f.ctx.Done()
	f.noExit(t, 10*grace, "during a checkpoint write")
	want := "isingrbm: SIGINT: writing the checkpoint (about 5 MB); send SIGINT again to quit without it\n"
	if got := f.stderr.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	start := time.Now()
	release()
	if code := f.exit(t, "after the checkpoint was written"); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if d := time.Since(start); d < grace {
		t.Errorf("exited %v after the checkpoint, want a grace of %v for the command to return", d, grace)
	}
	if got := f.stderr.String(); got != want+"isingrbm: SIGINT: stopped\n" {
		t.Errorf("stderr %q", got)
	}
	if _, idle := heldWrites(); idle != nil {
		t.Error("a hold is left")
	}
}

// TestHeldWritesAddUp: two writes held at once are announced with their
// sum and the name of the last; the process waits for both.
func TestHeldWritesAddUp(t *testing.T) {
	const grace = 20 * time.Millisecond
	f := startFake(t, grace)
	r1 := holdCheckpoint(2e6)
	r2 := HoldWrite("model", 3e6)
	defer r1()
	defer r2()
	f.ch <- syscall.SIGTERM
	f.noExit(t, 5*grace, "with two writes held")
	r2()
	f.noExit(t, 5*grace, "with one write still held")
	want := "isingrbm: SIGTERM: writing the model (about 5 MB); send SIGTERM again to quit without it\n"
	if got := f.stderr.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	r1()
	if code := f.exit(t, "after both writes"); code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
}

// TestSecondSignalExitsAtOnce: a second signal ends the process at once,
// also while a write is held, before and after the watcher announced it.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	release := holdCheckpoint(1e9)
	defer release()
	f := startFake(t, time.Hour)
	f.ch <- syscall.SIGTERM
	<-f.ctx.Done()
	f.ch <- syscall.SIGTERM
	if code := f.exit(t, "on a second signal"); code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if got := f.stderr.String(); got != "isingrbm: SIGTERM: stopped\n" {
		t.Errorf("stderr %q", got)
	}
	// Once the watcher announced the checkpoint (the hold above is still
	// taken).
	f2 := startFake(t, 10*time.Millisecond)
	f2.ch <- syscall.SIGINT
	const announced = "isingrbm: SIGINT: writing the checkpoint (about 1000 MB); send SIGINT again to quit without it\n"
	for deadline := time.Now().Add(5 * time.Second); f2.stderr.String() != announced; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no announcement of the checkpoint: %q", f2.stderr.String())
		}
	}
	start := time.Now()
	f2.ch <- syscall.SIGHUP // any signal
	if code := f2.exit(t, "on a second signal after the announcement"); code != 130 {
		t.Errorf("exit %d, want 130 (the first signal's)", code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("exited %v after the second signal", d)
	}
	if got := f2.stderr.String(); got != announced+"isingrbm: SIGINT: stopped\n" {
		t.Errorf("stderr %q", got)
	}
}

// TestReleaseIdempotent: calling a release twice gives up its own hold
// once, not another's.
func TestReleaseIdempotent(t *testing.T) {
	r1 := HoldWrite("checkpoint", 1e6)
	r2 := HoldWrite("model", 2e6)
	r1()
	r1()
	bytes, idle := heldWrites()
	if idle == nil || bytes != 2e6 {
		t.Fatalf("after releasing one of two holds twice: %v bytes, idle %v; want 2e6 and a hold", bytes, idle)
	}
	select {
	case <-idle:
		t.Fatal("idle closed while a write is held")
	default:
	}
	r2()
	r2()
	if bytes, now := heldWrites(); now != nil || bytes != 0 {
		t.Errorf("after releasing both: %v bytes, idle %v", bytes, now)
	}
	select {
	case <-idle:
	default:
		t.Error("idle not closed when the last hold was released")
	}
	// A new hold after that starts afresh.
	r3 := HoldWrite("checkpoint", 3e6)
	if bytes, now := heldWrites(); now == nil || bytes != 3e6 {
		t.Errorf("a new hold: %v bytes, idle %v", bytes, now)
	}
	r3()
}

// TestInterrupted: only a cancellation (context.Canceled, also wrapped)
// under a caught signal is rewritten; other errors, and a cancellation
// without a signal, pass unchanged.
func TestInterrupted(t *testing.T) {
	const kept = "checkpoint written to c.ckpt"
	other := errors.New("disk full")
	wrapped := fmt.Errorf("layer 1: %w", context.Canceled)
	f := startFake(t, time.Hour)
	for _, err := range []error{nil, context.Canceled, wrapped, other} {
		if got := Interrupted(err, kept); got != err {
			t.Errorf("no signal: Interrupted(%v) = %v, want it unchanged", err, got)
		}
	}
	f.ch <- syscall.SIGTERM
	<-f.ctx.Done()
	for _, err := range []error{context.Canceled, wrapped} {
		if got := Interrupted(err, kept); got == nil || got.Error() != "interrupted by SIGTERM; "+kept {
			t.Errorf("Interrupted(%v) = %v", err, got)
		}
	}
	for _, err := range []error{nil, other, context.DeadlineExceeded} {
		if got := Interrupted(err, kept); got != err {
			t.Errorf("under a signal: Interrupted(%v) = %v, want it unchanged", err, got)
		}
	}
	// stop without a signal: the context is cancelled, with no signal as
	// its cause.
	stop := WatchForTest(&syncBuffer{}, make(chan os.Signal), time.Hour, func(int) { t.Error("exit") })
	ctx := Context()
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after stop: %v", ctx.Err())
	}
	var c caught
	if errors.As(context.Cause(ctx), &c) {
		t.Errorf("after stop: cause %v", c)
	}
}

// TestStopWithoutSignal: stop with no signal ends the watcher without
// ending the process or writing anything, and cancels the context; so
// does stop after a signal within the grace (the command returned).
func TestStopWithoutSignal(t *testing.T) {
	const grace = 10 * time.Millisecond
	for _, signalled := range []bool{false, true} {
		ch := make(chan os.Signal, 2)
		quit := make(chan struct{})
		stderr := &syncBuffer{}
		exited := make(chan int, 1)
		ctx, cancel := context.WithCancelCause(context.Background())
		done := make(chan struct{})
		go func() {
			watch(stderr, ch, quit, cancel, grace, func(code int) { exited <- code })
			close(done)
		}()
		if signalled {
			ch <- syscall.SIGINT
			<-ctx.Done()
		}
		close(quit)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("signalled %v: the watcher did not return on quit", signalled)
		}
		time.Sleep(3 * grace)
		select {
		case code := <-exited:
			t.Errorf("signalled %v: exited with %d after quit", signalled, code)
		default:
		}
		if got := stderr.String(); got != "" {
			t.Errorf("signalled %v: stderr %q", signalled, got)
		}
	}
	// Through start and WatchForTest: stop cancels the context, Caught
	// stays nil, WatchForTest's stop forgets the context.
	exited := make(chan int, 1)
	stop := WatchForTest(&syncBuffer{}, make(chan os.Signal), grace, func(code int) { exited <- code })
	ctx := Context()
	if ctx.Err() != nil {
		t.Fatalf("before stop: %v", ctx.Err())
	}
	stop()
	if ctx.Err() == nil || Caught() != nil {
		t.Errorf("after stop: err %v, caught %v", ctx.Err(), Caught())
	}
	if c := Context(); c.Done() != nil {
		t.Error("after WatchForTest's stop, Context is not context.Background()")
	}
	time.Sleep(3 * grace)
	select {
	case code := <-exited:
		t.Errorf("exited with %d after stop", code)
	default:
	}
}

// TestContextBeforeWatch: with no watcher Context is
// context.Background(), which no signal cancels; Caught is nil.
func TestContextBeforeWatch(t *testing.T) {
	interrupts.Lock()
	interrupts.ctx = nil
	interrupts.Unlock()
	if ctx := Context(); ctx.Done() != nil || ctx.Err() != nil {
		t.Errorf("Context() = %v, want context.Background()", ctx)
	}
	if s := Caught(); s != nil {
		t.Errorf("Caught() = %v", s)
	}
}

// TestContextHoldsCheckpoints: the checkpoints core/rbm writes under
// Context hold the exit (holdCheckpoint through rbm.WithCheckpointHold),
// and are released.
func TestContextHoldsCheckpoints(t *testing.T) {
	startFake(t, time.Hour)
	HoldWrite("model", 0)() // heldWhat is now "model"
	x := make([]uint8, 60*16)
	for i := range x {
		x[i] = uint8(i*7/3) & 1
	}
	d, err := rbm.NewBinaryDataset(60, 16, x)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := rbm.Preset("sklearn")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs, cfg.Batch, cfg.CheckpointEvery = 2, 20, 1
	cfg.CheckpointPath = filepath.Join(t.TempDir(), "c.ckpt")
	if _, _, err := rbm.TrainDBN(Context(), d, []int{16, 4}, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if got := heldWhat(); got != "checkpoint" {
		t.Errorf("the last write held: %q, want checkpoint", got)
	}
	if _, idle := heldWrites(); idle != nil {
		t.Error("a checkpoint's hold is left")
	}
}
