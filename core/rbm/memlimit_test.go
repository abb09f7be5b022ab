package rbm

import (
	"runtime/debug"
	"testing"
)

// TestLimitMemory: LimitMemory sets MemoryLimit(need) until the
// function it returns is called, unless GOMEMLIMIT is set.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Setenv("GOMEMLIMIT", "")
	restore := LimitMemory(100 << 20)
	if got, want := debug.SetMemoryLimit(-1), MemoryLimit(100<<20); got != want || want >= 100<<20 || want < 80<<20 {
		t.Errorf("limit %d, want MemoryLimit(100 MiB) = %d, a little less than 100 MiB (the binary's pages)", got, want)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after restore, want %d", got, before)
	}
	t.Setenv("GOMEMLIMIT", "2GiB")
	LimitMemory(100 << 20)()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d with GOMEMLIMIT set, want %d untouched", got, before)
	}
}
