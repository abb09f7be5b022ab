package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"unicode/utf8"
	"unsafe"
)

// Array is one .npy array as stored: Data holds the raw element bytes in the file's byte
// order and memory order (Fortran order when Fortran is set). The conversion methods return
// elements in C (row-major) order whatever the file's order.
type Array struct {
	Descr   string // numpy dtype string, e.g. "<f4", "|u1", ">f8"
	Shape   []int
	Fortran bool
	Data    []byte
	// Name is where the array came from ("ising.npy", "model.npz: W0.npy"), set by ReadFile
	// and ReadNPZ; errors of the conversion methods start with it.
	Name string
}

var magic = []byte("\x93NUMPY")

// Len returns the number of elements, the product of Shape (1 for a 0-d array).
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

func (a *Array) name() string {
	if a.Name != "" {
		return a.Name
	}
	return "npy"
}

// Read reads one .npy array (format 1.0, 2.0 or 3.0) and expects r to end right after its data:
// fewer or more bytes than the shape implies is an error. Memory grows with the bytes actually
// read, never with the sizes the header claims alone.
func Read(r io.Reader) (*Array, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	a, err := read(r, size, size >= 0, size >= 0)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return a, nil
}

// ReadFile reads a .npy file; errors start with the path ("ising.npy: dtype ..."). The path
// must name a regular file: a folder, a FIFO, a device or a socket is refused before it is
// opened (opening a FIFO without a writer would block).
func ReadFile(path string) (*Array, error) {
	if err := checkRegular(path, ".npy file"); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() { // replaced since the check
		return nil, notRegular(path, st.Mode(), ".npy file")
	}
	size := st.Size()
	a, err := read(bufio.NewReaderSize(f, 1<<16), size, true, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a.Name = path
	return a, nil
}

// ErrTruncated is wrapped by errors for inputs that end before the data the header declares.
var ErrTruncated = errors.New("truncated")

// read parses an array from r. size is the number of bytes r holds (-1 if unknown). When exact,
// the header must account for exactly size bytes (fewer is truncation, more is trailing data).
// When sized, size may bound an allocation made up front: it is real (a file or an in-memory
// buffer) or it has been charged to a limit already (a zip member's declared size, which
// NPZReader charges before inflating); the data buffer, which the header can ask to be no
// larger than size, is then allocated once. Otherwise (a stream of unknown length) memory
// grows with the bytes actually read.
func read(r io.Reader, size int64, sized, exact bool) (*Array, error) {
	var pre [10]byte
	if n, err := io.ReadFull(r, pre[:8]); err != nil {
		if m := min(n, len(magic)); string(pre[:m]) == string(magic[:m]) {
			return nil, fmt.Errorf("%d bytes, shorter than the 8-byte .npy preamble: %w", n, ErrTruncated)
		}
		return nil, fmt.Errorf("bad magic %q, want \\x93NUMPY", pre[:n])
	}
	if string(pre[:6]) != string(magic) {
		return nil, fmt.Errorf("bad magic %q, want \\x93NUMPY", pre[:6])
	}
	major, minor := pre[6], pre[7]
	var hlen int64
	var pos int64
	switch {
	case major == 1 && minor == 0:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, fmt.Errorf("header length: %w", ErrTruncated)
		}
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
		pos = 10
	case (major == 2 || major == 3) && minor == 0:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("header length: %w", ErrTruncated)
		}
		hlen = int64(binary.LittleEndian.Uint32(b[:]))
		pos = 12
	default:
		return nil, fmt.Errorf("unsupported format version %d.%d, want 1.0, 2.0 or 3.0", major, minor)
	}
	if hlen > maxHeaderLen {
		return nil, fmt.Errorf("header length %d exceeds %d", hlen, maxHeaderLen)
	}
	if size >= 0 && pos+hlen > size {
		return nil, fmt.Errorf("header of %d bytes but only %d follow: %w", hlen, size-pos, ErrTruncated)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("header: %w", ErrTruncated)
	}
	pos += hlen
	var hs string
	if major == 3 {
		if !utf8.Valid(hb) {
			return nil, errors.New("header is not valid UTF-8")
		}
		hs = string(hb)
	} else {
		rs := make([]rune, len(hb)) // latin-1
		for i, c := range hb {
			rs[i] = rune(c)
		}
		hs = string(rs)
	}
	h, err := parseHeader(hs)
	if err != nil {
		return nil, err
	}
	dt, err := parseDescr(h.descr)
	if err != nil {
		return nil, err
	}
	_, nbytes, err := elements(h.shape, dt.size)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		if rest := size - pos; rest < int64(nbytes) {
			return nil, fmt.Errorf("dtype %s shape %v needs %d data bytes, input holds %d: %w", h.descr, h.shape, nbytes, rest, ErrTruncated)
		} else if exact && rest > int64(nbytes) {
			return nil, fmt.Errorf("dtype %s shape %v needs %d data bytes, input holds %d (trailing data)", h.descr, h.shape, nbytes, rest)
		}
	}
	data, err := readData(r, nbytes, sized && size >= 0)
	if err != nil {
		return nil, fmt.Errorf("dtype %s shape %v needs %d data bytes: %w", h.descr, h.shape, nbytes, err)
	}
	var one [1]byte
	if n, err := io.ReadFull(r, one[:]); n > 0 {
		return nil, fmt.Errorf("dtype %s shape %v needs %d data bytes, input has more (trailing data)", h.descr, h.shape, nbytes)
	} else if err != io.EOF {
		return nil, fmt.Errorf("after %d data bytes: %w", nbytes, err)
	}
	return &Array{Descr: h.descr, Shape: h.shape, Fortran: h.fortran, Data: data}, nil
}

// readData reads exactly n bytes. With sized (the input's size, which n does not exceed, is
// real or charged to a limit) the buffer is allocated once; otherwise it starts at 1 MiB at
// most and doubles as data actually arrives.
func readData(r io.Reader, n int, sized bool) ([]byte, error) {
	const first = 1 << 20
	if sized || n <= first {
		buf := make([]byte, n)
		if m, err := io.ReadFull(r, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("input ends after %d of them: %w", m, ErrTruncated)
			}
			return nil, err
		}
		return buf, nil
	}
	buf := make([]byte, 0, first)
	for len(buf) < n {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(2*cap(buf), n))
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF && len(buf) < n {
			return nil, fmt.Errorf("input ends after %d of them: %w", len(buf), ErrTruncated)
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return buf, nil
}

func (a *Array) dtype() (dtype, error) {
	dt, err := parseDescr(a.Descr)
	if err != nil {
		return dt, fmt.Errorf("%s: %w", a.name(), err)
	}
	_, nbytes, err := elements(a.Shape, dt.size)
	if err != nil {
		return dt, fmt.Errorf("%s: %w", a.name(), err)
	}
	if len(a.Data) != nbytes {
		return dt, fmt.Errorf("%s: %d data bytes for dtype %s shape %v, want %d", a.name(), len(a.Data), a.Descr, a.Shape, nbytes)
	}
	return dt, nil
}

// cOrderData returns the element bytes in C order (a copy only when the array is Fortran-
// ordered with two or more dimensions; otherwise Data itself).
func (a *Array) cOrderData(size int) []byte {
	if !a.Fortran || len(a.Shape) < 2 || len(a.Data) == 0 {
		return a.Data
	}
	nd := len(a.Shape)
	fstride := make([]int, nd) // Fortran strides in elements: the first index varies fastest
	fstride[0] = 1
	for k := 1; k < nd; k++ {
		fstride[k] = fstride[k-1] * a.Shape[k-1]
	}
	out := make([]byte, len(a.Data))
	idx := make([]int, nd)
	off := 0
	for p := 0; p < len(out); p += size {
		copy(out[p:p+size], a.Data[off*size:off*size+size])
		for d := nd - 1; d >= 0; d-- { // advance the C-order multi-index
			idx[d]++
			off += fstride[d]
			if idx[d] < a.Shape[d] {
				break
			}
			off -= fstride[d] * a.Shape[d]
			idx[d] = 0
		}
	}
	return out
}

// COrder returns the array with its data in C order (a is returned unchanged when it already
// is; 0-d and 1-d arrays are the same in both orders).
func (a *Array) COrder() (*Array, error) {
	dt, err := a.dtype()
	if err != nil {
		return nil, err
	}
	if !a.Fortran {
		return a, nil
	}
	return &Array{Descr: a.Descr, Shape: append([]int(nil), a.Shape...), Data: a.cOrderData(dt.size), Name: a.Name}, nil
}

// Uint8 returns a copy of the elements in C order; only for |u1 and |b1 (whose bytes must be
// 0 or 1).
func (a *Array) Uint8() ([]uint8, error) {
	dt, err := a.dtype()
	if err != nil {
		return nil, err
	}
	if dt.size != 1 || (dt.kind != 'u' && dt.kind != 'b') {
		return nil, fmt.Errorf("%s: dtype %s, want |u1 (or |b1)", a.name(), a.Descr)
	}
	src := a.cOrderData(1)
	if dt.kind == 'b' {
		for i, v := range src {
			if v > 1 {
				return nil, fmt.Errorf("%s: bool element %d holds byte %d, want 0 or 1", a.name(), i, v)
			}
		}
	}
	out := make([]uint8, len(src))
	copy(out, src)
	return out, nil
}

// Float64 returns the elements in C order as float64; it converts bool, signed and unsigned
// integers of 1-8 bytes, float32 and float64, in either byte order (int64/uint64 beyond 2^53
// round).
func (a *Array) Float64() ([]float64, error) {
	dt, err := a.dtype()
	if err != nil {
		return nil, err
	}
	src := a.cOrderData(dt.size)
	out := make([]float64, len(src)/dt.size)
	if dt.kind == 'b' {
		for i, v := range src {
			if v > 1 {
				return nil, fmt.Errorf("%s: bool element %d holds byte %d, want 0 or 1", a.name(), i, v)
			}
		}
	}
	get := decoder(dt)
	for i := range out {
		out[i] = get(src[i*dt.size:])
	}
	return out, nil
}

// Float32 returns the elements in C order as float32; the accepted dtypes are those of
// Float64. float64 values and integers too wide for float32 are rounded once to the nearest
// float32 (ties to even), as numpy's astype(float32) rounds them.
//
// For <f4 data on a little-endian machine the result is not a copy: it is a's C-order data
// viewed as float32 (a.Data itself unless the array is Fortran-ordered), so that a model is not
// held twice while it is read. Writing to the result then changes a.Data, and the other way
// round: a caller that still needs a's bytes as read after changing the result copies one of
// them first.
func (a *Array) Float32() ([]float32, error) {
	dt, err := a.dtype()
	if err != nil {
		return nil, err
	}
	src := a.cOrderData(dt.size)
	if dt.kind == 'f' && dt.size == 4 && !dt.big && nativeLittleEndian {
		if out, ok := float32View(src); ok {
			return out, nil
		}
	}
	out := make([]float32, len(src)/dt.size)
	var bo binary.ByteOrder = binary.LittleEndian
	if dt.big {
		bo = binary.BigEndian
	}
	switch {
	case dt.kind == 'f' && dt.size == 4 && dt.big:
		for i := range out {
			out[i] = math.Float32frombits(binary.BigEndian.Uint32(src[4*i:]))
		}
		return out, nil
	case dt.kind == 'f' && dt.size == 4:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
		return out, nil
	case dt.kind == 'i' && dt.size == 8:
		// Directly, not through float64: int64 -> float64 -> float32 rounds twice
		// (2^62 + 2^38 + 1 gave 2^62; numpy and the nearest float32 say 2^62 + 2^39).
		for i := range out {
			out[i] = float32(int64(bo.Uint64(src[8*i:])))
		}
		return out, nil
	case dt.kind == 'u' && dt.size == 8:
		for i := range out {
			out[i] = float32(bo.Uint64(src[8*i:]))
		}
		return out, nil
	}
	f, err := a.Float64() // exact for every other dtype but float64, which rounds once here
	if err != nil {
		return nil, err
	}
	for i, v := range f {
		out[i] = float32(v)
	}
	return out, nil
}

// float32View views b, little-endian float32 values on a little-endian machine, as []float32
// sharing its memory; ok is false when b is not 4-byte aligned (a caller's own slice of
// bytes may not be; the buffers read here are).
func float32View(b []byte) (v []float32, ok bool) {
	if len(b) == 0 {
		return []float32{}, true
	}
	p := unsafe.SliceData(b)
	if uintptr(unsafe.Pointer(p))%unsafe.Alignof(float32(0)) != 0 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(p)), len(b)/4), true
}

func decoder(dt dtype) func(b []byte) float64 {
	var bo binary.ByteOrder = binary.LittleEndian
	if dt.big {
		bo = binary.BigEndian
	}
	switch dt.kind {
	case 'f':
		if dt.size == 4 {
			return func(b []byte) float64 { return float64(math.Float32frombits(bo.Uint32(b))) }
		}
		return func(b []byte) float64 { return math.Float64frombits(bo.Uint64(b)) }
	case 'i':
		switch dt.size {
		case 1:
			return func(b []byte) float64 { return float64(int8(b[0])) }
		case 2:
			return func(b []byte) float64 { return float64(int16(bo.Uint16(b))) }
		case 4:
			return func(b []byte) float64 { return float64(int32(bo.Uint32(b))) }
		default:
			return func(b []byte) float64 { return float64(int64(bo.Uint64(b))) }
		}
	default: // 'u', 'b'
		switch dt.size {
		case 1:
			return func(b []byte) float64 { return float64(b[0]) }
		case 2:
			return func(b []byte) float64 { return float64(bo.Uint16(b)) }
		case 4:
			return func(b []byte) float64 { return float64(bo.Uint32(b)) }
		default:
			return func(b []byte) float64 { return float64(bo.Uint64(b)) }
		}
	}
}

// headerBytes returns the preamble and padded header numpy writes for the array: format 1.0,
// total length a multiple of 64 bytes, ending in '\n'. Version 2.0 would be needed only for
// headers beyond 65535 bytes, which at most 64 dimensions of at most 19 digits never reach.
func headerBytes(descr string, fortran bool, shape []int) ([]byte, error) {
	dt, err := parseDescr(descr)
	if err != nil {
		return nil, err
	}
	if descr[0] != '<' && descr[0] != '>' && descr[0] != '|' {
		return nil, fmt.Errorf("dtype %q: want an explicit byte order ('<', '>' or '|')", descr)
	}
	if _, _, err := elements(shape, dt.size); err != nil {
		return nil, err
	}
	h := formatHeader(descr, fortran, shape)
	hlen := len(h) + 1
	pad := 64 - (10+hlen)%64 // numpy pads 1..64 bytes, never 0
	out := make([]byte, 0, 10+hlen+pad)
	out = append(out, magic...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(hlen+pad))
	out = append(out, h...)
	for range pad {
		out = append(out, ' ')
	}
	return append(out, '\n'), nil
}

// checkData validates data against descr and shape.
func checkData(descr string, shape []int, n int) error {
	dt, err := parseDescr(descr)
	if err != nil {
		return err
	}
	_, nbytes, err := elements(shape, dt.size)
	if err != nil {
		return err
	}
	if n != nbytes {
		return fmt.Errorf("%d data bytes for dtype %s shape %v, want %d", n, descr, shape, nbytes)
	}
	return nil
}

// Write writes a C-ordered array whose raw element bytes are data, in numpy's byte layout
// (format 1.0, header padded to 64 bytes). descr needs an explicit byte order ("<f4", "|u1").
func Write(w io.Writer, descr string, shape []int, data []byte) error {
	if err := checkData(descr, shape, len(data)); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	if err := WriteHeader(w, descr, shape); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// WriteHeader writes the header Write writes for an array of dtype descr and
// the given shape, for a caller that then writes the element bytes itself
// (all of them, in C order: the header states their number).
func WriteHeader(w io.Writer, descr string, shape []int) error {
	hdr, err := headerBytes(descr, false, shape)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	_, err = w.Write(hdr)
	return err
}

// WriteUint8 writes data as a |u1 array of the given shape.
func WriteUint8(w io.Writer, shape []int, data []uint8) error {
	return Write(w, "|u1", shape, data)
}

// WriteFloat32 writes data as a little-endian <f4 array of the given shape.
func WriteFloat32(w io.Writer, shape []int, data []float32) error {
	if err := checkData("<f4", shape, 4*len(data)); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	hdr, _ := headerBytes("<f4", false, shape)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	return encodeFloat32(w, data)
}

// WriteFloat64 writes data as a little-endian <f8 array of the given shape.
func WriteFloat64(w io.Writer, shape []int, data []float64) error {
	if err := checkData("<f8", shape, 8*len(data)); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	hdr, _ := headerBytes("<f8", false, shape)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	return encodeFloat64(w, data)
}

const chunkElems = 1 << 13

// nativeLittleEndian is whether float32 and float64 values in memory are already in the byte
// order of <f4 and <f8, so that encodeFloat32 and encodeFloat64 write the slice's memory as
// it is; otherwise (big-endian machines, and tests of the portable path) they convert in
// chunks.
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// f32Bytes and f64Bytes view data's memory as bytes (read-only: io.Writer must not modify
// what it is given).
func f32Bytes(data []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), 4*len(data))
}

func f64Bytes(data []float64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), 8*len(data))
}

// viewChunk is how many bytes of a native-order view encodeFloat32 and encodeFloat64 write at a
// time: a piece that stays in cache between the writer's passes over it (a CRC-32 and the
// copy into the file) instead of streaming the whole array from memory for each.
var viewChunk = 1 << 18

func writeChunks(w io.Writer, b []byte) error {
	for len(b) > 0 {
		n := min(len(b), viewChunk)
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func encodeFloat32(w io.Writer, data []float32) error {
	if nativeLittleEndian {
		return writeChunks(w, f32Bytes(data))
	}
	buf := make([]byte, 4*min(len(data), chunkElems))
	for len(data) > 0 {
		n := min(len(data), chunkElems)
		for i, v := range data[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(buf[:4*n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func encodeFloat64(w io.Writer, data []float64) error {
	if nativeLittleEndian {
		return writeChunks(w, f64Bytes(data))
	}
	buf := make([]byte, 8*min(len(data), chunkElems))
	for len(data) > 0 {
		n := min(len(data), chunkElems)
		for i, v := range data[:n] {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		if _, err := w.Write(buf[:8*n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
