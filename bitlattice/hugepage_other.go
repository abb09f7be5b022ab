//go:build !linux

package bitlattice

// adviseHugePages is a no-op outside Linux.
func adviseHugePages([]byte) {}
