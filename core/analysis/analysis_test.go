package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

const L40 = 40

func field(L int, sites map[[2]int]float64) []float64 {
	w := make([]float64, L*L)
	for p, v := range sites {
		w[p[1]*L+p[0]] = v
	}
	return w
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestLocalityAnalytic(t *testing.T) {
	N := L40 * L40
	delta := field(L40, map[[2]int]float64{{7, 11}: -0.3})
	if pr := ParticipationRatio(delta); !near(pr, 1, 1e-12) {
		t.Errorf("delta PR = %v, want 1", pr)
	}
	if ds := DiskShare(delta, L40, 0); !near(ds, 1, 1e-12) {
		t.Errorf("delta disk share = %v, want 1", ds)
	}
	uniform := make([]float64, N)
	for i := range uniform {
		uniform[i] = 0.05
	}
	if pr := ParticipationRatio(uniform); !near(pr, float64(N), 1e-9) {
		t.Errorf("uniform PR = %v, want %d", pr, N)
	}
	// Radius 2.5: (0,0), 4 at 1, 4 at sqrt2, 4 at 2, 8 at sqrt5 = 21 sites.
	if a := DiskArea(L40, 2.5); a != 21 {
		t.Errorf("DiskArea(40, 2.5) = %d, want 21", a)
	}
	if ds := DiskShare(uniform, L40, 2.5); !near(ds, 21.0/float64(N), 1e-12) {
		t.Errorf("uniform disk share = %v, want 21/%d", ds, N)
	}
	// A 2x2 block with mixed signs: PR 4, all inside the disk.
	block := field(L40, map[[2]int]float64{{0, 0}: 1, {1, 0}: -1, {0, 1}: 1, {1, 1}: -1})
	if pr := ParticipationRatio(block); !near(pr, 4, 1e-12) {
		t.Errorf("2x2 block PR = %v, want 4", pr)
	}
	if ds := DiskShare(block, L40, 2.5); !near(ds, 1, 1e-12) {
		t.Errorf("2x2 block disk share = %v, want 1", ds)
	}
	// Disk across the boundary: peak at (0,0) weight 2, (39,39) at distance sqrt2 inside,
	// (3,0) at distance 3 outside, (0,38) at distance 2 inside.
	wrap := field(L40, map[[2]int]float64{{0, 0}: 2, {39, 39}: 1, {3, 0}: 1, {0, 38}: -1})
	if ds := DiskShare(wrap, L40, 2.5); !near(ds, 6.0/7.0, 1e-12) {
		t.Errorf("wrapping disk share = %v, want 6/7", ds)
	}
	if pr := ParticipationRatio(wrap); !near(pr, 49.0/19.0, 1e-12) {
		t.Errorf("PR = %v, want 49/19", pr)
	}
	if ParticipationRatio(make([]float64, 9)) != 0 || DiskShare(make([]float64, 9), 3, 1) != 0 || RadiusOfGyration(make([]float64, 9), 3) != 0 {
		t.Error("all-zero field should give 0 for every measure")
	}
}

func TestRadiusOfGyration(t *testing.T) {
	cases := []struct {
		name   string
		w      []float64
		mx, my float64
		rg     float64
	}{
		{"2x2 block inside", field(L40, map[[2]int]float64{{10, 20}: 1, {11, 20}: -1, {10, 21}: 1, {11, 21}: 1}), 10.5, 20.5, math.Sqrt(0.5)},
		{"2x2 block across both edges", field(L40, map[[2]int]float64{{39, 39}: 1, {0, 39}: 1, {39, 0}: -1, {0, 0}: 1}), 39.5, 39.5, math.Sqrt(0.5)},
		// Plus shape centred at the corner: centre weight 2 (w^2 4), four neighbours w^2 1 at d=1:
		// Rg^2 = 4/8.
		{"plus at corner", field(L40, map[[2]int]float64{{0, 0}: 2, {1, 0}: 1, {39, 0}: 1, {0, 1}: -1, {0, 39}: 1}), 0, 0, math.Sqrt(0.5)},
		// Two equal sites 2 apart across the x edge: centre x = 0, d = 1 each.
		{"pair across edge", field(L40, map[[2]int]float64{{39, 5}: 1, {1, 5}: 1}), 0, 5, 1},
		// Weighted pair: w^2 = 9 at x=2, 1 at x=6: circular mean close to (9*2+1*6)/10 = 2.4
		// (not exact on a circle), so check Rg against the centre the function reports.
	}
	for _, c := range cases {
		mx, my := CircularMean(c.w, L40)
		dx := torusDelta(mx, c.mx, L40)
		dy := torusDelta(my, c.my, L40)
		if dx > 1e-9 || dy > 1e-9 {
			t.Errorf("%s: circular mean (%v, %v), want (%v, %v)", c.name, mx, my, c.mx, c.my)
		}
		if rg := RadiusOfGyration(c.w, L40); !near(rg, c.rg, 1e-9) {
			t.Errorf("%s: Rg = %v, want %v", c.name, rg, c.rg)
		}
	}
	// Shifting a blob across the boundary must not change Rg.
	base := map[[2]int]float64{{5, 5}: 1, {6, 5}: 0.5, {5, 6}: -0.7, {7, 7}: 0.2, {4, 5}: 0.1}
	rg0 := RadiusOfGyration(field(L40, base), L40)
	for _, sh := range [][2]int{{36, 0}, {0, 37}, {35, 35}} {
		moved := map[[2]int]float64{}
		for p, v := range base {
			moved[[2]int{(p[0] + sh[0]) % L40, (p[1] + sh[1]) % L40}] = v
		}
		if rg := RadiusOfGyration(field(L40, moved), L40); !near(rg, rg0, 1e-9) {
			t.Errorf("shift %v: Rg = %v, want %v (translation invariance)", sh, rg, rg0)
		}
	}
}

func TestERF(t *testing.T) {
	w1 := Matrix{2, 2, []float32{1, 2, 3, 4}}
	w2 := Matrix{2, 3, []float32{1, 0, 1, 0, 1, -1}}
	w3 := Matrix{3, 1, []float32{1, 1, 0.5}}
	r, err := ERF([]Matrix{w1, w2, w3})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float32{{1, 2, 3, 4}, {1, 2, -1, 3, 4, -1}, {2.5, 6.5}}
	shapes := [][2]int{{2, 2}, {2, 3}, {2, 1}}
	for l := range want {
		if r[l].Rows != shapes[l][0] || r[l].Cols != shapes[l][1] {
			t.Fatalf("layer %d: shape %dx%d, want %v", l+1, r[l].Rows, r[l].Cols, shapes[l])
		}
		for i, v := range want[l] {
			if r[l].Data[i] != v {
				t.Errorf("layer %d element %d = %v, want %v", l+1, i, r[l].Data[i], v)
			}
		}
	}
	if w1.Data[0] != 1 || w2.Data[5] != -1 {
		t.Error("ERF modified its input")
	}
	if _, err := ERF([]Matrix{w1, w3}); err == nil {
		t.Error("ERF accepted a 2x2 times 3x1 product")
	}
	if _, err := ERF([]Matrix{{2, 2, []float32{1}}}); err == nil {
		t.Error("ERF accepted a matrix whose data does not match its shape")
	}
}

// For Gaussian w, E[w^4] = 3 sigma^4, so PR -> N/3; the delta method adds a finite-N bias of
// +14/9 (from Var w^2 = 2, Var w^4 = 96, Cov = 12 in sigma units). The mean over 400 units must
// lie within 4 standard errors (measured from the units' spread) of N/3 + 14/9.
func TestNoiseParticipationRatio(t *testing.T) {
	N := L40 * L40
	m := GaussianMatrix(N, 400, 0.1, 12345)
	loc, err := MeasureLocality(m, L40, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := float64(N)/3 + 14.0/9.0
	se := loc.PR.Std / math.Sqrt(float64(loc.PR.N))
	if math.Abs(loc.PR.Mean-want) > 4*se {
		t.Errorf("noise PR mean %.2f, want %.2f +- 4*%.2f", loc.PR.Mean, want, se)
	}
	// Delta-method spread: sqrt(8N/27) = 21.8 for N = 1600; the sample spread within 20%.
	if sd := math.Sqrt(8 * float64(N) / 27); math.Abs(loc.PR.Std-sd) > 0.2*sd {
		t.Errorf("noise PR std %.2f, want about %.2f", loc.PR.Std, sd)
	}
	t.Logf("noise PR: mean %.1f median %.1f std %.1f (N/3 = %.1f); disk share median %.4f; Rg median %.2f",
		loc.PR.Mean, loc.PR.Median, loc.PR.Std, float64(N)/3, loc.Disk.Median, loc.Rg.Median)
	// A localized model must separate from its noise baseline.
	loc2 := NewMatrix(N, 3)
	for j := 0; j < 3; j++ {
		loc2.Data[(j*100)*3+j] = 1
		loc2.Data[(j*100+1)*3+j] = 0.5
	}
	mod, noise, err := LocalityVsNoise(loc2, L40, 2.5, 7)
	if err != nil {
		t.Fatal(err)
	}
	if mod.PR.Median > 2 || noise.PR.Median < 400 || mod.Disk.Median != 1 || noise.Disk.Median > 0.1 {
		t.Errorf("model PR %v disk %v vs noise PR %v disk %v", mod.PR.Median, mod.Disk.Median, noise.PR.Median, noise.Disk.Median)
	}
	// A 3-unit layer still gets NoiseFields noise fields, so its quantiles mean something.
	if len(mod.Units) != 3 || len(noise.Units) != NoiseFields || noise.PR.N != NoiseFields {
		t.Errorf("LocalityVsNoise: %d model units, %d noise fields (summary of %d), want 3 and %d", len(mod.Units), len(noise.Units), noise.PR.N, NoiseFields)
	}
	g := GaussianLike(loc2, 7)
	if g.Rows != N || g.Cols != 3 {
		t.Errorf("GaussianLike shape %dx%d", g.Rows, g.Cols)
	}
	if _, err := MeasureLocality(m, 39, 0); err == nil {
		t.Error("MeasureLocality accepted 1600 rows for L = 39")
	}
}

func TestSummaryAndHistogram(t *testing.T) {
	s := Summarize([]float64{4, math.NaN(), 1, 3, 2})
	if s.N != 4 || s.NaN != 1 || s.Median != 2.5 || s.Q25 != 1.75 || s.Min != 1 || s.Max != 4 || s.Mean != 2.5 {
		t.Errorf("Summary %+v", s)
	}
	if !near(s.Std, math.Sqrt(5.0/3.0), 1e-12) {
		t.Errorf("std %v", s.Std)
	}
	h := NewHistogram([]float64{-1, 0, 0.5, 0.99, 1, 2, math.NaN()}, 2, 0, 1)
	if h.Under != 1 || h.Over != 1 || h.Counts[0] != 1 || h.Counts[1] != 3 {
		t.Errorf("histogram %+v", h)
	}
	d := h.Density()
	if !near(d[0], 1/(6*0.5), 1e-12) || !near(d[1], 3/(6*0.5), 1e-12) {
		t.Errorf("density %v", d)
	}
	for _, c := range []struct {
		bins   int
		lo, hi float64
		want   string
	}{
		{0, 0, 1, "bins >= 1"},
		{2, 1, 1, "finite lo < hi"},
		{2, math.Inf(-1), math.Inf(1), "finite lo < hi"},
		{2, 0, math.Inf(1), "finite lo < hi"},
		{2, math.NaN(), 1, "finite lo < hi"},
		{1, -math.MaxFloat64, math.MaxFloat64, "positive finite width"},
		{4, 0, 5e-324, "positive finite width"},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, c.want) {
					t.Errorf("NewHistogram(%d bins, [%g, %g]) panicked with %q, want %q", c.bins, c.lo, c.hi, msg, c.want)
				}
			}()
			NewHistogram([]float64{0.5}, c.bins, c.lo, c.hi)
		}()
	}
	if !math.IsNaN(Pearson([]float64{1, 1}, []float64{1, 2})) || !near(Pearson([]float64{1, 2, 3}, []float64{2, 4, 7}), 0.9933992677987828, 1e-12) {
		t.Error("Pearson")
	}
}

// randomConfigs returns n iid uniform configurations.
func randomConfigs(n, L int, seed uint64) []uint8 {
	g := newRand(seed)
	v := make([]uint8, n*L*L)
	for i := range v {
		v[i] = uint8(g.Uint64() & 1)
	}
	return v
}

func TestBlockSpins(t *testing.T) {
	L := 4
	v := []uint8{
		1, 0, 1, 1,
		0, 1, 1, 0,
		0, 0, 1, 0,
		1, 0, 0, 0,
	}
	// 2x2 blocks: TL {1,0,0,1} tie -> top-left 1 -> +1; TR {1,1,1,0} -> +1;
	// BL {0,0,1,0} -> -1; BR {1,0,0,0} -> -1. 4x4: 7 up of 16 -> -1.
	got := BlockSpins(v, L, 2)
	want := []float64{1, 1, -1, -1}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("2x2 block %d = %v, want %v", i, got[i], want[i])
		}
	}
	if g := BlockSpins(v, L, 4); g[0] != -1 {
		t.Errorf("4x4 block = %v, want -1", g[0])
	}
	v[0] = 0   // TL block {0,0,0,1} -> -1
	v[2*L] = 1 // BL block {1,0,1,0}: tie, top-left up -> +1
	if g := BlockSpins(v, L, 2); g[0] != -1 || g[2] != 1 {
		t.Errorf("after flips %v", g)
	}
	v[0], v[1] = 0, 1 // TL block {0,1,0,1} tie, top-left 0 -> -1
	if g := BlockSpins(v, L, 2); g[0] != -1 {
		t.Errorf("tie with top-left down = %v, want -1", g[0])
	}
}

// A unit whose activation is a steep threshold of the block's weighted spin count, top-left
// weight 1.5 and the others 1 with bias -(B^2/2 + 1/4), is exactly the majority block spin with
// the top-left tie rule, so its correlation is 1 (and -1 for the negated unit).
func TestBlockSpinCorrelationExact(t *testing.T) {
	L, n := 8, 1500
	configs := randomConfigs(n, L, 99)
	for _, b := range []int{2, 4} {
		nh := 3
		W := NewMatrix(L*L, nh)
		c := make([]float32, nh)
		const a = 200
		bx, by := 1, 1 // block whose top-left site is (b, b)
		for y := by * b; y < (by+1)*b; y++ {
			for x := bx * b; x < (bx+1)*b; x++ {
				w := float32(a)
				if x == bx*b && y == by*b {
					w = 1.5 * a
				}
				W.Data[(y*L+x)*nh+0] = w
				W.Data[(y*L+x)*nh+1] = -w
			}
		}
		thr := float32(a) * (float32(b*b)/2 + 0.25)
		c[0], c[1] = -thr, thr
		// Unit 2: a single-site field at (0,0): activation = that spin, correlated with its
		// 2x2 block spin but not equal to it.
		W.Data[2] = 5
		c[2] = -2.5
		bs, err := BlockSpinCorrelation(W, c, configs, L, b)
		if err != nil {
			t.Fatal(err)
		}
		if bs.Corr[0] < 1-1e-9 || bs.Corr[1] > -1+1e-9 {
			t.Errorf("B=%d: exact block-spin unit correlation %v, negated %v, want 1 and -1", b, bs.Corr[0], bs.Corr[1])
		}
		if bs.BlockX[0] != bx || bs.BlockY[0] != by || bs.BlockX[2] != 0 || bs.BlockY[2] != 0 {
			t.Errorf("B=%d: centres %v %v", b, bs.BlockX, bs.BlockY)
		}
		// Unit 2 is the spin at (0,0), which is its block's top-left spin; compare its
		// correlation with the sample mean of s_TL * S computed directly from BlockSpins.
		var agree float64
		N := L * L
		for s := 0; s < n; s++ {
			v := configs[s*N : (s+1)*N]
			sp := 2*float64(v[0]) - 1
			agree += sp * BlockSpins(v, L, b)[0]
		}
		// For iid +-1 spins, Corr(s, S) = E[s S] (both have mean 0 and variance 1 up to
		// sampling noise); tolerance 5 standard errors (1/sqrt n each).
		if r := bs.Corr[2]; math.Abs(r-agree/float64(n)) > 5/math.Sqrt(float64(n)) {
			t.Errorf("B=%d: single-site unit correlation %v, want about %v", b, r, agree/float64(n))
		}
		if bs.AbsCorr.N != 3 || bs.AbsCorr.Max < 1-1e-9 {
			t.Errorf("B=%d: summary %+v", b, bs.AbsCorr)
		}
	}
	// Noise baseline: Gaussian fields correlate weakly with any block spin.
	W := GaussianMatrix(L*L, 20, 0.1, 3)
	model, noise, err := BlockSpinVsNoise(W, make([]float32, 20), configs, L, []int{2, 4}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(noise) != 2 || noise[0].AbsCorr.Median > 0.6 {
		t.Errorf("noise median |corr| %v", noise[0].AbsCorr.Median)
	}
	// One pass over both block sizes equals two separate passes.
	for k, b := range []int{2, 4} {
		one, err := BlockSpinCorrelation(W, make([]float32, 20), configs, L, b)
		if err != nil {
			t.Fatal(err)
		}
		for j := range one.Corr {
			if one.Corr[j] != model[k].Corr[j] {
				t.Fatalf("B=%d unit %d: %v alone, %v in one pass", b, j, one.Corr[j], model[k].Corr[j])
			}
		}
	}
	// Reference: Pearson of directly computed activations and block spins.
	N := L * L
	for _, j := range []int{0, 7, 19} {
		col := W.Column(j)
		p := ArgMaxAbs(col)
		act := make([]float64, n)
		bsp := make([]float64, n)
		for s := 0; s < n; s++ {
			v := configs[s*N : (s+1)*N]
			var x float64
			for i, vi := range v {
				x += float64(vi) * col[i]
			}
			act[s] = sigmoid(x)
			bsp[s] = BlockSpins(v, L, 2)[((p/L)/2)*(L/2)+(p%L)/2]
		}
		if r := Pearson(act, bsp); !near(r, model[0].Corr[j], 1e-4) {
			t.Errorf("unit %d: correlation %v, direct reference %v", j, model[0].Corr[j], r)
		}
	}
	if _, err := BlockSpinCorrelation(W, make([]float32, 20), configs, L, 3); err == nil {
		t.Error("accepted block size 3 on L = 8")
	}
	if _, err := BlockSpinCorrelation(W, make([]float32, 19), configs, L, 2); err == nil {
		t.Error("accepted 19 biases for 20 units")
	}
}

// isolatedFlips returns an all-up L x L configuration with k down spins on distinct sites of
// the even sublattice (no two adjacent): energy per spin -2 + 8k/N, m = 1 - 2k/N.
func isolatedFlips(L, k int) []uint8 {
	v := make([]uint8, L*L)
	for i := range v {
		v[i] = 1
	}
	f := 0
	for y := 0; y < L && f < k; y++ {
		for x := y % 2; x < L && f < k; x += 2 {
			v[y*L+x] = 0
			f++
		}
	}
	if f < k {
		panic("too many flips")
	}
	return v
}

func TestEnergyMagnetization(t *testing.T) {
	L := 6
	N := L * L
	up := isolatedFlips(L, 0)
	checker := make([]uint8, N)
	stripes := make([]uint8, N)
	for y := 0; y < L; y++ {
		for x := 0; x < L; x++ {
			checker[y*L+x] = uint8((x + y) % 2)
			stripes[y*L+x] = uint8(y % 2)
		}
	}
	cases := []struct {
		name string
		v    []uint8
		u, m float64
	}{
		{"all up", up, -2, 1},
		{"all down", make([]uint8, N), -2, -1},
		{"checkerboard", checker, 2, 0},
		{"stripes", stripes, 0, 0},
		{"3 isolated flips", isolatedFlips(L, 3), -2 + 24.0/36, 1 - 6.0/36},
	}
	for _, c := range cases {
		if u := Energy(c.v, L); !near(u, c.u, 1e-12) {
			t.Errorf("%s: u = %v, want %v", c.name, u, c.u)
		}
		if m := Magnetization(c.v); !near(m, c.m, 1e-12) {
			t.Errorf("%s: m = %v, want %v", c.name, m, c.m)
		}
	}
}

// TestEnergyMagnetizationBadInput checks that a configuration whose length
// is not L*L, a lattice with L < 1 and an empty configuration panic with a
// message that names the function, instead of reading past the slice or
// dividing by zero.
func TestEnergyMagnetizationBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"short", func() { Energy(make([]uint8, 8), 3) }, "Energy of 8 spins on an L = 3 lattice"},
		{"long", func() { Energy(make([]uint8, 10), 3) }, "Energy of 10 spins"},
		{"L = 0", func() { Energy(nil, 0) }, "L = 0"},
		{"L < 0", func() { Energy(make([]uint8, 1), -1) }, "L = -1"},
		{"empty", func() { Magnetization(nil) }, "Magnetization of an empty configuration"},
	} {
		func() {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %v, want one containing %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// TestBinarizeEdges checks Binarize's documented edges: NaN and p <= 0
// give a down spin in both modes, p >= 1 an up spin, and the threshold
// sets p = 0.5 up.
func TestBinarizeEdges(t *testing.T) {
	nan := float32(math.NaN())
	p := []float32{nan, 0, -1, 1, 2, 0.5}
	for _, mode := range []BinarizeMode{Sample, Threshold} {
		got := Binarize(p, mode, 3)
		want := []uint8{0, 0, 0, 1, 1, got[5]}
		if mode == Threshold {
			want[5] = 1
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v: %v, want %v", mode, got, want)
		}
	}
}

func TestThermodynamics(t *testing.T) {
	L, K := 6, 0.3
	N := L * L
	checker := make([]uint8, N)
	for i := range checker {
		checker[i] = uint8((i%L + i/L) % 2)
	}
	// Alternating all-up and checkerboard: u in {-2, 2}, m in {1, 0}.
	var cfg []uint8
	for s := 0; s < 40; s++ {
		if s%2 == 0 {
			cfg = append(cfg, isolatedFlips(L, 0)...)
		} else {
			cfg = append(cfg, checker...)
		}
	}
	th, err := Thermodynamics(cfg, L, K, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !near(th.U, 0, 1e-12) || !near(th.AbsM, 0.5, 1e-12) || !near(th.M2, 0.5, 1e-12) ||
		!near(th.C, K*K*float64(N)*4, 1e-9) || !near(th.Chi, K*float64(N)*0.25, 1e-9) {
		t.Errorf("thermo %+v", th)
	}
	// Each block of 4 holds two of each, so every leave-one-out estimate is equal: zero error.
	if th.UErr > 1e-12 || th.CErr > 1e-9 || th.ChiErr > 1e-9 {
		t.Errorf("errors %v %v %v, want 0", th.UErr, th.CErr, th.ChiErr)
	}
	// With one configuration per block the jackknife error of a mean is s/sqrt(n).
	var us []float64
	cfg = cfg[:0]
	for s := 0; s < 30; s++ {
		k := (s * 7) % 10
		cfg = append(cfg, isolatedFlips(L, k)...)
		us = append(us, -2+8*float64(k)/float64(N))
	}
	th, err = Thermodynamics(cfg, L, K, 30)
	if err != nil {
		t.Fatal(err)
	}
	su := Summarize(us)
	if !near(th.UErr, su.Std/math.Sqrt(30), 1e-12) || !near(th.U, su.Mean, 1e-12) {
		t.Errorf("U = %v +- %v, want %v +- %v", th.U, th.UErr, su.Mean, su.Std/math.Sqrt(30))
	}
	// The specific heat is K^2 N times the (biased) variance of u.
	v := su.Std * su.Std * 29 / 30
	if !near(th.C, K*K*float64(N)*v, 1e-9) {
		t.Errorf("C = %v, want %v", th.C, K*K*float64(N)*v)
	}
	if _, err := Thermodynamics(cfg[:N+1], L, K, 0); err == nil {
		t.Error("accepted a partial configuration")
	}
}

func TestBinarize(t *testing.T) {
	p := []float32{0, 1, 0.5, 0.49, 0.2}
	th := Binarize(p, Threshold, 0)
	if th[0] != 0 || th[1] != 1 || th[2] != 1 || th[3] != 0 {
		t.Errorf("threshold %v", th)
	}
	big := make([]float32, 20000)
	for i := range big {
		big[i] = 0.3
	}
	s := Binarize(big, Sample, 5)
	up := 0
	for _, x := range s {
		up += int(x)
	}
	// Binomial(20000, 0.3): sd = 64.8; 5 sd.
	if math.Abs(float64(up)-6000) > 5*64.8 {
		t.Errorf("sampled %d up of 20000 at p = 0.3", up)
	}
	s2 := Binarize(big, Sample, 5)
	for i := range s {
		if s[i] != s2[i] {
			t.Fatal("Binarize not reproducible from its seed")
		}
	}
}

func TestKEffExact(t *testing.T) {
	L := 8
	N := L * L
	// Mixture of configurations with 2..6 isolated flips: u = -2 + 8k/64.
	var cfg []uint8
	var sum float64
	for k := 2; k <= 6; k++ {
		cfg = append(cfg, isolatedFlips(L, k)...)
		sum += -2 + 8*float64(k)/float64(N)
	}
	wantU := sum / 5
	k, u, err := KEff(cfg, L, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(u, wantU, 1e-12) {
		t.Errorf("u = %v, want %v", u, wantU)
	}
	if e := exact.Energy(L, k); !near(e, wantU, 1e-9) {
		t.Errorf("exact.Energy(%d, K_eff = %v) = %v, want %v", L, k, e, wantU)
	}
	// Jackknife: one configuration per block gives uErr = s/sqrt(n); a linear inverter scales it.
	var us []float64
	var cfg2 []uint8
	for s := 0; s < 25; s++ {
		kf := 3 + (s*11)%9
		cfg2 = append(cfg2, isolatedFlips(L, kf)...)
		us = append(us, -2+8*float64(kf)/float64(N))
	}
	su := Summarize(us)
	lin := func(_ int, u float64) (float64, error) { return -u / 4, nil }
	kj, kErr, uj, uErr, err := KEffJackknife(cfg2, L, lin, 25)
	if err != nil {
		t.Fatal(err)
	}
	if !near(uj, su.Mean, 1e-12) || !near(uErr, su.Std/5, 1e-12) || !near(kj, -su.Mean/4, 1e-12) || !near(kErr, uErr/4, 1e-12) {
		t.Errorf("jackknife linear: K %v +- %v, u %v +- %v; want u %v +- %v", kj, kErr, uj, uErr, su.Mean, su.Std/5)
	}
	// With the exact inverter, kErr ~ uErr / |du/dK| (first order).
	kj, kErr, _, uErr, err = KEffJackknife(cfg2, L, nil, 25)
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-5
	dudk := (exact.Energy(L, kj+h) - exact.Energy(L, kj-h)) / (2 * h)
	if want := uErr / math.Abs(dudk); math.Abs(kErr-want) > 0.02*want {
		t.Errorf("jackknife exact: K_eff error %v, want about %v (u error %v, du/dK %v)", kErr, want, uErr, dudk)
	}
	// Out of range: the checkerboard (u = +2) cannot be inverted.
	checker := make([]uint8, N)
	for i := range checker {
		checker[i] = uint8((i%L + i/L) % 2)
	}
	if k, _, err := KEff(checker, L, nil); err == nil || !math.IsNaN(k) {
		t.Errorf("checkerboard: K = %v, err %v; want NaN and an error", k, err)
	}
}

func TestRGFlow(t *testing.T) {
	L := 8
	N := L * L
	inv := func(L int, u float64) (float64, error) { // synthetic monotone map for plumbing
		if u >= 0 {
			return 0, errors.New("u >= 0")
		}
		return -u / 4, nil
	}
	mk := func(k, n int) []uint8 {
		var c []uint8
		for s := 0; s < n; s++ {
			c = append(c, isolatedFlips(L, k)...)
		}
		return c
	}
	// addFlip: deterministic reconstruction adding one isolated flip per configuration.
	addFlip := func(v []float32, depth int) []float32 {
		if depth != 2 {
			panic("depth not passed through")
		}
		out := append([]float32(nil), v...)
		for s := 0; s < len(v)/N; s++ {
			c := out[s*N : (s+1)*N]
			for y := 0; y < L; y++ {
				for x := y % 2; x < L; x += 2 {
					if c[y*L+x] == 1 {
						c[y*L+x] = 0
						goto next
					}
				}
			}
		next:
		}
		return out
	}
	inputs := []FlowInput{{K: 0.3, Configs: mk(1, 7)}, {K: 0.5, Configs: mk(4, 5)}}
	for _, mode := range []BinarizeMode{Sample, Threshold} {
		f, err := RGFlow(inputs, L, addFlip, FlowOptions{Depth: 2, Iterations: 3, Mode: mode, Chunk: 3, Inverter: inv})
		if err != nil {
			t.Fatal(err)
		}
		for i, k0 := range []int{1, 4} {
			for step := 0; step <= 3; step++ {
				u := -2 + 8*float64(k0+step)/float64(N)
				if !near(f.U[step][i], u, 1e-12) || !near(f.KEff[step][i], -u/4, 1e-12) {
					t.Errorf("%v input %d step %d: u %v K_eff %v, want %v %v", mode, i, step, f.U[step][i], f.KEff[step][i], u, -u/4)
				}
			}
		}
		ser := f.Series()
		if len(ser) != 4 || ser[1].Name != "1 step" || ser[2].X[1] != 0.5 || ser[2].Y[1] != f.KEff[2][1] {
			t.Errorf("series %+v", ser)
		}
	}
	// Identity with the exact inverter: K_eff stays put.
	id := func(v []float32, _ int) []float32 { return v }
	f, err := RGFlow(inputs[:1], L, id, FlowOptions{Iterations: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f.KEff[0][0] != f.KEff[2][0] || math.IsNaN(f.KEff[0][0]) || len(f.Errors) != 0 {
		t.Errorf("identity flow %v, errors %v", f.KEff, f.Errors)
	}
	bad := func(v []float32, _ int) []float32 { return v[:1] }
	if _, err := RGFlow(inputs, L, bad, FlowOptions{Iterations: 1}); err == nil {
		t.Error("accepted a Reconstructor returning the wrong length")
	}
}

func TestReconstructions(t *testing.T) {
	L := 4
	cfg := randomConfigs(5, L, 1)
	rec := func(v []float32, d int) []float32 {
		out := make([]float32, len(v))
		for i := range out {
			out[i] = float32(d) / 10
		}
		return out
	}
	rows, err := Reconstructions(cfg, L, []int{4, 0}, []int{1, 3}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[0]) != 3 || rows[0][2][5] != 0.3 || rows[1][1][0] != 0.1 {
		t.Fatalf("rows %v", rows)
	}
	for i := 0; i < L*L; i++ {
		if rows[0][0][i] != float32(cfg[4*L*L+i]) {
			t.Fatal("original not copied")
		}
	}
	if _, err := Reconstructions(cfg, L, []int{5}, []int{1}, rec); err == nil {
		t.Error("accepted index 5 of 5")
	}
}

// TestBlockSpinCorrelationSaturated checks units that are almost always on
// or off: a unit with one weight w on site 0 and bias c has activation
// sigmoid(c + w*s0), a function of the spin s0 alone, so its correlation
// with any block spin is that of s0 (+-1) with it, computed here directly
// in float64. One-pass sums of a^2 cancelled the variance of a unit within
// about 1e-7 of 1 (c = 14 gave 0.36 instead of 1 at b = 1, c = 30 NaN);
// the units near 0 were always right and are checked as the mirror case.
func TestBlockSpinCorrelationSaturated(t *testing.T) {
	L, n := 4, 20000
	configs := randomConfigs(n, L, 7)
	N := L * L
	for _, b := range []int{1, 2} {
		// corr(s0, S) of the block of site 0, from BlockSpins.
		var ss, sS, sSS, ssS float64
		for r := 0; r < n; r++ {
			s := 2*float64(configs[r*N]) - 1
			S := BlockSpins(configs[r*N:(r+1)*N], L, b)[0]
			ss += s
			sS += S
			sSS += S * S
			ssS += s * S
		}
		fn := float64(n)
		want := (ssS/fn - (ss/fn)*(sS/fn)) / math.Sqrt((1-(ss/fn)*(ss/fn))*(sSS/fn-(sS/fn)*(sS/fn)))
		for _, c := range []float32{0, 10, 14, 20, 25, 30} {
			for _, sign := range []float32{1, -1} {
				W := NewMatrix(N, 1)
				W.Data[0] = sign
				bs, err := BlockSpinCorrelation(W, []float32{sign * c}, configs, L, b)
				if err != nil {
					t.Fatal(err)
				}
				if got := bs.Corr[0]; !(math.Abs(got-float64(sign)*want) <= 1e-9) { // NaN fails too
					t.Errorf("b=%d, w=%v, c=%v: correlation %v, want %v", b, sign, sign*c, got, float64(sign)*want)
				}
			}
		}
	}
}
