//go:build !(amd64 && gc && !purego) && !(arm64 && gc && !purego)

package ising

// forEachDispatch calls f once: the portable kernels have no dispatch
// variants (see hooks_amd64_test.go).
func forEachDispatch(f func(variant string)) { f("") }

// countKernels lists no kernels: this build counts in Go only.
func countKernels() []countKernel { return nil }
