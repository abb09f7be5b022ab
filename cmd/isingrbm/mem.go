package main

import (
	"os"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// envError checks the environment variables every command
// obeys.
func envError() error {
	if err := asm.KernelsEnvError(); err != nil {
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
