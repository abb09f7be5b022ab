package analysis

import (
	"fmt"
	"math"
	"slices"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// DefaultDiskRadius is the radius, in lattice sites, of the disk used by DiskShare when the
// caller passes 0: 2.5 sites, i.e. the 21 sites with dx^2+dy^2 <= 6.25 on a large torus.
const DefaultDiskRadius = 2.5

// ParticipationRatio returns (sum w^2)^2 / sum w^4: 1 for a field on one site, n for a field
// of equal magnitude on n sites. It is 0 for an all-zero field.
func ParticipationRatio(w []float64) float64 {
	var s2, s4 float64
	for _, v := range w {
		q := float64(v * v)
		s2 += q
		s4 += float64(q * q)
	}
	if s4 == 0 {
		return 0
	}
	return s2 * s2 / s4
}

// ArgMaxAbs returns the index of the largest |w| (the first one on ties), or -1 for an empty slice.
func ArgMaxAbs(w []float64) int {
	best, bi := -1.0, -1
	for i, v := range w {
		if a := math.Abs(v); a > best {
			best, bi = a, i
		}
	}
	return bi
}

// torusDelta returns the shortest signed-free distance between coordinates a and b on a ring of
// length L (a and b may be fractional).
func torusDelta(a, b float64, L int) float64 {
	d := math.Mod(math.Abs(a-b), float64(L))
	if e := float64(L) - d; e < d {
		d = e
	}
	return d
}

// DiskShare returns the share of sum w^2 that lies on sites within torus distance radius
// (dx^2+dy^2 <= radius^2, inclusive) of the site of the largest |w|. w holds an L x L field,
// site index y*L+x. radius <= 0 means DefaultDiskRadius. It is 0 for an all-zero field, NaN for
// a field with a NaN (even one with no number at all, which has no largest |w|).
func DiskShare(w []float64, L int, radius float64) float64 {
	if radius <= 0 {
		radius = DefaultDiskRadius
	}
	c := ArgMaxAbs(w)
	if c < 0 {
		return noPeak(w)
	}
	cx, cy := float64(c%L), float64(c/L)
	r2 := radius * radius
	var in, all float64
	for i, v := range w {
		q := float64(v * v)
		all += q
		dx := torusDelta(float64(i%L), cx, L)
		dy := torusDelta(float64(i/L), cy, L)
		if float64(dx*dx)+float64(dy*dy) <= r2 {
			in += q
		}
	}
	if all == 0 {
		return 0
	}
	return in / all
}

// noPeak is the disk share of a field w without a largest |w| (ArgMaxAbs -1): 0 for no sites,
// NaN for sites that are all NaN.
func noPeak(w []float64) float64 {
	if len(w) == 0 {
		return 0
	}
	return math.NaN()
}

// disk is the set of sites DiskShare sums over, relative to the peak: the sites (rx, ry) of the
// L x L torus whose torus distance to (0, 0) is at most the radius. Building it costs the L*L
// remainders of one DiskShare; share then visits the field once and the disk's sites, so a
// caller that measures many fields of one lattice (MeasureLocality, SurrogateLocality) builds
// it once.
type disk struct {
	L   int
	rel []int // rx + L*ry of each disk site, 0 <= rx, ry < L
	idx []int // scratch: the absolute sites of the current peak's disk
}

func newDisk(L int, radius float64) *disk {
	if radius <= 0 {
		radius = DefaultDiskRadius
	}
	d := &disk{L: L}
	r2 := radius * radius
	for y := 0; y < L; y++ {
		for x := 0; x < L; x++ {
			// torusDelta(x, 0) is min(x, L-x), the distance DiskShare takes between a site and
			// the peak when x is their offset modulo L: the same floats, the same set.
			dx, dy := torusDelta(float64(x), 0, L), torusDelta(float64(y), 0, L)
			if float64(dx*dx)+float64(dy*dy) <= r2 {
				d.rel = append(d.rel, x+L*y)
			}
		}
	}
	d.idx = make([]int, 0, len(d.rel))
	return d
}

// share returns DiskShare(w, d.L, radius) bit for bit: sum w^2 over all sites in index order, and
// over the disk's sites in index order too (sorted after the wrap around the torus), the order in
// which DiskShare adds them.
func (d *disk) share(w []float64) float64 { return d.shareAt(w, ArgMaxAbs(w)) }

// shareAt is share for a caller that has the peak c = ArgMaxAbs(w) already.
func (d *disk) shareAt(w []float64, c int) float64 {
	if c < 0 {
		return noPeak(w)
	}
	L := d.L
	cx, cy := c%L, c/L
	var all float64
	for _, v := range w {
		all += float64(v * v)
	}
	if all == 0 {
		return 0
	}
	d.idx = d.idx[:0]
	for _, r := range d.rel {
		x, y := cx+r%L, cy+r/L
		if x >= L {
			x -= L
		}
		if y >= L {
			y -= L
		}
		d.idx = append(d.idx, x+L*y)
	}
	slices.Sort(d.idx)
	var in float64
	for _, i := range d.idx {
		in += float64(w[i] * w[i])
	}
	return in / all
}

// DiskArea returns the number of sites of an L x L torus within distance radius of a site
// (the disk DiskShare uses; radius <= 0 means DefaultDiskRadius). A uniform field has
// DiskShare = DiskArea/(L*L).
func DiskArea(L int, radius float64) int {
	if radius <= 0 {
		radius = DefaultDiskRadius
	}
	n := 0
	for y := 0; y < L; y++ {
		for x := 0; x < L; x++ {
			dx, dy := torusDelta(float64(x), 0, L), torusDelta(float64(y), 0, L)
			if float64(dx*dx)+float64(dy*dy) <= radius*radius {
				n++
			}
		}
	}
	return n
}

// CircularMean returns the w^2-weighted circular mean position (x, y) of an L x L field: per
// axis, the angle of sum w^2 (cos, sin)(2 pi x / L), mapped back to [0, L). It is the centre that
// RadiusOfGyration uses. A field whose resultant vanishes on an axis gets coordinate 0 there.
func CircularMean(w []float64, L int) (x, y float64) {
	var cx, sx, cy, sy float64
	f := 2 * math.Pi / float64(L)
	// The L angles of an axis, once: a trigonometric call per site and
	// axis made this function most of MeasureLocality's time.
	cs := make([]float64, 2*L)
	for j := 0; j < L; j++ {
		cs[2*j+1], cs[2*j] = pmath.Sincos(f * float64(j)) // the bits of Sin and Cos, one reduction
	}
	for i, v := range w {
		q := float64(v * v)
		jx, jy := 2*(i%L), 2*(i/L)
		cx += float64(q * cs[jx])
		sx += float64(q * cs[jx+1])
		cy += float64(q * cs[jy])
		sy += float64(q * cs[jy+1])
	}
	back := func(s, c float64) float64 {
		a := pmath.Atan2(s, c)
		if a < 0 {
			a += 2 * math.Pi
		}
		p := a / f
		if p >= float64(L) {
			p -= float64(L)
		}
		return p
	}
	return back(sx, cx), back(sy, cy)
}

// RadiusOfGyration returns sqrt(sum w^2 d^2 / sum w^2), d the torus distance of each site from
// the field's circular mean (CircularMean). PAPER.md notes that it separates trained fields from
// noise poorly; it is reported for completeness. It is 0 for an all-zero field.
func RadiusOfGyration(w []float64, L int) float64 {
	mx, my := CircularMean(w, L)
	var num, den float64
	for i, v := range w {
		q := float64(v * v)
		dx := torusDelta(float64(i%L), mx, L)
		dy := torusDelta(float64(i/L), my, L)
		num += float64(q * (float64(dx*dx) + float64(dy*dy)))
		den += q
	}
	if den == 0 {
		return 0
	}
	return math.Sqrt(num / den)
}

// UnitLocality holds the locality measures of one unit's field.
type UnitLocality struct {
	Unit      int     // column index
	PR        float64 // participation ratio
	DiskShare float64 // share of w^2 within the disk around the largest |w|
	Rg        float64 // radius of gyration about the circular mean, in sites
	PeakX     int     // site of the largest |w|
	PeakY     int
}

// Locality holds the per-unit measures of every column of a field matrix and their
// distributions.
type Locality struct {
	L      int
	Radius float64 // disk radius used by DiskShare
	Units  []UnitLocality
	PR     Summary
	Disk   Summary
	Rg     Summary
}

// checkFields checks the arguments of a locality measure fn: m a valid
// matrix of L*L rows of finite values (one field per column), L a lattice
// side, radius a number.
func checkFields(fn string, m Matrix, L int, radius float64) error {
	if err := m.check(fn); err != nil {
		return err
	}
	N, err := sites(fn, L)
	switch {
	case err != nil:
		return err
	case m.Rows != N:
		return fmt.Errorf("%s: matrix has %d rows, want L*L = %d", fn, m.Rows, N)
	case math.IsNaN(radius):
		return fmt.Errorf("%s: disk radius NaN, want a number of sites (<= 0: %g)", fn, DefaultDiskRadius)
	}
	return m.checkFinite(fn)
}

// MeasureLocality computes the locality measures of every column of m (an n_visible x n_units
// weight matrix or ERF with n_visible = L*L, every element finite). radius <= 0 means
// DefaultDiskRadius.
func MeasureLocality(m Matrix, L int, radius float64) (Locality, error) {
	if err := checkFields("MeasureLocality", m, L, radius); err != nil {
		return Locality{}, err
	}
	if radius <= 0 {
		radius = DefaultDiskRadius
	}
	loc := Locality{L: L, Radius: radius, Units: make([]UnitLocality, m.Cols)}
	dk := newDisk(L, radius)
	pr := make([]float64, m.Cols)
	ds := make([]float64, m.Cols)
	rg := make([]float64, m.Cols)
	for j := 0; j < m.Cols; j++ {
		w := m.Column(j)
		p := ArgMaxAbs(w)
		u := UnitLocality{Unit: j, PR: ParticipationRatio(w), DiskShare: dk.shareAt(w, p), Rg: RadiusOfGyration(w, L)}
		if p >= 0 {
			u.PeakX, u.PeakY = p%L, p/L
		}
		loc.Units[j] = u
		pr[j], ds[j], rg[j] = u.PR, u.DiskShare, u.Rg
	}
	loc.PR = Summarize(pr)
	loc.Disk = Summarize(ds)
	loc.Rg = Summarize(rg)
	return loc, nil
}

// GaussianLike returns a matrix of the same shape as m filled with independent N(0, s^2) values,
// s the root mean square of m's entries (rmsOf), drawn from rng stream seed. All locality
// measures are scale-free, so s only keeps the noise on the same colour scale.
func GaussianLike(m Matrix, seed uint64) Matrix {
	return GaussianMatrix(m.Rows, m.Cols, rmsOf(m), seed)
}

// rmsOf returns the root mean square of m's entries, 1 if m is empty or all zero.
func rmsOf(m Matrix) float64 {
	var ss float64
	for _, v := range m.Data {
		ss += float64(float64(v) * float64(v))
	}
	if len(m.Data) == 0 || ss == 0 {
		return 1
	}
	return math.Sqrt(ss / float64(len(m.Data)))
}

// GaussianMatrix returns a rows x cols matrix of independent N(0, sigma^2) entries from a
// xoshiro256++ generator seeded with seed.
func GaussianMatrix(rows, cols int, sigma float64, seed uint64) Matrix {
	g := newRand(seed)
	out := NewMatrix(rows, cols)
	for i := range out.Data {
		out.Data[i] = float32(sigma * g.NormFloat64())
	}
	return out
}

// LocalityVsNoise measures the locality of m and of Gaussian noise fields of the same shape and
// RMS as m's (as GaussianLike), the baseline every measure is compared with:
// max(m.Cols, NoiseFields) noise fields from rng stream seed, so that the noise's quantiles are
// as well determined for a layer of 4 units as for one of 400.
func LocalityVsNoise(m Matrix, L int, radius float64, seed uint64) (model, noise Locality, err error) {
	if model, err = MeasureLocality(m, L, radius); err != nil {
		return Locality{}, Locality{}, err
	}
	noise, err = MeasureLocality(GaussianMatrix(m.Rows, max(m.Cols, NoiseFields), rmsOf(m), seed), L, radius)
	return model, noise, err
}
