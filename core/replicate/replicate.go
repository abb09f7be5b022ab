package replicate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// Settings are the sizes of one replication run. They enter the
// stage keys, so changing one recomputes exactly the stages that use it.
type Settings struct {
	Quick bool    `json:"quick"`
	L     int     `json:"L"`
	K     float64 `json:"K"`
	N     int     `json:"n"`
	Seed  uint64  `json:"seed"`
	// Generator names the Metropolis update streams of every sample
	// (-rng). The zero value, xoshiro256++, is what every published
	// summary of this repository used; it is left out of the JSON (and so
	// of the stage keys and summaries of such runs, which stay as they
	// were). The sampling stages are 0.13% of the stage time of a run
	// (3.4 s of 2,647 s in the 5-seed summary in docs/replicate), so the
	// faster SFC64 streams would save nothing here; `sample` defaults to
	// them.
	Generator       ising.Generator `json:"generator,omitempty"`
	Seeds           int             `json:"seeds"`      // training seeds per recipe (0: 1)
	DataSeeds       int             `json:"data_seeds"` // training data sets, each with its own seed (0: 1)
	SweepKs         []float64       `json:"sweep_K"`
	SweepN          int             `json:"sweep_n"`
	Layers          []int           `json:"layers"` // hidden sizes
	Epochs          int             `json:"epochs"` // every network but sklearn
	SklearnEpochs   int             `json:"sklearn_epochs"`
	Networks        []string        `json:"networks"`
	AISRuns         int             `json:"ais_runs"`
	AISSteps        [3]int          `json:"ais_steps"`
	EvalSamples     int             `json:"eval_samples"`     // training rows evaluated; 0: all
	TestN           int             `json:"test_n"`           // held-out configurations per data seed, sampled with their own seed
	AnalysisSamples int             `json:"analysis_samples"` // configurations for block spins and physics
	FlowSteps       int             `json:"flow_steps"`
	FlowDepth       int             `json:"flow_depth"`
	// RAISESamples, when positive, adds reverse AIS (rbm.RBM.RAISE) on
	// layer 1 from this many seeded held-out configurations, one chain each
	// on the AIS schedule (0: none; summary.json test_loglik_raise).
	RAISESamples int `json:"raise_samples,omitempty"`
	Threads      int `json:"-"` // not in any key: results do not depend on it
}

func PaperSettings() Settings {
	ks := linspace(0.2, 0.6, 9)
	return Settings{
		L: 40, K: 0.408, N: 20000, Seed: 1, Seeds: 1, DataSeeds: 1, SweepKs: ks, SweepN: 1000,
		Layers: []int{400, 100, 25}, Epochs: 200, SklearnEpochs: 10,
		Networks: []string{"mehta-schwab", "weight-decay", "sklearn"},
		AISRuns:  100, AISSteps: rbm.DefaultAISSteps(), EvalSamples: 0, TestN: 5000, AnalysisSamples: 5000,
		FlowSteps: 3, FlowDepth: 1,
	}
}

func QuickSettings() Settings {
	ks := linspace(0.2, 0.6, 5)
	return Settings{
		Quick: true, L: 16, K: 0.408, N: 2000, Seed: 1, Seeds: 1, DataSeeds: 1, SweepKs: ks, SweepN: 200,
		Layers: []int{64, 16, 4}, Epochs: 10, SklearnEpochs: 5,
		Networks: []string{"mehta-schwab", "weight-decay", "sklearn"},
		AISRuns:  50, AISSteps: [3]int{100, 400, 1000}, EvalSamples: 0, TestN: 1000, AnalysisSamples: 1000,
		FlowSteps: 2, FlowDepth: 1,
	}
}

// networkConfig returns the training recipe of a network of the
// replication, trained with the seed of replica p.
func (s *Settings) networkConfig(name string, p replica) (rbm.Config, error) {
	cfg, err := rbm.Preset(name)
	if err != nil {
		return cfg, err
	}
	cfg.Seed = s.trainSeed(p)
	if name == "sklearn" {
		cfg.Epochs = s.SklearnEpochs
	} else {
		cfg.Epochs = s.Epochs
	}
	// Ten snapshots of W per layer: the locality per epoch of the
	// fixed-point question.
	cfg.SnapshotEvery = max(1, cfg.Epochs/10)
	return cfg, nil
}

// replicator runs the stages of one replication into out.
type replicator struct {
	ctx      context.Context
	out      string
	s        Settings
	plan     *plan
	stdout   io.Writer // Config.Log
	stderr   io.Writer // Config.Notes
	progress func(label string) Task
	force    bool
	log      []stageRun
	start    time.Time
	// onEpoch, if set, is called after every training epoch (tests use it
	// to interrupt a run at a known point).
	onEpoch func(net string, p rbm.ProgressInfo)
}

func newReplicator(ctx context.Context, cfg Config, p *plan) *replicator {
	return &replicator{ctx: ctx, out: cfg.Out, s: p.s, plan: p, stdout: orDiscard(cfg.Log), stderr: orDiscard(cfg.Notes),
		progress: cfg.Progress, force: cfg.Force, start: time.Now(), onEpoch: cfg.OnEpoch}
}

// stageMarker is written to stages/<name>.json when a stage completes; a
// later run skips the stage when the key matches and the outputs exist.
type stageMarker struct {
	Stage      string    `json:"stage"`
	Kind       string    `json:"kind"`
	Key        string    `json:"key"`
	Version    string    `json:"version"` // the program version that computed it
	Inputs     []string  `json:"inputs"`  // keys of the stages it read
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
	Threads int     `json:"threads"` // the stage's share of the cores (0: reused)
}

// stageKey hashes a stage's kind, settings, input keys and the program
// version.
func stageKey(kind string, settings any, inputs []string, version string) string {
	js, err := json.Marshal(struct {
		Stage    string
		Settings any
		Inputs   []string
		Version  string
	}{kind, settings, inputs, version})
	if err != nil {
		panic(err) // settings are plain data
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:8])
}

func (r *replicator) path(rel string) string { return filepath.Join(r.out, filepath.FromSlash(rel)) }

func markerPath(out, name string) string {
	return filepath.Join(out, "stages", filepath.FromSlash(name)+".json")
}

func (r *replicator) markerPath(name string) string { return markerPath(r.out, name) }

// readMarker returns the marker of a completed stage, or nil.
func readMarker(out, name string) *stageMarker {
	b, err := os.ReadFile(markerPath(out, name))
	if err != nil {
		return nil
	}
	var m stageMarker
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

func (r *replicator) readMarker(name string) *stageMarker { return readMarker(r.out, name) }

// stageFinished reports whether st's marker in out names its key and every
// output exists.
func stageFinished(out string, st *stageDef) bool {
	m := readMarker(out, st.Name)
	if m == nil || m.Key != st.Key {
		return false
	}
	for _, o := range st.Outputs {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(o))); err != nil {
			return false
		}
	}
	return true
}

// runStage runs st unless a completed run of the same key left all its
// outputs. The stage writes every output atomically; the marker is written
// last, so an interrupted stage is recomputed.
func (r *replicator) runStage(st *stageDef) error {
	name, key := st.Name, st.Key
	t0 := time.Now()
	if !r.force && stageFinished(r.out, st) {
		m := r.readMarker(name)
		fmt.Fprintf(r.stdout, "%-34s reused   key %s (computed in %.1f s)\n", name, key, m.Seconds)
		r.log = append(r.log, stageRun{Stage: name, Key: key, Reused: true, Seconds: time.Since(t0).Seconds()})
		return nil
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(r.markerPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, o := range append([]string{"stages/" + name + ".json"}, st.Outputs...) {
		if err := os.MkdirAll(filepath.Dir(r.path(o)), 0o755); err != nil {
			return err
		}
	}
	if err := st.run(r, key); err != nil {
		return fmt.Errorf("stage %s: %w", name, err)
	}
	for _, o := range st.Outputs {
		if _, err := os.Stat(r.path(o)); err != nil {
			return fmt.Errorf("stage %s did not write its output %s", name, o)
		}
	}
	secs := time.Since(t0).Seconds()
	m := stageMarker{Stage: name, Kind: st.Kind, Key: key, Version: r.plan.version, Inputs: st.Inputs, Seconds: secs,
		PeakRSSMiB: stats.Num(sysmem.PeakRSSMiB()), Finished: time.Now().UTC().Format(time.RFC3339), Outputs: st.Outputs}
	if err := writeJSONAtomic(r.markerPath(name), m); err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "%-34s computed key %s in %.1f s\n", name, key, secs)
	r.log = append(r.log, stageRun{Stage: name, Key: key, Seconds: secs})
	return nil
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
