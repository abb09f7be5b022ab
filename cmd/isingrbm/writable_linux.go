//go:build linux

package main

import "syscall"

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
