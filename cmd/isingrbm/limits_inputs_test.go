package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleSeveralIntoNpyName: several couplings go into a folder; one
// named like a .npy file was made silently (out/s.npy/beta_0.3000.npy).
func TestSampleSeveralIntoNpyName(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []string{"s.npy", "S.NPY", "s.npy/"} {
		code, _, stderr := runCmd("sample", "-L", "8", "-n", "10", "-beta", "0.3,0.4", "-o", filepath.Join(dir, o))
		if code != 2 || !strings.Contains(stderr, "2 couplings are written as files beta_K.npy into a folder, and this name ends in .npy") {
			t.Errorf("-o %s: exit %d, %q", o, code, stderr)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("-o %s: %s made", o, ents[0].Name())
		}
	}
	// One coupling into a .npy file, several into a folder, still work.
	if code, _, stderr := runCmd("sample", "-L", "8", "-n", "10", "-beta", "0.3", "-o", filepath.Join(dir, "s.npy")); code != 0 {
		t.Fatalf("one coupling: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCmd("sample", "-L", "8", "-n", "10", "-beta", "0.3,0.4", "-o", filepath.Join(dir, "s")); code != 0 {
		t.Fatalf("a folder: exit %d %s", code, stderr)
	}
}

// TestSampleLargeLMessage: -h gives -L 4..32768 and the memory that bounds
// it; L = 32768 at -n 1 is refused naming what was given (not -replicas)
// and the largest L that fits.
func TestSampleLargeLMessage(t *testing.T) {
	code, _, stderr := runCmd("sample", "-L", "32768", "-n", "1", "-o", filepath.Join(t.TempDir(), "s.npy"))
	if code != 2 || strings.Contains(stderr, "-replicas") || !strings.Contains(stderr, "-L 32768 with -n 1") || !strings.Contains(stderr, "L is at most 11495") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	_, help, _ := runCmd("sample", "-h")
	if !strings.Contains(help, "4..32768, as long as the samples and lattices fit in the sampler's 8 GiB") {
		t.Errorf("sample -h: %s", help)
	}
}

// TestEvalLayersRepeated: eval -layers names each layer once; "2,1,1" was
// taken as 1,2 without a word. Distinct layers in any order still work.
func TestEvalLayersRepeated(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{40, 4, 4}, randomSpins(40, 16, 3))
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCmd("train", "-data", data, "-layers", "4,2", "-epochs", "1", "-o", model); code != 0 {
		t.Fatalf("train: exit %d %s", code, stderr)
	}
	for _, l := range []string{"2,1,1", "1,1", "2, 2"} {
		code, stdout, stderr := runCmd("eval", "-model", model, "-data", data, "-layers", l, "-ais-runs", "2", "-ais-steps", "15")
		if code != 2 || !strings.Contains(stderr, "-layers "+l+": layer ") || !strings.Contains(stderr, "is named twice") || stdout != "" {
			t.Errorf("-layers %s: exit %d, %q", l, code, stderr)
		}
	}
	code, stdout, stderr := runCmd("eval", "-model", model, "-data", data, "-layers", "2,1", "-ais-runs", "2", "-ais-steps", "15", "-json")
	var rep struct{ Layers []json.RawMessage }
	if code != 0 || json.Unmarshal([]byte(stdout), &rep) != nil || len(rep.Layers) != 2 {
		t.Errorf("-layers 2,1: exit %d, %d layers, %s", code, len(rep.Layers), stderr)
	}
}

// TestMessagesOnce: version -x says its error once (the flag package
// printed it before the usage, then main again; TestFlagErrors checks every
// command); study's -spec help no longer says that plan writes specs (it
// writes nothing).
func TestMessagesOnce(t *testing.T) {
	code, _, stderr := runCmd("version", "-x")
	if code != 2 || stderr != "isingrbm version: -x: unknown flag; isingrbm version takes no flags\n" {
		t.Errorf("version -x: exit %d, %q", code, stderr)
	}
	_, help, _ := runCmd("study", "plan", "-h")
	if strings.Contains(help, "written by plan") || !strings.Contains(help, "plan writes nothing") {
		t.Errorf("study plan -h: %s", help)
	}
}
