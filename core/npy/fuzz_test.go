package npy

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// FuzzRead: arbitrary bytes never panic; memory stays within a small multiple of the input
// (a header claiming terabytes must not allocate them); accepted arrays are self-consistent,
// convert without panicking, and survive a Write/Read round trip; a reader of unknown length
// agrees with the in-memory one.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.npy"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	var buf bytes.Buffer
	WriteFloat32(&buf, []int{2, 2}, []float32{1, 2, 3, 4})
	f.Add(slices.Clone(buf.Bytes()))
	buf.Reset()
	WriteUint8(&buf, []int{}, []uint8{1})
	f.Add(slices.Clone(buf.Bytes()))
	f.Add(rawNPY(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776,), }", []byte{1}))
	f.Add(rawNPY(2, "{'descr': '<f8', 'fortran_order': True, 'shape': (4294967296, 4294967296), }", nil))
	f.Add(rawNPY(3, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 1, 2), }", make([]byte, 16)))
	f.Add(rawNPY(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", []byte{1, 7}))
	f.Add([]byte("\x93NUMPY\x03\x00\xff\xff\x0f\x00{"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var a *Array
		var err error
		n := allocated(func() { a, err = Read(bytes.NewReader(data)) })
		if limit := uint64(12*len(data) + 64<<10); n > limit {
			t.Fatalf("Read of %d bytes allocated %d bytes (limit %d)", len(data), n, limit)
		}
		var err2 error
		n = allocated(func() { _, err2 = Read(io.MultiReader(bytes.NewReader(data))) })
		if limit := uint64(12*len(data) + 3<<20); n > limit {
			t.Fatalf("stream Read of %d bytes allocated %d bytes (limit %d)", len(data), n, limit)
		}
		if (err == nil) != (err2 == nil) {
			t.Fatalf("bytes reader error %v, stream reader error %v", err, err2)
		}
		if err != nil {
			return
		}
		dt, derr := parseDescr(a.Descr)
		if derr != nil {
			t.Fatalf("accepted dtype %q: %v", a.Descr, derr)
		}
		if len(a.Data) != a.Len()*dt.size || len(a.Data) > len(data) {
			t.Fatalf("%d data bytes for %d elements of %d bytes (input %d)", len(a.Data), a.Len(), dt.size, len(data))
		}
		f64, err64 := a.Float64()
		_, err32 := a.Float32()
		_, _ = a.Uint8()
		if (err64 == nil) != (err32 == nil) {
			t.Fatalf("Float64 error %v, Float32 error %v", err64, err32)
		}
		c, err := a.COrder()
		if err != nil {
			t.Fatal(err)
		}
		descr := a.Descr
		if descr[0] != '<' && descr[0] != '>' && descr[0] != '|' {
			descr = "<" + descr[len(descr)-2:] // "f4" and "=f4" mean little-endian here
		}
		var out bytes.Buffer
		if err := Write(&out, descr, c.Shape, c.Data); err != nil {
			t.Fatalf("Write(%q, %v): %v", descr, c.Shape, err)
		}
		if out.Len()%64 != len(c.Data)%64 {
			t.Fatalf("written header not 64-byte aligned")
		}
		b, err := Read(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if b.Fortran || !slices.Equal(b.Shape, a.Shape) || !bytes.Equal(b.Data, c.Data) {
			t.Fatalf("round trip changed the array: %v %v", b.Shape, a.Shape)
		}
		if err64 == nil {
			g, _ := b.Float64()
			for i := range g {
				if !sameFloat(g[i], f64[i]) {
					t.Fatalf("round trip value %d: %v != %v", i, g[i], f64[i])
				}
			}
		}
	})
}

// FuzzReadNPZ: arbitrary archives never panic; memory stays within a small multiple of the
// input plus the byte limit (a deflated member may expand, but never past the limit); every
// accepted array is self-consistent and converts without panicking.
func FuzzReadNPZ(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.npz"))
	if len(files) == 0 {
		f.Fatal("no golden .npz files")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(b[:len(b)/2])
		for _, i := range []int{len(b) / 3, len(b) / 2, len(b) - 30} {
			c := slices.Clone(b)
			c[i] ^= 0x10
			f.Add(c)
		}
	}
	// A small bomb: 4 MiB of zeros behind a header that declares them.
	hdr, _ := headerBytes("|u1", false, []int{4 << 20})
	stream, crc := deflateZeros(f, hdr, 4<<20)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "z.npy", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(stream)), UncompressedSize64: uint64(len(hdr)) + 4<<20})
	w.Write(stream)
	zw.Close()
	f.Add(zb.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	const limit = 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		var z *NPZ
		var err error
		n := allocated(func() {
			z, err = ReadNPZFrom("fuzz.npz", bytes.NewReader(data), int64(len(data)), NPZOptions{MaxBytes: limit, MaxMembers: 64})
		})
		if max := uint64(64*len(data) + 3*limit + 4<<20); n > max {
			t.Fatalf("ReadNPZFrom of %d bytes allocated %d bytes (limit %d)", len(data), n, max)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.npz: ") {
				t.Fatalf("error %q does not name the archive", err)
			}
			return
		}
		total := 0
		for k, a := range z.Arrays {
			dt, derr := parseDescr(a.Descr)
			if derr != nil {
				t.Fatalf("%s: accepted dtype %q: %v", k, a.Descr, derr)
			}
			if len(a.Data) != a.Len()*dt.size {
				t.Fatalf("%s: %d data bytes for %d elements of %d bytes", k, len(a.Data), a.Len(), dt.size)
			}
			total += len(a.Data)
			a.Float64()
			a.Float32()
			a.Uint8()
		}
		for _, b := range z.Files {
			total += len(b)
		}
		if total > limit {
			t.Fatalf("accepted %d bytes, over the %d-byte limit", total, limit)
		}
	})
}
