package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/replicate"
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
	OK     bool `json:"ok"`
	Stages []struct {
		Stage  string `json:"stage"`
		Key    string `json:"key"`
		Reused bool   `json:"reused"`
	} `json:"stages"`
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
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
	var sum replicate.Summary
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}

	// The README's results section is generated from this summary.
	readmeDir := t.TempDir()
	readme := filepath.Join(readmeDir, "README.md")
	if err := os.WriteFile(readme, []byte("# x\n"+replicate.ReadmeBegin+"\nstale text\n"+replicate.ReadmeEnd+"\ntail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := replicate.UpdateReadme(readme, dir, ""); err != nil {
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
	for name, reps := range sum.Networks {
		if len(reps) != 1 {
			t.Fatalf("%s: %d replicas, want 1", name, len(reps))
		}
		ns := reps[0]
		if ns.Config == nil || ns.Config.Preset != name || ns.TrainingSeconds <= 0 {
			t.Errorf("%s: config %+v, training %v s", name, ns.Config, ns.TrainingSeconds)
		}
		if len(ns.Layers) != len(s.Layers) {
			t.Fatalf("%s: %d layers, want %d", name, len(ns.Layers), len(s.Layers))
		}
		for _, l := range ns.Layers {
			loc, ev := l.Locality, l.Eval
			for what, d := range map[string]replicate.DistSummary{"PR": loc.PR, "noise PR": loc.NoisePR} {
				if !(d.Median >= 1 && float64(d.Median) <= N) || !(d.Min >= 1) || float64(d.Max) > N {
					t.Errorf("%s layer %d: %s %+v outside [1, %v]", name, l.Layer, what, d, N)
				}
			}
			for what, d := range map[string]replicate.DistSummary{"disk": loc.Disk, "noise disk": loc.NoiseDisk} {
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
					for _, d := range []replicate.DistSummary{b.AbsCorr, b.NoiseCorr} {
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
			// Depth 0 is the Monte Carlo data: its energy per spin is
			// Kaufman's for the L x L torus within 5 of its standard errors.
			if p.Depth == 0 && !(p.UErr > 0 && math.Abs(float64(p.U)-sum.Exact.Energy) <= 5*float64(p.UErr)) {
				t.Errorf("%s: the data's energy per spin %v +- %v, exact %v", name, p.U, p.UErr, sum.Exact.Energy)
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
			// Step 0 is the input itself, Monte Carlo samples at K: K_eff is
			// K within 5 of its standard errors.
			k0, e0 := float64(f.KEff[0][i]), float64(f.KEffErr[0][i])
			if !(e0 > 0) || math.Abs(k0-k) > 5*e0 {
				t.Errorf("%s: K_eff of the unreconstructed input at K = %v is %v +- %v", name, k, k0, e0)
			}
		}
	}
	wantStages := []string{"data/d0", "testdata/d0"}
	for _, k := range s.SweepKs {
		wantStages = append(wantStages, fmt.Sprintf("sweep/d0/K%.4f", k))
	}
	for _, n := range s.Networks {
		wantStages = append(wantStages, "train/"+n+"/d0-s0", "eval/"+n+"/d0-s0", "analyse/"+n+"/d0-s0", "flow/"+n+"/d0-s0")
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
		changed := strings.HasPrefix(st.Stage, "flow/") || st.Stage == "report"
		if st.Reused == changed {
			t.Errorf("third run (-flow-steps 0): stage %s reused = %v", st.Stage, st.Reused)
		}
	}
	var sum3 replicate.Summary
	if err := readJSON(filepath.Join(dir, "summary.json"), &sum3); err != nil {
		t.Fatal(err)
	}
	if f := sum3.Networks["sklearn"][0].Flow; len(f.KEff) != 1 {
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
