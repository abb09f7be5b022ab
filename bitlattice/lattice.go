package bitlattice

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

// Kc is the critical coupling of the square lattice, ln(1+sqrt 2)/2.
const Kc = exact.Kc

// Lattice holds Replicas independent copies of an L x L periodic Ising
// lattice, multi-spin coded in blocks of 256 replicas (see package
// asm/ising for the layout). Replicas beyond Replicas in the last block are
// simulated and ignored.
type Lattice struct {
	L, Replicas int
	blocks      int
	spins       []uint64 // blocks * L*L * ising.BlockWords
	state       [][ising.StateWords]uint64
	// The thresholds of the coupling swept last, built once per coupling.
	thK float64
	th  *ising.Thresholds
	// tab is the site table of ising.Counts (countTable), built on first
	// use.
	tabOnce sync.Once
	tab     []int32
	// kernelNanos sums the wall time of the kernel calls over all threads.
	kernelNanos atomic.Int64
}

// Blocks returns the number of 256-replica blocks.
func (l *Lattice) Blocks() int { return l.blocks }

// NewLattice returns replicas lattices of side L. Lane w of block b (replicas
// 64*(4b+w) .. 64*(4b+w)+63) draws from rng.Stream(seed, 4b+w), first for its
// start configuration: with hot, every site word is one output (a random
// configuration); otherwise one output chooses, per replica, all spins up
// (bit set) or all down.
func NewLattice(L, replicas int, seed uint64, hot bool) (*Lattice, error) {
	if L < 2 {
		return nil, fmt.Errorf("bitlattice: L = %d, want >= 2", L)
	}
	if replicas < 1 {
		return nil, fmt.Errorf("bitlattice: replicas = %d, want >= 1", replicas)
	}
	blocks := (replicas + ising.BlockReplicas - 1) / ising.BlockReplicas
	if bytes := float64(blocks) * float64(L) * float64(L) * ising.BlockReplicas / 8; bytes > MaxBytes {
		return nil, fmt.Errorf("bitlattice: L = %d with %d replicas needs %.3g GiB, above the %d GiB bound",
			L, replicas, bytes/(1<<30), MaxBytes>>30)
	}
	l := &Lattice{L: L, Replicas: replicas, blocks: blocks,
		spins: make([]uint64, blocks*L*L*ising.BlockWords),
		state: make([][ising.StateWords]uint64, blocks)}
	adviseHugePages(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(l.spins))), 8*len(l.spins)))
	parallel(blocks, 0, func(b int) {
		per := L * L * ising.BlockWords
		sp := l.spins[b*per : (b+1)*per]
		for w := range ising.BlockWords {
			g := rng.Stream(seed, uint64(ising.BlockWords*b+w))
			if hot {
				for s := 0; s < L*L; s++ {
					sp[s*ising.BlockWords+w] = g.Uint64()
				}
			} else {
				up := g.Uint64()
				for s := 0; s < L*L; s++ {
					sp[s*ising.BlockWords+w] = up
				}
			}
			for i := range 4 {
				l.state[b][4*i+w] = g.S[i]
			}
		}
	})
	return l, nil
}

// MaxBytes bounds the memory of a lattice plus its stored samples.
const MaxBytes = 8 << 30

// threadCount resolves a thread request: <= 0 means all cores.
func threadCount(threads int) int {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return threads
}

// parallel calls f(i) for i in [0, n) on up to threads goroutines (<= 0: all
// cores). Work is handed out one index at a time, so results never depend on
// which goroutine ran which index.
func parallel(n, threads int, f func(i int)) {
	threads = min(threadCount(threads), n)
	if threads <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// block returns the spin words of block b.
func (l *Lattice) block(b int) []uint64 {
	per := l.L * l.L * ising.BlockWords
	return l.spins[b*per : (b+1)*per]
}

// Sweep runs sweeps Metropolis sweeps at coupling K on every replica, using
// up to threads goroutines (<= 0: all cores). Each block advances its own
// generator streams, so the result does not depend on threads.
func (l *Lattice) Sweep(K float64, sweeps, threads int) error {
	th, err := l.thresholds(K)
	if err != nil {
		return err
	}
	if sweeps < 0 {
		return fmt.Errorf("bitlattice: sweeps = %d, want >= 0", sweeps)
	}
	if sweeps == 0 {
		return nil
	}
	g := l.groupSize(threadCount(threads))
	parallel(l.groups(g), threads, func(j int) { l.sweepGroup(g, j, th, sweeps) })
	return nil
}

// thresholds returns the kernel's thresholds for K, rebuilt only when K
// changes.
func (l *Lattice) thresholds(K float64) (*ising.Thresholds, error) {
	if l.th != nil && l.thK == K {
		return l.th, nil
	}
	th, err := ising.NewThresholds(K)
	if err != nil {
		return nil, err
	}
	l.th, l.thK = th, K
	return th, nil
}

// groupSize returns the number of consecutive blocks one job sweeps with
// threads goroutines: ising.GroupBlocks() (the blocks the kernels run
// together, 4 or 2), halved while that would leave fewer jobs than threads,
// but never below 2 (a pair, which the kernels of every CPU interleave).
func (l *Lattice) groupSize(threads int) int {
	g := ising.GroupBlocks()
	for g > 2 && (l.blocks+g-1)/g < threads {
		g /= 2
	}
	return g
}

// groups returns the number of jobs of g blocks; the last may hold fewer.
func (l *Lattice) groups(g int) int { return (l.blocks + g - 1) / g }

// sweepGroup runs sweeps sweeps over the blocks of job j (g blocks from
// block g*j on) and adds the time to the kernel time.
func (l *Lattice) sweepGroup(g, j int, th *ising.Thresholds, sweeps int) {
	start := time.Now()
	lo, hi := g*j, min(g*(j+1), l.blocks)
	per := l.L * l.L * ising.BlockWords
	ising.SweepBlocks(l.spins[lo*per:hi*per], l.L, l.state[lo:hi], th, sweeps)
	l.kernelNanos.Add(int64(time.Since(start)))
}

// Config writes the configuration of replica r into dst (length L*L, row
// major, 1 = up) and returns it; dst is allocated when nil.
func (l *Lattice) Config(r int, dst []uint8) []uint8 {
	if r < 0 || r >= l.Replicas {
		panic(fmt.Sprintf("bitlattice: replica %d out of range [0, %d)", r, l.Replicas))
	}
	n := l.L * l.L
	if dst == nil {
		dst = make([]uint8, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("bitlattice: len(dst) = %d, want L*L = %d", len(dst), n))
	}
	sp := l.block(r / ising.BlockReplicas)
	w, q := (r%ising.BlockReplicas)/64, uint(r%64)
	for s := range n {
		dst[s] = uint8(sp[s*ising.BlockWords+w] >> q & 1)
	}
	return dst
}

// SetConfig sets replica r to the configuration src (length L*L, 1 = up).
func (l *Lattice) SetConfig(r int, src []uint8) {
	n := l.L * l.L
	if r < 0 || r >= l.Replicas || len(src) != n {
		panic(fmt.Sprintf("bitlattice: SetConfig(%d, len %d): want replica < %d and length %d", r, len(src), l.Replicas, n))
	}
	sp := l.block(r / ising.BlockReplicas)
	w, q := (r%ising.BlockReplicas)/64, uint(r%64)
	for s := range n {
		sp[s*ising.BlockWords+w] = sp[s*ising.BlockWords+w]&^(1<<q) | uint64(src[s]&1)<<q
	}
}

// transpose8x8 transposes the 8x8 byte matrix whose row i is x[i], byte j
// of row i at bits 8j..8j+7: afterwards byte i of x[j] is what byte j of
// x[i] was.
func transpose8x8(x *[8]uint64) {
	for _, p := range [...]struct {
		d    uint
		mask uint64
	}{{8, 0x00FF00FF00FF00FF}, {16, 0x0000FFFF0000FFFF}, {32, 0x00000000FFFFFFFF}} {
		h := int(p.d / 8)
		for i := range 8 {
			if i&h != 0 {
				continue
			}
			t := (x[i]>>p.d ^ x[i+h]) & p.mask
			x[i+h] ^= t
			x[i] ^= t << p.d
		}
	}
}

// configs writes the configurations of the first k replicas of block b
// (as Config does) into dst, one after the other, len(dst) >= k*L*L. Eight
// sites of 64 replicas at a time: each site word is read once, an 8x8 byte
// transpose gathers byte j of the eight words (replicas 8j..8j+7), and
// replica 8j+q's eight bytes are bit q of each of those bytes,
// (x >> q) & 0x0101010101010101. The bytes of 64 sites go to a tile first,
// which is then copied out row by row: each replica's 64 bytes (a cache
// line's worth) are written together, not 8 bytes at a time across 64 rows.
func (l *Lattice) configs(b, k int, dst []uint8) {
	n := l.L * l.L
	sp := l.block(b)
	const W = ising.BlockWords
	full := n &^ 7
	var tile [64][64]uint8
	for w := range W {
		rows := min(64, k-64*w)
		if rows <= 0 {
			break
		}
		for s0 := 0; s0 < full; s0 += 64 {
			cols := min(64, full-s0)
			for c := 0; c < cols; c += 8 {
				var x [8]uint64
				for i := range x {
					x[i] = sp[(s0+c+i)*W+w]
				}
				transpose8x8(&x)
				for j, v := range x {
					for q := range 8 {
						binary.LittleEndian.PutUint64(tile[8*j+q][c:c+8], v>>q&0x0101010101010101)
					}
				}
			}
			for r := range rows {
				o := (64*w+r)*n + s0
				if cols == 64 {
					*(*[64]uint8)(dst[o : o+64]) = tile[r]
				} else {
					copy(dst[o:o+cols], tile[r][:cols])
				}
			}
		}
	}
	s := full
	for ; s < n; s++ {
		for r := range k {
			dst[r*n+s] = uint8(sp[s*W+r/64] >> (r % 64) & 1)
		}
	}
}
