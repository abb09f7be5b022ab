package analysis

import (
	"fmt"
	"math"
	"strconv"
)

// Matrix is a dense row-major float32 matrix: element (i, j) is Data[i*Cols+j].
// A weight matrix has one row per visible unit and one column per hidden unit.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zero rows x cols matrix.
func NewMatrix(rows, cols int) Matrix {
	return Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// check reports whether m's data length matches its shape (whose element count an int must
// hold: 2^62 x 4 is not taken for 0 elements).
func (m Matrix) check(name string) error {
	switch {
	case m.Rows < 0 || m.Cols < 0 || m.Cols > 0 && m.Rows > math.MaxInt/m.Cols:
		return fmt.Errorf("%s: %d x %d matrix, want sizes >= 0 whose product an int holds", name, m.Rows, m.Cols)
	case len(m.Data) != m.Rows*m.Cols:
		return fmt.Errorf("%s: %d x %d matrix with %d elements, want %d", name, m.Rows, m.Cols, len(m.Data), m.Rows*m.Cols)
	}
	return nil
}

// checkFinite reports the first element of m (in row-major order) that is NaN or infinite: no
// measure of a field means anything with one (an all-NaN column has no peak), and a product
// skipped at an exact zero would hide it.
func (m Matrix) checkFinite(name string) error {
	for i, v := range m.Data {
		if x := float64(v); math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: element (%d, %d) = %v, want finite values", name, i/m.Cols, i%m.Cols, v)
		}
	}
	return nil
}

// maxSide is the largest lattice side L taken: 2^31 with 64-bit ints (2^15 with 32-bit ones),
// so that L*L sites, and the index of any site, fit in an int.
const maxSide = 1 << (strconv.IntSize/2 - 1)

// sites returns the L*L sites of an L x L lattice, or, when L is not a side (L < 1) or L*L
// would overflow an int, an error that names fn and L.
func sites(fn string, L int) (int, error) {
	if L < 1 || L > maxSide {
		return 0, fmt.Errorf("%s: lattice side L = %d, want 1..%d", fn, L, maxSide)
	}
	return L * L, nil
}

// Column returns a copy of column j as float64: for a first-layer weight matrix or an effective
// receptive field, the field of hidden unit j, site index y*L+x.
func (m Matrix) Column(j int) []float64 {
	c := make([]float64, m.Rows)
	for i := range c {
		c[i] = float64(m.Data[i*m.Cols+j])
	}
	return c
}

// Columns returns every column of m as float64 slices (see Column).
func (m Matrix) Columns() [][]float64 {
	out := make([][]float64, m.Cols)
	for j := range out {
		out[j] = m.Column(j)
	}
	return out
}

// ERF returns the effective receptive fields of a stack of weight matrices (PAPER.md, appendix B
// of Mehta & Schwab): r(1) = W(1), r(l) = r(l-1) W(l), plain products without biases or
// nonlinearities, accumulated in float64 and rounded to float32. Column j of r(l) is the field of
// unit j of layer l on the visible lattice. ws[l].Rows must equal ws[l-1].Cols, and every
// weight must be finite.
func ERF(ws []Matrix) ([]Matrix, error) {
	out := make([]Matrix, len(ws))
	var prev []float64 // r(l-1) in float64, prevRows x prevCols
	prevRows, prevCols := 0, 0
	for l, w := range ws {
		name := fmt.Sprintf("ERF: layer %d", l+1)
		if err := w.check(name); err != nil {
			return nil, err
		}
		if err := w.checkFinite(name); err != nil {
			return nil, err
		}
		if l == 0 {
			prev = make([]float64, len(w.Data))
			for i, v := range w.Data {
				prev[i] = float64(v)
			}
			prevRows, prevCols = w.Rows, w.Cols
		} else {
			if w.Rows != prevCols {
				return nil, fmt.Errorf("ERF: layer %d has %d rows, want %d (columns of layer %d)", l+1, w.Rows, prevCols, l)
			}
			next := make([]float64, prevRows*w.Cols)
			for i := 0; i < prevRows; i++ {
				row := next[i*w.Cols : (i+1)*w.Cols]
				for k := 0; k < prevCols; k++ {
					a := prev[i*prevCols+k]
					if a == 0 {
						continue
					}
					wk := w.Data[k*w.Cols : (k+1)*w.Cols]
					for j, b := range wk {
						row[j] += float64(a * float64(b))
					}
				}
			}
			prev, prevCols = next, w.Cols
		}
		m := NewMatrix(prevRows, prevCols)
		for i, v := range prev {
			m.Data[i] = float32(v)
		}
		out[l] = m
	}
	return out, nil
}
