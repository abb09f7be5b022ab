package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
