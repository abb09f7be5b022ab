package ising

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// countsReference counts bit by bit from the lattice's geometry, without
// the table: lane by lane, each site's right and down bond. When every
// word is 0 or all ones (all lanes alike) it counts lane 0 and copies it.
func countsReference(spins []uint64, L int) (anti, up [BlockReplicas]int32) {
	uniform := true
	for _, v := range spins {
		uniform = uniform && (v == 0 || v == ^uint64(0))
	}
	if uniform {
		for y := range L {
			for x := range L {
				s := int32(spins[(y*L+x)*BlockWords] & 1)
				r := int32(spins[(y*L+(x+1)%L)*BlockWords] & 1)
				d := int32(spins[((y+1)%L*L+x)*BlockWords] & 1)
				anti[0] += (s ^ r) + (s ^ d)
				up[0] += s
			}
		}
		for q := range anti {
			anti[q], up[q] = anti[0], up[0]
		}
		return anti, up
	}
	for w := range BlockWords {
		// Local sums (cheap under -race), lane 64*w+j in element j.
		var ua, uu [64]int32
		for y := range L {
			for x := range L {
				c := spins[(y*L+x)*BlockWords+w]
				r := spins[(y*L+(x+1)%L)*BlockWords+w]
				d := spins[((y+1)%L*L+x)*BlockWords+w]
				for j := range 64 {
					uu[j] += int32(c >> j & 1)
					ua[j] += int32((c^r)>>j&1) + int32((c^d)>>j&1)
				}
			}
		}
		copy(anti[64*w:], ua[:])
		copy(up[64*w:], uu[:])
	}
	return anti, up
}

// countsInput returns a block of side L of the given kind (0: random
// words, 1: mostly ordered words, 2: all up, 3: all down, 4: the
// checkerboard).
func countsInput(g *rng.Xoshiro256, L, kind int) []uint64 {
	spins := make([]uint64, L*L*BlockWords)
	for i := range spins {
		switch kind {
		case 0:
			spins[i] = g.Uint64()
		case 1:
			spins[i] = []uint64{0, ^uint64(0), g.Uint64()}[g.Intn(3)]
		case 2:
			spins[i] = ^uint64(0)
		case 3:
			spins[i] = 0
		case 4:
			s := i / BlockWords
			spins[i] = -uint64((s/L + s%L) % 2)
		}
	}
	return spins
}

// countsOut is a pair of outputs of the counting kernels between guard
// values (-7).
type countsOut struct {
	out      []int32
	anti, up *[BlockReplicas]int32
}

func newCountsOut() *countsOut {
	out := make([]int32, 2*BlockReplicas+48)
	for i := range out {
		out[i] = -7
	}
	return &countsOut{out, (*[BlockReplicas]int32)(out[16:]), (*[BlockReplicas]int32)(out[32+BlockReplicas:])}
}

func (c *countsOut) check(t testing.TB, what string) {
	t.Helper()
	for i, v := range c.out {
		if (i < 16 || i >= 16+BlockReplicas && i < 32+BlockReplicas || i >= 32+2*BlockReplicas) && v != -7 {
			t.Fatalf("%s: guard %d of the counts overwritten", what, i)
		}
	}
}

// countsCase runs Counts with the active implementation on a copy of the
// block spins of side L (of kind kind, for messages) inside guard bands of
// a row and two sites on each side, the outputs inside guards too, and
// compares with wantA and wantU (countsReference's).
func countsCase(t *testing.T, spins []uint64, L, kind int, wantA, wantU *[BlockReplicas]int32) {
	t.Helper()
	gb := newGuarded(len(spins), (L+2)*BlockWords, (L+kind)%8)
	in := gb.words()
	copy(in, spins)
	o := newCountsOut()
	what := fmt.Sprintf("%s L=%d kind %d", Impl(), L, kind)
	Counts(in, L, CountTable(L), o.anti, o.up)
	if *o.anti != *wantA || *o.up != *wantU {
		for q := range BlockReplicas {
			if o.anti[q] != wantA[q] || o.up[q] != wantU[q] {
				t.Fatalf("%s lane %d: anti %d up %d, want %d %d", what, q, o.anti[q], o.up[q], wantA[q], wantU[q])
			}
		}
	}
	o.check(t, what)
	gb.check(t, what)
	if !slices.Equal(in, spins) {
		t.Fatalf("%s: the spins changed", what)
	}
}

// TestCounts compares every implementation of Counts with the bit-by-bit
// count over edge sides: L*L not a multiple of 8 (2, 3, 5, 6, 7, 9, 11,
// 41, 91, 182), no padding (4, 16, 40, 64, 128, 256), more than 15 groups
// (flushes) and the extreme counts. The kernels get nbits = bits.Len(2*L*L) planes: 14
// at L = 64, 15 at 91, 16 at 128 (where the checkerboard's 2*L*L = 2^15 is
// one bit in the top plane), 17 at 182, 18 at 256. Wider counts, up to
// 2^24, are TestCountKernelsHighPlanes's.
func TestCounts(t *testing.T) {
	type ccase struct {
		L, kind  int
		spins    []uint64
		anti, up [BlockReplicas]int32
	}
	// The references once, for every implementation.
	var cases []ccase
	g := rng.New(3)
	for _, L := range []int{2, 3, 4, 5, 6, 7, 9, 11, 16, 40, 41, 64, 91, 128, 182, 256} {
		for kind := range 5 {
			c := ccase{L: L, kind: kind, spins: countsInput(&g, L, kind)}
			c.anti, c.up = countsReference(c.spins, L)
			cases = append(cases, c)
		}
	}
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		for i := range cases {
			c := &cases[i]
			countsCase(t, c.spins, c.L, c.kind, &c.anti, &c.up)
		}
	})
}

// countKernel is a counting kernel of this GOARCH (countKernels), called
// directly: ok reports whether this CPU runs it.
type countKernel struct {
	name string
	ok   bool
	f    func(spins *uint64, tab *int32, groups int, planes *[2][countPlanes][BlockWords]uint64, nbits int, anti, up *[BlockReplicas]int32)
}

// tableReference counts bit by bit what the counting kernels add up over
// the entries (s, r, d) of tab (word offsets into spins): per lane, s^r +
// s^d anti-aligned bonds and s up spins an entry.
func tableReference(spins []uint64, tab []int32) (anti, up [BlockReplicas]int64) {
	for e := 0; e+3 <= len(tab); e += 3 {
		for q := range BlockReplicas {
			bit := func(site int32) int64 { return int64(spins[int(site)+q/64] >> (q % 64) & 1) }
			s, r, d := bit(tab[e]), bit(tab[e+1]), bit(tab[e+2])
			anti[q] += (s ^ r) + (s ^ d)
			up[q] += s
		}
	}
	return anti, up
}

// TestCountKernelsHighPlanes runs the counting kernels directly on tables
// of about 2^20 groups of eight entries, so that the counts reach planes no
// lattice of the other tests does: up to 2^24 anti-aligned bonds and 2^23
// up spins (a block would need L >= 2897, 256 MiB of spins; plane 31 comes
// only at L = 32768, or with 2^27 groups). The kernels' contract allows it:
// they sum over whatever entries the table holds (word offsets of a site
// and its two neighbours), here sites of a small buffer, the table
// repeating a base (the counts are the base's times the repeats plus a
// partial base's, counted bit by bit). Each table is counted with nbits as
// small as its counts allow and with nbits = 32, so that the flushes
// ripple and the transposition reads every plane; the planes and the
// outputs lie between guard words. The all-anti tables set every plane
// from the flushes' lowest (4 for the bonds, 3 for the spins) to 23 (22)
// in every count, and with 2^20 groups a lone bit in plane 24 (23) that
// only a carry through all the planes below sets. The table takes 96 MiB;
// most of the test's time goes to its page faults.
func TestCountKernelsHighPlanes(t *testing.T) {
	var ks []countKernel
	for _, k := range countKernels() {
		if k.ok {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		t.Skip("no counting kernels in this build or on this CPU")
	}
	// Sites: 0 all up, 1 all down, the others random words, some mostly
	// up or down.
	const nsites = 24
	sb := newGuarded(nsites*BlockWords, 8, 0)
	spins := sb.words()
	g := rng.New(11)
	for i := range spins {
		switch s := i / BlockWords; {
		case s == 0:
			spins[i] = ^uint64(0)
		case s == 1:
			spins[i] = 0
		case s < 6:
			a, b := g.Uint64(), g.Uint64()
			spins[i] = a | b
		case s < 10:
			a, b := g.Uint64(), g.Uint64()
			spins[i] = a & b
		default:
			spins[i] = g.Uint64()
		}
	}
	in := slices.Clone(spins)
	site := func(s int) int32 { return int32(s * BlockWords) }
	// randomBase returns groups groups of entries: half of them (0, 1, 1)
	// (two anti-aligned bonds in every lane), half random sites.
	randomBase := func(groups int) []int32 {
		b := make([]int32, 24*groups)
		for e := 0; e < len(b); e += 3 {
			if g.Intn(2) == 0 {
				b[e], b[e+1], b[e+2] = site(0), site(1), site(1)
			} else {
				b[e], b[e+1], b[e+2] = site(g.Intn(nsites)), site(g.Intn(nsites)), site(g.Intn(nsites))
			}
		}
		return b
	}
	allAnti := []int32{site(0), site(1), site(1)}
	allAnti = slices.Repeat(allAnti, 8)
	const maxGroups = 1 << 20
	tab := make([]int32, 24*maxGroups)
	var built []int32 // the base of tab[:builtLen]
	builtLen := 0
	for _, c := range []struct {
		name    string
		base    []int32
		groups  int
		generic bool // run countsGeneric too
	}{
		{"all anti, 2^20 groups", allAnti, maxGroups, false},
		{"all anti, 2^20-1 groups", allAnti, maxGroups - 1, false},
		{"random base of 67 groups, 2^20-3 groups", randomBase(67), maxGroups - 3, true},
	} {
		// tab repeats the base: copy the periodic prefix (a multiple of the
		// period) after itself; a case with the base of the one before
		// takes a prefix of its table.
		tb := tab[:24*c.groups]
		if !slices.Equal(c.base, built) || len(tb) > builtLen {
			n := copy(tb, c.base)
			for n < len(tb) {
				n += copy(tb[n:], tb[:n])
			}
			built, builtLen = c.base, len(tb)
		}
		// want returns the counts of the first groups groups of tb and the
		// largest of them.
		want := func(groups int) (anti, up [BlockReplicas]int32, most int64) {
			reps, rest := groups/(len(c.base)/24), groups%(len(c.base)/24)
			ba, bu := tableReference(spins, c.base)
			ra, ru := tableReference(spins, c.base[:24*rest])
			for q := range BlockReplicas {
				a, u := int64(reps)*ba[q]+ra[q], int64(reps)*bu[q]+ru[q]
				anti[q], up[q] = int32(a), int32(u)
				most = max(most, a, u)
			}
			return anti, up, most
		}
		compare := func(what string, o *countsOut, wantA, wantU *[BlockReplicas]int32) {
			t.Helper()
			o.check(t, what)
			sb.check(t, what)
			if !slices.Equal(spins, in) {
				t.Fatalf("%s: the spins changed", what)
			}
			for q := range BlockReplicas {
				if o.anti[q] != wantA[q] || o.up[q] != wantU[q] {
					t.Fatalf("%s lane %d: anti %d up %d, want %d %d", what, q, o.anti[q], o.up[q], wantA[q], wantU[q])
				}
			}
		}
		wantA, wantU, most := want(c.groups)
		if most < 1<<23 {
			t.Fatalf("%s: the largest count is %d, want >= 2^23", c.name, most)
		}
		for _, k := range ks {
			for _, nbits := range []int{bits.Len64(uint64(most)), countPlanes} {
				what := fmt.Sprintf("%s %s nbits=%d", k.name, c.name, nbits)
				pb := newGuarded(2*countPlanes*BlockWords, 16, 0)
				planes := (*[2][countPlanes][BlockWords]uint64)(unsafe.Pointer(&pb.words()[0]))
				o := newCountsOut()
				k.f(&spins[0], &tb[0], c.groups, planes, nbits, o.anti, o.up)
				pb.check(t, what+" planes")
				compare(what, o, &wantA, &wantU)
			}
		}
		if c.generic {
			// A quarter of the table (counts up to 2^22) is enough for
			// the Go twin's wide counters, and 4x cheaper under -race.
			groups := c.groups / 4
			wa, wu, _ := want(groups)
			o := newCountsOut()
			countsGeneric(spins, 8*groups, tb[:24*groups], o.anti, o.up)
			compare(fmt.Sprintf("countsGeneric %s, the first %d groups", c.name, groups), o, &wa, &wu)
		}
	}
}

func TestCountsBadArguments(t *testing.T) {
	var anti, up [BlockReplicas]int32
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"L=1", func() { Counts(make([]uint64, 4), 1, CountTable(2), &anti, &up) }},
		{"short spins", func() { Counts(make([]uint64, 15), 2, CountTable(2), &anti, &up) }},
		{"wrong table", func() { Counts(make([]uint64, 36), 3, CountTable(2), &anti, &up) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// FuzzCounts compares every implementation (the counting kernels of this
// GOARCH, then countsGeneric) with the reference on random blocks of side
// 2..257 (nbits up to 18).
func FuzzCounts(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(3), uint8(1))
	f.Add(uint64(3), uint8(38), uint8(4))
	f.Add(uint64(4), uint8(62), uint8(4))
	f.Add(uint64(5), uint8(89), uint8(0))
	f.Add(uint64(6), uint8(126), uint8(4))
	f.Fuzz(func(t *testing.T, seed uint64, l, kind uint8) {
		L := 2 + int(l)
		g := rng.New(seed)
		spins := countsInput(&g, L, int(kind%5))
		wantA, wantU := countsReference(spins, L)
		defer asm.Reset("ising")
		for _, name := range asmtest.Impls("ising") {
			if !asm.Select("ising", name) {
				t.Fatalf("cannot select %s", name)
			}
			countsCase(t, spins, L, int(kind%5), &wantA, &wantU)
		}
	})
}

// BenchmarkCounts measures one block at L = 40, in sites per nanosecond.
func BenchmarkCounts(b *testing.B) {
	const L = 40
	g := rng.New(1)
	spins := make([]uint64, L*L*BlockWords)
	for i := range spins {
		spins[i] = g.Uint64()
	}
	tab := CountTable(L)
	asmtest.Benchmark(b, "ising", func(b *testing.B) {
		var anti, up [BlockReplicas]int32
		for range b.N {
			Counts(spins, L, tab, &anti, &up)
		}
		b.ReportMetric(float64(b.N)*L*L/float64(b.Elapsed().Nanoseconds()), "sites/ns")
	})
}

// TestCountTableBounds: a side whose offsets would overflow the table's
// int32 entries is refused, and the largest allowed side's last offset and
// largest count fit an int32.
func TestCountTableBounds(t *testing.T) {
	for _, L := range []int{1, MaxCountL + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("CountTable(%d) did not panic", L)
				}
			}()
			CountTable(L)
		}()
	}
	if n := int64(MaxCountL) * MaxCountL; n*BlockWords > math.MaxInt32 || 4*n > math.MaxInt32 {
		t.Errorf("MaxCountL = %d: offsets up to %d, 2*anti up to %d, beyond int32", MaxCountL, n*BlockWords, 4*n)
	}
	if n := int64(MaxCountL+1) * (MaxCountL + 1); n*BlockWords <= math.MaxInt32 {
		t.Errorf("MaxCountL = %d is not the largest side that fits", MaxCountL)
	}
}
