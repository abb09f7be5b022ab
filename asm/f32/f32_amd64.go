//go:build amd64 && gc && !purego

package f32

import "github.com/isingrbm/isingrbm/asm"

// useAVX2 selects the AVX2+FMA kernels; it is the dispatch boolean tests
// switch through package asm.
var useAVX2 = asm.HasAVX2 && asm.HasFMA

// useAVX2Build reports whether this build contains the AVX2 kernels.
const useAVX2Build = true

func init() {
	asm.Register("f32", "avx2", &useAVX2)
}

// kernel6x16AVX2 computes the 6x16 tile c = alpha*A*B + beta*c from packed
// panels (a: kb groups of 6, b: kb groups of 16; c not read when beta == 0):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s += a[p*6+i] * b[p*16+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
//
//go:noescape
func kernel6x16AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel6x8AVX2 is kernel6x16AVX2 on the left 8 columns of the packed
// 16-wide B panel (for the last, narrow panel of a product):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 8; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s += a[p*6+i] * b[p*16+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
//
//go:noescape
func kernel6x8AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel6x16RowsAVX2 is kernel6x16AVX2 with A read in place from 6 rows of
// the row-major A (stride lda) instead of a packed panel:
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s += a[i*lda+p] * b[p*16+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
//
//go:noescape
func kernel6x16RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32)

// kernel6x8RowsAVX2 is kernel6x16RowsAVX2 on the left 8 columns of the
// packed B panel (j < 8 above).
//
//go:noescape
func kernel6x8RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32)

// packBT16AVX2 packs 16 rows of the row-major n x k matrix b (stride ldb)
// transposed, for B^T products:
//
//	for p := 0; p < kb; p++ {
//		for j := 0; j < 16; j++ {
//			dst[p*16+j] = b[j*ldb+p]
//		}
//	}
//
//go:noescape
func packBT16AVX2(kb int, b *float32, ldb int, dst *float32)

// fmaPeakAVX2 runs iters iterations of 20 independent-chain 8-wide FMAs
// on registers only (320 flops each), to measure the core's peak:
//
//	for i := 0; i < iters; i++ { for j := 0; j < 20; j++ { acc[j%10] += x * y } }
func fmaPeakAVX2(iters int)

// packA6AVX2 interleaves 6 rows of the row-major m x k matrix a (stride
// lda) for the micro-kernel; it may write 2 floats past dst[kb*6]:
//
//	for p := 0; p < kb; p++ {
//		for i := 0; i < 6; i++ {
//			dst[p*6+i] = a[i*lda+p]
//		}
//	}
//
//go:noescape
func packA6AVX2(kb int, a *float32, lda int, dst *float32)

// packAT6AVX2 copies 6 consecutive columns of the row-major k x m matrix a
// (kb >= 1), for A^T products:
//
//	for p := 0; p < kb; p++ {
//		for i := 0; i < 6; i++ {
//			dst[p*6+i] = a[p*lda+i]
//		}
//	}
//
//go:noescape
func packAT6AVX2(kb int, a *float32, lda int, dst *float32)

// packB16AVX2 copies 16 consecutive columns of the row-major k x n matrix b
// (kb >= 1):
//
//	for p := 0; p < kb; p++ {
//		for j := 0; j < 16; j++ {
//			dst[p*16+j] = b[p*ldb+j]
//		}
//	}
//
//go:noescape
func packB16AVX2(kb int, b *float32, ldb int, dst *float32)

// prefetchRowsAVX2 hints that the first bytes of rows rows of stride ld
// floats starting at p will be read soon (prefetch into L2); it reads nothing.
//
//go:noescape
func prefetchRowsAVX2(p *float32, ld, rows, bytes int)
