package rbm

import (
	"fmt"
	"math"
	"strings"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/core/npy"
)

// Dataset is N samples of D units held in memory, either as bytes in {0,1}
// (X, the Ising configurations) or as float32 probabilities in [0,1] (P, the
// hidden probabilities an upper layer of a DBN trains on). Exactly one of X
// and P is non-nil; both are row-major N x D. Mini-batches are converted to
// float32 into the trainer's reused buffers.
type Dataset struct {
	N, D int
	X    []uint8
	P    []float32
}

// NewBinaryDataset wraps x (n x d bytes, each 0 or 1) without copying.
func NewBinaryDataset(n, d int, x []uint8) (*Dataset, error) {
	if n <= 0 || d <= 0 || len(x) != n*d {
		return nil, fmt.Errorf("dataset: %d bytes for %d x %d samples", len(x), n, d)
	}
	for i, v := range x {
		if v > 1 {
			return nil, fmt.Errorf("dataset: element %d (sample %d, unit %d) is %d, want 0 or 1", i, i/d, i%d, v)
		}
	}
	return &Dataset{N: n, D: d, X: x}, nil
}

// NewProbDataset wraps p (n x d float32 values in [0,1]) without copying.
func NewProbDataset(n, d int, p []float32) (*Dataset, error) {
	if n <= 0 || d <= 0 || len(p) != n*d {
		return nil, fmt.Errorf("dataset: %d values for %d x %d samples", len(p), n, d)
	}
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("dataset: element %d (sample %d, unit %d) is %v, want a value in [0,1]", i, i/d, i%d, v)
		}
	}
	return &Dataset{N: n, D: d, P: p}, nil
}

// DatasetFromArray converts an array read from an .npy file named name into
// a Dataset. Shapes (n, L, L) and (n, D) are accepted; dtypes uint8, bool,
// float32 and float64. Integer and boolean data must be 0 or 1; float data
// that are all 0 or 1 are stored as bytes, other floats in [0,1] are kept as
// float32 probabilities (the input of an upper layer). Errors name the file.
func DatasetFromArray(name string, a *npy.Array) (*Dataset, error) {
	var n, d int
	switch len(a.Shape) {
	case 2:
		n, d = a.Shape[0], a.Shape[1]
	case 3:
		n, d = a.Shape[0], a.Shape[1]*a.Shape[2]
	default:
		return nil, fmt.Errorf("%s: shape %v, want (n, L, L) or (n, D)", name, a.Shape)
	}
	if n <= 0 || d <= 0 {
		return nil, fmt.Errorf("%s: shape %v has no samples or no units", name, a.Shape)
	}
	descr := a.Descr
	var size int
	switch descr {
	case "|u1", "u1", "<u1", ">u1", "|b1", "b1", "|i1", "i1":
		size = 1
	case "<f4", ">f4":
		size = 4
	case "<f8", ">f8":
		size = 8
	default:
		return nil, fmt.Errorf("%s: dtype %s, want |u1, |b1, <f4 or <f8", name, descr)
	}
	if len(a.Data) != n*d*size {
		return nil, fmt.Errorf("%s: %d data bytes for shape %v and dtype %s, want %d", name, len(a.Data), a.Shape, descr, n*d*size)
	}
	// The npy package converts every dtype and storage order to C-order
	// values; here only the values are checked.
	c := *a
	c.Name = name
	if size == 1 && !strings.HasSuffix(descr, "i1") {
		x, err := c.Uint8()
		if err != nil {
			return nil, err
		}
		for i, v := range x {
			if v > 1 {
				return nil, fmt.Errorf("%s: element (%d, %d) is %d, want 0 or 1", name, i/d, i%d, v)
			}
		}
		return &Dataset{N: n, D: d, X: x}, nil
	}
	return floatDataset(name, &c, n, d, size)
}

// floatDataset converts the float (or int8) array c of DatasetFromArray:
// bytes when every value is 0 or 1, else float32 probabilities in [0,1].
func floatDataset(name string, c *npy.Array, n, d, size int) (*Dataset, error) {
	var vals []float64
	if size == 8 {
		v, err := c.Float64() // checked in float64, so 1+1e-12 is not taken for 1
		if err != nil {
			return nil, err
		}
		vals = v
	} else {
		v, err := c.Float32()
		if err != nil {
			return nil, err
		}
		vals = make([]float64, len(v))
		for i, f := range v {
			vals[i] = float64(f)
		}
	}
	binaryValues := true
	for i, v := range vals {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("%s: element (%d, %d) is %v, want values in {0,1} (or [0,1] for float probabilities)", name, i/d, i%d, v)
		}
		if v != 0 && v != 1 {
			if size == 1 {
				return nil, fmt.Errorf("%s: element (%d, %d) is %v, want 0 or 1", name, i/d, i%d, v)
			}
			binaryValues = false
		}
	}
	if binaryValues {
		x := make([]uint8, n*d)
		for i, v := range vals {
			if v != 0 {
				x[i] = 1
			}
		}
		return &Dataset{N: n, D: d, X: x}, nil
	}
	p := make([]float32, n*d)
	for i, v := range vals {
		p[i] = float32(v)
	}
	return &Dataset{N: n, D: d, P: p}, nil
}

// Binary reports whether the samples are stored as bytes in {0,1}.
func (d *Dataset) Binary() bool { return d.X != nil }

// Row writes sample i as float32 into dst[:D].
func (d *Dataset) Row(i int, dst []float32) {
	if d.X != nil {
		f32.FromBytes(dst, d.X[i*d.D:(i+1)*d.D])
		return
	}
	copy(dst[:d.D], d.P[i*d.D:(i+1)*d.D])
}

// Gather writes the samples idx as consecutive float32 rows into dst.
func (d *Dataset) Gather(idx []int, dst []float32) {
	for r, i := range idx {
		d.Row(i, dst[r*d.D:(r+1)*d.D])
	}
}

// Range writes samples [lo, hi) as float32 rows into dst.
func (d *Dataset) Range(lo, hi int, dst []float32) {
	if d.X != nil {
		f32.FromBytes(dst, d.X[lo*d.D:hi*d.D])
		return
	}
	copy(dst, d.P[lo*d.D:hi*d.D])
}

// Subset returns the samples idx as a new Dataset (copied).
func (d *Dataset) Subset(idx []int) *Dataset {
	out := &Dataset{N: len(idx), D: d.D}
	if d.X != nil {
		out.X = make([]uint8, len(idx)*d.D)
		for r, i := range idx {
			copy(out.X[r*d.D:(r+1)*d.D], d.X[i*d.D:(i+1)*d.D])
		}
	} else {
		out.P = make([]float32, len(idx)*d.D)
		for r, i := range idx {
			copy(out.P[r*d.D:(r+1)*d.D], d.P[i*d.D:(i+1)*d.D])
		}
	}
	return out
}

// heldBytes is the memory d's samples take: a byte or a float32 a unit.
func (d *Dataset) heldBytes() float64 {
	return float64(len(d.X)) + float64(4*float64(len(d.P)))
}

// ColumnMeans returns the mean of each unit over the samples, in float64.
func (d *Dataset) ColumnMeans() []float64 {
	sum := make([]float64, d.D)
	for i := 0; i < d.N; i++ {
		if d.X != nil {
			for j, v := range d.X[i*d.D : (i+1)*d.D] {
				sum[j] += float64(v)
			}
		} else {
			for j, v := range d.P[i*d.D : (i+1)*d.D] {
				sum[j] += float64(v)
			}
		}
	}
	for j := range sum {
		sum[j] /= float64(d.N)
	}
	return sum
}

// hash returns the 64-bit FNV-1a hash of the shape and values, which a
// checkpoint records to refuse resuming on other data.
func (d *Dataset) hash() uint64 {
	h := uint64(14695981039346656037)
	mix := func(b byte) {
		h ^= uint64(b)
		h *= 1099511628211
	}
	for _, v := range []int{d.N, d.D} {
		for s := 0; s < 64; s += 8 {
			mix(byte(uint64(v) >> s))
		}
	}
	if d.X != nil {
		for _, b := range d.X {
			mix(b)
		}
	} else {
		for _, f := range d.P {
			u := math.Float32bits(f)
			mix(byte(u))
			mix(byte(u >> 8))
			mix(byte(u >> 16))
			mix(byte(u >> 24))
		}
	}
	return h
}
