//go:build !unix

package npy

// processAlive cannot tell here, so stale temporary files are never removed.
func processAlive(int) bool { return true }
