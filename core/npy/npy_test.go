package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawNPY builds a .npy file from a header text (padded like numpy unless exact) and data.
func rawNPY(major byte, hdr string, data []byte) []byte {
	var b []byte
	b = append(b, magic...)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(hdr)))
	}
	b = append(b, hdr...)
	return append(b, data...)
}

func TestHeaderVariantsAccepted(t *testing.T) {
	six := make([]byte, 24) // 6 float32
	for i := range 6 {
		binary.LittleEndian.PutUint32(six[4*i:], math.Float32bits(float32(i)))
	}
	cases := []struct {
		hdr   string
		shape []int
		data  []byte
	}{
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", []int{2, 3}, six},
		{"{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}", []int{2, 3}, six},
		{"{'fortran_order':False,'shape':(2,3),'descr':'<f4'}", []int{2, 3}, six},
		{"  { \"descr\" : \"<f4\" ,\n 'fortran_order' : False , 'shape' : ( 6 , ) , }   \n", []int{6}, six},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3,), }", []int{2, 3}, six},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", []int{2, 3}, six},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (), }", []int{}, six[:4]},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", []int{0, 5}, nil},
		{"{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", []int{3, 2}, six},
		{"{'descr': 'f4', 'fortran_order': False, 'shape': (6,), }", []int{6}, six},
		{"{'descr': '=f4', 'fortran_order': False, 'shape': (6,), }", []int{6}, six},
	}
	for _, c := range cases {
		for _, major := range []byte{1, 2, 3} {
			a, err := Read(bytes.NewReader(rawNPY(major, c.hdr, c.data)))
			if err != nil {
				t.Errorf("v%d %q: %v", major, c.hdr, err)
				continue
			}
			if !slices.Equal(a.Shape, c.shape) || !bytes.Equal(a.Data, c.data) {
				t.Errorf("v%d %q: shape %v data %d bytes", major, c.hdr, a.Shape, len(a.Data))
			}
		}
	}
	// Fortran (3,2) holding 0..5 in Fortran order is C-order [[0,3],[1,4],[2,5]].
	a, err := Read(bytes.NewReader(rawNPY(1, cases[8].hdr, six)))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := a.Float32()
	if !slices.Equal(f, []float32{0, 3, 1, 4, 2, 5}) {
		t.Errorf("Fortran (3,2) in C order = %v, want [0 3 1 4 2 5]", f)
	}
	// Version 3.0 header may hold UTF-8 (here in padding-irrelevant place: none of numpy's
	// keys need it, but a UTF-8 BOM-free non-ASCII space after the dict must not be accepted
	// as a literal) -- invalid UTF-8 is rejected.
	if _, err := Read(bytes.NewReader(rawNPY(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\xff", six[:4]))); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("v3 header with invalid UTF-8: %v", err)
	}
}

func TestReadRejects(t *testing.T) {
	okHdr := func(descr, shape string) string {
		return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n"
	}
	four := make([]byte, 4)
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short magic", []byte("\x93NUM"), "truncated"},
		{"bad magic", []byte("PK\x03\x04 this is a zip file"), "bad magic"},
		{"bad magic short", []byte("GIF"), "bad magic"},
		{"version 4.0", append(append([]byte("\x93NUMPY"), 4, 0), 0, 0, 0, 0), "unsupported format version 4.0"},
		{"version 1.1", append(append([]byte("\x93NUMPY"), 1, 1), 0, 0), "unsupported format version 1.1"},
		{"no header length", []byte("\x93NUMPY\x01\x00\x05"), "truncated"},
		{"header beyond input", append([]byte("\x93NUMPY\x01\x00\xff\x00"), "{'descr'"...), "truncated"},
		{"header length absurd", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff{"), "exceeds"},
		{"not a dict", rawNPY(1, "['descr', '<f4']", nil), "dict literal"},
		{"missing shape", rawNPY(1, "{'descr': '<f4', 'fortran_order': False}", four), "missing key \"shape\""},
		{"missing descr", rawNPY(1, "{'fortran_order': False, 'shape': (1,)}", four), "missing key \"descr\""},
		{"missing fortran", rawNPY(1, "{'descr': '<f4', 'shape': (1,)}", four), "missing key \"fortran_order\""},
		{"extra key", rawNPY(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", four), "unexpected key \"x\""},
		{"duplicate key", rawNPY(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", four), "duplicate key"},
		{"unclosed dict", rawNPY(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", four), "want ',' or '}'"},
		{"trailing junk", rawNPY(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", four), "trailing characters"},
		{"missing comma", rawNPY(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", four), "want ',' or '}'"},
		{"unquoted key", rawNPY(1, "{descr: '<f4', 'fortran_order': False, 'shape': (1,)}", four), "quoted string"},
		{"fortran not bool", rawNPY(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", four), "True or False"},
		{"descr not string", rawNPY(1, "{'descr': 4, 'fortran_order': False, 'shape': (1,)}", four), "quoted string"},
		{"shape call", rawNPY(1, okHdr("<f4", "tuple([1])"), four), "want a tuple"},
		{"shape list", rawNPY(1, okHdr("<f4", "[1]"), four), "want a tuple"},
		{"shape (n)", rawNPY(1, okHdr("<f4", "(1)"), four), "not a tuple"},
		{"shape negative", rawNPY(1, okHdr("<f4", "(-1,)"), four), "negative dimension"},
		{"shape name", rawNPY(1, okHdr("<f4", "(n,)"), four), "non-negative integer"},
		{"shape float", rawNPY(1, okHdr("<f4", "(1.0,)"), four), "want ',' or ')'"},
		{"shape double comma", rawNPY(1, okHdr("<f4", "(1,,)"), four), "non-negative integer"},
		{"shape expression", rawNPY(1, okHdr("<f4", "(2*2,)"), four), "want ',' or ')'"},
		{"shape unclosed", rawNPY(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, ", four), "non-negative integer"},
		{"shape int overflow", rawNPY(1, okHdr("<f4", "(99999999999999999999,)"), four), "overflows"},
		{"shape product overflow", rawNPY(1, okHdr("<f4", "(4294967296, 4294967296, 4294967296)"), four), "more than"},
		{"shape beyond bound", rawNPY(1, okHdr("<f8", "(1099511627776,)"), four), "more than"},
		{"shape huge but input tiny", rawNPY(1, okHdr("|u1", "(100000, 100000)"), four), "truncated"},
		{"too many dims", rawNPY(1, okHdr("<f4", "("+strings.Repeat("1,", 65)+")"), four), "more than 64"},
		{"object dtype", rawNPY(1, okHdr("|O", "(1,)"), make([]byte, 8)), "object dtype"},
		{"unicode dtype", rawNPY(1, okHdr("<U3", "(1,)"), make([]byte, 12)), "unsupported dtype"},
		// The message says what the file holds, not a list of wanted types
		// that would contradict the list of the command reading it.
		{"complex dtype", rawNPY(1, okHdr("<c8", "(1,)"), make([]byte, 8)), `unsupported dtype "<c8": complex numbers are not read`},
		{"float16 dtype", rawNPY(1, okHdr("<f2", "(2,)"), four), `unsupported dtype "<f2": float16 numbers are not read`},
		{"bad size dtype", rawNPY(1, okHdr("<i3", "(1,)"), make([]byte, 3)), `unsupported dtype "<i3": 3-byte integers are not read`},
		{"empty dtype", rawNPY(1, okHdr("", "(1,)"), four), "unsupported dtype"},
		{"structured dtype", rawNPY(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", four), "structured"},
		{"truncated data", rawNPY(1, okHdr("<f4", "(2,)"), four), "truncated"},
		{"trailing data", rawNPY(1, okHdr("<f4", "(1,)"), make([]byte, 5)), "trailing data"},
		{"escape in string", rawNPY(1, okHdr("<f\\x34", "(1,)"), four), "unsupported character"},
	}
	for _, c := range cases {
		_, err := Read(bytes.NewReader(c.in))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "npy: ") {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
		// The same through a reader of unknown length (no Len method).
		if _, err2 := Read(io.MultiReader(bytes.NewReader(c.in))); err2 == nil {
			t.Errorf("%s: stream reader: no error", c.name)
		}
	}
	// Truncation is recognizable.
	_, err := Read(bytes.NewReader(rawNPY(1, okHdr("<f4", "(2,)"), four)))
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated data: %v does not wrap ErrTruncated", err)
	}
}

func TestReadFileErrorNamesPath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ising.npy")
	if err := os.WriteFile(p, []byte("not numpy at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+": bad magic") {
		t.Errorf("ReadFile error %q, want prefix %q", err, p+": bad magic")
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.npy")); err == nil || !os.IsNotExist(errors.Unwrap(err)) && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	var buf bytes.Buffer
	WriteFloat64(&buf, []int{2}, []float64{1, 2})
	os.WriteFile(p, buf.Bytes(), 0o644)
	a, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Uint8(); err == nil || err.Error() != p+": dtype <f8, want |u1 (or |b1)" {
		t.Errorf("Uint8 of <f8: %v", err)
	}
}

func TestConversionErrors(t *testing.T) {
	bad := &Array{Descr: "|b1", Shape: []int{3}, Data: []byte{0, 1, 2}}
	if _, err := bad.Uint8(); err == nil || !strings.Contains(err.Error(), "want 0 or 1") {
		t.Errorf("b1 with byte 2: %v", err)
	}
	if _, err := bad.Float32(); err == nil {
		t.Error("Float32 of b1 with byte 2: no error")
	}
	short := &Array{Descr: "<f4", Shape: []int{3}, Data: make([]byte, 8)}
	if _, err := short.Float32(); err == nil || !strings.Contains(err.Error(), "8 data bytes") {
		t.Errorf("short data: %v", err)
	}
	obj := &Array{Descr: "|O", Shape: []int{1}, Data: make([]byte, 8)}
	if _, err := obj.Float64(); err == nil {
		t.Error("object dtype: no error")
	}
	// Integer conversions in both byte orders.
	ints := []struct {
		descr string
		data  []byte
		want  float64
	}{
		{"|i1", []byte{0xff}, -1},
		{"<i2", []byte{0x00, 0x80}, -32768},
		{">i2", []byte{0x80, 0x00}, -32768},
		{"<u2", []byte{0xff, 0xff}, 65535},
		{">i4", []byte{0xff, 0xff, 0xff, 0xfe}, -2},
		{"<u4", []byte{0, 0, 0, 0x80}, 2147483648},
		{"<i8", []byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, -2},
		{">u8", []byte{0, 0, 0, 1, 0, 0, 0, 0}, 4294967296},
		{">f4", []byte{0x3f, 0xc0, 0, 0}, 1.5},
	}
	for _, c := range ints {
		a := &Array{Descr: c.descr, Shape: []int{1}, Data: c.data}
		f, err := a.Float64()
		if err != nil || f[0] != c.want {
			t.Errorf("%s %x: Float64 = %v, %v; want %v", c.descr, c.data, f, err, c.want)
		}
		g, err := a.Float32()
		if err != nil || g[0] != float32(c.want) {
			t.Errorf("%s %x: Float32 = %v, %v; want %v", c.descr, c.data, g, err, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	shapes := [][]int{{}, {0}, {1}, {7}, {2, 3}, {0, 3}, {3, 0}, {2, 3, 4}, {1, 1, 1, 1, 5}, {20000, 3}}
	for _, shape := range shapes {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f32 := make([]float32, n)
		f64 := make([]float64, n)
		u8 := make([]uint8, n)
		for i := range n {
			f32[i] = float32(i)*0.37 - 5
			f64[i] = math.Ldexp(float64(i)-3.3, i%40-20)
			u8[i] = uint8(i * 31)
		}
		if n >= 3 {
			f32[0], f32[1], f32[2] = float32(math.NaN()), float32(math.Inf(-1)), float32(math.Copysign(0, -1))
			f64[0] = math.NaN()
		}
		var buf bytes.Buffer
		if err := WriteFloat32(&buf, shape, f32); err != nil {
			t.Fatal(err)
		}
		if buf.Len()%64 != int(4*n)%64 {
			t.Errorf("%v: header not 64-byte aligned (file %d bytes)", shape, buf.Len())
		}
		a, err := Read(&buf)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		got, _ := a.Float32()
		if a.Descr != "<f4" || !slices.Equal(a.Shape, shape) || len(got) != n {
			t.Fatalf("%v: read back %s %v %d", shape, a.Descr, a.Shape, len(got))
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(f32[i]) {
				t.Fatalf("%v: float32 %d: %v != %v", shape, i, got[i], f32[i])
			}
		}
		buf.Reset()
		WriteFloat64(&buf, shape, f64)
		a, err = Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		g64, _ := a.Float64()
		for i := range g64 {
			if math.Float64bits(g64[i]) != math.Float64bits(f64[i]) {
				t.Fatalf("%v: float64 %d: %v != %v", shape, i, g64[i], f64[i])
			}
		}
		buf.Reset()
		WriteUint8(&buf, shape, u8)
		a, err = Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		gu, _ := a.Uint8()
		if !bytes.Equal(gu, u8) || a.Descr != "|u1" {
			t.Fatalf("%v: uint8 round trip differs", shape)
		}
	}
	// Writers reject data that does not fit the shape, bad dtypes and negative dimensions.
	var buf bytes.Buffer
	if err := WriteFloat32(&buf, []int{2, 3}, make([]float32, 5)); err == nil {
		t.Error("WriteFloat32 with 5 values for (2,3): no error")
	}
	if err := WriteUint8(&buf, []int{-1}, nil); err == nil {
		t.Error("WriteUint8 with shape (-1,): no error")
	}
	if err := Write(&buf, "|O", []int{1}, make([]byte, 8)); err == nil {
		t.Error("Write object dtype: no error")
	}
	if err := Write(&buf, "f4", []int{1}, make([]byte, 4)); err == nil {
		t.Error("Write without byte order: no error")
	}
	if buf.Len() != 0 {
		t.Errorf("failed writes wrote %d bytes", buf.Len())
	}
}

// TestLargeStreamRead: a 20 MB array through a reader of unknown length (grown buffer path).
func TestLargeStreamRead(t *testing.T) {
	n := 5 << 20
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i)
	}
	var buf bytes.Buffer
	WriteFloat32(&buf, []int{n / 1024, 1024}, data)
	a, err := Read(io.MultiReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Float32()
	if !slices.Equal(got, data) {
		t.Error("large stream round trip differs")
	}
	// Truncated by one byte, unknown length.
	buf.Reset()
	WriteFloat32(&buf, []int{n}, data)
	b := buf.Bytes()[:buf.Len()-1]
	if _, err := Read(io.MultiReader(bytes.NewReader(b))); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated large stream: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	if err := WriteFileAtomic(p, func(w io.Writer) error { return WriteUint8(w, []int{2}, []uint8{1, 0}) }); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFile(p)
	if err != nil || !bytes.Equal(a.Data, []byte{1, 0}) {
		t.Fatalf("read back: %v %v", a, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != newFileMode() {
		t.Errorf("mode %v, want %v (0666 less the umask; TestAtomicMode checks that)", st.Mode().Perm(), newFileMode())
	}
	before, _ := os.ReadFile(p)
	boom := errors.New("boom")
	err = WriteFileAtomic(p, func(w io.Writer) error {
		w.Write(make([]byte, 3<<20)) // past the buffer, so the temp file has content
		return boom
	})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("error %v, want %v prefixed with the path", err, boom)
	}
	func() {
		defer func() { recover() }()
		WriteFileAtomic(p, func(w io.Writer) error { w.Write([]byte("partial")); panic("writer panics") })
	}()
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("failed writes changed the target")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only x.npy (temp files left behind)", names)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "no/such/dir/x.npy"), func(io.Writer) error { return nil }); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestNPZWriter(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.npz")
	for _, create := range []func(string) (*NPZWriter, error){CreateNPZ, CreateNPZCompressed} {
		os.Remove(p)
		z, err := create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer z.Abort() // no-op after Close
		w := []float32{1, 2, 3, 4, 5, 6}
		if err := z.WriteFloat32("W0", []int{2, 3}, w); err != nil {
			t.Fatal(err)
		}
		if err := z.WriteFloat64("energy", []int{2}, []float64{-1.5, math.Inf(1)}); err != nil {
			t.Fatal(err)
		}
		if err := z.WriteArray("v", "|u1", []int{2, 2}, []byte{0, 1, 1, 0}); err != nil {
			t.Fatal(err)
		}
		if err := z.WriteFile("meta.json", []byte(`{"epochs": 3}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err == nil {
			t.Error("target exists before Close")
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := ReadNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Arrays) != 3 || string(got.Files["meta.json"]) != `{"epochs": 3}` {
			t.Fatalf("read back %d arrays, files %v", len(got.Arrays), got.Files)
		}
		gw, _ := got.Arrays["W0"].Float32()
		ge, _ := got.Arrays["energy"].Float64()
		gv, _ := got.Arrays["v"].Uint8()
		if !slices.Equal(gw, w) || !slices.Equal(ge, []float64{-1.5, math.Inf(1)}) || !bytes.Equal(gv, []byte{0, 1, 1, 0}) {
			t.Errorf("values differ: %v %v %v", gw, ge, gv)
		}
	}
	before, _ := os.ReadFile(p)
	// Errors: duplicate member, bad shape; after an error Close fails and leaves the target.
	z, _ := CreateNPZ(p)
	z.WriteFloat32("a", []int{1}, []float32{1})
	if err := z.WriteFloat32("a", []int{1}, []float32{1}); err == nil {
		t.Error("duplicate member: no error")
	}
	if err := z.WriteFloat32("b", []int{2}, []float32{1}); err == nil {
		t.Error("shape mismatch: no error")
	}
	z.Abort()
	if err := z.WriteFile("c", nil); err == nil {
		t.Error("write after Abort: no error")
	}
	if err := z.Close(); err == nil {
		t.Error("Close after Abort: no error")
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("aborted archive changed the target")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (temp files left behind)", len(entries))
	}
	// Equal content gives identical bytes (fixed member times).
	var runs [2][]byte
	for i := range runs {
		q := filepath.Join(dir, "q.npz")
		z, _ := CreateNPZ(q)
		z.WriteFloat32("x", []int{1}, []float32{2})
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		runs[i], _ = os.ReadFile(q)
		os.Remove(q)
	}
	if len(runs[0]) == 0 || !bytes.Equal(runs[0], runs[1]) {
		t.Error("equal content gave different archives")
	}
}

func TestReadNPZRejects(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.npz")
	os.WriteFile(p, []byte("not a zip"), 0o644)
	if _, err := ReadNPZ(p); err == nil || !strings.HasPrefix(err.Error(), p+": ") {
		t.Errorf("not a zip: %v", err)
	}
	z, _ := CreateNPZ(p)
	z.WriteFile("W0.npy", []byte("\x93NUMPY\x01\x00garbage"))
	z.Close()
	if _, err := ReadNPZ(p); err == nil || !strings.HasPrefix(err.Error(), p+": member W0.npy: ") {
		t.Errorf("bad member: %v", err)
	}
}
