package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// replicateArgs are the arguments of the test's replication: -quick, made
// smaller still under -short (the race detector and qemu are slow).
func replicateArgs(dir string) []string {
	args := []string{"replicate", "-quick", "-o", dir}
	if testing.Short() {
		args = append(args, "-L", "8", "-n", "400", "-layers", "32,8,4", "-epochs", "3", "-sklearn-epochs", "2",
			"-sweep", "0.3:0.5:3", "-sweep-n", "100", "-ais-runs", "10", "-ais-steps", "150", "-analysis-samples", "200", "-flow-steps", "1")
	}
	return args
}

type lastRun struct {
	OK     bool       `json:"ok"`
	Stages []stageRun `json:"stages"`
}

func readLastRun(t *testing.T, dir string) lastRun {
	t.Helper()
	var lr lastRun
	if err := readJSON(filepath.Join(dir, "last_run.json"), &lr); err != nil {
		t.Fatal(err)
	}
	return lr
}

func inUnit(x float64) bool { return x >= -1 && x <= 1 }

func TestReplicateQuick(t *testing.T) {
	dir := t.TempDir()
	args := replicateArgs(dir)
	code, stdout, stderr := runCmd(args...)
	if code != 0 {
		t.Fatalf("replicate: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// The report references only existing, non-empty files.
	html, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	srcs := regexp.MustCompile(`src="([^"]+)"`).FindAllStringSubmatch(string(html), -1)
	if len(srcs) < 20 {
		t.Errorf("index.html shows %d images, want every figure", len(srcs))
	}
	for _, m := range srcs {
		st, err := os.Stat(filepath.Join(dir, "report", filepath.FromSlash(m[1])))
		if err != nil || st.Size() == 0 {
			t.Errorf("index.html references %s: %v", m[1], err)
		}
	}
	if n := strings.Count(string(html), "<figcaption>"); n != len(srcs) {
		t.Errorf("%d captions for %d figures", n, len(srcs))
	}
	for _, want := range []string{"erf_mehta-schwab_l1.png", "weights_sklearn.png", "recon_weight-decay.png", "train_gap.png",
		"snapshots_mehta-schwab.png", "pr_sklearn_l1.png", "disk_mehta-schwab_l1.png", "flow_weight-decay.png", "physics_c.png"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}

	// summary.json: keys and value ranges.
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum replicateSummary
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}

	// The README's results section is generated from this summary.
	readmeDir := t.TempDir()
	readme := filepath.Join(readmeDir, "README.md")
	if err := os.WriteFile(readme, []byte("# x\n"+readmeBegin+"\nstale text\n"+readmeEnd+"\ntail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := updateReadme(readme, dir); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(readme)
	for _, want := range []string{"| mehta-schwab | 1 |", "| sklearn | 3 |", "| step | K=", "](docs/replicate/erf_mehta-schwab_l1.png)", "\ntail\n", "| all stages |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("generated README lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(string(md), "stale text") || strings.Contains(string(md), "n/a (n/a)") {
		t.Errorf("generated README kept stale text or missing values:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(readmeDir, "docs", "replicate", "flow_mehta-schwab.png")); err != nil {
		t.Error(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"program", "settings", "exact", "data", "sweep", "networks", "stages", "stage_seconds", "peak_rss_mib"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("summary.json lacks %q", k)
		}
	}
	s := sum.Settings
	N := float64(s.L * s.L)
	if len(sum.Networks) != 3 {
		t.Fatalf("%d networks", len(sum.Networks))
	}
	for name, ns := range sum.Networks {
		if ns.Config == nil || ns.Config.Preset != name || ns.TrainingSeconds <= 0 {
			t.Errorf("%s: config %+v, training %v s", name, ns.Config, ns.TrainingSeconds)
		}
		if len(ns.Layers) != len(s.Layers) {
			t.Fatalf("%s: %d layers, want %d", name, len(ns.Layers), len(s.Layers))
		}
		for _, l := range ns.Layers {
			loc, ev := l.Locality, l.Eval
			for what, d := range map[string]distSummary{"PR": loc.PR, "noise PR": loc.NoisePR} {
				if !(d.Median >= 1 && float64(d.Median) <= N) || !(d.Min >= 1) || float64(d.Max) > N {
					t.Errorf("%s layer %d: %s %+v outside [1, %v]", name, l.Layer, what, d, N)
				}
			}
			for what, d := range map[string]distSummary{"disk": loc.Disk, "noise disk": loc.NoiseDisk} {
				if !(d.Median > 0 && d.Median <= 1) {
					t.Errorf("%s layer %d: %s median %v outside (0, 1]", name, l.Layer, what, d.Median)
				}
			}
			if !(loc.Rg.Median > 0 && float64(loc.Rg.Median) < float64(s.L)) {
				t.Errorf("%s layer %d: radius of gyration %v", name, l.Layer, loc.Rg.Median)
			}
			if l.Layer == 1 {
				if len(loc.BlockSpin) != 2 || loc.BlockSpin[0].B != 2 || loc.BlockSpin[1].B != 4 {
					t.Errorf("%s: block spins %+v", name, loc.BlockSpin)
				}
				for _, b := range loc.BlockSpin {
					for _, d := range []distSummary{b.AbsCorr, b.NoiseCorr} {
						if !inUnit(float64(d.Median)) || !inUnit(float64(d.Min)) || !inUnit(float64(d.Max)) || d.N > loc.Units {
							t.Errorf("%s: block %d correlations %+v outside [-1, 1]", name, b.B, d)
						}
					}
				}
			} else if len(loc.BlockSpin) != 0 || loc.BlockNote == "" {
				t.Errorf("%s layer %d: block spins %+v without a note", name, l.Layer, loc.BlockSpin)
			}
			if ev.Layer != l.Layer || !finite(ev.ReconError) || ev.ReconError < 0 || !finite(ev.PseudoLL) || ev.PseudoLL > 0 ||
				!finite(ev.LogLik) || !finite(ev.LogLikErr) || ev.LogLikErr < 0 || (ev.LogLikMethod != "exact" && ev.LogLikMethod != "ais") {
				t.Errorf("%s layer %d: eval %+v", name, l.Layer, ev)
			}
		}
		if len(ns.Physics) != len(s.Layers)+1 {
			t.Errorf("%s: physics at %d depths", name, len(ns.Physics))
		}
		for _, p := range ns.Physics {
			if !(p.U >= -2 && p.U <= 2) || !(p.AbsM >= 0 && p.AbsM <= 1) || !(p.C >= 0) || !(p.Chi >= 0) {
				t.Errorf("%s depth %d: physics %+v", name, p.Depth, p)
			}
		}
		f := ns.Flow
		if len(f.K) != len(s.SweepKs) || len(f.KEff) != s.FlowSteps+1 {
			t.Fatalf("%s: flow %+v", name, f)
		}
		nulls := 0
		for _, row := range f.KEff {
			for _, k := range row {
				if math.IsNaN(float64(k)) {
					nulls++
				} else if math.IsInf(float64(k), 0) || k < 0 {
					t.Errorf("%s: K_eff %v", name, k)
				}
			}
		}
		if nulls > 0 && len(f.NullReasons) == 0 {
			t.Errorf("%s: %d null K_eff without a reason", name, nulls)
		}
		for i, k := range f.K {
			// Step 0 is the input itself: K_eff near K.
			if k0 := float64(f.KEff[0][i]); math.Abs(k0-k) > 0.1 {
				t.Errorf("%s: K_eff of the unreconstructed input at K = %v is %v", name, k, k0)
			}
		}
	}
	wantStages := []string{"data", "sweep"}
	for _, n := range s.Networks {
		wantStages = append(wantStages, "train-"+n, "eval-"+n, "analyse-"+n, "flow-"+n)
	}
	wantStages = append(wantStages, "charts")
	for _, n := range wantStages {
		st, ok := sum.Stages[n]
		if !ok || !(st.Seconds > 0) || len(st.Key) != 16 {
			t.Errorf("stage %s: %+v", n, st)
		}
	}
	if !(sum.PeakRSSMiB > 0) && !math.IsNaN(float64(sum.PeakRSSMiB)) {
		t.Errorf("peak RSS %v", sum.PeakRSSMiB)
	}
	first := readLastRun(t, dir)
	if !first.OK || len(first.Stages) != len(wantStages)+1 {
		t.Fatalf("first run: %+v", first)
	}
	for _, st := range first.Stages {
		if st.Reused {
			t.Errorf("first run reused %s", st.Stage)
		}
	}
	noTempFiles(t, dir)

	// A second run reuses every stage and rewrites nothing.
	code, stdout, stderr = runCmd(args...)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	second := readLastRun(t, dir)
	if len(second.Stages) != len(first.Stages) {
		t.Fatalf("second run: %+v", second)
	}
	for i, st := range second.Stages {
		if !st.Reused || st.Key != first.Stages[i].Key {
			t.Errorf("second run: stage %s reused %v, key %s (first %s)", st.Stage, st.Reused, st.Key, first.Stages[i].Key)
		}
	}
	raw2, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if !bytes.Equal(raw, raw2) {
		t.Error("summary.json changed on a run that reused every stage")
	}

	// Changing the flow's settings recomputes the flow stages and the
	// report, nothing else (the charts stage does not read the flow).
	args3 := append(append([]string(nil), args...), "-flow-steps", "0")
	if code, stdout, stderr := runCmd(args3...); code != 0 {
		t.Fatalf("third run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, st := range readLastRun(t, dir).Stages {
		changed := strings.HasPrefix(st.Stage, "flow-") || st.Stage == "report"
		if st.Reused == changed {
			t.Errorf("third run (-flow-steps 0): stage %s reused = %v", st.Stage, st.Reused)
		}
	}
	var sum3 replicateSummary
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum3); err != nil {
		t.Fatal(err)
	}
	if f := sum3.Networks["sklearn"].Flow; len(f.KEff) != 1 {
		t.Errorf("-flow-steps 0: %d rows of K_eff, want 1", len(f.KEff))
	}
	noTempFiles(t, dir)
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

func TestReplicateBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-L", "1"}, "-L"},
		{[]string{"-n", "1"}, "-n"},
		{[]string{"-sweep", "0.2:0.4"}, "-sweep"},
		{[]string{"-layers", "4,0"}, "-layers"},
		{[]string{"-networks", "mehta-schwab,nonesuch"}, "-networks"},
		{[]string{"-ais-steps", "3"}, "-ais-steps"},
		{[]string{"-flow-depth", "9"}, "-flow-depth"},
		{[]string{"-epochs", "0"}, "-epochs"},
		{[]string{"-threads", "-1"}, "-threads"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "r")
		code, _, stderr := runCmd(append([]string{"replicate", "-quick", "-o", out}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: created the output folder", c.args)
		}
	}
}

func TestStageKey(t *testing.T) {
	a := stageKey("x", map[string]int{"a": 1}, []string{"k1"})
	if a != stageKey("x", map[string]int{"a": 1}, []string{"k1"}) {
		t.Error("key not deterministic")
	}
	for _, b := range []string{
		stageKey("y", map[string]int{"a": 1}, []string{"k1"}),
		stageKey("x", map[string]int{"a": 2}, []string{"k1"}),
		stageKey("x", map[string]int{"a": 1}, []string{"k2"}),
	} {
		if a == b {
			t.Error("different stage, settings or inputs give the same key")
		}
	}
}

// tinySettings are the -short sizes of replicateArgs as settings.
func tinySettings() replicateSettings {
	s := quickSettings()
	s.L, s.N, s.Layers, s.Epochs, s.SklearnEpochs = 8, 400, []int{32, 8, 4}, 3, 2
	s.SweepKs, s.SweepN = []float64{0.3, 0.5}, 100
	s.AISRuns, s.AISSteps, s.AnalysisSamples, s.FlowSteps = 10, [3]int{10, 40, 100}, 200, 1
	return s
}

// TestReplicateInterruptedTraining interrupts the training of one network
// and checks that nothing half-done is left as finished, and that the next
// run resumes from the checkpoint and ends with the model of an
// uninterrupted run.
func TestReplicateInterruptedTraining(t *testing.T) {
	s := tinySettings()
	s.Networks = []string{"weight-decay"}
	dir := t.TempDir()
	for _, d := range []string{"data", "sweep", "models", "eval", "analysis", "flow", "report", "stages"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	r := &replicator{ctx: ctx, out: dir, s: s, stdout: &out, stderr: &errb}
	r.onEpoch = func(net string, p rbm.ProgressInfo) {
		if p.Layer == 1 && p.Epoch == 2 {
			cancel()
		}
	}
	err := r.pipeline()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted pipeline returned %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models", "weight-decay.npz")); err == nil {
		t.Error("an interrupted training left a model file")
	}
	if r.readMarker("train-weight-decay") != nil {
		t.Error("an interrupted training left a stage marker")
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, "models", "weight-decay-*.ckpt"))
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
	// tested by TestReplicateQuick).
	out.Reset()
	errb.Reset()
	r = &replicator{ctx: context.Background(), out: dir, s: s, stdout: &out, stderr: &errb}
	dk, err := r.stageData()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.stageTrain("weight-decay", dk); err != nil {
		t.Fatalf("second run: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "data                   reused") {
		t.Errorf("second run recomputed the data: %s", out.String())
	}
	if !strings.Contains(errb.String(), "resuming from") {
		t.Errorf("second run did not resume: %s", errb.String())
	}
	noTempFiles(t, dir)

	// An uninterrupted training of the same settings gives the same model.
	dir2 := t.TempDir()
	for _, d := range []string{"data", "models", "stages"} {
		if err := os.MkdirAll(filepath.Join(dir2, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r2 := &replicator{ctx: context.Background(), out: dir2, s: s, stdout: io.Discard, stderr: io.Discard}
	dk2, err := r2.stageData()
	if err != nil {
		t.Fatal(err)
	}
	if dk2 != dk {
		t.Errorf("data keys %s and %s for the same settings", dk, dk2)
	}
	if _, err := r2.stageTrain("weight-decay", dk2); err != nil {
		t.Fatal(err)
	}
	a := modelArrays(t, filepath.Join(dir, "models", "weight-decay.npz"))
	b := modelArrays(t, filepath.Join(dir2, "models", "weight-decay.npz"))
	if len(a) != len(b) || len(a) < 9 {
		t.Fatalf("arrays %d vs %d", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs between the interrupted-and-resumed and the uninterrupted training", name)
		}
	}
}
