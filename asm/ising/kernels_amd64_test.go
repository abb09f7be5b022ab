//go:build amd64 && gc && !purego

package ising

import (
	"fmt"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"runtime"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
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
				th, _ := NewThresholds(K)
				g := rng.New(seed)
				nb := 3 // blocks of three kinds of order
				if k.four != nil {
					nb = 4
				}
				buf, states := randomBlocks(k.gen, &g, L, nb, 1)
				ref := append([]uint64(nil), buf...)
				refStates := append([][StateWords]uint64(nil), states...)
				per := L * L * BlockWords
				sweeps := 1 + int(seed%3)
				for b := range nb {
					sweepGeneric(k.gen, ref[1+b*per:1+(b+1)*per], L, &refStates[b], th, sweeps)
				}
				// Blocks (0, 1) and (2, 0') pair each kind with the others:
				// run block 2 alone or paired with a scratch copy of block 0.
				switch {
				case k.one != nil:
					for b := range nb {
						k.one(&buf[1+b*per], L, &states[b], th, sweeps)
					}
				case k.four != nil:
					k.four(&buf[1], L, (*[4][StateWords]uint64)(states), th, sweeps)
				default:
					k.two(&buf[1], &buf[1+per], L, &states[0], &states[1], th, sweeps)
					scratch := make([]uint64, per)
					var ss [StateWords]uint64
					copy(scratch, ref[1:1+per])
					k.two(&buf[1+2*per], &scratch[0], L, &states[2], &ss, th, sweeps)
				}
				runtime.KeepAlive(buf)
				checkGuards(t, buf, 1, nb*per)
				for i := range buf {
					if buf[i] != ref[i] {
						t.Fatalf("%s L=%d K=%v sweeps=%d: word %d = %#x, portable %#x", k.name, L, K, sweeps, i-1, buf[i], ref[i])
					}
				}
				for b := range nb {
					if states[b] != refStates[b] {
						t.Fatalf("%s L=%d K=%v: generator state of block %d differs", k.name, L, K, b)
					}
				}
			}
		}
	}
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
			buf, states := randomBlocks(Xoshiro256pp, &g, L, nb, 0)
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
