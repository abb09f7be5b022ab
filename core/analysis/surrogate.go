package analysis

import (
	"fmt"
	"math"
	"sync"

	"github.com/isingrbm/isingrbm/asm/pmath"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// DefaultSurrogates is the number of phase-randomized surrogates SurrogateLocality draws per field
// when the caller passes 0: with 19, a field that beats all of its surrogates does so with
// probability exactly 1/20 when it is itself a stationary Gaussian field (see SurrogateLocality).
const DefaultSurrogates = 19

// NoiseFields is the fewest Gaussian noise fields a locality baseline should draw
// (LocalityVsNoise draws at least this many): its 5% and 95% quantiles, the thresholds of the
// local fractions, then rest on 50 fields or more beyond them, whatever the layer's width.
const NoiseFields = 1000

// dft2 holds the twiddle factors of an L x L discrete Fourier transform and its scratch space.
// Every sum runs in index order with each product rounded on its own (no fused multiply-add),
// so that the result is the same bits on every CPU.
type dft2 struct {
	L      int
	cos    []float64 // cos(2 pi j / L), j < L
	sin    []float64 // sin(2 pi j / L)
	re, im []float64 // L*L complex work array, site index y*L+x
	tr, ti []float64 // L*L complex work array
}

func newDFT2(L int) *dft2 {
	d := &dft2{L: L, cos: make([]float64, L), sin: make([]float64, L),
		re: make([]float64, L*L), im: make([]float64, L*L), tr: make([]float64, L*L), ti: make([]float64, L*L)}
	f := 2 * math.Pi / float64(L)
	for j := 0; j < L; j++ {
		d.sin[j], d.cos[j] = pmath.Sincos(f * float64(j))
	}
	return d
}

// pass transforms along one axis: out[.., k, ..] = sum_n in[.., n, ..] exp(sign 2 pi i n k / L),
// stride 1 for x (within a row) and L for y (within a column). With realOnly only the real part
// of the output is computed (oi is left alone).
func (d *dft2) pass(ir, ii, or, oi []float64, stride int, sign float64, realOnly bool) {
	L := d.L
	for line := 0; line < L; line++ {
		base := line * L // x pass: row line
		step := 1
		if stride != 1 {
			base, step = line, L // y pass: column line
		}
		for k := 0; k < L; k++ {
			var sr, si float64
			j := 0 // n*k mod L
			for n := 0; n < L; n++ {
				p := base + n*step
				c, s := d.cos[j], sign*d.sin[j]
				sr += float64(ir[p]*c) - float64(ii[p]*s)
				if !realOnly {
					si += float64(ir[p]*s) + float64(ii[p]*c)
				}
				if j += k; j >= L {
					j -= L
				}
			}
			q := base + k*step
			or[q] = sr
			if !realOnly {
				oi[q] = si
			}
		}
	}
}

// forward sets d.re, d.im to the transform of the real field w.
func (d *dft2) forward(w []float64) {
	copy(d.tr, w)
	clear(d.ti)
	d.pass(d.tr, d.ti, d.re, d.im, 1, -1, false)
	d.pass(d.re, d.im, d.tr, d.ti, d.L, -1, false)
	copy(d.re, d.tr)
	copy(d.im, d.ti)
}

// inverseReal writes the real part of the inverse transform of (fr, fi) to out.
func (d *dft2) inverseReal(fr, fi, out []float64) {
	d.pass(fr, fi, d.tr, d.ti, 1, 1, false)
	d.pass(d.tr, d.ti, out, nil, d.L, 1, true)
	n := float64(d.L * d.L)
	for i := range out {
		out[i] /= n
	}
}

// conjugate returns the index of frequency -k of the L x L grid, k at index i.
func conjugate(i, L int) int {
	x, y := i%L, i/L
	return ((L-y)%L)*L + (L-x)%L
}

// phaseRandomize writes to (sr, si) the spectrum (fr, fi) with every coefficient turned by a
// random phase, drawn from g, that keeps the Hermitian symmetry of a real field: k and -k turn by
// opposite angles, a self-conjugate coefficient (each coordinate 0 or L/2) flips its sign with
// probability 1/2, and the mean (k = 0) is kept. The amplitude of every coefficient is unchanged.
func phaseRandomize(fr, fi, sr, si []float64, L int, g *rng.Xoshiro256) {
	for i := range fr {
		c := conjugate(i, L)
		switch {
		case i == 0:
			sr[0], si[0] = fr[0], fi[0]
		case c == i:
			if g.Uint64()>>63 == 1 {
				sr[i], si[i] = -fr[i], -fi[i]
			} else {
				sr[i], si[i] = fr[i], fi[i]
			}
		case i < c:
			s, co := pmath.Sincos(2 * math.Pi * g.Float64())
			sr[i] = float64(fr[i]*co) - float64(fi[i]*s)
			si[i] = float64(fr[i]*s) + float64(fi[i]*co)
			// F(-k) = conj F(k) on input and output: conj(F(k) e^{i t}).
			sr[c], si[c] = sr[i], -si[i]
		}
	}
}

// PhaseSurrogates returns n phase-randomized surrogates of the real L x L field w (site index
// y*L+x), drawn from stream (seed, 0): each has the Fourier amplitudes of w, hence its mean, its
// sum of squares and its periodic autocorrelation, with random phases. A field that is local only
// because it is smooth looks like its surrogates; a field concentrated around one place does not,
// because the surrogates spread the same spatial spectrum over the whole lattice (Theiler et al.,
// Physica D 58, 77 (1992), for time series).
func PhaseSurrogates(w []float64, L, n int, seed uint64) ([][]float64, error) {
	if L <= 0 || len(w) != L*L {
		return nil, fmt.Errorf("PhaseSurrogates: field has %d values, want L*L = %d", len(w), L*L)
	}
	d := newDFT2(L)
	d.forward(w)
	g := rng.Stream(seed, 0)
	sr, si := make([]float64, L*L), make([]float64, L*L)
	out := make([][]float64, n)
	for k := range out {
		phaseRandomize(d.re, d.im, sr, si, L, &g)
		out[k] = make([]float64, L*L)
		d.inverseReal(sr, si, out[k])
	}
	return out, nil
}

// tieTol is the relative difference within which a surrogate's measure counts as equal to the
// field's: a surrogate of a field with a one-point spectrum (a constant) is the field up to
// rounding, which must not make the field look more local than itself.
const tieTol = 1e-9

// SurrogateUnit is the surrogate test of one unit's field: how many of its surrogates have a disk
// share at least the field's (within a relative 1e-9, which counts as a tie).
type SurrogateUnit struct {
	Unit       int
	DiskAtMost int
}

// SurrogateResult holds the surrogate test of every column of a field matrix.
type SurrogateResult struct {
	Surrogates int
	Radius     float64
	Units      []SurrogateUnit
	// LocalByDisk is the fraction of units whose disk share exceeds that of every one of their
	// surrogates.
	LocalByDisk float64
	// Disk summarizes the disk shares of all surrogates of all units together.
	Disk Summary
}

// SurrogateLocality tests every column of m (n_visible x n_units, n_visible = L*L) against n
// phase-randomized surrogates of itself (PhaseSurrogates; n <= 0 means DefaultSurrogates), unit j
// drawing from rng stream (seed, j), so the result does not depend on workers (the goroutines
// used; <= 0 means 1). A unit counts as local when its disk share (radius <= 0 means
// DefaultDiskRadius) exceeds that of all n surrogates. For a field that is itself a stationary
// Gaussian random field on the torus, its Fourier phases are uniform and independent of the
// amplitudes, so the field and its surrogates are exchangeable and it beats all n with
// probability 1/(n+1): the test asks whether a field is more concentrated around one place than
// its own spatial spectrum explains, which Gaussian noise of the same shape (LocalityVsNoise)
// cannot, since any smooth field beats white noise by disk share.
//
// The participation ratio is not tested this way: surrogates have Gaussian marginals, so a field
// whose values are merely heavier-tailed than Gaussian, anywhere on the lattice, would beat them.
func SurrogateLocality(m Matrix, L int, radius float64, n int, seed uint64, workers int) (SurrogateResult, error) {
	if err := m.check("SurrogateLocality"); err != nil {
		return SurrogateResult{}, err
	}
	if L <= 0 || m.Rows != L*L {
		return SurrogateResult{}, fmt.Errorf("SurrogateLocality: matrix has %d rows, want L*L = %d", m.Rows, L*L)
	}
	if n <= 0 {
		n = DefaultSurrogates
	}
	if radius <= 0 {
		radius = DefaultDiskRadius
	}
	if workers <= 0 {
		workers = 1
	}
	res := SurrogateResult{Surrogates: n, Radius: radius, Units: make([]SurrogateUnit, m.Cols)}
	disks := make([]float64, m.Cols*n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, max(m.Cols, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := newDFT2(L)
			sr, si, s := make([]float64, L*L), make([]float64, L*L), make([]float64, L*L)
			for j := range next {
				w := m.Column(j)
				d.forward(w)
				g := rng.Stream(seed, uint64(j))
				ds := DiskShare(w, L, radius)
				u := SurrogateUnit{Unit: j}
				for k := 0; k < n; k++ {
					phaseRandomize(d.re, d.im, sr, si, L, &g)
					d.inverseReal(sr, si, s)
					sd := DiskShare(s, L, radius)
					disks[j*n+k] = sd
					// Within rounding of the field's own value is a tie, and a tie is not beaten.
					if sd >= ds*(1-tieTol) {
						u.DiskAtMost++
					}
				}
				res.Units[j] = u
			}
		}()
	}
	for j := 0; j < m.Cols; j++ {
		next <- j
	}
	close(next)
	wg.Wait()
	nd := 0
	for _, u := range res.Units {
		if u.DiskAtMost == 0 {
			nd++
		}
	}
	if m.Cols > 0 {
		res.LocalByDisk = float64(nd) / float64(m.Cols)
	}
	res.Disk = Summarize(disks)
	return res, nil
}
