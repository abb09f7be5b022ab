//go:build linux

package npy

import (
	"fmt"
	"syscall"
)

// CheckDir reports whether dir is an existing folder in which files can be
// created, without creating anything (access(2)). Commands call it for the
// folder of every output before starting work.
func CheckDir(dir string) error {
	if err := isDir(dir); err != nil {
		return err
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	return nil
}
