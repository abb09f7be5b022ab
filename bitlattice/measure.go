package bitlattice

import "github.com/isingrbm/isingrbm/asm/ising"

// countTable returns ising.CountTable(L) of the lattice, built once.
func (l *Lattice) countTable() *ising.SiteTable {
	l.tabOnce.Do(func() { l.tab = ising.CountTable(l.L) })
	return l.tab
}

// blockCounts returns, per lane of block b, the number of anti-aligned bonds
// (the right and the down bond of every site) and of up spins
// (ising.Counts: a carry-save tree, with AVX-512 and AVX2 kernels on amd64
// and a NEON one on arm64).
func (l *Lattice) blockCounts(b int, anti, up *[ising.BlockReplicas]int32) {
	ising.Counts(l.block(b), l.L, l.countTable(), anti, up)
}

// measure fills e (energy per spin) and m (magnetization per spin) for the
// replicas of blocks [0, nb), each of length at least min(Replicas, 256*nb).
func (l *Lattice) measure(nb, threads int, e, m []float64) {
	parallel(nb, threads, func(b int) {
		r := b * ising.BlockReplicas
		l.measureBlock(b, e[r:], m[r:])
	})
}

// measureBlock fills e[q] and m[q] for replica 256*b+q of block b, for the
// replicas below Replicas.
func (l *Lattice) measureBlock(b int, e, m []float64) {
	N := int32(l.L * l.L)
	n := float64(N)
	var anti, up [ising.BlockReplicas]int32
	l.blockCounts(b, &anti, &up)
	for q := range min(ising.BlockReplicas, l.Replicas-b*ising.BlockReplicas) {
		// sum over the 2N bonds of s_i s_j = 2N - 2*anti.
		e[q] = float64(2*anti[q]-2*N) / n
		m[q] = float64(2*up[q]-N) / n
	}
}

// Observables returns, per replica, the energy per spin
// u = -(1/N) sum_<ij> s_i s_j and the magnetization per spin m, using up to
// threads goroutines. Slices of length Replicas are reused when given.
func (l *Lattice) Observables(e, m []float64, threads int) ([]float64, []float64) {
	if len(e) != l.Replicas {
		e = make([]float64, l.Replicas)
	}
	if len(m) != l.Replicas {
		m = make([]float64, l.Replicas)
	}
	l.measure(l.blocks, threads, e, m)
	return e, m
}

// Energies returns the energy per spin of every replica.
func (l *Lattice) Energies() []float64 {
	e, _ := l.Observables(nil, nil, 0)
	return e
}

// Magnetizations returns the magnetization per spin of every replica.
func (l *Lattice) Magnetizations() []float64 {
	_, m := l.Observables(nil, nil, 0)
	return m
}
