//go:build !linux

package npy

import (
	"fmt"
	"os"
)

// CheckDir reports whether dir is an existing folder in which files can be
// created (by creating and removing an empty file). Commands call it for
// the folder of every output before starting work.
func CheckDir(dir string) error {
	if err := isDir(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".isingrbm-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
