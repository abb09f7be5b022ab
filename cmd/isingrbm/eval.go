package main

import (
	"fmt"
	"io"
	"math"

	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["eval"] = command{
		summary: "evaluate a model layer by layer: free energy, pseudo-likelihood, reconstruction error, log-likelihood",
		run:     runEval,
	}
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	model := fs.String("model", "", "model file (.npz written by train)")
	data := fs.String("data", "", "data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	asJSON := fs.Bool("json", false, "print JSON on stdout instead of a table")
	layers := fs.String("layers", "all", "layers to evaluate, from 1 (e.g. 1,3)")
	maxSamples := fs.Int("max-samples", 0, "evaluate a seeded random subset of this many samples (0: all)")
	opt := rbm.DefaultEvalOptions()
	rbm.AddFlags(fs, rbm.EvalParams(), &opt)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm eval -model model.npz -data ising.npy [-json] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := applyParams(fs, rbm.EvalParams(), &opt); err != nil {
		return err
	}
	if err := rbm.CheckInt("max-samples", *maxSamples, 0, math.MaxInt, "0: all"); err != nil {
		return asUsage(err)
	}
	dbn, d, err := loadEvalInputs(*model, *data, *layers, &opt)
	if err != nil {
		return err
	}
	rep, err := evaluate(dbn, d, *maxSamples, opt, stderr)
	if err != nil {
		return err
	}
	rep.Model = *model
	if *asJSON {
		return printJSON(stdout, rep)
	}
	return rep.WriteTable(stdout)
}

// evaluate checks the memory the evaluation needs, then evaluates with a
// progress bar.
func evaluate(dbn *rbm.DBN, data *rbm.DataFile, maxSamples int, opt rbm.EvalOptions, stderr io.Writer) (rbm.EvalReport, error) {
	set := rbm.SeededSubset(data.Set, maxSamples, opt.Seed)
	if err := opt.CheckMemory(set.N, dbn.Sizes()); err != nil {
		return rbm.EvalReport{}, asUsage(err)
	}
	bar := newProgressBar(stderr, "eval")
	opt.Progress = bar.Update
	res, err := rbm.EvaluateDBN(interruptContext(), dbn, set, opt)
	bar.Done()
	if err != nil {
		return rbm.EvalReport{}, interrupted(err, "no output")
	}
	return rbm.EvalReport{Data: data.Path, Samples: set.N, SamplesTotal: data.Set.N, Seed: opt.Seed, Layers: res}, nil
}

// loadEvalInputs reads the model and the data of eval and checks that they
// fit each other and the -layers list (which it sets in opt).
func loadEvalInputs(modelPath, dataPath, layers string, opt *rbm.EvalOptions) (*rbm.DBN, *rbm.DataFile, error) {
	dbn, err := rbm.LoadDBNFlag("model", modelPath)
	if err != nil {
		return nil, nil, asUsage(err)
	}
	if opt.Layers, err = rbm.ParseLayers(layers, len(dbn.Layers)); err != nil {
		return nil, nil, badInput("-layers %s: %v", layers, err)
	}
	data, err := rbm.ReadDataFlag("data", dataPath)
	if err != nil {
		return nil, nil, asUsage(err)
	}
	if err := data.CheckVisible(dbn, modelPath); err != nil {
		return nil, nil, badInput("-data: %v", err)
	}
	return dbn, data, nil
}
