//go:build !unix

package asmtest

// ProcessCPUNanos returns 0 where getrusage is missing: benchmarks then
// report no per-CPU-second rates.
func ProcessCPUNanos() int64 { return 0 }
