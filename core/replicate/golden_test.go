package replicate

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"context"
	"github.com/isingrbm/isingrbm/asm"
)

// The golden test pins the bytes of the -quick replication (the library run
// behind `isingrbm replicate -quick`): the SHA-256 of every
// .npy file, of every member of every .npz archive and of summary.json, the
// JSON files with their timings, memory figures and program version removed.
// A refactoring that changes no arithmetic must leave them all unchanged.
//
// The kernels give the same bits under every implementation, so the test
// runs under whatever kernels are active (purego, AVX2, AVX-512, NEON).
// Regenerate the goldens after a deliberate change of the numbers with
//
//	go test ./core/replicate -run TestReplicateGolden -update-golden
//	go test ./core/replicate -run TestReplicateGolden -update-golden -short
//
// (or ISINGRBM_UPDATE_GOLDEN=1), and say in the commit why they changed.
var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/replicate from this run")

const goldenDir = "../../testdata/replicate"

// volatileKeys are the JSON keys whose values depend on the machine or the
// clock rather than on the seed ("kernels" names the implementations a model
// file was trained with). bench/same_files.py's VOLATILE is the same set
// plus "stage_key" (TestVolatileKeysMatchSameFiles).
var volatileKeys = map[string]bool{
	"seconds": true, "training_seconds": true, "stage_seconds": true,
	"peak_rss_mib": true, "program": true, "kernels": true, "created": true, "machine": true,
}

// normaliseJSON drops the volatile keys at every depth and re-encodes the
// rest with sorted keys.
func normaliseJSON(data []byte) ([]byte, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if volatileKeys[k] {
					delete(x, k)
					continue
				}
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	return json.MarshalIndent(v, "", " ")
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// replicateDigest lists "sha256  name" for every .npy, every .npz member
// (name "archive.npz:member") and the normalised summary.json under dir,
// sorted by name; it also returns the normalised summary.
func replicateDigest(dir string) ([]string, []byte, error) {
	var lines []string
	add := func(name string, b []byte) { lines = append(lines, sha(b)+"  "+name) }
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		switch filepath.Ext(p) {
		case ".npy":
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			add(rel, b)
		case ".npz":
			return digestNpz(p, rel, add)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, nil, err
	}
	sum, err := normaliseJSON(b)
	if err != nil {
		return nil, nil, fmt.Errorf("summary.json: %v", err)
	}
	add("summary.json", sum)
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	return lines, sum, nil
}

func digestNpz(path, rel string, add func(string, []byte)) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer z.Close()
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
		if strings.HasSuffix(f.Name, ".json") {
			if b, err = normaliseJSON(b); err != nil {
				return fmt.Errorf("%s:%s: %v", rel, f.Name, err)
			}
		}
		add(rel+":"+f.Name, b)
	}
	return nil
}

func TestReplicateGolden(t *testing.T) {
	t.Logf("kernels: f32=%s ising=%s", asm.Active("f32"), asm.Active("ising"))
	// -short (the race detector, qemu) pins the tiny settings of the
	// other tests instead of -quick's: the same stages in a second.
	settings, name := QuickSettings(), "quick"
	if testing.Short() {
		settings, name = tinySettings(), "tiny"
	}
	dir := t.TempDir()
	if err := Run(context.Background(), Config{Out: dir, Settings: settings, Version: "golden"}); err != nil {
		t.Fatalf("replicate -quick: %v", err)
	}
	lines, sum, err := replicateDigest(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "\n") + "\n"
	shaPath := filepath.Join(goldenDir, name+".sha256")
	sumPath := filepath.Join(goldenDir, name+"-summary.json")
	if *updateGolden || os.Getenv("ISINGRBM_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(shaPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sumPath, append(sum, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s and %s", shaPath, sumPath)
		return
	}
	want, err := os.ReadFile(shaPath)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-golden)", err)
	}
	if got == string(want) {
		return
	}
	wantSet := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		if len(l) > 66 {
			wantSet[l[66:]] = l[:64]
		}
	}
	// Every file, the float64 measures in the JSON files included, has the
	// same bytes on every architecture and build: the arrays because the
	// kernels fix their summation order, the measures because they use
	// asm/pmath instead of the math package's Exp, Log, Sin, ... (whose
	// last bits differ between amd64 with FMA, amd64 without it and
	// arm64). CI runs this test under GODEBUG=cpu.fma=off and -tags purego,
	// and checks the files of replicate -quick run as arm64 under qemu-user
	// against the same goldens (bench/same_files.py -golden and
	// bench/same_numbers.py against quick-summary.json).
	report := t.Errorf
	seen := map[string]bool{}
	for _, l := range lines {
		name := l[66:]
		seen[name] = true
		if w, ok := wantSet[name]; !ok {
			t.Errorf("%s: new output, not in %s", name, shaPath)
		} else if w != l[:64] {
			report("%s: sha256 %s, golden %s", name, l[:12], w[:12])
		}
	}
	for name := range wantSet {
		if !seen[name] {
			t.Errorf("%s: in %s but not produced", name, shaPath)
		}
	}
	if wantSum, err := os.ReadFile(sumPath); err == nil && !bytes.Equal(bytes.TrimSpace(wantSum), bytes.TrimSpace(sum)) {
		gl, wl := strings.Split(string(sum), "\n"), strings.Split(string(wantSum), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				report("summary.json first differs at line %d of %s:\n got  %s\n want %s", i+1, sumPath, gl[i], wl[i])
				break
			}
		}
	}
}

// TestVolatileKeysMatchSameFiles: bench/same_files.py, which compares two
// runs' outputs (and arm64's against these goldens in CI), leaves out the
// same keys as volatileKeys, and "stage_key" (a run's stage keys name its
// program version; this test's fixed version makes them reproducible).
func TestVolatileKeysMatchSameFiles(t *testing.T) {
	src, err := os.ReadFile("../../bench/same_files.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\nVOLATILE = \{(.*?)\}`).FindSubmatch(src)
	if m == nil {
		t.Fatal("bench/same_files.py: no VOLATILE = {...}")
	}
	py := map[string]bool{}
	for _, q := range regexp.MustCompile(`"([^"]*)"`).FindAllSubmatch(m[1], -1) {
		py[string(q[1])] = true
	}
	want := map[string]bool{"stage_key": true}
	for k := range volatileKeys {
		want[k] = true
	}
	if !maps.Equal(py, want) {
		t.Errorf("bench/same_files.py VOLATILE = %v, want volatileKeys and stage_key: %v", slices.Sorted(maps.Keys(py)), slices.Sorted(maps.Keys(want)))
	}
}
