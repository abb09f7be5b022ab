package study

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if _, err := os.Stat(filepath.Join(dir, "report", "index.html")); err != nil {
		t.Error(err)
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
