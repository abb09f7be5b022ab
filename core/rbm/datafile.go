package rbm

import (
	"fmt"
	"math"
	"os"

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
	if len(a.Shape) == 3 && a.Shape[1] == a.Shape[2] {
		out.L = a.Shape[1]
	} else if len(a.Shape) == 2 {
		if l := int(math.Round(math.Sqrt(float64(d.D)))); l*l == d.D {
			out.L = l
		}
	}
	return out, nil
}
