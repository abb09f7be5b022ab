//go:build !linux

package main

import "os"

// checkWritable fails with a usage error naming flag when no file can be
// created in dir.
func checkWritable(dir, flag string) error {
	if err := checkDir(dir, flag); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".isingrbm-check-*")
	if err != nil {
		return badInput("%s: cannot write in %s: %v", flag, dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}
