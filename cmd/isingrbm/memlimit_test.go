package main

import (
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// TestTrainMemoryLimit: train bounds the Go runtime's memory with
// rbm.MemoryLimit of its estimate while it trains (nothing did, though
// rbm's estimates left the garbage to that limit: a 10,000-epoch run's
// checkpoints took 3.4 times the estimate), puts back the limit it found
// when it returns, and leaves the limit alone when GOMEMLIMIT is set.
func TestTrainMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "s.npy", "|u1", []int{200, 4, 4}, randomSpins(200, 16, 1))
	cfg, err := rbm.TrainRecipe("mehta-schwab")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs = 2
	want := rbm.MemoryLimit(rbm.EstimateTrainBytes(200, false, []int{16, 8}, cfg))
	old := beforeModelSave
	t.Cleanup(func() { beforeModelSave = old })
	var during int64
	beforeModelSave = func() { during = debug.SetMemoryLimit(-1) }
	before := debug.SetMemoryLimit(-1)
	for _, c := range []struct {
		env  string
		want int64
	}{{"", want}, {"1GiB", before}} {
		t.Setenv("GOMEMLIMIT", c.env)
		during = 0
		code, _, stderr := runCmd("train", "-data", data, "-layers", "8", "-epochs", "2", "-o", filepath.Join(dir, "m.npz"))
		if code != 0 {
			t.Fatalf("GOMEMLIMIT=%q: exit %d, %s", c.env, code, stderr)
		}
		if during != c.want {
			t.Errorf("GOMEMLIMIT=%q: memory limit %d while training, want %d", c.env, during, c.want)
		}
		if after := debug.SetMemoryLimit(-1); after != before {
			t.Errorf("GOMEMLIMIT=%q: memory limit %d after the command, want %d as before", c.env, after, before)
		}
	}
}

// TestReplicateMemoryLimit: replicate bounds the Go runtime's memory by
// rbm.MemoryLimit of the memory its stages are scheduled within
// (sysmem.Limit, here ISINGRBM_MAX_MEMORY) while it runs, puts back the
// limit it found, and leaves the limit alone when GOMEMLIMIT is set.
func TestReplicateMemoryLimit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	old := afterMemoryLimit
	t.Cleanup(func() { afterMemoryLimit = old })
	var during int64
	afterMemoryLimit = func() { during = debug.SetMemoryLimit(-1) }
	before := debug.SetMemoryLimit(-1)
	t.Setenv(sysmem.EnvMaxMemory, "3G")
	limit, _ := sysmem.Limit()
	if limit > 3<<30 {
		t.Fatalf("sysmem.Limit() = %v with %s=3G", limit, sysmem.EnvMaxMemory)
	}
	for _, c := range []struct {
		env  string
		want int64
	}{{"", rbm.MemoryLimit(limit)}, {"1GiB", before}} {
		t.Setenv("GOMEMLIMIT", c.env)
		during = 0
		if code, _, stderr := runCmd("replicate", "-quick", "-o", out); code != 0 {
			t.Fatalf("GOMEMLIMIT=%q: exit %d, %s", c.env, code, stderr)
		}
		if during != c.want {
			t.Errorf("GOMEMLIMIT=%q: memory limit %d while replicating, want %d", c.env, during, c.want)
		}
		if after := debug.SetMemoryLimit(-1); after != before {
			t.Errorf("GOMEMLIMIT=%q: memory limit %d after the command, want %d as before", c.env, after, before)
		}
	}
}
