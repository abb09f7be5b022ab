//go:build !amd64 || !gc || purego

package f32

func sigmoidBiasAVX2(dst *float32, ldd int, x *float32, ldx int, rows, cols int, bias *float32) {
	panic("unreachable")
}
func squaredDiffSumAVX2(a, b *float32, n int) float64 { panic("unreachable") }
func colSumsAVX2(dst, a *float32, m, n, lda int, alpha, beta float32) {
	panic("unreachable")
}
func dotAVX2(a, b *float32, n int) float32 { panic("unreachable") }
func updateAVX2(w, vel, grad *float32, n int, lr, momentum, l1, l2 float32, proximal bool) {
	panic("unreachable")
}
func randAVX2(s *[4][Lanes]uint64, dst, p *float32, n int, mode int)   { panic("unreachable") }
func randBitsAVX2(s *[4][Lanes]uint64, dst *uint64, p *float32, n int) { panic("unreachable") }
func softplusSumAVX2(x *float32, n int, bias *float32) float64         { panic("unreachable") }
