package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
)

func init() {
	commands["sample"] = command{
		summary: "sample equilibrium 2D Ising configurations into .npy files",
		run:     runSample,
	}
}

// sampleFlags are the flags of sample: the sampler's options
// (replicate.SampleParams) and the couplings, output and printing.
type sampleFlags struct {
	fs              *flag.FlagSet
	opts            bitlattice.Options
	betas, out      string
	asJSON, replace bool
}

func newSampleFlags(stderr io.Writer) *sampleFlags {
	fs := newFlagSet("sample", stderr)
	f := &sampleFlags{fs: fs, opts: replicate.DefaultSampleOptions()}
	rbm.AddFlags(fs, replicate.SampleParams(), &f.opts)
	fs.StringVar(&f.betas, "beta", "0.408", "coupling K = J/kT > 0: a value, a list a,b,c or a range lo:hi:n")
	fs.StringVar(&f.out, "o", "", "output .npy file (one coupling) or folder (several couplings)")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON on stdout")
	fs.BoolVar(&f.replace, "replace", false, "replace outputs that exist and are not regular files (symlinks, FIFOs, devices)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm sample -L 40 -beta 0.408 -n 20000 -seed 1 -o ising.npy [-json]")
		fs.PrintDefaults()
	}
	return f
}

// couplings checks the flags and returns the couplings to sample.
func (f *sampleFlags) couplings() ([]float64, error) {
	if err := applyParams(f.fs, replicate.SampleParams(), &f.opts); err != nil {
		return nil, err
	}
	ks, err := replicate.ParseSampleCouplings("beta", f.betas)
	if err != nil {
		return nil, asUsage(err)
	}
	if f.out == "" {
		return nil, badInput("-o: want an output file (one coupling) or folder (several couplings)")
	}
	return ks, asUsage(replicate.CheckSampleOptions(f.opts))
}

// samplePaths decides every output path and checks that each can be
// written, before minutes are spent on sampling.
func (f *sampleFlags) samplePaths(ks []float64) ([]string, error) {
	out, opt := f.out, npy.WriteOptions{ReplaceNonRegular: f.replace}
	if len(ks) == 1 {
		return []string{out}, checkOutput("o", out, opt)
	}
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return nil, badInput("-o: %s is a file; several couplings need a folder", out)
	case err != nil:
		// Created when the first file is written.
		if err := npy.CheckDirFlag("o", filepath.Dir(out)); err != nil {
			return nil, asUsage(err)
		}
	}
	paths := make([]string, len(ks))
	for i, k := range ks {
		paths[i] = filepath.Join(out, replicate.CouplingFileName(k))
		if st != nil {
			if err := checkOutput("o", paths[i], opt); err != nil {
				return nil, err
			}
		}
	}
	return paths, nil
}

func runSample(args []string, stdout, stderr io.Writer) error {
	f := newSampleFlags(stderr)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	ks, err := f.couplings()
	if err != nil {
		return err
	}
	paths, err := f.samplePaths(ks)
	if err != nil {
		return err
	}
	if f.opts.Threads == 0 {
		f.opts.Threads = runtime.GOMAXPROCS(0)
	}
	ctx := interruptContext()
	var reports []bitlattice.Report
	for i, k := range ks {
		opts := f.opts
		opts.K = k
		res, err := sampleInterruptible(ctx, opts, stderr)
		if err != nil {
			return err
		}
		if err := f.write(paths[i], res); err != nil {
			return err
		}
		reports = append(reports, bitlattice.NewReport(opts, paths[i], res))
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after writing %s", paths[i])
		}
	}
	return printSampleReports(stdout, reports, f.asJSON)
}

// write writes one coupling's samples atomically (creating the folder of
// several couplings first).
func (f *sampleFlags) write(path string, res *bitlattice.Result) error {
	if err := replicate.WriteSamples(path, res, npy.WriteOptions{ReplaceNonRegular: f.replace}); err != nil {
		return fmt.Errorf("-o: %v", err)
	}
	return nil
}

// sampleInterruptible samples with a progress bar in its own goroutine, so
// that an interrupt ends the program at once: nothing has been written for
// this coupling yet, and earlier couplings' files are complete.
func sampleInterruptible(ctx context.Context, opts bitlattice.Options, stderr io.Writer) (*bitlattice.Result, error) {
	bar := newProgressBar(stderr, fmt.Sprintf("sample L=%d K=%.4f", opts.L, opts.K))
	defer bar.Done()
	opts.Progress = bar.Update
	res, err := bitlattice.SampleContext(ctx, opts)
	switch {
	case errors.Is(err, context.Canceled):
		return nil, fmt.Errorf("interrupted while sampling K=%v; no file written for it", opts.K)
	case err != nil:
		return nil, badInput("%v", err)
	}
	return res, nil
}

func printSampleReports(stdout io.Writer, reports []bitlattice.Report, asJSON bool) error {
	if asJSON {
		return printJSON(stdout, reports)
	}
	return bitlattice.WriteTable(stdout, reports)
}
