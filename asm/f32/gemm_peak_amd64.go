//go:build amd64 && gc && !purego

package f32

// Benchmark and test helpers (gemm_peak_amd64.s); no kernel calls them.

// fmaPeakAVX2 runs iters iterations of 20 independent-chain 8-wide FMAs
// on registers only (320 flops each), to measure the core's AVX2 peak:
//
//	for i := 0; i < iters; i++ { for j := 0; j < 20; j++ { acc[j%10] += x * y } }
func fmaPeakAVX2(iters int)

// fmaPeakAVX512 runs iters iterations of 24 independent-chain 16-wide FMAs
// on registers only (768 flops each), to measure the core's AVX-512 peak:
//
//	for i := 0; i < iters; i++ { for j := 0; j < 24; j++ { acc[j%12] += x * y } }
func fmaPeakAVX512(iters int)

// fmaLoadsAVX512 runs iters iterations of the 10x32 micro-kernel's 20
// FMAs (640 flops) on registers, with no loads (mode 0), its 10 A
// broadcasts (mode 1), or those and its two B loads (mode 2), all from the
// same L1-resident 192 bytes at a, so that BenchmarkFMALoads can tell how
// much of the FMA peak the kernel's load mix leaves, streams aside.
//
//go:noescape
func fmaLoadsAVX512(iters int, a *float32, mode int)

// loadAddAVX512 runs iters iterations of 16 zmm operations on the 256
// floats at b: loads (mode 0), register additions into 16 chains (mode 1),
// or both at once, additions from memory into 16 chains (mode 2), so that
// BenchmarkLoadAdd can tell whether the core issues a zmm load and a zmm
// addition together at full rate.
//
//go:noescape
func loadAddAVX512(iters int, b *float32, mode int)

// fmaVecAVX2 sets dst[i] = fma(a[i], b[i], c[i]) for i < n (n a multiple
// of 8) with VFMADD231PS on ymm registers.
//
//go:noescape
func fmaVecAVX2(dst, a, b, c *float32, n int)

// fmaVecAVX512 sets dst[i] = fma(a[i], b[i], c[i]) for i < n (n a
// multiple of 16) with VFMADD231PS on zmm registers.
//
//go:noescape
func fmaVecAVX512(dst, a, b, c *float32, n int)

// fmaScalarFMA3 returns fma(a, b, c) computed by VFMADD231SS.
func fmaScalarFMA3(a, b, c float32) float32
