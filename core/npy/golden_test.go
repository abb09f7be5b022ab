package npy

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

const goldenDir = "../../testdata/npy"

type goldenArray struct {
	Descr   string   `json:"descr"`
	Shape   []int    `json:"shape"`
	Fortran bool     `json:"fortran"`
	Values  []string `json:"values"` // float.hex, C order
	Version []int    `json:"version"`
}

type goldenFile struct {
	Numpy string                                `json:"numpy"`
	NPY   map[string]goldenArray                `json:"npy"`
	NPZ   map[string]map[string]json.RawMessage `json:"npz"`
}

func loadGolden(t testing.TB) goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.NPY) < 10 || len(g.NPZ) < 2 {
		t.Fatalf("expected.json lists %d .npy and %d .npz files, want 10 and 2", len(g.NPY), len(g.NPZ))
	}
	return g
}

func parseValues(t testing.TB, hex []string) []float64 {
	t.Helper()
	out := make([]float64, len(hex))
	for i, h := range hex {
		v, err := strconv.ParseFloat(h, 64)
		if err != nil {
			t.Fatalf("expected.json value %q: %v", h, err)
		}
		out[i] = v
	}
	return out
}

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// checkArray compares a against numpy's own description of it: dtype, shape, order and every
// value, through Float64, Float32 and (for byte dtypes) Uint8.
func checkArray(t *testing.T, name string, a *Array, want goldenArray) {
	t.Helper()
	if a.Descr != want.Descr || !slices.Equal(a.Shape, want.Shape) || a.Fortran != want.Fortran {
		t.Errorf("%s: descr %q shape %v fortran %v, numpy says %q %v %v", name, a.Descr, a.Shape, a.Fortran, want.Descr, want.Shape, want.Fortran)
		return
	}
	vals := parseValues(t, want.Values)
	if a.Len() != len(vals) {
		t.Errorf("%s: Len() = %d, numpy has %d values", name, a.Len(), len(vals))
	}
	f64, err := a.Float64()
	if err != nil {
		t.Fatalf("%s: Float64: %v", name, err)
	}
	f32, err := a.Float32()
	if err != nil {
		t.Fatalf("%s: Float32: %v", name, err)
	}
	if len(f64) != len(vals) || len(f32) != len(vals) {
		t.Fatalf("%s: %d/%d values, want %d", name, len(f64), len(f32), len(vals))
	}
	for i, v := range vals {
		if !sameFloat(f64[i], v) {
			t.Errorf("%s: Float64()[%d] = %v, numpy %v", name, i, f64[i], v)
		}
		if !sameFloat(float64(f32[i]), float64(float32(v))) {
			t.Errorf("%s: Float32()[%d] = %v, numpy %v", name, i, f32[i], float32(v))
		}
	}
	u8, err := a.Uint8()
	if want.Descr == "|u1" || want.Descr == "|b1" {
		if err != nil {
			t.Fatalf("%s: Uint8: %v", name, err)
		}
		for i, v := range vals {
			if float64(u8[i]) != v {
				t.Errorf("%s: Uint8()[%d] = %d, numpy %v", name, i, u8[i], v)
			}
		}
	} else if err == nil {
		t.Errorf("%s: Uint8 of dtype %s: no error", name, want.Descr)
	}
}

func TestGoldenNPY(t *testing.T) {
	g := loadGolden(t)
	for name, want := range g.NPY {
		path := filepath.Join(goldenDir, name)
		a, err := ReadFile(path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if a.Name != path {
			t.Errorf("%s: Name = %q", name, a.Name)
		}
		raw, _ := os.ReadFile(path)
		if len(want.Version) != 2 || raw[6] != byte(want.Version[0]) || raw[7] != byte(want.Version[1]) {
			t.Errorf("%s: format version %d.%d, numpy wrote %v", name, raw[6], raw[7], want.Version)
		}
		checkArray(t, name, a, want)
		// Read from memory gives the same.
		b, err := Read(bytes.NewReader(raw))
		if err != nil || !bytes.Equal(b.Data, a.Data) || b.Descr != a.Descr {
			t.Errorf("%s: Read(bytes) differs from ReadFile: %v", name, err)
		}
	}
	// The set of versions and layouts the brief asks for is present.
	for _, name := range []string{"u8_3x4x4.npy", "bool_5.npy", "f32_2x3.npy", "f64be_2x2.npy", "f32_v2_3x2.npy", "u8_v3_4.npy", "f64_fortran_2x3.npy", "i16_fortran_2x3x4.npy", "f64_scalar.npy", "f32_empty_0x3.npy"} {
		if _, ok := g.NPY[name]; !ok {
			t.Errorf("expected.json lacks %s", name)
		}
	}
	if g.NPY["f32_v2_3x2.npy"].Version[0] != 2 || g.NPY["u8_v3_4.npy"].Version[0] != 3 {
		t.Error("golden v2/v3 files are not versions 2.0 and 3.0")
	}
	if !g.NPY["f64_fortran_2x3.npy"].Fortran || !g.NPY["i16_fortran_2x3x4.npy"].Fortran {
		t.Error("golden Fortran files are not Fortran-ordered")
	}
}

// TestFortranTransposed: Fortran-ordered files keep their raw bytes in Data, and the
// conversions return C order (checked against numpy above); COrder gives a C-ordered copy.
func TestFortranTransposed(t *testing.T) {
	a, err := ReadFile(filepath.Join(goldenDir, "i16_fortran_2x3x4.npy"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.COrder()
	if err != nil {
		t.Fatal(err)
	}
	if c.Fortran || bytes.Equal(c.Data, a.Data) {
		t.Fatal("COrder did not reorder a Fortran array")
	}
	// numpy's C-order values for (arange(24)-12).reshape(2,3,4)*1000.
	for i := 0; i < 24; i++ {
		v := int16(uint16(c.Data[2*i]) | uint16(c.Data[2*i+1])<<8)
		if int(v) != (i-12)*1000 {
			t.Fatalf("C-order element %d = %d, want %d", i, v, (i-12)*1000)
		}
	}
	// Raw Fortran data: element (i,j,k) at i + 2j + 6k.
	v := int16(uint16(a.Data[2]) | uint16(a.Data[3])<<8) // raw index 1 = (1,0,0) = C index 12
	if v != 0 {
		t.Errorf("raw Fortran element 1 = %d, want (12-12)*1000 = 0", v)
	}
}

// TestGoldenBytesIdentical: Write reproduces numpy's files byte for byte.
func TestGoldenBytesIdentical(t *testing.T) {
	for _, name := range []string{"u8_3x4x4.npy", "bool_5.npy", "f32_2x3.npy", "f64be_2x2.npy", "f64_scalar.npy", "f32_empty_0x3.npy"} {
		path := filepath.Join(goldenDir, name)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, a.Descr, a.Shape, a.Data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), raw) {
			t.Errorf("%s: Write output differs from numpy's file:\n got %q\nwant %q", name, buf.Bytes(), raw)
		}
		buf.Reset()
		switch a.Descr {
		case "<f4":
			f, _ := a.Float32()
			err = WriteFloat32(&buf, a.Shape, f)
		case "<f8":
			f, _ := a.Float64()
			err = WriteFloat64(&buf, a.Shape, f)
		case "|u1":
			u, _ := a.Uint8()
			err = WriteUint8(&buf, a.Shape, u)
		default:
			continue
		}
		if err != nil || !bytes.Equal(buf.Bytes(), raw) {
			t.Errorf("%s: typed writer output differs from numpy's file (%v)", name, err)
		}
	}
}

func TestGoldenNPZ(t *testing.T) {
	g := loadGolden(t)
	for name, members := range g.NPZ {
		z, err := ReadNPZ(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(z.Files) != 0 {
			t.Errorf("%s: unexpected raw members %v", name, z.Files)
		}
		n := 0
		for key, raw := range members {
			if key == "_methods" {
				var m []int
				json.Unmarshal(raw, &m)
				want := []int{0}
				if name == "two_compressed.npz" {
					want = []int{8}
				}
				if !slices.Equal(m, want) {
					t.Errorf("%s: zip methods %v, want %v", name, m, want)
				}
				continue
			}
			n++
			var want goldenArray
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			a, ok := z.Arrays[key]
			if !ok {
				t.Errorf("%s: no array %q (have %d)", name, key, len(z.Arrays))
				continue
			}
			if a.Name != filepath.Join(goldenDir, name)+": "+key+".npy" {
				t.Errorf("%s: member Name = %q", name, a.Name)
			}
			checkArray(t, name+":"+key, a, want)
		}
		if n != 2 || len(z.Arrays) != 2 {
			t.Errorf("%s: %d arrays, numpy wrote %d", name, len(z.Arrays), n)
		}
	}
}

// TestGoldenHeaderPad64: a header whose length is already a multiple of 64 bytes is padded
// with 64 more (numpy pads 1..64 bytes, never 0). f32_pad64.npy was written by numpy 1.24.2:
// np.save("f32_pad64.npy", np.zeros((0, 10000, 10000, 10000, 10, 10, 10, 10, 10), "<f4")),
// 192 bytes, whose header ends in its 20 spaces of room for the growth axis and 64 of padding.
func TestGoldenHeaderPad64(t *testing.T) {
	path := filepath.Join(goldenDir, "f32_pad64.npy")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 192 || !bytes.HasSuffix(raw, append(bytes.Repeat([]byte(" "), 20+64), '\n')) {
		t.Fatalf("%s: %d bytes, not numpy's header padded with 64 spaces", path, len(raw))
	}
	a, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 10000, 10000, 10000, 10, 10, 10, 10, 10}; a.Descr != "<f4" || !slices.Equal(a.Shape, want) || len(a.Data) != 0 {
		t.Fatalf("%s: %s %v with %d data bytes, want <f4 %v", path, a.Descr, a.Shape, len(a.Data), want)
	}
	var w, h, f bytes.Buffer
	errs := []error{Write(&w, a.Descr, a.Shape, nil), WriteHeader(&h, a.Descr, a.Shape), WriteFloat32(&f, a.Shape, nil)}
	for i, b := range []*bytes.Buffer{&w, &h, &f} {
		if errs[i] != nil || !bytes.Equal(b.Bytes(), raw) {
			t.Errorf("writer %d (Write, WriteHeader, WriteFloat32): %v\n got %q\nwant %q", i, errs[i], b.Bytes(), raw)
		}
	}
}
