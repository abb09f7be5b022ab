package study

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/replicate"
)

// tinySpec is a study small enough for unit tests: 2 couplings x 2 seeds.
func tinySpec() Spec {
	s := replicate.QuickSettings()
	s.L, s.N, s.Layers, s.Epochs, s.SklearnEpochs = 8, 300, []int{16, 4}, 2, 2
	s.Networks = []string{"mehta-schwab", "sklearn"}
	s.SweepKs, s.SweepN = []float64{0.3, 0.5}, 100
	s.AISRuns, s.AISSteps = 4, [3]int{20, 20, 20}
	s.AnalysisSamples, s.FlowSteps = 200, 1
	return Spec{Settings: s, Couplings: []float64{0.3, 0.44}, Seeds: []uint64{1, 2}}
}

func TestStudyGraph(t *testing.T) {
	dir := t.TempDir()
	st, err := New(dir, tinySpec(), "test")
	if err != nil {
		t.Fatal(err)
	}
	stages := st.Stages()
	// Sweeps do not depend on the training coupling: each (seed, sweep K)
	// is one stage shared by both couplings' runs.
	sweeps, perRun := 0, 0
	for _, s := range stages {
		if s.Kind == "sweep" {
			sweeps++
			if len(s.Outputs) != 2*2 || !strings.Contains(s.Name, "shared by 2 runs") {
				t.Errorf("sweep stage %s has outputs %v", s.Name, s.Outputs)
			}
		}
	}
	plan, err := replicate.Plan(st.runs[0].Cfg)
	if err != nil {
		t.Fatal(err)
	}
	perRun = len(plan)
	if want := 4*(perRun-2) + 2*2 + 1; sweeps != 2*2 || len(stages) != want {
		t.Errorf("%d stages (%d sweeps), want %d: 4 runs of %d stages, sweeps shared, one report", len(stages), sweeps, want, perRun)
	}
	if _, err := New(dir, Spec{Settings: tinySpec().Settings, Couplings: []float64{0.3, 0.3}, Seeds: []uint64{1}}, "test"); err == nil {
		t.Error("a coupling listed twice is accepted")
	}
	if err := st.RunStage(context.Background(), "nope", 1); err == nil || !strings.Contains(err.Error(), `unknown stage key "nope"`) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestStudyRunLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 4 tiny replications")
	}
	dir := t.TempDir()
	spec := tinySpec()
	st, err := New(dir, spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := RunLocal(context.Background(), st, LocalOptions{Cores: 2, Log: &log}); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if n := len(Missing(st, st.Stages())); n != 0 {
		t.Fatalf("%d stages missing after the run", n)
	}
	sum1, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	if err := json.Unmarshal(sum1, &sum); err != nil {
		t.Fatal(err)
	}
	rows := sum.Networks["sklearn"]
	if len(rows) != 2 || rows[0].K != 0.3 || rows[1].K != 0.44 {
		t.Fatalf("sklearn rows %+v", rows)
	}
	a := rows[1].Measures["k_eff.depth1"]
	if a.N != 2 || len(a.Values) != 2 || !(a.Min <= a.Mean && a.Mean <= a.Max) {
		t.Errorf("k_eff.depth1 at K = 0.44: %+v", a)
	}
	if html, err := os.ReadFile(filepath.Join(dir, "report", "index.html")); err != nil {
		t.Error(err)
	} else if want := "The dashed line is the null rate, 1/20:"; !strings.Contains(string(html), want) {
		t.Errorf("report/index.html does not name the compact share's null rate (%q)", want)
	}
	// Each run folder is a complete replication: replicate.Run reuses every stage.
	for _, r := range st.runs {
		var rlog bytes.Buffer
		cfg := r.Cfg
		cfg.Log = &rlog
		if err := replicate.Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(rlog.String(), " computed key") {
			t.Errorf("%s: replicate recomputed stages:\n%s", r.Rel, rlog.String())
		}
	}
	// A fresh study in another folder with 1 thread gives the same summary.
	dir2 := t.TempDir()
	st2, err := New(dir2, spec, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunLocal(context.Background(), st2, LocalOptions{Cores: 1}); err != nil {
		t.Fatal(err)
	}
	sum2, err := os.ReadFile(filepath.Join(dir2, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sum1, sum2) {
		t.Error("summary.json differs between 2 cores and 1 core")
	}
}

// TestReadSpecLimits: a spec file is checked as the flags are, before
// anything is sized by it (the audit's edited specs planned, then ran out
// of memory); the error names the file and the field.
func TestReadSpecLimits(t *testing.T) {
	t.Setenv("ISINGRBM_MAX_MEMORY", "4G")
	dir := t.TempDir()
	st, err := New(dir, tinySpec(), "test")
	if err != nil {
		t.Fatal(err)
	}
	path, err := st.WriteSpec()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSpec(path); err != nil {
		t.Fatalf("the spec as written: %v", err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	manySeeds := make([]uint64, 100000)
	for i := range manySeeds {
		manySeeds[i] = uint64(i)
	}
	for _, c := range []struct {
		field string
		value any
		want  string
	}{
		{"settings.layers", []int{1 << 20, 1 << 20}, "settings.layers: -layers [1048576 1048576] on -n 300 samples of 8x8: need about"},
		{"seeds", manySeeds, "seeds: 100000 seeds, want at most 1000"},
		{"couplings", []float64{0.3, 1e308}, "couplings: -K 1e+308: coupling 1e+308: want 0.0001 <= K <= 1.5"},
		{"couplings", []float64{0.3, 1.6}, "couplings: -K 1.6: coupling 1.6: want 0.0001 <= K <= 1.5"},
		{"couplings", []float64{0}, "couplings: -K 0: K = 0 is infinite temperature"},
		{"settings.L", 100000, "settings.L: -L 100000: want 4..1024"},
		{"settings.n", 1000000000000, "settings.n: -n 1000000000000 -L 8: need about"},
		{"settings.ais_runs", 1000000000000, "settings.ais_runs: -ais-runs 1000000000000: want 2..1000000"},
		{"settings.flow_steps", 1000000000, "settings.flow_steps: -flow-steps 1000000000: want 0..100"},
		{"settings.sweep_K", []float64{1e308}, "settings.sweep_K: -sweep 1e+308: coupling 1e+308: want 0.0001 <= K <= 1.5"},
		{"settings.networks", []string{}, "settings.networks: -networks: "},
	} {
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		obj, key := m, c.field
		if rest, ok := strings.CutPrefix(c.field, "settings."); ok {
			obj, key = m["settings"].(map[string]any), rest
		}
		obj[key] = c.value
		js, _ := json.Marshal(m)
		bad := filepath.Join(dir, "bad.json")
		if err := os.WriteFile(bad, js, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSpec(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": "+c.want) {
			t.Errorf("%s = %v: got %v, want %q", c.field, c.value, err, bad+": "+c.want)
		}
	}
	// A plan too large to hold: 2 couplings x 100 seeds, each run with 500
	// training seeds of each of two recipes (some 2,000 stages a run).
	sp := tinySpec()
	sp.Seeds = manySeeds[:100]
	sp.Settings.Seeds = 500
	if err := sp.Check(); err == nil || !strings.HasPrefix(err.Error(), "couplings and seeds: 200 runs x ") ||
		!strings.Contains(err.Error(), "(500 training seeds per recipe)") || !strings.Contains(err.Error(), "want at most 250000") {
		t.Errorf("200 runs of 500 training seeds: %v", err)
	}
	sp.Settings.Seeds = 5
	if err := sp.Check(); err != nil {
		t.Errorf("200 runs of 5 training seeds: %v", err)
	}
	// A spec followed by anything but space is refused (a second value was
	// ignored); trailing space is not.
	for tail, ok := range map[string]bool{"\n\t ": true, ` {"couplings":[5]}`: false, " garbage": false} {
		p := filepath.Join(dir, "tail.json")
		if err := os.WriteFile(p, append(slices.Clone(orig), tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSpec(p); (err == nil) != ok || !ok && !strings.Contains(err.Error(), "more after the spec's JSON object") {
			t.Errorf("spec + %q: %v", tail, err)
		}
	}
	// A field given twice is refused (encoding/json took the last one).
	dup := filepath.Join(dir, "dup.json")
	if err := os.WriteFile(dup, bytes.Replace(orig, []byte("{"), []byte(`{"couplings":[0.44],`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSpec(dup); err == nil || !strings.Contains(err.Error(), "couplings given twice") {
		t.Errorf("couplings twice: %v", err)
	}
	// A file far larger than any spec is refused before it is parsed.
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, append(orig, bytes.Repeat([]byte(" "), 2<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSpec(big); err == nil || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Errorf("2 MiB spec: %v", err)
	}
}

// TestSpecMemoryWhereItRuns: a spec's memory is bounded by what any node
// could give (MaxStageBytes), not by this machine, whose limit says nothing
// about a Slurm job's (each asks for its own stage's memory); a local run
// checks this machine's limit as replicate does.
func TestSpecMemoryWhereItRuns(t *testing.T) {
	dir := t.TempDir()
	sp := tinySpec()
	sp.Settings.N = 200_000 // 12.8 MB of samples
	st, err := New(dir, sp, "test")
	if err != nil {
		t.Fatal(err)
	}
	path, err := st.WriteSpec()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ISINGRBM_MAX_MEMORY", "4M") // less than the spec's sampling and training need
	if _, err := ReadSpec(path); err != nil {
		t.Errorf("a spec that fits a node is refused on a small machine: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // without the check, the run stops at once instead of sampling
	err = st.Run(ctx, RunOptions{}, io.Discard)
	if ie := (*param.InputError)(nil); !errors.As(err, &ie) || !strings.Contains(err.Error(), "need about") ||
		!strings.Contains(err.Error(), "ISINGRBM_MAX_MEMORY allows") {
		t.Errorf("local run beyond this machine: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "runs")); len(ents) != 0 {
		t.Errorf("the refused local run wrote %d runs", len(ents))
	}
}

// TestMarkerOfAnotherKey: a study-level stage run under a new key removes
// the markers of the same stage under other keys, whose outputs it
// overwrites: a study run with settings A, then B, then A again in one
// folder reused A's report marker over B's summary.json.
func TestMarkerOfAnotherKey(t *testing.T) {
	st := &Study{Dir: t.TempDir()}
	write := func(key, content string) {
		t.Helper()
		err := st.withMarker(key, "study report", 1, func() ([]string, error) {
			return []string{"summary.json"}, os.WriteFile(filepath.Join(st.Dir, "summary.json"), []byte(content), 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("keyA", "A")
	if !st.markedDone("keyA") {
		t.Fatal("keyA not done after its stage")
	}
	if err := st.withMarker("other", "another stage", 1, func() ([]string, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	write("keyB", "B")
	if st.markedDone("keyA") {
		t.Error("keyA still counts as done over keyB's summary.json")
	}
	if !st.markedDone("keyB") || !st.markedDone("other") {
		t.Error("keyB's marker, or another stage's, is gone")
	}
}

// TestLockDir: a second run or submission in a study folder in use fails
// at once, naming the folder; the lock is free again once released.
func TestLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	unlock, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "another isingrbm study run or submission is using "+dir) {
			t.Errorf("second lock: %v", err)
		}
	}
	unlock()
	unlock2, err := lockDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	unlock2()
}

// TestDuplicateKey: a key repeated in any object of a spec is found, with
// its path; arrays of objects, nesting and keys repeated in different
// objects are not mistaken for it.
func TestDuplicateKey(t *testing.T) {
	for text, want := range map[string]string{
		`{"a":1,"b":2}`:                                   "",
		`{"a":1,"a":2}`:                                   "a",
		`{"epochs":1,"Epochs":2}`:                         "Epochs",
		`{"settings":{"sweep_K":[1],"sweep_k":[2]}}`:      "settings.sweep_k",
		`{"settings":{"n":1,"L":8,"n":2}}`:                "settings.n",
		`{"s":{"x":[1,{"y":1,"y":2}]}}`:                   "s.x[].y",
		`{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]}`: "",
		`{"a":[],"b":{},"a":3}`:                           "a",
		`{"a":[[1,2],[3]],"b":"a","c":null}`:              "",
		`not json`:                                        "",
	} {
		if got := duplicateKey([]byte(text)); got != want {
			t.Errorf("%s: %q, want %q", text, got, want)
		}
	}
}

// TestSpecFieldsDifferInMoreThanCase: duplicateKey compares keys without
// regard to case, as encoding/json matches them to fields, which is right
// only while no two fields of a spec's objects differ only in case.
func TestSpecFieldsDifferInMoreThanCase(t *testing.T) {
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		seen := map[string]string{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if other, dup := seen[strings.ToLower(name)]; dup {
				t.Errorf("%s: fields %q and %q differ only in case", path, other, name)
			}
			seen[strings.ToLower(name)] = name
			walk(f.Type, path+"."+name)
		}
	}
	walk(reflect.TypeOf(Spec{}), "spec")
}

// TestSpecIgnoresReplacedSettings: settings.K, seed and data_seeds are
// replaced by each run's, so a stale value there (a K above the sampler's
// bound, a seed count the study never uses) is no error of the spec.
func TestSpecIgnoresReplacedSettings(t *testing.T) {
	sp := tinySpec()
	sp.Settings.K, sp.Settings.Seed, sp.Settings.DataSeeds = 2, 0, 7
	if err := sp.Check(); err != nil {
		t.Errorf("spec with settings.K = 2, seed 0, data_seeds 7: %v", err)
	}
	sp.Couplings = []float64{0.3, 2}
	if err := sp.Check(); err == nil || !strings.Contains(err.Error(), "couplings: -K 2") {
		t.Errorf("coupling 2 in couplings: %v, want an error naming it", err)
	}
}
