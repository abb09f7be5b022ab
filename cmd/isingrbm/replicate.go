package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

func init() {
	commands["replicate"] = command{
		summary: "run the Mehta-Schwab replication: sample, train three networks, evaluate, analyse, report",
		run:     runReplicate,
	}
}

// replicateSettings are the sizes of one replication run. They enter the
// stage keys, so changing one recomputes exactly the stages that use it.
type replicateSettings struct {
	Quick           bool      `json:"quick"`
	L               int       `json:"L"`
	K               float64   `json:"K"`
	N               int       `json:"n"`
	Seed            uint64    `json:"seed"`
	SweepKs         []float64 `json:"sweep_K"`
	SweepN          int       `json:"sweep_n"`
	Layers          []int     `json:"layers"` // hidden sizes
	Epochs          int       `json:"epochs"` // mehta-schwab and weight-decay
	SklearnEpochs   int       `json:"sklearn_epochs"`
	Networks        []string  `json:"networks"`
	AISRuns         int       `json:"ais_runs"`
	AISSteps        [3]int    `json:"ais_steps"`
	EvalSamples     int       `json:"eval_samples"`     // 0: all
	AnalysisSamples int       `json:"analysis_samples"` // configurations for block spins and physics
	FlowSteps       int       `json:"flow_steps"`
	FlowDepth       int       `json:"flow_depth"`
	Threads         int       `json:"-"` // not in any key: results do not depend on it
}

func paperSettings() replicateSettings {
	ks, _ := parseCouplings("sweep", "0.2:0.6:9")
	return replicateSettings{
		L: 40, K: 0.408, N: 20000, Seed: 1, SweepKs: ks, SweepN: 1000,
		Layers: []int{400, 100, 25}, Epochs: 200, SklearnEpochs: 10,
		Networks: []string{"mehta-schwab", "weight-decay", "sklearn"},
		AISRuns:  100, AISSteps: [3]int{1000, 4000, 10000}, EvalSamples: 0, AnalysisSamples: 5000,
		FlowSteps: 3, FlowDepth: 1,
	}
}

func quickSettings() replicateSettings {
	ks, _ := parseCouplings("sweep", "0.2:0.6:5")
	return replicateSettings{
		Quick: true, L: 16, K: 0.408, N: 2000, Seed: 1, SweepKs: ks, SweepN: 200,
		Layers: []int{64, 16, 4}, Epochs: 10, SklearnEpochs: 5,
		Networks: []string{"mehta-schwab", "weight-decay", "sklearn"},
		AISRuns:  50, AISSteps: [3]int{100, 400, 1000}, EvalSamples: 0, AnalysisSamples: 1000,
		FlowSteps: 2, FlowDepth: 1,
	}
}

// networkConfig returns the training recipe of a network of the replication.
func (s *replicateSettings) networkConfig(name string) (rbm.Config, error) {
	cfg, err := rbm.Preset(name)
	if err != nil {
		return cfg, err
	}
	cfg.Seed = s.Seed
	if name == "sklearn" {
		cfg.Epochs = s.SklearnEpochs
	} else {
		cfg.Epochs = s.Epochs
	}
	cfg.SnapshotEvery = max(1, cfg.Epochs/4)
	return cfg, nil
}

// replicator runs the stages of one replication into out.
type replicator struct {
	ctx    context.Context
	out    string
	s      replicateSettings
	stdout io.Writer
	stderr io.Writer
	force  bool
	log    []stageRun
	start  time.Time
	// onEpoch, if set, is called after every training epoch (tests use it
	// to interrupt a run at a known point).
	onEpoch func(net string, p rbm.ProgressInfo)
}

// stageMarker is written to stages/<name>.json when a stage completes; a
// later run skips the stage when the key matches and the outputs exist.
type stageMarker struct {
	Stage      string    `json:"stage"`
	Key        string    `json:"key"`
	Inputs     []string  `json:"inputs"` // keys of the stages it read
	Seconds    float64   `json:"seconds"`
	PeakRSSMiB stats.Num `json:"peak_rss_mib"` // process peak resident memory at the end of the stage
	Finished   string    `json:"finished"`
	Outputs    []string  `json:"outputs"`
}

// stageRun is one stage's line in last_run.json.
type stageRun struct {
	Stage   string  `json:"stage"`
	Key     string  `json:"key"`
	Reused  bool    `json:"reused"`
	Seconds float64 `json:"seconds"` // spent in this run
}

// stageKey hashes a stage's name, settings and input keys.
func stageKey(name string, settings any, inputs []string) string {
	js, err := json.Marshal(struct {
		Stage    string
		Settings any
		Inputs   []string
	}{name, settings, inputs})
	if err != nil {
		panic(err) // settings are plain data
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:8])
}

func (r *replicator) path(rel string) string { return filepath.Join(r.out, filepath.FromSlash(rel)) }

func (r *replicator) markerPath(name string) string { return r.path("stages/" + name + ".json") }

// readMarker returns the marker of a completed stage, or nil.
func (r *replicator) readMarker(name string) *stageMarker {
	b, err := os.ReadFile(r.markerPath(name))
	if err != nil {
		return nil
	}
	var m stageMarker
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

// stage runs fn unless a completed run of the same key left all outputs
// (paths relative to out). fn writes every output atomically; the marker is
// written last, so an interrupted stage is recomputed.
func (r *replicator) stage(name string, settings any, inputs []string, outputs func() []string, fn func(key string) error) (string, error) {
	key := stageKey(name, settings, inputs)
	t0 := time.Now()
	if m := r.readMarker(name); m != nil && m.Key == key && !r.force {
		ok := true
		for _, o := range m.Outputs {
			if _, err := os.Stat(r.path(o)); err != nil {
				ok = false
				break
			}
		}
		if ok {
			fmt.Fprintf(r.stdout, "%-22s reused   key %s (computed in %.1f s)\n", name, key, m.Seconds)
			r.log = append(r.log, stageRun{Stage: name, Key: key, Reused: true, Seconds: time.Since(t0).Seconds()})
			return key, nil
		}
	}
	if err := r.ctx.Err(); err != nil {
		return "", err
	}
	if err := os.Remove(r.markerPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := fn(key); err != nil {
		return "", fmt.Errorf("stage %s: %w", name, err)
	}
	secs := time.Since(t0).Seconds()
	m := stageMarker{Stage: name, Key: key, Inputs: inputs, Seconds: secs, PeakRSSMiB: stats.Num(peakRSSMiB()),
		Finished: time.Now().UTC().Format(time.RFC3339), Outputs: outputs()}
	if err := writeJSONAtomic(r.markerPath(name), m); err != nil {
		return "", err
	}
	fmt.Fprintf(r.stdout, "%-22s computed key %s in %.1f s\n", name, key, secs)
	r.log = append(r.log, stageRun{Stage: name, Key: key, Seconds: secs})
	return key, nil
}

// writeJSONAtomic writes v as indented JSON to path atomically.
func writeJSONAtomic(path string, v any) error {
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	js = append(js, '\n')
	return npy.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(js)
		return err
	})
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func runReplicate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replicate", stderr)
	out := fs.String("o", filepath.Join("out", "replicate"), "output folder")
	quick := fs.Bool("quick", false, "the same pipeline at small sizes (L=16, 2000 samples, layers 64,16,4, few epochs): about a minute")
	force := fs.Bool("force", false, "recompute every stage even when its key matches")
	L := fs.Int("L", 0, "override: lattice side")
	K := fs.Float64("K", 0, "override: coupling of the training data")
	n := fs.Int("n", 0, "override: training samples")
	seed := fs.Uint64("seed", 1, "seed of sampling, training and analysis")
	sweep := fs.String("sweep", "", "override: couplings of the flow, a list or lo:hi:n")
	sweepN := fs.Int("sweep-n", 0, "override: samples per flow coupling")
	layers := fs.String("layers", "", "override: hidden layer sizes")
	epochs := fs.Int("epochs", 0, "override: epochs of mehta-schwab and weight-decay")
	skEpochs := fs.Int("sklearn-epochs", 0, "override: epochs of the sklearn network")
	networks := fs.String("networks", "", "override: networks to train, from "+strings.Join(rbm.Presets(), ","))
	aisRuns := fs.Int("ais-runs", 0, "override: AIS runs")
	aisSteps := fs.String("ais-steps", "", "override: AIS schedule (see eval)")
	evalN := fs.Int("eval-samples", -1, "override: samples evaluated (0: all)")
	anaN := fs.Int("analysis-samples", 0, "override: configurations for block spins and physics")
	flowSteps := fs.Int("flow-steps", -1, "override: reconstruction steps of the RG flow")
	flowDepth := fs.Int("flow-depth", 0, "override: depth of one reconstruction step of the flow")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	readme := fs.String("readme", "", "after the run, regenerate the results section of this README (figures go to docs/replicate beside it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm replicate [-o out/replicate] [-quick] [overrides]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	s := paperSettings()
	if *quick {
		s = quickSettings()
	}
	if set["L"] {
		if *L < 2 || *L > 1024 {
			return badInput("-L: want 2..1024, got %d", *L)
		}
		s.L = *L
	}
	if set["K"] {
		ks, err := parseCouplings("K", fmt.Sprint(*K))
		if err != nil || len(ks) != 1 {
			return badInput("-K: want one finite coupling >= 0, got %v", *K)
		}
		s.K = *K
	}
	if set["n"] {
		if *n < 2 {
			return badInput("-n: want at least 2 samples, got %d", *n)
		}
		s.N = *n
	}
	s.Seed = *seed
	if set["sweep"] {
		ks, err := parseCouplings("sweep", *sweep)
		if err != nil {
			return err
		}
		s.SweepKs = ks
	}
	if set["sweep-n"] {
		if *sweepN < 1 {
			return badInput("-sweep-n: want >= 1, got %d", *sweepN)
		}
		s.SweepN = *sweepN
	}
	if set["layers"] {
		h, err := parseSizes("layers", *layers)
		if err != nil {
			return err
		}
		s.Layers = h
	}
	if set["epochs"] {
		if *epochs < 1 {
			return badInput("-epochs: want >= 1, got %d", *epochs)
		}
		s.Epochs = *epochs
	}
	if set["sklearn-epochs"] {
		if *skEpochs < 1 {
			return badInput("-sklearn-epochs: want >= 1, got %d", *skEpochs)
		}
		s.SklearnEpochs = *skEpochs
	}
	if set["networks"] {
		s.Networks = nil
		for _, name := range strings.Split(*networks, ",") {
			name = strings.TrimSpace(name)
			if _, err := rbm.Preset(name); err != nil {
				return badInput("-networks: %v", err)
			}
			s.Networks = append(s.Networks, name)
		}
	}
	if set["ais-runs"] {
		if *aisRuns < 2 {
			return badInput("-ais-runs: want at least 2, got %d", *aisRuns)
		}
		s.AISRuns = *aisRuns
	}
	if set["ais-steps"] {
		st, err := parseAISSteps(*aisSteps)
		if err != nil {
			return err
		}
		s.AISSteps = st
	}
	if set["eval-samples"] {
		if *evalN < 0 {
			return badInput("-eval-samples: want >= 0 (0: all), got %d", *evalN)
		}
		s.EvalSamples = *evalN
	}
	if set["analysis-samples"] {
		if *anaN < 1 {
			return badInput("-analysis-samples: want >= 1, got %d", *anaN)
		}
		s.AnalysisSamples = *anaN
	}
	if set["flow-steps"] {
		if *flowSteps < 0 || *flowSteps > 100 {
			return badInput("-flow-steps: want 0..100, got %d", *flowSteps)
		}
		s.FlowSteps = *flowSteps
	}
	if set["flow-depth"] {
		if *flowDepth < 1 || *flowDepth > len(s.Layers) {
			return badInput("-flow-depth: want 1..%d (the number of layers), got %d", len(s.Layers), *flowDepth)
		}
		s.FlowDepth = *flowDepth
	}
	if s.FlowDepth > len(s.Layers) {
		s.FlowDepth = len(s.Layers)
	}
	if *threads < 0 {
		return badInput("-threads: want 0 (all cores) or a positive count, got %d", *threads)
	}
	s.Threads = *threads
	if err := checkSampleMemory(s.L, s.N, 0); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return badInput("-o: cannot create folder %s: %v", *out, err)
	}
	if err := checkWritable(*out, "-o"); err != nil {
		return err
	}
	for _, d := range []string{"data", "sweep", "models", "eval", "analysis", "flow", "report", "stages"} {
		if err := os.MkdirAll(filepath.Join(*out, d), 0o755); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &replicator{ctx: ctx, out: *out, s: s, stdout: stdout, stderr: stderr, force: *force, start: time.Now()}
	err := r.pipeline()
	if lerr := writeJSONAtomic(r.path("last_run.json"), map[string]any{
		"finished": time.Now().UTC().Format(time.RFC3339), "seconds": time.Since(r.start).Seconds(),
		"ok": err == nil, "stages": r.log,
	}); lerr != nil && err == nil {
		err = lerr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; finished stages are kept, rerun the same command to continue")
		}
		return err
	}
	fmt.Fprintf(stdout, "report: %s\nsummary: %s\n", r.path("report/index.html"), r.path("summary.json"))
	if *readme != "" {
		if err := updateReadme(*readme, r.out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "readme: %s\n", *readme)
	}
	return nil
}

// pipeline runs every stage in order.
func (r *replicator) pipeline() error {
	dataKey, err := r.stageData()
	if err != nil {
		return err
	}
	sweepKey, err := r.stageSweep()
	if err != nil {
		return err
	}
	keys := map[string]string{"data": dataKey, "sweep": sweepKey}
	for _, net := range r.s.Networks {
		tk, err := r.stageTrain(net, dataKey)
		if err != nil {
			return err
		}
		keys["train-"+net] = tk
		if keys["eval-"+net], err = r.stageEval(net, tk, dataKey); err != nil {
			return err
		}
		if keys["analyse-"+net], err = r.stageAnalyse(net, tk, dataKey); err != nil {
			return err
		}
		if keys["flow-"+net], err = r.stageFlow(net, tk, sweepKey); err != nil {
			return err
		}
	}
	var chartInputs []string
	for _, net := range r.s.Networks {
		chartInputs = append(chartInputs, keys["train-"+net], keys["analyse-"+net])
	}
	if keys["charts"], err = r.stageCharts(chartInputs); err != nil {
		return err
	}
	_, err = r.stageReport(keys)
	return err
}
