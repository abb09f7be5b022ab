package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/npy"
)

// writeNpy writes an array with raw element bytes data to dir/name.
func writeNpy(t *testing.T, dir, name, descr string, shape []int, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := npy.WriteFileAtomic(p, func(w io.Writer) error { return npy.Write(w, descr, shape, data) }); err != nil {
		t.Fatal(err)
	}
	return p
}

// randomSpins returns n*d seeded random bits, correlated along each row so
// that an RBM has something to learn.
func randomSpins(n, d int, seed uint64) []uint8 {
	g := rng.New(seed)
	out := make([]uint8, n*d)
	for s := 0; s < n; s++ {
		cur := uint8(g.Uint64() & 1)
		for i := 0; i < d; i++ {
			if g.Float64() < 0.2 {
				cur ^= 1
			}
			out[s*d+i] = cur
		}
	}
	return out
}

func f64Bytes(x []float64) []byte {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return b
}

func f32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// noOutputs fails when dir holds anything but the listed inputs.
func noOutputs(t *testing.T, dir string, inputs map[string]bool, what string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !inputs[e.Name()] {
			t.Errorf("%s: left %s behind", what, e.Name())
		}
	}
}

func TestTrainBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeNpy(t, dir, "good.npy", "|u1", []int{20, 4, 4}, randomSpins(20, 16, 1))
	i2 := make([]byte, 2*20*16)
	bad := map[string]string{
		"i2.npy":      writeNpy(t, dir, "i2.npy", "<i2", []int{20, 16}, i2),
		"two.npy":     writeNpy(t, dir, "two.npy", "|u1", []int{2, 4}, []byte{0, 1, 2, 0, 1, 1, 0, 0}),
		"big.npy":     writeNpy(t, dir, "big.npy", "<f8", []int{2, 2}, f64Bytes([]float64{0, 1, 1.5, 0})),
		"nan.npy":     writeNpy(t, dir, "nan.npy", "<f4", []int{2, 2}, f32Bytes([]float32{0, float32(math.NaN()), 1, 0})),
		"neg.npy":     writeNpy(t, dir, "neg.npy", "<f4", []int{2, 2}, f32Bytes([]float32{0, -0.5, 1, 0})),
		"fourd.npy":   writeNpy(t, dir, "fourd.npy", "|u1", []int{2, 2, 2, 2}, make([]byte, 16)),
		"oned.npy":    writeNpy(t, dir, "oned.npy", "|u1", []int{16}, make([]byte, 16)),
		"empty.npy":   writeNpy(t, dir, "empty.npy", "|u1", []int{0, 16}, nil),
		"corrupt.npy": filepath.Join(dir, "corrupt.npy"),
	}
	if err := os.WriteFile(bad["corrupt.npy"], []byte("\x93NUMPY\x01\x00garbage that is not a header"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]bool{"good.npy": true}
	for name := range bad {
		inputs[name] = true
	}
	out := filepath.Join(dir, "model.npz")
	for name, p := range bad {
		code, _, stderr := runCmd("train", "-data", p, "-layers", "4", "-epochs", "1", "-o", out)
		if code != 2 || !strings.Contains(stderr, name) {
			t.Errorf("%s: exit %d, stderr %q (want 2 naming the file)", name, code, stderr)
		}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-data", filepath.Join(dir, "missing.npy")}, "missing.npy"},
		{[]string{"-data", dir}, "folder"},
		{[]string{}, "-data"},
		{[]string{"-data", good, "-layers", "4,,2"}, "-layers"},
		{[]string{"-data", good, "-layers", "0"}, "-layers"},
		{[]string{"-data", good, "-layers", "abc"}, "-layers"},
		{[]string{"-data", good, "-layers", "-3"}, "-layers"},
		{[]string{"-data", good, "-lr", "-1"}, "-lr"},
		{[]string{"-data", good, "-lr", "NaN"}, "-lr"},
		{[]string{"-data", good, "-momentum", "1.2"}, "-momentum"},
		{[]string{"-data", good, "-momentum", "0.1,0.2,0.3"}, "-momentum"},
		{[]string{"-data", good, "-batch", "0"}, "-batch"},
		{[]string{"-data", good, "-cd", "0"}, "-cd"},
		{[]string{"-data", good, "-l1", "-1"}, "-l1"},
		{[]string{"-data", good, "-l2", "Inf"}, "-l2"},
		{[]string{"-data", good, "-l1-mode", "x"}, "-l1-mode"},
		{[]string{"-data", good, "-next-layer", "x"}, "-next-layer"},
		{[]string{"-data", good, "-visible-bias", "x"}, "-visible-bias"},
		{[]string{"-data", good, "-validation", "1"}, "-validation"},
		{[]string{"-data", good, "-preset", "nonesuch"}, "-preset"},
		{[]string{"-data", good, "-threads", "-2"}, "-threads"},
		{[]string{"-data", good, "-resume"}, "-resume"},
		{[]string{"-data", good, "-o", filepath.Join(dir, "no", "such", "m.npz")}, "-o"},
	}
	for _, c := range cases {
		args := append([]string{"train", "-o", out, "-epochs", "1"}, c.args...)
		code, _, stderr := runCmd(args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 naming %s)", c.args, code, stderr, c.want)
		}
	}
	noOutputs(t, dir, inputs, "bad input")
}

func TestTrainAcceptsDtypes(t *testing.T) {
	dir := t.TempDir()
	bits := randomSpins(40, 16, 2)
	f64 := make([]float64, len(bits))
	probs := make([]float32, len(bits))
	for i, b := range bits {
		f64[i] = float64(b)
		probs[i] = 0.25 + 0.5*float32(b)
	}
	files := []string{
		writeNpy(t, dir, "u1.npy", "|u1", []int{40, 4, 4}, bits),
		writeNpy(t, dir, "b1.npy", "|b1", []int{40, 16}, bits),
		writeNpy(t, dir, "f8.npy", "<f8", []int{40, 4, 4}, f64Bytes(f64)),
		writeNpy(t, dir, "f4.npy", "<f4", []int{40, 16}, f32Bytes(probs)),
	}
	for _, f := range files {
		out := f + ".model.npz"
		code, stdout, stderr := runCmd("train", "-data", f, "-layers", "6,3", "-epochs", "2", "-batch", "10", "-o", out)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", f, code, stderr)
		}
		if !strings.Contains(stdout, "model written") {
			t.Errorf("%s: stdout %q", f, stdout)
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if _, err := os.Stat(out + ".ckpt"); err == nil {
			t.Errorf("%s: checkpoint left behind after a finished run", f)
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

func TestTrainResumeIdentical(t *testing.T) {
	for _, preset := range []string{"mehta-schwab", "sklearn"} {
		t.Run(preset, func(t *testing.T) {
			dir := t.TempDir()
			data := writeNpy(t, dir, "d.npy", "|u1", []int{120, 5, 5}, randomSpins(120, 25, 3))
			common := []string{"train", "-data", data, "-preset", preset, "-layers", "12,5", "-epochs", "4", "-batch", "20",
				"-snapshot-every", "2", "-checkpoint-every", "1", "-threads", "2", "-seed", "9"}
			whole := filepath.Join(dir, "whole.npz")
			if code, _, stderr := runCmd(append(common, "-o", whole)...); code != 0 {
				t.Fatalf("uninterrupted run: exit %d, %s", code, stderr)
			}
			// A model file is not a checkpoint.
			if code, _, stderr := runCmd("train", "-data", data, "-resume", "-checkpoint", whole, "-o", filepath.Join(dir, "x.npz")); code != 2 || !strings.Contains(stderr, "not a checkpoint") {
				t.Errorf("resume from a model file: exit %d, %s", code, stderr)
			}
			parts := filepath.Join(dir, "parts.npz")
			// Stop inside the first layer, then inside the second, then finish.
			if code, _, stderr := runCmd(append(common, "-o", parts, "-stop-after", "3")...); code != 0 || !strings.Contains(stderr, "stopped after 3") {
				t.Fatalf("first part: exit %d, %s", code, stderr)
			}
			if _, err := os.Stat(parts); err == nil {
				t.Fatal("an interrupted run wrote the model file")
			}
			if _, err := os.Stat(parts + ".ckpt"); err != nil {
				t.Fatalf("no checkpoint after an interrupted run: %v", err)
			}
			// Changing the recipe on resume is refused.
			if code, _, stderr := runCmd("train", "-data", data, "-o", parts, "-resume", "-lr", "0.05"); code != 2 || !strings.Contains(stderr, "learning_rate") {
				t.Errorf("resume with another -lr: exit %d, %s", code, stderr)
			}
			// Resuming on other data is refused.
			other := writeNpy(t, dir, "other.npy", "|u1", []int{120, 5, 5}, randomSpins(120, 25, 4))
			if code, _, stderr := runCmd("train", "-data", other, "-o", parts, "-resume"); code != 2 || !strings.Contains(stderr, "other data") {
				t.Errorf("resume on other data: exit %d, %s", code, stderr)
			}
			if code, _, stderr := runCmd("train", "-data", data, "-o", parts, "-resume", "-stop-after", "3"); code != 0 ||
				!strings.Contains(stderr, "at layer 1, after epoch 3 of 4") {
				t.Fatalf("second part: exit %d, %s", code, stderr)
			}
			// The same flags as the first run are accepted with -resume.
			if code, _, stderr := runCmd(append(common, "-o", parts, "-resume")...); code != 0 ||
				!strings.Contains(stderr, "at layer 2, after epoch 2 of 4") {
				t.Fatalf("last part: exit %d, %s", code, stderr)
			}
			if _, err := os.Stat(parts + ".ckpt"); err == nil {
				t.Error("checkpoint left behind after the run finished")
			}
			a, b := modelArrays(t, whole), modelArrays(t, parts)
			if len(a) != len(b) || len(a) < 4+4 {
				t.Fatalf("arrays %d vs %d", len(a), len(b))
			}
			for name, x := range a {
				if !bytes.Equal(x, b[name]) {
					t.Errorf("array %s differs between the uninterrupted and the resumed run", name)
				}
			}
		})
	}
}

func TestTrainJSONSummary(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{60, 4, 4}, randomSpins(60, 16, 5))
	code, stdout, stderr := runCmd("train", "-data", data, "-layers", "8,3", "-epochs", "2", "-batch", "10", "-json", "-o", filepath.Join(dir, "m.npz"))
	if code != 0 {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	var got struct {
		Layers []map[string]any `json:"layers"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if len(got.Layers) != 2 {
		t.Fatalf("%d layers in %s", len(got.Layers), stdout)
	}
	last, ok := got.Layers[0]["last_epoch"].(map[string]any)
	if !ok {
		t.Fatalf("no last_epoch in %v", got.Layers[0])
	}
	if r, ok := last["recon_train"].(float64); !ok || !(r >= 0) {
		t.Errorf("recon_train = %v", last["recon_train"])
	}
}

// train warns when a layer ends worse than independent units: persistent
// CD with the paper's step on 8 x 8 configurations near the critical
// coupling, not CD-1 with the same step; -json lists the warnings.
func TestTrainWarnsBelowIndependent(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "s.npy")
	if code, _, stderr := runCmd("sample", "-L", "8", "-beta", "0.44", "-n", "2000", "-seed", "1", "-o", data); code != 0 {
		t.Fatalf("sample: exit %d, %s", code, stderr)
	}
	for _, pcd := range []bool{false, true} {
		args := []string{"train", "-data", data, "-layers", "32", "-epochs", "20", "-o", filepath.Join(dir, "m.npz"), "-replace"}
		if pcd {
			args = append(args, "-pcd")
		}
		code, stdout, stderr := runCmd(args...)
		if code != 0 {
			t.Fatalf("pcd=%v: exit %d, %s", pcd, code, stderr)
		}
		warned := strings.Contains(stdout, "warning: layer 1: after epoch 20, on the validation samples, the layer is worse than independent units")
		if warned != pcd || pcd && !strings.Contains(stdout, "-pcd") {
			t.Errorf("pcd=%v: output\n%s", pcd, stdout)
		}
		code, stdout, stderr = runCmd(append(args, "-json")...)
		if code != 0 {
			t.Fatalf("pcd=%v -json: exit %d, %s", pcd, code, stderr)
		}
		var got struct {
			Warnings []string `json:"warnings"`
			Layers   []struct {
				Last map[string]any `json:"last_epoch"`
			} `json:"layers"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Warnings == nil || len(got.Layers) != 1 {
			t.Fatalf("pcd=%v: %v: %s", pcd, err, stdout)
		}
		if (len(got.Warnings) == 1) != pcd || len(got.Warnings) > 1 {
			t.Errorf("pcd=%v: warnings %q", pcd, got.Warnings)
		}
		for _, k := range []string{"pseudo_ll_indep_val", "pseudo_ll_gain_se_val", "loglik_indep_val", "loglik_ceiling_val"} {
			if _, ok := got.Layers[0].Last[k].(float64); !ok {
				t.Errorf("pcd=%v: last_epoch.%s = %v", pcd, k, got.Layers[0].Last[k])
			}
		}
	}
}

// TestTrainWarnsReplacingCheckpoint: a new run (no -resume) over the
// checkpoint of an interrupted one replaces it, and says so on stderr with
// the epoch it had reached; a run with no checkpoint there says nothing.
func TestTrainWarnsReplacingCheckpoint(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{60, 4, 4}, randomSpins(60, 16, 5))
	args := []string{"train", "-data", data, "-layers", "6", "-epochs", "4", "-batch", "20", "-checkpoint-every", "1", "-o", filepath.Join(dir, "m.npz")}
	const warn = "warning: replacing the checkpoint"
	if code, _, stderr := runCmd(append(args, "-stop-after", "3")...); code != 0 || strings.Contains(stderr, warn) {
		t.Fatalf("first run: exit %d, %s", code, stderr)
	}
	code, _, stderr := runCmd(args...)
	if code != 0 || !strings.Contains(stderr, warn) || !strings.Contains(stderr, "(layer 1, after epoch 3); -resume would have continued it") {
		t.Errorf("second run over the checkpoint: exit %d, stderr %q", code, stderr)
	}
}
