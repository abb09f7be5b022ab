package rbm

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/f32"
)

// TestNoTinyProbabilities trains the recipe whose first updates kill most
// hidden units (mehta-schwab from 0.1 N(0,1) weights on random bits, where
// the visible units' inputs go far negative too) and requires every
// probability of the positive and negative phases to be 0 or at least
// 2^-63 (f32's sigmoid floor), so that no product of two of them, and no
// sum of such products, is subnormal: on Intel cores each subnormal costs a
// microcode assist (one CD-1 epoch of BenchmarkEpoch took 16.5 s with them
// on one thread of an Intel Xeon with AMX, 1.0 s without). Without the
// floor (75639f0) it fails at the batch from row 750, a p(h|v1) of 5.1e-20.
func TestNoTinyProbabilities(t *testing.T) {
	asmtest.TestAll(t, "f32", func(t *testing.T) {
		const n, nv, nh, batch = 1000, 400, 100, 50
		d := randomBinary(n, nv, 0.5, 1)
		cfg, _ := Preset("mehta-schwab")
		cfg.Batch = batch
		r := randomRBM(nv, nh, 0.1, 2)
		lt := newTestTrainer(r, d, cfg)
		rnd := f32.NewRand(1, 0)
		zeros := 0
		for lo := 0; lo < n; lo += batch {
			lt.step(nil, lt.perm[lo:lo+batch], rnd, lt.cfg.LR, 0.9)
			for name, p := range map[string][]float32{"p(h|v0)": lt.hp[:batch*nh], "p(v|h)": lt.vn[:batch*nv], "p(h|v1)": lt.hn[:batch*nh]} {
				for i, x := range p {
					if x == 0 {
						zeros++
					} else if x < 0x1p-63 {
						t.Fatalf("batch at %d: %s[%d] = %g, want 0 or at least 2^-63", lo, name, i, x)
					}
				}
			}
		}
		if zeros == 0 {
			t.Fatal("no probability reached the floor: the test no longer exercises it")
		}
		t.Logf("%d probabilities at the floor (0)", zeros)
	})
}
