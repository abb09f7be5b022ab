package exact

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// MaxEnumerateL is the largest lattice side Enumerate and CountStates accept (2^25 states).
const MaxEnumerateL = 5

// States holds the exact density of states of the L x L torus: how many of the 2^N spin
// configurations have each pair (E, |M|). It does not depend on K, so one count serves every
// temperature (see Distribution).
type States struct {
	L, N     int
	Energies []int      // distinct total energies E = -sum over the 2N bonds of s_i s_j, ascending
	AbsMs    []int      // distinct |M| = |sum s_i|, ascending
	Count    [][]uint64 // Count[i][j]: configurations with E = Energies[i] and |M| = AbsMs[j]
}

// CountStates enumerates all 2^(L*L) configurations of the L x L torus, 2 <= L <= 5.
// L = 5 takes about a tenth of a second.
func CountStates(L int) (*States, error) {
	if L < 2 || L > MaxEnumerateL {
		return nil, fmt.Errorf("exact: enumeration of a %dx%d lattice: want 2 <= L <= %d", L, L, MaxEnumerateL)
	}
	n := L * L
	full := uint64(1)<<n - 1
	// Bit i = row*L + col is spin (row, col), 1 = up. right(x) has at bit i the spin right of i;
	// down(x) the spin below i (both periodic).
	var notLast, last uint64
	for r := 0; r < L; r++ {
		for c := 0; c < L; c++ {
			if c == L-1 {
				last |= 1 << (r*L + c)
			} else {
				notLast |= 1 << (r*L + c)
			}
		}
	}
	nb := 2*n + 1
	count := make([]uint64, nb*(n+1)) // [mismatched bonds][number of up spins]
	// Global spin flip keeps E and |M|: enumerate the half with the top spin down, count twice.
	half := uint64(1) << (n - 1)
	for x := uint64(0); x < half; x++ {
		right := (x>>1)&notLast | (x<<(L-1))&last
		down := x>>L | (x<<(n-L))&full
		mis := bits.OnesCount64(x^right) + bits.OnesCount64(x^down)
		count[mis*(n+1)+bits.OnesCount64(x)]++
	}
	st := &States{L: L, N: n}
	eIndex := map[int]int{}
	mIndex := map[int]int{}
	for mis := 0; mis < nb; mis++ {
		for up := 0; up <= n; up++ {
			if count[mis*(n+1)+up] == 0 {
				continue
			}
			eIndex[2*mis-2*n] = 0
			m := 2*up - n
			if m < 0 {
				m = -m
			}
			mIndex[m] = 0
		}
	}
	for e := -2 * n; e <= 2*n; e++ {
		if _, ok := eIndex[e]; ok {
			eIndex[e] = len(st.Energies)
			st.Energies = append(st.Energies, e)
		}
	}
	for m := 0; m <= n; m++ {
		if _, ok := mIndex[m]; ok {
			mIndex[m] = len(st.AbsMs)
			st.AbsMs = append(st.AbsMs, m)
		}
	}
	st.Count = make([][]uint64, len(st.Energies))
	for i := range st.Count {
		st.Count[i] = make([]uint64, len(st.AbsMs))
	}
	for mis := 0; mis < nb; mis++ {
		for up := 0; up <= n; up++ {
			k := count[mis*(n+1)+up]
			if k == 0 {
				continue
			}
			m := 2*up - n
			if m < 0 {
				m = -m
			}
			// Each enumerated x stands for x and its flip.
			st.Count[eIndex[2*mis-2*n]][mIndex[m]] += 2 * k
		}
	}
	return st, nil
}

// Distribution is the exact Boltzmann distribution of energy and |M| on a small torus.
// All means are per spin: MeanEnergy = <E>/N, SpecificHeat = K^2 Var(E)/N,
// MeanAbsM = <|M|>/N, MeanM2 = <M^2>/N^2, and Susceptibility = N (<m^2> - <|m|>^2) =
// Var(|M|)/N with m = M/N. Susceptibility has no factor K, unlike the beta-weighted
// K N (<m^2> - <|m|>^2) of bitlattice.Result.Susceptibility and analysis.Thermo.Chi (the
// summaries' "susceptibility"): compare those with K * Susceptibility.
type Distribution struct {
	L, N     int
	K        float64
	LogZ     float64
	Energies []int     // distinct total bond energies E = -sum_<ij> s_i s_j, ascending
	PEnergy  []float64 // their probabilities
	AbsMs    []int     // distinct |M| = |sum s_i|, ascending
	PAbsM    []float64
	PJoint   [][]float64 // PJoint[i][j] = P(E = Energies[i], |M| = AbsMs[j])

	MeanEnergy, SpecificHeat, MeanAbsM, MeanM2, Susceptibility float64
}

// Enumerate returns the exact distribution of the L x L torus at coupling K by full
// enumeration, 2 <= L <= 5. For many K on one L, call CountStates once and then Distribution.
func Enumerate(L int, K float64) (*Distribution, error) {
	st, err := CountStates(L)
	if err != nil {
		return nil, err
	}
	return st.Distribution(K)
}

// Distribution weights the counted states by exp(-K E) at coupling K.
func (st *States) Distribution(K float64) (*Distribution, error) {
	if math.IsNaN(K) || math.IsInf(K, 0) {
		return nil, fmt.Errorf("exact: coupling K = %v, want a finite number", K)
	}
	d := &Distribution{
		L: st.L, N: st.N, K: K,
		Energies: append([]int(nil), st.Energies...),
		AbsMs:    append([]int(nil), st.AbsMs...),
		PEnergy:  make([]float64, len(st.Energies)),
		PAbsM:    make([]float64, len(st.AbsMs)),
		PJoint:   make([][]float64, len(st.Energies)),
	}
	logw := make([][]float64, len(st.Energies))
	lz := math.Inf(-1)
	for i, e := range st.Energies {
		logw[i] = make([]float64, len(st.AbsMs))
		for j, c := range st.Count[i] {
			if c == 0 {
				logw[i][j] = math.Inf(-1)
				continue
			}
			logw[i][j] = pmath.Log(float64(c)) - float64(K*float64(e))
			lz = logAddExp(lz, logw[i][j])
		}
	}
	d.LogZ = lz
	n := float64(st.N)
	var meanE, meanAbsM, meanM2 float64
	for i, e := range st.Energies {
		d.PJoint[i] = make([]float64, len(st.AbsMs))
		for j, m := range st.AbsMs {
			p := pmath.Exp(logw[i][j] - lz)
			d.PJoint[i][j] = p
			d.PEnergy[i] += p
			d.PAbsM[j] += p
			meanE += float64(p * float64(e))
			meanAbsM += float64(p * float64(m))
			meanM2 += float64(p * float64(m) * float64(m))
		}
	}
	var varE float64
	for i, e := range st.Energies {
		de := float64(e) - meanE
		varE += float64(d.PEnergy[i] * de * de)
	}
	var varAbsM float64
	for j, m := range st.AbsMs {
		dm := float64(m) - meanAbsM
		varAbsM += float64(d.PAbsM[j] * dm * dm)
	}
	d.MeanEnergy = meanE / n
	d.SpecificHeat = 0 // K^2 overflows beyond K ~ 1e154, where Var(E) is 0 in float64
	if varE > 0 {
		d.SpecificHeat = K * K * varE / n
	}
	d.MeanAbsM = meanAbsM / n
	d.MeanM2 = meanM2 / (n * n)
	d.Susceptibility = varAbsM / n // N (<m^2> - <|m|>^2) = Var(|M|)/N
	return d, nil
}

func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + pmath.Log1p(pmath.Exp(b-a))
}

// stateMoments are ln Z, <E>, Var(E) and c = K^2 Var(E)/N from the counted states.
type stateMoments struct {
	lnZ, meanE, varE, c float64
}

// moments weights the states at coupling K > 0 relative to the ground state, so that neither
// ln Z (about 2NK) nor the tiny excited-state weights of a huge K lose precision: with
// d = E - E_0 >= 0, ln Z = -K E_0 + ln sum c_d e^{-K d}, <d> is a sum of non-negative terms and
// Var(E) = sum p (d - <d>)^2 keeps its full relative precision even when it is e^{-8K} small.
func (st *States) moments(K float64) stateMoments {
	e0 := float64(st.Energies[0])
	type level struct{ d, logw float64 }
	lv := make([]level, 0, len(st.Energies))
	lz := math.Inf(-1)
	for i, e := range st.Energies {
		var c uint64
		for _, v := range st.Count[i] {
			c += v
		}
		if c == 0 {
			continue
		}
		d := float64(e) - e0
		l := level{d, pmath.Log(float64(c)) - float64(K*d)}
		lv = append(lv, l)
		lz = logAddExp(lz, l.logw)
	}
	var mean float64
	for _, l := range lv {
		mean += float64(pmath.Exp(l.logw-lz) * l.d)
	}
	var v float64
	for _, l := range lv {
		dd := l.d - mean
		v += float64(pmath.Exp(l.logw-lz) * dd * dd)
	}
	m := stateMoments{lnZ: float64(-K*e0) + lz, meanE: e0 + mean, varE: v}
	if v > 0 {
		m.c = pmath.Exp(2*pmath.Log(K) + pmath.Log(v) - pmath.Log(float64(st.N)))
	}
	return m
}
