//go:build unix

package asmtest

import "syscall"

// ProcessCPUNanos returns the user+system CPU time of the whole process (all
// threads), so that benchmarks on a shared machine can also report work per
// CPU-second. The clock is tick-accurate: time runs of a few hundred
// milliseconds.
func ProcessCPUNanos() int64 { return rusageNanos(syscall.RUSAGE_SELF) }

func rusageNanos(who int) int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
