package npy

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// npzMember is one member for the one-pass tests: what NPZWriter is asked to write (f32, f64
// or raw bytes) and the member's exact bytes, computed here independently of the writer.
type npzMember struct {
	name  string // as given to the writer (without .npy for arrays)
	kind  string // "f32", "f64", "u1" (WriteArray), "file" (WriteFile)
	shape []int
	f32   []float32
	f64   []float64
	raw   []byte
}

func (m npzMember) zipName() string {
	if m.kind == "file" {
		return m.name
	}
	return m.name + ".npy"
}

// content is the member's bytes: .npy header and little-endian elements, converted here with
// encoding/binary (not with encodeFloat32/64).
func (m npzMember) content() []byte {
	if m.kind == "file" {
		return m.raw
	}
	descr := map[string]string{"f32": "<f4", "f64": "<f8", "u1": "|u1"}[m.kind]
	hdr, err := headerBytes(descr, false, m.shape)
	if err != nil {
		panic(err)
	}
	b := append([]byte(nil), hdr...)
	for _, v := range m.f32 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	for _, v := range m.f64 {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return append(b, m.raw...)
}

// refNPZ is the archive as the former two-pass NPZWriter wrote it: archive/zip's CreateRaw
// with the CRC-32 known up front for stored members, CreateHeader for deflated ones, and the
// UTF-8 flag set on stored members by CreateHeader's rule (which the former writer missed: see
// utf8Flag). Data goes
// in in 1000-byte pieces, so deflated archives also show that the writer's chunking does not
// change compress/flate's output.
func refNPZ(t *testing.T, members []npzMember, compressed bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		data := m.content()
		fh := &zip.FileHeader{Name: m.zipName(), Method: zip.Store, Modified: npzTime}
		var w io.Writer
		var err error
		if compressed {
			fh.Method = zip.Deflate
			w, err = zw.CreateHeader(fh)
		} else {
			fh.CRC32 = crc32.ChecksumIEEE(data)
			if hasUTF8Flag(t, m.zipName()) {
				fh.Flags |= 0x800
			}
			fh.CompressedSize64 = uint64(len(data))
			fh.UncompressedSize64 = uint64(len(data))
			w, err = zw.CreateRaw(fh)
		}
		if err != nil {
			t.Fatal(err)
		}
		for len(data) > 0 {
			n := min(len(data), 1000)
			if _, err := w.Write(data[:n]); err != nil {
				t.Fatal(err)
			}
			data = data[n:]
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hasUTF8Flag is whether CreateHeader gives a member of this name the UTF-8 flag: what
// archive/zip itself decides, read back from a deflated archive it writes.
func hasUTF8Flag(t *testing.T, name string) bool {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if _, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0].Flags&0x800 != 0
}

// TestUTF8Flag: stored members get the UTF-8 flag exactly when archive/zip's CreateHeader
// gives it to deflated ones.
func TestUTF8Flag(t *testing.T) {
	for _, name := range []string{"W0.npy", "meta.json", "wäights.npy", "a~b", `a\b`, "tab\t", "\x7f", "\ufffd",
		"日本.npy", "bad\xff.npy", "bad\xc3", "mixed\xffä", "}", "~"} {
		if got, want := utf8Flag(name) != 0, hasUTF8Flag(t, name); got != want {
			t.Errorf("%q: flag %v, archive/zip's CreateHeader gives %v", name, got, want)
		}
	}
}

// writeNPZMembers writes members with NPZWriter to path.
func writeNPZMembers(path string, members []npzMember, compressed bool) error {
	z, err := CreateNPZWith(path, compressed, WriteOptions{})
	if err != nil {
		return err
	}
	defer z.Abort()
	for _, m := range members {
		switch m.kind {
		case "f32":
			err = z.WriteFloat32(m.name, m.shape, m.f32)
		case "f64":
			err = z.WriteFloat64(m.name, m.shape, m.f64)
		case "u1":
			err = z.WriteArray(m.name, "|u1", m.shape, m.raw)
		case "file":
			err = z.WriteFile(m.name, m.raw)
		}
		if err != nil {
			return err
		}
	}
	return z.Close()
}

func f32Seq(n int, seed float32) []float32 {
	d := make([]float32, n)
	for i := range d {
		d[i] = seed + float32(i%977)*0.37 - float32(i%13)*1e-3
	}
	if n > 3 {
		d[1] = float32(math.NaN())
		d[2] = float32(math.Copysign(0, -1))
		d[3] = math.Float32frombits(0x7fc00001) // NaN with a payload
	}
	return d
}

func bytesSeq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// npzCases are archives with empty, one-element, odd-sized, larger than the 1 MiB write buffer
// and many members.
func npzCases() map[string][]npzMember {
	many := []npzMember{}
	for i := range 300 {
		n := (i * 37) % 211
		many = append(many, npzMember{name: fmt.Sprintf("m%03d", i), kind: "f32", shape: []int{n}, f32: f32Seq(n, float32(i))})
		if i%50 == 0 {
			many = append(many, npzMember{name: fmt.Sprintf("blob%d.bin", i), kind: "file", raw: bytesSeq(i*1000 + 1)})
		}
	}
	return map[string][]npzMember{
		"none":      nil,
		"emptyfile": {{name: "empty.bin", kind: "file"}},
		"emptyarr":  {{name: "e", kind: "f32", shape: []int{0, 3}}, {name: "meta.json", kind: "file", raw: []byte(`{}`)}},
		"one":       {{name: "x", kind: "f32", shape: []int{1}, f32: []float32{2.5}}},
		"odd": {
			{name: "a", kind: "u1", shape: []int{1}, raw: []byte{7}},
			{name: "b", kind: "u1", shape: []int{3}, raw: bytesSeq(3)},
			{name: "c", kind: "f64", shape: []int{5}, f64: []float64{math.Pi, -1e-310, math.Inf(1), 0, 2}},
			{name: "d", kind: "u1", shape: []int{4097}, raw: bytesSeq(4097)},
			{name: "wäights", kind: "f32", shape: []int{3, 7}, f32: f32Seq(21, 1)},
			{name: "odd.txt", kind: "file", raw: []byte("seven b")},
		},
		"big": {
			{name: "small", kind: "f32", shape: []int{3}, f32: f32Seq(3, 0)},
			{name: "W0", kind: "f32", shape: []int{700, 513}, f32: f32Seq(700*513, 3)}, // 1.4 MB
			{name: "raw", kind: "u1", shape: []int{1<<20 + 3}, raw: bytesSeq(1<<20 + 3)},
			{name: "after", kind: "f64", shape: []int{2}, f64: []float64{1, -1}},
			{name: "W1", kind: "f32", shape: []int{3 << 18}, f32: f32Seq(3<<18, 5)}, // 3 MiB
			{name: "meta.json", kind: "file", raw: []byte(`{"lr": 0.1}`)},
		},
		"many": many,
	}
}

// checkLocalHeaders walks the local file headers of a stored archive from its start and checks
// that the CRC-32 and sizes in each match its data: archive/zip and Python's zipfile check
// data against the central directory only.
func checkLocalHeaders(t *testing.T, name string, b []byte, members []npzMember) {
	t.Helper()
	pos := 0
	for i, m := range members {
		if pos+30 > len(b) || binary.LittleEndian.Uint32(b[pos:]) != localSignature {
			t.Fatalf("%s: member %d: no local header at %d", name, i, pos)
		}
		want := m.content()
		crc := binary.LittleEndian.Uint32(b[pos+localCRCOffset:])
		csize := binary.LittleEndian.Uint32(b[pos+18:])
		usize := binary.LittleEndian.Uint32(b[pos+22:])
		nlen := int(binary.LittleEndian.Uint16(b[pos+26:]))
		elen := int(binary.LittleEndian.Uint16(b[pos+28:]))
		if got := string(b[pos+30 : pos+30+nlen]); got != m.zipName() {
			t.Fatalf("%s: member %d named %q, want %q", name, i, got, m.zipName())
		}
		data := pos + 30 + nlen + elen
		if crc != crc32.ChecksumIEEE(want) || int(csize) != len(want) || int(usize) != len(want) ||
			!bytes.Equal(b[data:data+len(want)], want) {
			t.Fatalf("%s: member %s: local header CRC %08x sizes %d %d, want %08x and %d",
				name, m.zipName(), crc, csize, usize, crc32.ChecksumIEEE(want), len(want))
		}
		pos = data + len(want)
	}
	if len(b) < pos+4 || binary.LittleEndian.Uint32(b[pos:]) == localSignature {
		t.Fatalf("%s: no central directory after the members at %d", name, pos)
	}
}

// TestNPZOnePassIdentical: archives written in one pass (CRC-32s patched in) are byte for byte
// the archives of the two-pass writer, stored and deflated, through the native-byte-order and
// the portable float conversion; archive/zip reads them back with CRC checks, and the CRC-32s
// in the local headers are right (a wrong patch offset fails here).
func TestNPZOnePassIdentical(t *testing.T) {
	dir := t.TempDir()
	orders := []bool{false}
	if nativeLittleEndian {
		orders = append(orders, true)
	}
	defer func(v bool) { nativeLittleEndian = v }(nativeLittleEndian)
	for name, members := range npzCases() {
		for _, compressed := range []bool{false, true} {
			want := refNPZ(t, members, compressed)
			for _, native := range orders {
				nativeLittleEndian = native
				label := fmt.Sprintf("%s compressed=%v native=%v", name, compressed, native)
				p := filepath.Join(dir, "a.npz")
				if err := writeNPZMembers(p, members, compressed); err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				got, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					i := 0
					for i < min(len(got), len(want)) && got[i] == want[i] {
						i++
					}
					t.Fatalf("%s: %d bytes differ from the two-pass writer's %d from offset %d", label, len(got), len(want), i)
				}
				zr, err := zip.NewReader(bytes.NewReader(got), int64(len(got)))
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if len(zr.File) != len(members) {
					t.Fatalf("%s: %d members, want %d", label, len(zr.File), len(members))
				}
				for i, f := range zr.File {
					rc, err := f.Open()
					if err != nil {
						t.Fatalf("%s: %s: %v", label, f.Name, err)
					}
					data, err := io.ReadAll(rc) // checks the CRC-32 at EOF
					rc.Close()
					if err != nil || !bytes.Equal(data, members[i].content()) {
						t.Fatalf("%s: %s: read back %d bytes, %v", label, f.Name, len(data), err)
					}
				}
				if !compressed {
					checkLocalHeaders(t, label, got, members)
				}
			}
		}
	}
}

// TestEncodeFloatPaths: the native-byte-order view (in pieces of viewChunk bytes, which need
// not hold whole elements) and the portable conversion write the same bytes, NaN payloads and
// signed zeros included.
func TestEncodeFloatPaths(t *testing.T) {
	defer func(v bool, c int) { nativeLittleEndian, viewChunk = v, c }(nativeLittleEndian, viewChunk)
	f32 := f32Seq(chunkElems*2+5, 1)
	f64 := []float64{math.NaN(), math.Float64frombits(0x7ff8000000000123), math.Copysign(0, -1), 1e-310, math.Pi}
	var want32, want64 []byte
	for _, v := range f32 {
		want32 = binary.LittleEndian.AppendUint32(want32, math.Float32bits(v))
	}
	for _, v := range f64 {
		want64 = binary.LittleEndian.AppendUint64(want64, math.Float64bits(v))
	}
	type path struct {
		native bool
		chunk  int
	}
	for _, c := range []path{{false, viewChunk}, {nativeLittleEndian, viewChunk}, {nativeLittleEndian, 7}} {
		nativeLittleEndian, viewChunk = c.native, c.chunk
		var b32, b64 bytes.Buffer
		if err := encodeFloat32(&b32, f32); err != nil {
			t.Fatal(err)
		}
		if err := encodeFloat64(&b64, f64); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b32.Bytes(), want32) || !bytes.Equal(b64.Bytes(), want64) {
			t.Errorf("%+v: encoded bytes differ", c)
		}
		var e bytes.Buffer
		encodeFloat32(&e, nil)
		encodeFloat64(&e, []float64{})
		if e.Len() != 0 {
			t.Errorf("%+v: empty data wrote %d bytes", c, e.Len())
		}
	}
}

// TestNumpyReadsOnePassNPZ: numpy loads the one-pass archives (members larger than the write
// buffer, many members, empty ones) with the right values, and Python's zipfile finds the
// CRC-32 of every member in its local header as in the central directory.
func TestNumpyReadsOnePassNPZ(t *testing.T) {
	needNumpy(t)
	const script = `
import json, struct, sys, zipfile, zlib
import numpy as np
spec = json.load(open(sys.argv[1]))
for arch in spec:
    path, members = arch["path"], arch["members"]
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None, path
        # non-ASCII names carry the UTF-8 flag, stored or deflated, so zipfile reads them as written
        names = {i.filename: i.filename for i in zf.infolist()}
        assert list(names) == [m["name"] for m in members], (path, zf.namelist())
        raw = open(path, "rb").read()
        for info in zf.infolist():
            sig, = struct.unpack_from("<I", raw, info.header_offset)
            crc, = struct.unpack_from("<I", raw, info.header_offset + 14)
            want = 0 if info.flag_bits & 0x8 else info.CRC  # 0 before a data descriptor
            assert sig == 0x04034b50 and crc == want, (path, info.filename, hex(crc), hex(want))
    with np.load(path, allow_pickle=False) as z:
        for want in members:
            if not want.get("descr"):
                continue
            a = z[names[want["name"]][:-4]]
            assert a.dtype.str == want["descr"] and list(a.shape) == want["shape"], (path, want["name"], a.dtype, a.shape)
            got = zlib.crc32(np.ascontiguousarray(a).tobytes())
            assert got == want["crc"], (path, want["name"], got, want["crc"])
print("ok")
`
	type pyMember struct {
		Name  string `json:"name"`
		Descr string `json:"descr,omitempty"` // "" for raw files
		Shape []int  `json:"shape"`
		CRC   uint32 `json:"crc"` // of the array's element bytes
	}
	type pyArchive struct {
		Path    string     `json:"path"`
		Members []pyMember `json:"members"`
	}
	dir := t.TempDir()
	spec := []pyArchive{}
	for name, members := range npzCases() {
		for _, compressed := range []bool{false, true} {
			p := filepath.Join(dir, fmt.Sprintf("%s_%v.npz", name, compressed))
			if err := writeNPZMembers(p, members, compressed); err != nil {
				t.Fatal(err)
			}
			a := pyArchive{Path: p, Members: []pyMember{}}
			for _, m := range members {
				pm := pyMember{Name: m.zipName()}
				if m.kind != "file" {
					pm.Descr = map[string]string{"f32": "<f4", "f64": "<f8", "u1": "|u1"}[m.kind]
					hdr, _ := headerBytes(pm.Descr, false, m.shape)
					pm.Shape = m.shape
					pm.CRC = crc32.ChecksumIEEE(m.content()[len(hdr):])
				}
				a.Members = append(a.Members, pm)
			}
			spec = append(spec, a)
		}
	}
	js, _ := json.Marshal(spec)
	sp := filepath.Join(dir, "spec.json")
	os.WriteFile(sp, js, 0o644)
	out, err := exec.Command(systemPython, "-c", script, sp).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("numpy check failed: %v\n%s", err, out)
	}
}

type failingAt struct{ fileAt }

func (failingAt) WriteAt([]byte, int64) (int, error) {
	return 0, errors.New("injected WriteAt failure")
}

// TestNPZWriteFailures: a write that fails while streaming a member, at the final flush, or
// while patching a CRC-32, and a member of the wrong size, make Close fail and leave neither
// a file nor a changed target behind.
func TestNPZWriteFailures(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.npz")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := f32Seq(1<<19, 1) // 2 MiB: goes past the write buffer
	cases := map[string]func(z *NPZWriter) error{
		"stream": func(z *NPZWriter) error {
			z.WriteFloat32("a", []int{2}, []float32{1, 2})
			z.af.f.Close() // the file fails under the writer
			return z.WriteFloat32("W", []int{len(big)}, big)
		},
		"flush": func(z *NPZWriter) error {
			z.WriteFloat32("a", []int{2}, []float32{1, 2})
			z.af.f.Close()
			return nil
		},
		"patch": func(z *NPZWriter) error {
			z.at = failingAt{z.at}
			return z.WriteFloat32("W", []int{len(big)}, big)
		},
		"size": func(z *NPZWriter) error {
			return z.member("short", 10, func(w io.Writer) error { _, err := w.Write([]byte("nine byte")); return err })
		},
	}
	for name, fn := range cases {
		z, err := CreateNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		werr := fn(z)
		cerr := z.Close()
		if cerr == nil || !strings.HasPrefix(cerr.Error(), p+": ") {
			t.Errorf("%s: Close returned %v, want an error about %s", name, cerr, p)
		}
		if name == "stream" || name == "size" {
			if werr == nil || !errors.Is(cerr, werr) && cerr.Error() != werr.Error() {
				t.Errorf("%s: write returned %v, Close %v; want the write's error from both", name, werr, cerr)
			}
		}
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Errorf("%s: target changed to %d bytes", name, len(b))
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s: directory holds %d entries, want 1 (temporary files left behind)", name, len(entries))
		}
	}
}

// TestNPZZip64 (set NPY_TEST_ZIP64=1; it needs about 9 GB of memory and disk in $TMPDIR):
// a stored member of 4 GiB + 5 bytes and one after it, at an offset past 4 GiB, take zip64
// fields, and the one-pass archive is still byte for byte the two-pass writer's.
func TestNPZZip64(t *testing.T) {
	if os.Getenv("NPY_TEST_ZIP64") == "" {
		t.Skip("set NPY_TEST_ZIP64=1 to write a 4 GiB member")
	}
	big := make([]byte, 4<<30+5)
	for i := 0; i < len(big); i += 4093 {
		big[i] = byte(i / 4093)
	}
	members := []npzMember{
		{name: "big", kind: "u1", shape: []int{len(big)}, raw: big},
		{name: "after", kind: "f32", shape: []int{3}, f32: []float32{1, 2, 3}},
	}
	ref := sha256.New()
	zw := zip.NewWriter(ref)
	for _, m := range members {
		data := m.content()
		fh := &zip.FileHeader{Name: m.zipName(), Method: zip.Store, Modified: npzTime,
			CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}
		w, err := zw.CreateRaw(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "z.npz")
	if err := writeNPZMembers(p, members, false); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := sha256.New()
	if _, err := io.Copy(got, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Sum(nil), ref.Sum(nil)) {
		t.Fatal("archive differs from the two-pass writer's")
	}
	st, _ := f.Stat()
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil { // checks the CRC-32
			t.Fatalf("%s: %v", zf.Name, err)
		}
		rc.Close()
	}
}
