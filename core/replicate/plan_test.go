package replicate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDeriveSeed(t *testing.T) {
	const seed = 1
	// The binarization seeds were Seed + (300+d)*1000 + lo, so depth 1 at
	// row 1000 and depth 2 at row 0 drew the same spins.
	if old := func(d, lo uint64) uint64 { return seed + (300+d)*1000 + lo }; old(1, 1000) != old(2, 0) {
		t.Fatal("the old formula's collision is not reproduced")
	}
	if DeriveSeed(seed, "binarize", 1, 1000) == DeriveSeed(seed, "binarize", 2, 0) {
		t.Error("(depth 1, row 1000) and (depth 2, row 0) still collide")
	}
	if a, b := DeriveSeed(seed, "binarize", 1, 0), DeriveSeed(seed, "binarize", 1, 0); a != b {
		t.Error("not deterministic")
	}
	// No two of many (seed, purpose, depth, index) collide, including
	// purposes that are prefixes of one another.
	seen := map[uint64]string{}
	for _, s := range []uint64{0, 1, 2} {
		for _, purpose := range []string{"", "a", "ab", "data", "train", "binarize", "binarize1", "sweep"} {
			for d := -1; d < 4; d++ {
				for i := uint64(0); i < 2100; i += 7 {
					v := DeriveSeed(s, purpose, d, i)
					what := fmt.Sprintf("(%d, %q, %d, %d)", s, purpose, d, i)
					if o, ok := seen[v]; ok {
						t.Fatalf("%s and %s give the same seed", o, what)
					}
					seen[v] = what
				}
			}
		}
	}
}

func TestPlan(t *testing.T) {
	s := tinySettings()
	s.Seeds, s.DataSeeds = 3, 2
	cfg := Config{Out: t.TempDir(), Settings: s, Version: "v1"}
	a, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Plan(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Error("Plan is not deterministic")
	}
	pos := map[string]int{}
	names := map[string]bool{}
	outputs := map[string]string{}
	kinds := map[string]int{}
	for i, st := range a {
		if len(st.Key) != 16 || st.Name == "" || st.Cores < 1 || st.MemMiB < 1 || !(st.Seconds > 0) {
			t.Errorf("stage %d: %+v", i, st)
		}
		for _, in := range st.Inputs {
			if _, ok := pos[in]; !ok {
				t.Errorf("stage %s reads %s, which is not before it", st.Name, in)
			}
		}
		if names[st.Name] {
			t.Errorf("stage name %s twice", st.Name)
		}
		names[st.Name] = true
		pos[st.Key] = i
		for _, o := range st.Outputs {
			if other, ok := outputs[o]; ok {
				t.Errorf("%s is written by %s and %s", o, other, st.Name)
			}
			outputs[o] = st.Name
		}
		kinds[st.Kind]++
	}
	nets := len(s.Networks)
	want := map[string]int{"data": 2, "testdata": 2, "sweep": 2 * len(s.SweepKs), "train": nets * 6, "eval": nets * 6, "analyse": nets * 6, "flow": nets * 6, "charts": 1, "report": 1}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("stages per kind %v, want %v", kinds, want)
	}
	if last := a[len(a)-1]; last.Kind != "report" || len(last.Inputs) != len(a)-1 {
		t.Errorf("the last stage %s reads %d stages, want the report reading all %d", last.Name, len(last.Inputs), len(a)-1)
	}

	// Every key depends on the program version.
	cfg.Version = "v2"
	c, _ := Plan(cfg)
	for i := range a {
		if a[i].Key == c[i].Key {
			t.Errorf("stage %s has the same key under two program versions", a[i].Name)
		}
	}
	// One more training seed adds stages and changes only the charts' and
	// the report's keys among the old ones.
	cfg.Version = "v1"
	cfg.Settings.Seeds = 4
	d, _ := Plan(cfg)
	old := map[string]string{}
	for _, st := range a {
		old[st.Name] = st.Key
	}
	for _, st := range d {
		k, ok := old[st.Name]
		if ok && (k != st.Key) != (st.Kind == "charts" || st.Kind == "report") {
			t.Errorf("-seeds 4: stage %s key %s, was %s", st.Name, st.Key, k)
		}
	}
	if len(d) != len(a)+4*nets*2 {
		t.Errorf("-seeds 4: %d stages, want %d", len(d), len(a)+4*nets*2)
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.Seeds = -1 },
		func(s *Settings) { s.Networks = []string{"sklearn", "sklearn"} },
		func(s *Settings) { s.Networks = []string{"nonesuch"} },
		func(s *Settings) { s.FlowDepth = 9 },
	} {
		c := cfg
		c.Settings.Networks = append([]string(nil), cfg.Settings.Networks...)
		bad(&c.Settings)
		if _, err := Plan(c); err == nil {
			t.Errorf("Plan accepted %+v", c.Settings)
		}
	}
}

func TestRunStageErrors(t *testing.T) {
	cfg := Config{Out: t.TempDir(), Settings: tinySettings(), Version: "v1"}
	if err := RunStage(context.Background(), cfg, "0123456789abcdef"); err == nil || !strings.Contains(err.Error(), "unknown stage key") {
		t.Errorf("unknown key: %v", err)
	}
	if StageDone(cfg, "0123456789abcdef") {
		t.Error("an unknown key is done")
	}
	key := stageKeyOf(t, cfg, "eval/sklearn/d0-s0")
	if err := RunStage(context.Background(), cfg, key); err == nil || !strings.Contains(err.Error(), "train/sklearn/d0-s0") {
		t.Errorf("a stage before its inputs: %v, want an error naming its training", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RunStage(ctx, cfg, stageKeyOf(t, cfg, "data/d0")); err == nil {
		t.Error("a cancelled context ran a stage")
	}
	if StageDone(cfg, stageKeyOf(t, cfg, "data/d0")) {
		t.Error("a cancelled stage is done")
	}
	// SpecDone answers as StageDone, stage by stage, before and after a
	// stage runs.
	specs, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		done := 0
		for _, sp := range specs {
			if got, want := SpecDone(cfg, sp), StageDone(cfg, sp.Key); got != want {
				t.Errorf("round %d: %s: SpecDone %v, StageDone %v", round, sp.Name, got, want)
			}
			if StageDone(cfg, sp.Key) {
				done++
			}
		}
		if done != round {
			t.Errorf("round %d: %d stages done, want %d", round, done, round)
		}
		if err := RunStage(context.Background(), cfg, stageKeyOf(t, cfg, "data/d0")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadmeRefusesOtherVersion checks that -readme will not write a block
// from a summary or stages another program version made.
func TestReadmeRefusesOtherVersion(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(readme, []byte(ReadmeBegin+"\nold\n"+ReadmeEnd+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(sumVersion, stageVersion string) {
		t.Helper()
		if err := writeJSONAtomic(filepath.Join(dir, "summary.json"), map[string]any{
			"version": sumVersion, "stages": map[string]any{"data/d0": map[string]any{"version": stageVersion}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	write("v1", "v1")
	if err := UpdateReadme(readme, dir, "v2"); err == nil || !strings.Contains(err.Error(), `"v1"`) {
		t.Errorf("summary of v1, program v2: %v", err)
	}
	write("v2", "v1")
	if err := UpdateReadme(readme, dir, "v2"); err == nil || !strings.Contains(err.Error(), "data/d0") {
		t.Errorf("stage of v1, program v2: %v", err)
	}
	if b, _ := os.ReadFile(readme); !strings.Contains(string(b), "old") {
		t.Error("a refused update changed the README")
	}
	write("v2", "v2")
	if err := CheckVersion(dir, "v2"); err != nil {
		t.Error(err)
	}
}

func TestDefaultVersion(t *testing.T) {
	v := DefaultVersion()
	if v == "" || v != DefaultVersion() {
		t.Fatalf("DefaultVersion %q", v)
	}
	// A test binary has no VCS information: the executable's hash stands in.
	if !strings.Contains(v, "exe-") && !strings.Contains(v, " ") {
		t.Errorf("DefaultVersion %q names neither a revision nor the executable's hash", v)
	}
}

// TestEvenRank: the ERF grid's ranks run from the first to the last, rise
// strictly and are every rank when the layer has no more units than tiles.
func TestEvenRank(t *testing.T) {
	for _, c := range [][2]int{{64, 400}, {64, 100}, {64, 65}, {64, 64}, {25, 25}, {1, 1}, {2, 1600}} {
		n, total := c[0], c[1]
		prev := -1
		for i := range n {
			r := evenRank(i, n, total)
			if r <= prev || r >= total || (n == total && r != i) {
				t.Fatalf("evenRank(%d, %d, %d) = %d after %d", i, n, total, r, prev)
			}
			prev = r
		}
		if evenRank(0, n, total) != 0 || evenRank(n-1, n, total) != total-1 {
			t.Errorf("n %d of %d: ranks %d..%d, want 0..%d", n, total, evenRank(0, n, total), evenRank(n-1, n, total), total-1)
		}
	}
}
