package asm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestCPUDescription checks that the description starts with the brand
// and carries the family and model exactly when the CPU reports them.
func TestCPUDescription(t *testing.T) {
	d := CPUDescription()
	if !strings.HasPrefix(d, CPUName()) {
		t.Fatalf("CPUDescription() = %q, want it to start with CPUName() = %q", d, CPUName())
	}
	f, m := cpuid.CPU.Family, cpuid.CPU.Model
	want := CPUName()
	if f != 0 || m != 0 {
		want += fmt.Sprintf(" (family %d model %d)", f, m)
	}
	if d != want {
		t.Errorf("CPUDescription() = %q, want %q", d, want)
	}
	t.Logf("%s", d)
}
