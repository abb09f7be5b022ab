package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["eval"] = command{
		summary: "evaluate a model layer by layer: free energy, pseudo-likelihood, reconstruction error, log-likelihood",
		run:     runEval,
	}
}

// parseAISSteps reads "1000,4000,10000" (steps on [0,0.5], [0.5,0.9],
// [0.9,1]) or one total split 1:4:10.
func parseAISSteps(s string) ([3]int, error) {
	parts := strings.Split(s, ",")
	var out [3]int
	bad := badInput("-ais-steps: want one total or three counts for [0,0.5],[0.5,0.9],[0.9,1] (e.g. 1000,4000,10000), got %q", s)
	switch len(parts) {
	case 1:
		n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
		if err != nil || n < 15 {
			return out, badInput("-ais-steps: want a total of at least 15 steps, got %q", s)
		}
		out = [3]int{n / 15, 4 * n / 15, n - n/15 - 4*n/15}
	case 3:
		for i, p := range parts {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n < 1 {
				return out, bad
			}
			out[i] = n
		}
	default:
		return out, bad
	}
	if out[0]+out[1]+out[2] > 10_000_000 {
		return out, badInput("-ais-steps: %q is too many steps (at most 10,000,000)", s)
	}
	return out, nil
}

// parseLayerList reads "all" or a list of layers from 1.
func parseLayerList(s string, n int) ([]int, error) {
	if s == "" || s == "all" {
		return nil, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, f := range strings.Split(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || l < 1 || l > n {
			return nil, badInput("-layers: want \"all\" or layers from 1 to %d separated by commas, got %q", n, s)
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out, nil
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	modelPath := fs.String("model", "", "model file (.npz written by train)")
	dataPath := fs.String("data", "", "data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	asJSON := fs.Bool("json", false, "print JSON on stdout instead of a table")
	aisRuns := fs.Int("ais-runs", 100, "annealed importance sampling runs (layers too large for exact log Z)")
	aisStepsFlag := fs.String("ais-steps", "1000,4000,10000", "AIS schedule: steps on [0,0.5],[0.5,0.9],[0.9,1], or one total split 1:4:10")
	seed := fs.Uint64("seed", 1, "seed of AIS, the pseudo-likelihood's flips and -max-samples")
	layers := fs.String("layers", "all", "layers to evaluate, from 1 (e.g. 1,3)")
	maxSamples := fs.Int("max-samples", 0, "evaluate a seeded random subset of this many samples (0: all)")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm eval -model model.npz -data ising.npy [-json] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *aisRuns < 2:
		return badInput("-ais-runs: want at least 2 runs, got %d", *aisRuns)
	case *maxSamples < 0:
		return badInput("-max-samples: want >= 0 (0: all), got %d", *maxSamples)
	case *threads < 0:
		return badInput("-threads: want 0 (all cores) or a positive count, got %d", *threads)
	}
	steps, err := parseAISSteps(*aisStepsFlag)
	if err != nil {
		return err
	}
	dbn, which, data, err := loadEvalInputs(*modelPath, *dataPath, *layers)
	if err != nil {
		return err
	}
	set := rbm.SeededSubset(data.set, *maxSamples, *seed)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgressBar(stderr, "eval")
	res, err := rbm.EvaluateDBN(ctx, dbn, set, rbm.EvalOptions{Layers: which, AISRuns: *aisRuns, AISSteps: steps,
		Seed: *seed, Threads: *threads, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return err
	}
	rep := rbm.EvalReport{Model: *modelPath, Data: data.path, Samples: set.N, SamplesTotal: data.set.N, Seed: *seed, Layers: res}
	return printEvalReport(stdout, rep, *asJSON)
}

func printEvalReport(stdout io.Writer, rep rbm.EvalReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tunits\tfree energy\tpseudo-LL\trecon error\tlog-lik\t+/-\tmethod\tseconds\t")
	for _, e := range rep.Layers {
		fmt.Fprintf(tw, "%d\t%d->%d\t%.5g\t%.5g\t%.5g\t%.6g\t%.2g\t%s\t%.1f\t\n", e.Layer, e.Visible, e.Hidden,
			float64(e.FreeEnergy), float64(e.PseudoLL), float64(e.ReconError), float64(e.LogLik), float64(e.LogLikErr), e.LogLikMethod, e.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d samples of %s; layer k > 1 is evaluated on the hidden probabilities of layer k-1 (mean-field pass up).\n",
		rep.Samples, rep.SamplesTotal, rep.Data)
	return nil
}

// loadEvalInputs reads the model and the data of eval and checks that they
// fit each other and the -layers list.
func loadEvalInputs(modelPath, dataPath, layers string) (*rbm.DBN, []int, *loadedData, error) {
	if modelPath == "" {
		return nil, nil, nil, badInput("-model: want a model file (.npz)")
	}
	if _, err := os.Stat(modelPath); err != nil {
		return nil, nil, nil, badInput("-model: %s: no such file", modelPath)
	}
	dbn, _, err := rbm.LoadDBN(modelPath)
	if err != nil {
		return nil, nil, nil, badInput("-model: %v", err)
	}
	which, err := parseLayerList(layers, len(dbn.Layers))
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := loadData("data", dataPath)
	if err != nil {
		return nil, nil, nil, err
	}
	if nv := dbn.Layers[0].NVisible; nv != data.set.D {
		return nil, nil, nil, badInput("-data: %s has %d units per sample (shape %v), but the model %s has %d visible units",
			data.path, data.set.D, data.shape, modelPath, nv)
	}
	return dbn, which, data, nil
}
