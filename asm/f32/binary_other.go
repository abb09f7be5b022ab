//go:build (!amd64 && !arm64) || !gc || purego

package f32

// sumBits runs the Bits kernel of the active implementation (sumBitsGo's
// contract).
func (k kern) sumBits(rows int, bw []uint64, bstride, nw int, b []float32, ps, vs int, t, c []float32, ldc int, alpha, beta float32, mode, cols int) {
	sumBitsGo(rows, bw, bstride, nw, b, ps, vs, t, c, ldc, alpha, beta, mode, cols)
}

func packBitsArch(w []uint64, ws int, a []float32, rows, cols, lda int) bool {
	return packBitsGo(w, ws, a, rows, cols, lda)
}
