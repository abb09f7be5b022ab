//go:build unix

package study

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on the study folder dir (flock on
// dir/.lock) for one run or submission, or fails at once naming the folder
// when another process holds it: two runs in one folder wrote each other's
// outputs and failed with stages "not done" that named neither. The lock
// goes with the process, also when it is killed.
func lockDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("locking the study folder: %v", err)
	}
	path := filepath.Join(dir, ".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking the study folder: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another isingrbm study run or submission is using %s (it holds %s); wait for it to end, or use another -o", dir, path)
		}
		return nil, fmt.Errorf("locking the study folder: %v", err)
	}
	return func() { f.Close() }, nil
}
