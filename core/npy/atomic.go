package npy

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// WriteOptions tune WriteFileAtomicWith, CreateNPZWith and CheckOutput.
type WriteOptions struct {
	// ReplaceNonRegular lets a write replace an existing output that is not a regular file
	// (a symlink, which is replaced itself and not followed, a FIFO, a socket or a device
	// node). Without it such an output is refused before anything is written. A directory is
	// never replaced.
	ReplaceNonRegular bool
	// MaxMembers bounds the members of an archive CreateNPZWith writes (0:
	// DefaultNPZMaxMembers, what OpenNPZ reads). A writer of larger archives raises it, and
	// their readers pass the same bound as NPZOptions.MaxMembers. Other writes ignore it.
	MaxMembers int
}

// ErrNotRegular is wrapped by the error for an existing output that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// CheckOutput reports whether path can be written by WriteFileAtomicWith with opt: its
// directory exists and is a directory, and path does not exist, is a regular file, or (with
// opt.ReplaceNonRegular) is anything but a directory. Commands call it for every output before
// starting work; the writers check again when they start and when they finish.
func CheckOutput(path string, opt WriteOptions) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: directory %s: %w", path, dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	return checkTarget(path, opt)
}

func checkTarget(path string, opt WriteOptions) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	mode := st.Mode()
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		return fmt.Errorf("%s: exists and is a directory, want a file name", path)
	case opt.ReplaceNonRegular:
		return nil
	}
	return fmt.Errorf("%s: exists and is a %s, %w; refusing to replace it", path, kindOf(mode), ErrNotRegular)
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return "special file (" + m.Type().String() + ")"
}

// WriteFileAtomic is WriteFileAtomicWith with the default options.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	return WriteFileAtomicWith(path, WriteOptions{}, write)
}

// WriteFileAtomicWith creates path with the bytes write produces, so that path either keeps its
// old content or has the complete new one, whatever happens (errors, a panic in write,
// SIGKILL, power loss after it returns). On Linux the data goes to an unnamed file in path's
// directory (O_TMPFILE), which is linked in under its name only when complete and synced, so
// nothing is left behind by a kill. Elsewhere, and on file systems without O_TMPFILE, it goes
// to a hidden temporary file named after path, this host and this process
// (".name.tmp-host-pid-random"), and every later write of the same path removes such files
// whose process is gone. The file is fsynced, renamed over path, and the directory is synced.
// A new file has mode 0666 less the process's umask (see newFileMode); a file that replaces a
// regular file keeps that file's permission bits. An existing path that is not a regular file is
// refused (see WriteOptions).
func WriteFileAtomicWith(path string, opt WriteOptions, write func(w io.Writer) error) error {
	return writeAtomic(path, opt, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteFileAtomicAt is WriteFileAtomicWith for a producer that writes its
// bytes at their offsets (io.WriterAt: concurrent calls on distinct
// ranges are safe), unbuffered; every byte up to the file's end must be
// written.
func WriteFileAtomicAt(path string, opt WriteOptions, write func(w io.WriterAt) error) error {
	return writeAtomic(path, opt, func(f *os.File) error { return write(f) })
}

// writeAtomic runs write on the output file of path and commits it, or
// discards it if write fails or panics.
func writeAtomic(path string, opt WriteOptions, write func(f *os.File) error) error {
	af, err := createAtomic(path, opt)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			af.abort()
		}
	}()
	if err := write(af.f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := af.commit(); err != nil {
		return err
	}
	done = true
	return nil
}

// atomicFile is an output being written: an unnamed file (tmp == "") or a named temporary one.
type atomicFile struct {
	path, tmp string
	f         *os.File
	opt       WriteOptions
}

// processUmask is the process's umask, read once. On Linux it comes from the "Umask:" line of
// /proc/self/status (Linux 4.7 and later): syscall.Umask can only read it by setting it, which
// would race with files other goroutines create meanwhile. Without that line it is taken to
// be 022.
var processUmask = sync.OnceValue(func() fs.FileMode {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		if m, ok := parseUmask(string(b)); ok {
			return m
		}
	}
	return 0o022
})

// parseUmask finds the "Umask:\t0022" line of a /proc/self/status.
func parseUmask(status string) (fs.FileMode, bool) {
	for line := range strings.Lines(status) {
		v, ok := strings.CutPrefix(line, "Umask:")
		if !ok {
			continue
		}
		m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
		if err != nil || m > 0o777 {
			return 0, false
		}
		return fs.FileMode(m), true
	}
	return 0, false
}

// newFileMode is the mode of a file the writers create where none was: 0666 less the umask, as
// os.Create gives (0644 under the usual umask 022).
func newFileMode() fs.FileMode { return 0o666 &^ processUmask() }

// outputMode is the mode path's new content gets: that of the regular file it replaces, or
// newFileMode.
func outputMode(path string) fs.FileMode {
	if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() {
		return st.Mode().Perm()
	}
	return newFileMode()
}

func createAtomic(path string, opt WriteOptions) (*atomicFile, error) {
	if err := CheckOutput(path, opt); err != nil {
		return nil, err
	}
	removeStaleTemps(path)
	if f, err := openUnnamed(filepath.Dir(path)); err == nil {
		return &atomicFile{path: path, f: f, opt: opt}, nil
	}
	f, err := createNamedTemp(path)
	if err != nil {
		return nil, err
	}
	return &atomicFile{path: path, tmp: f.Name(), f: f, opt: opt}, nil
}

// tempPrefix is the start of the names of path's temporary files: "." + base + ".tmp-".
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// tempOwner is "host-pid" for this process, host reduced to [A-Za-z0-9] (at most 16).
func tempOwner() string {
	h, _ := os.Hostname()
	var b strings.Builder
	for _, c := range h {
		if b.Len() < 16 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		b.WriteString("host")
	}
	return b.String() + "-" + strconv.Itoa(os.Getpid())
}

// tempName is a fresh random name for a temporary file of path, in its folder.
func tempName(path string) string {
	var r [6]byte
	rand.Read(r[:])
	return filepath.Join(filepath.Dir(path), tempPrefix(path)+tempOwner()+"-"+hex.EncodeToString(r[:]))
}

func createNamedTemp(path string) (*os.File, error) {
	for range 100 {
		f, err := os.OpenFile(tempName(path), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("%s: cannot create a temporary file next to it", path)
}

// removeStaleTemps removes path's temporary files left by a killed process of this host: their
// names carry this host and a process id that no longer runs. Anything else is left alone.
func removeStaleTemps(path string) {
	prefix := tempPrefix(path)
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	own := tempOwner()
	host := own[:strings.LastIndexByte(own, '-')+1] // "host-"
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		rest, ok = strings.CutPrefix(rest, host)
		if !ok {
			continue
		}
		pidStr, rnd, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if !ok || err != nil || pid <= 0 || len(rnd) != 12 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		os.Remove(filepath.Join(filepath.Dir(path), name))
	}
}

// commit sets the output's mode (outputMode), syncs the file, puts it in place under its name
// and syncs the directory.
func (a *atomicFile) commit() error {
	path := a.path
	mode := outputMode(path)
	if err := a.f.Chmod(mode); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := checkTarget(path, a.opt); err != nil { // it may have changed while we wrote
		return err
	}
	if a.tmp == "" {
		tmp, err := linkUnnamed(a.f, path)
		switch {
		case err != nil:
			// The file system cannot name it (no /proc): copy it to a named temporary.
			if err := a.copyToNamed(mode); err != nil {
				return err
			}
		case tmp == "": // linked in under path itself, which did not exist
			a.f.Close()
			a.f = nil
			syncDir(filepath.Dir(path))
			return nil
		default: // linked in under a temporary name: rename it over path at once, so
			// that a kill finds the temporary name for as short a time as possible
			if err := os.Rename(tmp, path); err != nil {
				os.Remove(tmp)
				return err
			}
			a.f.Close()
			a.f = nil
			syncDir(filepath.Dir(path))
			return nil
		}
	}
	if err := a.f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	a.f = nil
	if err := os.Rename(a.tmp, path); err != nil {
		return err
	}
	a.tmp = ""
	syncDir(filepath.Dir(path))
	return nil
}

// copyToNamed moves the content of an unnamed file to a named temporary one of the given mode.
func (a *atomicFile) copyToNamed(mode fs.FileMode) error {
	nf, err := createNamedTemp(a.path)
	if err != nil {
		return err
	}
	_, err = a.f.Seek(0, io.SeekStart)
	if err == nil {
		_, err = io.Copy(nf, a.f)
	}
	if err == nil {
		err = nf.Chmod(mode)
	}
	if err == nil {
		err = nf.Sync()
	}
	if err != nil {
		nf.Close()
		os.Remove(nf.Name())
		return fmt.Errorf("%s: %w", a.path, err)
	}
	a.f.Close()
	a.f, a.tmp = nf, nf.Name()
	return nil
}

// abort discards the output: an unnamed file vanishes when closed, a named one is removed.
func (a *atomicFile) abort() {
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
	if a.tmp != "" {
		os.Remove(a.tmp)
		a.tmp = ""
	}
}

// syncDir makes a rename or link durable; not every file system supports syncing a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
