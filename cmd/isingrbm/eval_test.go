package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

// tinyModel trains a 36 -> 30 -> 4 network (layer 1 needs AIS, layer 2 is
// exact) on seeded data and returns the data and model paths.
func tinyModel(t *testing.T, dir string) (data, model string) {
	t.Helper()
	data = writeNpy(t, dir, "d.npy", "|u1", []int{150, 6, 6}, randomSpins(150, 36, 11))
	model = filepath.Join(dir, "m.npz")
	if code, _, stderr := runCmd("train", "-data", data, "-layers", "30,4", "-epochs", "3", "-batch", "25", "-o", model); code != 0 {
		t.Fatalf("train: exit %d, %s", code, stderr)
	}
	return data, model
}

func evalJSON(t *testing.T, args ...string) rbm.EvalReport {
	t.Helper()
	code, stdout, stderr := runCmd(append([]string{"eval", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("eval %v: exit %d, %s", args, code, stderr)
	}
	var rep rbm.EvalReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	// Every documented field is present.
	var raw struct {
		Layers []map[string]any `json:"layers"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, l := range raw.Layers {
		for _, k := range []string{"layer", "visible", "hidden", "input", "samples", "free_energy", "pseudo_loglik", "recon_error",
			"loglik", "loglik_err", "loglik_lo", "loglik_hi", "loglik_ceiling", "loglik_method", "log_z", "log_z_floor", "log_z_data", "log_z_biases", "global_flip_gap", "seconds"} {
			if _, ok := l[k]; !ok {
				t.Errorf("layer %v: no field %q in %v", l["layer"], k, l)
			}
		}
	}
	return rep
}

func finite(x stats.Num) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

func TestEvalTinyModel(t *testing.T) {
	dir := t.TempDir()
	data, model := tinyModel(t, dir)
	rep := evalJSON(t, "-model", model, "-data", data, "-ais-runs", "20", "-ais-steps", "300")
	if len(rep.Layers) != 2 || rep.Samples != 150 || rep.SamplesTotal != 150 {
		t.Fatalf("report %+v", rep)
	}
	for _, e := range rep.Layers {
		for name, v := range map[string]stats.Num{"free_energy": e.FreeEnergy, "pseudo_loglik": e.PseudoLL, "recon_error": e.ReconError,
			"loglik": e.LogLik, "loglik_err": e.LogLikErr, "loglik_lo": e.LogLikLo, "log_z": e.LogZ} {
			if !finite(v) {
				t.Errorf("layer %d: %s = %v, want finite", e.Layer, name, v)
			}
		}
		if !(e.ReconError >= 0) || !(e.PseudoLL <= 0) || !(e.LogLikErr >= 0) || !(e.LogLikLo <= e.LogLik) {
			t.Errorf("layer %d: out of range: %+v", e.Layer, e)
		}
	}
	l1, l2 := rep.Layers[0], rep.Layers[1]
	if l1.LogLikMethod != "ais" || l1.AISRuns != 20 || l1.AISSteps != 300 || l1.Input != "data" {
		t.Errorf("layer 1: %+v", l1)
	}
	if l1.LogLik > 0 {
		t.Errorf("layer 1 log-likelihood of binary data %v > 0", l1.LogLik)
	}
	if !finite(l1.GlobalFlipGap) || l1.GlobalFlipGap < 0 || finite(l2.GlobalFlipGap) {
		t.Errorf("flip gaps %v, %v: want a finite gap >= 0 on layer 1 only", l1.GlobalFlipGap, l2.GlobalFlipGap)
	}
	if !(l1.LogZFloor <= l1.LogZ) || !(l1.LogLik <= l1.LogLikCeiling) || l2.LogLikCeiling != l2.LogLik || l2.LogZFloor != l2.LogZ {
		t.Errorf("floors and ceilings: layer 1 log Z %v floor %v, log-lik %v ceiling %v; layer 2 (exact) log Z %v floor %v, log-lik %v ceiling %v",
			l1.LogZ, l1.LogZFloor, l1.LogLik, l1.LogLikCeiling, l2.LogZ, l2.LogZFloor, l2.LogLik, l2.LogLikCeiling)
	}
	if best := max(l1.LogZData, l1.LogZBiases); l1.LogZ != best || (l1.AISPath == "data") != (l1.LogZData == best) || l1.AISPath == "" {
		t.Errorf("layer 1: log Z %v from path %q; data %v, biases %v", l1.LogZ, l1.AISPath, l1.LogZData, l1.LogZBiases)
	}
	if finite(l2.LogZData) || finite(l2.LogZBiases) || l2.AISPath != "" {
		t.Errorf("layer 2 (exact): AIS paths %v, %v, %q", l2.LogZData, l2.LogZBiases, l2.AISPath)
	}
	if l2.LogLikMethod != "exact" || l2.LogLikErr != 0 || l2.LogLikLo != l2.LogLik || !strings.Contains(l2.Input, "hidden probabilities of layer 1") {
		t.Errorf("layer 2: %+v", l2)
	}

	// Layer 2 is evaluated on the mean-field hidden probabilities of layer 1.
	dbn, _, err := rbm.LoadDBN(model)
	if err != nil {
		t.Fatal(err)
	}
	ld, err := rbm.ReadDataFlag("data", data)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, ld.Set.N*ld.Set.D)
	ld.Set.Range(0, ld.Set.N, v)
	p := dbn.Up(nil, v, ld.Set.N, 1)
	h, err := rbm.NewProbDataset(ld.Set.N, dbn.Layers[1].NVisible, p)
	if err != nil {
		t.Fatal(err)
	}
	want := dbn.Layers[1].MeanFreeEnergy(nil, h)
	if d := math.Abs(float64(l2.FreeEnergy) - want); d > 1e-4*math.Max(1, math.Abs(want)) {
		t.Errorf("layer 2 free energy %v, want %v (on the hidden probabilities of layer 1)", l2.FreeEnergy, want)
	}
	wantLL, err := dbn.Layers[1].LogLikelihood(nil, h, "exact", rbm.AISConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(float64(l2.LogLik) - wantLL.Mean); d > 1e-4*math.Max(1, math.Abs(wantLL.Mean)) {
		t.Errorf("layer 2 log-likelihood %v, want %v", l2.LogLik, wantLL.Mean)
	}

	// -layers 2 gives the same numbers for layer 2 alone.
	only := evalJSON(t, "-model", model, "-data", data, "-layers", "2")
	if len(only.Layers) != 1 || only.Layers[0].Layer != 2 || only.Layers[0].FreeEnergy != l2.FreeEnergy || only.Layers[0].LogLik != l2.LogLik {
		t.Errorf("-layers 2: %+v, want layer 2 as in %+v", only.Layers, l2)
	}
	// -max-samples evaluates a seeded subset: the same seed, the same subset.
	a := evalJSON(t, "-model", model, "-data", data, "-layers", "2", "-max-samples", "40", "-seed", "3")
	b := evalJSON(t, "-model", model, "-data", data, "-layers", "2", "-max-samples", "40", "-seed", "3")
	c := evalJSON(t, "-model", model, "-data", data, "-layers", "2", "-max-samples", "40", "-seed", "4")
	if a.Samples != 40 || a.SamplesTotal != 150 || a.Layers[0].Samples != 40 {
		t.Errorf("-max-samples 40: %+v", a)
	}
	if a.Layers[0].FreeEnergy != b.Layers[0].FreeEnergy {
		t.Errorf("same seed, different subsets: %v vs %v", a.Layers[0].FreeEnergy, b.Layers[0].FreeEnergy)
	}
	if a.Layers[0].FreeEnergy == c.Layers[0].FreeEnergy {
		t.Errorf("seeds 3 and 4 chose subsets with the same free energy %v", a.Layers[0].FreeEnergy)
	}
	// The text table names every layer.
	code, stdout, stderr := runCmd("eval", "-model", model, "-data", data, "-ais-runs", "4", "-ais-steps", "30")
	if code != 0 || !strings.Contains(stdout, "36->30") || !strings.Contains(stdout, "30->4") || !strings.Contains(stdout, "exact") {
		t.Errorf("table: exit %d, %s %s", code, stdout, stderr)
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	data, model := tinyModel(t, dir)
	small := writeNpy(t, dir, "small.npy", "|u1", []int{10, 4, 4}, randomSpins(10, 16, 1))
	corrupt := filepath.Join(dir, "corrupt.npz")
	if err := os.WriteFile(corrupt, []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	notModel := filepath.Join(dir, "notmodel.npz")
	if code, _, _ := runCmd("train", "-data", small, "-layers", "3", "-epochs", "1", "-o", notModel); code != 0 {
		t.Fatal("train failed")
	}
	// Truncate a valid model file.
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.npz")
	if err := os.WriteFile(truncated, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-model", corrupt, "-data", data}, "corrupt.npz"},
		{[]string{"-model", truncated, "-data", data}, "truncated.npz"},
		{[]string{"-model", filepath.Join(dir, "missing.npz"), "-data", data}, "missing.npz"},
		{[]string{"-data", data}, "-model"},
		{[]string{"-model", model, "-data", small}, "small.npy"},  // 16 units, model 36
		{[]string{"-model", notModel, "-data", data}, "36 units"}, // model 16, data 36
		{[]string{"-model", model, "-data", filepath.Join(dir, "nope.npy")}, "nope.npy"},
		{[]string{"-model", model, "-data", data, "-layers", "3"}, "-layers"},
		{[]string{"-model", model, "-data", data, "-layers", "0"}, "-layers"},
		{[]string{"-model", model, "-data", data, "-ais-runs", "1"}, "-ais-runs"},
		{[]string{"-model", model, "-data", data, "-ais-steps", "10,20"}, "-ais-steps"},
		{[]string{"-model", model, "-data", data, "-ais-steps", "x"}, "-ais-steps"},
		{[]string{"-model", model, "-data", data, "-max-samples", "-1"}, "-max-samples"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCmd(append([]string{"eval"}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want 2 naming %s)", c.args, code, stdout, stderr, c.want)
		}
	}
}
