package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// TestRecipeFlags: the recipe flags registered from rbm.ConfigParams reach
// the model file's recipe (bool flags with and without a value, choices,
// lists), and -h lists every one of them.
func TestRecipeFlags(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{40, 4, 4}, randomSpins(40, 16, 3))
	out := filepath.Join(dir, "m.npz")
	code, _, stderr := runCmd("train", "-data", data, "-layers", "3", "-epochs", "2", "-batch", "10", "-pcd", "-shuffle=false",
		"-l1-mode", "proximal", "-momentum", "0.3", "-seed", "7", "-next-layer", "samples", "-lr", "0.05", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, meta, err := rbm.LoadDBN(out)
	if err != nil {
		t.Fatal(err)
	}
	c := meta.Config
	if c.Epochs != 2 || c.Batch != 10 || !c.PCD || c.Shuffle || !c.L1Proximal || c.MomentumInitial != 0.3 || c.MomentumFinal != 0.3 ||
		c.Seed != 7 || !c.NextLayerSamples || c.LR != 0.05 || c.L1 != 2e-4 || c.Preset != "mehta-schwab" {
		t.Errorf("recipe %+v", *c)
	}
	_, _, help := runCmd("train", "-h")
	for _, p := range rbm.ConfigParams() {
		if !strings.Contains(help, "-"+p.Name+" ") && !strings.Contains(help, "-"+p.Name+"\n") {
			t.Errorf("-h does not list -%s", p.Name)
		}
	}
	if !strings.Contains(help, "(default 0.5,0.9)") || !strings.Contains(help, "(default 200)") {
		t.Errorf("-h does not show the preset's defaults:\n%s", help)
	}
}
