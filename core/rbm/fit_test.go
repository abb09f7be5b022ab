package rbm

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestFitStopAndResume: a run stopped after StopAfter epochs and resumed
// with Fit gives the uninterrupted model, and Progress counts each run's
// own epochs up to its total.
func TestFitStopAndResume(t *testing.T) {
	d := randomBinary(60, 16, 0.5, 3)
	cfg, _ := Preset("mehta-schwab")
	cfg.Batch, cfg.Epochs, cfg.Seed, cfg.CheckpointEvery = 20, 3, 9, 1
	sizes := []int{16, 6, 3}
	cfg.CheckpointPath = filepath.Join(t.TempDir(), "full.ckpt")
	full, _, err := Fit(context.Background(), d, sizes, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.CheckpointPath = filepath.Join(t.TempDir(), "part.ckpt")
	var last, lastTotal int64
	progress := func(done, total int64, _ ProgressInfo) {
		if done != last+1 {
			t.Errorf("progress %d after %d", done, last)
		}
		last, lastTotal = done, total
	}
	if _, _, err := Fit(context.Background(), d, sizes, cfg, FitOptions{StopAfter: 4, Progress: progress}); !errors.Is(err, ErrStopped) {
		t.Fatalf("stop: %v", err)
	}
	if last != 4 || lastTotal != 6 {
		t.Errorf("stopped run: %d of %d epochs", last, lastTotal)
	}
	meta, err := ReadCheckpointMeta(cfg.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	last = 0
	got, _, err := Fit(context.Background(), d, sizes, cfg, FitOptions{Resume: &meta, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if last != lastTotal || lastTotal != 2 {
		t.Errorf("resumed run: %d of %d epochs, want 2 of 2", last, lastTotal)
	}
	sameDBN(t, "fit", full, got)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Fit(ctx, d, sizes, cfg, FitOptions{StopAfter: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
