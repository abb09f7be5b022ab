package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/replicate"
)

func init() {
	commands["sample"] = command{
		summary: "sample equilibrium 2D Ising configurations into .npy files",
		run:     runSample,
	}
}

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sample", stdout)
	job := replicate.SampleJob{Options: replicate.DefaultSampleOptions()}
	param.AddFlags(fs, replicate.SampleParams(), &job.Options)
	fs.StringVar(&job.Betas, "beta", "0.408", fmt.Sprintf("coupling K = J/kT, %g..%g: a value, a list a,b,c or a range lo:hi:n", bitlattice.MinSampleK, bitlattice.MaxSampleK))
	fs.StringVar(&job.Out, "o", "", "output .npy file (one coupling) or folder, not named .npy, of beta_K.npy files (several couplings)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout")
	fs.BoolVar(&job.Replace, "replace", false, "replace outputs that exist and are not regular files (symlinks, FIFOs, devices)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: isingrbm sample -L 40 -beta 0.408 -n 20000 -seed 1 -o ising.npy [-json]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := param.ApplyFlags(fs, replicate.SampleParams(), &job.Options); err != nil {
		return asUsage(err)
	}
	plan, err := job.Plan()
	if err != nil {
		return asUsage(err)
	}
	// Several couplings go into a folder of beta_K.npy files: a folder
	// named like a file (out/s.npy) is surely a mistake, so is refused
	// before anything is made.
	if n := len(plan.Couplings); n > 1 && strings.EqualFold(filepath.Ext(strings.TrimRight(job.Out, `/\`)), ".npy") {
		return badInput("-o %s: %d couplings are written as files beta_K.npy into a folder, and this name ends in .npy; give a folder name (e.g. %s), or one coupling for one .npy file",
			job.Out, n, strings.TrimSuffix(strings.TrimRight(job.Out, `/\`), filepath.Ext(strings.TrimRight(job.Out, `/\`))))
	}
	reports, err := job.Run(interrupt.Context(), plan, func(label string) replicate.Task { return newProgressBar(stderr, label) })
	if err != nil {
		return err
	}
	for _, r := range reports {
		if w := r.Warning(); w != "" {
			fmt.Fprintln(stderr, "warning:", w)
		}
	}
	if *asJSON {
		return printJSON(stdout, reports)
	}
	return bitlattice.WriteTable(stdout, reports)
}
