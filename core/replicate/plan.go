package replicate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"sync"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// StageSpec is one stage of a replication's stage graph, as Plan returns
// it: what a scheduler (this package's Run, the study command, Slurm)
// needs to run it, in any process, once its inputs are done.
type StageSpec struct {
	// Key is the stage's content address: a hash of its kind, its
	// settings, its inputs' keys and the program version.
	Key string `json:"key"`
	// Name is the stage's human name, unique in a plan, for example
	// "train/mehta-schwab/d0-s2" (network, data seed 0, training seed 2).
	// The marker of a finished stage is stages/<Name>.json.
	Name string `json:"name"`
	// Kind is one of "data", "testdata", "sweep", "train", "eval",
	// "analyse", "flow", "charts", "report".
	Kind string `json:"kind"`
	// Inputs are the keys of the stages whose outputs this one reads.
	Inputs []string `json:"inputs"`
	// Outputs are the files it writes, slash-separated and relative to
	// Config.Out; each is written atomically.
	Outputs []string `json:"outputs"`
	// Cores, MemMiB and Seconds are rough estimates for schedulers (on a
	// Zen 3/4 core); they are not part of the key.
	Cores   int     `json:"cores"`
	MemMiB  int     `json:"mem_mib"`
	Seconds float64 `json:"seconds"`
}

// stageDef is a stage of a plan: its spec, the settings hashed into its
// key and the function that computes it.
type stageDef struct {
	StageSpec
	settings any
	run      func(r *replicator, key string) error
}

// plan is the stage graph of one Config.
type plan struct {
	s       Settings
	version string
	stages  []*stageDef // topological order
	byKey   map[string]*stageDef
	index   map[string]int // key -> position in stages
}

// Plan returns the stage graph of cfg in a deterministic topological
// order: every stage comes after the stages it reads. Run runs them in this
// order; a scheduler may run any stage whose inputs are done (StageDone)
// with RunStage, in any process that sees the same Config.Out.
func Plan(cfg Config) ([]StageSpec, error) {
	p, err := buildPlan(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]StageSpec, len(p.stages))
	for i, st := range p.stages {
		out[i] = st.StageSpec
		out[i].Inputs = append([]string(nil), st.Inputs...)
		out[i].Outputs = append([]string(nil), st.Outputs...)
	}
	return out, nil
}

// StageDone reports whether the stage with key is finished in cfg.Out: its
// marker names the key and every output exists.
func StageDone(cfg Config, key string) bool {
	p, err := buildPlan(cfg)
	if err != nil {
		return false
	}
	st := p.byKey[key]
	return st != nil && stageFinished(cfg.Out, st)
}

// SpecDone is StageDone for a stage sp of Plan(cfg) that the caller holds:
// the same check (its marker names sp.Key, every output exists) without
// building the plan again, for callers that ask about many stages (a
// study's plan asks about every stage of thousands of runs).
func SpecDone(cfg Config, sp StageSpec) bool {
	return stageFinished(cfg.Out, &stageDef{StageSpec: sp})
}

// RunStage runs the stage with key (from Plan) into cfg.Out, or reuses it
// when it is already done (unless cfg.Force). Its inputs must be done; the
// error names the first that is not. An unknown key is an error too.
func RunStage(ctx context.Context, cfg Config, key string) error {
	p, err := buildPlan(cfg)
	if err != nil {
		return err
	}
	st := p.byKey[key]
	if st == nil {
		return fmt.Errorf("unknown stage key %q: not in the plan of these settings and program version %q", key, p.version)
	}
	for _, in := range st.Inputs {
		if !stageFinished(cfg.Out, p.byKey[in]) {
			return fmt.Errorf("stage %s (key %s) needs stage %s (key %s), which is not done in %s", st.Name, st.Key, p.byKey[in].Name, in, cfg.Out)
		}
	}
	r := newReplicator(ctx, cfg, p)
	return r.runStage(st)
}

// DeriveSeed returns the seed of one use of randomness: a hash of the run's
// seed, a purpose ("data", "train", "binarize" ...), a depth and an index,
// in a canonical encoding (SHA-256 of the little-endian words and the
// length-prefixed purpose), so no two purposes, depths or indices collide
// except by a 64-bit hash collision.
func DeriveSeed(seed uint64, purpose string, depth int, index uint64) uint64 {
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, seed)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(purpose)))
	b = append(b, purpose...)
	b = binary.LittleEndian.AppendUint64(b, uint64(int64(depth)))
	b = binary.LittleEndian.AppendUint64(b, index)
	sum := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(sum[:8])
}

var (
	versionOnce sync.Once
	versionStr  string
)

// DefaultVersion is the program version that enters the stage keys when
// Config.Version is empty: the module version and VCS revision, with
// "+dirty-" and a hash of the executable when the tree had changes; the
// executable's hash alone ("exe-...") when the build has no VCS
// information (go run, go test).
func DefaultVersion() string {
	versionOnce.Do(func() { versionStr = computeVersion() })
	return versionStr
}

func computeVersion() string {
	bi, ok := debug.ReadBuildInfo()
	rev, dirty := "", false
	v := "devel"
	if ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if rev != "" {
		v += " " + rev
		if dirty {
			v += "+dirty-" + exeHash()
		}
		return v
	}
	return v + " exe-" + exeHash()
}

// exeHash is the first 12 hex digits of the SHA-256 of the running
// executable ("unknown" when it cannot be read).
func exeHash() string {
	path, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// replica is one (data seed, training seed) pair of a seed ensemble.
type replica struct{ D, S int }

// tag names a replica in stage names and paths: "d0-s2".
func (p replica) tag() string { return fmt.Sprintf("d%d-s%d", p.D, p.S) }

func dataRel(d int) string      { return fmt.Sprintf("data/d%d/ising.npy", d) }
func dataStatsRel(d int) string { return fmt.Sprintf("data/d%d/ising.json", d) }
func testRel(d int) string      { return fmt.Sprintf("data/d%d/test.npy", d) }
func testStatsRel(d int) string { return fmt.Sprintf("data/d%d/test.json", d) }
func sweepRel(d int, k float64) string {
	return fmt.Sprintf("sweep/d%d/%s", d, CouplingFileName(k))
}
func sweepStatsRel(d int, k float64) string {
	return fmt.Sprintf("sweep/d%d/beta_%.4f.json", d, k)
}
func modelRel(net string, p replica) string    { return "models/" + net + "/" + p.tag() + ".npz" }
func evalRel(net string, p replica) string     { return "eval/" + net + "/" + p.tag() + ".json" }
func analysisRel(net string, p replica) string { return "analysis/" + net + "/" + p.tag() + ".json" }
func flowRel(net string, p replica) string     { return "flow/" + net + "/" + p.tag() + ".json" }

// figRel is a figure of replica p, relative to the report folder.
func figRel(p replica, file string) string { return p.tag() + "/" + file }

// normalized returns s with the seed counts defaulted (0 means 1) and
// checks what the plan needs.
func (s Settings) normalized() (Settings, error) {
	if s.Seeds == 0 {
		s.Seeds = 1
	}
	if s.DataSeeds == 0 {
		s.DataSeeds = 1
	}
	switch {
	case s.Seeds < 1 || s.Seeds > 1000:
		return s, fmt.Errorf("settings: %d training seeds, want 1..1000", s.Seeds)
	case s.DataSeeds < 1 || s.DataSeeds > 1000:
		return s, fmt.Errorf("settings: %d data seeds, want 1..1000", s.DataSeeds)
	case s.L < 2:
		return s, fmt.Errorf("settings: L = %d, want >= 2", s.L)
	case s.N < 2:
		return s, fmt.Errorf("settings: %d samples, want >= 2", s.N)
	case s.TestN < 2:
		return s, fmt.Errorf("settings: %d held-out test samples, want >= 2", s.TestN)
	case len(s.Layers) == 0:
		return s, fmt.Errorf("settings: no hidden layers")
	case len(s.Networks) == 0:
		return s, fmt.Errorf("settings: no networks")
	case s.FlowDepth < 1 || s.FlowDepth > len(s.Layers):
		return s, fmt.Errorf("settings: flow depth %d, want 1..%d", s.FlowDepth, len(s.Layers))
	case math.IsNaN(s.K) || s.K < 0:
		return s, fmt.Errorf("settings: K = %v, want a coupling >= 0", s.K)
	case !s.Generator.Valid():
		return s, fmt.Errorf("settings: generator %d, want %s or %s", uint8(s.Generator), ising.Xoshiro256pp, ising.SFC64)
	}
	seen := map[string]bool{}
	for _, n := range s.Networks {
		if seen[n] {
			return s, fmt.Errorf("settings: network %s listed twice", n)
		}
		seen[n] = true
	}
	seenK := map[string]bool{}
	for _, k := range s.SweepKs {
		if seenK[CouplingFileName(k)] {
			return s, fmt.Errorf("settings: sweep coupling %.4f listed twice", k)
		}
		seenK[CouplingFileName(k)] = true
	}
	return s, nil
}

// replicas lists the seed ensemble in order: data seed, then training seed.
func (s *Settings) replicas() []replica {
	var out []replica
	for d := 0; d < s.DataSeeds; d++ {
		for i := 0; i < s.Seeds; i++ {
			out = append(out, replica{d, i})
		}
	}
	return out
}

// The seeds of one replication, each derived from Settings.Seed.
func (s *Settings) dataSeed(d int) uint64 { return DeriveSeed(s.Seed, "data", 0, uint64(d)) }
func (s *Settings) testSeed(d int) uint64 { return DeriveSeed(s.Seed, "testdata", 0, uint64(d)) }
func (s *Settings) sweepSeed(d int, k float64) uint64 {
	return DeriveSeed(s.Seed, "sweep", d, math.Float64bits(k))
}
func (s *Settings) trainSeed(p replica) uint64 { return DeriveSeed(s.Seed, "train", p.D, uint64(p.S)) }

// replicaSeed is the base of the evaluation and analysis seeds of replica p.
func (s *Settings) replicaSeed(p replica, purpose string) uint64 {
	return DeriveSeed(s.trainSeed(p), purpose, 0, 0)
}

// buildPlan lays out the stage graph of cfg.
func buildPlan(cfg Config) (*plan, error) {
	s, err := cfg.Settings.normalized()
	if err != nil {
		return nil, err
	}
	version := cfg.Version
	if version == "" {
		version = DefaultVersion()
	}
	p := &plan{s: s, version: version, byKey: map[string]*stageDef{}, index: map[string]int{}}
	add := func(st *stageDef) (string, error) {
		st.Key = stageKey(st.Kind, st.settings, st.Inputs, version)
		if o := p.byKey[st.Key]; o != nil {
			return "", fmt.Errorf("stages %s and %s have the same key", o.Name, st.Name)
		}
		p.index[st.Key] = len(p.stages)
		p.stages = append(p.stages, st)
		p.byKey[st.Key] = st
		return st.Key, nil
	}
	dataKeys := make([]string, s.DataSeeds)
	testKeys := make([]string, s.DataSeeds)
	sweepKeys := make([][]string, s.DataSeeds)
	for d := 0; d < s.DataSeeds; d++ {
		if dataKeys[d], err = add(s.dataStage(d)); err != nil {
			return nil, err
		}
		if testKeys[d], err = add(s.testStage(d)); err != nil {
			return nil, err
		}
		for _, k := range s.SweepKs {
			key, err := add(s.sweepStage(d, k))
			if err != nil {
				return nil, err
			}
			sweepKeys[d] = append(sweepKeys[d], key)
		}
	}
	var all, chartInputs []string
	for _, net := range s.Networks {
		for _, rp := range s.replicas() {
			tr, err := s.trainStage(net, rp, dataKeys[rp.D])
			if err != nil {
				return nil, err
			}
			tk, err := add(tr)
			if err != nil {
				return nil, err
			}
			ek, err := add(s.evalStage(net, rp, tk, dataKeys[rp.D], testKeys[rp.D]))
			if err != nil {
				return nil, err
			}
			ak, err := add(s.analyseStage(net, rp, tk, dataKeys[rp.D]))
			if err != nil {
				return nil, err
			}
			fk, err := add(s.flowStage(net, rp, tk, sweepKeys[rp.D]))
			if err != nil {
				return nil, err
			}
			all = append(all, tk, ek, ak, fk)
			chartInputs = append(chartInputs, tk, ak)
		}
	}
	ck, err := add(s.chartsStage(chartInputs))
	if err != nil {
		return nil, err
	}
	inputs := append(append([]string(nil), dataKeys...), testKeys...)
	for _, ks := range sweepKeys {
		inputs = append(inputs, ks...)
	}
	inputs = append(append(inputs, all...), ck)
	if _, err := add(s.reportStage(inputs)); err != nil {
		return nil, err
	}
	return p, nil
}
