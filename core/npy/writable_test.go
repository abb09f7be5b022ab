package npy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	if err := CheckDir(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for path, want := range map[string]string{filepath.Join(dir, "none"): "does not exist", file: "is not a folder"} {
		if err := CheckDir(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		defer os.Chmod(ro, 0o755)
		if err := CheckDir(ro); err == nil || !strings.Contains(err.Error(), "cannot write in") {
			t.Errorf("read-only folder: %v", err)
		}
	}
	// A folder that holds no files although root passes access(2) there
	// (procfs): CheckDir must fail, not the write at the end of a run.
	if st, err := os.Stat("/proc/self"); err == nil && st.IsDir() {
		if err := CheckDir("/proc"); err == nil || !strings.Contains(err.Error(), "cannot write in /proc") {
			t.Errorf("/proc: %v, want cannot write", err)
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".isingrbm") {
			t.Errorf("left %s", e.Name())
		}
	}
}

func TestCheckOutputFlag(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "target"), link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		opt  WriteOptions
		want string // "" for no error
	}{
		{filepath.Join(dir, "new.npy"), WriteOptions{}, ""},
		{"", WriteOptions{}, "-o: want an output file name"},
		{dir, WriteOptions{}, "-o: " + dir + ": exists and is a directory"},
		{link, WriteOptions{}, "refusing to replace it (-replace replaces it)"},
		{link, WriteOptions{ReplaceNonRegular: true}, ""},
		{filepath.Join(dir, "none", "x.npy"), WriteOptions{}, "-o: " + filepath.Join(dir, "none", "x.npy") + ": directory"},
	} {
		err := CheckOutputFlag("o", c.path, c.opt)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want success", c.path, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want %q", c.path, err, c.want)
		}
	}
	if err := CheckDirFlag("o", filepath.Join(dir, "none")); err == nil || !strings.HasPrefix(err.Error(), "-o: folder ") {
		t.Errorf("CheckDirFlag of a missing folder: %v", err)
	}
}
