package npy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const systemPython = "/usr/bin/python3"

// requirePythonEnv set to 1 (as .ci/run sets it) turns needNumpy's skip
// into a failure, as in core/replicate's comparisons with NumPy.
const requirePythonEnv = "ISINGRBM_REQUIRE_PYTHON"

// needNumpy skips the test when systemPython cannot import numpy, or
// fails it when requirePythonEnv is 1.
func needNumpy(t *testing.T) {
	t.Helper()
	why := ""
	if _, err := os.Stat(systemPython); err != nil {
		why = systemPython + " not found"
	} else if out, err := exec.Command(systemPython, "-c", "import numpy").CombinedOutput(); err != nil {
		why = fmt.Sprintf("%s cannot import numpy: %s", systemPython, strings.TrimSpace(string(out)))
	}
	switch {
	case why == "":
	case os.Getenv(requirePythonEnv) == "1":
		t.Fatalf("%s=1 but %s (apt-get install python3-numpy)", requirePythonEnv, why)
	default:
		t.Skipf("%s: cannot run numpy (%s=1 makes this a failure)", why, requirePythonEnv)
	}
}

// checkScript loads every file listed in spec.json with numpy (allow_pickle=False) and compares
// dtype, shape and every value bit for bit; it also checks that np.save of the loaded array
// reproduces the Go-written .npy file byte for byte, and reads raw .npz members with zipfile.
const checkScript = `
import io, json, sys, zipfile
import numpy as np
d = sys.argv[1]
spec = json.load(open(d + "/spec.json"))
def check(name, arr, want):
    assert arr.dtype.str == want["descr"], (name, arr.dtype.str, want["descr"])
    assert list(arr.shape) == want["shape"], (name, arr.shape, want["shape"])
    got = [float(x).hex() for x in np.ravel(arr).tolist()]
    assert got == want["values"], (name, got[:8], want["values"][:8])
for name, want in spec["npy"].items():
    arr = np.load(d + "/" + name, allow_pickle=False)
    check(name, arr, want)
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    assert buf.getvalue() == open(d + "/" + name, "rb").read(), (name, "bytes differ from np.save")
for name, members in spec["npz"].items():
    with np.load(d + "/" + name, allow_pickle=False) as z:
        arrays = {k: v for k, v in members.items() if not k.endswith(".json")}
        assert sorted(z.files) == sorted(members), (name, z.files)
        for k, want in arrays.items():
            check(name + ":" + k, z[k], want)
    with zipfile.ZipFile(d + "/" + name) as zf:
        assert zf.testzip() is None
        for k, v in members.items():
            if k.endswith(".json"):
                assert zf.read(k).decode() == v, (name, k)
print("ok")
`

type pySpec struct {
	Descr  string   `json:"descr"`
	Shape  []int    `json:"shape"`
	Values []string `json:"values"`
}

func pyHex(v float64) string {
	// Python's float.hex spelling is not needed: the script compares its own float.hex output,
	// so produce exactly that format: [-]0x1.<13 hex digits>p<exp>, 0x0.0p+0, inf, nan.
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v == 0:
		if math.Signbit(v) {
			return "-0x0.0p+0"
		}
		return "0x0.0p+0"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	_, exp := math.Frexp(v) // v = frac * 2^exp, frac in [0.5, 1)
	bits := math.Float64bits(v)
	mant := bits & (1<<52 - 1)
	e := exp - 1
	lead := "1"
	if bits>>52 == 0 { // subnormal: Python prints 0x0.<mant>p-1022
		lead, e = "0", -1022
	}
	return sign + "0x" + lead + "." + leftPad(strconv.FormatUint(mant, 16), 13) + "p" + signed(e)
}

func leftPad(s string, n int) string { return strings.Repeat("0", n-len(s)) + s }

func signed(e int) string {
	if e >= 0 {
		return "+" + strconv.Itoa(e)
	}
	return strconv.Itoa(e)
}

func TestPyHexMatchesGolden(t *testing.T) {
	// pyHex must agree with Python's float.hex on numpy's own golden values.
	g := loadGolden(t)
	for name, a := range g.NPY {
		for _, h := range a.Values {
			v, _ := strconv.ParseFloat(h, 64)
			if got := pyHex(v); got != h {
				t.Errorf("%s: pyHex(%v) = %q, Python wrote %q", name, v, got, h)
			}
		}
	}
}

// TestNumpyReadsGoFiles: files written by this package load in numpy with the same dtype,
// shape and values, and np.save of what numpy loaded reproduces the Go file byte for byte.
func TestNumpyReadsGoFiles(t *testing.T) {
	needNumpy(t)
	dir := t.TempDir()
	spec := map[string]map[string]any{"npy": {}, "npz": {}}
	hexes := func(v []float64) []string {
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = pyHex(x)
		}
		return out
	}
	f32 := []float32{1.5, float32(math.NaN()), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 3e-38, 1e-45, 123456.789, -7}
	f32v := make([]float64, len(f32))
	for i, v := range f32 {
		f32v[i] = float64(v)
	}
	f64 := []float64{math.Pi, -1e-310, math.Inf(1), 2.5}
	u8 := []uint8{0, 1, 2, 255, 128, 7}
	u8v := []float64{0, 1, 2, 255, 128, 7}
	be := []byte{0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18} // >f8 pi
	write := func(name string, fn func(w *bytes.Buffer) error, s pySpec) {
		if err := WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
			var b bytes.Buffer
			if err := fn(&b); err != nil {
				return err
			}
			_, err := w.Write(b.Bytes())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		spec["npy"][name] = s
	}
	write("f32.npy", func(w *bytes.Buffer) error { return WriteFloat32(w, []int{2, 4}, f32) }, pySpec{"<f4", []int{2, 4}, hexes(f32v)})
	write("f64.npy", func(w *bytes.Buffer) error { return WriteFloat64(w, []int{4}, f64) }, pySpec{"<f8", []int{4}, hexes(f64)})
	write("u8.npy", func(w *bytes.Buffer) error { return WriteUint8(w, []int{1, 3, 2}, u8) }, pySpec{"|u1", []int{1, 3, 2}, hexes(u8v)})
	write("b1.npy", func(w *bytes.Buffer) error { return Write(w, "|b1", []int{3}, []byte{1, 0, 1}) }, pySpec{"|b1", []int{3}, hexes([]float64{1, 0, 1})})
	write("be.npy", func(w *bytes.Buffer) error { return Write(w, ">f8", []int{}, be) }, pySpec{">f8", []int{}, hexes([]float64{math.Pi})})
	write("empty.npy", func(w *bytes.Buffer) error { return WriteFloat32(w, []int{0, 3}, nil) }, pySpec{"<f4", []int{0, 3}, []string{}})

	for _, c := range []struct {
		name   string
		create func(string) (*NPZWriter, error)
	}{{"stored.npz", CreateNPZ}, {"deflated.npz", CreateNPZCompressed}} {
		z, err := c.create(filepath.Join(dir, c.name))
		if err != nil {
			t.Fatal(err)
		}
		z.WriteFloat32("W0", []int{2, 4}, f32)
		z.WriteFloat64("b0", []int{4}, f64)
		z.WriteArray("v", "|u1", []int{6}, u8)
		z.WriteFile("meta.json", []byte(`{"lr": 0.1}`))
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		spec["npz"][c.name] = map[string]any{
			"W0":        pySpec{"<f4", []int{2, 4}, hexes(f32v)},
			"b0":        pySpec{"<f8", []int{4}, hexes(f64)},
			"v":         pySpec{"|u1", []int{6}, hexes(u8v)},
			"meta.json": `{"lr": 0.1}`,
		}
	}
	js, _ := json.Marshal(spec)
	os.WriteFile(filepath.Join(dir, "spec.json"), js, 0o644)
	out, err := exec.Command(systemPython, "-c", checkScript, dir).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("numpy check failed: %v\n%s", err, out)
	}
}
