package ising

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// mustPanic fails the test unless f panics with a string that starts with
// prefix.
func mustPanic(t *testing.T, what, prefix string, f func()) {
	t.Helper()
	msg, ok := func() (msg any, ok bool) {
		defer func() { msg = recover() }()
		f()
		return nil, true
	}()
	if ok {
		t.Errorf("%s: no panic, want %q...", what, prefix)
		return
	}
	if s, isString := msg.(string); !isString || !strings.HasPrefix(s, prefix) {
		t.Errorf("%s: panic %v, want %q...", what, msg, prefix)
	}
}

// hugeSides are sides whose L*L*BlockWords (or L*L) overflows an int: to 4
// words for 2^61+1 and math.MaxInt (whose L*L is 1), so that a block of
// one site would pass a length check that multiplies; and the first side
// beyond maxL.
func hugeSides() []int {
	if strconv.IntSize != 64 {
		return []int{maxL + 1, math.MaxInt}
	}
	one := 1 // not a constant: the shift would not compile with 32-bit ints
	return []int{one<<61 + 1, math.MaxInt, maxL + 1}
}

// TestMaxL checks that maxL is the largest side whose L*L*BlockWords an int
// holds.
func TestMaxL(t *testing.T) {
	n := uint64(maxL) * uint64(maxL) * BlockWords
	m := uint64(maxL+1) * uint64(maxL+1) * BlockWords
	if n > math.MaxInt || m <= math.MaxInt {
		t.Errorf("maxL = %d: L*L*%d = %d, at maxL+1 %d; math.MaxInt = %d", maxL, BlockWords, n, m, math.MaxInt)
	}
}

// TestHugeSide: Sweep, Sweep2, SweepBlocks and Counts refuse a side whose
// block size overflows an int, with the short slice that the wrapped size
// would have let through (before the check the SIMD sweep kernels wrote
// past it and the counting kernels read past it), under every
// implementation; nothing around the slices is written.
func TestHugeSide(t *testing.T) {
	th, _ := NewThresholds(0.4)
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		forEachDispatch(func(variant string) {
			for _, L := range hugeSides() {
				for _, gen := range generators {
					where := fmt.Sprintf("%s%s %s L=%d", Impl(), variant, gen, L)
					gb := newGuarded(4*BlockWords, 1<<12, 0)
					w := gb.words()
					a, b := w[:BlockWords:BlockWords], w[2*BlockWords:3*BlockWords:3*BlockWords]
					states := make([][StateWords]uint64, 2)
					wantL := fmt.Sprintf("L = %d, want 2..%d", L, maxL)
					mustPanic(t, where+" Sweep", "ising: Sweep: "+wantL, func() {
						Sweep(gen, a, L, &states[0], th, 1)
					})
					mustPanic(t, where+" Sweep2", "ising: Sweep2: "+wantL, func() {
						Sweep2(gen, a, b, L, &states[0], &states[1], th, 1)
					})
					mustPanic(t, where+" SweepBlocks", "ising: SweepBlocks: "+wantL, func() {
						SweepBlocks(gen, a, L, states[:1], th, 1)
					})
					gb.check(t, where)
				}
				// Counts: L*L = 1 at math.MaxInt, and CountTable(2) has 8
				// sites, as many as a padded block of one site.
				where := fmt.Sprintf("%s%s Counts L=%d", Impl(), variant, L)
				gb := newGuarded(BlockWords, 1<<12, 0)
				var anti, up [BlockReplicas]int32
				mustPanic(t, where, fmt.Sprintf("ising: Counts: L = %d, want 2..%d", L, MaxCountL), func() {
					Counts(gb.words(), L, CountTable(2), &anti, &up)
				})
				gb.check(t, where)
			}
		})
	})
}

// TestSweepBlocksCountOverflow: SweepBlocks compares len(spins) with
// len(states) blocks without multiplying them: at L = 2^29 a block is
// 2^60 words, and 16 of them wrap to 0, so an empty spins once passed the
// check (and then panicked slicing it).
func TestSweepBlocksCountOverflow(t *testing.T) {
	if strconv.IntSize != 64 {
		t.Skip("needs 64-bit ints")
	}
	th, _ := NewThresholds(0.4)
	L := 1 << 29
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		forEachDispatch(func(variant string) {
			mustPanic(t, Impl()+variant, "ising: SweepBlocks: len(spins) = 0 for 16 blocks, want 16*L*L*4 = beyond an int", func() {
				SweepBlocks(SFC64, nil, L, make([][StateWords]uint64, 16), th, 1)
			})
			mustPanic(t, Impl()+variant, "ising: SweepBlocks: len(spins) = 32 for 3 blocks, want 3*L*L*4 = 48", func() {
				SweepBlocks(SFC64, make([]uint64, 32), 2, make([][StateWords]uint64, 3), th, 1)
			})
		})
	})
}

// TestCountsWrongTable: Counts refuses a table of another side, nil
// included: CountTable(4) at L = 3 is as long as CountTable(3) but names
// sites up to 15 against 9 (the SIMD kernels read past the spins and
// returned wrong counts, the portable code panicked on an index). The
// table's entries are unexported (SiteTable), so no caller can change them.
func TestCountsWrongTable(t *testing.T) {
	cases := []struct {
		name string
		L    int
		tab  *SiteTable
		want string
	}{
		{"CountTable(4) at L=3", 3, CountTable(4), "ising: Counts: tab is CountTable(4), want CountTable(3)"},
		{"CountTable(3) at L=4", 4, CountTable(3), "ising: Counts: tab is CountTable(3), want CountTable(4)"},
		{"nil", 3, nil, "ising: Counts: tab is nil, want CountTable(3)"},
	}
	g := rng.New(3)
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		for _, c := range cases {
			spins := countsInput(&g, c.L, 0)
			gb := newGuarded(len(spins), 1<<12, 0)
			copy(gb.words(), spins)
			o := newCountsOut()
			mustPanic(t, Impl()+" "+c.name, c.want, func() {
				Counts(gb.words(), c.L, c.tab, o.anti, o.up)
			})
			gb.check(t, c.name)
		}
	})
}

// TestCountsAnyTable: every implementation computes Counts' plain loop
// for any table of in-range entries, not only CountTable(L)'s (random
// entries, the largest ones, all zero), so the kernels depend on the
// table's entries only as the loop does.
func TestCountsAnyTable(t *testing.T) {
	g := rng.New(4)
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		for _, L := range []int{2, 3, 5, 8} {
			n := L * L
			lim := (n - 1) * BlockWords
			for kind := range 3 {
				tab := make([]int32, len(CountTable(L).tab))
				for i := range 3 * n {
					switch kind {
					case 0:
						tab[i] = int32(g.Intn(lim + 1))
					case 1:
						tab[i] = int32(lim - g.Intn(2))
					}
				}
				spins := countsInput(&g, L, 0)
				wa, wu := tableReference(spins, tab[:3*n])
				var anti, up [BlockReplicas]int32
				Counts(spins, L, &SiteTable{l: L, tab: tab}, &anti, &up)
				for q := range BlockReplicas {
					if int64(anti[q]) != wa[q] || int64(up[q]) != wu[q] {
						t.Fatalf("%s L=%d table kind %d lane %d: anti %d up %d, want %d %d", Impl(), L, kind, q, anti[q], up[q], wa[q], wu[q])
					}
				}
			}
		}
	})
}

// TestSweep2Overlap: Sweep2 refuses blocks or states that share memory.
// The kernels sweep both blocks site by site and hold both states in
// registers until they return, while the portable code sweeps A and then B,
// so with such arguments the implementations gave different spins and
// states (measured: every case below but the last, a state within its own
// block, which is refused to keep the rule simple). Disjoint neighbours
// pass.
func TestSweep2Overlap(t *testing.T) {
	th, _ := NewThresholds(0.4)
	const L = 4
	const per = L * L * BlockWords
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		forEachDispatch(func(variant string) {
			for _, gen := range generators {
				where := fmt.Sprintf("%s%s %s", Impl(), variant, gen)
				gb := newGuarded(3*per, sweepBand(L), 0)
				sp := gb.words()
				var st [3][StateWords]uint64
				buf := make([]uint64, 2*StateWords)
				state := func(w []uint64) *[StateWords]uint64 { return (*[StateWords]uint64)(w) }
				for _, c := range []struct {
					name   string
					a, b   []uint64
					sa, sb *[StateWords]uint64
					want   string
				}{
					{"same spins", sp[:per], sp[:per], &st[0], &st[1], "spinsA and spinsB overlap"},
					{"spins by half a block", sp[:per], sp[per/2 : per/2+per], &st[0], &st[1], "spinsA and spinsB overlap"},
					{"spins by a word", sp[per : 2*per], sp[1 : per+1], &st[0], &st[1], "spinsA and spinsB overlap"},
					{"same state", sp[:per], sp[per : 2*per], &st[0], &st[0], "stateA and stateB overlap"},
					{"states by half", sp[:per], sp[per : 2*per], state(buf[StateWords/2:]), state(buf), "stateA and stateB overlap"},
					{"stateA in spinsB", sp[:per], sp[per : 2*per], state(sp[2*per-StateWords:]), &st[1], "spinsB and stateA overlap"},
					{"stateB in spinsA", sp[:per], sp[per : 2*per], &st[0], state(sp[8:]), "spinsA and stateB overlap"},
					{"stateA in spinsA", sp[:per], sp[per : 2*per], state(sp[per-StateWords:]), &st[1], "spinsA and stateA overlap"},
				} {
					for _, sweeps := range []int{0, 1} {
						mustPanic(t, fmt.Sprintf("%s %s sweeps=%d", where, c.name, sweeps), "ising: Sweep2: "+c.want+", want disjoint blocks and states", func() {
							Sweep2(gen, c.a, c.b, L, c.sa, c.sb, th, sweeps)
						})
					}
				}
				// Adjacent blocks and states share no word.
				Sweep2(gen, sp[per:2*per], sp[:per], L, &st[1], &st[0], th, 1)
				Sweep2(gen, sp[:per], sp[2*per:], L, state(buf[StateWords:]), state(buf), th, 1)
				gb.check(t, where)
			}
		})
	})
}
