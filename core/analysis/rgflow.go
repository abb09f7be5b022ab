package analysis

import (
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

// Inverter maps a mean energy per spin u of an L x L torus to the coupling K with u(K) = u
// (exact.InvertEnergy has this signature and is the default).
type Inverter func(L int, u float64) (float64, error)

// Reconstructor maps visibles to reconstructed visible probabilities through a model of the
// given depth (v -> h1 -> ... -> h_depth -> ... -> v'). v holds one or more configurations of
// L*L values back to back (0/1); the result must have the same length. The analysis calls it on
// chunks of at most FlowOptions.Chunk configurations.
type Reconstructor func(v []float32, depth int) []float32

// KEff returns the effective coupling of n configurations (n*L*L bytes, nonzero = up): the K of
// the exact finite-lattice curve u(K) at their mean energy per spin u. inv nil means
// exact.InvertEnergy. K is NaN (and err set) when u is outside the invertible range.
func KEff(configs []uint8, L int, inv Inverter) (k, u float64, err error) {
	N, err := sites("KEff", L)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	if len(configs) == 0 || len(configs)%N != 0 {
		return math.NaN(), math.NaN(), fmt.Errorf("KEff: configs has %d bytes, want a positive multiple of L*L = %d", len(configs), N)
	}
	if inv == nil {
		inv = exact.InvertEnergy
	}
	n := len(configs) / N
	for s := 0; s < n; s++ {
		u += Energy(configs[s*N:(s+1)*N], L)
	}
	u /= float64(n)
	k, err = inv(L, u)
	if err != nil {
		return math.NaN(), u, fmt.Errorf("KEff: u = %.6f on L = %d: %w", u, L, err)
	}
	return k, u, nil
}

// KEffJackknife is KEff with jackknife errors over blocks contiguous blocks of configurations
// (blocks <= 0 means DefaultJackknifeBlocks, at most n): the energy is averaged leaving one
// block out, each such mean is inverted, and the spread of the inverted couplings gives kErr.
// kErr is NaN when fewer than two blocks or any leave-one-out mean cannot be inverted.
func KEffJackknife(configs []uint8, L int, inv Inverter, blocks int) (k, kErr, u, uErr float64, err error) {
	k, u, err = KEff(configs, L, inv)
	if err != nil {
		return k, math.NaN(), u, math.NaN(), err
	}
	if inv == nil {
		inv = exact.InvertEnergy
	}
	N := L * L
	n := len(configs) / N
	if blocks <= 0 {
		blocks = DefaultJackknifeBlocks
	}
	blocks = min(blocks, n)
	if blocks < 2 {
		return k, math.NaN(), u, math.NaN(), nil
	}
	sums := make([]float64, blocks)
	var tot float64
	for b := range sums {
		for s := b * n / blocks; s < (b+1)*n/blocks; s++ {
			sums[b] += Energy(configs[s*N:(s+1)*N], L)
		}
		tot += sums[b]
	}
	ks := make([]float64, blocks)
	us := make([]float64, blocks)
	var mk, mu float64
	for b := range sums {
		cnt := n - ((b+1)*n/blocks - b*n/blocks)
		us[b] = (tot - sums[b]) / float64(cnt)
		kb, e := inv(L, us[b])
		if e != nil {
			kb = math.NaN()
		}
		ks[b] = kb
		mk += kb / float64(blocks)
		mu += us[b] / float64(blocks)
	}
	var vk, vu float64
	for b := range ks {
		vk += float64((ks[b] - mk) * (ks[b] - mk))
		vu += float64((us[b] - mu) * (us[b] - mu))
	}
	f := float64(blocks-1) / float64(blocks)
	return k, math.Sqrt(vk * f), u, math.Sqrt(vu * f), nil
}

// FlowInput is one starting point of the RG flow: configurations drawn at coupling K.
type FlowInput struct {
	K       float64
	Configs []uint8 // n*L*L bytes, nonzero = up
}

// FlowOptions control RGFlow.
type FlowOptions struct {
	Depth      int          // depth passed to the Reconstructor (1 = first RBM only)
	Iterations int          // number of reconstruction steps v -> v'
	Mode       BinarizeMode // how reconstructed probabilities become spins (default Sample)
	Seed       uint64       // seeds Sample; stream id = index of the input
	Chunk      int          // configurations per Reconstructor call; <= 0 means 1000
	Inverter   Inverter     // nil means exact.InvertEnergy
	Blocks     int          // jackknife blocks for the errors; <= 0 means DefaultJackknifeBlocks
}

// Flow is the result of RGFlow: KEff[t][i] and U[t][i] are the effective coupling and the mean
// energy per spin of input i after t reconstruction steps (t = 0 is the input itself). KEff is
// NaN where the energy could not be inverted; Errors lists those cases. UErr and KEffErr are
// jackknife errors (see KEffJackknife).
type Flow struct {
	K       []float64
	U       [][]float64
	UErr    [][]float64
	KEff    [][]float64
	KEffErr [][]float64
	Depth   int
	Mode    BinarizeMode
	Errors  []string
}

// RGFlow iterates reconstruction Iterations times on each input's configurations and records
// K_eff after every step (Iso, Shiba & Yokoo 2018): if the RBM performs an RG step, K_eff moves
// away from K_c; they found it moves towards it.
func RGFlow(inputs []FlowInput, L int, rec Reconstructor, opt FlowOptions) (Flow, error) {
	if rec == nil {
		return Flow{}, fmt.Errorf("RGFlow: nil Reconstructor")
	}
	if opt.Iterations < 0 {
		return Flow{}, fmt.Errorf("RGFlow: %d iterations, want >= 0", opt.Iterations)
	}
	if opt.Mode != Sample && opt.Mode != Threshold {
		// An unknown mode would have run as Sample and been recorded as given.
		return Flow{}, fmt.Errorf("RGFlow: binarize mode %d, want Sample (%d) or Threshold (%d)", int(opt.Mode), int(Sample), int(Threshold))
	}
	chunk := opt.Chunk
	if chunk <= 0 {
		chunk = 1000
	}
	N, err := sites("RGFlow", L)
	if err != nil {
		return Flow{}, err
	}
	f := Flow{K: make([]float64, len(inputs)), Depth: opt.Depth, Mode: opt.Mode,
		U: make([][]float64, opt.Iterations+1), KEff: make([][]float64, opt.Iterations+1),
		UErr: make([][]float64, opt.Iterations+1), KEffErr: make([][]float64, opt.Iterations+1)}
	for t := range f.U {
		f.U[t] = make([]float64, len(inputs))
		f.KEff[t] = make([]float64, len(inputs))
		f.UErr[t] = make([]float64, len(inputs))
		f.KEffErr[t] = make([]float64, len(inputs))
	}
	for i, in := range inputs {
		f.K[i] = in.K
		if len(in.Configs) == 0 || len(in.Configs)%N != 0 {
			return Flow{}, fmt.Errorf("RGFlow: input %d (K = %g) has %d bytes, want a positive multiple of L*L = %d", i, in.K, len(in.Configs), N)
		}
		g := rng.Stream(opt.Seed, uint64(i))
		cur := in.Configs
		for t := 0; t <= opt.Iterations; t++ {
			if t > 0 {
				next, err := reconstructAll(cur, N, chunk, opt.Depth, rec, opt.Mode, &g)
				if err != nil {
					return Flow{}, fmt.Errorf("RGFlow: input %d (K = %g), step %d: %w", i, in.K, t, err)
				}
				cur = next
			}
			k, kErr, u, uErr, err := KEffJackknife(cur, L, opt.Inverter, opt.Blocks)
			f.U[t][i], f.KEff[t][i], f.UErr[t][i], f.KEffErr[t][i] = u, k, uErr, kErr
			if err != nil {
				f.Errors = append(f.Errors, fmt.Sprintf("K = %g, step %d: %v", in.K, t, err))
			}
		}
	}
	return f, nil
}

// reconstructAll reconstructs the configurations cur (of N sites each) chunk at a time and
// turns the probabilities into configurations by mode; a value that is not a probability
// (NaN, or outside [0, 1]) is an error, not a spin.
func reconstructAll(cur []uint8, N, chunk, depth int, rec Reconstructor, mode BinarizeMode, g *rng.Xoshiro256) ([]uint8, error) {
	next := make([]uint8, len(cur))
	step := min(chunk, len(cur)/N) * N // chunk * N may overflow
	for lo := 0; lo < len(cur); lo += step {
		hi := min(lo+step, len(cur))
		p := rec(ToFloat32(cur[lo:hi]), depth)
		if len(p) != hi-lo {
			return nil, fmt.Errorf("Reconstructor returned %d values for %d", len(p), hi-lo)
		}
		out := next[lo:hi]
		for j, x := range p {
			if !(x >= 0 && x <= 1) {
				return nil, fmt.Errorf("Reconstructor returned %v for visible %d of configuration %d, want a probability in [0, 1]", x, j%N, (lo+j)/N)
			}
			switch mode {
			case Threshold:
				if x >= 0.5 {
					out[j] = 1
				}
			default:
				if g.Float32() < x {
					out[j] = 1
				}
			}
		}
	}
	return next, nil
}

// Series returns one curve per step t: X = input K, Y = K_eff after t steps, Err its jackknife
// error, named "0 steps", "1 step", "2 steps", ...
func (f Flow) Series() []Series {
	out := make([]Series, len(f.KEff))
	for t, ks := range f.KEff {
		out[t] = Series{Name: fmt.Sprintf("%d step", t), X: append([]float64(nil), f.K...), Y: append([]float64(nil), ks...)}
		if t < len(f.KEffErr) {
			out[t].Err = append([]float64(nil), f.KEffErr[t]...)
		}
		if t != 1 {
			out[t].Name += "s"
		}
	}
	return out
}

// Reconstructions returns, for each index in idx, the original configuration followed by its
// reconstruction (probabilities) at each depth in depths: rows[r][0] is the original (0/1),
// rows[r][1+d] the reconstruction at depths[d]. The report draws them side by side.
func Reconstructions(configs []uint8, L int, idx, depths []int, rec Reconstructor) ([][][]float32, error) {
	N, err := sites("Reconstructions", L)
	if err != nil {
		return nil, err
	}
	if len(configs)%N != 0 {
		return nil, fmt.Errorf("Reconstructions: configs has %d bytes, not a multiple of L*L = %d", len(configs), N)
	}
	n := len(configs) / N
	rows := make([][][]float32, len(idx))
	for r, s := range idx {
		if s < 0 || s >= n {
			return nil, fmt.Errorf("Reconstructions: index %d outside [0, %d)", s, n)
		}
		v := ToFloat32(configs[s*N : (s+1)*N])
		rows[r] = append(rows[r], v)
		for _, d := range depths {
			p := rec(append([]float32(nil), v...), d)
			if len(p) != N {
				return nil, fmt.Errorf("Reconstructions: depth %d returned %d values, want %d", d, len(p), N)
			}
			rows[r] = append(rows[r], p)
		}
	}
	return rows, nil
}
