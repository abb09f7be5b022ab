//go:build linux

package npy

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens an unnamed regular file in dir (O_TMPFILE): it has no name until
// linkUnnamed gives it one, and vanishes if the process dies first.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, "(unnamed)")), nil
}

// linkUnnamed gives the unnamed file f a name: path itself when path does not exist (tmp ""),
// otherwise a fresh temporary name in path's directory, returned for the caller to rename over
// path. Between the link and the rename a kill leaves that temporary, which carries this
// process's id, so that removeStaleTemps removes it later.
func linkUnnamed(f *os.File, path string) (tmp string, err error) {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		err := link(f, path)
		if err == nil {
			return "", nil
		}
		if !errors.Is(err, unix.EEXIST) {
			return "", err
		}
	}
	for range 100 {
		name := tempName(path) // random: EEXIST means taken, try another
		if err := link(f, name); err == nil {
			return name, nil
		} else if !errors.Is(err, unix.EEXIST) {
			return "", err
		}
	}
	return "", errors.New("no free temporary name")
}

func link(f *os.File, name string) error {
	proc := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
	if err == nil || errors.Is(err, unix.EEXIST) {
		return err
	}
	// Without /proc, AT_EMPTY_PATH names the descriptor itself (it needs CAP_DAC_READ_SEARCH).
	if err2 := unix.Linkat(int(f.Fd()), "", unix.AT_FDCWD, name, unix.AT_EMPTY_PATH); err2 == nil || errors.Is(err2, unix.EEXIST) {
		return err2
	}
	return err
}

func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
