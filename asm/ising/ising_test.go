package ising

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// guard is the base of sentinel.
const guard = 0xdeadbeefcafef00d

// sentinel is word i of a guarded buffer's bands: different in every word,
// so that a kernel that copies band words elsewhere (or a block's words
// into the band, shifted) does not leave the band as it found it.
func sentinel(i int) uint64 { return guard ^ uint64(i)*0x9e3779b97f4a7c15 }

const kc = 0.44068679350977147

var testCouplings = []float64{0, 0.2, 0.408, kc, 0.6, 3}

// generators lists every Generator.
var generators = []Generator{Xoshiro256pp, SFC64}

// guarded is a buffer whose words buf[lo:lo+n] are the kernels' and whose
// other words, at least one band on each side, hold sentinel(i).
type guarded struct {
	buf   []uint64
	lo, n int
}

// sweepBand is the guard band of the sweep tests at side L: a row and two
// sites, more than a kernel's wrong neighbour (a site or a row off) can
// reach beyond the block.
func sweepBand(L int) int { return (L + 2) * BlockWords }

// newGuarded returns n zero words between two guard bands of at least band
// words each; the first of the n words lies off words (0 <= off < 8) past a
// 64-byte boundary, whatever the alignment of the allocation.
func newGuarded(n, band, off int) *guarded {
	if off < 0 || off >= 8 {
		panic(fmt.Sprintf("alignment offset %d words, want 0..7", off))
	}
	buf := make([]uint64, band+8+n+band)
	lo := band
	for (uintptr(unsafe.Pointer(&buf[lo]))-8*uintptr(off))%64 != 0 {
		lo++
	}
	for i := range buf {
		if i < lo || i >= lo+n {
			buf[i] = sentinel(i)
		}
	}
	return &guarded{buf: buf, lo: lo, n: n}
}

// words returns the kernels' words, capped so that appends cannot reach
// the band.
func (g *guarded) words() []uint64 { return g.buf[g.lo : g.lo+g.n : g.lo+g.n] }

// check fails the test if a word of either band changed, naming its
// position from the first of the n words (negative: before them).
func (g *guarded) check(t testing.TB, what string) {
	t.Helper()
	for _, r := range [][2]int{{0, g.lo}, {g.lo + g.n, len(g.buf)}} {
		for i := r[0]; i < r[1]; i++ {
			if g.buf[i] != sentinel(i) {
				t.Fatalf("%s: guard word %d overwritten (the %d words are [0, %d)): %#x", what, i-g.lo, g.n, g.n, g.buf[i])
			}
		}
	}
}

// randomBlocks returns nb random blocks of an L x L lattice in a guarded
// buffer (bands of sweepBand(L) words or more, the spins off words past a
// 64-byte boundary), and nb random generator states of kind gen.
func randomBlocks(gen Generator, g *rng.Xoshiro256, L, nb, off int) (gb *guarded, states [][StateWords]uint64) {
	per := L * L * BlockWords
	gb = newGuarded(nb*per, sweepBand(L), off)
	spins := gb.words()
	for i := range spins {
		spins[i] = g.Uint64()
		// Bias some sites towards order so all n occur; the share of ordered
		// words differs between blocks so that neighbouring blocks are
		// decided after different numbers of steps.
		ordered := []int{2, 15, 0}[i/per%3]
		switch r := g.Intn(16); {
		case r < ordered:
			spins[i] = 0
		case r < 2*ordered && r < 16:
			spins[i] = ^uint64(0)
		}
	}
	states = make([][StateWords]uint64, nb)
	for b := range states {
		for w := range BlockWords {
			x, sfc := rng.Stream(g.Uint64(), uint64(w)), rng.StreamSFC64(g.Uint64(), uint64(w))
			for i := range 4 {
				states[b][4*i+w] = x.S[i]
				if gen == SFC64 {
					states[b][4*i+w] = sfc.S[i]
				}
			}
		}
	}
	return gb, states
}

// How runBlocks calls the kernels.
const (
	single = iota // Sweep per block
	pairs         // Sweep2 per pair (an odd last block alone)
	groups        // SweepBlocks over all blocks
)

var howNames = []string{"single", "pairs", "groups"}

// runBlocks sweeps the blocks spins[b*L*L*BlockWords:] with the active
// implementation, one at a time with Sweep, in pairs with Sweep2, or all at
// once with SweepBlocks, calling after once after every call.
func runBlocks(gen Generator, spins []uint64, L int, states [][StateWords]uint64, th *Thresholds, sweeps int, how int, after func()) {
	per := L * L * BlockWords
	if how == groups {
		SweepBlocks(gen, spins, L, states, th, sweeps)
		after()
		return
	}
	blk := func(b int) []uint64 { return spins[b*per : (b+1)*per] }
	for b := 0; b < len(states); b++ {
		if how == pairs && b+1 < len(states) {
			// Pass the later block first too, so both argument slots see every block kind.
			if b%4 == 2 {
				Sweep2(gen, blk(b+1), blk(b), L, &states[b+1], &states[b], th, sweeps)
			} else {
				Sweep2(gen, blk(b), blk(b+1), L, &states[b], &states[b+1], th, sweeps)
			}
			after()
			b++
			continue
		}
		Sweep(gen, blk(b), L, &states[b], th, sweeps)
		after()
	}
}

// compareImpl runs nb random blocks through Sweep, Sweep2 and SweepBlocks
// with the active implementation, under every dispatch variant of it (see
// forEachDispatch), and compares spins, generator states and guard bands
// with sweepGeneric's.
func compareImpl(t *testing.T, gen Generator, seed uint64, L, nb, off, sweeps int, K float64) {
	t.Helper()
	th, err := NewThresholds(K)
	if err != nil {
		t.Fatal(err)
	}
	g := rng.New(seed)
	gb, states := randomBlocks(gen, &g, L, nb, off)
	spins := gb.words()
	init, initStates := slices.Clone(spins), slices.Clone(states)
	ref, refStates := slices.Clone(spins), slices.Clone(states)
	per := L * L * BlockWords
	for b := range refStates {
		sweepGeneric(gen, ref[b*per:(b+1)*per], L, &refStates[b], th, sweeps)
	}
	forEachDispatch(func(variant string) {
		for how, name := range howNames {
			copy(spins, init)
			copy(states, initStates)
			where := fmt.Sprintf("%s%s %s L=%d blocks=%d off=%d K=%v sweeps=%d %s", Impl(), variant, gen, L, nb, off, K, sweeps, name)
			runBlocks(gen, spins, L, states, th, sweeps, how, func() { gb.check(t, where) })
			for i := range spins {
				if spins[i] != ref[i] {
					t.Fatalf("%s: word %d = %#x, portable %#x", where, i, spins[i], ref[i])
				}
			}
			for b := range states {
				if states[b] != refStates[b] {
					t.Fatalf("%s: generator state of block %d differs from the portable kernel's", where, b)
				}
			}
		}
	})
}

func TestRegistered(t *testing.T) {
	want := map[string]bool{}
	switch runtime.GOARCH {
	case "amd64":
		want["avx2"] = asm.HasAVX2 && !asm.ForceGeneric && !purego
		want["avx512"] = asm.HasAVX512F && asm.HasAVX512VL && !asm.ForceGeneric && !purego
	case "arm64":
		want["neon"] = asm.HasNEON && !asm.ForceGeneric && !purego
	}
	asmtest.RequireRegistered(t, "ising", want)
}

// TestSweepMatchesPortable compares Sweep, Sweep2 and SweepBlocks with
// sweepGeneric under every implementation and, with the AVX-512 kernels,
// both choices of the two- and four-block kernels (forEachDispatch), with
// the spins at every word offset within a 64-byte line.
func TestSweepMatchesPortable(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		seed := uint64(1)
		for _, L := range []int{2, 3, 4, 5, 7, 16, 40} {
			// Replica counts 1, 63, 64, 65, 255, 256, 257, 700 occupy 1, 1, 1, 1, 1, 1, 2, 3 blocks;
			// 4 and 5 blocks pair every kind of block with every other in Sweep2;
			// SweepBlocks runs 6 and 9 as groups of 4 and the rest.
			for _, nb := range []int{1, 2, 3, 4, 5, 6, 9} {
				for _, K := range testCouplings {
					sweeps := 3
					if L >= 16 {
						sweeps = 1
					}
					for _, gen := range generators {
						seed++
						compareImpl(t, gen, seed, L, nb, int(seed%8), sweeps, K)
					}
				}
			}
		}
	})
}

// TestStepsUsed counts the generator outputs each implementation draws per
// site over one sweep (each step draws one output of every stream of the
// block): strictly between Unconditional and Steps per site on average, so
// the early exit happens and does not always happen at the first test, and
// about the 10.4 per site documented for K = 0.408. At K = 40 (P4 = P8 = 0)
// an eligible lane is decided by its first 1 bit.
func TestStepsUsed(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		const L = 16
		for _, gen := range generators {
			for _, K := range []float64{0.408, 40} {
				th, _ := NewThresholds(K)
				g := rng.New(77)
				gb, states := randomBlocks(gen, &g, L, 1, 0)
				buf := gb.words()
				// Equilibrate, then count the outputs of stream 0 over one sweep.
				Sweep(gen, buf, L, &states[0], th, 50)
				var s0 [4]uint64
				for i := range 4 {
					s0[i] = states[0][4*i]
				}
				Sweep(gen, buf, L, &states[0], th, 1)
				drawn := 0
				for ; drawn <= Steps*L*L; drawn++ {
					if s0 == [4]uint64{states[0][0], states[0][4], states[0][8], states[0][12]} {
						break
					}
					if gen == SFC64 {
						x := rng.SFC64{S: s0}
						x.Uint64()
						s0 = x.S
					} else {
						x := rng.Xoshiro256{S: s0}
						x.Uint64()
						s0 = x.S
					}
				}
				perSite := float64(drawn) / (L * L)
				t.Logf("%s %s K=%v: %.2f outputs per site", Impl(), gen, K, perSite)
				u := gen.UnconditionalSteps()
				if drawn <= u*L*L || drawn >= Steps*L*L {
					t.Fatalf("%s K=%v: %d outputs in a sweep of %d sites, want strictly between %d and %d per site",
						gen, K, drawn, L*L, u, Steps)
				}
				// About 10.4 per site at K = 0.408 with the first test at
				// step 10, 12.1 with it at 12.
				if want := map[Generator]float64{Xoshiro256pp: 10.4, SFC64: 12.1}[gen]; K == 0.408 && math.Abs(perSite-want) > 1 {
					t.Errorf("%s K=0.408: %.2f outputs per site, want about %.1f", gen, perSite, want)
				}
			}
		}
	})
}

func TestThresholds(t *testing.T) {
	for _, K := range testCouplings {
		th, err := NewThresholds(K)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range []float64{math.Exp(-4 * K), math.Exp(-8 * K)} {
			P := []uint32{th.P4, th.P8}[i]
			if d := p - float64(P)/(1<<24); d < 0 || d > 0x1p-24 {
				t.Errorf("K=%v: threshold %d = %d, p = %v, error %v", K, i, P, p, d)
			}
			for k := range Steps {
				m := []*[Steps][BlockWords]uint64{&th.M4, &th.M8}[i]
				bit := P >> (Steps - 1 - k) & 1
				for w := range BlockWords {
					if (m[k][w] == ^uint64(0)) != (bit == 1) || (m[k][w] != 0 && m[k][w] != ^uint64(0)) {
						t.Fatalf("K=%v: mask %d step %d word %d = %#x, bit %d", K, i, k, w, m[k][w], bit)
					}
				}
			}
		}
	}
	for _, K := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := NewThresholds(K); err == nil {
			t.Errorf("K=%v accepted", K)
		}
	}
}

// TestThresholdsLayout checks the offsets of P4 and P8 that the assembly
// kernels read (1536 and 1540 bytes; the amd64 kernels load both as one word).
func TestThresholdsLayout(t *testing.T) {
	var th Thresholds
	if p4, p8 := unsafe.Offsetof(th.P4), unsafe.Offsetof(th.P8); p4 != 1536 || p8 != 1540 {
		t.Fatalf("Thresholds.P4 at %d, P8 at %d, the kernels assume 1536 and 1540", p4, p8)
	}
}

func FuzzSweep(f *testing.F) {
	f.Add(uint64(1), uint8(2), uint8(1), 0.3)
	f.Add(uint64(7), uint8(5), uint8(3), kc)
	f.Add(uint64(9), uint8(17), uint8(2), 0.0)
	f.Add(uint64(11), uint8(3), uint8(1), 5.0)
	// Xoshiro256pp, 4 blocks (SweepBlocks' four-block kernel), offset 5;
	// SFC64, 5 blocks, offset 7; Xoshiro256pp, 3 blocks, offset 2.
	f.Add(uint64(0x508), uint8(14), uint8(1), 0.408)
	f.Add(uint64(0x707), uint8(38), uint8(2), kc)
	f.Add(uint64(0x20a), uint8(0), uint8(0), 0.6)
	f.Fuzz(func(t *testing.T, seed uint64, l, sweeps uint8, K float64) {
		L := 2 + int(l%30)
		if math.IsNaN(K) || math.IsInf(K, 0) || K < 0 {
			return
		}
		defer asm.Reset("ising")
		for _, name := range asm.Available("ising") {
			if !asm.Select("ising", name) {
				t.Fatalf("cannot select %s", name)
			}
			// Each dispatch variant (forEachDispatch), the spins at any
			// word offset within a 64-byte line.
			compareImpl(t, generators[seed%2], seed, L, 1+int(seed%5), int(seed>>8%8), 1+int(sweeps%4), K)
		}
	})
}

// BenchmarkSweep measures one block (Sweep), two interleaved blocks
// (Sweep2) and four (SweepBlocks) at L = 40, in flips per nanosecond.
func BenchmarkSweep(b *testing.B) {
	for _, gen := range generators {
		for _, K := range []float64{0.408, kc} {
			for _, nb := range []int{1, 2, 4} {
				b.Run(fmt.Sprintf("rng=%s/K=%.4g/blocks=%d", gen, K, nb), func(b *testing.B) {
					asmtest.Benchmark(b, "ising", func(b *testing.B) {
						const L = 40
						th, _ := NewThresholds(K)
						g := rng.New(3)
						gb, states := randomBlocks(gen, &g, L, nb, 0)
						buf := gb.words()
						per := L * L * BlockWords
						run := func(sweeps int) {
							switch nb {
							case 1:
								Sweep(gen, buf[:per], L, &states[0], th, sweeps)
							case 2:
								Sweep2(gen, buf[:per], buf[per:2*per], L, &states[0], &states[1], th, sweeps)
							default:
								SweepBlocks(gen, buf[:nb*per], L, states, th, sweeps)
							}
						}
						// Equilibrate a little so the acceptance pattern is typical.
						run(200)
						runtime.LockOSThread()
						defer runtime.UnlockOSThread()
						b.ResetTimer()
						cpu := asmtest.ThreadCPUNanos()
						run(b.N)
						cpu = asmtest.ThreadCPUNanos() - cpu
						flips := float64(b.N) * L * L * BlockReplicas * float64(nb)
						b.ReportMetric(flips/float64(b.Elapsed().Nanoseconds()), "flips/ns")
						if cpu > 0 {
							// The rate per CPU nanosecond of this thread, robust to a busy machine.
							b.ReportMetric(flips/float64(cpu), "flips/cpu-ns")
						}
					})
				})
			}
		}
	}
}

// TestBadLengths checks that Sweep, Sweep2 and SweepBlocks reject spins that
// do not match L.
func TestBadLengths(t *testing.T) {
	th, _ := NewThresholds(0.4)
	var sa, sb [StateWords]uint64
	good := make([]uint64, 4*4*BlockWords)
	bad := make([]uint64, 4*4*BlockWords-1)
	for i, f := range []func(){
		func() { Sweep(SFC64, bad, 4, &sa, th, 1) },
		func() { Sweep(SFC64, good, 1, &sa, th, 1) },
		func() { Sweep2(SFC64, good, bad, 4, &sa, &sb, th, 1) },
		func() { Sweep2(SFC64, bad, good, 4, &sa, &sb, th, 1) },
		func() { Sweep2(SFC64, good[:4], good[:4], 1, &sa, &sb, th, 1) },
		func() { SweepBlocks(SFC64, good, 4, make([][StateWords]uint64, 2), th, 1) },
		func() { SweepBlocks(SFC64, good[:4], 1, make([][StateWords]uint64, 1), th, 1) },
		func() { Sweep(Generator(2), good, 4, &sa, th, 1) },
		func() { SweepBlocks(Generator(2), good, 4, make([][StateWords]uint64, 1), th, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("case %d: no panic", i)
				}
			}()
			f()
		}()
	}
}
