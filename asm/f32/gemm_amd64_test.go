//go:build amd64 && gc && !purego

package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// TestFMA32Hardware compares fma32 with VFMADD231SS, VFMADD231PS (ymm) and,
// where the CPU has AVX-512, VFMADD231PS (zmm), bit for bit, on random and
// adversarial inputs.
func TestFMA32Hardware(t *testing.T) {
	if !asmHasAVX2() {
		t.Skip("no FMA on this CPU")
	}
	a, b, c := fmaTestInputs(t)
	n := len(a)
	want := make([]float32, n)
	fmaVecAVX2(&want[0], &a[0], &b[0], &c[0], n)
	if asmHasAVX512() {
		z := make([]float32, n)
		fmaVecAVX512(&z[0], &a[0], &b[0], &c[0], n)
		for i := range z {
			if !sameFloat(z[i], want[i]) {
				t.Fatalf("zmm and ymm FMA differ at fma(%g, %g, %g): %g %g", a[i], b[i], c[i], z[i], want[i])
			}
		}
	}
	bad := 0
	for i := range a {
		got := fma32(a[i], b[i], c[i])
		s := fmaScalarFMA3(a[i], b[i], c[i])
		if !sameFloat(s, want[i]) {
			t.Fatalf("VFMADD231SS and VFMADD231PS differ at fma(%g, %g, %g)", a[i], b[i], c[i])
		}
		if !sameFloat(got, want[i]) {
			bad++
			if bad < 10 {
				t.Errorf("fma32(%g, %g, %g) = %g (%#08x), hardware %g (%#08x)", a[i], b[i], c[i],
					got, math.Float32bits(got), want[i], math.Float32bits(want[i]))
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d differ", bad, n)
	}
}

func asmHasAVX512() bool { return useAVX512Build && useAVX512Available }

// asmHasAVX2 reports whether the CPU runs the AVX2+FMA kernels, whether or
// not they are the selected implementation.
func asmHasAVX2() bool { return useAVX2Build && useAVX2Available }

// BenchmarkFMAPeak measures the register-only FMA peak of one core,
// AVX-512 (zmm) and AVX2 (ymm), alternating (bench/run runs it in every
// round of its products).
func BenchmarkFMAPeak(b *testing.B) {
	const iters = 1 << 20
	for round := 0; round < 2; round++ {
		b.Run("avx512", func(b *testing.B) {
			if !asmHasAVX512() {
				b.Skip("no AVX-512")
			}
			cpu0 := asmtest.ProcessCPUSeconds()
			for b.Loop() {
				fmaPeakAVX512(iters)
			}
			reportFlops(b, 768*iters*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
		})
		b.Run("avx2", func(b *testing.B) {
			if !asmHasAVX2() {
				b.Skip("no AVX2+FMA")
			}
			cpu0 := asmtest.ProcessCPUSeconds()
			for b.Loop() {
				fmaPeakAVX2(iters)
			}
			reportFlops(b, 320*iters*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
		})
	}
}

// BenchmarkMicroKernel measures the micro-kernels alone on packed panels
// resident in L1 (kb = kc), AVX2 6x16 and AVX-512 10x32 alternating, to
// compare with BenchmarkFMAPeak. The panels start on cache lines and hold
// data: operands never written would all read the operating system's
// shared zero page.
func BenchmarkMicroKernel(b *testing.B) {
	kb := kc
	ap, bp, c := alignedFloats(kb*10), alignedFloats(kb*32), alignedFloats(10*32)
	for i := range ap {
		ap[i] = float32(i%7) * 0.1
	}
	for i := range bp {
		bp[i] = float32(i%5) * 0.01
	}
	for round := 0; round < 2; round++ {
		b.Run("avx2-6x16", func(b *testing.B) {
			if !asmHasAVX2() {
				b.Skip("no AVX2+FMA")
			}
			cpu0 := asmtest.ProcessCPUSeconds()
			for b.Loop() {
				for range 100 {
					kernel6x16AVX2(kb, &ap[0], &bp[0], &c[0], 16, 1, 1)
				}
			}
			reportFlops(b, 100*2*float64(6*16*kb)*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
		})
		b.Run("avx512-10x32", func(b *testing.B) {
			if !asmHasAVX512() {
				b.Skip("no AVX-512")
			}
			cpu0 := asmtest.ProcessCPUSeconds()
			for b.Loop() {
				for range 100 {
					kernel10x32StepAVX512(kb, &ap[0], 10, &bp[0], &c[0], 32, 1, 1, 10, ^uint32(0))
				}
			}
			reportFlops(b, 100*2*float64(10*32*kb)*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
		})
	}
}

// BenchmarkFMALoads measures the 10x32 micro-kernel's FMAs with none of
// its loads, with its ten A broadcasts per depth step, and with those and
// its two B loads, from L1 and without the kernel's streams (the same 192
// bytes every step), alternating, to compare with BenchmarkFMAPeak and
// BenchmarkMicroKernel: where "bcast" falls below "regs", the load mix
// itself, not the caches, keeps the kernel below the FMA peak.
func BenchmarkFMALoads(b *testing.B) {
	if !asmHasAVX512() {
		b.Skip("no AVX-512")
	}
	buf := alignedFloats(64)
	for i := range buf {
		buf[i] = float32(i%5) * 0.01
	}
	const iters = 1 << 18
	for round := 0; round < 2; round++ {
		for mode, name := range []string{"regs", "bcast", "bcast+loads"} {
			b.Run(name, func(b *testing.B) {
				cpu0 := asmtest.ProcessCPUSeconds()
				for b.Loop() {
					fmaLoadsAVX512(iters, &buf[0], mode)
				}
				reportFlops(b, 640*iters*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
			})
		}
	}
}

// BenchmarkLoadAdd measures whether a core issues zmm loads and zmm
// additions together at full rate: 16 zmm operations per iteration on an
// L1-resident KiB, loads alone, register additions alone (16 chains), and
// additions from memory (a load and an addition each), alternating. zmm/ns
// counts loads or additions (a load-and-add counts once). Where "both"
// runs as fast as the slower of the other two, the Bits kernels, which
// load a row of B for every addition, can add at the adders' peak.
func BenchmarkLoadAdd(b *testing.B) {
	if !asmHasAVX512() {
		b.Skip("no AVX-512")
	}
	buf := alignedFloats(256)
	const iters = 1 << 14
	for round := 0; round < 2; round++ {
		for mode, name := range []string{"loads", "adds", "both"} {
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					loadAddAVX512(iters, &buf[0], mode)
				}
				b.ReportMetric(16*iters*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "zmm/ns")
			})
		}
	}
}

// TestPackAT compares the A^T packers (6-column panels for the AVX2
// kernels, 10 for the AVX-512 ones, np panels read row by row of A) with
// packAPanelGo over depths 1..33 and 255-256 and 1 to 35 panels, with NaN
// guards around the destination and NaN in the source beside the copied
// columns.
func TestPackAT(t *testing.T) {
	if !asmHasAVX2() {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, mr := range []int{6, 10} {
		for _, kb := range []int{1, 2, 3, 7, 8, 9, 16, 17, 33, 255, 256} {
			for _, np := range []int{1, 2, 3, 35} {
				pad := (kb + np) % 4 * 3
				lda := np*mr + pad
				src := newPadded(rng, kb, np*mr, lda, 1)
				want := make([]float32, np*mr*kb)
				for r := 0; r < np; r++ {
					packAPanelGo(mr, want[r*mr*kb:(r+1)*mr*kb], src.mat(), 1, lda, r*mr, mr, 0, kb)
				}
				got := make([]float32, guard+np*mr*kb+guard)
				for i := range got {
					got[i] = guardNaN
				}
				if mr == 6 {
					packATRows6AVX2(kb, &src.mat()[0], lda, np, &got[guard])
				} else {
					packATRows10AVX2(kb, &src.mat()[0], lda, np, &got[guard])
				}
				for i, v := range got {
					w := guardNaN
					if i >= guard && i < guard+np*mr*kb {
						w = want[i-guard]
					}
					if math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("mr=%d kb=%d np=%d lda=%d: dst[%d] = %v, want %v", mr, kb, np, lda, i-guard, v, w)
					}
				}
			}
		}
	}
}

// TestPackBRows compares the row-by-row B packer (16-column panels) with
// packBPanelGo over depths 1..33 and 255-256 and 1 to 25 panels, with NaN
// guards around the destination and NaN in the source beside the copied
// columns.
func TestPackBRows(t *testing.T) {
	if !asmHasAVX2() {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kb := range []int{1, 2, 3, 7, 8, 9, 16, 17, 33, 255, 256} {
		for _, np := range []int{1, 2, 3, 25} {
			ldb := np*16 + (kb+np)%4*5
			src := newPadded(rng, kb, np*16, ldb, 1)
			want := make([]float32, np*16*kb)
			for r := 0; r < np; r++ {
				packBPanelGo(16, want[r*16*kb:(r+1)*16*kb], src.mat(), ldb, 1, 0, kb, r*16, 16)
			}
			got := make([]float32, guard+np*16*kb+guard)
			for i := range got {
				got[i] = guardNaN
			}
			packBRows16AVX2(kb, &src.mat()[0], ldb, np, &got[guard])
			for i, v := range got {
				w := guardNaN
				if i >= guard && i < guard+np*16*kb {
					w = want[i-guard]
				}
				if math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("kb=%d np=%d ldb=%d: dst[%d] = %v, want %v", kb, np, ldb, i-guard, v, w)
				}
			}
		}
	}
}

// TestPackBT compares the transposing pack kernels (packBT16AVX2 alone,
// and packBT16AVX512 for the whole groups of 16 columns where the CPU has
// AVX-512) with packBPanelGo over depths around their group sizes (8 and
// 16), with NaN guards around the destination and between the rows of the
// source.
func TestPackBT(t *testing.T) {
	if !asmHasAVX2() {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kb := range []int{1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 63, 64, 65, 144, 255, 256} {
		for _, pad := range []int{0, 3} {
			ldb := kb + pad
			src := newPadded(rng, 16, kb, ldb, 1)
			want := make([]float32, 16*kb)
			packBPanelGo(16, want, src.mat(), 1, ldb, 0, kb, 0, 16)
			for _, avx512 := range []bool{false, true} {
				if avx512 && !asmHasAVX512() {
					continue
				}
				got := make([]float32, guard+16*kb+guard)
				for i := range got {
					got[i] = guardNaN
				}
				packBT16(avx512, kb, src.mat(), ldb, got[guard:])
				for i, v := range got {
					w := guardNaN
					if i >= guard && i < guard+16*kb {
						w = want[i-guard]
					}
					if math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("avx512=%v kb=%d ldb=%d: dst[%d] = %v, want %v", avx512, kb, ldb, i-guard, v, w)
					}
				}
			}
		}
	}
}

// TestPackA6 compares packA6AVX2 (6 rows of a row-major A interleaved by
// the 8 x 8 transposes of the generated packers, for the AVX2 kernels)
// with packAPanelGo over depths around its group size, with NaN guards
// around the destination (beyond the 2 floats of slack it may write past
// dst[kb*6] from kb = 8) and between the rows of the source.
func TestPackA6(t *testing.T) {
	if !asmHasAVX2() {
		t.Skip("no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kb := range []int{1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255, 256} {
		for _, pad := range []int{0, 5} {
			lda := kb + pad
			src := newPadded(rng, 6, kb, lda, 1)
			want := make([]float32, 6*kb)
			packAPanelGo(6, want, src.mat(), lda, 1, 0, 6, 0, kb)
			slack := 0
			if kb >= 8 {
				slack = 2
			}
			got := make([]float32, guard+6*kb+slack+guard)
			for i := range got {
				got[i] = guardNaN
			}
			packA6AVX2(kb, &src.mat()[0], lda, &got[guard])
			for i, v := range got {
				w := guardNaN
				switch {
				case i >= guard && i < guard+6*kb:
					w = want[i-guard]
				case i >= guard+6*kb && i < guard+6*kb+slack:
					continue
				}
				if math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("kb=%d lda=%d: dst[%d] = %v, want %v", kb, lda, i-guard, v, w)
				}
			}
		}
	}
}

// BenchmarkPackBT times the transposing packers of the A*B^T products on
// one 16-row group at depth kc, walking down a 400-column row-major B of
// rows rows, so that the source comes from L1 (16 rows: the same 16 KB each time), L2 (256
// rows, 400 KB) or beyond L2 (1600 rows, 2.5 MB: the B of
// (100x400)(1600x400)^T). floats/ns counts the floats packed.
func BenchmarkPackBT(b *testing.B) {
	const ld = 400
	for _, rows := range []int{16, 256, 1600} {
		for _, avx512 := range []bool{false, true} {
			name := "avx2"
			if avx512 {
				name = "avx512"
			}
			b.Run(fmt.Sprintf("rows=%d/%s", rows, name), func(b *testing.B) {
				if !asmHasAVX2() || avx512 && !asmHasAVX512() {
					b.Skip("not on this CPU")
				}
				src, dst := make([]float32, rows*ld), make([]float32, 16*kc)
				j := 0
				for b.Loop() {
					packBT16(avx512, kc, src[j*ld:], ld, dst)
					if j += 16; j+16 > rows {
						j = 0
					}
				}
				b.ReportMetric(float64(16*kc)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "floats/ns")
			})
		}
	}
}

// alignedFloats returns n floats starting on a 64-byte line.
func alignedFloats(n int) []float32 {
	buf := make([]float32, n+16)
	off := 0
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	return buf[off : off+n]
}
