package rbm

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/core/npy"
)

// DataFile is a data set read from an .npy file, with what the file says
// about it.
type DataFile struct {
	Path  string
	Set   *Dataset
	L     int // lattice side when the samples are square lattices, else 0
	Shape []int
	Descr string
}

// ReadDataFile reads an .npy file of configurations: (n, L, L) or (n, D)
// arrays of uint8, bool, float32 or float64 with values in {0,1} (or [0,1]
// for floats). The path must name a regular file (a FIFO or device is
// refused without reading). Errors start with the path.
func ReadDataFile(path string) (*DataFile, error) {
	st, err := os.Stat(path)
	return readDataFile(path, st, err)
}

// readDataFile is ReadDataFile given the result of os.Stat(path).
func readDataFile(path string, st os.FileInfo, err error) (*DataFile, error) {
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: no such file", path)
	case st.IsDir():
		return nil, fmt.Errorf("%s is a folder, want a .npy file", path)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (%v), want a .npy file", path, st.Mode().Type())
	}
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) < 2 || len(a.Shape) > 3 {
		return nil, fmt.Errorf("%s: shape %v (%d dimensions), want (n, L, L) or (n, D)", path, a.Shape, len(a.Shape))
	}
	if len(a.Shape) == 3 && a.Shape[1] != a.Shape[2] {
		return nil, fmt.Errorf("%s: shape %v is not square lattices, want (n, L, L) or (n, D)", path, a.Shape)
	}
	switch a.Descr {
	case "|u1", "u1", "<u1", ">u1", "|b1", "b1", "<f4", ">f4", "<f8", ">f8":
	default:
		return nil, fmt.Errorf("%s: dtype %s, want uint8 (|u1), bool (|b1), float32 (<f4) or float64 (<f8)", path, a.Descr)
	}
	d, err := DatasetFromArray(path, a)
	if err != nil {
		return nil, err
	}
	out := &DataFile{Path: path, Set: d, Shape: append([]int(nil), a.Shape...), Descr: a.Descr}
	if len(a.Shape) == 3 {
		out.L = a.Shape[1]
	} else if len(a.Shape) == 2 {
		if l := int(math.Round(math.Sqrt(float64(d.D)))); l*l == d.D {
			out.L = l
		}
	}
	return out, nil
}

// EstimateReadBytes returns the memory of reading a data file of
// fileBytes bytes for training: the bytes, their copy as values, and the
// training split's copy.
func EstimateReadBytes(fileBytes int64) float64 { return 3 * float64(fileBytes) }

// CheckVisible checks that the samples of d have as many units as the
// visible layer of dbn; model names the model in the message.
func (d *DataFile) CheckVisible(dbn *DBN, model string) error {
	if nv := dbn.Layers[0].NVisible; nv != d.Set.D {
		return fmt.Errorf("%s has %d units per sample (shape %v), but the model %s has %d visible units",
			d.Path, d.Set.D, d.Shape, model, nv)
	}
	return nil
}

// ParseLayers reads a list of layers (EvalOptions.Layers) of a DBN of n
// layers: "all" or "" (nil: every layer), or layer numbers from 1
// separated by commas, returned sorted without repeats.
func ParseLayers(s string, n int) ([]int, error) {
	if s == "" || s == "all" {
		return nil, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, f := range strings.Split(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || l < 1 || l > n {
			return nil, fmt.Errorf("want \"all\" or layers from 1 to %d separated by commas", n)
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out, nil
}

// MetaExtra is what a model file's meta.json records about the data it was
// trained on: path, shape, dtype and lattice side.
func (d *DataFile) MetaExtra() map[string]any {
	return map[string]any{"data": d.Path, "data_shape": d.Shape, "data_dtype": d.Descr, "lattice_L": d.L}
}
