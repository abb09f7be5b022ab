package rbm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	d := randomBinary(200, 12, 0.5, 1)
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs, cfg.SnapshotEvery, cfg.Batch = 4, 2, 20
	dbn, hist, err := TrainDBN(context.Background(), d, []int{12, 8, 5}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.npz")
	if err := dbn.Save(path, Meta{Config: &cfg, History: hist, Extra: map[string]any{"data": "x.npy"}}); err != nil {
		t.Fatal(err)
	}
	got, meta, err := LoadDBN(path)
	if err != nil {
		t.Fatal(err)
	}
	sameDBN(t, "loaded", dbn, got)
	if len(got.Snapshots) != 4 || got.Snapshots[1].Name() != "W0_epoch004" || got.Snapshots[1].BiasName() != "c0_epoch004" {
		t.Fatalf("snapshots %d, second %q", len(got.Snapshots), got.Snapshots[1].Name())
	}
	// The last snapshot of a layer is the trained layer: its W and c.
	for _, k := range []int{1, 3} {
		sn, l := got.Snapshots[k], got.Layers[got.Snapshots[k].Layer]
		if sn.Epoch != 4 || !reflect.DeepEqual(sn.W, l.W) || !reflect.DeepEqual(sn.C, l.C) {
			t.Errorf("snapshot %s (epoch %d): W or c differs from the trained layer's", sn.Name(), sn.Epoch)
		}
	}
	if sn := got.Snapshots[0]; len(sn.C) != 8 || reflect.DeepEqual(sn.C, got.Layers[0].C) {
		t.Errorf("snapshot %s: c %v, want 8 biases of epoch 2, not the final ones", sn.BiasName(), sn.C)
	}
	if !reflect.DeepEqual(meta.Sizes, []int{12, 8, 5}) || meta.Config.Epochs != 4 || meta.Kernels["f32"] == "" || meta.Program == "" {
		t.Errorf("meta %+v", meta)
	}
	sameHistory(t, "loaded", hist, meta.History)
	z, err := npy.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	if w := z.Arrays["W1"]; w == nil || w.Descr != "<f4" || !reflect.DeepEqual(w.Shape, []int{8, 5}) {
		t.Errorf("W1: %+v", w)
	}
	var raw map[string]any
	if err := json.Unmarshal(z.Files["meta.json"], &raw); err != nil {
		t.Fatal(err)
	}
}

// writeArrays writes an .npz at path with the float32 arrays of the given
// shapes, in the order of names (those absent from arrays are left out),
// each element of array n at index i being len(n) + i, and meta.json when
// meta is not empty.
func writeArrays(t *testing.T, path string, names []string, arrays map[string][]int, meta string) string {
	t.Helper()
	w, err := npy.CreateNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if s, ok := arrays[n]; ok {
			k := 1
			for _, x := range s {
				k *= x
			}
			data := make([]float32, k)
			for i := range data {
				data[i] = float32(len(n) + i)
			}
			if err := w.WriteFloat32(n, s, data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if meta != "" {
		if err := w.WriteFile("meta.json", []byte(meta)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSnapshotBiases reads model files with and without the snapshots'
// hidden biases (files written before 2026-12-04 have W only).
func TestSnapshotBiases(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, arrays map[string][]int) string {
		return writeArrays(t, filepath.Join(dir, name), []string{"W0", "b0", "c0", "W0_epoch002", "c0_epoch002", "c0_epoch004"}, arrays, "")
	}
	base := map[string][]int{"W0": {3, 2}, "b0": {3}, "c0": {2}, "W0_epoch002": {3, 2}}
	with := func(extra map[string][]int) map[string][]int {
		m := map[string][]int{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	d, _, err := LoadDBN(write("old.npz", base))
	if err != nil || len(d.Snapshots) != 1 || d.Snapshots[0].C != nil {
		t.Fatalf("W only: %v, %+v", err, d)
	}
	d, _, err = LoadDBN(write("new.npz", with(map[string][]int{"c0_epoch002": {2}})))
	if err != nil || len(d.Snapshots) != 1 || !reflect.DeepEqual(d.Snapshots[0].C, []float32{11, 12}) {
		t.Fatalf("W and c: %v, %+v", err, d)
	}
	for _, c := range []struct {
		name   string
		arrays map[string][]int
		want   string
	}{
		{"orphan.npz", with(map[string][]int{"c0_epoch004": {2}}), "1 bias snapshot(s) without their weights, the first c0_epoch004 (no W0_epoch004)"},
		{"shape.npz", with(map[string][]int{"c0_epoch002": {3}}), "c0_epoch002: shape [3], want (2,)"},
	} {
		_, _, err := LoadDBN(write(c.name, c.arrays))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestLoadShapeErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, arrays map[string][]int, meta string) string {
		return writeArrays(t, filepath.Join(dir, name), []string{"W0", "b0", "c0", "W1", "b1", "c1"}, arrays, meta)
	}
	for _, c := range []struct {
		name   string
		arrays map[string][]int
		meta   string
		want   string
	}{
		{"empty.npz", map[string][]int{}, "", "no array W0"},
		{"w1d.npz", map[string][]int{"W0": {6}, "b0": {6}, "c0": {1}}, "", "W0: shape [6]"},
		{"b.npz", map[string][]int{"W0": {6, 4}, "b0": {4}, "c0": {4}}, "", "b0: shape [4], want (6,)"},
		{"c.npz", map[string][]int{"W0": {6, 4}, "b0": {6}, "c0": {6}}, "", "c0: shape [6], want (4,)"},
		{"nob.npz", map[string][]int{"W0": {6, 4}, "c0": {4}}, "", "b0 or c0 missing"},
		{"chain.npz", map[string][]int{"W0": {6, 4}, "b0": {6}, "c0": {4}, "W1": {5, 2}, "b1": {5}, "c1": {2}}, "", "layer 1 has 5 visible units but layer 0 has 4"},
		{"meta.npz", map[string][]int{"W0": {6, 4}, "b0": {6}, "c0": {4}}, "{", "meta.json"},
	} {
		_, _, err := LoadDBN(write(c.name, c.arrays, c.meta))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.name, err, c.want)
		}
	}
	ok := write("ok.npz", map[string][]int{"W0": {6, 4}, "b0": {6}, "c0": {4}}, "")
	if d, _, err := LoadDBN(ok); err != nil || d.Layers[0].NVisible != 6 {
		t.Errorf("ok.npz: %v", err)
	}
}

func npyBytes(t *testing.T, descr string, shape []int, data []byte) *npy.Array {
	var buf bytes.Buffer
	if err := npy.Write(&buf, descr, shape, data); err != nil {
		t.Fatal(err)
	}
	a, err := npy.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDatasetFromArray(t *testing.T) {
	// (n, L, L) bytes.
	a := npyBytes(t, "|u1", []int{2, 2, 2}, []byte{1, 0, 0, 1, 1, 1, 0, 0})
	d, err := DatasetFromArray("x.npy", a)
	if err != nil || d.N != 2 || d.D != 4 || !d.Binary() || !bytes.Equal(d.X, []byte{1, 0, 0, 1, 1, 1, 0, 0}) {
		t.Fatalf("u1: %+v %v", d, err)
	}
	// float64 0/1 becomes bytes; floats in (0,1) become probabilities.
	f64 := func(v ...float64) []byte {
		var buf bytes.Buffer
		npy.WriteFloat64(&buf, []int{len(v)}, v)
		a, _ := npy.Read(&buf)
		return a.Data
	}
	d, err = DatasetFromArray("f.npy", &npy.Array{Descr: "<f8", Shape: []int{2, 2}, Data: f64(0, 1, 1, 0)})
	if err != nil || !d.Binary() || !bytes.Equal(d.X, []byte{0, 1, 1, 0}) {
		t.Fatalf("f8 binary: %+v %v", d, err)
	}
	d, err = DatasetFromArray("p.npy", &npy.Array{Descr: "<f8", Shape: []int{2, 2}, Data: f64(0, 0.25, 1, 0.5)})
	if err != nil || d.Binary() || !reflect.DeepEqual(d.P, []float32{0, 0.25, 1, 0.5}) {
		t.Fatalf("f8 probabilities: %+v %v", d, err)
	}
	// Fortran order (n, D): element (s, u) at s + n*u.
	d, err = DatasetFromArray("fo.npy", &npy.Array{Descr: "|u1", Shape: []int{2, 3}, Fortran: true, Data: []byte{1, 0, 0, 0, 1, 1}})
	if err != nil || !bytes.Equal(d.X, []byte{1, 0, 1, 0, 0, 1}) {
		t.Fatalf("fortran: %+v %v", d, err)
	}
	for _, c := range []struct {
		a    *npy.Array
		want string
	}{
		{&npy.Array{Descr: "|u1", Shape: []int{2}, Data: []byte{0, 1}}, "shape [2]"},
		{&npy.Array{Descr: "|u1", Shape: []int{1, 2}, Data: []byte{0, 2}}, "is 2"},
		{&npy.Array{Descr: "<i8", Shape: []int{1, 1}, Data: make([]byte, 8)}, "dtype <i8"},
		{&npy.Array{Descr: "<f8", Shape: []int{1, 2}, Data: f64(0, 1.5)}, "is 1.5"},
		{&npy.Array{Descr: "|u1", Shape: []int{2, 2}, Data: []byte{0}}, "data bytes"},
	} {
		if _, err := DatasetFromArray("bad.npy", c.a); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.npy") {
			t.Errorf("%+v: error %v, want one containing %q", c.a.Shape, err, c.want)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	d := randomBinary(20, 4, 0.5, 1)
	cfg, _ := Preset("sklearn")
	if _, _, err := TrainDBN(context.Background(), d, []int{5, 2}, cfg, nil); err == nil {
		t.Error("sizes not matching the data: no error")
	}
	cfg.Batch = 0
	if _, _, err := TrainDBN(context.Background(), d, []int{4, 2}, cfg, nil); err == nil {
		t.Error("batch 0: no error")
	}
	if _, err := Preset("nope"); err == nil {
		t.Error("unknown preset: no error")
	}
	if _, _, err := ResumeDBN(context.Background(), filepath.Join(t.TempDir(), "none.npz"), d, nil); err == nil {
		t.Error("missing checkpoint: no error")
	}
	_ = os.ErrNotExist
}

// The mini-batch step allocates nothing, also at batch 10 with products
// large enough to be split across the workspace's two threads, along k
// (f32's kSplit: 1600 visible units).
func TestStepNoAlloc(t *testing.T) {
	for _, c := range []struct {
		pcd, flip            bool
		nv, nh, batch, iters int
	}{
		{false, false, 64, 32, 50, 20}, {true, false, 64, 32, 50, 20}, {true, true, 64, 32, 50, 20}, {false, true, 64, 32, 50, 20},
		{false, false, 1600, 200, 10, 5},
	} {
		r := randomRBM(c.nv, c.nh, 0.1, 1)
		d := randomBinary(100, c.nv, 0.5, 2)
		cfg, _ := Preset("mehta-schwab")
		cfg.Batch, cfg.PCD, cfg.FlipMove, cfg.CDK = c.batch, c.pcd, c.flip, 2
		lt := newTestTrainer(r, d, cfg)
		idx := make([]int, c.batch)
		for i := range idx {
			idx[i] = i
		}
		rnd := newRandForTest()
		if n := testing.AllocsPerRun(c.iters, func() { lt.step(nil, idx, rnd, lt.cfg.LR, 0.5) }); n != 0 {
			t.Errorf("%d -> %d, batch %d, pcd=%v flip=%v: %v allocations per mini-batch", c.nv, c.nh, c.batch, c.pcd, c.flip, n)
		}
	}
}

// TestCheckpointHold: every checkpoint (periodic, between layers, on
// cancellation) is written inside the hold of WithCheckpointHold, with
// about its size; the checkpoint file is complete when the hold is
// released.
func TestCheckpointHold(t *testing.T) {
	d := randomBinary(120, 16, 0.4, 3)
	cfg, _ := Preset("sklearn")
	cfg.Epochs, cfg.Batch, cfg.CheckpointEvery, cfg.SnapshotEvery = 3, 20, 1, 1
	cfg.CheckpointPath = filepath.Join(t.TempDir(), "c.ckpt")
	var holds, releases int
	hold := func(bytes float64) func() {
		holds++
		before, _ := os.Stat(cfg.CheckpointPath)
		return func() {
			releases++
			after, err := os.Stat(cfg.CheckpointPath)
			if err != nil {
				t.Fatalf("hold %d released without a checkpoint: %v", holds, err)
			}
			if before != nil && os.SameFile(before, after) {
				t.Errorf("hold %d: the checkpoint was not replaced inside the hold", holds)
			}
			if _, err := ReadCheckpointMeta(cfg.CheckpointPath); err != nil {
				t.Errorf("hold %d: %v", holds, err)
			}
			// The arrays; the headers and meta.json add a few KiB.
			if size := float64(after.Size()); bytes > size || bytes < size-16<<10 {
				t.Errorf("hold %d: %.0f bytes announced for a checkpoint of %.0f", holds, bytes, size)
			}
		}
	}
	ctx := WithCheckpointHold(context.Background(), hold)
	// Epochs 1 and 2 of both layers, and between them.
	if _, _, err := TrainDBN(ctx, d, []int{16, 8, 4}, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if holds != 5 || releases != 5 {
		t.Errorf("%d holds and %d releases, want 5 checkpoints", holds, releases)
	}
	// Cancelled: the checkpoint of the interruption is held too.
	holds, releases = 0, 0
	cfg.CheckpointEvery = 0
	cctx, cancel := context.WithCancel(ctx)
	_, _, err := TrainDBN(cctx, d, []int{16, 8, 4}, cfg, func(ProgressInfo) { cancel() })
	if err == nil || holds != 1 || releases != 1 {
		t.Errorf("cancelled run: %v, %d holds, %d releases; want one checkpoint", err, holds, releases)
	}
}

// editCheckpointMeta copies the checkpoint src to dst with edit applied
// to its meta.json (decoded as JSON objects).
func editCheckpointMeta(t *testing.T, src, dst string, edit func(m map[string]any)) {
	t.Helper()
	members, b := readMembers(t, src)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeMembers(t, dst, members, b)
}

// TestConfigFields: every setting of ConfigParams names, in a
// checkpoint's messages, JSON fields of Config (configFields where the
// names differ), and configFields lists only settings.
func TestConfigFields(t *testing.T) {
	tags := map[string]bool{}
	ct := reflect.TypeFor[Config]()
	for i := 0; i < ct.NumField(); i++ {
		tags[strings.Split(ct.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	names := map[string]bool{}
	for _, p := range ConfigParams() {
		names[p.Name] = true
		field, ok := configFields[p.Name]
		if !ok {
			field = p.Name
		}
		for _, f := range strings.Split(field, ", ") {
			if !tags[f] {
				t.Errorf("-%s: %q is not a JSON field of Config", p.Name, f)
			}
		}
	}
	for name := range configFields {
		if !names[name] {
			t.Errorf("configFields[%q]: no such setting", name)
		}
	}
}

// TestCheckpointMetaLimits: every field of a checkpoint's meta.json that a
// resumed run uses is checked with the limits of train's flags and against
// the rest (the position against the epochs and layers, the history
// against the position), and the error names the file and the field.
func TestCheckpointMetaLimits(t *testing.T) {
	dir := t.TempDir()
	d := randomBinary(60, 16, 0.4, 2)
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs, cfg.Batch, cfg.CheckpointEvery = 4, 20, 1
	cfg.CheckpointPath = filepath.Join(dir, "orig.ckpt")
	stop, cancel := context.WithCancel(context.Background())
	TrainDBN(stop, d, []int{16, 8, 4}, cfg, func(p ProgressInfo) {
		if p.Epoch == 2 {
			cancel()
		}
	})
	if _, err := ReadCheckpointMeta(cfg.CheckpointPath); err != nil {
		t.Fatalf("the unedited checkpoint: %v", err)
	}
	set := func(path string, v any) func(m map[string]any) {
		return func(m map[string]any) {
			keys := strings.Split(path, ".")
			o := m
			for _, k := range keys[:len(keys)-1] {
				o = o[k].(map[string]any)
			}
			o[keys[len(keys)-1]] = v
		}
	}
	for _, c := range []struct {
		path string
		v    any
		want string
	}{
		{"checkpoint.epoch", 5000, "checkpoint.epoch 5000, want 0..4"},
		{"checkpoint.epoch", -1, "checkpoint.epoch -1"},
		{"checkpoint.layer", 7, "checkpoint.layer 7, want 0..1"},
		{"checkpoint.layer", -1, "checkpoint.layer -1"},
		{"checkpoint.layer", 1, "history: 2 epochs of layer 0, want 4"},
		{"checkpoint.data_n", 0, "checkpoint.data_n 0"},
		{"checkpoint.data_d", 15, "checkpoint.data_d 15"},
		{"checkpoint.data_hash", "xyz", "checkpoint.data_hash"},
		{"config.epochs", 1e15, "config.epochs: -epochs 1000000000000000: want 0..1000000"},
		{"config.epochs", 1, "checkpoint.epoch 2, want 0..1"},
		{"config.cd_k", 1e12, "config.cd_k: -cd 1000000000000: want 1..100000"},
		{"config.threads", 100000, "config.threads: -threads 100000: want 0..4096"},
		{"config.batch", 0, "config.batch: -batch 0"},
		{"config.learning_rate", 0, "config.learning_rate: -lr 0"},
		{"config.momentum_final", 1.5, "config.momentum_initial, momentum_final: -momentum"},
		{"config.validation_fraction", 1, "config.validation_fraction"},
		{"config.snapshot_every", 1e9, "config.snapshot_every: -snapshot-every 1000000000"},
		{"config.monitor_rows", -1, "config.monitor_rows"},
		{"sizes", []int{16, 8, 0}, "sizes [16 8 0]: hidden layer of 0 units"},
		{"sizes", []int{16, 8, 1 << 21}, "hidden layer of 2097152 units"},
		{"sizes", make([]int, MaxLayers+2), "hidden layers, want at most"},
	} {
		p := filepath.Join(dir, "edited.ckpt")
		editCheckpointMeta(t, cfg.CheckpointPath, p, set(c.path, c.v))
		_, err := ReadCheckpointMeta(p)
		if err == nil || !strings.HasPrefix(err.Error(), p+": meta.json: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s = %v: %v; want %q", c.path, c.v, err, c.want)
		}
		if _, err := readCheckpoint(p); err == nil {
			t.Errorf("%s = %v: readCheckpoint accepted it", c.path, c.v)
		}
	}
	// The config is checked once, by Validate: a setting out of its flag's
	// bounds is refused with Validate's message after the JSON field it is
	// read from, the checkpointing's own checks after "config:".
	ckpt, err := ReadCheckpointMeta(cfg.CheckpointPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		set   func(c *Config)
	}{
		{"epochs", func(c *Config) { c.Epochs = MaxEpochs + 1 }},
		{"batch", func(c *Config) { c.Batch = 0 }},
		{"learning_rate", func(c *Config) { c.LR = 11 }},
		{"momentum_initial, momentum_final", func(c *Config) { c.MomentumFinal = 1 }},
		{"momentum_initial, momentum_final", func(c *Config) { c.MomentumInitial = 1e-40 }},
		{"momentum_switch_epoch", func(c *Config) { c.MomentumSwitch = -1 }},
		{"l1", func(c *Config) { c.L1 = 2 }},
		{"l2", func(c *Config) { c.L2 = 1e-40 }},
		{"cd_k", func(c *Config) { c.CDK = 0 }},
		{"init_sigma", func(c *Config) { c.InitSigma = 1e30 }},
		{"validation_fraction", func(c *Config) { c.ValidationFraction = 1 }},
		{"monitor_rows", func(c *Config) { c.MonitorRows = -1 }},
		{"snapshot_every", func(c *Config) { c.SnapshotEvery = MaxEpochs + 1 }},
		{"threads", func(c *Config) { c.Threads = MaxThreads + 1 }},
		{"", func(c *Config) { c.CheckpointEvery = -1 }},
	} {
		bad := *ckpt.Config
		c.set(&bad)
		p := filepath.Join(dir, "edited.ckpt")
		editCheckpointMeta(t, cfg.CheckpointPath, p, func(m map[string]any) { m["config"] = bad })
		want := p + ": meta.json: config." + c.field + ": "
		if c.field == "" {
			want = p + ": meta.json: config: "
		}
		verr := bad.Validate()
		_, err := ReadCheckpointMeta(p)
		if verr == nil || err == nil || err.Error() != want+verr.Error() {
			t.Errorf("config.%s: %v; want %q and Validate's %v", c.field, err, want, verr)
		}
	}
}

// TestModelReadLimit: model files are read up to the memory this process
// may plan for (modelNPZ), not npy's fixed default, which had refused
// models and checkpoints that train writes, and with no floor above it
// (one of 256 MiB had let eval read such a model whole under a 64 MiB
// ISINGRBM_MAX_MEMORY); the limit still holds.
func TestModelReadLimit(t *testing.T) {
	dbn := &DBN{Layers: []*RBM{randomRBM(100, 200, 0.1, 1)}} // 80 KB of weights
	path := filepath.Join(t.TempDir(), "model.npz")
	if err := dbn.Save(path, Meta{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(sysmem.EnvMaxMemory, "32K")
	if _, _, err := LoadDBN(path); !errors.Is(err, npy.ErrNPZLimit) {
		t.Fatalf("with %s=32K: error %v, want one wrapping npy.ErrNPZLimit", sysmem.EnvMaxMemory, err)
	}
	t.Setenv(sysmem.EnvMaxMemory, "1M")
	got, _, err := LoadDBN(path)
	if err != nil {
		t.Fatalf("with %s=1M: %v", sysmem.EnvMaxMemory, err)
	}
	sameDBN(t, "loaded", dbn, got)
}
