package analysis

import (
	"math"
	"math/cmplx"
	"reflect"
	"testing"
)

// naiveDFT2 is the textbook L x L transform in complex128 with math's trigonometry.
func naiveDFT2(re, im []float64, L int, sign float64) []complex128 {
	out := make([]complex128, L*L)
	for ky := 0; ky < L; ky++ {
		for kx := 0; kx < L; kx++ {
			var s complex128
			for y := 0; y < L; y++ {
				for x := 0; x < L; x++ {
					a := sign * 2 * math.Pi * float64(kx*x+ky*y) / float64(L)
					s += complex(re[y*L+x], im[y*L+x]) * cmplx.Exp(complex(0, a))
				}
			}
			out[ky*L+kx] = s
		}
	}
	return out
}

func randomField(L int, seed uint64) []float64 {
	g := newRand(seed)
	w := make([]float64, L*L)
	for i := range w {
		w[i] = g.NormFloat64()
	}
	return w
}

// smoothField is white noise circularly convolved with a Gaussian of width sigma: a stationary
// Gaussian random field on the torus.
func smoothField(L int, sigma float64, seed uint64) []float64 {
	w := randomField(L, seed)
	out := make([]float64, L*L)
	for y := 0; y < L; y++ {
		for x := 0; x < L; x++ {
			var s float64
			for v := 0; v < L; v++ {
				for u := 0; u < L; u++ {
					dx, dy := torusDelta(float64(x), float64(u), L), torusDelta(float64(y), float64(v), L)
					s += w[v*L+u] * math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma))
				}
			}
			out[y*L+x] = s
		}
	}
	return out
}

func TestDFT2MatchesNaive(t *testing.T) {
	for _, L := range []int{1, 2, 3, 4, 5, 8, 9, 12} {
		w := randomField(L, uint64(L))
		d := newDFT2(L)
		d.forward(w)
		want := naiveDFT2(w, make([]float64, L*L), L, -1)
		for i, c := range want {
			if math.Abs(d.re[i]-real(c)) > 1e-10*float64(L*L) || math.Abs(d.im[i]-imag(c)) > 1e-10*float64(L*L) {
				t.Fatalf("L=%d: coefficient %d = %v%+vi, want %v", L, i, d.re[i], d.im[i], c)
			}
		}
		back := make([]float64, L*L)
		d.inverseReal(append([]float64(nil), d.re...), append([]float64(nil), d.im...), back)
		for i := range w {
			if math.Abs(back[i]-w[i]) > 1e-12*float64(L*L) {
				t.Fatalf("L=%d: inverse of forward gives %v at %d, want %v", L, back[i], i, w[i])
			}
		}
	}
}

func TestConjugateIsAnInvolution(t *testing.T) {
	for _, L := range []int{1, 2, 3, 4, 7, 40} {
		for i := 0; i < L*L; i++ {
			c := conjugate(i, L)
			if conjugate(c, L) != i || c < 0 || c >= L*L {
				t.Fatalf("L=%d: conjugate(%d) = %d, conjugate of that %d", L, i, c, conjugate(c, L))
			}
		}
	}
}

// TestPhaseSurrogatesKeepSpectrum: each surrogate is a real field with the field's Fourier
// amplitudes (so its mean and sum of squares), and differs from the field.
func TestPhaseSurrogatesKeepSpectrum(t *testing.T) {
	for _, L := range []int{1, 2, 3, 4, 5, 8, 9, 16} {
		w := randomField(L, 100+uint64(L))
		for i := range w {
			w[i] += 0.3 // a mean to keep
		}
		sur, err := PhaseSurrogates(w, L, 5, 7)
		if err != nil {
			t.Fatal(err)
		}
		fw := naiveDFT2(w, make([]float64, L*L), L, -1)
		var ss float64
		for _, v := range w {
			ss += v * v
		}
		for k, s := range sur {
			fs := naiveDFT2(s, make([]float64, L*L), L, -1)
			for i := range fw {
				if math.Abs(cmplx.Abs(fs[i])-cmplx.Abs(fw[i])) > 1e-9*float64(L*L) {
					t.Fatalf("L=%d surrogate %d: |F| at %d is %v, want %v", L, k, i, cmplx.Abs(fs[i]), cmplx.Abs(fw[i]))
				}
			}
			if math.Abs(real(fs[0])-real(fw[0])) > 1e-9*float64(L*L) {
				t.Fatalf("L=%d surrogate %d: sum %v, want %v", L, k, real(fs[0]), real(fw[0]))
			}
			var s2 float64
			diff := 0.0
			for i, v := range s {
				s2 += v * v
				diff = math.Max(diff, math.Abs(v-w[i]))
			}
			if math.Abs(s2-ss) > 1e-9*ss {
				t.Fatalf("L=%d surrogate %d: sum of squares %v, want %v", L, k, s2, ss)
			}
			if L >= 4 && diff < 1e-3 {
				t.Fatalf("L=%d surrogate %d equals the field", L, k)
			}
		}
	}
	// The spectrum the inverse transform sees is Hermitian, so dropping the imaginary part loses
	// nothing: check it on the randomized spectrum itself.
	for _, L := range []int{3, 4, 6, 7} {
		d := newDFT2(L)
		d.forward(randomField(L, 5))
		g := newRand(9)
		sr, si := make([]float64, L*L), make([]float64, L*L)
		phaseRandomize(d.re, d.im, sr, si, L, g)
		for i, c := range naiveDFT2(sr, si, L, 1) {
			if math.Abs(imag(c)) > 1e-9*float64(L*L) {
				t.Fatalf("L=%d: inverse of the randomized spectrum has imaginary part %v at %d", L, imag(c), i)
			}
		}
	}
	if _, err := PhaseSurrogates(make([]float64, 5), 2, 1, 1); err == nil {
		t.Fatal("PhaseSurrogates took 5 values for L = 2")
	}
}

func columns(fields [][]float64) Matrix {
	m := NewMatrix(len(fields[0]), len(fields))
	for j, f := range fields {
		for i, v := range f {
			m.Data[i*m.Cols+j] = float32(v)
		}
	}
	return m
}

// binomialWithin fails unless k successes of n are within z standard errors of n p.
func binomialWithin(t *testing.T, what string, frac float64, n int, p, z float64) {
	t.Helper()
	se := math.Sqrt(p * (1 - p) / float64(n))
	if math.Abs(frac-p) > z*se {
		t.Errorf("%s: local fraction %.4f of %d fields, want %.4f +- %.1f SE (SE %.4f)", what, frac, n, p, z, se)
	}
}

// upperWithin fails unless frac is at most p plus z binomial standard errors.
func upperWithin(t *testing.T, what string, frac float64, n int, p, z float64) {
	t.Helper()
	if se := math.Sqrt(p * (1 - p) / float64(n)); frac > p+z*se {
		t.Errorf("%s: fraction %.4f of %d fields, want at most %.4f + %.1f SE (SE %.4f)", what, frac, n, p, z, se)
	}
}

// TestSurrogateLocalityNull: each kind of surrogate holds its nominal rate 1/(n+1) = 5% on the
// fields it is exact for, within 4 binomial standard errors (fixed seeds): phase surrogates on
// stationary Gaussian fields, white and smooth; permutations on fields with exchangeable values,
// white noise and sparse spikes at random sites. Smooth fields beat their permutations and sparse
// ones their phase surrogates, so neither is compact more often than the nominal rate; Gaussian
// white noise of the same shape calls most smooth fields local.
func TestSurrogateLocalityNull(t *testing.T) {
	const L, N = 12, 1000
	for _, kind := range []string{"white", "smooth", "sparse"} {
		fields := make([][]float64, N)
		for j := range fields {
			switch kind {
			case "white":
				fields[j] = randomField(L, 1000+uint64(j))
			case "smooth":
				fields[j] = smoothField(L, 1.5, 1000+uint64(j))
			case "sparse": // 8 strong spins at random sites on a weak white background
				w := randomField(L, 1000+uint64(j))
				g := newRand(7000 + uint64(j))
				for i := range w {
					w[i] *= 0.01
				}
				for k := 0; k < 8; k++ {
					w[g.Intn(L*L)] = g.NormFloat64()
				}
				fields[j] = w
			}
		}
		m := columns(fields)
		r, err := SurrogateLocality(m, L, 0, 0, 42, 2)
		if err != nil {
			t.Fatal(err)
		}
		if kind != "sparse" {
			binomialWithin(t, kind+": beyond the spectrum", r.BeyondSpectrum, N, 1.0/20, 4)
		} else if r.BeyondSpectrum < 0.5 {
			t.Errorf("sparse: %.3f beyond their phase surrogates; Gaussian-valued surrogates should lose to most", r.BeyondSpectrum)
		}
		if kind != "smooth" {
			binomialWithin(t, kind+": beyond the values", r.BeyondValues, N, 1.0/20, 4)
		} else if r.BeyondValues < 0.5 {
			t.Errorf("smooth: %.3f beyond their permutations; most should beat them", r.BeyondValues)
		}
		upperWithin(t, kind+": compact", r.Compact, N, 1.0/20, 4)
		if kind == "smooth" {
			model, noise, err := LocalityVsNoise(m, L, 0, 3)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, u := range model.Units {
				if u.DiskShare > noise.Disk.Q95 {
					n++
				}
			}
			if n < N/2 {
				t.Errorf("white noise called %d of %d smooth fields local by disk share; the surrogate test exists because it calls most", n, N)
			}
		}
	}
}

// TestSurrogateLocalityFindsCompactFields: compact bumps on a weak smooth background are compact;
// a single spin on a zero background beats its phase surrogates but ties with its permutations; a
// constant and an all-zero field beat nothing.
func TestSurrogateLocalityFindsCompactFields(t *testing.T) {
	const L, N = 16, 200
	fields := make([][]float64, 0, N+3)
	g := newRand(5)
	for j := 0; j < N; j++ {
		cx, cy := g.Intn(L), g.Intn(L)
		w := smoothField(L, 1.5, 5000+uint64(j))
		var rms float64
		for _, v := range w {
			rms += v * v
		}
		rms = math.Sqrt(rms / float64(L*L))
		for y := 0; y < L; y++ {
			for x := 0; x < L; x++ {
				dx, dy := torusDelta(float64(x), float64(cx), L), torusDelta(float64(y), float64(cy), L)
				w[y*L+x] = 0.1*w[y*L+x]/rms + math.Exp(-(dx*dx+dy*dy)/2)
			}
		}
		fields = append(fields, w)
	}
	one := make([]float64, L*L)
	one[37] = 1
	c := make([]float64, L*L)
	for i := range c {
		c[i] = 0.5
	}
	fields = append(fields, one, c, make([]float64, L*L))
	r, err := SurrogateLocality(columns(fields), L, 0, 0, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	compact := 0
	for _, u := range r.Units[:N] {
		if u.Compact() {
			compact++
		}
	}
	if compact < N*95/100 {
		t.Errorf("%d of %d bumps compact, want at least 95%%", compact, N)
	}
	if u := r.Units[N]; u.SpectrumAtMost != 0 || u.ValuesAtMost != DefaultSurrogates {
		t.Errorf("single spin: %+v, want beyond every phase surrogate and tied with every permutation", u)
	}
	for _, u := range r.Units[N+1:] {
		if u.SpectrumAtMost == 0 || u.ValuesAtMost == 0 {
			t.Errorf("unit %d (constant or zero field) beat its surrogates: %+v", u.Unit, u)
		}
	}
}

// TestSurrogateLocalityWorkers: the same result, bit for bit, on 1, 2, 3 and 16 goroutines;
// edge shapes do not panic.
func TestSurrogateLocalityWorkers(t *testing.T) {
	fields := make([][]float64, 7)
	for j := range fields {
		fields[j] = randomField(5, uint64(j))
	}
	m := columns(fields)
	want, err := SurrogateLocality(m, 5, 0, 9, 11, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 16} {
		got, err := SurrogateLocality(m, 5, 0, 9, 11, w)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("workers %d: %+v, want %+v", w, got, want)
		}
	}
	if _, err := SurrogateLocality(m, 4, 0, 0, 1, 1); err == nil {
		t.Fatal("SurrogateLocality took 25 rows for L = 4")
	}
	r, err := SurrogateLocality(NewMatrix(9, 0), 3, 0, 0, 1, 2)
	if err != nil || r.Compact != 0 || len(r.Units) != 0 {
		t.Fatalf("no columns: %+v, %v", r, err)
	}
	r, err = SurrogateLocality(columns([][]float64{{3}}), 1, 0, 0, 1, 2)
	if err != nil || r.Compact != 0 || r.Units[0].SpectrumAtMost != DefaultSurrogates || r.Units[0].ValuesAtMost != DefaultSurrogates {
		t.Fatalf("L = 1 (a surrogate is the field itself, never beaten): %+v, %v", r, err)
	}
}

// TestDiskMatchesDiskShare: the disk MeasureLocality and SurrogateLocality build once per lattice
// gives DiskShare's bits for every field: dense, sparse, tied peaks, one site, peaks next to the
// wrap, all-zero, non-finite, on lattices from 1 site to 40 x 40 and disks from none but the peak
// to the whole torus.
func TestDiskMatchesDiskShare(t *testing.T) {
	g := newRand(11)
	for _, L := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 40} {
		for _, radius := range []float64{0, 0.5, 1, 1.5, 2, 2.5, 3, 4.2, 7, 100} {
			dk := newDisk(L, radius)
			if want := DiskArea(L, radius); len(dk.rel) != want {
				t.Fatalf("L=%d radius=%g: disk of %d sites, DiskArea %d", L, radius, len(dk.rel), want)
			}
			for trial := 0; trial < 40; trial++ {
				w := make([]float64, L*L)
				switch trial % 8 {
				case 0, 1: // dense Gaussian
					for i := range w {
						w[i] = g.NormFloat64()
					}
				case 2: // sparse: a few sites
					for k := 0; k < 3; k++ {
						w[g.Intn(len(w))] = g.NormFloat64()
					}
				case 3: // tied magnitudes, both signs
					for i := range w {
						w[i] = float64(g.Intn(3) - 1)
					}
				case 4: // peak on the last site, next to both wraps
					for i := range w {
						w[i] = 0.1 * g.NormFloat64()
					}
					w[len(w)-1] = 5
				case 5: // all zero
				case 6: // a NaN or an infinity somewhere
					for i := range w {
						w[i] = g.NormFloat64()
					}
					w[g.Intn(len(w))] = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[g.Intn(3)]
				case 7: // wide dynamic range
					for i := range w {
						w[i] = g.NormFloat64() * math.Pow(10, float64(g.Intn(30)-15))
					}
				}
				got, want := dk.share(w), DiskShare(w, L, radius)
				if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
					t.Fatalf("L=%d radius=%g trial %d: disk.share %v, DiskShare %v", L, radius, trial, got, want)
				}
			}
		}
	}
}
