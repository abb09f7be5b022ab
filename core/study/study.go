package study

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/replicate"
)

// Spec is a study: the replication with the settings of one replicate run,
// repeated for every training coupling K and every seed.
type Spec struct {
	// Settings are replicate's settings; K and Seed are replaced by each
	// coupling and seed of the study.
	Settings  replicate.Settings `json:"settings"`
	Couplings []float64          `json:"couplings"`
	Seeds     []uint64           `json:"seeds"`
}

// DefaultCouplings are the training couplings of the default study: the
// paper's K = 0.408, one in the disordered phase and one just above K_c.
var DefaultCouplings = []float64{0.3, 0.408, 0.45}

// DefaultSeeds are the seeds of the default study.
var DefaultSeeds = []uint64{1, 2, 3, 4, 5}

// NewSpec returns the study of replicate's settings s over the training
// couplings ks and the data seeds: each run draws its data with one of
// seeds and trains trainSeeds networks of each kind on it. The error, from
// Check, names the first bad field.
func NewSpec(s replicate.Settings, ks []float64, seeds []uint64, trainSeeds int) (Spec, error) {
	s.Seeds, s.DataSeeds = trainSeeds, 1
	sp := Spec{Settings: s, Couplings: ks, Seeds: seeds}
	return sp, sp.Check()
}

// MaxStageBytes bounds the memory of a study's largest sampling, training
// or evaluation (replicate.Settings.ValidateWithin): its stages run on
// cluster nodes with their own limits, so this machine's memory does not
// bound them (study run without -slurm checks it too, Run), but no node
// has more than this.
const MaxStageBytes = 1 << 40

// MaxRuns bounds the runs of a study (couplings x seeds): its plan holds
// about 22 stages per run.
const MaxRuns = 10_000

// MaxStages bounds the stages of a study's plan (runs x the stages of one
// run, which grow with the training seeds per recipe): each takes about
// 3 KB in memory (a plan of 110,000 stages peaked at 309 MB, 2026-12-07),
// so a plan at the bound about 0.7 GB, and a plan is built whole before
// anything runs.
const MaxStages = 250_000

// Check returns an error naming the first bad field. It checks the
// settings exactly as the command line checks replicate's flags
// (replicate.Settings.Validate: every value, then memory and loop counts),
// every coupling as -K (replicate.CheckSampleCoupling), and the counts of
// couplings, seeds and runs, before anything is sized by them. The memory
// is bounded by MaxStageBytes, not this machine's (a study's stages run
// elsewhere). A bad setting is a *replicate.SettingError.
func (s Spec) Check() error {
	switch {
	case len(s.Couplings) == 0:
		return errors.New("couplings: want at least one training coupling K")
	case len(s.Couplings) > replicate.MaxCouplings:
		return fmt.Errorf("couplings: %d couplings, want at most %d", len(s.Couplings), replicate.MaxCouplings)
	case len(s.Seeds) == 0:
		return errors.New("seeds: want at least one seed")
	case len(s.Seeds) > MaxSeeds:
		return fmt.Errorf("seeds: %d seeds, want at most %d", len(s.Seeds), MaxSeeds)
	case len(s.Couplings)*len(s.Seeds) > MaxRuns:
		return fmt.Errorf("couplings and seeds: %d couplings x %d seeds = %d runs, want at most %d", len(s.Couplings), len(s.Seeds),
			len(s.Couplings)*len(s.Seeds), MaxRuns)
	}
	seenK := map[string]bool{}
	for _, k := range s.Couplings {
		if err := replicate.CheckSampleCoupling("K", FormatCouplings([]float64{k}), k); err != nil {
			return fmt.Errorf("couplings: %v", err)
		}
		if seenK[runName(k, 0)] {
			return fmt.Errorf("couplings: %v appears twice (to 4 decimals)", k)
		}
		seenK[runName(k, 0)] = true
	}
	seenS := map[uint64]bool{}
	for _, sd := range s.Seeds {
		if seenS[sd] {
			return fmt.Errorf("seeds: %d appears twice", sd)
		}
		seenS[sd] = true
	}
	// The settings are checked as the first run has them: K, Seed and
	// DataSeeds are replaced by each run's (a stale settings.K above the
	// sampler's bound is no error of the study).
	first := s.Settings
	first.K, first.Seed, first.DataSeeds, first.Threads = s.Couplings[0], s.Seeds[0], 1, 0
	if err := first.ValidateWithin(MaxStageBytes, "any node of a study may be asked for"); err != nil {
		return err
	}
	// Every run has the stages of the first (New): count them before any
	// plan of the whole study is built.
	p, err := replicate.Plan(replicate.Config{Out: "check", Settings: first, Version: "check"})
	if err != nil {
		return err
	}
	if runs := len(s.Couplings) * len(s.Seeds); runs*len(p) > MaxStages {
		return fmt.Errorf("couplings and seeds: %d runs x %d stages each (%d training seeds per recipe) = %d stages, want at most %d; use fewer couplings, seeds or training seeds",
			runs, len(p), s.Settings.Seeds, runs*len(p), MaxStages)
	}
	return nil
}

// Hash is a short hash of the spec's JSON.
func (s Spec) Hash() string {
	js, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(js)
	return hex.EncodeToString(sum[:8])
}

// runName names the folder of one replication of the study.
func runName(k float64, seed uint64) string { return fmt.Sprintf("K%.4f-seed%d", k, seed) }

// runDef is one replication of the study: one training coupling and one
// data seed (with Settings.Seeds training seeds), in its own folder.
type runDef struct {
	K    float64
	Seed uint64
	Rel  string // folder relative to the study folder
	Cfg  replicate.Config
	Plan []replicate.StageSpec
	at   map[string]int // key -> index in Plan
}

// done reports whether the run's stage of key is finished in its folder
// (replicate.SpecDone: from the plan held, not built again per question).
func (r *runDef) done(key string) bool {
	i, ok := r.at[key]
	return ok && replicate.SpecDone(r.Cfg, r.Plan[i])
}

// node is a stage of the study: a replication stage, shared by every run
// whose plan has its key (the sweep at a coupling does not depend on the
// training coupling), or the study's report.
type node struct {
	Stage
	homes []int    // runs whose plan has the key; the stage runs in the first
	names []string // the stage's name in each home's plan
}

// Study is the stage graph of a Spec in a folder: the union of the
// replications' plans, deduplicated by key, and a report. It implements
// Graph.
type Study struct {
	Dir    string
	Spec   Spec
	runs   []runDef
	nodes  []*node
	byKey  map[string]*node
	report Stage
}

// New returns the study of spec in dir (which need not exist yet).
// Version is the program version in the stage keys ("" for
// replicate.DefaultVersion()).
func New(dir string, spec Spec, version string) (*Study, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	st := &Study{Dir: dir, Spec: spec, byKey: map[string]*node{}}
	for _, k := range spec.Couplings {
		for _, sd := range spec.Seeds {
			s := spec.Settings
			s.K, s.Seed, s.DataSeeds, s.Threads = k, sd, 1, 0
			rel := "runs/" + runName(k, sd)
			cfg := replicate.Config{Out: filepath.Join(dir, filepath.FromSlash(rel)), Settings: s, Version: version}
			plan, err := replicate.Plan(cfg)
			if err != nil {
				return nil, fmt.Errorf("K = %.4f, seed %d: %w", k, sd, err)
			}
			at := make(map[string]int, len(plan))
			for i, sp := range plan {
				at[sp.Key] = i
			}
			st.runs = append(st.runs, runDef{K: k, Seed: sd, Rel: rel, Cfg: cfg, Plan: plan, at: at})
		}
	}
	for i, r := range st.runs {
		for _, sp := range r.Plan {
			n := st.byKey[sp.Key]
			if n == nil {
				n = &node{Stage: Stage{Key: sp.Key, Name: r.Rel + ": " + sp.Name, Kind: sp.Kind, Inputs: sp.Inputs,
					Cores: max(1, sp.Cores), MemMiB: max(1, sp.MemMiB), Seconds: sp.Seconds}}
				st.byKey[sp.Key] = n
				st.nodes = append(st.nodes, n)
			}
			n.homes = append(n.homes, i)
			n.names = append(n.names, sp.Name)
			for _, o := range sp.Outputs {
				n.Outputs = append(n.Outputs, r.Rel+"/"+o)
			}
		}
	}
	for _, n := range st.nodes {
		if len(n.homes) > 1 {
			n.Name = fmt.Sprintf("seed %d: %s (shared by %d runs)", st.runs[n.homes[0]].Seed, n.names[0], len(n.homes))
		}
	}
	st.addReport(version)
	if err := Validate(st.Stages()); err != nil {
		return nil, fmt.Errorf("study graph: %w", err)
	}
	return st, nil
}

func (st *Study) Stages() []Stage {
	out := make([]Stage, len(st.nodes))
	for i, n := range st.nodes {
		out[i] = n.Stage
	}
	return out
}

// Done reports whether the stage of key is done in every run that has it.
func (st *Study) Done(key string) bool {
	n := st.byKey[key]
	if n == nil {
		return false
	}
	if key == st.report.Key {
		return st.markedDone(key)
	}
	for _, h := range n.homes {
		if !st.runs[h].done(key) {
			return false
		}
	}
	return true
}

// RunStage runs the stage of key in the first run that has it, with at
// most threads threads, and links its outputs and marker into the other
// runs that share it.
func (st *Study) RunStage(ctx context.Context, key string, threads int) error {
	n := st.byKey[key]
	if n == nil {
		return &UnknownStageError{Key: key, N: len(st.nodes)}
	}
	if key == st.report.Key {
		if st.Done(key) {
			return nil
		}
		for _, in := range n.Inputs {
			if !st.Done(in) {
				return fmt.Errorf("study report needs stage %s (%s), which is not done", in, st.byKey[in].Name)
			}
		}
		return st.withMarker(key, "study report", threads, func() ([]string, error) { return st.writeReport() })
	}
	h0 := st.runs[n.homes[0]]
	cfg := h0.Cfg
	cfg.Settings.Threads = threads
	if err := replicate.RunStage(ctx, cfg, key); err != nil {
		return fmt.Errorf("stage %s (%s): %w", key, n.Name, err)
	}
	var outs []string
	for _, sp := range h0.Plan {
		if sp.Key == key {
			outs = append(outs, sp.Outputs...)
		}
	}
	for j, h := range n.homes[1:] {
		if st.runs[h].done(key) {
			continue
		}
		dst := st.runs[h].Cfg.Out
		for _, o := range outs {
			if err := linkFile(filepath.Join(h0.Cfg.Out, filepath.FromSlash(o)), filepath.Join(dst, filepath.FromSlash(o))); err != nil {
				return err
			}
		}
		// The marker last: the stage is done there once it exists.
		marker := filepath.Join("stages", filepath.FromSlash(n.names[0])+".json")
		if n.names[j+1] != n.names[0] {
			return fmt.Errorf("stage %s is %s in %s but %s in %s", key, n.names[0], h0.Rel, n.names[j+1], st.runs[h].Rel)
		}
		if err := linkFile(filepath.Join(h0.Cfg.Out, marker), filepath.Join(dst, marker)); err != nil {
			return err
		}
	}
	return nil
}

// linkFile makes dst a hard link to src (replacing dst atomically), or a
// copy where the file system has no hard links.
func linkFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.link-%d", dst, os.Getpid())
	os.Remove(tmp)
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return npy.WriteFileAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// Runs lists the study's replications: their coupling, seed and folder
// (relative to the study folder).
func (st *Study) Runs() []RunInfo {
	var out []RunInfo
	for _, r := range st.runs {
		out = append(out, RunInfo{K: r.K, Seed: r.Seed, Dir: r.Rel})
	}
	return out
}

// RunInfo describes one replication of a study.
type RunInfo struct {
	K    float64 `json:"K"`
	Seed uint64  `json:"seed"`
	Dir  string  `json:"dir"`
}

func (st *Study) markerPath(key string) string {
	return filepath.Join(st.Dir, "stages", key+".json")
}

// marker is written when a study-level stage completes.
type marker struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Outputs  []string `json:"outputs"`
	Seconds  float64  `json:"seconds"`
	Threads  int      `json:"threads"`
	Finished string   `json:"finished"`
	Host     string   `json:"host"`
}

// markedDone reports whether key's marker and every output it lists exist.
func (st *Study) markedDone(key string) bool {
	b, err := os.ReadFile(st.markerPath(key))
	if err != nil {
		return false
	}
	var m marker
	if json.Unmarshal(b, &m) != nil || m.Key != key {
		return false
	}
	for _, o := range m.Outputs {
		if _, err := os.Stat(filepath.Join(st.Dir, filepath.FromSlash(o))); err != nil {
			return false
		}
	}
	return true
}

// withMarker runs fn and then writes key's marker listing the outputs fn
// returns (the marker last, so an interrupted stage is run again).
//
// The markers of the same stage (name) under other keys go first: their
// outputs are this stage's files, which fn overwrites, so such a marker
// would call another study's outputs done. (A study run with other
// settings in the same folder, then with the first ones again, reused the
// first report's marker over the second's summary.json.)
func (st *Study) withMarker(key, name string, threads int, fn func() ([]string, error)) error {
	dir := filepath.Dir(st.markerPath(key))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := st.removeMarkers(name); err != nil {
		return err
	}
	t0 := time.Now()
	outs, err := fn()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	return writeJSON(st.markerPath(key), marker{Key: key, Name: name, Outputs: outs, Seconds: time.Since(t0).Seconds(),
		Threads: threads, Finished: time.Now().UTC().Format(time.RFC3339), Host: host})
}

// removeMarkers removes every study-level marker of the stage name,
// whatever its key.
func (st *Study) removeMarkers(name string) error {
	dir := filepath.Join(st.Dir, "stages")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var m marker
		if json.Unmarshal(b, &m) == nil && m.Name == name {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// ReportKey is the key of the study's report stage.
func (st *Study) ReportKey() string { return st.report.Key }

// addReport adds the study's report: it waits for every replication's
// report and reads their evaluation, analysis and flow files.
func (st *Study) addReport(version string) {
	var inputs []string
	for _, r := range st.runs {
		for _, sp := range r.Plan {
			if sp.Kind == "report" {
				inputs = append(inputs, sp.Key)
			}
		}
	}
	if version == "" {
		version = replicate.DefaultVersion()
	}
	js, err := json.Marshal(struct {
		Kind    string
		Version string
		Format  int
		Spec    Spec
		Inputs  []string
	}{"study-report", version, 1, st.Spec, inputs})
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(js)
	st.report = Stage{Key: hex.EncodeToString(sum[:8]), Name: "study report", Kind: "study-report", Inputs: inputs,
		Outputs: []string{"summary.json", "report/index.html"}, Cores: 1, MemMiB: 200, Seconds: 5 + float64(0.2*float64(len(st.runs)))}
	n := &node{Stage: st.report}
	st.byKey[n.Key] = n
	st.nodes = append(st.nodes, n)
}

// WriteSpec writes the spec to dir/specs/<hash>.json (for the jobs) and
// dir/study.json (the study's last spec), returning the first path.
func (st *Study) WriteSpec() (string, error) {
	p := filepath.Join(st.Dir, "specs", st.Spec.Hash()+".json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	if err := writeJSON(p, st.Spec); err != nil {
		return "", err
	}
	return p, writeJSON(filepath.Join(st.Dir, "study.json"), st.Spec)
}

// maxSpecBytes bounds a spec file (one written by WriteSpec is a few KiB).
const maxSpecBytes = 1 << 20

// ReadSpec reads a spec written by WriteSpec and checks it (Spec.Check)
// before anything is sized by it. Errors name the file and the field
// ("settings.layers: ...").
func ReadSpec(path string) (Spec, error) {
	var s Spec
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return s, err
	} else if !st.Mode().IsRegular() {
		return s, fmt.Errorf("%s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSpecBytes+1))
	if err != nil {
		return s, fmt.Errorf("%s: %v", path, err)
	}
	if len(b) > maxSpecBytes {
		return s, fmt.Errorf("%s: more than %d bytes, want a spec written by isingrbm study (a few KiB)", path, maxSpecBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%s: %v", path, err)
	}
	if k := duplicateKey(b); k != "" {
		return s, fmt.Errorf("%s: %s given twice, want each field once", path, k)
	}
	// One JSON value and nothing after it but space: a second value (two
	// specs pasted together, say) was ignored.
	if _, err := dec.Token(); err != io.EOF {
		return s, fmt.Errorf("%s: more after the spec's JSON object, want one object", path)
	}
	if err := s.Check(); err != nil {
		var se *replicate.SettingError
		if errors.As(err, &se) {
			return s, fmt.Errorf("%s: settings.%s: %v", path, se.Field(), err)
		}
		return s, fmt.Errorf("%s: %v", path, err)
	}
	return s, nil
}

// sortedCouplings returns the study's couplings in increasing order.
func (st *Study) sortedCouplings() []float64 {
	ks := append([]float64(nil), st.Spec.Couplings...)
	sort.Float64s(ks)
	return ks
}
