package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestReadFileNotRegular: ReadFile refuses a folder and a FIFO by name, as OpenNPZ does (a
// folder was read as "0 bytes, shorter than the 8-byte .npy preamble", and a FIFO without a
// writer blocked forever).
func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir); err == nil || err.Error() != dir+" is a folder, want a .npy file" {
		t.Errorf("folder: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.npy")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadFile(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.HasPrefix(err.Error(), fifo+" is not a regular file (") || !strings.HasSuffix(err.Error(), "), want a .npy file") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("ReadFile of a FIFO without a writer hangs")
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil { // let it go
			f.Close()
		}
		<-done
	}
}

// TestFloat32NoCopy: Float32 of <f4 on a little-endian machine returns a's C-order data itself
// (no copy, every bit kept, NaN payloads included), and copies where it must: unaligned bytes,
// Fortran order (the C-order copy is returned, a.Data untouched), '>f4', and the portable path.
func TestFloat32NoCopy(t *testing.T) {
	bits := []uint32{0, 0x80000000, 1, 0x007fffff, 0x3f800000, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 0xffffffff}
	le := make([]byte, 4*len(bits))
	be := make([]byte, 4*len(bits))
	for i, b := range bits {
		binary.LittleEndian.PutUint32(le[4*i:], b)
		binary.BigEndian.PutUint32(be[4*i:], b)
	}
	check := func(name string, a *Array, want []uint32, shared bool) {
		t.Helper()
		orig := append([]byte(nil), a.Data...)
		f, err := a.Float32()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, v := range f {
			if math.Float32bits(v) != want[i] {
				t.Errorf("%s: element %d has bits %08x, want %08x", name, i, math.Float32bits(v), want[i])
			}
		}
		got := len(f) > 0 && unsafe.Pointer(unsafe.SliceData(f)) == unsafe.Pointer(unsafe.SliceData(a.Data))
		if got != shared {
			t.Errorf("%s: result shares a.Data: %v, want %v", name, got, shared)
		}
		if !bytes.Equal(a.Data, orig) {
			t.Errorf("%s: Float32 changed a.Data", name)
		}
	}
	n := len(bits)
	check("<f4", &Array{Descr: "<f4", Shape: []int{n}, Data: le}, bits, nativeLittleEndian)
	check(">f4", &Array{Descr: ">f4", Shape: []int{n}, Data: be}, bits, false)
	buf := make([]byte, len(le)+1)
	copy(buf[1:], le)
	check("<f4 unaligned", &Array{Descr: "<f4", Shape: []int{n}, Data: buf[1:]}, bits, false)
	// Fortran (2, 5): raw element (i, j) at i + 2j; C order reads row 0 first.
	var cw []uint32
	for i := range 2 {
		for j := range 5 {
			cw = append(cw, bits[i+2*j])
		}
	}
	check("<f4 Fortran", &Array{Descr: "<f4", Shape: []int{2, 5}, Fortran: true, Data: le}, cw, false)
	check("<f4 empty", &Array{Descr: "<f4", Shape: []int{0, 3}, Data: []byte{}}, nil, false)
	defer func(v bool) { nativeLittleEndian = v }(nativeLittleEndian)
	nativeLittleEndian = false
	check("<f4 portable", &Array{Descr: "<f4", Shape: []int{n}, Data: le}, bits, false)
}

// TestFloat32WideIntegers: int64 and uint64 convert to the nearest float32 (ties to even) in
// one rounding, as numpy's astype(float32) does; through float64 they rounded twice and
// 2^62 + 2^38 + 1 gave 2^62.
func TestFloat32WideIntegers(t *testing.T) {
	// Values and numpy 1.24's astype(np.float32) bits for them.
	signed := map[int64]uint32{
		1<<62 + 1<<38 + 1: 0x5e800001, -(1<<62 + 1<<38 + 1): 0xde800001, math.MaxInt64: 0x5f000000,
		math.MinInt64: 0xdf000000, 1<<24 + 1: 0x4b800000, 1<<25 + 3: 0x4c000001,
		1<<40 + 1<<16 + 1: 0x53800001, (1<<53+1)*32 + 1: 0x5c800000, 9007199791611905: 0x5a000001,
	}
	unsigned := map[uint64]uint32{
		math.MaxUint64: 0x5f800000, 1<<63 + 1<<39 + 1: 0x5f000001, 1<<63 + 1<<39: 0x5f000000,
		1<<64 - 1<<39 - 1: 0x5f7fffff, 1<<62 + 1<<38 + 1: 0x5e800001, 18446743798831644673: 0x5f800000,
	}
	// And random values of every bit length, checked against big.Float's rounding.
	r := rand.New(rand.NewPCG(1, 2))
	ref := func(x *big.Int) uint32 {
		f, _ := new(big.Float).SetInt(x).Float32() // nearest, ties to even
		return math.Float32bits(f)
	}
	for range 2000 {
		u := r.Uint64() >> r.IntN(64)
		if r.IntN(2) == 0 { // a tie or a near tie at bit length 25 and up
			if l := 64 - r.IntN(40); l > 25 {
				u = u&^(1<<(l-25)-1) | 1<<(l-26) | uint64(r.IntN(2))
			}
		}
		unsigned[u] = ref(new(big.Int).SetUint64(u))
		signed[int64(u)] = ref(big.NewInt(int64(u)))
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		prefix := "<"
		if order == binary.BigEndian {
			prefix = ">"
		}
		for _, kind := range []string{"i8", "u8"} {
			var vals []uint64
			var want []uint32
			if kind == "i8" {
				for v, w := range signed {
					vals, want = append(vals, uint64(v)), append(want, w)
				}
			} else {
				for v, w := range unsigned {
					vals, want = append(vals, v), append(want, w)
				}
			}
			data := make([]byte, 8*len(vals))
			for i, v := range vals {
				order.PutUint64(data[8*i:], v)
			}
			a := &Array{Descr: prefix + kind, Shape: []int{len(vals)}, Data: data}
			got, err := a.Float32()
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range got {
				if math.Float32bits(g) != want[i] {
					v := any(vals[i])
					if kind == "i8" {
						v = int64(vals[i])
					}
					t.Errorf("%s%s %d: Float32 %08x (%g), want %08x", prefix, kind, v, math.Float32bits(g), g, want[i])
				}
			}
		}
	}
}
