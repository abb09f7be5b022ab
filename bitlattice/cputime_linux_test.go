package bitlattice

import "syscall"

// processCPUNanos returns the CPU time used by the process (all threads), so
// that benchmarks on a shared machine can also report rates per CPU second.
func processCPUNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
