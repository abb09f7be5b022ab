package ising

import (
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/asm"
)

// Block layout.
//
// A block holds 256 replicas of an L x L periodic lattice: BlockWords = 4
// uint64 words per site, bit q of word w belonging to replica 64*w+q (a bit is
// 1 when the spin is up). Sites are stored row-major, site (x, y) at words
// [4*(y*L+x), 4*(y*L+x)+4). Each word w has its own xoshiro256++ stream; the
// four states are stored interleaved, state[4*i+w] = S[i] of stream w, so that
// a vector register holds S[i] of the four streams.
//
// Update order of one sweep: rows y = 0..L-1; within a row first the even
// columns x = 0, 2, 4, ..., then the odd ones. Every order visits each site
// once, so each sweep is a product of single-site Metropolis updates, each of
// which satisfies detailed balance. (The sweep chain is ergodic for L >= 4;
// for L = 2 and 3 it is not, see bitlattice.MinSampleL.)
//
// Acceptance (per replica, independent random bits).
//
// With a_i = s XOR (neighbour i) the anti-aligned indicators of the four
// bonds of a site and n = a_1+a_2+a_3+a_4, the energy change of a flip is
// dE = 8 - 4n (J = 1), so n >= 2 flips always, n = 1 flips with probability
// p4 = exp(-4K) and n = 0 with p8 = exp(-8K). Let P4 and P8 be the 24-bit
// truncations floor(p*2^24) (capped at 2^24-1), with bits P[1..24], most
// significant first. A replica flips if U < P, where U = 0.u_1 u_2 ... is a
// uniform number whose bits are drawn lazily: at step k (k = 1..24) every
// stream of the block yields one 64-bit output, whose bit q is u_k of replica
// q of that word. Per replica, bit-sliced over the 256 lanes:
//
//	t   = (n==1 & P4[k]) | (n==0 & P8[k])   // this step's threshold bit
//	acc |= und & t & ^u_k                   // u < p decided: accept
//	und &^= u_k ^ t                         // decided either way
//
// starting from und = (n <= 1), acc = 0. A lane whose first 24 bits equal the
// threshold's stays undecided and is rejected, so the acceptance probability
// is exactly P/2^24, within 2^-24 of p.
//
// Early exit, defined on the whole 256-replica block so that all
// implementations advance the streams identically: steps 1..Unconditional
// always run; before each later step the block stops if no lane of its four
// words is undecided; after step 24 it stops in any case. The number of
// outputs drawn per site therefore depends only on the block's state and its
// streams, never on the implementation or the thread running it.
//
// Why Unconditional = 10: at equilibrium at L = 40, K = 0.408 (K_c), about
// 198 (221) of the 256 lanes need random bits and the block is decided after
// 9.0 (9.1) steps on average, 5 at least. With tests from step 8 on, the
// exit branch is mispredicted about once per site (~15 cycles) for 9.2
// steps; from step 10 on, 0.35 (0.39) times for 10.4 steps; from step 12,
// 0.09 times for 12.1 steps. One step costs about 4-5 cycles (14 AVX2
// operations of xoshiro256++ plus 1-3 of comparison), so 10 is the cheapest.
//
// Sweep2 runs two blocks. The AVX2 kernel interleaves their generator steps:
// the dependency chain through a block's xoshiro256++ state bounds one step
// to about 5.5 cycles, while two independent chains share the vector units
// at about 4.2 cycles a step each. Each block keeps its own early exit (a
// block that is decided draws no further outputs while the other runs on),
// so Sweep2 equals two calls of Sweep bit for bit. Measured at L = 40,
// K = 0.408 on a Zen 3 core: 9.9 flips/ns with Sweep, 11.3 with Sweep2.
const (
	BlockWords    = 4
	BlockReplicas = 64 * BlockWords
	// StateWords is the length of a block's generator state.
	StateWords = 4 * BlockWords
	// Steps is the number of threshold bits compared at most.
	Steps = 24
	// Unconditional is the number of comparison steps every site update runs
	// before the first test that all lanes are decided.
	Unconditional = 10
)

// Thresholds is the binary expansion of the two acceptance probabilities as
// lane masks: M4[k][w] is all ones when bit k+1 of P4 is set, else zero;
// likewise M8 for P8. The kernels read it as two tables of 24 vectors.
type Thresholds struct {
	M4, M8 [Steps][BlockWords]uint64
	P4, P8 uint32 // the 24-bit integers
}

// NewThresholds returns the thresholds of coupling K (K >= 0, finite).
func NewThresholds(K float64) (*Thresholds, error) {
	if math.IsNaN(K) || math.IsInf(K, 0) || K < 0 {
		return nil, fmt.Errorf("ising: coupling K = %v, want a finite number >= 0", K)
	}
	th := &Thresholds{P4: truncate24(math.Exp(-4 * K)), P8: truncate24(math.Exp(-8 * K))}
	for k := 0; k < Steps; k++ {
		var m4, m8 uint64
		if th.P4>>(Steps-1-k)&1 != 0 {
			m4 = ^uint64(0)
		}
		if th.P8>>(Steps-1-k)&1 != 0 {
			m8 = ^uint64(0)
		}
		for w := range BlockWords {
			th.M4[k][w], th.M8[k][w] = m4, m8
		}
	}
	return th, nil
}

// truncate24 returns floor(p*2^24), at most 2^24-1.
func truncate24(p float64) uint32 {
	v := math.Floor(p * (1 << Steps))
	if v >= 1<<Steps-1 {
		return 1<<Steps - 1
	}
	if v < 0 {
		return 0
	}
	return uint32(v)
}

// Sweep runs sweeps Metropolis sweeps over one block: spins holds
// L*L*BlockWords words (layout above), state the block's four generator
// streams. It panics if the lengths do not match L.
func Sweep(spins []uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int) {
	if L < 2 {
		panic(fmt.Sprintf("ising: L = %d, want >= 2", L))
	}
	if len(spins) != L*L*BlockWords {
		panic(fmt.Sprintf("ising: len(spins) = %d, want L*L*%d = %d", len(spins), BlockWords, L*L*BlockWords))
	}
	if sweeps <= 0 {
		return
	}
	sweep(spins, L, state, th, sweeps)
}

// Sweep2 is Sweep(spinsA, L, stateA, th, sweeps) followed by
// Sweep(spinsB, L, stateB, th, sweeps); kernels may interleave the two
// independent blocks. The blocks must not overlap.
func Sweep2(spinsA, spinsB []uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int) {
	if L < 2 {
		panic(fmt.Sprintf("ising: L = %d, want >= 2", L))
	}
	if len(spinsA) != L*L*BlockWords || len(spinsB) != L*L*BlockWords {
		panic(fmt.Sprintf("ising: len(spins) = %d and %d, want L*L*%d = %d", len(spinsA), len(spinsB), BlockWords, L*L*BlockWords))
	}
	if sweeps <= 0 {
		return
	}
	sweep2(spinsA, spinsB, L, stateA, stateB, th, sweeps)
}

// Impl names the active implementation.
func Impl() string { return asm.Active("ising") }
