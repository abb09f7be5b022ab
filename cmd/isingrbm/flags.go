package main

// Validation of flags: every command checks all its flags before any work
// starts. The rules live with the library types they protect: one flag
// table per type (rbm.ConfigParams, rbm.EvalParams, replicate.SampleParams,
// replicate.SettingsParams, study.RunParams), which rbm.AddFlags registers
// into each command's FlagSet and rbm.ApplyFlags applies; the parsers of
// couplings, sizes and AIS schedules; rbm.CheckInt; and the memory checks. Their errors name the flag, the value given and what
// was expected ("-batch 1000000000: want 1..50 (at most the 50 samples in
// d.npy)"); here every one becomes a usage error (exit status 2), and the
// output paths are checked before anything is computed.

import (
	"flag"
	"path/filepath"
	"strings"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
)

// asUsage turns a library's error about an input (one that names the flag
// and what was expected) into a usage error; nil stays nil.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{msg: err.Error()}
}

// applyParams applies the flags of a table given on the command line; the
// first bad value is a usage error.
func applyParams[T any](fs *flag.FlagSet, ps []rbm.Param[T], dst *T) error {
	return asUsage(rbm.ApplyFlags(fs, ps, dst))
}

// checkOutput refuses, before any work, an output path that cannot be
// written: a missing or unwritable folder, a folder in its place, or
// (without -replace) a symlink, FIFO, socket or device.
func checkOutput(flagName, path string, opt npy.WriteOptions) error {
	if path == "" {
		return badInput("-%s: want an output file name", flagName)
	}
	if err := npy.CheckOutput(path, opt); err != nil {
		hint := ""
		if strings.Contains(err.Error(), "refusing") {
			hint = " (-replace replaces it)"
		}
		return badInput("-%s: %v%s", flagName, err, hint)
	}
	return checkWritable(filepath.Dir(path), "-"+flagName)
}

// checkWritable fails with a usage error naming flag when dir is not a
// folder in which files can be created (npy.CheckDir).
func checkWritable(dir, flag string) error {
	if err := npy.CheckDir(dir); err != nil {
		return badInput("%s: %v", flag, err)
	}
	return nil
}
