package npy

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strings"
)

// DefaultNPZMaxBytes bounds the uncompressed bytes one archive may hand out when NPZOptions
// leave MaxBytes at zero: 256 MiB, a thousand times this project's largest model, and small
// enough that reading plus one float conversion stay well under 1 GiB. Callers that load larger
// archives on purpose raise it through NPZOptions.MaxBytes.
const DefaultNPZMaxBytes = 256 << 20

// DefaultNPZMaxMembers bounds the number of members when NPZOptions leave MaxMembers at zero
// (so that the directory of a hostile archive takes little memory), and the members NPZWriter
// writes when WriteOptions leave MaxMembers at zero, so that what it writes OpenNPZ reads.
// Callers whose archives hold more raise both to the same bound.
const DefaultNPZMaxMembers = 4096

// NPZOptions tune ReadNPZWith and OpenNPZWith. The zero value means the defaults.
type NPZOptions struct {
	// MaxBytes bounds the sum of the uncompressed sizes of the members read (0: the default,
	// DefaultNPZMaxBytes). A member that would pass it is refused before it is inflated.
	MaxBytes int64
	// MaxMembers bounds the number of members in the archive (0: DefaultNPZMaxMembers).
	MaxMembers int
	// Keep selects the members ReadNPZWith reads, by full member name ("W0.npy",
	// "meta.json"); nil reads all. The others are never inflated.
	Keep func(member string) bool
}

func (o NPZOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultNPZMaxBytes
	}
	return o.MaxBytes
}

func (o NPZOptions) maxMembers() int {
	if o.MaxMembers <= 0 {
		return DefaultNPZMaxMembers
	}
	return o.MaxMembers
}

// ErrNPZLimit is wrapped by the error for a member that would pass NPZOptions.MaxBytes, or the
// bound given to FileMax.
var ErrNPZLimit = errors.New("over the .npz size limit")

// ErrChecksum is wrapped by the error for a member whose CRC-32 does not match its data.
var ErrChecksum = errors.New("CRC-32 mismatch")

// NPZReader is an open .npz archive whose members are read, checked and inflated one at a
// time, on demand. Every read verifies the member's CRC-32 and its size against both the zip
// directory and the .npy header, and counts against the archive's byte limit.
type NPZReader struct {
	path   string
	closer io.Closer
	files  map[string]*zip.File
	names  []string
	limit  int64
	used   int64
}

// NPZ is the content of a .npz archive: members ending in .npy are parsed into Arrays, keyed by
// the name without ".npy" (numpy.load's keys); every other member goes to Files under its full
// name.
type NPZ struct {
	Arrays map[string]*Array
	Files  map[string][]byte
}

// OpenNPZ opens an archive with the default limits; see OpenNPZWith.
func OpenNPZ(path string) (*NPZReader, error) { return OpenNPZWith(path, NPZOptions{}) }

// OpenNPZWith opens an archive and checks its directory without inflating anything: a regular
// file, at most opt.MaxMembers members, no duplicate names, no names with path separators.
// Keep is ignored.
func OpenNPZWith(path string, opt NPZOptions) (*NPZReader, error) {
	if err := checkRegular(path, ".npz archive"); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() { // replaced since the check
		f.Close()
		return nil, notRegular(path, st.Mode(), ".npz archive")
	}
	r, err := NewNPZReader(path, f, st.Size(), opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewNPZReader reads an archive of size bytes from ra, as OpenNPZWith does; name stands for it
// in errors.
func NewNPZReader(name string, ra io.ReaderAt, size int64, opt NPZOptions) (*NPZReader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: not a zip (.npz) archive: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &NPZReader{path: name, files: map[string]*zip.File{}, limit: opt.maxBytes()}
	if n, max := len(zr.File), opt.maxMembers(); n > max {
		return nil, fmt.Errorf("%s: %d members, more than %d", name, n, max)
	}
	for _, f := range zr.File {
		if err := checkMemberName(f.Name); err != nil {
			return nil, fmt.Errorf("%s: member %q: %v", name, f.Name, err)
		}
		if r.files[f.Name] != nil {
			return nil, fmt.Errorf("%s: duplicate member %q", name, f.Name)
		}
		r.files[f.Name] = f
		r.names = append(r.names, f.Name)
	}
	return r, nil
}

// checkRegular refuses, before it is opened, a path that is not a regular file (opening a FIFO
// without a writer would block); want says what was expected (".npy file").
func checkRegular(path, want string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return notRegular(path, st.Mode(), want)
	}
	return nil
}

func notRegular(path string, mode fs.FileMode, want string) error {
	if mode.IsDir() {
		return fmt.Errorf("%s is a folder, want a %s", path, want)
	}
	return fmt.Errorf("%s is not a regular file (%s), want a %s", path, mode.Type(), want)
}

// checkMemberName is what NPZReader requires of every member name, and NPZWriter of the names
// it writes.
func checkMemberName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case strings.ContainsAny(name, "/\\"):
		return errors.New("name holds a path separator, want a plain file name")
	case strings.ContainsRune(name, 0):
		return errors.New("name holds a NUL byte")
	}
	return nil
}

// Close releases the archive file (nothing for NewNPZReader's).
func (r *NPZReader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Names returns the member names in archive order ("W0.npy", "meta.json").
func (r *NPZReader) Names() []string { return append([]string(nil), r.names...) }

// Has reports whether the archive holds the member of this full name.
func (r *NPZReader) Has(member string) bool { return r.files[member] != nil }

// Array reads the .npy member key+".npy" (key as numpy.load names it: "W0").
func (r *NPZReader) Array(key string) (*Array, error) { return r.array(key + ".npy") }

func (r *NPZReader) array(name string) (*Array, error) {
	f := r.files[name]
	if f == nil {
		return nil, fmt.Errorf("%s: no member %s", r.path, name)
	}
	var a *Array
	err := r.member(f, func(src io.Reader, size int64) error {
		var err error
		a, err = read(src, size, true, true) // size is charged: allocated at once
		if err != nil && (errors.Is(err, ErrTruncated) || strings.HasSuffix(err.Error(), "(trailing data)")) {
			err = fmt.Errorf("%w (the zip directory declares %d bytes)", err, size)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	a.Name = r.path + ": " + f.Name
	return a, nil
}

// File reads a member as raw bytes under its full name ("meta.json").
func (r *NPZReader) File(member string) ([]byte, error) { return r.FileMax(member, -1) }

// FileMax is File with a bound on the member's size (most < 0: none but the archive's limit):
// a member whose directory entry declares more than most bytes is refused before it is
// inflated, and reading stops at the declared size (more data is an error), so that no more
// than most bytes are ever held, whatever the archive says.
func (r *NPZReader) FileMax(member string, most int64) ([]byte, error) {
	f := r.files[member]
	if f == nil {
		return nil, fmt.Errorf("%s: no member %s", r.path, member)
	}
	if most >= 0 && f.UncompressedSize64 > uint64(most) {
		return nil, fmt.Errorf("%s: member %s: %d bytes uncompressed, more than the %d it may hold: %w", r.path, member, f.UncompressedSize64, most, ErrNPZLimit)
	}
	var out []byte
	err := r.member(f, func(src io.Reader, size int64) error {
		// size is charged to the archive's limit already, so it is allocated at once.
		buf := make([]byte, size)
		if n, err := io.ReadFull(src, buf); err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%d bytes, the zip directory declares %d: %w", n, size, ErrTruncated)
		} else if err != nil {
			return err
		}
		out = buf
		return nil
	})
	return out, err
}

// maxDeflateRatio bounds what deflate can make of one byte: a block of
// length-258 matches codes one in at most about 2 bits, so 1032 to 1.
const maxDeflateRatio = 1032

// member inflates f through parse, which receives a reader of exactly the declared size (it
// never yields more) and that size. Before inflating, the declared size is charged to the
// archive's limit; afterwards the data must have been read to its end, match the CRC-32 of the
// directory, and archive/zip's own end-of-member checks must pass.
func (r *NPZReader) member(f *zip.File, parse func(src io.Reader, size int64) error) error {
	fail := func(err error) error { return fmt.Errorf("%s: member %s: %w", r.path, f.Name, err) }
	if f.Flags&1 != 0 {
		return fail(errors.New("encrypted members are not supported"))
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return fail(fmt.Errorf("compression method %d, want stored (0) or deflated (8)", f.Method))
	}
	size := f.UncompressedSize64
	// The declared size is allocated before the data arrive: it must be one
	// the member's real bytes can give (stored: its own size; deflated: at
	// most deflate's 1032 to 1 and a little), so that a few hundred bytes
	// of archive cannot make the reader allocate the limit.
	switch {
	case f.Method == zip.Store && size != f.CompressedSize64:
		return fail(fmt.Errorf("stored member declares %d bytes uncompressed and %d stored: %w", size, f.CompressedSize64, ErrTruncated))
	case f.Method == zip.Deflate && size > maxDeflateRatio*f.CompressedSize64+64:
		return fail(fmt.Errorf("declares %d bytes uncompressed from %d deflated, more than deflate gives (%d to 1): %w", size, f.CompressedSize64, maxDeflateRatio, ErrTruncated))
	}
	if left := r.limit - r.used; size > uint64(left) {
		return fail(fmt.Errorf("%d bytes uncompressed, more than the %d left of the %d-byte limit for one archive: %w", size, left, r.limit, ErrNPZLimit))
	}
	r.used += int64(size)
	rc, err := f.Open()
	if err != nil {
		return fail(err)
	}
	defer rc.Close()
	cr := &crcReader{r: io.LimitReader(rc, int64(size)), h: crc32.NewIEEE()}
	if err := parse(bufio.NewReaderSize(cr, int(min(size+1, 1<<16))), int64(size)); err != nil {
		return fail(err)
	}
	if cr.n != int64(size) { // parse stopped early: not a consumer of the whole member
		return fail(fmt.Errorf("read %d of its %d bytes", cr.n, size))
	}
	if got := cr.h.Sum32(); got != f.CRC32 {
		return fail(fmt.Errorf("%w: data has %08x, the zip directory says %08x (corrupted file)", ErrChecksum, got, f.CRC32))
	}
	var one [1]byte
	// archive/zip reports a member that inflates past its declared size as ErrFormat.
	if n, err := rc.Read(one[:]); n > 0 || errors.Is(err, zip.ErrFormat) {
		return fail(fmt.Errorf("more data than the %d bytes the zip directory declares", size))
	} else if err != nil && err != io.EOF {
		return fail(err)
	}
	return nil
}

type crcReader struct {
	r io.Reader
	h hash.Hash32
	n int64
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// ReadNPZ reads every member of a .npz archive (stored or deflated) with the default limits.
// Errors start with the path and the member ("model.npz: member W0.npy: dtype ...").
func ReadNPZ(path string) (*NPZ, error) { return ReadNPZWith(path, NPZOptions{}) }

// ReadNPZWith reads the members of a .npz archive that opt.Keep selects (all when nil); the
// others are never inflated. Every member read is checked as NPZReader does.
func ReadNPZWith(path string, opt NPZOptions) (*NPZ, error) {
	r, err := OpenNPZWith(path, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.readAll(opt.Keep)
}

// ReadNPZFrom is ReadNPZWith for an archive of size bytes in ra (name stands for it in errors).
func ReadNPZFrom(name string, ra io.ReaderAt, size int64, opt NPZOptions) (*NPZ, error) {
	r, err := NewNPZReader(name, ra, size, opt)
	if err != nil {
		return nil, err
	}
	return r.readAll(opt.Keep)
}

func (r *NPZReader) readAll(keep func(string) bool) (*NPZ, error) {
	out := &NPZ{Arrays: map[string]*Array{}, Files: map[string][]byte{}}
	for _, name := range r.names {
		if keep != nil && !keep(name) {
			continue
		}
		if strings.HasSuffix(name, ".npy") {
			a, err := r.array(name)
			if err != nil {
				return nil, err
			}
			out.Arrays[strings.TrimSuffix(name, ".npy")] = a
			continue
		}
		b, err := r.File(name)
		if err != nil {
			return nil, err
		}
		out.Files[name] = b
	}
	return out, nil
}
