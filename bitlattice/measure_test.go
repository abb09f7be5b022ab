package bitlattice

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// TestBlockCounts compares blockCounts (the carry-save tree, its flushes
// and the sites beyond the last group of eight) with a plain count from
// the configurations, for sides whose L*L is and is not a multiple of 8,
// partial blocks, and the extreme counts: all up (n up spins, no anti-aligned
// bond), all down, and the checkerboard (2n anti-aligned bonds at even L).
func TestBlockCounts(t *testing.T) {
	for _, c := range [][2]int{{2, 5}, {3, 256}, {4, 300}, {5, 70}, {7, 513}, {9, 64}, {16, 200}, {40, 256}, {41, 100}} {
		L, R := c[0], c[1]
		n := L * L
		l, err := NewLattice(L, R, uint64(L*R), true)
		if err != nil {
			t.Fatal(err)
		}
		for r := range min(R, 3) {
			cfg := make([]uint8, n)
			for s := range cfg {
				switch r {
				case 0:
					cfg[s] = 1
				case 2:
					cfg[s] = uint8((s/L + s%L) % 2)
				}
			}
			l.SetConfig(r, cfg)
		}
		for b := range l.Blocks() {
			var anti, up [ising.BlockReplicas]int32
			l.blockCounts(b, &anti, &up)
			for q := range min(ising.BlockReplicas, R-ising.BlockReplicas*b) {
				cfg := l.Config(ising.BlockReplicas*b+q, nil)
				var wa, wu int32
				for y := range L {
					for x := range L {
						s := cfg[y*L+x]
						wu += int32(s)
						wa += int32(s ^ cfg[y*L+(x+1)%L])
						wa += int32(s ^ cfg[(y+1)%L*L+x])
					}
				}
				if anti[q] != wa || up[q] != wu {
					t.Fatalf("L=%d replica %d: anti %d up %d, want %d %d", L, ising.BlockReplicas*b+q, anti[q], up[q], wa, wu)
				}
				if q == 0 && b == 0 && (wu != int32(n) || wa != 0) {
					t.Fatalf("L=%d: the all-up replica has %d up, %d anti-aligned", L, wu, wa)
				}
			}
		}
	}
}

// TestCountsWithinMaxBytes: every lattice MaxBytes admits has a side the
// counting table's int32 offsets and counts hold (ising.MaxCountL), so the
// sampler's own bound keeps the counts from overflowing; NewLattice refuses
// the first side beyond it.
func TestCountsWithinMaxBytes(t *testing.T) {
	L := ising.MaxCountL + 1
	if bytes := float64(L) * float64(L) * ising.BlockReplicas / 8; bytes <= MaxBytes {
		t.Fatalf("one block at L = %d takes %.3g GiB, within MaxBytes: its counts would overflow", L, bytes/(1<<30))
	}
	if _, err := NewLattice(L, 1, 1, true); err == nil {
		t.Errorf("NewLattice(%d, 1) accepted", L)
	}
}
