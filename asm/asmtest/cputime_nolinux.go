//go:build !linux

package asmtest

// ThreadCPUNanos returns 0 where the per-thread CPU clock is missing.
func ThreadCPUNanos() int64 { return 0 }
