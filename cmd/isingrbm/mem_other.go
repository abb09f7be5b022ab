//go:build !linux

package main

// physicalMemory returns an assumed 16 GiB where the machine's memory is not
// easily read.
func physicalMemory() float64 { return 16 << 30 }
