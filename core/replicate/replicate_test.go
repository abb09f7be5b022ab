package replicate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
)

func TestStageKey(t *testing.T) {
	a := stageKey("x", map[string]int{"a": 1}, []string{"k1"}, "v1")
	if a != stageKey("x", map[string]int{"a": 1}, []string{"k1"}, "v1") {
		t.Error("key not deterministic")
	}
	for _, b := range []string{
		stageKey("y", map[string]int{"a": 1}, []string{"k1"}, "v1"),
		stageKey("x", map[string]int{"a": 2}, []string{"k1"}, "v1"),
		stageKey("x", map[string]int{"a": 1}, []string{"k2"}, "v1"),
		stageKey("x", map[string]int{"a": 1}, []string{"k1"}, "v2"),
	} {
		if a == b {
			t.Error("different stage, settings, inputs or version give the same key")
		}
	}
}

// tinySettings are the -short sizes of replicateArgs as settings.
func tinySettings() Settings {
	s := QuickSettings()
	s.L, s.N, s.Layers, s.Epochs, s.SklearnEpochs = 8, 400, []int{32, 8, 4}, 3, 2
	s.SweepKs, s.SweepN = []float64{0.3, 0.5}, 100
	s.AISRuns, s.AISSteps, s.AnalysisSamples, s.FlowSteps = 10, [3]int{10, 40, 100}, 200, 1
	return s
}

// stageKeyOf returns the key of the stage called name in cfg's plan.
func stageKeyOf(t *testing.T, cfg Config, name string) string {
	t.Helper()
	specs, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.Name == name {
			return sp.Key
		}
	}
	t.Fatalf("no stage %s in the plan", name)
	return ""
}

// TestReplicateInterruptedTraining interrupts the training of one network
// and checks that nothing half-done is left as finished, and that the next
// run resumes from the checkpoint and ends with the model of an
// uninterrupted run.
func TestReplicateInterruptedTraining(t *testing.T) {
	s := tinySettings()
	s.Networks = []string{"weight-decay"}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	cfg := Config{Out: dir, Settings: s, Version: "test", Log: &out, Notes: &errb}
	cfg.OnEpoch = func(net string, p rbm.ProgressInfo) {
		if p.Layer == 1 && p.Epoch == 2 {
			cancel()
		}
	}
	err := Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run returned %v", err)
	}
	model := filepath.Join(dir, filepath.FromSlash(modelRel("weight-decay", replica{})))
	if _, err := os.Stat(model); err == nil {
		t.Error("an interrupted training left a model file")
	}
	trainName := "train/weight-decay/d0-s0"
	trainKey, dataKey := stageKeyOf(t, cfg, trainName), stageKeyOf(t, cfg, "data/d0")
	if readMarker(dir, trainName) != nil || StageDone(cfg, trainKey) {
		t.Error("an interrupted training left a stage marker")
	}
	if !StageDone(cfg, dataKey) {
		t.Error("the data stage before the interrupt is not done")
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, "models", "weight-decay", "d0-s0-*.ckpt"))
	if len(ckpts) != 1 {
		t.Fatalf("checkpoints after the interrupt: %v", ckpts)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp") {
			t.Errorf("left %s behind", p)
		}
		return nil
	})

	// The next run resumes and finishes the training (the later stages are
	// tested by TestReplicateGolden).
	out.Reset()
	errb.Reset()
	cfg.OnEpoch = nil
	if err := RunStage(context.Background(), cfg, trainKey); err != nil {
		t.Fatalf("second run: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "resuming from") {
		t.Errorf("second run did not resume: %s", errb.String())
	}
	if !StageDone(cfg, trainKey) {
		t.Error("the finished training is not done")
	}
	noTempFiles(t, dir)

	// An uninterrupted training of the same settings gives the same model.
	cfg2 := Config{Out: t.TempDir(), Settings: s, Version: "test"}
	if k := stageKeyOf(t, cfg2, "data/d0"); k != dataKey {
		t.Errorf("data keys %s and %s for the same settings", dataKey, k)
	}
	if err := RunStage(context.Background(), cfg2, trainKey); err == nil || !strings.Contains(err.Error(), "data/d0") {
		t.Errorf("training before its data: %v, want an error naming data/d0", err)
	}
	for _, k := range []string{dataKey, trainKey} {
		if err := RunStage(context.Background(), cfg2, k); err != nil {
			t.Fatal(err)
		}
	}
	a := modelArrays(t, model)
	b := modelArrays(t, filepath.Join(cfg2.Out, filepath.FromSlash(modelRel("weight-decay", replica{}))))
	if len(a) != len(b) || len(a) < 9 {
		t.Fatalf("arrays %d vs %d", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs between the interrupted-and-resumed and the uninterrupted training", name)
		}
	}
}

// modelArrays returns every array of an npz except meta.json (whose
// history records wall times).
func modelArrays(t *testing.T, path string) map[string][]byte {
	t.Helper()
	z, err := npy.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for name, a := range z.Arrays {
		out[name] = a.Data
	}
	return out
}

// noTempFiles fails when an atomic write left its temporary file.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.Contains(d.Name(), ".tmp") || strings.HasSuffix(d.Name(), ".ckpt")) {
			t.Errorf("left %s behind", p)
		}
		return nil
	})
}

// TestReplicateGenerator: -rng sfc64 changes the keys of every sampling
// stage (and of what depends on them) but xoshiro256++, the zero value,
// keeps the keys it had before Settings named a generator; an sfc64 run
// writes other samples of the same physics and names its streams.
func TestReplicateGenerator(t *testing.T) {
	xo := Config{Settings: tinySettings(), Version: "v"}
	sfc := xo
	sfc.Settings.Generator = ising.SFC64
	for _, name := range []string{"data/d0", "testdata/d0", "sweep/d0/K0.3000", "train/mehta-schwab/d0-s0"} {
		if stageKeyOf(t, xo, name) == stageKeyOf(t, sfc, name) {
			t.Errorf("%s: same key for both generators", name)
		}
	}
	s := xo.Settings
	old := stageKey("data", struct {
		L    int
		K    float64
		N    int
		Seed uint64
	}{s.L, s.K, s.N, s.dataSeed(0)}, nil, "v")
	if got := stageKeyOf(t, xo, "data/d0"); got != old {
		t.Errorf("xoshiro256++ data stage key %s, want the key without a generator %s", got, old)
	}
	bad := xo
	bad.Settings.Generator = 7
	if _, err := Plan(bad); err == nil || !strings.Contains(err.Error(), "generator 7") {
		t.Errorf("generator 7: %v", err)
	}

	sfc.Out = t.TempDir()
	sfc.Settings.Networks = []string{"sklearn"}
	if err := Run(context.Background(), sfc); err != nil {
		t.Fatal(err)
	}
	xo.Out = t.TempDir()
	xo.Settings.Networks = sfc.Settings.Networks
	if err := Run(context.Background(), xo); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(filepath.Join(sfc.Out, dataRel(0)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(xo.Out, dataRel(0)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Error("sfc64 and xoshiro256++ wrote the same samples")
	}
	for _, c := range []struct {
		dir, gen string
	}{{sfc.Out, "sfc64"}, {xo.Out, "xoshiro256++"}} {
		js, err := os.ReadFile(filepath.Join(c.dir, dataStatsRel(0)))
		if err != nil {
			t.Fatal(err)
		}
		var st SampleStats
		if err := json.Unmarshal(js, &st); err != nil {
			t.Fatal(err)
		}
		if st.Generator != c.gen {
			t.Errorf("%s: generator %q, want %q", dataStatsRel(0), st.Generator, c.gen)
		}
		// Both are samples of the same torus: the energy agrees with the
		// exact one within 5 of its standard errors.
		if z := math.Abs(float64(st.Energy-st.ExactEnergy)) / float64(st.EnergyErr); !(z < 5) {
			t.Errorf("%s: energy %v +- %v, exact %v (%.1f sigma)", c.gen, st.Energy, st.EnergyErr, st.ExactEnergy, z)
		}
	}
}

// TestReplicateTrainWarning: a network whose training ends worse than
// independent units (the paper's recipe on ordered data, K = 0.6, where
// its all-0 mode takes Z's mass) gets `isingrbm train`'s warning on the
// run's notes, its evaluation records it, and the summary and the report
// count it; a recipe that learned them does not.
func TestReplicateTrainWarning(t *testing.T) {
	if testing.Short() {
		t.Skip("the quick pipeline (tinySettings' 8 x 8 lattice does not reach the all-0 mode); the README's test command runs it")
	}
	s := QuickSettings()
	s.K, s.Networks = 0.6, []string{"mehta-schwab", "mehta-schwab-centered"}
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if err := Run(context.Background(), Config{Out: dir, Settings: s, Version: "test", Log: &out, Notes: &errb}); err != nil {
		t.Fatal(err)
	}
	sum := readSummary(t, dir)
	for _, c := range []struct {
		net  string
		want []float64 // per layer
	}{{"mehta-schwab", []float64{1, 0, 0}}, {"mehta-schwab-centered", []float64{0, 0, 0}}} {
		for k, l := range sum.Ensemble[c.net].Layers {
			if w := l.TrainWarned; w.N != 1 || float64(w.Values[0]) != c.want[k] {
				t.Errorf("%s layer %d: train_warned %+v, want %v", c.net, l.Layer, w, c.want[k])
			}
			warned := strings.Contains(errb.String(), fmt.Sprintf("train %s d0-s0: warning: layer %d:", c.net, l.Layer))
			if warned != (c.want[k] == 1) {
				t.Errorf("%s layer %d: warned on the notes %v, want %v:\n%s", c.net, l.Layer, warned, c.want[k] == 1, errb.String())
			}
		}
	}
	if tc := sum.Networks["mehta-schwab"][0].Layers[0].Training; tc == nil || !strings.Contains(tc.Warning, "at most") {
		t.Errorf("mehta-schwab layer 1's training check in summary.json: %+v", tc)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "as `isingrbm train` warns") || !strings.Contains(string(html), "1 of 1 replicas") {
		t.Error("the report does not count the warned replicas")
	}
	// The overview names the recipes that ran, not the default three, and
	// the footer the time summary.json gives.
	for _, want := range []string{"trained greedily with 2 recipes: mehta-schwab (CD-1, L1 penalty 0.0002 on the weights, ",
		"; and mehta-schwab-centered (the centered RBM, CD-1, L1 penalty 0.0002 on the weights, "} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the overview does not say %q", want)
		}
	}
	if strings.Contains(string(html), "sklearn (") || strings.Contains(string(html), "weight-decay (") {
		t.Error("the overview names a recipe that did not run")
	}
	created, err := time.Parse(time.RFC3339, sum.Created)
	if err != nil || !strings.Contains(string(html), "Generated "+created.Format("2006-01-02 15:04:05 MST")) {
		t.Errorf("the page's footer does not give summary.json's time %q (%v)", sum.Created, err)
	}
}

// readSummary reads the summary.json of a run into dir.
func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	return sum
}
