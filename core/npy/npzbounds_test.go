package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// TestNPZWriterMemberBound: the writer refuses the member past the bound the reader applies
// (DefaultNPZMaxMembers unless WriteOptions.MaxMembers raises it), before writing it, and the
// archive stays usable; so that a writer and a reader of this package never disagree (it
// wrote 4097 members that ReadNPZ refused).
func TestNPZWriterMemberBound(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, opt WriteOptions, n int) (refused error) {
		t.Helper()
		z, err := CreateNPZWith(path, false, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := z.WriteFile(fmt.Sprintf("m%05d", i), []byte{byte(i)}); err != nil {
				if refused == nil {
					refused = err
				}
			}
		}
		if err := z.Close(); err != nil {
			t.Fatalf("%s: Close after the refused members: %v", path, err)
		}
		return refused
	}
	def := filepath.Join(dir, "default.npz")
	err := write(def, WriteOptions{}, DefaultNPZMaxMembers+1)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`member "m%05d": the archive holds %d members already`, DefaultNPZMaxMembers, DefaultNPZMaxMembers)) {
		t.Errorf("member %d: error %v, want it refused", DefaultNPZMaxMembers+1, err)
	}
	if z, err := ReadNPZ(def); err != nil || len(z.Files) != DefaultNPZMaxMembers {
		t.Errorf("reading what the writer wrote with the default bound: %v", err)
	}
	raised := filepath.Join(dir, "raised.npz")
	if err := write(raised, WriteOptions{MaxMembers: 5000}, 4100); err != nil {
		t.Fatalf("4100 members with WriteOptions.MaxMembers 5000: %v", err)
	}
	if _, err := ReadNPZ(raised); err == nil || !strings.Contains(err.Error(), "4100 members, more than 4096") {
		t.Errorf("default reader of 4100 members: %v", err)
	}
	if z, err := ReadNPZWith(raised, NPZOptions{MaxMembers: 5000}); err != nil || len(z.Files) != 4100 {
		t.Errorf("reader with the writer's bound: %v", err)
	}
}

// TestNPZWriterNames: the writer refuses the member names its reader refuses (it wrote "a/b",
// "a\\b" and "x\x00y", and the archive could then not be read), and the archive stays usable.
func TestNPZWriterNames(t *testing.T) {
	p := filepath.Join(t.TempDir(), "names.npz")
	z, err := CreateNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a/b", `a\b`, "x\x00y", "/abs", `..\up`} {
		if err := z.WriteFloat32(name, []int{1}, []float32{1}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", name+".npy")) {
			t.Errorf("WriteFloat32(%q): error %v, want the name refused", name, err)
		}
		if err := z.WriteFile(name, []byte("x")); err == nil {
			t.Errorf("WriteFile(%q): no error", name)
		}
	}
	if err := z.WriteFloat32("ok", []int{1}, []float32{1}); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadNPZ(p); err != nil || len(got.Arrays) != 1 || len(got.Files) != 0 {
		t.Errorf("read back: %v", err)
	}
}

// deflated returns b compressed by deflate, as a .npz member holds it.
func deflated(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestNPZFileMax: FileMax refuses a member whose directory declares more than its bound
// without inflating it (the member here is not even valid deflate data), never reads past
// the declared size of one that declares less than it holds, and reads one that fits.
func TestNPZFileMax(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.npz")
	fit := []byte(`{"fits": true}`)
	buildZip(t, p,
		zipMember{name: "big.json", data: bytes.Repeat([]byte{0xff}, 64), raw: true, method: zip.Deflate, size: 1 << 30},
		zipMember{name: "liar.json", data: deflated(t, bytes.Repeat([]byte("x"), 4096)), raw: true, method: zip.Deflate, crc: crc32.ChecksumIEEE([]byte("xxxx")), size: 4},
		zipMember{name: "fit.json", data: fit, method: zip.Deflate})
	z, err := OpenNPZWith(p, NPZOptions{MaxBytes: 2 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if _, err := z.FileMax("big.json", 1<<20); !errors.Is(err, ErrNPZLimit) || !strings.Contains(err.Error(), "member big.json: 1073741824 bytes uncompressed, more than the 1048576 it may hold") {
		t.Errorf("declared 1 GiB, bound 1 MiB: %v", err)
	}
	if _, err := z.File("big.json"); err == nil || errors.Is(err, ErrNPZLimit) {
		t.Errorf("File of the corrupted member: %v, want an inflate error (so FileMax did not inflate it)", err)
	}
	if b, err := z.FileMax("liar.json", 100); err == nil || !strings.Contains(err.Error(), "more data than the 4 bytes the zip directory declares") {
		t.Errorf("member holding more than it declares: %q, %v", b, err)
	}
	if b, err := z.FileMax("fit.json", int64(len(fit))); err != nil || !bytes.Equal(b, fit) {
		t.Errorf("member of exactly the bound: %q, %v", b, err)
	}
}

// TestNPZMemberAllocatedOnce: a member's declared size, charged to the archive's limit before it
// is inflated, is allocated once (the buffer doubled: about twice the member), and Float32 of
// <f4 data on a little-endian machine returns the data itself rather than a copy; so reading a
// model takes about its size, not three times that.
func TestNPZMemberAllocatedOnce(t *testing.T) {
	const n = 6 << 20 // 24 MiB of float32
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(i%1000) - 0.5
	}
	meta := bytes.Repeat([]byte("m"), 20<<20)
	p := filepath.Join(t.TempDir(), "big.npz")
	zw, err := CreateNPZCompressed(p)
	if err != nil {
		t.Fatal(err)
	}
	zw.WriteFloat32("W0", []int{n / 1024, 1024}, w)
	zw.WriteFile("meta.json", meta)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	z, err := OpenNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var got []float32
	var a *Array
	alloc := allocated(func() {
		if a, err = z.Array("W0"); err == nil {
			got, err = a.Float32()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("W0: %d data bytes, %d allocated", 4*n, alloc)
	want := 4 * n // the data, viewed as float32
	if !nativeLittleEndian {
		want *= 2 // and a byte-swapped copy (s390x under qemu in CI)
	}
	if alloc > uint64(want+2<<20) {
		t.Errorf("reading and converting %d bytes of <f4 allocated %d bytes, want about %d", 4*n, alloc, want)
	}
	if len(got) != n {
		t.Fatalf("%d values, want %d", len(got), n)
	}
	for i := range w {
		if got[i] != w[i] {
			t.Fatalf("value %d: %v, want %v", i, got[i], w[i])
		}
	}
	if nativeLittleEndian && unsafe.Pointer(unsafe.SliceData(got)) != unsafe.Pointer(unsafe.SliceData(a.Data)) {
		t.Error("Float32 of C-ordered <f4 copied the data on a little-endian machine")
	}
	var b []byte
	alloc = allocated(func() { b, err = z.File("meta.json") })
	t.Logf("meta.json: %d bytes, %d allocated", len(meta), alloc)
	if err != nil || !bytes.Equal(b, meta) {
		t.Fatalf("meta.json: %v", err)
	}
	if alloc > uint64(len(meta))+2<<20 {
		t.Errorf("reading a %d-byte member allocated %d bytes, want about its size", len(meta), alloc)
	}
}
