//go:build !amd64 || !gc || purego

package f32

// No assembly in this build: the portable kernels run everywhere.
const useAVX2 = false

func kernel6x16AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("unreachable")
}
func kernel6x8AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("unreachable")
}
func kernel6x16RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32) {
	panic("unreachable")
}
func kernel6x8RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32) {
	panic("unreachable")
}
func packBT16AVX2(kb int, b *float32, ldb int, dst *float32) { panic("unreachable") }

// useAVX2Build reports whether this build contains the AVX2 kernels.
const useAVX2Build = false

func fmaPeakAVX2(iters int) { panic("unreachable") }

func packA6AVX2(kb int, a *float32, lda int, dst *float32)  { panic("unreachable") }
func packAT6AVX2(kb int, a *float32, lda int, dst *float32) { panic("unreachable") }
func packB16AVX2(kb int, b *float32, ldb int, dst *float32) { panic("unreachable") }

func prefetchRowsAVX2(p *float32, ld, rows, bytes int) { panic("unreachable") }
