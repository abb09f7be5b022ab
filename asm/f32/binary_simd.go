//go:build (amd64 || arm64) && gc && !purego

package f32

// packBitsTail packs the last, partial word (columns 64*full .. cols-1) of
// each row as packBitsGo does, for kernels that pack the whole words, and
// reports whether each element is 0 or 1.
func packBitsTail(w []uint64, ws int, a []float32, rows, cols, lda, full int) bool {
	ok := true
	for i := 0; i < rows; i++ {
		row := a[i*lda+full*64 : i*lda+cols]
		var word uint64
		for p, v := range row {
			switch v {
			case 1:
				word |= 1 << uint(p)
			case 0:
			default:
				ok = false
			}
		}
		w[i*ws+full] = word
	}
	return ok
}
