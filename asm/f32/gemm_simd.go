//go:build (amd64 || arm64) && gc && !purego

package f32

// mergeTile writes the rows x cols corner of the tile t (stride tn), which
// holds float32(alpha*s), into c by the contract's last step: c = t when
// beta == 0, else c = fma(beta, c, t). It finishes edge tiles of kernels
// that only handle whole tiles.
func mergeTile(c []float32, ldc int, t []float32, tn int, beta float32, rows, cols int) {
	for i := 0; i < rows; i++ {
		crow := c[i*ldc : i*ldc+cols]
		trow := t[i*tn : i*tn+cols]
		switch beta {
		case 0:
			copy(crow, trow)
		case 1:
			// fma(1, c, t) rounds c + t once: a float32 addition.
			for j, v := range trow {
				crow[j] += v
			}
		default:
			for j, v := range trow {
				crow[j] = fma32(beta, crow[j], v)
			}
		}
	}
}
