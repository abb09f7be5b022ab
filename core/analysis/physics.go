package analysis

import (
	"fmt"
	"math"
)

// DefaultJackknifeBlocks is the number of contiguous blocks the jackknife error estimates use
// when the caller passes 0.
const DefaultJackknifeBlocks = 20

// Energy returns the Ising energy per spin u = -(1/N) sum over nearest-neighbour bonds s_i s_j
// (2N bonds on the L x L torus, J = 1) of one configuration v (L*L bytes, nonzero = up).
// It panics unless L >= 1 and len(v) == L*L.
func Energy(v []uint8, L int) float64 {
	if L < 1 || len(v) != L*L {
		panic(fmt.Sprintf("analysis: Energy of %d spins on an L = %d lattice, want L >= 1 and L*L spins", len(v), L))
	}
	bonds := 0 // sum of s_i s_j over right and down bonds
	for y := 0; y < L; y++ {
		row := v[y*L : (y+1)*L]
		down := v[((y+1)%L)*L : ((y+1)%L+1)*L]
		for x := 0; x < L; x++ {
			s := row[x] != 0
			if s == (row[(x+1)%L] != 0) {
				bonds++
			} else {
				bonds--
			}
			if s == (down[x] != 0) {
				bonds++
			} else {
				bonds--
			}
		}
	}
	return -float64(bonds) / float64(L*L)
}

// Magnetization returns the magnetization per spin (1/N) sum s_i of one configuration.
// It panics on an empty configuration.
func Magnetization(v []uint8) float64 {
	if len(v) == 0 {
		panic("analysis: Magnetization of an empty configuration")
	}
	up := 0
	for _, s := range v {
		if s != 0 {
			up++
		}
	}
	return float64(2*up-len(v)) / float64(len(v))
}

// Thermo holds the thermodynamics of a set of configurations at coupling K (J = 1), per spin,
// with jackknife errors over Blocks contiguous blocks of configurations (blocks of consecutive
// configurations also absorb their autocorrelation when they are longer than it).
//
//	U   = <u>                          energy per spin
//	AbsM = <|m|>                       absolute magnetization per spin
//	M2  = <m^2>
//	C   = K^2 N (<u^2> - <u>^2)        specific heat per spin
//	Chi = K N (<m^2> - <|m|>^2)        susceptibility per spin (finite-lattice form, with |m|)
type Thermo struct {
	N, L, Samples, Blocks int
	K                     float64
	U, UErr               float64
	AbsM, AbsMErr         float64
	M2, M2Err             float64
	C, CErr               float64
	Chi, ChiErr           float64
}

// Thermodynamics computes Thermo of n configurations (n*L*L bytes, nonzero = up) at coupling K.
// blocks <= 0 means DefaultJackknifeBlocks; it is reduced to n when n is smaller. Probabilities
// (reconstructions) must first be turned into configurations with Binarize.
func Thermodynamics(configs []uint8, L int, K float64, blocks int) (Thermo, error) {
	N, err := sites("Thermodynamics", L)
	if err != nil {
		return Thermo{}, err
	}
	if len(configs)%N != 0 || len(configs) == 0 {
		return Thermo{}, fmt.Errorf("Thermodynamics: configs has %d bytes, want a positive multiple of L*L = %d", len(configs), N)
	}
	n := len(configs) / N
	u := make([]float64, n)
	m := make([]float64, n)
	for s := range u {
		v := configs[s*N : (s+1)*N]
		u[s] = Energy(v, L)
		m[s] = Magnetization(v)
	}
	return thermoFrom(u, m, L, K, blocks), nil
}

// ThermoFromSeries is Thermodynamics on precomputed per-configuration energies u and
// magnetizations m (per spin, signed).
func ThermoFromSeries(u, m []float64, L int, K float64, blocks int) (Thermo, error) {
	if _, err := sites("ThermoFromSeries", L); err != nil {
		return Thermo{}, err
	}
	if len(u) != len(m) || len(u) == 0 {
		return Thermo{}, fmt.Errorf("ThermoFromSeries: %d energies and %d magnetizations, want equal and > 0", len(u), len(m))
	}
	return thermoFrom(u, m, L, K, blocks), nil
}

type moments struct{ n, u, u2, am, m2 float64 }

func (a moments) add(b moments) moments {
	return moments{a.n + b.n, a.u + b.u, a.u2 + b.u2, a.am + b.am, a.m2 + b.m2}
}
func (a moments) sub(b moments) moments {
	return moments{a.n - b.n, a.u - b.u, a.u2 - b.u2, a.am - b.am, a.m2 - b.m2}
}

// estimates returns U, AbsM, M2, C, Chi from summed moments.
func (a moments) estimates(N int, K float64) [5]float64 {
	U, U2, AM, M2 := a.u/a.n, a.u2/a.n, a.am/a.n, a.m2/a.n
	return [5]float64{U, AM, M2, K * K * float64(N) * (U2 - float64(U*U)), K * float64(N) * (M2 - float64(AM*AM))}
}

func thermoFrom(u, m []float64, L int, K float64, blocks int) Thermo {
	n := len(u)
	N := L * L
	if blocks <= 0 {
		blocks = DefaultJackknifeBlocks
	}
	if blocks > n {
		blocks = n
	}
	bm := make([]moments, blocks)
	var tot moments
	for b := 0; b < blocks; b++ {
		lo, hi := b*n/blocks, (b+1)*n/blocks
		for s := lo; s < hi; s++ {
			x := moments{1, u[s], u[s] * u[s], math.Abs(m[s]), m[s] * m[s]}
			bm[b] = bm[b].add(x)
		}
		tot = tot.add(bm[b])
	}
	full := tot.estimates(N, K)
	var errs [5]float64
	if blocks >= 2 {
		loo := make([][5]float64, blocks)
		var mean [5]float64
		for b := range bm {
			loo[b] = tot.sub(bm[b]).estimates(N, K)
			for k := range mean {
				mean[k] += loo[b][k] / float64(blocks)
			}
		}
		for b := range loo {
			for k := range errs {
				d := loo[b][k] - mean[k]
				errs[k] += float64(d * d)
			}
		}
		for k := range errs {
			errs[k] = math.Sqrt(errs[k] * float64(blocks-1) / float64(blocks))
		}
	} else {
		for k := range errs {
			errs[k] = math.NaN()
		}
	}
	return Thermo{N: N, L: L, Samples: n, Blocks: blocks, K: K,
		U: full[0], UErr: errs[0], AbsM: full[1], AbsMErr: errs[1], M2: full[2], M2Err: errs[2],
		C: full[3], CErr: errs[3], Chi: full[4], ChiErr: errs[4]}
}

// BinarizeMode says how probabilities become spins.
type BinarizeMode int

const (
	// Sample draws each spin up with its probability (seeded): the configuration an RBM's
	// Gibbs step would produce. The default.
	Sample BinarizeMode = iota
	// Threshold sets a spin up when its probability is >= 0.5.
	Threshold
)

func (m BinarizeMode) String() string {
	switch m {
	case Sample:
		return "sampled (spin up with its probability)"
	case Threshold:
		return "thresholded at 0.5"
	}
	return fmt.Sprintf("BinarizeMode(%d)", int(m))
}

// Binarize turns probabilities p (e.g. reconstructed visibles) into configurations (1 = up)
// by mode; Sample draws from a xoshiro256++ generator seeded with seed. A NaN probability
// gives a down spin in both modes (no comparison with NaN holds), as do p <= 0; Sample sets
// p >= 1 up.
func Binarize(p []float32, mode BinarizeMode, seed uint64) []uint8 {
	out := make([]uint8, len(p))
	switch mode {
	case Threshold:
		for i, x := range p {
			if x >= 0.5 {
				out[i] = 1
			}
		}
	default:
		g := newRand(seed)
		for i, x := range p {
			if g.Float32() < x {
				out[i] = 1
			}
		}
	}
	return out
}

// ToFloat32 returns configurations as float32 visibles (0 or 1).
func ToFloat32(v []uint8) []float32 {
	out := make([]float32, len(v))
	for i, s := range v {
		if s != 0 {
			out[i] = 1
		}
	}
	return out
}
