//go:build linux

package main

import "syscall"

// physicalMemory returns the machine's memory in bytes.
func physicalMemory() float64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return 16 << 30
	}
	return float64(si.Totalram) * float64(si.Unit)
}
