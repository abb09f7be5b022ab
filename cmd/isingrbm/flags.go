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

// checkOutput is npy.CheckOutputFlag as a usage error.
func checkOutput(flagName, path string, opt npy.WriteOptions) error {
	return asUsage(npy.CheckOutputFlag(flagName, path, opt))
}
