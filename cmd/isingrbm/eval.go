package main

import (
	"fmt"
	"io"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["eval"] = command{
		summary: "evaluate a model layer by layer: free energy, pseudo-likelihood, reconstruction error, log-likelihood",
		run:     runEval,
	}
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stdout)
	j := rbm.EvalJob{Options: rbm.DefaultEvalOptions()}
	fs.StringVar(&j.Model, "model", "", "model file (.npz written by train)")
	fs.StringVar(&j.Data, "data", "", "data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	asJSON := fs.Bool("json", false, "print JSON on stdout instead of a table")
	fs.StringVar(&j.Layers, "layers", "all", "layers to evaluate: all, or distinct layer numbers from 1 (e.g. 1,3), reported in increasing order")
	param.IntVar(fs, &j.MaxSamples, "max-samples", 0, "evaluate a seeded random subset of this many samples (0: all)")
	param.AddFlags(fs, rbm.EvalParams(), &j.Options)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: isingrbm eval -model model.npz -data ising.npy [-json] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := param.ApplyFlags(fs, rbm.EvalParams(), &j.Options); err != nil {
		return asUsage(err)
	}
	in, err := j.Load()
	if err != nil {
		return asUsage(err)
	}
	defer rbm.LimitMemory(in.MemoryEstimate())()
	bar := newProgressBar(stderr, "eval")
	rep, err := in.Evaluate(interrupt.Context(), bar.Update)
	bar.Done()
	if err != nil {
		return interrupt.Interrupted(err, "no output")
	}
	if *asJSON {
		for _, e := range rep.Layers {
			if msg := e.CeilingWarning(); msg != "" {
				fmt.Fprintln(stderr, "isingrbm eval: "+msg)
			}
		}
		return printJSON(stdout, rep)
	}
	return rep.WriteTable(stdout)
}
