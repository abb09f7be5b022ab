//go:build linux

package npy

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAtomicModeHelper is the child process of TestAtomicMode: under umask 077 it writes
// new.npy, new.npz and kept.npy (which exists) in NPY_MODE_DIR.
func TestAtomicModeHelper(t *testing.T) {
	dir := os.Getenv("NPY_MODE_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	syscall.Umask(0o077) // before anything reads it
	if m := processUmask(); m != 0o077 {
		t.Fatalf("umask read as %v, want 077", m)
	}
	for _, name := range []string{"new.npy", "kept.npy"} {
		if err := WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return WriteUint8(w, []int{1}, []uint8{1}) }); err != nil {
			t.Fatal(err)
		}
	}
	z, err := CreateNPZ(filepath.Join(dir, "new.npz"))
	if err == nil {
		z.WriteFloat32("a", []int{1}, []float32{1})
		err = z.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestAtomicMode: a new output gets 0666 less the umask, as os.Create gives, and a replaced
// one keeps its mode (every output was chmod'ed 0644, even under umask 077 and over a 0664 file).
func TestAtomicMode(t *testing.T) {
	procUmask(t)
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.npy")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o664); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestAtomicModeHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "NPY_MODE_DIR="+dir)
	if out, err := cmd.CombinedOutput(); errors.Is(err, syscall.ENOEXEC) {
		// Under qemu-user (CI's arm64 and s390x runs) the test binary cannot start itself;
		// the native run checks the modes.
		t.Skipf("cannot re-execute the test binary here (%v)", err)
	} else if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	for name, want := range map[string]fs.FileMode{"new.npy": 0o600, "new.npz": 0o600, "kept.npy": 0o664} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s written under umask 077: mode %v, want %v", name, got, want)
		}
	}
}

func TestParseUmask(t *testing.T) {
	for status, want := range map[string]fs.FileMode{
		"Name:\tnpy.test\nUmask:\t0027\nState:\tR (running)\n": 0o027,
		"Umask:\t0000\n": 0,
		"Umask:\t0777":   0o777,
	} {
		if got, ok := parseUmask(status); !ok || got != want {
			t.Errorf("parseUmask(%q) = %v, %v; want %v", status, got, ok, want)
		}
	}
	for _, status := range []string{"", "Name:\tx\n", "Umask:\tzz\n", "Umask:\t01777\n"} {
		if got, ok := parseUmask(status); ok {
			t.Errorf("parseUmask(%q) = %v, want none", status, got)
		}
	}
}

// procUmask skips a test on kernels without the "Umask:" line (before Linux 4.7), where the
// writers take the umask to be 022.
func procUmask(t *testing.T) {
	b, _ := os.ReadFile("/proc/self/status")
	if _, ok := parseUmask(string(b)); !ok {
		t.Skip("no Umask line in /proc/self/status")
	}
}
