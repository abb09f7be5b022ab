package rbm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckOwnCheckpoint: no file is no checkpoint, a file that is not
// one of ours is refused, and a file that a concurrent run removes while
// it is read (TestAdversarialConcurrent's race) counts as no file, not as a
// foreign one.
func TestCheckOwnCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.npz.ckpt")
	if m, err := checkOwnCheckpoint(ckpt); m != nil || err != nil {
		t.Fatalf("missing file: %v, %v; want nil, nil", m, err)
	}
	if err := os.WriteFile(ckpt, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkOwnCheckpoint(ckpt); err == nil || !strings.Contains(err.Error(), "is not a checkpoint") {
		t.Fatalf("foreign file: %v; want a refusal", err)
	}
	defer func(f func(string) (Meta, error)) { readCheckpointMeta = f }(readCheckpointMeta)
	readCheckpointMeta = func(path string) (Meta, error) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return ReadCheckpointMeta(path)
	}
	if m, err := checkOwnCheckpoint(ckpt); m != nil || err != nil {
		t.Fatalf("file removed while read: %v, %v; want nil, nil", m, err)
	}
}
