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

// evalFlags are the flags of eval.
type evalFlags struct {
	model, data, aisSteps, layers *string
	asJSON                        *bool
	aisRuns, maxSamples, threads  *int
	seed                          *uint64
	steps                         [3]int
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	f := &evalFlags{}
	f.model = fs.String("model", "", "model file (.npz written by train)")
	f.data = fs.String("data", "", "data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	f.asJSON = fs.Bool("json", false, "print JSON on stdout instead of a table")
	f.aisRuns = fs.Int("ais-runs", 100, fmt.Sprintf("annealed importance sampling runs, 2..%d (layers too large for exact log Z)", rbm.MaxAISRuns))
	def := rbm.DefaultAISSteps()
	f.aisSteps = fs.String("ais-steps", fmt.Sprintf("%d,%d,%d", def[0], def[1], def[2]), "AIS schedule: steps on [0,0.5],[0.5,0.9],[0.9,1], or one total split 1:4:10")
	f.seed = fs.Uint64("seed", 1, "seed of AIS, the pseudo-likelihood's flips and -max-samples")
	f.layers = fs.String("layers", "all", "layers to evaluate, from 1 (e.g. 1,3)")
	f.maxSamples = fs.Int("max-samples", 0, "evaluate a seeded random subset of this many samples (0: all)")
	f.threads = fs.Int("threads", 0, "worker threads (0: all cores)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm eval -model model.npz -data ising.npy [-json] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	err := checkInts(
		intRule{"ais-runs", *f.aisRuns, 2, rbm.MaxAISRuns, ""},
		intRule{"max-samples", *f.maxSamples, 0, math.MaxInt, "0: all"},
		intRule{"threads", *f.threads, 0, rbm.MaxThreads, "0: all cores"})
	if err != nil {
		return err
	}
	if f.steps, err = rbm.ParseAISSteps("ais-steps", *f.aisSteps); err != nil {
		return asUsage(err)
	}
	dbn, which, data, err := loadEvalInputs(*f.model, *f.data, *f.layers)
	if err != nil {
		return err
	}
	set := rbm.SeededSubset(data.Set, *f.maxSamples, *f.seed)
	need := rbm.EstimateEvalBytes(set.N, dbn.Sizes(), *f.aisRuns, f.steps[0]+f.steps[1]+f.steps[2])
	if err := checkMemory(need, fmt.Sprintf("-ais-runs %d, -ais-steps %s and %d samples of %v units", *f.aisRuns, *f.aisSteps, set.N, dbn.Sizes())); err != nil {
		return err
	}
	bar := newProgressBar(stderr, "eval")
	res, err := rbm.EvaluateDBN(interruptContext(), dbn, set, rbm.EvalOptions{Layers: which, AISRuns: *f.aisRuns, AISSteps: f.steps,
		Seed: *f.seed, Threads: *f.threads, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return interrupted(err, "no output")
	}
	rep := rbm.EvalReport{Model: *f.model, Data: data.Path, Samples: set.N, SamplesTotal: data.Set.N, Seed: *f.seed, Layers: res}
	if *f.asJSON {
		return printJSON(stdout, rep)
	}
	return rep.WriteTable(stdout)
}

// loadEvalInputs reads the model and the data of eval and checks that they
// fit each other and the -layers list.
func loadEvalInputs(modelPath, dataPath, layers string) (*rbm.DBN, []int, *rbm.DataFile, error) {
	dbn, err := loadModel("model", modelPath)
	if err != nil {
		return nil, nil, nil, err
	}
	which, err := rbm.ParseLayers(layers, len(dbn.Layers))
	if err != nil {
		return nil, nil, nil, badInput("-layers %s: %v", layers, err)
	}
	data, err := loadData("data", dataPath)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := data.CheckVisible(dbn, modelPath); err != nil {
		return nil, nil, nil, badInput("-data: %v", err)
	}
	return dbn, which, data, nil
}
