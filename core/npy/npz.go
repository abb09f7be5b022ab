package npy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"time"
	"unicode/utf8"
)

// NPZWriter writes a .npz archive (a zip of .npy members, numpy.savez's layout) as
// WriteFileAtomic writes files: to an unnamed or temporary file that Close puts in place and
// Abort discards. After the first error every call returns that error and Close leaves the
// target untouched.
type NPZWriter struct {
	path    string
	af      *atomicFile
	at      fileAt // af.f: where Close patches the CRC-32s of stored members
	bw      *bufio.Writer
	cw      *npzCounter // between zw and bw: counts the archive's bytes
	zw      *zip.Writer
	method  uint16
	names   map[string]bool
	members int
	most    int // members allowed (WriteOptions.MaxMembers)
	patches []crcPatch
	err     error
	closed  bool
}

// crcPatch is the CRC-32 of a stored member, for Close to put in place. A stored member is
// written in one pass: zip.Writer.CreateRaw needs its CRC-32 in the local header before the
// data, so the header is written with CRC 0 and the data is hashed as it goes out; Close then
// puts each CRC in place, in the central directory (captured in memory as zip.Writer.Close
// writes it) and in the local header (written at its offset in the file once everything is
// flushed). The result is byte for byte what a second pass over the data for the CRC would
// give (TestNPZOnePassIdentical). Offsets are from the zip file format (APPNOTE.TXT 4.3.7,
// 4.3.12): the CRC-32 is at byte 14 of a local file header and at byte 16 of a central
// directory header, whether or not zip64 extra fields follow.
type crcPatch struct {
	member int    // index of the member in the archive (and in the central directory)
	offset int64  // of its local file header in the file
	crc    uint32 // of its data
}

const (
	localCRCOffset   = 14
	centralCRCOffset = 16
	centralHeaderLen = 46
	centralSignature = 0x02014b50
	localSignature   = 0x04034b50
)

// npzCounter passes the archive's bytes on to w, counting them; while capture is set it keeps
// them instead (the central directory, for Close to patch).
type npzCounter struct {
	w       io.Writer
	n       int64
	capture *bytes.Buffer
}

func (c *npzCounter) Write(p []byte) (int, error) {
	if c.capture != nil {
		c.n += int64(len(p))
		return c.capture.Write(p)
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type fileAt interface {
	io.ReaderAt
	io.WriterAt
}

// crcWriter writes to w and hashes what was written.
type crcWriter struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p[:n])
	c.n += int64(n)
	return n, err
}

// fixed modification time of every member, so equal content gives identical archives.
var npzTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// CreateNPZ starts an uncompressed archive (as numpy.savez writes).
func CreateNPZ(path string) (*NPZWriter, error) { return CreateNPZWith(path, false, WriteOptions{}) }

// CreateNPZCompressed starts a deflated archive (as numpy.savez_compressed writes).
func CreateNPZCompressed(path string) (*NPZWriter, error) {
	return CreateNPZWith(path, true, WriteOptions{})
}

// CreateNPZWith starts an archive, deflated when compressed, refusing (unless opt says
// otherwise) an existing path that is not a regular file. It accepts at most opt.MaxMembers
// members (DefaultNPZMaxMembers when zero), and only the names NPZReader accepts.
func CreateNPZWith(path string, compressed bool, opt WriteOptions) (*NPZWriter, error) {
	method := zip.Store
	if compressed {
		method = zip.Deflate
	}
	af, err := createAtomic(path, opt)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(af.f, 1<<20)
	cw := &npzCounter{w: bw}
	most := opt.MaxMembers
	if most <= 0 {
		most = DefaultNPZMaxMembers
	}
	return &NPZWriter{path: path, af: af, at: af.f, bw: bw, cw: cw, zw: zip.NewWriter(cw), method: method, names: map[string]bool{}, most: most}, nil
}

func (z *NPZWriter) fail(err error) error {
	if z.err == nil {
		z.err = err
	}
	return z.err
}

// member adds one zip entry of size bytes produced by emit, which is called once. A name or
// a member the reader would refuse is refused here, before anything is written (the archive
// stays usable).
func (z *NPZWriter) member(name string, size int64, emit func(w io.Writer) error) error {
	if z.err != nil {
		return z.err
	}
	if z.closed {
		return fmt.Errorf("%s: archive already closed", z.path)
	}
	if name == "" || name == ".npy" {
		return fmt.Errorf("%s: empty member name", z.path)
	}
	if err := checkMemberName(name); err != nil {
		return fmt.Errorf("%s: member %q: %v", z.path, name, err)
	}
	if z.names[name] {
		return fmt.Errorf("%s: duplicate member %q", z.path, name)
	}
	if z.members >= z.most {
		return fmt.Errorf("%s: member %q: the archive holds %d members already, the most a reader accepts (WriteOptions.MaxMembers, NPZOptions.MaxMembers)", z.path, name, z.members)
	}
	z.names[name] = true
	fh := &zip.FileHeader{Name: name, Method: z.method, Modified: npzTime}
	if z.method != zip.Store {
		w, err := z.zw.CreateHeader(fh)
		if err == nil {
			err = emit(w)
		}
		if err != nil {
			return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
		}
		z.members++
		return nil
	}
	// The local header starts at the count of bytes zip.Writer has passed on once flushed.
	if err := z.zw.Flush(); err != nil {
		return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
	}
	offset := z.cw.n
	fh.CompressedSize64 = uint64(size)
	fh.UncompressedSize64 = uint64(size)
	fh.Flags = utf8Flag(name)    // CreateRaw takes the flags as given
	w, err := z.zw.CreateRaw(fh) // CRC32 0 for now: Close patches it
	if err != nil {
		return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
	}
	cw := &crcWriter{w: w}
	if err := emit(cw); err != nil {
		return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
	}
	if cw.n != size {
		return z.fail(fmt.Errorf("%s: %s: wrote %d bytes, want %d", z.path, name, cw.n, size))
	}
	z.patches = append(z.patches, crcPatch{member: z.members, offset: offset, crc: cw.crc})
	z.members++
	return nil
}

// utf8Flag is the general-purpose flag (bit 11, 0x800) that tells readers a member's name is
// UTF-8, by zip.Writer.CreateHeader's rule: set when the name is valid UTF-8 and holds a
// character outside 0x20-0x7d or a backslash (which code pages other than CP-437 read
// differently); otherwise readers take the name as CP-437. CreateRaw, used for stored members,
// does not apply the rule itself: without the flag Python's zipfile (so numpy.load) read
// "wäights" as "w├ñights".
func utf8Flag(name string) uint16 {
	require := false
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		if r < 0x20 || r > 0x7d || r == 0x5c {
			if r == utf8.RuneError && size == 1 {
				return 0 // not UTF-8: left to CP-437, as CreateHeader leaves it
			}
			require = true
		}
	}
	if require {
		return 0x800
	}
	return 0
}

// finish writes the central directory and the end records with the CRC-32s of the stored
// members in place, flushes everything and patches the local headers' CRC-32s in the file.
func (z *NPZWriter) finish() error {
	if err := z.zw.Flush(); err != nil {
		return err
	}
	var dir bytes.Buffer
	z.cw.capture = &dir
	err := z.zw.Close()
	z.cw.capture = nil
	if err != nil {
		return err
	}
	b := dir.Bytes()
	pos, next := 0, 0 // pos: start of the central header of member next
	for _, p := range z.patches {
		for ; next <= p.member; next++ {
			if pos+centralHeaderLen > len(b) || binary.LittleEndian.Uint32(b[pos:]) != centralSignature {
				return fmt.Errorf("central directory entry %d not found at %d", next, pos)
			}
			if next == p.member {
				binary.LittleEndian.PutUint32(b[pos+centralCRCOffset:], p.crc)
			}
			pos += centralHeaderLen + int(binary.LittleEndian.Uint16(b[pos+28:])) +
				int(binary.LittleEndian.Uint16(b[pos+30:])) + int(binary.LittleEndian.Uint16(b[pos+32:]))
		}
	}
	if _, err := z.bw.Write(b); err != nil {
		return err
	}
	if err := z.bw.Flush(); err != nil {
		return err
	}
	for _, p := range z.patches {
		var b [localCRCOffset + 4]byte
		if _, err := z.at.ReadAt(b[:], p.offset); err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(b[:]) != localSignature {
			return fmt.Errorf("local header of member %d not found at %d", p.member, p.offset)
		}
		binary.LittleEndian.PutUint32(b[localCRCOffset:], p.crc)
		if _, err := z.at.WriteAt(b[localCRCOffset:], p.offset+localCRCOffset); err != nil {
			return err
		}
	}
	return nil
}

// WriteArray adds member name+".npy" holding a C-ordered array of raw element bytes data.
func (z *NPZWriter) WriteArray(name, descr string, shape []int, data []byte) error {
	if err := checkData(descr, shape, len(data)); err != nil {
		return fmt.Errorf("%s: %s.npy: %w", z.path, name, err)
	}
	hdr, err := headerBytes(descr, false, shape)
	if err != nil {
		return fmt.Errorf("%s: %s.npy: %w", z.path, name, err)
	}
	return z.member(name+".npy", int64(len(hdr)+len(data)), func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		_, err := w.Write(data)
		return err
	})
}

// WriteFloat32 adds member name+".npy" holding data as a <f4 array of the given shape.
func (z *NPZWriter) WriteFloat32(name string, shape []int, data []float32) error {
	if err := checkData("<f4", shape, 4*len(data)); err != nil {
		return fmt.Errorf("%s: %s.npy: %w", z.path, name, err)
	}
	hdr, _ := headerBytes("<f4", false, shape)
	return z.member(name+".npy", int64(len(hdr)+4*len(data)), func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		return encodeFloat32(w, data)
	})
}

// WriteFloat64 adds member name+".npy" holding data as a <f8 array of the given shape.
func (z *NPZWriter) WriteFloat64(name string, shape []int, data []float64) error {
	if err := checkData("<f8", shape, 8*len(data)); err != nil {
		return fmt.Errorf("%s: %s.npy: %w", z.path, name, err)
	}
	hdr, _ := headerBytes("<f8", false, shape)
	return z.member(name+".npy", int64(len(hdr)+8*len(data)), func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		return encodeFloat64(w, data)
	})
}

// WriteFile adds a raw member under exactly this name, e.g. "meta.json".
func (z *NPZWriter) WriteFile(name string, data []byte) error {
	return z.member(name, int64(len(data)), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Close finishes the archive, fsyncs it and renames it to its path. After an earlier error it
// removes the temporary file and returns that error.
func (z *NPZWriter) Close() error {
	if z.closed {
		if z.err != nil {
			return z.err
		}
		return nil
	}
	if z.err != nil {
		z.Abort()
		return z.err
	}
	if err := z.finish(); err != nil {
		z.fail(fmt.Errorf("%s: %w", z.path, err))
		z.Abort()
		return z.err
	}
	if err := z.af.commit(); err != nil {
		z.fail(err)
		z.Abort()
		return z.err
	}
	z.closed = true
	return nil
}

// Abort discards the archive: the temporary file is removed and the target is untouched. It
// is safe to call more than once and after Close (then it does nothing), so `defer z.Abort()`
// is a fine pattern.
func (z *NPZWriter) Abort() {
	if z.closed {
		return
	}
	z.closed = true
	if z.err == nil {
		z.err = fmt.Errorf("%s: archive aborted", z.path)
	}
	z.af.abort()
}
