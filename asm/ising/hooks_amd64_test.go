//go:build amd64 && gc && !purego

package ising

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// dispatchMu catches concurrent use of forEachDispatch: like asm.Select it
// switches package-level dispatch variables, so the tests that call it must
// not run in parallel with each other or with tests that sweep.
var dispatchMu sync.Mutex

// forEachDispatch calls f once per variant of the active implementation's
// dispatch that asm.Select does not choose: with the AVX-512 kernels
// active, once with zmm512 (Sweep2 runs sweep2AVX512Z, SweepBlocks
// sweep4AVX512Z) and once without (both run sweep2AVX512), whatever this
// CPU's default; otherwise once. variant names the setting for messages.
// zmm512 is restored when f returns or fails.
func forEachDispatch(f func(variant string)) {
	if !useAVX512 {
		f("")
		return
	}
	if !dispatchMu.TryLock() {
		panic("forEachDispatch: called concurrently (a parallel test?)")
	}
	defer dispatchMu.Unlock()
	defer func(old bool) { zmm512 = old }(zmm512)
	for _, on := range []bool{true, false} {
		zmm512 = on
		f(fmt.Sprintf(" zmm512=%v", on))
	}
}

// countKernels lists the counting kernels of this GOARCH, with whether
// this CPU runs them.
func countKernels() []countKernel {
	return []countKernel{
		{"countsAVX512", asm.HasAVX512F && asm.HasAVX512VL, countsAVX512},
		{"countsAVX2", asm.HasAVX2, countsAVX2},
	}
}

// TestForEachDispatch checks that forEachDispatch runs both kernel choices
// of the AVX-512 dispatch (seen through GroupBlocks: 4 with the four-block
// kernel), once under the other implementations, and leaves the choice as
// it found it: this CPU's default, asm.HasFullWidth512.
func TestForEachDispatch(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		var got []string
		forEachDispatch(func(variant string) {
			got = append(got, fmt.Sprintf("%s:%d", variant, GroupBlocks()))
		})
		want := []string{":2"}
		if Impl() == "avx512" {
			want = []string{" zmm512=true:4", " zmm512=false:2"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: variants (name:GroupBlocks) %q, want %q", Impl(), got, want)
		}
		if zmm512 != asm.HasFullWidth512 {
			t.Errorf("zmm512 = %v after forEachDispatch, want this CPU's default %v", zmm512, asm.HasFullWidth512)
		}
	})
	// A test that stops inside f (t.Fatal, here t.SkipNow: both leave by
	// runtime.Goexit) leaves the choice and the lock as they were.
	if asm.HasAVX512F && asm.HasAVX512VL {
		asm.Select("ising", "avx512")
		defer asm.Reset("ising")
		for _, first := range []bool{true, false} {
			old := zmm512
			zmm512 = first
			t.Run(fmt.Sprintf("stop-zmm512=%v", first), func(t *testing.T) {
				forEachDispatch(func(string) { t.SkipNow() })
			})
			if zmm512 != first {
				t.Errorf("zmm512 = %v after a stopped forEachDispatch, want %v", zmm512, first)
			}
			zmm512 = old
			if !dispatchMu.TryLock() {
				t.Fatal("forEachDispatch left its lock held")
			}
			dispatchMu.Unlock()
		}
	}
}
