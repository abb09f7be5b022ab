package main

import (
	"os"
	"path/filepath"

	"github.com/isingrbm/isingrbm/core/sysmem"
)

// envError checks the environment variables every command
// obeys.
func envError() error {
	if err := kernelsEnvError(); err != nil {
		return err
	}
	if err := sysmem.CheckEnv(); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// checkDir fails with a usage error naming flag when dir is not a folder.
func checkDir(dir, flag string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return badInput("%s: folder %s does not exist", flag, dir)
	}
	if !st.IsDir() {
		return badInput("%s: %s is not a folder", flag, dir)
	}
	return nil
}

// dirOf is the folder a path is in ("." for a bare name).
func dirOf(path string) string { return filepath.Dir(path) }
