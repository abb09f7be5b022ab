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
	gen         ising.Generator
	state       [][ising.StateWords]uint64
	// The thresholds of the coupling swept last, built once per coupling.
	thK float64
	th  *ising.Thresholds
	// tab is the site table of ising.Counts (countTable), built on first
	// use.
	tabOnce sync.Once
	tab     *ising.SiteTable
	// kernelNanos sums the wall time of the kernel calls over all threads.
	kernelNanos atomic.Int64
}

// Generator returns the kind of the lattice's random streams.
func (l *Lattice) Generator() ising.Generator { return l.gen }

// Blocks returns the number of 256-replica blocks.
func (l *Lattice) Blocks() int { return l.blocks }

// NewLattice returns replicas lattices of side L whose Metropolis updates
// draw from xoshiro256++ streams: NewLatticeGen(L, replicas, seed, hot,
// ising.Xoshiro256pp).
func NewLattice(L, replicas int, seed uint64, hot bool) (*Lattice, error) {
	return NewLatticeGen(L, replicas, seed, hot, ising.Xoshiro256pp)
}

// NewLatticeGen returns replicas lattices of side L whose updates draw from
// streams of kind gen. Lane w of block b (replicas 64*(4b+w) ..
// 64*(4b+w)+63) first draws its start configuration from the xoshiro256++
// stream x = rng.Stream(seed, 4b+w), for every generator: with hot, every
// site word is one output (a random configuration); otherwise one output
// chooses, per replica, all spins up (bit set) or all down. Its updates then
// continue x (ising.Xoshiro256pp), or draw from rng.NewSFC64 seeded with
// the next three outputs of x (ising.SFC64). So both generators start from
// the same configurations.
func NewLatticeGen(L, replicas int, seed uint64, hot bool, gen ising.Generator) (*Lattice, error) {
	if !gen.Valid() {
		return nil, fmt.Errorf("bitlattice: generator %v, want %v or %v", gen, ising.Xoshiro256pp, ising.SFC64)
	}
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
	l := &Lattice{L: L, Replicas: replicas, blocks: blocks, gen: gen,
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
			st := g.S
			if gen == ising.SFC64 {
				st = rng.NewSFC64(g.Uint64(), g.Uint64(), g.Uint64()).S
			}
			for i := range 4 {
				l.state[b][4*i+w] = st[i]
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
// generator streams, so the result does not depend on threads. Any finite
// K >= 0 runs the kernels, but above MaxSampleK their acceptance
// probabilities err by more than 1% (Sample refuses such K).
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
	ising.SweepBlocks(l.gen, l.spins[lo*per:hi*per], l.L, l.state[lo:hi], th, sweeps)
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

// Masks of the delta swaps that transpose an 8x8 byte matrix held in eight
// words (row i in word i, byte j of row i at bits 8j..8j+7), and ones, 1 in
// every byte: x>>q & ones holds bit q of each byte of x, as a byte.
const (
	m8   = 0x00FF00FF00FF00FF
	m16  = 0x0000FFFF0000FFFF
	m32  = 0x00000000FFFFFFFF
	ones = 0x0101010101010101
)

// swap is a delta swap: it exchanges the bits of b under mask m with those
// of a under m<<d.
func swap(a, b uint64, d uint, m uint64) (uint64, uint64) {
	t := (a>>d ^ b) & m
	return a ^ t<<d, b ^ t
}

// transpose4 finishes the byte transpose of an 8x8 matrix for one half of
// it: given x0..x3, whose 32-bit halves are the halves of rows i and i+4
// already exchanged (x_i = row i's bytes h*4..h*4+3 low, row i+4's high),
// it returns the rows 4h..4h+3 of the transpose, by the 16-bit and 8-bit
// delta swaps.
func transpose4(x0, x1, x2, x3 uint64) (uint64, uint64, uint64, uint64) {
	x0, x2 = swap(x0, x2, 16, m16)
	x1, x3 = swap(x1, x3, 16, m16)
	x0, x1 = swap(x0, x1, 8, m8)
	x2, x3 = swap(x2, x3, 8, m8)
	return x0, x1, x2, x3
}

// transpose8x8 transposes the 8x8 byte matrix whose row i is x[i]: byte i
// of the result's row j is byte j of row i.
func transpose8x8(x *[8]uint64) {
	var lo, hi [4]uint64
	for i := range 4 {
		lo[i] = x[i]&m32 | x[i+4]<<32
		hi[i] = x[i]>>32 | x[i+4]&^m32
	}
	x[0], x[1], x[2], x[3] = transpose4(lo[0], lo[1], lo[2], lo[3])
	x[4], x[5], x[6], x[7] = transpose4(hi[0], hi[1], hi[2], hi[3])
}

// put stores x at p, little-endian.
func put(p unsafe.Pointer, x uint64) {
	binary.LittleEndian.PutUint64((*[8]byte)(p)[:], x)
}

// unpack32 stores 8 sites of 32 replicas, one byte per spin, replica r's
// at p + r*n: x0..x3 hold the sites' bytes after the 32-bit delta swap of
// the 8x8 byte transpose (word i: bytes of the replicas' half from sites i,
// i+4), and the 16- and 8-bit swaps finish it.
func unpack32(p unsafe.Pointer, n int, x0, x1, x2, x3 uint64) {
	x0, x1, x2, x3 = transpose4(x0, x1, x2, x3)
	n8 := 8 * n
	for range 8 {
		put(p, x0&ones)
		put(unsafe.Add(p, n8), x1&ones)
		put(unsafe.Add(p, 2*n8), x2&ones)
		put(unsafe.Add(p, 3*n8), x3&ones)
		x0, x1, x2, x3 = x0>>1, x1>>1, x2>>1, x3>>1
		p = unsafe.Add(p, n)
	}
}

// configs writes the configurations of the first k replicas of block b
// (as Config does) into dst, one after the other, len(dst) >= k*L*L. Eight
// sites of 64 replicas (one word of the block) at a time: an 8x8 byte
// transpose of the eight site words gathers byte j of the eight words
// (replicas 8j..8j+7) in one word, and replica 8j+q's eight bytes are bit q
// of each of its bytes, (x >> q) & ones, stored straight into its row. The
// transpose's 32-bit swap splits it into two halves of four words
// (replicas 0..31 of the word, then 32..63), each finished and stored by a
// call of unpack32, small enough for the compiler to keep in registers (a
// whole 8x8 transpose inline spills: 4-5 GB/s for the version that kept the
// words in an array, 14 GB/s for this one at L = 40 on Zen 5 into a
// destination in L2). The 64 rows of a word advance together, 8 bytes each
// per step, so a row's cache line fills within 8 steps. A word with fewer
// than 64 of the k replicas goes through an array, and the last L*L mod 8
// sites bit by bit.
func (l *Lattice) configs(b, k int, dst []uint8) {
	n := l.L * l.L
	sp := l.block(b)
	const W = ising.BlockWords
	full := n &^ 7
	dst = dst[:k*n]
	for w := range W {
		rows := min(64, k-64*w)
		if rows <= 0 {
			break
		}
		out := dst[64*w*n : (64*w+rows)*n]
		if rows < 64 {
			for s := 0; s < full; s += 8 {
				g := sp[s*W+w:][:7*W+1]
				x := [8]uint64{g[0], g[W], g[2*W], g[3*W], g[4*W], g[5*W], g[6*W], g[7*W]}
				transpose8x8(&x)
				for r := range rows {
					binary.LittleEndian.PutUint64(out[r*n+s:], x[r/8]>>(r%8)&ones)
				}
			}
			continue
		}
		// Every store below is within out: rows 0..63 of n bytes, sites
		// s..s+7 < full <= n.
		base := unsafe.Pointer(unsafe.SliceData(out))
		for s := 0; s < full; s += 8 {
			g := (*[7*W + 1]uint64)(sp[s*W+w:])
			p := unsafe.Add(base, s)
			unpack32(p, n, g[0]&m32|g[4*W]<<32, g[W]&m32|g[5*W]<<32, g[2*W]&m32|g[6*W]<<32, g[3*W]&m32|g[7*W]<<32)
			unpack32(unsafe.Add(p, 32*n), n, g[0]>>32|g[4*W]&^m32, g[W]>>32|g[5*W]&^m32, g[2*W]>>32|g[6*W]&^m32, g[3*W]>>32|g[7*W]&^m32)
		}
	}
	for s := full; s < n; s++ {
		for r := range k {
			dst[r*n+s] = uint8(sp[s*W+r/64] >> (r % 64) & 1)
		}
	}
}
