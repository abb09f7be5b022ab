package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
)

// Determinism, resume after a signal and concurrent runs, over the built
// binary (see adversarial_test.go).

// mustRun runs the binary and fails unless it exits with code.
func mustRun(t *testing.T, bin string, code int, args ...string) advResult {
	t.Helper()
	r := runAdv(t, bin, args, nil, 0, 0, 60*time.Second)
	if r.code != code {
		t.Fatalf("%v: exit %d, want %d: %s", args, r.code, code, r.stderr)
	}
	return r
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		t.Errorf("%s and %s differ (%d and %d bytes; %v %v)", a, b, len(x), len(y), err1, err2)
	}
}

// sameMembers compares the members of two archives but skip.
func sameMembers(t *testing.T, a, b, skip string) {
	t.Helper()
	za, err1 := npy.OpenNPZ(a)
	zb, err2 := npy.OpenNPZ(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	defer za.Close()
	defer zb.Close()
	if len(za.Names()) != len(zb.Names()) {
		t.Fatalf("%v and %v", za.Names(), zb.Names())
	}
	for _, n := range za.Names() {
		x, err1 := za.File(n)
		y, err2 := zb.File(n)
		if n != skip && (err1 != nil || err2 != nil || !bytes.Equal(x, y)) {
			t.Errorf("member %s differs between %s and %s (%v %v)", n, a, b, err1, err2)
		}
	}
}

// Two identical train runs, at one and at two threads, give byte-identical
// model files: the timings live in the sidecar.
func TestAdversarialTrainBytes(t *testing.T) {
	bin, fix := advBinary(t)
	dir := t.TempDir()
	data := filepath.Join(fix, "d.npy")
	for i, th := range []string{"1", "2", "2"} {
		mustRun(t, bin, 0, "train", "-data", data, "-layers", "8,4", "-epochs", "3", "-threads", th, "-seed", "9",
			"-o", filepath.Join(dir, "m"+string(rune('a'+i))+".npz"))
	}
	// -threads is recorded in meta.json; the arrays match across it.
	sameMembers(t, filepath.Join(dir, "ma.npz"), filepath.Join(dir, "mb.npz"), "meta.json")
	sameFiles(t, filepath.Join(dir, "mb.npz"), filepath.Join(dir, "mc.npz"))
	if _, err := os.Stat(filepath.Join(dir, "ma.npz.timings.json")); err != nil {
		t.Errorf("no timings sidecar: %v", err)
	}
}

// eval prints the same numbers for the same seed at any thread count and
// on every run (exact log Z for m.npz, AIS for big.npz).
func TestAdversarialEvalDeterministic(t *testing.T) {
	bin, fix := advBinary(t)
	for _, in := range [][2]string{{"m.npz", "d.npy"}, {"big.npz", "big.npy"}} {
		var first []byte
		for _, th := range []string{"1", "2", "0", "2"} {
			r := mustRun(t, bin, 0, "eval", "-json", "-ais-steps", "300", "-ais-runs", "20", "-threads", th,
				"-model", filepath.Join(fix, in[0]), "-data", filepath.Join(fix, in[1]))
			var rep map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			for _, l := range rep["layers"].([]any) {
				delete(l.(map[string]any), "seconds")
			}
			got, _ := json.Marshal(rep)
			if first == nil {
				first = got
			} else if !bytes.Equal(got, first) {
				t.Errorf("eval %s -threads %s:\n%s\nfirst run:\n%s", in[0], th, got, first)
			}
		}
	}
}

// A training stopped by SIGTERM and resumed ends with the bytes of an
// uninterrupted run.
func TestAdversarialResumeAfterSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("slow (-short)")
	}
	bin, fix := advBinary(t)
	dir := t.TempDir()
	args := func(o string) []string {
		return []string{"train", "-data", filepath.Join(fix, "big.npy"), "-layers", "50,10", "-epochs", "40", "-batch", "20", "-cd", "10",
			"-checkpoint-every", "0", "-o", filepath.Join(dir, o)}
	}
	start := time.Now()
	mustRun(t, bin, 0, args("full.npz")...)
	// The signal comes halfway through the time the uninterrupted run
	// took: a fixed delay (it was 700 ms) let a fast, idle machine finish
	// first and exit 0.
	half := time.Since(start) / 2
	r := runAdv(t, bin, args("cut.npz"), nil, syscall.SIGTERM, half, 60*time.Second)
	if r.code != 143 || r.latency > signalExitBound {
		t.Fatalf("SIGTERM after %v: exit %d after %v: %s", half, r.code, r.latency, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cut.npz.ckpt")); err != nil {
		t.Fatalf("no checkpoint after SIGTERM: %v", err)
	}
	mustRun(t, bin, 0, append(args("cut.npz"), "-resume")...)
	sameFiles(t, filepath.Join(dir, "full.npz"), filepath.Join(dir, "cut.npz"))
	if _, err := os.Stat(filepath.Join(dir, "cut.npz.ckpt")); err == nil {
		t.Errorf("the checkpoint outlived the finished run")
	}
}

// Concurrent runs writing the same outputs all succeed and leave complete
// files and nothing else.
func TestAdversarialConcurrent(t *testing.T) {
	bin, fix := advBinary(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	results := make([]advResult, 6)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i < 3 {
				results[i] = runAdv(t, bin, []string{"train", "-data", filepath.Join(fix, "d.npy"), "-layers", "8", "-epochs", "2",
					"-checkpoint-every", "1", "-o", filepath.Join(dir, "m.npz")}, nil, 0, 0, 60*time.Second)
				return
			}
			results[i] = runAdv(t, bin, []string{"sample", "-L", "4", "-n", "20", "-beta", "0.3,0.4", "-o", filepath.Join(dir, "set")}, nil, 0, 0, 60*time.Second)
		}(i)
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("run %d: exit %d: %s", i, r.code, r.stderr)
		}
	}
	mustRun(t, bin, 0, "eval", "-model", filepath.Join(dir, "m.npz"), "-data", filepath.Join(fix, "d.npy"))
	checkLeftovers(t, dir, map[string]bool{}, []string{"m.npz", "m.npz.timings.json", "m.npz.ckpt", "set", "set/beta_0.3000.npy", "set/beta_0.4000.npy"})
}
