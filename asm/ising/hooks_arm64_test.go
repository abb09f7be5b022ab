//go:build arm64 && gc && !purego

package ising

import "github.com/isingrbm/isingrbm/asm"

// forEachDispatch calls f once: the NEON dispatch has no variants that
// asm.Select does not choose (see hooks_amd64_test.go).
func forEachDispatch(f func(variant string)) { f("") }

// countKernels lists the counting kernels of this GOARCH, with whether
// this CPU runs them.
func countKernels() []countKernel {
	return []countKernel{{"countsNEON", asm.HasNEON, countsNEON}}
}
