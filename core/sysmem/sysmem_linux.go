//go:build linux

package sysmem

import (
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// physicalMemory returns the machine's memory in bytes.
func physicalMemory() float64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return 16 << 30
	}
	return float64(si.Totalram) * float64(si.Unit)
}

// processLimits returns the address-space limit (RLIMIT_AS) and the cgroup
// (v2) memory limit of this process, 0 when unlimited or unknown.
func processLimits() (as, cgroup float64) {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur != ^uint64(0) {
		as = float64(rl.Cur)
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
			cgroup = float64(v)
		}
	}
	return as, cgroup
}

// PeakRSSMiB returns the process's peak resident memory so far, in MiB
// (NaN when it cannot be read).
func PeakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
