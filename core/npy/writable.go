package npy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// createAndRemove reports whether an empty file can be created in dir, by
// creating and removing one (CheckDir's probe).
func createAndRemove(dir string) error {
	f, err := os.CreateTemp(dir, ".isingrbm-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// isDir reports whether dir exists and is a folder.
func isDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("folder %s does not exist", dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}

// CheckOutputFlag is CheckOutput for the output named by a command-line
// flag (without its dash): it refuses, before any work, an empty name, a
// missing or unwritable folder, a folder in the file's place, or (without
// opt.ReplaceNonRegular) a symlink, FIFO, socket or device, with an error
// that starts with -flagName and says how to override what can be.
func CheckOutputFlag(flagName, path string, opt WriteOptions) error {
	if path == "" {
		return fmt.Errorf("-%s: want an output file name", flagName)
	}
	if err := CheckOutput(path, opt); err != nil {
		hint := ""
		if errors.Is(err, ErrNotRegular) {
			hint = " (-replace replaces it)"
		}
		return fmt.Errorf("-%s: %v%s", flagName, err, hint)
	}
	return CheckDirFlag(flagName, filepath.Dir(path))
}

// CheckDirFlag is CheckDir for the folder named by (or holding the outputs
// of) a command-line flag: its error starts with -flagName.
func CheckDirFlag(flagName, dir string) error {
	if err := CheckDir(dir); err != nil {
		return fmt.Errorf("-%s: %v", flagName, err)
	}
	return nil
}
