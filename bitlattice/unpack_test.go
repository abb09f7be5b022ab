package bitlattice

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// configsRef is configs spin by spin: bit r%64 of word r/64 of site s is
// byte s of replica r's row.
func configsRef(l *Lattice, b, k int, dst []uint8) {
	n := l.L * l.L
	sp := l.block(b)
	for r := range k {
		for s := range n {
			dst[r*n+s] = uint8(sp[s*ising.BlockWords+r/64] >> (r % 64) & 1)
		}
	}
}

// configsTile is the configs of 4d269ca (a byte transpose of an array in
// memory, through a 64x64 tile), kept as the benchmark's baseline.
func configsTile(l *Lattice, b, k int, dst []uint8) {
	n := l.L * l.L
	sp := l.block(b)
	const W = ising.BlockWords
	full := n &^ 7
	var tile [64][64]uint8
	for w := range W {
		rows := min(64, k-64*w)
		if rows <= 0 {
			break
		}
		for s0 := 0; s0 < full; s0 += 64 {
			cols := min(64, full-s0)
			for c := 0; c < cols; c += 8 {
				var x [8]uint64
				for i := range x {
					x[i] = sp[(s0+c+i)*W+w]
				}
				transposeArray(&x)
				for j, v := range x {
					for q := range 8 {
						binary.LittleEndian.PutUint64(tile[8*j+q][c:c+8], v>>q&0x0101010101010101)
					}
				}
			}
			for r := range rows {
				o := (64*w+r)*n + s0
				if cols == 64 {
					*(*[64]uint8)(dst[o : o+64]) = tile[r]
				} else {
					copy(dst[o:o+cols], tile[r][:cols])
				}
			}
		}
	}
	for s := full; s < n; s++ {
		for r := range k {
			dst[r*n+s] = uint8(sp[s*W+r/64] >> (r % 64) & 1)
		}
	}
}

// transposeArray is the transpose8x8 of 4d269ca, on an array.
func transposeArray(x *[8]uint64) {
	for _, p := range [...]struct {
		d    uint
		mask uint64
	}{{8, 0x00FF00FF00FF00FF}, {16, 0x0000FFFF0000FFFF}, {32, 0x00000000FFFFFFFF}} {
		h := int(p.d / 8)
		for i := range 8 {
			if i&h != 0 {
				continue
			}
			t := (x[i]>>p.d ^ x[i+h]) & p.mask
			x[i+h] ^= t
			x[i] ^= t << p.d
		}
	}
}

// checkConfigs runs configs(b, k) into a buffer at byte offset off between
// guard bytes and compares it with configsRef; it reports the first
// difference.
func checkConfigs(l *Lattice, b, k, off int) error {
	const guard, pad = 0xA5, 24
	n := l.L * l.L
	buf := make([]uint8, off+k*n+pad)
	for i := range buf {
		buf[i] = guard
	}
	l.configs(b, k, buf[off:off+k*n])
	want := make([]uint8, k*n)
	configsRef(l, b, k, want)
	for i, v := range buf {
		switch j := i - off; {
		case j < 0 || j >= k*n:
			if v != guard {
				return fmt.Errorf("L=%d block %d k=%d off=%d: byte %d outside the destination written (%#x)", l.L, b, k, off, j, v)
			}
		case v != want[j]:
			return fmt.Errorf("L=%d block %d k=%d off=%d: replica %d site %d = %d, want %d", l.L, b, k, off, j/n, j%n, v, want[j])
		}
	}
	return nil
}

// TestConfigsEdges compares configs with the spin-by-spin reference for
// sides whose L*L is and is not a multiple of 8 (and of 64), every replica
// count of a block (partial words, partial blocks), later blocks, and
// destinations at every offset mod 8, with guard bytes on both sides.
func TestConfigsEdges(t *testing.T) {
	sides := []int{2, 3, 4, 5, 7, 8, 9, 16, 33, 40, 41}
	if testing.Short() {
		sides = []int{3, 4, 5, 8, 33, 40}
	}
	for _, L := range sides {
		l, err := NewLattice(L, 2*ising.BlockReplicas+70, uint64(L), true)
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k <= ising.BlockReplicas; k++ {
			if testing.Short() && k%64 > 2 && k%64 < 62 && k%17 != 0 {
				continue
			}
			if err := checkConfigs(l, 1, k, k%8); err != nil {
				t.Fatal(err)
			}
		}
		for b := range l.Blocks() {
			for off := range 9 {
				k := min(ising.BlockReplicas, l.Replicas-b*ising.BlockReplicas)
				if err := checkConfigs(l, b, k, off); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestConfigsPatterns checks every replica's row on lattices where one
// replica, one site or one word differs from the rest, so that a swap of
// rows, sites or bytes cannot hide behind random spins.
func TestConfigsPatterns(t *testing.T) {
	for _, L := range []int{4, 5, 9} {
		l, err := NewLattice(L, ising.BlockReplicas, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		sp := l.block(0)
		for i := range len(sp) {
			clear(sp)
			sp[i] = 1 << (i * 7 % 64)
			if err := checkConfigs(l, 0, ising.BlockReplicas, 3); err != nil {
				t.Fatal(err)
			}
			for j := range sp {
				sp[j] = ^uint64(0)
			}
			sp[i] = ^(1 << (i * 13 % 64))
			if err := checkConfigs(l, 0, ising.BlockReplicas, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// FuzzConfigs compares configs with the reference at random sides, seeds,
// replica counts and offsets.
func FuzzConfigs(f *testing.F) {
	f.Add(uint8(40), uint64(1), uint16(256), uint8(0))
	f.Add(uint8(33), uint64(2), uint16(65), uint8(5))
	f.Add(uint8(4), uint64(3), uint16(1), uint8(7))
	f.Fuzz(func(t *testing.T, L uint8, seed uint64, k uint16, off uint8) {
		side := 2 + int(L)%47
		kk := 1 + int(k)%ising.BlockReplicas
		l, err := NewLattice(side, kk, seed, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkConfigs(l, 0, kk, int(off%16)); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkConfigsBlock measures configs on one full block at L = 40 (256
// replicas, 409.6 kB of bytes: a destination that stays in L2, as Stream's
// chunks do) in GB/s written; old is the tile version of 4d269ca.
func BenchmarkConfigsBlock(b *testing.B) {
	const L = 40
	l, _ := NewLattice(L, ising.BlockReplicas, 1, true)
	dst := make([]uint8, ising.BlockReplicas*L*L)
	for _, c := range []struct {
		name string
		f    func(l *Lattice, b, k int, dst []uint8)
	}{{"new", (*Lattice).configs}, {"old", configsTile}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.f(l, 0, ising.BlockReplicas, dst)
			}
			b.ReportMetric(float64(b.N)*float64(len(dst))/float64(b.Elapsed().Nanoseconds()), "GB/s")
		})
	}
}
