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
	N, err := sites("PhaseSurrogates", L)
	if err != nil {
		return nil, err
	}
	if len(w) != N {
		return nil, fmt.Errorf("PhaseSurrogates: field has %d values, want L*L = %d", len(w), N)
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

// SurrogateUnit is the surrogate test of one unit's field: how many of its phase-randomized
// surrogates, and how many of its permuted copies, have a disk share at least the field's (within
// a relative 1e-9, which counts as a tie).
type SurrogateUnit struct {
	Unit           int
	SpectrumAtMost int // phase-randomized surrogates: the field's spatial spectrum
	ValuesAtMost   int // permutations: the field's values on other sites
}

// Compact reports whether the field beat every surrogate of both kinds.
func (u SurrogateUnit) Compact() bool { return u.SpectrumAtMost == 0 && u.ValuesAtMost == 0 }

// SurrogateResult holds the surrogate test of every column of a field matrix.
type SurrogateResult struct {
	Surrogates int // of each kind, per unit
	Radius     float64
	Units      []SurrogateUnit
	// The fractions of units whose disk share exceeds that of all their phase-randomized
	// surrogates (BeyondSpectrum), of all their permutations (BeyondValues), and of both
	// (Compact).
	BeyondSpectrum, BeyondValues, Compact float64
	// SpectrumDisk and ValuesDisk summarize the disk shares of all surrogates of each kind of
	// all units together.
	SpectrumDisk, ValuesDisk Summary
}

// SurrogateLocality tests every column of m (n_visible x n_units, n_visible = L*L, every element
// finite) against n surrogates of itself of two kinds (n <= 0 means DefaultSurrogates), unit j
// drawing from rng stream (seed, j), so the result does not depend on workers (the goroutines
// used; <= 0 means 1). The statistic is the disk share (radius <= 0 means DefaultDiskRadius); a
// unit is compact when it exceeds that of every surrogate of both kinds:
//
//   - Phase-randomized surrogates (PhaseSurrogates) keep the field's spatial spectrum. For a
//     field that is itself a stationary Gaussian random field on the torus, its Fourier phases are
//     uniform and independent of the amplitudes, so the field and its surrogates are
//     exchangeable and it beats all n with probability 1/(n+1). This rules out smoothness, which
//     Gaussian noise of the same shape (LocalityVsNoise) cannot: any smooth field beats white
//     noise by disk share.
//   - Permutations keep the field's values and put them on random sites. A field whose values
//     are exchangeable over the sites beats all n with probability 1/(n+1). This rules out
//     sparsity: a few strong spins scattered over the lattice put much of w^2 on the peak, which
//     Gaussian-valued phase surrogates do not, but their permutations do.
//
// A single spin on an exactly zero background ties with its permutations and is not compact: its
// locality is its sparsity, which the participation ratio already measures.
func SurrogateLocality(m Matrix, L int, radius float64, n int, seed uint64, workers int) (SurrogateResult, error) {
	if err := checkFields("SurrogateLocality", m, L, radius); err != nil {
		return SurrogateResult{}, err
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
	sdisks := make([]float64, m.Cols*n)
	vdisks := make([]float64, m.Cols*n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, max(m.Cols, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := newDFT2(L)
			dk := newDisk(L, radius)
			sr, si, s := make([]float64, L*L), make([]float64, L*L), make([]float64, L*L)
			for j := range next {
				w := m.Column(j)
				d.forward(w)
				g := rng.Stream(seed, uint64(j))
				ds := dk.share(w)
				u := SurrogateUnit{Unit: j}
				// Within rounding of the field's own value is a tie, and a tie is not beaten.
				atLeast := func(x float64) bool { return x >= ds*(1-tieTol) }
				for k := 0; k < n; k++ {
					phaseRandomize(d.re, d.im, sr, si, L, &g)
					d.inverseReal(sr, si, s)
					sd := dk.share(s)
					sdisks[j*n+k] = sd
					if atLeast(sd) {
						u.SpectrumAtMost++
					}
				}
				copy(s, w)
				for k := 0; k < n; k++ {
					for i := len(s) - 1; i > 0; i-- { // Fisher-Yates, from the last draw on
						r := g.Intn(i + 1)
						s[i], s[r] = s[r], s[i]
					}
					vd := dk.share(s)
					vdisks[j*n+k] = vd
					if atLeast(vd) {
						u.ValuesAtMost++
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
	var ns, nv, nc int
	for _, u := range res.Units {
		if u.SpectrumAtMost == 0 {
			ns++
		}
		if u.ValuesAtMost == 0 {
			nv++
		}
		if u.Compact() {
			nc++
		}
	}
	if m.Cols > 0 {
		c := float64(m.Cols)
		res.BeyondSpectrum, res.BeyondValues, res.Compact = float64(ns)/c, float64(nv)/c, float64(nc)/c
	}
	res.SpectrumDisk, res.ValuesDisk = Summarize(sdisks), Summarize(vdisks)
	return res, nil
}
