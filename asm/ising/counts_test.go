package ising

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// countsReference counts bit by bit from the lattice's geometry, without
// the table.
func countsReference(spins []uint64, L int) (anti, up [BlockReplicas]int32) {
	bit := func(x, y, q int) int32 {
		return int32(spins[(y%L*L+x%L)*BlockWords+q/64] >> (q % 64) & 1)
	}
	for q := range BlockReplicas {
		for y := range L {
			for x := range L {
				s := bit(x, y, q)
				up[q] += s
				anti[q] += s ^ bit(x+1, y, q)
				anti[q] += s ^ bit(x, y+1, q)
			}
		}
	}
	return anti, up
}

// countsCase runs Counts on a random block of side L (kind 0: random
// words, 1: mostly ordered words, 2: all up, 3: all down, 4: the
// checkerboard) inside guard words, the outputs inside guards too, and
// compares with countsReference.
func countsCase(t *testing.T, g *rng.Xoshiro256, L, kind int) {
	t.Helper()
	n := L * L
	buf := make([]uint64, n*BlockWords+16)
	for i := range buf {
		buf[i] = guard
	}
	spins := buf[8 : 8+n*BlockWords]
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
	in := append([]uint64(nil), buf...)
	out := make([]int32, 2*BlockReplicas+48)
	for i := range out {
		out[i] = -7
	}
	anti := (*[BlockReplicas]int32)(out[16:])
	up := (*[BlockReplicas]int32)(out[32+BlockReplicas:])
	tab := CountTable(L)
	Counts(spins, L, tab, anti, up)
	wantA, wantU := countsReference(spins, L)
	if *anti != wantA || *up != wantU {
		for q := range BlockReplicas {
			if anti[q] != wantA[q] || up[q] != wantU[q] {
				t.Fatalf("%s L=%d kind %d lane %d: anti %d up %d, want %d %d", Impl(), L, kind, q, anti[q], up[q], wantA[q], wantU[q])
			}
		}
	}
	for i, v := range out {
		if (i < 16 || i >= 16+BlockReplicas && i < 32+BlockReplicas || i >= 32+2*BlockReplicas) && v != -7 {
			t.Fatalf("%s L=%d: guard %d of the counts overwritten", Impl(), L, i)
		}
	}
	for i := range buf {
		if buf[i] != in[i] {
			t.Fatalf("%s L=%d: word %d of the spins or their guards changed", Impl(), L, i-8)
		}
	}
}

// TestCounts compares every implementation of Counts with the bit-by-bit
// count over edge sides: L*L not a multiple of 8 (2, 3, 5, 7, 9, 41), no
// padding (4, 40, 64), more than 15 groups (flushes) and the extreme counts.
func TestCounts(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		g := rng.New(3)
		for _, L := range []int{2, 3, 4, 5, 6, 7, 9, 11, 16, 40, 41, 64} {
			for kind := range 5 {
				countsCase(t, &g, L, kind)
			}
		}
	})
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
// GOARCH, then countsGeneric) with the reference on random blocks.
func FuzzCounts(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(0))
	f.Add(uint64(2), uint8(3), uint8(1))
	f.Add(uint64(3), uint8(38), uint8(4))
	f.Add(uint64(4), uint8(62), uint8(4))
	f.Fuzz(func(t *testing.T, seed uint64, l, kind uint8) {
		L := 2 + int(l%64)
		for _, name := range asmtest.Impls("ising") {
			if !asm.Select("ising", name) {
				t.Fatalf("cannot select %s", name)
			}
			g := rng.New(seed)
			countsCase(t, &g, L, int(kind%5))
		}
		asm.Reset("ising")
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
