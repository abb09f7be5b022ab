package rbm

import (
	"context"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the bytes f allocates on the heap (TotalAlloc).
func allocated(f func()) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc - before.TotalAlloc)
}

// TestLoadDBNLayers: LoadDBNLayers reads the layers and meta.json that
// LoadDBN reads, and allocates nothing of the snapshots: eval read all of
// a model's snapshots (461 MiB for 150 of them, against an estimate of 100
// MiB that counts the layers). LoadDBNFlag, eval's loader, reads none.
func TestLoadDBNLayers(t *testing.T) {
	const nv, nh, snaps = 256, 64, 150
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs, cfg.SnapshotEvery = snaps, 1
	d := &DBN{Layers: []*RBM{NewRBM(nv, nh)}}
	for k := range d.Layers[0].W {
		d.Layers[0].W[k] = float32(k%7) / 100
	}
	for e := 1; e <= snaps; e++ {
		w := make([]float32, nv*nh)
		c := make([]float32, nh)
		for k := range w {
			w[k] = float32(e + k)
		}
		d.Snapshots = append(d.Snapshots, Snapshot{Layer: 0, Epoch: e, W: w, C: c})
	}
	path := filepath.Join(t.TempDir(), "model.npz")
	if err := d.Save(path, Meta{Config: &cfg, Extra: map[string]any{"data": "x.npy"}}); err != nil {
		t.Fatal(err)
	}
	var all, layers *DBN
	var metaAll, metaLayers Meta
	var errAll, errLayers error
	allBytes := allocated(func() { all, metaAll, errAll = LoadDBN(path) })
	layerBytes := allocated(func() { layers, metaLayers, errLayers = LoadDBNLayers(path) })
	if errAll != nil || errLayers != nil {
		t.Fatalf("LoadDBN: %v; LoadDBNLayers: %v", errAll, errLayers)
	}
	if len(all.Snapshots) != snaps || layers.Snapshots != nil {
		t.Fatalf("%d and %d snapshots, want %d and none", len(all.Snapshots), len(layers.Snapshots), snaps)
	}
	if !reflect.DeepEqual(all.Layers, layers.Layers) || !reflect.DeepEqual(d.Layers, layers.Layers) {
		t.Errorf("LoadDBNLayers's layers differ from LoadDBN's or the saved ones")
	}
	if !reflect.DeepEqual(metaAll, metaLayers) {
		t.Errorf("meta %+v, LoadDBN's %+v", metaLayers, metaAll)
	}
	snapBytes := SnapshotBytes([]int{nv, nh}, cfg)
	held := 0.0
	for _, sn := range all.Snapshots {
		held += float64(4 * (len(sn.W) + len(sn.C)))
	}
	if snapBytes != held {
		t.Errorf("SnapshotBytes %g, LoadDBN holds %g bytes of snapshots", snapBytes, held)
	}
	t.Logf("LoadDBN allocates %.0f KiB, LoadDBNLayers %.0f KiB; snapshots %.0f KiB", allBytes/1024, layerBytes/1024, snapBytes/1024)
	if allBytes < snapBytes || layerBytes > snapBytes/10 {
		t.Errorf("LoadDBN allocates %.0f bytes, LoadDBNLayers %.0f; want at least the %.0f of the snapshots and a tenth of them at most (the archive's directory)",
			allBytes, layerBytes, snapBytes)
	}
	got, err := LoadDBNFlag("model", path)
	if err != nil || got.Snapshots != nil || !reflect.DeepEqual(got.Layers, all.Layers) {
		t.Errorf("LoadDBNFlag: %v, %d snapshots, want the layers and none", err, len(got.Snapshots))
	}
}

// TestLoadDBNLayersNames: LoadDBNLayers refuses the snapshot members that
// LoadDBN refuses by their names, with its messages, without reading them.
func TestLoadDBNLayersNames(t *testing.T) {
	dir := t.TempDir()
	names := []string{"W0", "b0", "c0", "W0_epoch002", "c0_epoch002", "c0_epoch004", "W3_epoch002"}
	base := map[string][]int{"W0": {3, 2}, "b0": {3}, "c0": {2}, "W0_epoch002": {3, 2}, "c0_epoch002": {2}}
	with := func(k string, shape []int) map[string][]int {
		m := map[string][]int{k: shape}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name   string
		arrays map[string][]int
		want   string
	}{
		{"orphan.npz", with("c0_epoch004", []int{2}), "1 bias snapshot(s) without their weights, the first c0_epoch004 (no W0_epoch004)"},
		{"layer.npz", with("W3_epoch002", []int{3, 2}), "snapshot W3_epoch002 of a layer the model does not have"},
	} {
		path := writeArrays(t, filepath.Join(dir, c.name), names, c.arrays, "")
		for _, load := range []func(string) (*DBN, Meta, error){LoadDBN, LoadDBNLayers} {
			if _, _, err := load(path); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
			}
		}
	}
	ok := writeArrays(t, filepath.Join(dir, "ok.npz"), names, base, "")
	a, _, err1 := LoadDBN(ok)
	b, _, err2 := LoadDBNLayers(ok)
	if err1 != nil || err2 != nil || len(a.Snapshots) != 1 || b.Snapshots != nil || !reflect.DeepEqual(a.Layers, b.Layers) {
		t.Errorf("ok.npz: %v, %v", err1, err2)
	}
}

// TestSnapshotBytes: SnapshotBytes is what training keeps of the
// snapshots, and EstimateTrainBytes counts it.
func TestSnapshotBytes(t *testing.T) {
	d := randomBinary(100, 12, 0.5, 3)
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs, cfg.SnapshotEvery, cfg.Batch = 7, 2, 20 // 3 snapshots a layer
	sizes := []int{12, 8, 5}
	dbn, _, err := TrainDBN(context.Background(), d, sizes, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	held := 0.0
	for _, sn := range dbn.Snapshots {
		held += float64(4 * (len(sn.W) + len(sn.C)))
	}
	if got := SnapshotBytes(sizes, cfg); len(dbn.Snapshots) != 6 || got != held {
		t.Errorf("SnapshotBytes %g, training kept %d snapshots of %g bytes", got, len(dbn.Snapshots), held)
	}
	none := cfg
	none.SnapshotEvery = 0
	if SnapshotBytes(sizes, none) != 0 {
		t.Errorf("SnapshotBytes without snapshots: %g", SnapshotBytes(sizes, none))
	}
	if diff := EstimateTrainBytes(100, false, sizes, cfg) - EstimateTrainBytes(100, false, sizes, none); diff != held {
		t.Errorf("EstimateTrainBytes counts %g bytes for the snapshots, want %g", diff, held)
	}
}
