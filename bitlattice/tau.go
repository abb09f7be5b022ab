package bitlattice

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
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
// The sum over replicas is taken in frequency space: each series, zero-padded
// to a 2,3,5-smooth length n >= 2T (no circular wrap-around), is transformed
// once, the power spectra |X_r(f)|^2 are summed, and one inverse transform
// gives sum_r sum_s x_r(s) x_r(s+t) for every t.
func Autocorrelation(series [][]float32) []float64 {
	if len(series) == 0 || len(series[0]) < 2 {
		return nil
	}
	T := len(series[0])
	var mean float64
	for _, x := range series {
		for _, v := range x {
			mean += float64(v)
		}
	}
	mean /= float64(len(series) * T)
	n := fftLength(2 * T)
	fft := fourier.NewFFT(n)
	seq := make([]float64, n)
	coef := make([]complex128, n/2+1)
	power := make([]complex128, n/2+1)
	for _, x := range series {
		for t, v := range x {
			seq[t] = float64(v) - mean
		}
		clear(seq[T:])
		fft.Coefficients(coef, seq)
		for i, c := range coef {
			power[i] += complex(float64(real(c)*real(c))+float64(imag(c)*imag(c)), 0)
		}
	}
	sum := fft.Sequence(seq, power)[:T]
	if !(sum[0] > 0) {
		return nil
	}
	rho := make([]float64, T)
	c0 := sum[0] / float64(T)
	for t := range T {
		rho[t] = sum[t] / float64(T-t) / c0
	}
	return rho
}

// fftLength returns the smallest n >= m whose only prime factors are 2, 3
// and 5 (the radices of gonum's real FFT besides 4).
func fftLength(m int) int {
	best := 1
	for best < m {
		best <<= 1
	}
	for p5 := 1; p5 < best; p5 *= 5 {
		for p35 := p5; p35 < best; p35 *= 3 {
			n := p35
			for n < m {
				n <<= 1
			}
			best = min(best, n)
		}
	}
	return best
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

// integratedTime is IntegratedTime(Autocorrelation(series), SokalC).
func integratedTime(series [][]float32) (float64, int, bool) {
	rho := Autocorrelation(series)
	if rho == nil {
		return 0.5, 0, true
	}
	tau, w, ok := IntegratedTime(rho, SokalC)
	return math.Max(tau, 0.5), w, ok
}
