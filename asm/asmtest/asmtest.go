package asmtest

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm"
)

// Impls returns the implementations of pkg to exercise on this machine: each
// available one in order of preference, then asm.Generic.
func Impls(pkg string) []string {
	return append(asm.Available(pkg), asm.Generic)
}

// TestAll runs f as a subtest once per implementation of pkg, with that
// implementation selected, and restores the default choice afterwards.
// It fails if an available implementation could not be selected or was not
// exercised. That the CPU's implementations are registered at all is
// RequireRegistered's check, which each kernel package makes.
func TestAll(t *testing.T, pkg string, f func(t *testing.T)) {
	t.Helper()
	defer asm.Reset(pkg)
	ran := map[string]bool{}
	for _, name := range Impls(pkg) {
		if !asm.Select(pkg, name) {
			t.Fatalf("%s: implementation %s is available but cannot be selected", pkg, name)
		}
		if got := asm.Active(pkg); got != name {
			t.Fatalf("%s: selected %s but %s is active", pkg, name, got)
		}
		ran[name] = t.Run(name, f) || true
	}
	for _, name := range asm.Available(pkg) {
		if !ran[name] {
			t.Errorf("%s: implementation %s is available on this CPU but was not exercised", pkg, name)
		}
	}
	if !ran[asm.Generic] {
		t.Errorf("%s: the portable implementation was not exercised", pkg)
	}
}

// Benchmark runs f as a sub-benchmark once per implementation of pkg.
func Benchmark(b *testing.B, pkg string, f func(b *testing.B)) {
	b.Helper()
	defer asm.Reset(pkg)
	for _, name := range Impls(pkg) {
		if !asm.Select(pkg, name) {
			b.Fatalf("%s: implementation %s is available but cannot be selected", pkg, name)
		}
		b.Run(name, f)
	}
}

// RequireRegistered fails t when this CPU has the features for an
// implementation named in want (for example "avx2" on an x86 CPU with AVX2
// and FMA) but pkg did not register it as available. Each kernel package
// calls it with the implementations its build provides for this GOARCH.
func RequireRegistered(t *testing.T, pkg string, want map[string]bool) {
	t.Helper()
	avail := map[string]bool{}
	for _, n := range asm.Available(pkg) {
		avail[n] = true
	}
	for name, supported := range want {
		if supported && !avail[name] {
			t.Errorf("%s: this CPU can run %s but it is not registered as available (registered: %v)",
				pkg, name, asm.Registered(pkg))
		}
	}
}
