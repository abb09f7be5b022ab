package rbm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
)

// fuzzMaxTrainBytes bounds the training a fuzzed checkpoint may resume:
// states that would need more (EstimateTrainBytes) are only read.
const fuzzMaxTrainBytes = 64 << 20

// FuzzResumeCheckpoint: a checkpoint whose meta.json says anything at all
// (a hand edit, a truncated or foreign file) is refused with an error that
// names the file, or resumed; never a panic. The seeds are a real
// checkpoint's meta.json, taken in the second layer, and edits of it that
// checkCheckpoint and readCheckpoint must refuse. A resume runs on a context
// that cancels after a few mini-batches, so a fuzzed epoch count costs
// nothing.
func FuzzResumeCheckpoint(f *testing.F) {
	d := randomBinary(60, 16, 0.3, 3)
	cfg, err := Preset("mehta-schwab")
	if err != nil {
		f.Fatal(err)
	}
	cfg.Epochs, cfg.Batch, cfg.CheckpointEvery, cfg.Seed = 3, 10, 1, 9
	cfg.CheckpointPath = filepath.Join(f.TempDir(), "ckpt.npz")
	// Stop in layer 1, after its first epoch, so that the checkpoint holds
	// a trained layer, one in training and its velocities.
	for stop := 20; ; stop++ {
		if _, _, err := TrainDBN(newCountCtx(stop), d, []int{16, 6, 4}, cfg, nil); !errors.Is(err, context.Canceled) {
			f.Fatalf("run interrupted at %d returned %v", stop, err)
		}
		st, err := readCheckpoint(cfg.CheckpointPath)
		if err != nil {
			f.Fatalf("the seed checkpoint does not read back: %v", err)
		}
		if st.layer == 1 && st.epoch > 0 {
			break
		}
	}
	members, meta := readMembers(f, cfg.CheckpointPath)
	f.Add(meta)
	// Every edit but the last is refused when the checkpoint is read (the
	// last, a batch larger than the data, is a state a library caller can
	// resume; the command line refuses it against -data).
	edits := [][2]string{
		{`"checkpoint":{"layer":1`, `"checkpoint":{"layer":7`},
		{`"checkpoint":{"layer":1`, `"checkpoint":{"layer":-1`},
		{`"checkpoint":{"layer":1`, `"checkpoint":{"layer":0`},
		{`"checkpoint":{"layer":1,"epoch":`, `"checkpoint":{"layer":1,"epoch":-`},
		{`"sizes":[16,6,4]`, `"sizes":[16,6]`},
		{`"sizes":[16,6,4]`, `"sizes":[16,7,4]`},
		{`"sizes":[16,6,4]`, `"sizes":[16,6,1048577]`},
		{`"batch":10`, `"batch":0`},
		{`"cd_k":1`, `"cd_k":1e9`},
		{`"learning_rate":0.1`, `"learning_rate":1e30`},
		{`"threads":0`, `"threads":-1`},
		{`"pcd":false`, `"pcd":true`},
		{`"data_hash":"`, `"data_hash":"zz`},
		{`"batch":10`, `"batch":100000`},
	}
	for i, edit := range edits {
		if !bytes.Contains(meta, []byte(edit[0])) {
			f.Fatalf("the seed meta.json lacks %s: %s", edit[0], meta)
		}
		edited := bytes.Replace(meta, []byte(edit[0]), []byte(edit[1]), 1)
		_, err := readCheckpoint(checkpointWith(f, f.TempDir(), members, edited))
		if refuse := i < len(edits)-1; refuse != (err != nil) {
			f.Errorf("meta.json with %s: read back with error %v, want refused %v", edit[1], err, refuse)
		}
		f.Add(edited)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add(meta[:len(meta)/2])

	f.Fuzz(func(t *testing.T, meta []byte) {
		path := checkpointWith(t, t.TempDir(), members, meta)
		st, err := readCheckpoint(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		// What readCheckpoint accepted is a state a run could have written.
		if len(st.dbn.Layers) > st.layer+1 || st.layer >= len(st.sizes)-1 {
			t.Fatalf("accepted layer %d of sizes %v with %d trained layers", st.layer, st.sizes, len(st.dbn.Layers))
		}
		if EstimateTrainBytes(d.N, false, st.sizes, st.cfg) > fuzzMaxTrainBytes {
			return
		}
		// A resume must notice its context: the run is cancelled after
		// a few mini-batches, so ten seconds mean it did not (a panic
		// outside the test's goroutine, so the fuzzer keeps the input).
		watchdog := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("resume still running 10 s after it started; meta.json %s", meta))
		})
		_, _, err = ResumeDBN(newCountCtx(8), path, d, nil)
		watchdog.Stop()
		if err != nil && !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), path) && !errors.Is(err, ErrDiverged) {
			t.Errorf("resume: %v", err)
		}
	})
}

// checkpointWith writes dir/c.npz: members, then meta.json holding meta.
func checkpointWith(tb testing.TB, dir string, members []zipMember, meta []byte) string {
	tb.Helper()
	path := filepath.Join(dir, "c.npz")
	writeMembers(tb, path, members, meta)
	return path
}

// writeMembers writes the archive path: members, then meta.json holding
// meta.
func writeMembers(tb testing.TB, path string, members []zipMember, meta []byte) {
	tb.Helper()
	w, err := npy.CreateNPZ(path)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range members {
		if err := w.WriteFile(m.name, m.data); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.WriteFile("meta.json", meta); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

type zipMember struct {
	name string
	data []byte
}

// readMembers returns the members of the archive at path other than
// meta.json, in order, and meta.json's bytes (compacted JSON, so that the
// seeds' edits find their fields).
func readMembers(f testing.TB, path string) ([]zipMember, []byte) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		f.Fatal(err)
	}
	defer zr.Close()
	var members []zipMember
	var meta []byte
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		if zf.Name == "meta.json" {
			var buf bytes.Buffer
			if err := json.Compact(&buf, b); err != nil {
				f.Fatal(err)
			}
			meta = buf.Bytes()
			continue
		}
		members = append(members, zipMember{zf.Name, b})
	}
	if meta == nil {
		f.Fatalf("%s has no meta.json", path)
	}
	if _, err := os.Stat(path); err != nil {
		f.Fatal(err)
	}
	return members, meta
}
