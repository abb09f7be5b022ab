//go:build linux

package npy

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// CheckDir reports whether dir is an existing folder in which files can be
// created. Commands call it for the folder of every output before starting
// work. Besides access(2), it opens an unnamed file there (O_TMPFILE, which
// leaves nothing behind): root passes access(2) in folders such as /proc
// that hold no files, and a train run there wrote its model only to fail
// at the end. Where the file system has no unnamed files, it creates and
// removes a named one, as on other systems.
func CheckDir(dir string) error {
	if err := isDir(dir); err != nil {
		return err
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err == nil {
		unix.Close(fd)
		return nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	return createAndRemove(dir)
}
