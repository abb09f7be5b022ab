//go:build unix

package interrupt

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestRealSignals: the handler that Watch installs catches SIGTERM, SIGINT
// and SIGHUP (unless SIGHUP is ignored, as under nohup) sent to the
// process, and stop removes it.
func TestRealSignals(t *testing.T) {
	sigs := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP}
	for _, sig := range sigs {
		if sig == syscall.SIGHUP && signal.Ignored(sig) {
			t.Log("SIGHUP is ignored (nohup): not sent")
			continue
		}
		exited := make(chan int, 2)
		stop := watchSignals(&syncBuffer{}, time.Hour, func(code int) { exited <- code })
		ctx := Context()
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			stop()
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			stop()
			t.Fatalf("%v did not cancel the context", sig)
		}
		if s := Caught(); s != sig {
			t.Errorf("Caught() = %v, want %v", s, sig)
		}
		stop()
		select {
		case code := <-exited:
			t.Errorf("%v: exited with %d", sig, code)
		default:
		}
	}
	interrupts.Lock()
	interrupts.ctx = nil
	interrupts.Unlock()
}
