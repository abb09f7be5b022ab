package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/rbm"
)

// TestTrainOutputsNeverClobberInputs: -o, the timings beside it and
// -checkpoint may not name the -data file or each other in any spelling
// (relative, ./, absolute, through a symbolic link to the folder or the
// file), and an existing -checkpoint file that is not a checkpoint is not
// overwritten (nor removed when the run ends). Each refusal exits 2,
// names the flag, and leaves every file as it was.
func TestTrainOutputsNeverClobberInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	data := writeNpy(t, dir, "data.npy", "|u1", []int{40, 4, 4}, randomSpins(40, 16, 1))
	orig, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("out", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("out", "lnk"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("data.npy", "dlink.npy"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("d.timings.json", orig, 0o644); err != nil {
		t.Fatal(err)
	}
	notes := []byte("not a checkpoint")
	if err := os.WriteFile("notes.txt", notes, 0o644); err != nil {
		t.Fatal(err)
	}
	tr := func(extra ...string) []string {
		return append([]string{"train", "-layers", "4", "-epochs", "1", "-batch", "10"}, extra...)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"checkpoint is data", tr("-data", "data.npy", "-o", "m.npz", "-checkpoint", "data.npy"), "-checkpoint data.npy: is the -data file"},
		{"checkpoint is data, ./", tr("-data", "data.npy", "-o", "m.npz", "-checkpoint", "./data.npy"), "is the -data file"},
		{"checkpoint is data, absolute", tr("-data", "data.npy", "-o", "m.npz", "-checkpoint", filepath.Join(dir, "data.npy")), "is the -data file"},
		{"o is data", tr("-data", "data.npy", "-o", "data.npy"), "-o data.npy: is the -data file"},
		{"o is data, absolute", tr("-data", "data.npy", "-o", filepath.Join(dir, "data.npy")), "is the -data file"},
		{"o is data through a link", tr("-data", "dlink.npy", "-o", "data.npy"), "is the -data file"},
		{"o timings is data", tr("-data", "d.timings.json", "-o", "d"), "-o d: the timings beside it, d.timings.json, would replace the -data file"},
		{"checkpoint is o, ./", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", "./out/m.npz"), "-checkpoint ./out/m.npz: the same file as the model output -o"},
		{"checkpoint is o, absolute", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", filepath.Join(dir, "out", "m.npz")), "the same file as the model output -o"},
		{"checkpoint is o, linked folder", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", "lnk/m.npz"), "the same file as the model output -o"},
		{"checkpoint is o, out/../", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", "out/../out/m.npz"), "the same file as the model output -o"},
		{"checkpoint is the timings", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", "./out/m.npz.timings.json"), "the same file as the model output -o"},
		{"checkpoint not ours", tr("-data", "data.npy", "-o", "out/m.npz", "-checkpoint", "notes.txt"), "-checkpoint notes.txt: exists and is not a checkpoint"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.name, code, stderr, c.want)
		}
		// Check, and put back for the next case.
		for _, f := range []struct {
			name string
			want []byte
		}{{"data.npy", orig}, {"notes.txt", notes}, {"d.timings.json", orig}} {
			if got, err := os.ReadFile(f.name); err != nil || !bytes.Equal(got, f.want) {
				t.Errorf("%s: %s was changed or removed (%v)", c.name, f.name, err)
				os.Remove(f.name)
				if err := os.WriteFile(f.name, f.want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, f := range []string{"m.npz", "d", "out/m.npz", "out/m.npz.timings.json", "m.npz.timings.json", "d.timings.json.timings.json"} {
			if _, err := os.Lstat(f); err == nil {
				t.Errorf("%s: a refused run wrote %s", c.name, f)
				os.Remove(f)
			}
		}
	}
	// A model file (not a checkpoint) given as -checkpoint is refused too,
	// and survives.
	model := filepath.Join(dir, "out", "model.npz")
	if code, _, stderr := runCmd(tr("-data", "data.npy", "-o", model)...); code != 0 {
		t.Fatalf("training: exit %d, %s", code, stderr)
	}
	before, _ := os.ReadFile(model)
	if code, _, stderr := runCmd(tr("-data", "data.npy", "-o", "out/m2.npz", "-checkpoint", model)...); code != 2 || !strings.Contains(stderr, "is not a checkpoint") {
		t.Errorf("a model file as -checkpoint: exit %d, %s", code, stderr)
	}
	if after, err := os.ReadFile(model); err != nil || !bytes.Equal(before, after) {
		t.Errorf("a model file given as -checkpoint was changed or removed (%v)", err)
	}
	// A leftover checkpoint of an earlier run may be replaced, and is
	// removed when the new run ends.
	if code, _, stderr := runCmd(tr("-data", "data.npy", "-o", "out/r.npz", "-epochs", "3", "-stop-after", "1")...); code != 0 {
		t.Fatalf("stopped run: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat("out/r.npz.ckpt"); err != nil {
		t.Fatalf("no checkpoint left by -stop-after: %v", err)
	}
	if code, _, stderr := runCmd(tr("-data", "data.npy", "-o", "out/r.npz")...); code != 0 {
		t.Fatalf("a new run over a leftover checkpoint: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat("out/r.npz.ckpt"); err == nil {
		t.Error("the finished run left its checkpoint")
	}
	if _, err := os.Stat("out/r.npz"); err != nil {
		t.Errorf("the finished run wrote no model: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the watcher's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTrainResumeChecksCheckpointMeta: -resume from a checkpoint whose
// meta.json was edited beyond what a run writes (or the flags allow) exits
// 2 naming the file and the field, before it prints that it resumes.
func TestTrainResumeChecksCheckpointMeta(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{60, 4, 4}, randomSpins(60, 16, 2))
	out := filepath.Join(dir, "m.npz")
	ckpt := out + ".ckpt"
	if code, _, stderr := runCmd("train", "-data", data, "-layers", "8,4", "-epochs", "5", "-batch", "10", "-o", out, "-stop-after", "2"); code != 0 {
		t.Fatalf("first part: exit %d, %s", code, stderr)
	}
	orig, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		value any
		want  string
	}{
		{"checkpoint.epoch", 5000, "checkpoint.epoch 5000, want 0..5"},
		{"checkpoint.epoch", -1, "checkpoint.epoch -1"},
		{"checkpoint.layer", 7, "checkpoint.layer 7, want 0..1"},
		{"config.epochs", 1e15, "config.epochs: -epochs 1000000000000000"},
		// Just above the limit, so that the run without the check ends.
		{"config.cd_k", 100001, "config.cd_k: -cd 100001: want 1..100000"},
		{"config.threads", 100000, "config.threads: -threads 100000"},
		// The bounds of the float hyper-parameters (TestTrainRecipeBounds).
		{"config.learning_rate", 1e30, "config.learning_rate: -lr 1e+30: want a number in (0, 10]"},
		{"config.init_sigma", 11, "config.init_sigma: -init-sigma 11: want a number in [0, 10]"},
		{"config.l2", 2, "config.l2: -l2 2: want a number in [0, 1]"},
	} {
		if err := rewriteMeta(ckpt, orig, c.field, c.value); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCmd("train", "-data", data, "-o", out, "-resume", "-stop-after", "1")
		if code != 2 || !strings.Contains(stderr, ckpt+": meta.json: "+c.want) || strings.Contains(stderr, "resuming") {
			t.Errorf("%s %v: exit %d, stderr %q; want 2, %q and nothing printed before", c.field, c.value, code, stderr, c.want)
		}
	}
}

// rewriteMeta writes to path the checkpoint orig with the field of its
// meta.json (keys joined by dots) set to value.
func rewriteMeta(path string, orig []byte, field string, value any) error {
	zr, err := zip.NewReader(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if f.Name == "meta.json" {
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				return err
			}
			keys := strings.Split(field, ".")
			o := m
			for _, k := range keys[:len(keys)-1] {
				var ok bool
				if o, ok = o[k].(map[string]any); !ok {
					return fmt.Errorf("meta.json has no %s", field)
				}
			}
			o[keys[len(keys)-1]] = value
			if b, err = json.Marshal(m); err != nil {
				return err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// TestTrainDivergedRun: a recipe that blows the parameters up stops the
// run with exit 1 and a message that says so and names -lr and
// -init-sigma; neither a model nor a checkpoint is written. Within the
// bounds of the flags (TestTrainRecipeBounds) it takes the largest -lr and
// -l2 and mini-batches of one row: each step multiplies the weights by
// about -9.
func TestTrainDivergedRun(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{60, 4, 4}, randomSpins(60, 16, 3))
	for _, args := range [][]string{{"-lr", "10", "-l2", "1", "-batch", "1"}, {"-lr", "10", "-l2", "1", "-l1", "0", "-init-sigma", "10", "-batch", "1"}} {
		out := filepath.Join(dir, "m.npz")
		code, _, stderr := runCmd(append([]string{"train", "-data", data, "-layers", "8,4", "-epochs", "3", "-batch", "10", "-checkpoint-every", "1", "-o", out}, args...)...)
		if code != 1 || !strings.Contains(stderr, "training diverged at layer 1 epoch 1: ") || !strings.Contains(stderr, "lower -lr (now ") ||
			!strings.Contains(stderr, "or -init-sigma (now ") || strings.Contains(stderr, "kept") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a message on the divergence", args, code, stderr)
		}
		noOutputs(t, dir, map[string]bool{"d.npy": true}, strings.Join(args, " "))
	}
}

// TestTrainRecipeBounds: -lr, -init-sigma, -l1, -l2, -momentum and
// -validation are refused beyond their bounds with exit 2 and a message
// that gives the range, before any work (the nonsense values that only
// ErrDiverged stopped, such as -lr 1e30, included, and -l1 1e-400, which
// was taken as 0); the bounds themselves are accepted, and -h states every
// range.
func TestTrainRecipeBounds(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{60, 4, 4}, randomSpins(60, 16, 3))
	out := filepath.Join(dir, "m.npz")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-lr", "3e38"}, "-lr 3e38: want a number in (0, 10] (the presets use 0.1"},
		{[]string{"-lr", "1e30"}, "-lr 1e30: want a number in (0, 10]"},
		{[]string{"-lr", "10.001"}, "-lr 10.001: want a number in (0, 10]"},
		{[]string{"-lr", "1e-40"}, "-lr 1e-40: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in (0, 10]"},
		{[]string{"-init-sigma", "1e30"}, "-init-sigma 1e30: want a number in [0, 10] (the presets use 0.1 and 0.01"},
		{[]string{"-init-sigma", "11"}, "-init-sigma 11: want a number in [0, 10]"},
		{[]string{"-l1", "1.5"}, "-l1 1.5: want a number in [0, 1] (the presets use 2e-4"},
		{[]string{"-l2", "2"}, "-l2 2: want a number in [0, 1]"},
		{[]string{"-l2", "-0.1"}, "-l2 -0.1: want a number in [0, 1]"},
		// strconv.ParseFloat rounds it to 0 without an error.
		{[]string{"-l1", "1e-400"}, "-l1 1e-400: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1]"},
		{[]string{"-momentum", "1"}, "-momentum 1: want a number in [0, 1) (the presets use 0.5, then 0.9"},
		{[]string{"-momentum", "0.5,1"}, `-momentum 0.5,1: "1": want a number in [0, 1) (the presets use 0.5, then 0.9`},
		{[]string{"-momentum", "1e-40,0.9"}, `-momentum 1e-40,0.9: "1e-40": below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1)`},
		{[]string{"-validation", "1"}, "-validation 1: want a number in [0, 1) (the share of the samples held out"},
		{[]string{"-validation", "1e-400"}, "-validation 1e-400: below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision; want a number in [0, 1)"},
	} {
		code, _, stderr := runCmd(append([]string{"train", "-data", data, "-layers", "4", "-epochs", "1", "-batch", "10", "-o", out}, c.args...)...)
		if code != 2 || !strings.HasPrefix(stderr, "isingrbm train: "+c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
		noOutputs(t, dir, map[string]bool{"d.npy": true}, strings.Join(c.args, " "))
	}
	code, _, stderr := runCmd("train", "-data", data, "-layers", "4", "-epochs", "1", "-batch", "10", "-o", out,
		"-lr", "10", "-init-sigma", "10", "-l1", "1", "-l2", "1", "-momentum", "0,0.999", "-validation", "0.5")
	if code == 2 {
		t.Errorf("the bounds: exit 2, %s", stderr)
	}
	_, help, _ := runCmd("train", "-h")
	for _, want := range []string{"biases, in (0, 10]", "init-sigma in [0, 10]", "on the weights, in [0, 1]", "weight decay) on the weights, in [0, 1]",
		"(or one value), each in [0, 1)", "each epoch, in [0, 1)"} {
		if !strings.Contains(help, want) {
			t.Errorf("train -h does not say %q", want)
		}
	}
}

// TestSignalDuringModelSave: a signal while train writes its model waits
// for the write (interrupt.HoldWrite), with a message naming the model; the
// model is then complete. Before, the process ended a grace after the
// signal, in the middle of a save that took longer, and the whole run was
// lost. (The watcher itself is tested in core/interrupt.)
func TestSignalDuringModelSave(t *testing.T) {
	const grace = 20 * time.Millisecond
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	data := writeNpy(t, dir, "s.npy", "|u1", []int{200, 4, 4}, randomSpins(200, 16, 1))
	// runTrain outside run, under a watcher of a fake signal channel whose
	// exit reports the status instead of exiting; its context is new, not
	// an earlier command's, and stop forgets it.
	ch := make(chan os.Signal, 2)
	exited := make(chan int, 2)
	stderr := &syncBuffer{}
	stop := interrupt.WatchForTest(stderr, ch, grace, func(code int) { exited <- code })
	t.Cleanup(stop)
	old := beforeModelSave
	t.Cleanup(func() { beforeModelSave = old })
	early := -1
	beforeModelSave = func() {
		ch <- syscall.SIGINT
		time.Sleep(10 * grace) // the save "takes" ten graces
		select {
		case early = <-exited:
		default:
		}
	}
	var out bytes.Buffer
	if err := runTrain([]string{"-data", data, "-layers", "8", "-epochs", "2", "-o", model}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if early != -1 {
		t.Fatalf("the process ended (status %d) while the model was being written", early)
	}
	// The watcher, which never sees the command return here, ends the
	// process a grace after the save.
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit %d after the save, want 130", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not end the process after the save")
	}
	if !strings.Contains(stderr.String(), "writing the model (about") {
		t.Errorf("stderr %q, want the watcher's message naming the model", stderr.String())
	}
	if _, _, err := rbm.LoadDBN(model); err != nil {
		t.Fatalf("the model written under the signal: %v", err)
	}
}
