package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// zipMember is one entry of a hand-built archive. With raw set, data is written as the
// member's stored bytes and crc/size go into the directory as given (to build lying archives).
type zipMember struct {
	name   string
	data   []byte
	method uint16
	raw    bool
	crc    uint32
	size   uint64
}

func buildZip(t testing.TB, path string, members ...zipMember) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		if m.raw {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: m.method, CRC32: m.crc,
				CompressedSize64: uint64(len(m.data)), UncompressedSize64: m.size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(m.data)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: m.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func npyBytes(t testing.TB, descr string, shape []int, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, descr, shape, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNPZRejects(t *testing.T) {
	dir := t.TempDir()
	good := npyBytes(t, "<f4", []int{2, 2}, make([]byte, 16))
	flipped := slices.Clone(good)
	flipped[len(flipped)-3] ^= 0x40
	hdr := npyBytes(t, "|u1", []int{1 << 20}, make([]byte, 1<<20))[:128]
	cases := []struct {
		name    string
		members []zipMember
		opt     NPZOptions
		want    []string // substrings of the error, after the path prefix
	}{
		{"crc_stored", []zipMember{{name: "W0.npy", data: flipped, raw: true, crc: crc32.ChecksumIEEE(good), size: uint64(len(good))}},
			NPZOptions{}, []string{"member W0.npy: CRC-32 mismatch", "corrupted"}},
		{"crc_meta", []zipMember{{name: "W0.npy", data: good}, {name: "meta.json", data: []byte(`{"b":1}`), raw: true, crc: crc32.ChecksumIEEE([]byte(`{"a":1}`)), size: 7}},
			NPZOptions{}, []string{"member meta.json: CRC-32 mismatch"}},
		{"crc_zero_field", []zipMember{{name: "W0.npy", data: good, raw: true, crc: 0, size: uint64(len(good))}},
			NPZOptions{}, []string{"member W0.npy: CRC-32 mismatch", "says 00000000"}},
		{"dir_size_bigger", []zipMember{{name: "W0.npy", data: good, raw: true, crc: crc32.ChecksumIEEE(good), size: uint64(len(good)) + 5}},
			NPZOptions{}, []string{"member W0.npy:", "stored member declares 149 bytes uncompressed and 144 stored", "truncated"}},
		{"dir_size_smaller", []zipMember{{name: "W0.npy", data: good, raw: true, crc: crc32.ChecksumIEEE(good), size: uint64(len(good)) - 4}},
			NPZOptions{}, []string{"member W0.npy:", "stored member declares 140 bytes uncompressed and 144 stored", "truncated"}},
		{"header_claims_more", []zipMember{{name: "big.npy", data: hdr, raw: true, crc: crc32.ChecksumIEEE(hdr), size: 128}},
			NPZOptions{}, []string{"member big.npy:", "needs 1048576 data bytes, input holds 0"}},
		{"dir_claims_terabyte", []zipMember{{name: "W0.npy", data: good, raw: true, crc: crc32.ChecksumIEEE(good), size: 1 << 40}},
			NPZOptions{}, []string{"member W0.npy: stored member declares 1099511627776 bytes uncompressed and 144 stored"}},
		// Deflated, it must be one deflate can give: at most 1032 times its bytes (the declared
		// size is allocated before the data arrive).
		{"deflate_claims_terabyte", []zipMember{{name: "W0.npy", data: good, raw: true, method: zip.Deflate, crc: crc32.ChecksumIEEE(good), size: 1 << 40}},
			NPZOptions{}, []string{"member W0.npy: declares 1099511627776 bytes uncompressed from 144 deflated, more than deflate gives (1032 to 1)"}},
		{"deflate_over_limit", []zipMember{{name: "W0.npy", data: good, raw: true, method: zip.Deflate, crc: crc32.ChecksumIEEE(good), size: 100000}},
			NPZOptions{MaxBytes: 50000}, []string{"member W0.npy: 100000 bytes uncompressed, more than the 50000 left of the 50000-byte limit"}},
		{"over_limit", []zipMember{{name: "a.npy", data: good}, {name: "b.npy", data: good}},
			NPZOptions{MaxBytes: int64(len(good)) + 10}, []string{"member b.npy: 144 bytes uncompressed, more than the 10 left of the 154-byte limit", "size limit"}},
		{"duplicate", []zipMember{{name: "W0.npy", data: good}, {name: "W0.npy", data: good}},
			NPZOptions{}, []string{`duplicate member "W0.npy"`}},
		{"slash", []zipMember{{name: "../W0.npy", data: good}}, NPZOptions{}, []string{`member "../W0.npy": name holds a path separator`}},
		{"backslash", []zipMember{{name: `a\W0.npy`, data: good}}, NPZOptions{}, []string{"path separator"}},
		{"directory", []zipMember{{name: "d/", data: nil}}, NPZOptions{}, []string{`member "d/"`, "path separator"}},
		{"empty_name", []zipMember{{name: "", data: good}}, NPZOptions{}, []string{"empty name"}},
		{"too_many", []zipMember{{name: "a", data: nil}, {name: "b", data: nil}, {name: "c", data: nil}},
			NPZOptions{MaxMembers: 2}, []string{"3 members, more than 2"}},
		{"method", []zipMember{{name: "W0.npy", data: good, raw: true, method: 12, crc: crc32.ChecksumIEEE(good), size: uint64(len(good))}},
			NPZOptions{}, []string{"member W0.npy: compression method 12, want stored (0) or deflated (8)"}},
		{"not_npy", []zipMember{{name: "W0.npy", data: []byte("hello")}}, NPZOptions{}, []string{"member W0.npy: bad magic"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".npz")
			buildZip(t, p, c.members...)
			_, err := ReadNPZWith(p, c.opt)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, p+": ") {
				t.Errorf("error %q does not start with the path", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q, want it to contain %q", msg, w)
				}
			}
		})
	}
	// The corrupted member wraps ErrChecksum, the oversized one ErrNPZLimit.
	if _, err := ReadNPZ(filepath.Join(dir, "crc_stored.npz")); !errors.Is(err, ErrChecksum) {
		t.Errorf("CRC error %v does not wrap ErrChecksum", err)
	}
	if _, err := ReadNPZWith(filepath.Join(dir, "deflate_over_limit.npz"), NPZOptions{MaxBytes: 50000}); !errors.Is(err, ErrNPZLimit) {
		t.Errorf("limit error %v does not wrap ErrNPZLimit", err)
	}
}

// TestNPZCorruptedDeflate: a flipped byte inside a deflated member is caught (by the CRC or by
// the inflater) for every position in the data, never silently accepted.
func TestNPZCorruptedDeflate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.npz")
	z, err := CreateNPZCompressed(p)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float32, 64)
	for i := range w {
		w[i] = float32(i) * 0.37
	}
	z.WriteFloat32("W0", []int{8, 8}, w)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(p)
	zr, _ := zip.OpenReader(p)
	off, _ := zr.File[0].DataOffset()
	csize := int64(zr.File[0].CompressedSize64)
	zr.Close()
	q := filepath.Join(dir, "bad.npz")
	for i := off; i < off+csize; i++ {
		for _, bit := range []byte{0x01, 0x80} {
			b := slices.Clone(orig)
			b[i] ^= bit
			os.WriteFile(q, b, 0o644)
			got, err := ReadNPZ(q)
			if err == nil {
				if v, _ := got.Arrays["W0"].Float32(); !slices.Equal(v, w) {
					t.Fatalf("byte %d ^ %#x: silently changed data", i-off, bit)
				}
				continue // a flip in an unused bit of the stream is harmless
			}
			if !strings.HasPrefix(err.Error(), q+": member W0.npy: ") {
				t.Fatalf("byte %d: error %q does not name the file and member", i-off, err)
			}
		}
	}
}

// TestNPZLazy: ReadNPZWith inflates only the members Keep selects; NPZReader reads one on
// demand and lists them all.
func TestNPZLazy(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.npz")
	good := npyBytes(t, "<f4", []int{2}, make([]byte, 8))
	bad := slices.Clone(good)
	bad[len(bad)-1] ^= 1
	buildZip(t, p, zipMember{name: "W0.npy", data: good},
		zipMember{name: "junk.npy", data: bad, raw: true, crc: crc32.ChecksumIEEE(good), size: uint64(len(good))},
		zipMember{name: "meta.json", data: []byte("{}"), method: zip.Deflate})
	z, err := ReadNPZWith(p, NPZOptions{Keep: func(m string) bool { return m != "junk.npy" }})
	if err != nil {
		t.Fatalf("junk.npy is corrupted but not selected: %v", err)
	}
	if z.Arrays["W0"] == nil || string(z.Files["meta.json"]) != "{}" || z.Arrays["junk"] != nil {
		t.Errorf("got arrays %v files %v", z.Arrays, z.Files)
	}
	r, err := OpenNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !slices.Equal(r.Names(), []string{"W0.npy", "junk.npy", "meta.json"}) || !r.Has("meta.json") || r.Has("W1.npy") {
		t.Errorf("Names() = %v", r.Names())
	}
	if a, err := r.Array("W0"); err != nil || !slices.Equal(a.Shape, []int{2}) || a.Name != p+": W0.npy" {
		t.Errorf("Array(W0) = %+v, %v", a, err)
	}
	if _, err := r.Array("junk"); err == nil || !strings.Contains(err.Error(), p+": member junk.npy: CRC-32 mismatch") {
		t.Errorf("Array(junk): %v", err)
	}
	if _, err := r.Array("W9"); err == nil || err.Error() != p+": no member W9.npy" {
		t.Errorf("Array(W9): %v", err)
	}
	if _, err := r.File("nope.json"); err == nil || err.Error() != p+": no member nope.json" {
		t.Errorf("File(nope.json): %v", err)
	}
}

// deflateZeros returns a raw deflate stream of a prefix followed by n zero bytes (n a multiple
// of 1 MiB) and its CRC-32, quickly: one 1 MiB chunk of zeros is compressed once and repeated
// (each sync-flushed chunk is byte aligned and refers to nothing before it).
func deflateZeros(t testing.TB, prefix []byte, n int64) ([]byte, uint32) {
	t.Helper()
	const chunk = 1 << 20
	var pre, zc, end bytes.Buffer
	fw, _ := flate.NewWriter(&pre, flate.BestCompression)
	fw.Write(prefix)
	fw.Flush()
	fw, _ = flate.NewWriter(&zc, flate.BestCompression)
	zeros := make([]byte, chunk)
	fw.Write(zeros)
	fw.Flush()
	fw, _ = flate.NewWriter(&end, flate.BestCompression)
	fw.Close() // an empty final block
	out := slices.Clone(pre.Bytes())
	crc := crc32.ChecksumIEEE(prefix)
	for i := int64(0); i < n/chunk; i++ {
		out = append(out, zc.Bytes()...)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	return append(out, end.Bytes()...), crc
}

// TestNPZBomb: a small archive holding a 2 GiB member of zeros is refused in bounded memory,
// whether its directory tells the truth (limit), lies low (the header disagrees), or the member
// is never asked for (not inflated at all); with a raised limit the member is inflated, checked
// and refused for its size mismatch without holding more than a bounded buffer.
func TestNPZBomb(t *testing.T) {
	dir := t.TempDir()
	const n = 2 << 30
	start := time.Now()
	hdr, err := headerBytes("|u1", false, []int{n})
	if err != nil {
		t.Fatal(err)
	}
	stream, crc := deflateZeros(t, hdr, n)
	size := uint64(len(hdr)) + n
	small := npyBytes(t, "<f4", []int{2}, make([]byte, 8))
	honest := filepath.Join(dir, "honest.npz")
	buildZip(t, honest, zipMember{name: "W0.npy", data: small},
		zipMember{name: "bomb.npy", data: stream, raw: true, method: zip.Deflate, crc: crc, size: size})
	liar := filepath.Join(dir, "liar.npz")
	buildZip(t, liar, zipMember{name: "bomb.npy", data: stream, raw: true, method: zip.Deflate, crc: crc, size: 1000})
	// A truthful header and directory, followed by 2 GiB the directory does not declare.
	tailStream, _ := deflateZeros(t, small, n)
	tail := filepath.Join(dir, "tail.npz")
	buildZip(t, tail, zipMember{name: "W0.npy", data: tailStream, raw: true, method: zip.Deflate, crc: crc32.ChecksumIEEE(small), size: uint64(len(small))})
	st, _ := os.Stat(honest)
	t.Logf("built a %d-byte archive with a %d-byte member in %v", st.Size(), size, time.Since(start))
	if st.Size() > 4<<20 {
		t.Errorf("bomb archive is %d bytes, want a few MB", st.Size())
	}

	measure := func(f func()) uint64 {
		runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	const bound = 64 << 20
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"honest", func() error { _, err := ReadNPZ(honest); return err },
			"member bomb.npy: 2147483776 bytes uncompressed, more than the 268435320 left of the 268435456-byte limit"},
		{"liar", func() error { _, err := ReadNPZ(liar); return err },
			"member bomb.npy: dtype |u1 shape [2147483648] needs 2147483648 data bytes, input holds 872: truncated (the zip directory declares 1000 bytes)"},
		{"tail", func() error { _, err := ReadNPZ(tail); return err },
			"member W0.npy: more data than the 136 bytes the zip directory declares"},
		{"unused", func() error {
			z, err := ReadNPZWith(honest, NPZOptions{Keep: func(m string) bool { return m == "W0.npy" }})
			if err == nil && z.Arrays["W0"] == nil {
				t.Error("W0 not read")
			}
			return err
		}, ""},
		{"raised_limit_liar_header", func() error {
			_, err := ReadNPZWith(liar, NPZOptions{MaxBytes: 4 << 30})
			return err
		}, "member bomb.npy: "},
	}
	for _, c := range cases {
		var err error
		t0 := time.Now()
		alloc := measure(func() { err = c.run() })
		t.Logf("%s: %v, allocated %d bytes in %v", c.name, err, alloc, time.Since(t0))
		if alloc > bound {
			t.Errorf("%s: allocated %d bytes, want < %d", c.name, alloc, bound)
		}
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestNPZNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.npz")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadNPZ(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), fifo+" is not a regular file") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadNPZ of a FIFO hangs")
	}
	// A folder is called one, as train's -data says (not "d---------").
	if _, err := ReadNPZ(dir); err == nil || err.Error() != dir+" is a folder, want a .npz archive" {
		t.Errorf("directory: %v", err)
	}
}
