package rbm

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/param"
)

// writeData writes n random binary samples of d units to dir/name as a
// (n, d) |u1 .npy file and returns its path.
func writeData(t *testing.T, dir, name string, n, d int, seed uint64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	x := randomBinary(n, d, 0.5, seed).X
	if err := npy.WriteFileAtomic(p, func(w io.Writer) error { return npy.Write(w, "|u1", []int{n, d}, x) }); err != nil {
		t.Fatal(err)
	}
	return p
}

// withFlags sets j.Flags to a flag set, parsed from args, holding what
// train registers that Plan and ReadData read: -layers, -preset and the
// recipe flags.
func withFlags(t *testing.T, j TrainJob, args ...string) TrainJob {
	t.Helper()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&j.Layers, "layers", j.Layers, "")
	fs.StringVar(&j.Preset, "preset", j.Preset, "")
	param.AddFlags(fs, ConfigParams(), nil)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	j.Flags = fs
	return j
}

func TestTrainJobPlan(t *testing.T) {
	dir := t.TempDir()
	base := TrainJob{Layers: "6,3", Preset: "sklearn", Out: filepath.Join(dir, "m.npz"), CheckpointEvery: 2}
	j := withFlags(t, base, "-lr", "0.05", "-epochs", "3")
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Preset("sklearn")
	want.Seed, want.LR, want.Epochs = 1, 0.05, 3
	want.CheckpointPath, want.CheckpointEvery = filepath.Join(dir, "m.npz.ckpt"), 2
	if !reflect.DeepEqual(p.Config, want) || !reflect.DeepEqual(p.Hidden, []int{6, 3}) || p.Resume != nil {
		t.Errorf("plan %+v, want config %+v and hidden [6 3]", p, want)
	}
	// Without a flag set the preset is used as it is.
	j = base
	j.Checkpoint = filepath.Join(dir, "c.ckpt")
	if p, err = j.Plan(); err != nil || p.Config.LR != 0.1 || p.Config.Seed != 1 || p.Config.CheckpointPath != j.Checkpoint {
		t.Errorf("no flags: %+v, %v", p.Config, err)
	}
}

func TestTrainJobPlanErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.npz")
	notCkpt := filepath.Join(dir, "model.npz")
	if err := tinyDBN([]int{4, 2}, 0.1, 1).Save(notCkpt, Meta{}); err != nil {
		t.Fatal(err)
	}
	base := TrainJob{Layers: "6,3", Preset: "mehta-schwab", Out: out}
	for _, c := range []struct {
		name string
		edit func(j *TrainJob)
		args []string
		want string // the whole message
	}{
		{"checkpoint-every", func(j *TrainJob) { j.CheckpointEvery = -1 }, nil, "-checkpoint-every -1: want >= 0 (0: only when interrupted)"},
		{"stop-after", func(j *TrainJob) { j.StopAfter = -2 }, nil, "-stop-after -2: want >= 0 (0: run to the end)"},
		{"no output", func(j *TrainJob) { j.Out = "" }, nil, "-o: want an output file name"},
		{"no folder", func(j *TrainJob) { j.Out = filepath.Join(dir, "no", "m.npz") }, nil, "-o: " + filepath.Join(dir, "no", "m.npz") + ": directory "},
		{"output folder", func(j *TrainJob) { j.Out = dir }, nil, "-o: "},
		{"checkpoint = output", func(j *TrainJob) { j.Checkpoint = out }, nil, "-checkpoint " + out + ": the same file as the model output -o; want another name"},
		{"checkpoint = timings", func(j *TrainJob) { j.Checkpoint = out + TimingsSuffix }, nil, "-checkpoint " + out + TimingsSuffix + ": the same file as the model output -o; want another name"},
		{"layers", nil, []string{"-layers", "4,,2"}, "-layers"},
		{"preset", nil, []string{"-preset", "nonesuch"}, `-preset nonesuch: unknown preset "nonesuch", want one of [mehta-schwab mehta-schwab-centered mehta-schwab-centered-running mehta-schwab-flip mehta-schwab-pcd mehta-schwab-small-init sklearn weight-decay weight-decay-centered weight-decay-pcd]`},
		{"recipe", nil, []string{"-lr", "-1"}, "-lr -1"},
		{"resume missing", func(j *TrainJob) { j.Resume = true }, nil, "-resume: no checkpoint at " + out + ".ckpt"},
		{"resume model", func(j *TrainJob) { j.Resume, j.Checkpoint = true, notCkpt }, nil, "-resume: " + notCkpt + ": not a checkpoint"},
	} {
		j := base
		if c.edit != nil {
			c.edit(&j)
		}
		j = withFlags(t, j, c.args...)
		p, err := j.Plan()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: plan %+v, error %v; want %q", c.name, p, err, c.want)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("a refused plan left files: %v", ents)
	}
	// -replace does not reach the checkpoint, and its message does not
	// say it would.
	link := filepath.Join(t.TempDir(), "c.ckpt")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	j := withFlags(t, base)
	j.Checkpoint, j.Replace = link, true
	want := "-checkpoint: " + link + ": exists and is a symbolic link"
	if _, err := j.Plan(); err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "-replace") {
		t.Errorf("a symlink as -checkpoint with -replace: %v; want %q... and no -replace hint", err, want)
	}
}

// stoppedRun trains a (16, 6, 3) DBN on dir/d.npy with the sklearn preset
// for one epoch, leaving the checkpoint of the job it returns.
func stoppedRun(t *testing.T, dir string) TrainJob {
	t.Helper()
	j := TrainJob{Data: writeData(t, dir, "d.npy", 40, 16, 7), Layers: "6,3", Preset: "sklearn", Out: filepath.Join(dir, "m.npz"), CheckpointEvery: 1}
	j = withFlags(t, j, "-epochs", "3", "-seed", "5")
	p, data, sizes := planAndRead(t, j)
	if _, _, err := Fit(context.Background(), data.Set, sizes, p.Config, FitOptions{StopAfter: 1}); !errors.Is(err, ErrStopped) {
		t.Fatalf("stop: %v", err)
	}
	return j
}

func TestTrainJobResume(t *testing.T) {
	dir := t.TempDir()
	first := stoppedRun(t, dir)
	base := first
	base.Resume, base.CheckpointEvery, base.Layers, base.Preset = true, 4, "400,100,25", "mehta-schwab"
	// Defaults not given do not count; the checkpoint interval may change.
	j := withFlags(t, base)
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.Resume == nil || p.Resume.Checkpoint.Epoch != 1 || !reflect.DeepEqual(p.Hidden, []int{6, 3}) ||
		p.Config.Epochs != 3 || p.Config.Seed != 5 || p.Config.CheckpointEvery != 4 || p.Config.CheckpointPath != first.Out+".ckpt" {
		t.Errorf("resume plan %+v", p)
	}
	// The same flags as the first run are accepted.
	same := withFlags(t, base, "-preset", "sklearn", "-layers", "6,3", "-epochs", "3", "-seed", "5")
	if _, err := same.Plan(); err != nil {
		t.Errorf("same flags: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-lr", "0.05"}, "-resume: the checkpoint " + first.Out + ".ckpt was made with other settings (learning_rate); resume without changing them"},
		{[]string{"-preset", "mehta-schwab"}, `-resume: -preset mehta-schwab, but the checkpoint was made with preset "sklearn"`},
		{[]string{"-layers", "6"}, "-resume: -layers [6], but the checkpoint has layers [6 3]"},
		{[]string{"-layers", "0"}, "-layers 0"},
	} {
		j := withFlags(t, base, c.args...)
		if _, err := j.Plan(); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	data, sizes, err := j.ReadData(p)
	if err != nil || !reflect.DeepEqual(sizes, []int{16, 6, 3}) || data.Set.N != 40 {
		t.Fatalf("read data: %v %v", sizes, err)
	}
	j.Data = writeData(t, dir, "nine.npy", 40, 9, 8)
	want := "-data: " + j.Data + " has 9 units per sample, but the checkpoint " + first.Out + ".ckpt has 16 visible units"
	if _, _, err := j.ReadData(p); err == nil || err.Error() != want {
		t.Errorf("other data: %v, want %q", err, want)
	}
}

func TestTrainJobReadData(t *testing.T) {
	dir := t.TempDir()
	base := TrainJob{Data: writeData(t, dir, "d.npy", 30, 16, 1), Layers: "4", Preset: "mehta-schwab", Out: filepath.Join(dir, "m.npz")}
	// The preset's batch of 100 is kept for 30 samples; a -batch given is checked.
	j := withFlags(t, base)
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if _, sizes, err := j.ReadData(p); err != nil || !reflect.DeepEqual(sizes, []int{16, 4}) {
		t.Errorf("preset batch: %v %v", sizes, err)
	}
	j = withFlags(t, base, "-batch", "100")
	if p, err = j.Plan(); err != nil {
		t.Fatal(err)
	}
	want := "-batch 100: want 1..27 (at most the 27 training samples: the 30 in " + j.Data + " less the 3 held out by -validation 0.1)"
	if _, _, err := j.ReadData(p); err == nil || err.Error() != want {
		t.Errorf("batch given: %v, want %q", err, want)
	}
	j.Data = ""
	if _, _, err := j.ReadData(p); err == nil || !strings.HasPrefix(err.Error(), "-data: want a .npy file") {
		t.Errorf("no data: %v", err)
	}
}

func TestTrainJobSave(t *testing.T) {
	dir := t.TempDir()
	j := stoppedRun(t, dir)
	p, data, sizes := planAndRead(t, j)
	dbn, hist, err := Fit(context.Background(), data.Set, sizes, p.Config, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Save(p, dbn, hist, data); err != nil {
		t.Fatal(err)
	}
	got, meta, err := LoadDBN(j.Out)
	if err != nil {
		t.Fatal(err)
	}
	sameDBN(t, "saved", dbn, got)
	want := p.Config
	want.CheckpointPath, want.CheckpointEvery = "", 0
	if meta.Config == nil || !reflect.DeepEqual(*meta.Config, want) || meta.Extra["data"] != j.Data {
		t.Errorf("meta config %+v, extra %v; want %+v", meta.Config, meta.Extra, want)
	}
	if _, err := os.Stat(j.Out + TimingsSuffix); err != nil {
		t.Errorf("timings: %v", err)
	}
	for i := 0; i < 2; i++ { // the second time there is nothing to remove
		if err := p.RemoveCheckpoint(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p.Config.CheckpointPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("checkpoint left: %v", err)
		}
	}
	// A failure to write is returned (a failure at run time).
	j.Out = filepath.Join(dir, "gone", "m.npz")
	if err := j.Save(p, dbn, hist, data); err == nil {
		t.Error("Save into a missing folder succeeded")
	}
}

// planAndRead runs j's Plan and ReadData, failing the test on an error.
func planAndRead(t *testing.T, j TrainJob) (TrainPlan, *DataFile, []int) {
	t.Helper()
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	data, sizes, err := j.ReadData(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, data, sizes
}

// TestRemoveCheckpointOnlyCheckpoints: a finished run removes its
// checkpoint but leaves a file there that is not one (the data or the model
// under another name) and says so; a missing one is no error.
func TestRemoveCheckpointOnlyCheckpoints(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if err := tinyDBN([]int{4, 2}, 0.1, 1).Save(model, Meta{}); err != nil {
		t.Fatal(err)
	}
	data := writeData(t, dir, "d.npy", 10, 4, 1)
	for _, path := range []string{model, data} {
		p := TrainPlan{Config: Config{CheckpointPath: path}}
		if err := p.RemoveCheckpoint(); err == nil || !strings.Contains(err.Error(), "not a checkpoint") {
			t.Errorf("%s: RemoveCheckpoint: %v, want a refusal", path, err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("RemoveCheckpoint removed %s", path)
		}
	}
	p := TrainPlan{Config: Config{CheckpointPath: filepath.Join(dir, "none.ckpt")}}
	if err := p.RemoveCheckpoint(); err != nil {
		t.Errorf("a missing checkpoint: %v", err)
	}
}

// TestTrainDiverges: parameters that become huge or not finite stop the
// training at the end of the epoch with ErrDiverged and a message naming
// the layer, the epoch, -lr and -init-sigma, and no checkpoint of the
// diverged state is written: the last one of finite parameters is kept.
// Within the bounds of the recipe (Validate refuses a learning rate of 1e30,
// which did it before), weight decay makes a run diverge: the largest
// learning rate and L2 penalty on one-row mini-batches multiply the weights
// by about -9 each step.
func TestTrainDiverges(t *testing.T) {
	dir := t.TempDir()
	d := randomBinary(60, 16, 0.4, 2)
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs, cfg.Batch, cfg.CheckpointEvery = 4, 20, 1
	{
		cfg := cfg
		cfg.LR, cfg.L2, cfg.L1, cfg.Batch = MaxLR, MaxPenalty, 0, 1
		cfg.CheckpointPath = filepath.Join(dir, "new.ckpt")
		_, _, err := TrainDBN(context.Background(), d, []int{16, 8}, cfg, nil)
		if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "training diverged at layer 1 epoch 1: ") ||
			!strings.Contains(err.Error(), "lower -lr (now 10) or -init-sigma (now 0.1)") || !strings.Contains(err.Error(), "lower -l2 (now 1)") {
			t.Errorf("lr %g, l2 %g, batch 1: %v", float64(MaxLR), float64(MaxPenalty), err)
		}
		if _, err := os.Stat(cfg.CheckpointPath); err == nil {
			t.Errorf("lr %g, l2 %g: a checkpoint of the diverged run was written", float64(MaxLR), float64(MaxPenalty))
		}
	}
	// Too large, and not finite: W beyond MaxParam (the message names -l2
	// only when weight decay overshoots), c[0] NaN after an epoch.
	lt := &layerTrainer{st: &trainState{}, cfg: &cfg, r: NewRBM(4, 2)}
	if err := lt.checkDiverged(2 * MaxParam); !errors.Is(err, ErrDiverged) ||
		!strings.HasSuffix(err.Error(), "at layer 1 epoch 1: |W| reaches 2e+06, above 1e+06; lower -lr (now 0.1) or -init-sigma (now 0.1)") {
		t.Errorf("|W| = 2 MaxParam: %v", err)
	}
	lt.r.C[1] = float32(math.NaN())
	if err := lt.checkDiverged(0); !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "c is not finite") {
		t.Errorf("NaN bias: %v", err)
	}
	lt.r.C[1] = 0
	if err := lt.checkDiverged(MaxParam); err != nil {
		t.Errorf("|W| = MaxParam: %v", err)
	}
	// A run that diverges after its first checkpoints keeps the checkpoint
	// of epoch 2: the checkpoint's recipe is changed after epoch 2 to the
	// largest learning rate and L2 penalty (MaxLR, MaxPenalty) and
	// mini-batches of one row, so that every step multiplies the weights by
	// about -9 (a learning rate of 1e30, which did it before, is beyond
	// the bounds that a checkpoint's recipe is checked with).
	cfg.CheckpointPath = filepath.Join(dir, "c.ckpt")
	stop, cancel := context.WithCancel(context.Background())
	TrainDBN(stop, d, []int{16, 8}, cfg, func(p ProgressInfo) {
		if p.Epoch == 2 {
			cancel()
		}
	})
	edited := filepath.Join(dir, "edited.ckpt")
	editCheckpointMeta(t, cfg.CheckpointPath, edited, func(m map[string]any) {
		c := m["config"].(map[string]any)
		c["learning_rate"], c["l2"], c["l1"], c["batch"] = MaxLR, MaxPenalty, 0, 1
	})
	before, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ResumeDBN(context.Background(), edited, d, nil)
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "at layer 1 epoch 3:") {
		t.Errorf("resumed with lr %g, l2 %g, batch 1: %v", float64(MaxLR), float64(MaxPenalty), err)
	}
	if after, err := os.ReadFile(edited); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the checkpoint of finite parameters was replaced (%v)", err)
	}
}

// TestTrainPeakMemory: EstimateTrainBytes bounds the heap training takes
// from the system (runtime.MemStats.HeapSys, which only grows) for a wide
// layer whose per-epoch monitor buffers outweigh its parameters. The
// training runs in a child process (this test binary), so that no other
// test's heap is counted.
func TestTrainPeakMemory(t *testing.T) {
	const n, nv, nh, epochs = 200, 64, 65536, 4
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs = epochs
	if os.Getenv("ISINGRBM_PEAK_CHILD") == "1" {
		d := randomBinary(n, nv, 0.4, 2)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapSys
		if _, _, err := TrainDBN(context.Background(), d, []int{nv, nh}, cfg, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		fmt.Printf("heap-peak %d\n", ms.HeapSys-base)
		return
	}
	if testing.Short() {
		t.Skip("trains a 64 x 65536 layer")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTrainPeakMemory$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ISINGRBM_PEAK_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var peak float64
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "heap-peak "); ok {
			peak, _ = strconv.ParseFloat(v, 64)
		}
	}
	est := EstimateTrainBytes(n, false, []int{nv, nh}, cfg)
	t.Logf("heap peak %.0f MiB, estimate %.0f MiB", peak/(1<<20), est/(1<<20))
	if peak == 0 || peak > est {
		t.Errorf("heap peak %.0f MiB, above the estimate %.0f MiB (or not measured: %s)", peak/(1<<20), est/(1<<20), out)
	}
}
