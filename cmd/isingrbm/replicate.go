package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
)

func init() {
	commands["replicate"] = command{
		summary: "run the Mehta-Schwab replication: sample, train three networks, evaluate, analyse, report",
		run:     runReplicate,
	}
}

// replicateFlags are the flags of the replicate command.
type replicateFlags struct {
	fs                                             *flag.FlagSet
	out, sweep, layers, networks, aisSteps, readme *string
	quick, force                                   *bool
	L, n, sweepN, epochs, skEpochs, aisRuns, evalN *int
	anaN, flowSteps, flowDepth, threads            *int
	seeds, dataSeeds, testN                        *int
	K                                              *float64
	seed                                           *uint64
}

func newReplicateFlags(stderr io.Writer) *replicateFlags {
	fs := newFlagSet("replicate", stderr)
	f := &replicateFlags{fs: fs}
	f.out = fs.String("o", filepath.Join("out", "replicate"), "output folder")
	f.quick = fs.Bool("quick", false, "the same pipeline at small sizes (L=16, 2000 samples, layers 64,16,4, few epochs): about a minute")
	f.force = fs.Bool("force", false, "recompute every stage even when its key matches")
	f.L = fs.Int("L", 0, "override: lattice side")
	f.K = fs.Float64("K", 0, "override: coupling of the training data")
	f.n = fs.Int("n", 0, "override: training samples")
	f.seed = fs.Uint64("seed", 1, "seed of sampling, training and analysis (every use derives its own seed from it)")
	f.seeds = fs.Int("seeds", 1, "training seeds per recipe (a seed ensemble: every number gets its spread over seeds)")
	f.dataSeeds = fs.Int("data-seeds", 1, "training data sets, each sampled with its own seed (every training seed is run on each)")
	f.testN = fs.Int("test-n", 0, "override: held-out test configurations per data set (5000; -quick 1000)")
	f.sweep = fs.String("sweep", "", "override: couplings of the flow, a list or lo:hi:n")
	f.sweepN = fs.Int("sweep-n", 0, "override: samples per flow coupling")
	f.layers = fs.String("layers", "", "override: hidden layer sizes")
	f.epochs = fs.Int("epochs", 0, "override: epochs of mehta-schwab and weight-decay")
	f.skEpochs = fs.Int("sklearn-epochs", 0, "override: epochs of the sklearn network")
	f.networks = fs.String("networks", "", "override: networks to train, from "+strings.Join(rbm.Presets(), ","))
	f.aisRuns = fs.Int("ais-runs", 0, "override: AIS runs")
	f.aisSteps = fs.String("ais-steps", "", "override: AIS schedule (see eval)")
	f.evalN = fs.Int("eval-samples", -1, "override: samples evaluated (0: all)")
	f.anaN = fs.Int("analysis-samples", 0, "override: configurations for block spins and physics")
	f.flowSteps = fs.Int("flow-steps", -1, "override: reconstruction steps of the RG flow")
	f.flowDepth = fs.Int("flow-depth", 0, "override: depth of one reconstruction step of the flow")
	f.threads = fs.Int("threads", 0, "worker threads (0: all cores)")
	f.readme = fs.String("readme", "", "after the run, regenerate the results section of this README (figures go to docs/replicate beside it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm replicate [-o out/replicate] [-quick] [overrides]")
		fs.PrintDefaults()
	}
	return f
}

// settings returns the paper's (or -quick's) settings with the flags that
// were set applied, or a usage error naming the first bad flag.
func (f *replicateFlags) settings() (replicate.Settings, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	s := replicate.PaperSettings()
	if *f.quick {
		s = replicate.QuickSettings()
	}
	ints := []struct {
		name   string
		v      *int
		lo, hi int
		want   string
		dst    *int
	}{
		{"L", f.L, 2, 1024, "want 2..1024", &s.L},
		{"n", f.n, 2, math.MaxInt, "want at least 2 samples", &s.N},
		{"sweep-n", f.sweepN, 1, math.MaxInt, "want >= 1", &s.SweepN},
		{"epochs", f.epochs, 1, math.MaxInt, "want >= 1", &s.Epochs},
		{"sklearn-epochs", f.skEpochs, 1, math.MaxInt, "want >= 1", &s.SklearnEpochs},
		{"ais-runs", f.aisRuns, 2, math.MaxInt, "want at least 2", &s.AISRuns},
		{"eval-samples", f.evalN, 0, math.MaxInt, "want >= 0 (0: all)", &s.EvalSamples},
		{"analysis-samples", f.anaN, 1, math.MaxInt, "want >= 1", &s.AnalysisSamples},
		{"flow-steps", f.flowSteps, 0, 100, "want 0..100", &s.FlowSteps},
		{"seeds", f.seeds, 1, 1000, "want 1..1000", &s.Seeds},
		{"data-seeds", f.dataSeeds, 1, 1000, "want 1..1000", &s.DataSeeds},
		{"test-n", f.testN, 2, math.MaxInt, "want at least 2", &s.TestN},
	}
	for _, c := range ints {
		if !set[c.name] {
			continue
		}
		if *c.v < c.lo || *c.v > c.hi {
			return s, badInput("-%s: %s, got %d", c.name, c.want, *c.v)
		}
		*c.dst = *c.v
	}
	s.Seed = *f.seed
	if err := f.parsedOverrides(set, &s); err != nil {
		return s, err
	}
	if set["flow-depth"] {
		if *f.flowDepth < 1 || *f.flowDepth > len(s.Layers) {
			return s, badInput("-flow-depth: want 1..%d (the number of layers), got %d", len(s.Layers), *f.flowDepth)
		}
		s.FlowDepth = *f.flowDepth
	}
	s.FlowDepth = min(s.FlowDepth, len(s.Layers))
	if *f.threads < 0 {
		return s, badInput("-threads: want 0 (all cores) or a positive count, got %d", *f.threads)
	}
	s.Threads = *f.threads
	return s, nil
}

// parsedOverrides applies the overrides that are parsed from text.
func (f *replicateFlags) parsedOverrides(set map[string]bool, s *replicate.Settings) error {
	var err error
	if set["K"] {
		ks, err := parseCouplings("K", fmt.Sprint(*f.K))
		if err != nil || len(ks) != 1 {
			return badInput("-K: want one finite coupling >= 0, got %v", *f.K)
		}
		s.K = *f.K
	}
	if set["sweep"] {
		if s.SweepKs, err = parseCouplings("sweep", *f.sweep); err != nil {
			return err
		}
	}
	if set["layers"] {
		if s.Layers, err = parseSizes("layers", *f.layers); err != nil {
			return err
		}
	}
	if set["networks"] {
		s.Networks = nil
		for _, name := range strings.Split(*f.networks, ",") {
			name = strings.TrimSpace(name)
			if _, err := rbm.Preset(name); err != nil {
				return badInput("-networks: %v", err)
			}
			s.Networks = append(s.Networks, name)
		}
	}
	if set["ais-steps"] {
		if s.AISSteps, err = parseAISSteps(*f.aisSteps); err != nil {
			return err
		}
	}
	return nil
}

func runReplicate(args []string, stdout, stderr io.Writer) error {
	f := newReplicateFlags(stderr)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	s, err := f.settings()
	if err != nil {
		return err
	}
	if err := s.CheckLimits(); err != nil {
		return badInput("%v", err)
	}
	if *f.readme != "" {
		if err := replicate.CheckReadme(*f.readme); err != nil {
			return badInput("-readme: %v", err)
		}
	}
	out := *f.out
	if err := os.MkdirAll(out, 0o755); err != nil {
		return badInput("-o: cannot create folder %s: %v", out, err)
	}
	if err := checkWritable(out, "-o"); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = replicate.Run(ctx, replicate.Config{Out: out, Settings: s, Force: *f.force, Log: stdout, Notes: stderr,
		Progress: func(label string) replicate.Task { return newProgressBar(stderr, label) }})
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; finished stages are kept, rerun the same command to continue")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report: %s\nsummary: %s\n", filepath.Join(out, "report", "index.html"), filepath.Join(out, "summary.json"))
	if *f.readme != "" {
		if err := replicate.UpdateReadme(*f.readme, out, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "readme: %s\n", *f.readme)
	}
	return nil
}
