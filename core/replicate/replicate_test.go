package replicate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
)

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
func tinySettings() Settings {
	s := QuickSettings()
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
