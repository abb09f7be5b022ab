//go:build !(amd64 || arm64) || !gc || purego

package f32

// Without elementwise assembly the dispatch functions call the Go twins
// directly.

func sigmoidRowsArch(dst []float32, ldd int, x []float32, ldx, rows, cols int, bias []float32) {
	sigmoidRowsGo(dst, ldd, x, ldx, rows, cols, bias)
}

func softplusSumArch(x, bias []float32) float64 { return softplusSumGo(x, bias) }

func squaredDiffSumArch(a, b []float32) float64 { return squaredDiffSumGo(a, b) }

func dotArch(a, b []float32) float32 { return dotGo(a, b) }

func fromBytesArch(dst []float32, src []uint8) { fromBytesGo(dst, src) }

func colSumsArch(dst, a []float32, m, n, lda int, alpha, beta float32) {
	colSumsGo(dst, a, m, n, lda, alpha, beta)
}

func updateArch(w, vel, grad []float32, lr, momentum, l1, l2 float32, proximal bool) {
	if proximal {
		updateProximalGo(w, vel, grad, lr, momentum, l1, l2)
	} else {
		updateGo(w, vel, grad, lr, momentum, l1, l2)
	}
}

func randArch(s *[4][Lanes]uint64, dst, p []float32, n, mode int) { randGo(s, dst, p, n, mode) }

func randBitsArch(s *[4][Lanes]uint64, dst []uint64, p []float32) { randBitsGo(s, dst, p) }
