package main

// Validation of flags (see doc.go): the libraries check every value and
// name the flag in their errors; here each becomes a usage error (exit
// status 2) before any work starts.

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
