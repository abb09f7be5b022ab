//go:build amd64 && gc && !purego

package f32

// sigmoidBiasAVX2 applies the bias and the logistic function row by row
// (bias nil means none; dst may equal x):
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[i*ldd+j] = sigmoid(x[i*ldx+j] + bias[j])
//		}
//	}
//
//go:noescape
func sigmoidBiasAVX2(dst *float32, ldd int, x *float32, ldx int, rows, cols int, bias *float32)

// squaredDiffSumAVX2 returns, in float64,
//
//	for i := 0; i < n; i++ { d := float64(a[i]) - float64(b[i]); s += d * d }
//
//go:noescape
func squaredDiffSumAVX2(a, b *float32, n int) float64

// colSumsAVX2 computes, for m > 0 (dst not read when beta == 0),
//
//	for j := 0; j < n; j++ {
//		var s float32
//		for i := 0; i < m; i++ { s += a[i*lda+j] }
//		dst[j] = alpha*s + beta*dst[j]
//	}
//
//go:noescape
func colSumsAVX2(dst, a *float32, m, n, lda int, alpha, beta float32)

// dotAVX2 returns
//
//	for i := 0; i < n; i++ { s += a[i] * b[i] }
//
//go:noescape
func dotAVX2(a, b *float32, n int) float32

// updateAVX2 is updateGo (proximal false) or updateProximalGo (true) on
// w[:n], vel[:n], grad[:n].
//
//go:noescape
func updateAVX2(w, vel, grad *float32, n int, lr, momentum, l1, l2 float32, proximal bool)

// randAVX2 runs ceil(n/16) steps of the 8 lanes in s and writes the first n
// uniforms (mode 0) or Bernoulli draws dst[i] = u(i) < p[i] ? 1 : 0 (mode 1).
//
//go:noescape
func randAVX2(s *[4][Lanes]uint64, dst, p *float32, n int, mode int)

// randBitsAVX2 runs ceil(n/16) steps and sets bit i%64 of dst[i/64] to
// u(i) < p[i], writing the words dst[:(n+63)/64] whole.
//
//go:noescape
func randBitsAVX2(s *[4][Lanes]uint64, dst *uint64, p *float32, n int)

// softplusSumAVX2 returns the float64 sum of softplus(x[j] + bias[j]) over
// j < n (bias nil means none), each term computed in float32:
//
//	for j := 0; j < n; j++ { s += float64(log1p(exp(x[j] + bias[j]))) }
//
//go:noescape
func softplusSumAVX2(x *float32, n int, bias *float32) float64
