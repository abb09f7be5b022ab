package npy

import (
	"archive/zip"
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// NPZWriter writes a .npz archive (a zip of .npy members, numpy.savez's layout) as
// WriteFileAtomic writes files: to an unnamed or temporary file that Close puts in place and
// Abort discards. After the first error every call returns that error and Close leaves the
// target untouched.
type NPZWriter struct {
	path   string
	af     *atomicFile
	bw     *bufio.Writer
	zw     *zip.Writer
	method uint16
	names  map[string]bool
	err    error
	closed bool
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
// otherwise) an existing path that is not a regular file.
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
	return &NPZWriter{path: path, af: af, bw: bw, zw: zip.NewWriter(bw), method: method, names: map[string]bool{}}, nil
}

func (z *NPZWriter) fail(err error) error {
	if z.err == nil {
		z.err = err
	}
	return z.err
}

// member adds one zip entry of size bytes produced by emit (which must produce the same bytes
// every time it is called: stored members are emitted twice, once for their CRC).
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
	if z.names[name] {
		return fmt.Errorf("%s: duplicate member %q", z.path, name)
	}
	z.names[name] = true
	fh := &zip.FileHeader{Name: name, Method: z.method, Modified: npzTime}
	var w io.Writer
	var err error
	if z.method == zip.Store {
		crc := crc32.NewIEEE()
		if err := emit(crc); err != nil {
			return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
		}
		fh.CRC32 = crc.Sum32()
		fh.CompressedSize64 = uint64(size)
		fh.UncompressedSize64 = uint64(size)
		w, err = z.zw.CreateRaw(fh)
	} else {
		w, err = z.zw.CreateHeader(fh)
	}
	if err != nil {
		return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
	}
	if err := emit(w); err != nil {
		return z.fail(fmt.Errorf("%s: %s: %w", z.path, name, err))
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
	if err := z.zw.Close(); err != nil {
		z.fail(fmt.Errorf("%s: %w", z.path, err))
		z.Abort()
		return z.err
	}
	if err := z.bw.Flush(); err != nil {
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
