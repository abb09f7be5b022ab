package npy

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAtomicTargetChangesDuringWrite: an output that becomes a symbolic link or a directory
// while it is written is refused when the write commits (checkTarget's second look), and left
// as it is: the link and what it points to, or the directory.
func TestAtomicTargetChangesDuringWrite(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, want string
		become     func(p string) error
		isErr      error
	}{
		{"link", "exists and is a symbolic link, not a regular file; refusing to replace it", func(p string) error { return os.Symlink(victim, p) }, ErrNotRegular},
		{"dir", "exists and is a directory, want a file name", func(p string) error { return os.Mkdir(p, 0o755) }, nil},
	}
	for _, c := range cases {
		for _, existed := range []bool{false, true} {
			p := filepath.Join(dir, c.name+".npy")
			os.Remove(p)
			if existed {
				if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			change := func() {
				os.Remove(p)
				if err := c.become(p); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFileAtomic(p, func(w io.Writer) error {
				change()
				_, err := w.Write([]byte("new"))
				return err
			})
			if err == nil || err.Error() != p+": "+c.want || c.isErr != nil && !errors.Is(err, c.isErr) {
				t.Errorf("%s (existed %v): WriteFileAtomic: %v, want %q", c.name, existed, err, c.want)
			}
			st, lerr := os.Lstat(p)
			if lerr != nil || st.Mode().IsRegular() {
				t.Errorf("%s (existed %v): the output was replaced by a regular file", c.name, existed)
			}
			os.Remove(p)
			// The same through the archive writer.
			z, err := CreateNPZ(p)
			if err != nil {
				t.Fatal(err)
			}
			change()
			z.WriteFloat32("a", []int{1}, []float32{1})
			if err := z.Close(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: NPZWriter.Close: %v, want %q", c.name, err, c.want)
			}
			if st, lerr := os.Lstat(p); lerr != nil || st.Mode().IsRegular() {
				t.Errorf("%s: the archive replaced the output", c.name)
			}
			os.Remove(p)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the link's target now holds %q", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"victim"}) {
		t.Errorf("left in the folder: %q", names)
	}
}
