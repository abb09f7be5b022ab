package rbm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/stats"
)

// TestModelManyMembers: a run with -snapshot-every 1 and more than 2048
// epochs writes a checkpoint and a model of more than npy's default 4096
// members, which train -resume and eval must read (they refused them:
// "4204 members, more than 4096"); the writer and the reader of model
// files share the bound maxModelMembers, which covers what train can write.
func TestModelManyMembers(t *testing.T) {
	const epochs = 2100 // 2 x 2100 snapshot members, more than 4096
	if want := 3*MaxLayers + 2*MaxHistoryEpochs + 7 + 1; maxModelMembers < want {
		t.Fatalf("maxModelMembers %d, less than the %d train can write", maxModelMembers, want)
	}
	d := randomBinary(8, 3, 0.5, 41)
	cfg, _ := Preset("sklearn")
	cfg.Epochs, cfg.Batch, cfg.SnapshotEvery, cfg.MonitorRows = epochs, 8, 1, 8
	cfg.CheckpointPath = filepath.Join(t.TempDir(), "c.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, err := TrainDBN(ctx, d, []int{3, 1}, cfg, func(p ProgressInfo) {
		if p.Epoch == epochs-10 {
			cancel() // the checkpoint of the interruption: 2 x 2089 snapshot members
		}
	})
	if _, serr := os.Stat(cfg.CheckpointPath); err == nil || serr != nil {
		t.Fatalf("cancelled run: %v, and no checkpoint (%v)", err, serr)
	}
	z, err := npy.OpenNPZWith(cfg.CheckpointPath, npy.NPZOptions{MaxMembers: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n := len(z.Names())
	z.Close()
	if n <= npy.DefaultNPZMaxMembers {
		t.Fatalf("checkpoint of %d members, want more than %d", n, npy.DefaultNPZMaxMembers)
	}
	if _, err := ReadCheckpointMeta(cfg.CheckpointPath); err != nil {
		t.Fatalf("checkpoint of %d members: %v", n, err)
	}
	dbn, _, err := ResumeDBN(context.Background(), cfg.CheckpointPath, d, nil)
	if err != nil {
		t.Fatalf("resuming a checkpoint of %d members: %v", n, err)
	}
	path := filepath.Join(t.TempDir(), "model.npz")
	if err := dbn.Save(path, Meta{Config: &cfg}); err != nil {
		t.Fatal(err)
	}
	got, _, err := LoadDBN(path)
	if err != nil {
		t.Fatalf("model of %d snapshots: %v", len(dbn.Snapshots), err)
	}
	if len(got.Snapshots) != epochs {
		t.Errorf("%d snapshots read back, want %d", len(got.Snapshots), epochs)
	}
	sameDBN(t, "loaded", dbn, got)
}

// TestMetaRefusedBeforeInflating: a meta.json larger than maxMetaBytes is
// refused by the size its zip entry declares, before it is inflated (it
// was inflated into a doubling buffer first: an 816 KB file took 2.1 GB),
// and one whose entry declares less than it holds is not read past that.
func TestMetaRefusedBeforeInflating(t *testing.T) {
	dir := t.TempDir()
	var model bytes.Buffer
	zw := zip.NewWriter(&model)
	dbn := &DBN{Layers: []*RBM{randomRBM(4, 2, 0.1, 1)}}
	src := filepath.Join(dir, "src.npz")
	if err := dbn.Save(src, Meta{}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "meta.json" {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "meta.json", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`{"sizes": [4, 2]`))
	w.Write(bytes.Repeat([]byte(" "), maxMetaBytes+1))
	w.Write([]byte("}"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bomb.npz")
	if err := os.WriteFile(path, model.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, _, err = LoadDBN(path)
	runtime.ReadMemStats(&m1)
	if !errors.Is(err, npy.ErrNPZLimit) || !strings.Contains(err.Error(), "meta.json") {
		t.Errorf("meta.json of %d bytes: error %v, want one about meta.json wrapping npy.ErrNPZLimit", maxMetaBytes+18, err)
	}
	if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 4<<20 {
		t.Errorf("refusing a %d-byte meta.json allocated %d bytes, want it refused before it is inflated", maxMetaBytes+18, alloc)
	}
}

// TestEpochJSONBound: one epoch's record adds at most maxEpochJSON bytes to
// meta.json, every measure at its longest (so maxMetaBytes holds the
// history of MaxHistoryEpochs epochs), and a training whose history would
// exceed MaxHistoryEpochs is refused before it starts, by train's check
// and by TrainDBN, naming -epochs.
func TestEpochJSONBound(t *testing.T) {
	long := stats.Num(-1.2345678901234567e-308)
	e := EpochStats{Layer: MaxLayers - 1, Epoch: MaxEpochs, Seconds: long, FlipAccept: &long}
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Type() == reflect.TypeOf(long) {
			f.Set(reflect.ValueOf(long))
		}
	}
	size := func(n int) int {
		m := Meta{History: &History{Layers: [][]EpochStats{make([]EpochStats, n)}}}
		for i := range m.History.Layers[0] {
			m.History.Layers[0][i] = e
		}
		js, err := json.MarshalIndent(m, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return len(js)
	}
	per := (size(101) - size(1)) / 100
	t.Logf("one epoch at its longest: %d bytes of meta.json (bound %d)", per, maxEpochJSON)
	if per > maxEpochJSON || per < maxEpochJSON/2 {
		t.Errorf("an epoch's record takes %d bytes, want at most maxEpochJSON = %d (and the bound not twice too large)", per, maxEpochJSON)
	}
	if maxMetaBytes < MaxHistoryEpochs*per {
		t.Errorf("maxMetaBytes %d does not hold %d epochs of %d bytes", maxMetaBytes, MaxHistoryEpochs, per)
	}

	if err := CheckHistoryEpochs(MaxHistoryEpochs/3, 3); err != nil {
		t.Errorf("%d epochs x 3 layers: %v", MaxHistoryEpochs/3, err)
	}
	err := CheckHistoryEpochs(MaxHistoryEpochs/3+1, 3)
	if err == nil || !strings.Contains(err.Error(), "-epochs 33334 with 3 layers") || !strings.Contains(err.Error(), "at most 33333 epochs per layer") {
		t.Errorf("one epoch too many: %v", err)
	}
	d := randomBinary(8, 3, 0.5, 41)
	cfg, _ := Preset("sklearn")
	cfg.Epochs, cfg.Batch = MaxHistoryEpochs/2+1, 8
	if _, _, err := TrainDBN(context.Background(), d, []int{3, 2, 1}, cfg, nil); err == nil || !strings.Contains(err.Error(), "-epochs") {
		t.Errorf("TrainDBN of %d epochs x 2 layers: %v, want the history refused", cfg.Epochs, err)
	}
}
