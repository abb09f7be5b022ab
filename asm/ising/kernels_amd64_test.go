//go:build amd64 && gc && !purego

package ising

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// amd64Kernel is one generated kernel, called directly (the dispatch uses
// only some of them).
type amd64Kernel struct {
	name string
	gen  Generator
	ok   bool
	one  oneKernel
	two  twoKernel
	four fourKernel
}

func amd64Kernels() []amd64Kernel {
	avx512 := asm.HasAVX512F && asm.HasAVX512VL
	var ks []amd64Kernel
	for _, gen := range generators {
		suffix := map[Generator]string{Xoshiro256pp: "", SFC64: "SFC"}[gen]
		ks = append(ks,
			amd64Kernel{"sweepAVX2" + suffix, gen, asm.HasAVX2, kAVX2[gen], nil, nil},
			amd64Kernel{"sweep2AVX2" + suffix, gen, asm.HasAVX2, nil, k2AVX2[gen], nil},
			amd64Kernel{"sweepAVX512" + suffix, gen, avx512, kAVX512[gen], nil, nil},
			amd64Kernel{"sweep2AVX512" + suffix, gen, avx512, nil, k2AVX512[gen], nil},
			amd64Kernel{"sweep2AVX512Z" + suffix, gen, avx512, nil, k2AVX512Z[gen], nil},
			amd64Kernel{"sweep4AVX512Z" + suffix, gen, avx512, nil, nil, k4AVX512Z[gen]})
	}
	return ks
}

// kernelCase runs kernel k directly on random blocks of side L (three, of
// the three kinds of order that randomBlocks makes; four for a four-block
// kernel) in a guarded buffer whose spins start off words past a 64-byte
// boundary, and compares spins, generator states and guard bands (after
// every call) with sweepGeneric's. A two-block kernel runs blocks (0, 1),
// then block 2 with a partner block of block 0's kind in a buffer of its
// own, with streams of its own; seed's parity chooses the partner's slot.
func kernelCase(t *testing.T, k amd64Kernel, seed uint64, L int, K float64, sweeps, off int) {
	t.Helper()
	th, err := NewThresholds(K)
	if err != nil {
		t.Fatal(err)
	}
	g := rng.New(seed)
	nb := 3
	if k.four != nil {
		nb = 4
	}
	gb, states := randomBlocks(k.gen, &g, L, nb, off)
	spins := gb.words()
	ref, refStates := slices.Clone(spins), slices.Clone(states)
	per := L * L * BlockWords
	for b := range nb {
		sweepGeneric(k.gen, ref[b*per:(b+1)*per], L, &refStates[b], th, sweeps)
	}
	where := fmt.Sprintf("%s L=%d K=%v sweeps=%d off=%d", k.name, L, K, sweeps, off)
	switch {
	case k.one != nil:
		for b := range nb {
			k.one(&spins[b*per], L, &states[b], th, sweeps)
			gb.check(t, where)
		}
	case k.four != nil:
		k.four(&spins[0], L, (*[4][StateWords]uint64)(states), th, sweeps)
		gb.check(t, where)
	default:
		k.two(&spins[0], &spins[per], L, &states[0], &states[1], th, sweeps)
		gb.check(t, where)
		pb, ps := randomBlocks(k.gen, &g, L, 1, (off+3)%8)
		partner := pb.words()
		pref, prefState := slices.Clone(partner), ps[0]
		sweepGeneric(k.gen, pref, L, &prefState, th, sweeps)
		slot := "B"
		if seed%2 == 0 {
			k.two(&spins[2*per], &partner[0], L, &states[2], &ps[0], th, sweeps)
		} else {
			slot = "A"
			k.two(&partner[0], &spins[2*per], L, &ps[0], &states[2], th, sweeps)
		}
		gb.check(t, where)
		pb.check(t, where+" partner of block 2")
		for i := range partner {
			if partner[i] != pref[i] {
				t.Fatalf("%s: partner of block 2 (slot %s): word %d = %#x, portable %#x", where, slot, i, partner[i], pref[i])
			}
		}
		if ps[0] != prefState {
			t.Fatalf("%s: generator state of the partner of block 2 (slot %s) differs", where, slot)
		}
	}
	for i := range spins {
		if spins[i] != ref[i] {
			t.Fatalf("%s: word %d (block %d) = %#x, portable %#x", where, i, i/per, spins[i], ref[i])
		}
	}
	for b := range nb {
		if states[b] != refStates[b] {
			t.Fatalf("%s: generator state of block %d differs", where, b)
		}
	}
}

// TestKernelsMatchPortable runs every generated kernel this CPU supports,
// including those the dispatch does not choose, against sweepGeneric.
func TestKernelsMatchPortable(t *testing.T) {
	seed := uint64(100)
	for _, k := range amd64Kernels() {
		if !k.ok {
			t.Logf("%s: not supported by this CPU", k.name)
			continue
		}
		for _, L := range []int{2, 3, 4, 5, 8, 17, 40} {
			for _, K := range testCouplings {
				seed++
				kernelCase(t, k, seed, L, K, 1+int(seed%3), int(seed%8))
			}
		}
	}
}

// FuzzKernels runs every generated kernel this CPU supports directly
// against sweepGeneric, the dispatch's choices and the others alike.
func FuzzKernels(f *testing.F) {
	f.Add(uint64(1), uint8(2), uint8(1), 0.3)
	f.Add(uint64(0x306), uint8(5), uint8(3), kc)
	f.Add(uint64(0x509), uint8(17), uint8(2), 0.0)
	f.Add(uint64(0x70c), uint8(38), uint8(0), 0.408)
	f.Fuzz(func(t *testing.T, seed uint64, l, sweeps uint8, K float64) {
		if math.IsNaN(K) || math.IsInf(K, 0) || K < 0 {
			return
		}
		for _, k := range amd64Kernels() {
			if k.ok {
				kernelCase(t, k, seed, 2+int(l%30), K, 1+int(sweeps%4), int(seed>>8%8))
			}
		}
	})
}

// BenchmarkKernels compares the generated kernels at L = 40, alternating
// them within each b.N so that a busy machine affects all alike.
func BenchmarkKernels(b *testing.B) {
	const L = 40
	for _, K := range []float64{0.408, kc} {
		b.Run(fmt.Sprintf("K=%.4g", K), func(b *testing.B) {
			th, _ := NewThresholds(K)
			ks := amd64Kernels()
			g := rng.New(3)
			const nb = 4
			gb, states := randomBlocks(Xoshiro256pp, &g, L, nb, 0)
			buf := gb.words()
			per := L * L * BlockWords
			for b := range nb {
				sweepGeneric(Xoshiro256pp, buf[b*per:(b+1)*per], L, &states[b], th, 200)
			}
			// Each generator's kernels advance streams of their own kind
			// (the spins are shared: any equilibrated pattern will do).
			_, sfcStates := randomBlocks(SFC64, &g, L, nb, 0)
			statesOf := [numGenerators][][StateWords]uint64{states, sfcStates}
			ns := make([]int64, len(ks))
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			const chunk = 20
			for range (b.N + chunk - 1) / chunk {
				for i, k := range ks {
					if !k.ok {
						continue
					}
					states := statesOf[k.gen]
					c := asmtest.ThreadCPUNanos()
					switch {
					case k.one != nil:
						for b := range nb {
							k.one(&buf[b*per], L, &states[b], th, chunk)
						}
					case k.two != nil:
						for b := 0; b < nb; b += 2 {
							k.two(&buf[b*per], &buf[(b+1)*per], L, &states[b], &states[b+1], th, chunk)
						}
					default:
						k.four(&buf[0], L, (*[4][StateWords]uint64)(states), th, chunk)
					}
					ns[i] += asmtest.ThreadCPUNanos() - c
				}
			}
			flips := float64((b.N+chunk-1)/chunk*chunk) * L * L * nb * BlockReplicas
			for i, k := range ks {
				if k.ok && ns[i] > 0 {
					b.ReportMetric(flips/float64(ns[i]), k.name+"-flips/cpu-ns")
				}
			}
		})
	}
}
