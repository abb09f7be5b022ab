package ising

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

const guard = 0xdeadbeefcafef00d

const kc = 0.44068679350977147

var testCouplings = []float64{0, 0.2, 0.408, kc, 0.6, 3}

// randomBlocks returns nb random blocks of an L x L lattice inside a buffer
// with guard words on both sides, the spins starting at word offset off,
// and nb random generator states.
func randomBlocks(g *rng.Xoshiro256, L, nb, off int) (buf []uint64, states [][StateWords]uint64) {
	n := nb * L * L * BlockWords
	buf = make([]uint64, n+off+8)
	for i := range buf {
		buf[i] = guard
	}
	for i := off; i < off+n; i++ {
		buf[i] = g.Uint64()
		switch g.Intn(4) { // bias some sites towards order so all n occur
		case 0:
			buf[i] = 0
		case 1:
			buf[i] = ^uint64(0)
		}
	}
	states = make([][StateWords]uint64, nb)
	for b := range states {
		for w := range BlockWords {
			s := rng.Stream(g.Uint64(), uint64(w))
			for i := range 4 {
				states[b][4*i+w] = s.S[i]
			}
		}
	}
	return buf, states
}

func checkGuards(t *testing.T, buf []uint64, off, n int) {
	t.Helper()
	for i := range off {
		if buf[i] != guard {
			t.Fatalf("guard word %d before the buffer overwritten", i)
		}
	}
	for i := off + n; i < len(buf); i++ {
		if buf[i] != guard {
			t.Fatalf("guard word %d after the buffer overwritten", i-off-n)
		}
	}
}

// runBlocks sweeps every block with the active implementation.
func runBlocks(buf []uint64, off, L int, states [][StateWords]uint64, th *Thresholds, sweeps int) {
	per := L * L * BlockWords
	for b := range states {
		Sweep(buf[off+b*per:off+(b+1)*per], L, &states[b], th, sweeps)
	}
}

func compareImpl(t *testing.T, seed uint64, L, nb, off, sweeps int, K float64) {
	t.Helper()
	th, err := NewThresholds(K)
	if err != nil {
		t.Fatal(err)
	}
	g := rng.New(seed)
	buf, states := randomBlocks(&g, L, nb, off)
	ref := append([]uint64(nil), buf...)
	refStates := append([][StateWords]uint64(nil), states...)
	n := nb * L * L * BlockWords
	per := L * L * BlockWords
	for b := range refStates {
		sweepGeneric(ref[off+b*per:off+(b+1)*per], L, &refStates[b], th, sweeps)
	}
	runBlocks(buf, off, L, states, th, sweeps)
	checkGuards(t, buf, off, n)
	for i := range buf {
		if buf[i] != ref[i] {
			t.Fatalf("L=%d blocks=%d K=%v sweeps=%d: word %d = %#x, portable %#x", L, nb, K, sweeps, i-off, buf[i], ref[i])
		}
	}
	for b := range states {
		if states[b] != refStates[b] {
			t.Fatalf("L=%d K=%v: generator state of block %d differs from the portable kernel's", L, K, b)
		}
	}
}

func TestRegistered(t *testing.T) {
	want := map[string]bool{}
	switch runtime.GOARCH {
	case "amd64":
		want["avx2"] = asm.HasAVX2 && !asm.ForceGeneric && !purego
	case "arm64":
		want["neon"] = asm.HasNEON && !asm.ForceGeneric && !purego
	}
	asmtest.RequireRegistered(t, "ising", want)
}

func TestSweepMatchesPortable(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		seed := uint64(1)
		for _, L := range []int{2, 3, 4, 5, 7, 16, 40} {
			// Replica counts 1, 63, 64, 65, 255, 256, 257, 700 occupy 1, 1, 1, 1, 1, 1, 2, 3 blocks.
			for _, nb := range []int{1, 2, 3} {
				for _, K := range testCouplings {
					sweeps := 3
					if L >= 16 {
						sweeps = 1
					}
					seed++
					compareImpl(t, seed, L, nb, int(seed%2), sweeps, K)
				}
			}
		}
	})
}

// TestStepsUsed checks that the early exit really happens and that at high
// coupling lanes reach step 24 (the whole table is exercised).
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

func FuzzSweep(f *testing.F) {
	f.Add(uint64(1), uint8(2), uint8(1), 0.3)
	f.Add(uint64(7), uint8(5), uint8(3), kc)
	f.Add(uint64(9), uint8(17), uint8(2), 0.0)
	f.Add(uint64(11), uint8(3), uint8(1), 5.0)
	f.Fuzz(func(t *testing.T, seed uint64, l, sweeps uint8, K float64) {
		L := 2 + int(l%30)
		if math.IsNaN(K) || math.IsInf(K, 0) || K < 0 {
			return
		}
		for _, name := range asm.Available("ising") {
			if !asm.Select("ising", name) {
				t.Fatalf("cannot select %s", name)
			}
			compareImpl(t, seed, L, 1+int(seed%3), int(seed%3), 1+int(sweeps%4), K)
		}
		asm.Reset("ising")
	})
}

func BenchmarkSweep(b *testing.B) {
	for _, K := range []float64{0.408, kc} {
		b.Run(fmt.Sprintf("K=%.4g", K), func(b *testing.B) {
			asmtest.Benchmark(b, "ising", func(b *testing.B) {
				const L = 40
				th, _ := NewThresholds(K)
				g := rng.New(3)
				buf, states := randomBlocks(&g, L, 1, 0)
				per := L * L * BlockWords
				// Equilibrate a little so the acceptance pattern is typical.
				Sweep(buf[:per], L, &states[0], th, 200)
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				b.ResetTimer()
				cpu := threadCPUNanos()
				Sweep(buf[:per], L, &states[0], th, b.N)
				cpu = threadCPUNanos() - cpu
				flips := float64(b.N) * L * L * BlockReplicas
				b.ReportMetric(flips/float64(b.Elapsed().Nanoseconds()), "flips/ns")
				if cpu > 0 {
					// The rate per CPU nanosecond of this thread, robust to a busy machine.
					b.ReportMetric(flips/float64(cpu), "flips/cpu-ns")
				}
			})
		})
	}
}
