package bitlattice

import (
	"math"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/asm/pmath"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

// The model of the time Sample's spacing follows (TauEstimate):
// tau = max(2, A r^FloorZ) sweeps with r = min(L, 1/|g_0|), the exact
// correlation length of the infinite lattice below Kc and twice it above
// (exact.CorrelationLength), cut off by the lattice. Sample's own times
// (TestWorkEstimate logs them: L = 8..32, K = 0.25..0.6) give tau / r^2.17
// of 0.4-0.74 below Kc (the signed m; at Kc 0.67-0.74, the most), and
// 0.02-0.11 above (|m|; 0.06 at L = 64, K = 0.45), so tauModelBelow and
// tauModelAbove bound them with a margin, and the floor covers K -> 0,
// where r -> 0 but tau_int stays about 1.
const (
	tauModelBelow = 1.0
	tauModelAbove = 0.15
	tauModelFloor = 2
)

// TauEstimate returns a model of the integrated autocorrelation time, in
// sweeps, that Sample's spacing and equilibration follow at L and K: of the
// signed magnetization for K <= Kc, of |m| above (see Result.TauSpacing).
// It is an estimate for planning (time and memory of a run), meant to err
// high, not a measurement: Sample measures the time it uses. It is at most
// 1/2 + 2^15/4 = 8,192.5 sweeps, the most Sample can measure: its window is
// at most a quarter of the pilot's 2^15 sweeps (IntegratedTime), and rho
// <= 1. Near K_c from L of about 64 on the true time is longer (Sample's
// is then a lower bound, and Report.Warning says so).
func TauEstimate(L int, K float64) float64 {
	return math.Min(tauModel(L, K), 0.5+maxPilot/4)
}

// tauModel is TauEstimate before the pilot's cap.
func tauModel(L int, K float64) float64 {
	r := exact.CorrelationLength(K)
	a := tauModelBelow
	if K > Kc {
		r, a = 2*r, tauModelAbove
	}
	r = math.Min(r, float64(L))
	if !(r > 1) {
		return tauModelFloor
	}
	return math.Max(tauModelFloor, a*pmath.Exp(FloorZ*pmath.Log(r)))
}

// Work is the estimated work of a Sample call (WorkEstimate).
type Work struct {
	Replicas int     // chains (DefaultReplicas when 0 was asked)
	Tau      float64 // TauEstimate
	// Pilot is the length of the series the times are measured on,
	// Equilibration the sweeps before the first sample (the pilot's
	// included), Spacing the sweeps between two samples of one chain, and
	// Sweeps all sweeps of every chain, with two more for measuring each
	// round.
	Pilot, Equilibration, Spacing, Sweeps int64
	// Flips is the attempted flips of every lane of every block of 256
	// chains (padding lanes included: the kernels sweep them too).
	Flips float64
}

// WorkEstimate returns the estimated work of sampling n L x L
// configurations at coupling K with replicas chains (0: DefaultReplicas(n))
// and an equilibration of at least minEquilibration sweeps: Sample's
// schedule (see Sample) run with TauEstimate in place of the measured
// time. A time estimate is Flips over the kernel's rate, which scales with
// the threads (Result.KernelFlipsPerNs).
func WorkEstimate(L int, K float64, n, replicas, minEquilibration int) Work {
	r := replicas
	if r <= 0 {
		r = DefaultReplicas(max(n, 1))
	}
	tau := TauEstimate(L, K)
	floor := max(EquilibrationFloor(L), minEquilibration)
	T := pilotLength(floor)
	for pilotGrows(T, tau, true) {
		T *= 2
	}
	eq, spacing := schedule(floor, T, tau)
	rounds := (max(n, 1) + r - 1) / r
	sweeps := float64(eq) + float64(float64(rounds-1)*float64(spacing)) + 2*float64(rounds)
	lanes := math.Ceil(float64(r)/ising.BlockReplicas) * ising.BlockReplicas
	return Work{Replicas: r, Tau: tau, Pilot: int64(T), Equilibration: int64(eq), Spacing: int64(spacing), Sweeps: int64(sweeps),
		Flips: float64(sweeps*lanes) * float64(float64(L)*float64(L))}
}
