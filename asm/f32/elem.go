package f32

import "math"

// Sigmoid sets dst[i] = 1/(1+exp(-x[i])) for i < len(x); len(dst) >= len(x).
// The result is within a relative error of 1e-6 of the exact value (computed
// in float64) wherever that value is a normal float32, and within 2^-149
// (one subnormal step) plus that relative error below; it is exactly 0 or 1
// for large |x| and for -Inf and +Inf, never NaN for a non-NaN input, and NaN
// for a NaN input. The contract:
//
//	for i := range x {
//		dst[i] = float32(1 / (1 + math.Exp(-float64(x[i]))))
//	}
func Sigmoid(dst, x []float32) {
	checkLen("Sigmoid", "dst", len(dst), len(x))
	if len(x) == 0 {
		return
	}
	if useAVX2 {
		raceReadF32(x)
		raceWriteF32(dst[:len(x)])
		sigmoidBiasAVX2(&dst[0], 0, &x[0], 0, 1, len(x), nil)
		return
	}
	sigmoidGo(dst[:len(x)], x)
}

func sigmoidGo(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// sigmoidBias sets c[i*ldc+j] = sigmoid(c[i*ldc+j] + bias[j]) for i < rows,
// j < cols (the write-back of the SigmoidAffine products; bias may be nil
// for no bias).
func sigmoidBias(c []float32, ldc, rows, cols int, bias []float32) {
	if useAVX2 {
		var bp *float32
		if bias != nil {
			bp = &bias[0]
		}
		sigmoidBiasAVX2(&c[0], ldc, &c[0], ldc, rows, cols, bp)
		return
	}
	for i := 0; i < rows; i++ {
		row := c[i*ldc : i*ldc+cols]
		if bias != nil {
			b := bias[:cols]
			for j := range row {
				row[j] += b[j]
			}
		}
		sigmoidGo(row, row)
	}
}

// softplus returns log(1+exp(x)) in float64 without overflow.
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// SoftplusSum returns sum_i log(1+exp(x[i])), accumulated in float64 and
// stable for large |x| (softplus(x) = max(x,0) + log1p(exp(-|x|))). Each
// term is within a relative error of 1e-6 (the AVX2 code computes terms in
// float32); NaN in gives NaN, +Inf gives +Inf:
//
//	var s float64
//	for _, v := range x {
//		s += math.Log1p(math.Exp(float64(v)))
//	}
//	return s
func SoftplusSum(x []float32) float64 {
	if useAVX2 && len(x) > 0 {
		raceReadF32(x)
		return softplusSumAVX2(&x[0], len(x), nil)
	}
	var s float64
	for _, v := range x {
		s += softplus(float64(v))
	}
	return s
}

// SoftplusRowSums sets, for each row i < m of the m x n matrix x (stride
// ldx), dst[i] to the sum of softplus over the row plus bias, accumulated in
// float64 with terms as accurate as in SoftplusSum (the hidden-unit term of
// the free energy). bias has length >= n, or is nil for none:
//
//	for i := 0; i < m; i++ {
//		var s float64
//		for j := 0; j < n; j++ {
//			s += math.Log1p(math.Exp(float64(x[i*ldx+j] + bias[j])))
//		}
//		dst[i] = float32(s)
//	}
func SoftplusRowSums(dst []float32, x []float32, m, n, ldx int, bias []float32) {
	if m < 0 || n < 0 {
		panic("f32: SoftplusRowSums: negative dimension")
	}
	checkLen("SoftplusRowSums", "dst", len(dst), m)
	checkMat("SoftplusRowSums", "x", m, n, x, ldx)
	if bias != nil {
		checkLen("SoftplusRowSums", "bias", len(bias), n)
	}
	if useAVX2 && n > 0 {
		var bp *float32
		if bias != nil {
			bp = &bias[0]
			raceReadF32(bias[:n])
		}
		for i := 0; i < m; i++ {
			row := x[i*ldx : i*ldx+n]
			raceReadF32(row)
			dst[i] = float32(softplusSumAVX2(&row[0], n, bp))
		}
		return
	}
	for i := 0; i < m; i++ {
		row := x[i*ldx : i*ldx+n]
		var s float64
		if bias != nil {
			b := bias[:n]
			for j, v := range row {
				s += softplus(float64(v + b[j]))
			}
		} else {
			for _, v := range row {
				s += softplus(float64(v))
			}
		}
		dst[i] = float32(s)
	}
}

// SquaredDiffSum returns sum_i (a[i]-b[i])^2 over i < len(a), accumulated
// in float64; len(b) >= len(a):
//
//	var s float64
//	for i := range a {
//		d := float64(a[i]) - float64(b[i])
//		s += d * d
//	}
//	return s
func SquaredDiffSum(a, b []float32) float64 {
	checkLen("SquaredDiffSum", "b", len(b), len(a))
	if len(a) == 0 {
		return 0
	}
	if useAVX2 {
		raceReadF32(a)
		raceReadF32(b[:len(a)])
		return squaredDiffSumAVX2(&a[0], &b[0], len(a))
	}
	return squaredDiffSumGo(a, b)
}

func squaredDiffSumGo(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		d := float64(v) - float64(b[i])
		s += d * d
	}
	return s
}

// ColSums sets dst[j] = beta*dst[j] + alpha*sum_i a[i*lda+j] for j < n over
// the m x n matrix a (stride lda); beta == 0 overwrites dst without reading
// it. The column sums are accumulated in float32 in row order:
//
//	for j := 0; j < n; j++ {
//		var s float32
//		for i := 0; i < m; i++ {
//			s += a[i*lda+j]
//		}
//		dst[j] = alpha*s + beta*dst[j] // beta*dst[j] omitted when beta == 0
//	}
func ColSums(dst []float32, a []float32, m, n, lda int, alpha, beta float32) {
	if m < 0 || n < 0 {
		panic("f32: ColSums: negative dimension")
	}
	checkLen("ColSums", "dst", len(dst), n)
	checkMat("ColSums", "a", m, n, a, lda)
	if n == 0 {
		return
	}
	if useAVX2 && m > 0 {
		raceReadF32(a[:(m-1)*lda+n])
		raceWriteF32(dst[:n])
		colSumsAVX2(&dst[0], &a[0], m, n, lda, alpha, beta)
		return
	}
	colSumsGo(dst, a, m, n, lda, alpha, beta)
}

func colSumsGo(dst []float32, a []float32, m, n, lda int, alpha, beta float32) {
	for j := 0; j < n; j++ {
		var s float32
		for i := 0; i < m; i++ {
			s += a[i*lda+j]
		}
		if beta == 0 {
			dst[j] = alpha * s
		} else {
			dst[j] = alpha*s + beta*dst[j]
		}
	}
}

// Dot returns sum_i a[i]*b[i] over i < len(a), in float32 (the order of the
// sum may differ between implementations); len(b) >= len(a):
//
//	var s float32
//	for i := range a {
//		s += a[i] * b[i]
//	}
//	return s
func Dot(a, b []float32) float32 {
	checkLen("Dot", "b", len(b), len(a))
	if len(a) == 0 {
		return 0
	}
	if useAVX2 {
		raceReadF32(a)
		raceReadF32(b[:len(a)])
		return dotAVX2(&a[0], &b[0], len(a))
	}
	return dotGo(a, b)
}

func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// Update applies one momentum-SGD step with L2 and L1 (sign subgradient,
// sign(0) = 0) penalties, in the gradient-ascent convention of RBM
// training, to w[i], vel[i] for i < len(w); len(vel), len(grad) >= len(w):
//
//	for i := range w {
//		vel[i] = momentum*vel[i] + lr*(grad[i]-l2*w[i]-l1*sign(w[i]))
//		w[i] += vel[i]
//	}
func Update(w, vel, grad []float32, lr, momentum, l1, l2 float32) {
	checkLen("Update", "vel", len(vel), len(w))
	checkLen("Update", "grad", len(grad), len(w))
	if len(w) == 0 {
		return
	}
	if useAVX2 {
		raceWriteF32(w)
		raceWriteF32(vel[:len(w)])
		raceReadF32(grad[:len(w)])
		updateAVX2(&w[0], &vel[0], &grad[0], len(w), lr, momentum, l1, l2, false)
		return
	}
	updateGo(w, vel, grad, lr, momentum, l1, l2)
}

func sign(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func updateGo(w, vel, grad []float32, lr, momentum, l1, l2 float32) {
	vel = vel[:len(w)]
	grad = grad[:len(w)]
	for i, x := range w {
		v := momentum*vel[i] + lr*(grad[i]-l2*x-l1*sign(x))
		vel[i] = v
		w[i] = x + v
	}
}

// UpdateProximal is Update with the L1 penalty applied as a proximal step:
// the velocity step omits the L1 term, then the new weight is soft-thresholded
// by lr*l1 (vel keeps the unthresholded step):
//
//	for i := range w {
//		vel[i] = momentum*vel[i] + lr*(grad[i]-l2*w[i])
//		x := w[i] + vel[i]
//		w[i] = x - min(max(x, -lr*l1), lr*l1) // sign(x)*max(|x|-lr*l1, 0)
//	}
func UpdateProximal(w, vel, grad []float32, lr, momentum, l1, l2 float32) {
	checkLen("UpdateProximal", "vel", len(vel), len(w))
	checkLen("UpdateProximal", "grad", len(grad), len(w))
	if len(w) == 0 {
		return
	}
	if useAVX2 {
		raceWriteF32(w)
		raceWriteF32(vel[:len(w)])
		raceReadF32(grad[:len(w)])
		updateAVX2(&w[0], &vel[0], &grad[0], len(w), lr, momentum, l1, l2, true)
		return
	}
	updateProximalGo(w, vel, grad, lr, momentum, l1, l2)
}

func updateProximalGo(w, vel, grad []float32, lr, momentum, l1, l2 float32) {
	vel = vel[:len(w)]
	grad = grad[:len(w)]
	t := lr * l1
	for i, x := range w {
		v := momentum*vel[i] + lr*(grad[i]-l2*x)
		vel[i] = v
		y := x + v
		w[i] = y - min(max(y, -t), t) // soft threshold; NaN stays NaN
	}
}
