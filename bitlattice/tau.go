package bitlattice

import (
	"math"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// SokalC is the window constant of Sokal's automatic windowing.
const SokalC = 6

// Autocorrelation returns the normalized autocorrelation function rho(t),
// t = 0..T-1, of R independent series of equal length T (series[r][t]),
// averaging the autocovariance over the replicas:
//
//	C(t) = 1/(R (T-t)) sum_r sum_{s<T-t} (x_r(s) - xbar)(x_r(s+t) - xbar),
//
// with xbar the mean over all replicas and times, rho(t) = C(t)/C(0).
// It returns nil if the series have no variance.
//
// The sum over replicas is taken in frequency space, with the series
// zero-padded to a power of two n >= 2T (no circular wrap-around): two
// series x and y at a time are transformed as one complex sequence
// z = x + iy, whose power spectrum gives both at once,
// |X(f)|^2 + |Y(f)|^2 = (|Z(f)|^2 + |Z(-f)|^2)/2; the power spectra summed
// over all series are transformed back once, which gives
// sum_r sum_s x_r(s) x_r(s+t) for every t. The transform (fft) has no fused
// multiply-adds, so the result has the same bits on every architecture
// (the twiddles come from pmath.Sincos, which has the same bits everywhere).
func Autocorrelation(series [][]float32) []float64 { return autocorrelation(series, false) }

// autocorrelation is Autocorrelation of the series, or with abs of their
// absolute values (|m| from the signed m's series, so that the pilot keeps
// one series of the magnetization, not two).
func autocorrelation(series [][]float32, abs bool) []float64 {
	if len(series) == 0 || len(series[0]) < 2 {
		return nil
	}
	T := len(series[0])
	val := func(v float32) float64 {
		if abs {
			return math.Abs(float64(v))
		}
		return float64(v)
	}
	var mean float64
	for _, x := range series {
		for _, v := range x {
			mean += val(v)
		}
	}
	mean /= float64(len(series) * T)
	n := 4
	for n < 2*T {
		n <<= 1
	}
	f := newFFT(n)
	z := make([]complex128, n)
	power := make([]float64, n)
	for r := 0; r < len(series); r += 2 {
		x, zt := series[r][:T], z[:T]
		if r+1 < len(series) {
			y := series[r+1][:T]
			for t, v := range x {
				zt[t] = complex(val(v)-mean, val(y[t])-mean)
			}
		} else {
			for t, v := range x {
				zt[t] = complex(val(v)-mean, 0)
			}
		}
		clear(z[T:])
		f.transform(z, true)
		power := power[:len(z)]
		for i, c := range z {
			power[i] += float64(real(c)*real(c)) + float64(imag(c)*imag(c))
		}
	}
	// The summed power spectrum is real and even: its transform back is
	// its forward transform (divided by n, which cancels in rho).
	for i := range n {
		z[i] = complex(power[i]+power[(n-i)%n], 0)
	}
	f.transform(z, false)
	sum := z[:T]
	if !(real(sum[0]) > 0) {
		return nil
	}
	rho := make([]float64, T)
	c0 := real(sum[0]) / float64(T)
	for t := range T {
		rho[t] = real(sum[t]) / float64(T-t) / c0
	}
	return rho
}

// fft is the discrete Fourier transform of a power-of-two length n >= 4:
// Stockham's autosort form, radix 4, with a last radix-2 step when log2 n
// is odd.
type fft struct {
	n  int
	tw []complex128 // per radix-4 step of length m: w^p, w^2p, w^3p for p < m/4, w = exp(-2 pi i/m)
	y  []complex128 // the other buffer
}

func newFFT(n int) *fft {
	f := &fft{n: n, y: make([]complex128, n)}
	for m := n; m >= 4; m /= 4 {
		for p := range m / 4 {
			for k := 1; k <= 3; k++ {
				s, c := pmath.Sincos(-2 * math.Pi * float64(k*p) / float64(m))
				f.tw = append(f.tw, complex(c, s))
			}
		}
	}
	return f
}

// cmul is a*b without fused multiply-adds.
func cmul(a, b complex128) complex128 {
	return complex(float64(real(a)*real(b))-float64(imag(a)*imag(b)), float64(real(a)*imag(b))+float64(imag(a)*real(b)))
}

// transform replaces x[:n] by its transform, X(f) = sum_t x(t) exp(-2 pi i f t/n).
// With top, x[n/2:n] must be zero, and the first step skips it.
func (f *fft) transform(x []complex128, top bool) {
	out := x[:f.n]
	x, y := out, f.y
	tw := f.tw
	s, m := 1, f.n
	if top {
		// The first step (stride 1) on its own: half of the butterfly's
		// inputs are zero. The loop below runs it for !top.
		n0 := f.n / 4
		w := tw[:3*n0]
		xa, xb := x[:n0], x[n0:2*n0]
		for p, a := range xa {
			b := xb[p]
			jb := complex(-imag(b), real(b))
			wp := w[3*p:][:3]
			yp := y[4*p:][:4]
			yp[0] = a + b
			yp[1] = cmul(wp[0], a-jb)
			yp[2] = cmul(wp[1], a-b)
			yp[3] = cmul(wp[2], a+jb)
		}
		x, y = y, x
		tw = tw[3*n0:]
		s, m = 4, n0
	}
	for ; m >= 4; m /= 4 {
		n0 := m / 4
		w := tw[:3*n0]
		tw = tw[3*n0:]
		for p := range n0 {
			wp := w[3*p:][:3]
			w1, w2, w3 := wp[0], wp[1], wp[2]
			xa := x[s*p:][:s]
			xb, xc, xd := x[s*(p+n0):][:len(xa)], x[s*(p+2*n0):][:len(xa)], x[s*(p+3*n0):][:len(xa)]
			yp := y[4*s*p:][:4*len(xa)]
			ya, yb, yc, yd := yp[:len(xa)], yp[len(xa):][:len(xa)], yp[2*len(xa):][:len(xa)], yp[3*len(xa):][:len(xa)]
			for q, a := range xa {
				b, c, d := xb[q], xc[q], xd[q]
				apc, amc := a+c, a-c
				bpd, bmd := b+d, b-d
				jbmd := complex(-imag(bmd), real(bmd))
				ya[q] = apc + bpd
				yb[q] = cmul(w1, amc-jbmd)
				yc[q] = cmul(w2, apc-bpd)
				yd[q] = cmul(w3, amc+jbmd)
			}
		}
		x, y = y, x
		s *= 4
	}
	if m == 2 {
		xa := x[:s]
		xb, oa, ob := x[s:][:len(xa)], out[:len(xa)], out[s:][:len(xa)]
		for q, a := range xa {
			b := xb[q]
			oa[q], ob[q] = a+b, a-b
		}
	} else if &x[0] != &out[0] {
		copy(out, x)
	}
}

// IntegratedTime returns the integrated autocorrelation time
// tau(M) = 1/2 + sum_{t=1}^{M} rho(t) at the smallest window M with
// M >= c*tau(M) (Sokal's automatic windowing), and whether such a window was
// found below T/4, where the estimate is trustworthy. Without a window it
// returns tau(T/4). A series without variance has tau = 0.5.
func IntegratedTime(rho []float64, c float64) (tau float64, window int, ok bool) {
	if len(rho) == 0 {
		return 0.5, 0, false
	}
	limit := len(rho) / 4
	tau = 0.5
	for M := 1; M <= limit; M++ {
		tau += rho[M]
		if float64(M) >= c*tau {
			return tau, M, true
		}
	}
	return tau, limit, false
}

// integratedTime is IntegratedTime(Autocorrelation(series), SokalC), of
// the series' absolute values with abs.
func integratedTime(series [][]float32, abs bool) (float64, int, bool) {
	rho := autocorrelation(series, abs)
	if rho == nil {
		return 0.5, 0, true
	}
	tau, w, ok := IntegratedTime(rho, SokalC)
	return math.Max(tau, 0.5), w, ok
}
