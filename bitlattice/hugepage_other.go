//go:build !linux

package bitlattice

// adviseHugePages is a no-op outside Linux.
func adviseHugePages([]byte) {}

// hugeAlloc returns n zero bytes from the Go heap outside Linux, and a
// release function that does nothing.
func hugeAlloc(n int) ([]byte, func()) { return heapBytes(n), func() {} }
