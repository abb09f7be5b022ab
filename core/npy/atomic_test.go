package npy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// TestAtomicNotRegular: an existing output that is not a regular file is refused, by name,
// before anything is written, and left as it was; with ReplaceNonRegular it is replaced (a
// symlink itself, never what it points to); a directory is never replaced.
func TestAtomicNotRegular(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	type target struct {
		name, kind string
		make       func(p string) error
	}
	targets := []target{
		{"link", "exists and is a symbolic link, not a regular file; refusing to replace it", func(p string) error { return os.Symlink(victim, p) }},
		{"dangling", "exists and is a symbolic link", func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) }},
		{"fifo", "exists and is a named pipe (FIFO), not a regular file", mkfifo},
		{"dir", "exists and is a directory, want a file name", func(p string) error { return os.Mkdir(p, 0o755) }},
	}
	for _, tg := range targets {
		for _, replace := range []bool{false, true} {
			name := fmt.Sprintf("%s_%v", tg.name, replace)
			p := filepath.Join(dir, name)
			if err := tg.make(p); err != nil {
				t.Logf("%s: cannot create: %v", name, err)
				continue
			}
			opt := WriteOptions{ReplaceNonRegular: replace}
			called := false
			err := WriteFileAtomicWith(p, opt, func(w io.Writer) error { called = true; _, err := w.Write([]byte("new")); return err })
			cerr := CheckOutput(p, opt)
			z, zerr := CreateNPZWith(p, false, opt)
			if zerr == nil {
				z.Abort()
			}
			if replace && tg.name != "dir" {
				if err != nil || cerr != nil || zerr != nil {
					t.Errorf("%s: WriteFileAtomicWith %v, CheckOutput %v, CreateNPZWith %v; want success", name, err, cerr, zerr)
				}
				st, lerr := os.Lstat(p)
				if lerr != nil || !st.Mode().IsRegular() {
					t.Errorf("%s: not replaced by a regular file: %v %v", name, st.Mode(), lerr)
				}
			} else {
				for what, e := range map[string]error{"WriteFileAtomicWith": err, "CheckOutput": cerr, "CreateNPZWith": zerr} {
					if e == nil || !strings.HasPrefix(e.Error(), p+": ") || !strings.Contains(e.Error(), tg.kind) {
						t.Errorf("%s: %s error %v, want %q about %s", name, what, e, tg.kind, p)
					}
				}
				if called {
					t.Errorf("%s: write ran although the output is refused", name)
				}
				if tg.name != "dir" && !errors.Is(err, ErrNotRegular) {
					t.Errorf("%s: %v does not wrap ErrNotRegular", name, err)
				}
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep" {
				t.Fatalf("%s: the symlink's target was overwritten", name)
			}
		}
	}
	if err := CheckOutput(filepath.Join(dir, "no/such/x.npy"), WriteOptions{}); err == nil || !strings.Contains(err.Error(), "directory "+filepath.Join(dir, "no/such")) {
		t.Errorf("missing directory: %v", err)
	}
	if err := CheckOutput(filepath.Join(victim, "x.npy"), WriteOptions{}); err == nil || !strings.Contains(err.Error(), victim+" is not a directory") {
		t.Errorf("file as directory: %v", err)
	}
	for _, n := range dirNames(t, dir) {
		if strings.Contains(n, ".tmp-") {
			t.Errorf("temporary file %s left behind", n)
		}
	}
}

// TestAtomicInvisible: on Linux, while write runs nothing new is visible in the directory
// (the data goes to an unnamed file), whether the output exists or not.
func TestAtomicInvisible(t *testing.T) {
	dir := t.TempDir()
	if f, err := openUnnamed(dir); err != nil {
		t.Skipf("no unnamed files here (%v): the named fallback is tested by TestAtomicKill", err)
	} else {
		f.Close()
	}
	p := filepath.Join(dir, "x.npy")
	for i, content := range []string{"first", "second"} {
		before := dirNames(t, dir)
		err := WriteFileAtomic(p, func(w io.Writer) error {
			w.Write([]byte(content))
			if now := dirNames(t, dir); !slices.Equal(now, before) {
				t.Errorf("write %d: directory holds %v during the write, was %v", i, now, before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("write %d: content %q", i, b)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != newFileMode() {
			t.Errorf("mode %v, want %v (0666 less the umask)", st.Mode(), newFileMode())
		}
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"x.npy"}) {
		t.Errorf("directory holds %v, want only x.npy", names)
	}
}

// TestAtomicHelper is the child process of TestAtomicKill: it starts writing the output named
// by NPY_ATOMIC_TARGET, unnamed or through a named temporary (NPY_ATOMIC_MODE), says "ready"
// and waits to be killed.
func TestAtomicHelper(t *testing.T) {
	target := os.Getenv("NPY_ATOMIC_TARGET")
	if target == "" {
		t.Skip("helper process only")
	}
	ready := func() { fmt.Println("ready"); os.Stdout.Sync(); time.Sleep(time.Minute) }
	if os.Getenv("NPY_ATOMIC_MODE") == "named" {
		f, err := createNamedTemp(target)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(make([]byte, 1<<20))
		f.Sync()
		ready()
	}
	WriteFileAtomic(target, func(w io.Writer) error {
		w.Write(make([]byte, 4<<20))
		ready()
		return nil
	})
}

// TestAtomicKill: SIGKILL in the middle of a write leaves the old output intact and, with
// unnamed files, nothing else; a named temporary left by a killed process is removed by the
// next write of the same output, while those of live processes or other hosts are kept.
func TestAtomicKill(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("needs SIGKILL")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	os.WriteFile(p, []byte("old"), 0o644)
	kill := func(mode string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAtomicHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "NPY_ATOMIC_TARGET="+p, "NPY_ATOMIC_MODE="+mode)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("cannot re-run the test binary here (emulated?): %v", err)
		} else if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		var got []byte
		deadline := time.Now().Add(30 * time.Second)
		for !bytes.Contains(got, []byte("ready")) && time.Now().Before(deadline) {
			n, err := out.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if !bytes.Contains(got, []byte("ready")) {
			t.Fatalf("helper (%s) never got ready: %s", mode, got)
		}
	}
	unnamed := true
	if f, err := openUnnamed(dir); err != nil {
		unnamed = false
	} else {
		f.Close()
	}
	if unnamed {
		kill("unnamed")
		if names := dirNames(t, dir); !slices.Equal(names, []string{"x.npy"}) {
			t.Errorf("after SIGKILL of an unnamed write the directory holds %v, want only x.npy", names)
		}
	}
	kill("named")
	names := dirNames(t, dir)
	if len(names) != 2 {
		t.Fatalf("after SIGKILL of a named write the directory holds %v, want x.npy and one temporary", names)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("output changed to %q by a killed write", b)
	}
	// Temporaries that are not provably stale: a live process (this one's parent, pid 1 is
	// not ours to judge but alive too) and another host.
	own := tempOwner()
	host := own[:strings.LastIndexByte(own, '-')]
	keep := []string{
		tempPrefix(p) + host + "-" + strconv.Itoa(os.Getppid()) + "-0123456789ab",
		tempPrefix(p) + "otherhost-999999999-0123456789ab",
		tempPrefix(p) + host + "-notapid-0123456789ab",
		".y.npy.tmp-" + host + "-999999999-0123456789ab",
	}
	for _, k := range keep {
		os.WriteFile(filepath.Join(dir, k), nil, 0o600)
	}
	if err := WriteFileAtomic(p, writeBytes([]byte("new"))); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"x.npy"}, keep...)
	slices.Sort(want)
	if names := dirNames(t, dir); !slices.Equal(names, want) {
		t.Errorf("after the next write the directory holds %v, want %v (stale temporary removed, others kept)", names, want)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("output %q, want new", b)
	}
}

// TestAtomicNamedFallback: the copy from an unnamed file to a named temporary (used when the
// unnamed file cannot be linked in) keeps the content.
func TestAtomicNamedFallback(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	f, err := openUnnamed(dir)
	if err != nil {
		f, err = os.CreateTemp(dir, "src")
		if err != nil {
			t.Fatal(err)
		}
	}
	af := &atomicFile{path: p, f: f}
	f.Write([]byte("payload"))
	if err := af.copyToNamed(0o640); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(af.tmp); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o640 {
		t.Errorf("temporary of mode %v, want the 0640 asked for", st.Mode())
	}
	if !strings.HasPrefix(filepath.Base(af.tmp), tempPrefix(p)+tempOwner()+"-") {
		t.Errorf("temporary %s does not carry host and pid", af.tmp)
	}
	if err := af.f.Close(); err != nil {
		t.Fatal(err)
	}
	af.f = nil
	if b, _ := os.ReadFile(af.tmp); string(b) != "payload" {
		t.Errorf("copied %q", b)
	}
	tmp := af.tmp
	af.abort()
	if _, err := os.Stat(tmp); err == nil {
		t.Error("abort left the temporary")
	}
}

// TestAtomicNamedFallbackFails: when the unnamed file cannot be read back, the copy
// fails and leaves no temporary (it once dropped the copy's error and went on to put
// an empty file in place).
func TestAtomicNamedFallbackFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("payload"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(src, os.O_WRONLY, 0) // io.Copy cannot read it
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	af := &atomicFile{path: p, f: f}
	err = af.copyToNamed(0o644)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("copy from a write-only file: error %v, want one that names %s", err, p)
	}
	if af.tmp != "" {
		t.Errorf("temporary %s recorded after a failed copy", af.tmp)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"src"}) {
		t.Errorf("after a failed copy the directory holds %v, want only src", names)
	}
}

// TestAtomicAt checks WriteFileAtomicAt: pieces written out of order and
// from several goroutines make the whole file, and a failing producer
// leaves the old content and no temporary file behind.
func TestAtomicAt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.npy")
	want := make([]byte, 1<<16+5)
	for i := range want {
		want[i] = byte(i * 7)
	}
	err := WriteFileAtomicAt(path, WriteOptions{}, func(w io.WriterAt) error {
		errs := make(chan error, 8)
		for p := 7; p >= 0; p-- { // last piece first
			go func() {
				lo, hi := p*len(want)/8, (p+1)*len(want)/8
				_, err := w.WriteAt(want[lo:hi], int64(lo))
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				return err
			}
		}
		return nil
	})
	if got, rerr := os.ReadFile(path); err != nil || rerr != nil || !bytes.Equal(got, want) {
		t.Fatalf("WriteFileAtomicAt: %v, %v; %d bytes, want %d", err, rerr, len(got), len(want))
	}
	err = WriteFileAtomicAt(path, WriteOptions{}, func(w io.WriterAt) error {
		w.WriteAt([]byte("partial"), 0)
		return errors.New("producer failed")
	})
	if err == nil || !strings.Contains(err.Error(), "producer failed") {
		t.Fatalf("failing producer: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatal("a failed WriteFileAtomicAt changed the file")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"x.npy"}) {
		t.Fatalf("left in the folder: %q", names)
	}
}
