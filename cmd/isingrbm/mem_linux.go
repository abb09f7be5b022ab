//go:build linux

package main

import (
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

// checkWritable fails with a usage error naming flag when no file can be
// created in dir (access(2), so nothing is created, not even briefly).
func checkWritable(dir, flag string) error {
	if err := checkDir(dir, flag); err != nil {
		return err
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return badInput("%s: cannot write in %s: %v", flag, dir, err)
	}
	return nil
}
