package bitlattice

import (
	"fmt"
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
	"gonum.org/v1/gonum/stat/distuv"
)

// Tests that the random streams of different replicas are independent:
// replicas that share or correlate their random bits (neighbouring bits of
// one stream, the four streams of a block, the blocks of a lattice, lattices
// with adjacent seeds) would have correlated configurations, which the
// histogram and energy tests of one replica at a time cannot see.

// replicaPair is replica a of lattice la and replica b of lattice lb.
type replicaPair struct{ la, a, lb, b int }

// pairClass is a set of replica pairs that share something in the
// layout of the streams.
type pairClass struct {
	name  string
	pairs []replicaPair
}

// streamPairClasses returns the pairs of replicas of two lattices of R
// replicas each (lattice 0 with seed s, lattice 1 with seed s+1) whose
// random bits are neighbours: replica r = 256b + 64w + q is bit q of
// stream w of block b. The classes within a lattice take the pairs of both.
func streamPairClasses(R int) []pairClass {
	within := func(name string, keep func(r int) bool, d int) pairClass {
		c := pairClass{name: name}
		for l := range 2 {
			for r := 0; r+d < R; r++ {
				if keep(r) {
					c.pairs = append(c.pairs, replicaPair{l, r, l, r + d})
				}
			}
		}
		return c
	}
	seeds := pairClass{name: "seeds s, s+1: same replica"}
	for r := range R {
		seeds.pairs = append(seeds.pairs, replicaPair{0, r, 1, r})
	}
	return []pairClass{
		within("bits q, q+1 of a stream", func(r int) bool { return r%64 != 63 }, 1),
		within("bit 63 of stream w, bit 0 of w+1", func(r int) bool { return r%64 == 63 && r%256 != 255 }, 1),
		within("bit 63 of block b, bit 0 of b+1", func(r int) bool { return r%256 == 255 }, 1),
		within("same bit of streams w, w+1", func(r int) bool { return r%256 < 192 }, 64),
		within("same lane of blocks b, b+1", func(r int) bool { return true }, 256),
		seeds,
	}
}

// The observables whose pair correlations are measured, on L = 8 lattices:
// the energy and |m|, standardized each round over all replicas, so that
// the mean of a pair's product estimates their correlation coefficient;
// the bond correlation, the correlation coefficient of the bond variables
// s_i s_j of the two configurations at the same bond (0 for independent
// replicas; replicas whose dynamics are coupled by shared random bits agree
// locally, even when they differ by a global spin flip, to which
// Metropolis' acceptance is blind); and the overlap
// q = (1/N) sum_i s_i s'_i, whose mean is 0 for independent replicas (by
// the spin-flip symmetry of each one's start and dynamics), which shows
// replicas that start or stay alike, spin for spin.
var pairObservables = [...]string{"corr(u)", "corr(|m|)", "corr(bonds)", "<q>"}

// pairStat is the mean of an observable's per-pair value over the pairs of
// a class and the rounds, with its standard error from the spread of the
// pairs' sums over the rounds (which accounts for the correlation of one
// pair's rounds; for independent replicas the sums of two pairs, even
// pairs sharing a replica, are uncorrelated).
type pairStat struct {
	mean, err float64
	pairs     int
}

func (s pairStat) z() float64 { return s.mean / s.err }

// tolerance returns the bound on |z|: streamZ for many pairs; for few, the
// quantile of Student's t with pairs-1 degrees of freedom that is exceeded
// as rarely as streamZ standard normal errors (the error is estimated from
// the pairs): 4.9 for 62 pairs, 4.5 for 2048.
func (s pairStat) tolerance() float64 {
	p := distuv.UnitNormal.CDF(-streamZ)
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.pairs - 1)}.Quantile(1 - p)
}

// streamRun holds the samples of two lattices of side 8 for
// streamCorrelations: per replica the energy, magnetization, and spins
// (bit 8y+x of spins is site (x, y), 1 = up).
type streamRun struct {
	lats  [2]*Lattice
	e, m  [2][]float64
	spins [2][]uint64
}

// measure fills e, m and spins of both lattices; spins gathers replica
// r's bit of every site word (the layout of package asm/ising).
func (s *streamRun) measure() {
	for i, l := range s.lats {
		s.e[i], s.m[i] = l.Observables(s.e[i], s.m[i], 0)
		if s.spins[i] == nil {
			s.spins[i] = make([]uint64, l.Replicas)
		}
		for r := range l.Replicas {
			blk, w, q := l.block(r/ising.BlockReplicas), r%ising.BlockReplicas/64, uint(r%64)
			var x uint64
			for site := range 64 {
				x |= (blk[site*ising.BlockWords+w] >> q & 1) << site
			}
			s.spins[i][r] = x
		}
	}
}

// antiBonds returns the anti-aligned indicators of the right and the down
// bond of every site of the 8 x 8 configuration x (bit 8y+x as in spins).
func antiBonds(x uint64) (right, down uint64) {
	// Bit i of each rotation is the right (down) neighbour of site i.
	r := x>>1&0x7f7f7f7f7f7f7f7f | x<<7&0x8080808080808080
	return x ^ r, x ^ bits.RotateLeft64(x, -8)
}

// streamCorrelations sweeps both lattices (L = 8) eq sweeps at K, then
// measures them rounds times, spacing sweeps apart, and returns the
// statistics of every class and observable.
func streamCorrelations(t *testing.T, lats [2]*Lattice, K float64, eq, spacing, rounds int) ([]pairClass, [][len(pairObservables)]pairStat) {
	t.Helper()
	const N = 64 // sites
	if lats[0].L != 8 || lats[1].L != 8 || lats[0].Replicas != lats[1].Replicas {
		t.Fatalf("streamCorrelations: L = %d and %d, want 8 and equal replicas", lats[0].L, lats[1].L)
	}
	R := lats[0].Replicas
	classes := streamPairClasses(R)
	sums := make([][len(pairObservables)][]float64, len(classes))
	for c, cl := range classes {
		for o := range pairObservables {
			sums[c][o] = make([]float64, len(cl.pairs))
		}
	}
	run := streamRun{lats: lats}
	var std [2][2][]float64 // standardized [u, |m|][lattice]
	var right, down [2][]uint64
	var anti [2][]int
	for i := range 2 {
		for o := range std {
			std[o][i] = make([]float64, R)
		}
		right[i], down[i], anti[i] = make([]uint64, R), make([]uint64, R), make([]int, R)
	}
	for round := range rounds {
		sweeps := spacing
		if round == 0 {
			sweeps = eq
		}
		for _, l := range lats {
			if err := l.Sweep(K, sweeps, 0); err != nil {
				t.Fatal(err)
			}
		}
		run.measure()
		var antiSum int
		for i := range 2 {
			for r, x := range run.spins[i] {
				right[i][r], down[i][r] = antiBonds(x)
				anti[i][r] = bits.OnesCount64(right[i][r]) + bits.OnesCount64(down[i][r])
				antiSum += anti[i][r]
				if u := float64(2*anti[i][r]-2*N) / N; u != run.e[i][r] {
					t.Fatalf("replica %d of lattice %d: energy %v from its configuration, %v from Observables", r, i, u, run.e[i][r])
				}
			}
		}
		// The mean bond variable and its variance.
		bMean := 1 - 2*float64(antiSum)/float64(2*R*2*N)
		bVar := 1 - bMean*bMean
		for o, get := range []func(i, r int) float64{
			func(i, r int) float64 { return run.e[i][r] },
			func(i, r int) float64 { return math.Abs(run.m[i][r]) },
		} {
			var s1, s2 float64
			for i := range 2 {
				for r := range R {
					x := get(i, r)
					s1 += x
					s2 += x * x
				}
			}
			mean := s1 / float64(2*R)
			sd := math.Sqrt(s2/float64(2*R) - mean*mean)
			if !(sd > 0) || !(bVar > 0) {
				t.Fatalf("K=%v round %d: %s has no spread", K, round, pairObservables[o])
			}
			for i := range 2 {
				for r := range R {
					std[o][i][r] = (get(i, r) - mean) / sd
				}
			}
		}
		for c, cl := range classes {
			for k, p := range cl.pairs {
				a, b := p.a, p.b
				sums[c][0][k] += std[0][p.la][a] * std[0][p.lb][b]
				sums[c][1][k] += std[1][p.la][a] * std[1][p.lb][b]
				// sum over the 2N bonds of (b - bMean)(b' - bMean), with
				// b = 1 - 2*anti.
				both := bits.OnesCount64(right[p.la][a]&right[p.lb][b]) + bits.OnesCount64(down[p.la][a]&down[p.lb][b])
				A, B := anti[p.la][a], anti[p.lb][b]
				bb := float64(2*N - 2*A - 2*B + 4*both)
				sa, sb := float64(2*N-2*A), float64(2*N-2*B)
				sums[c][2][k] += (bb - bMean*(sa+sb) + 2*N*bMean*bMean) / (2 * N * bVar)
				sums[c][3][k] += 1 - 2*float64(bits.OnesCount64(run.spins[p.la][a]^run.spins[p.lb][b]))/N
			}
		}
	}
	stats := make([][len(pairObservables)]pairStat, len(classes))
	for c := range classes {
		for o := range pairObservables {
			stats[c][o] = clusterMean(sums[c][o], rounds)
		}
	}
	return classes, stats
}

// clusterMean returns the mean per round of the clusters' sums over rounds
// rounds and its standard error from the spread of the sums.
func clusterMean(sums []float64, rounds int) pairStat {
	P := float64(len(sums))
	var total float64
	for _, s := range sums {
		total += s
	}
	mean := total / P
	var ss float64
	for _, s := range sums {
		ss += (s - mean) * (s - mean)
	}
	return pairStat{mean / float64(rounds), math.Sqrt(ss/(P-1)/P) / float64(rounds), len(sums)}
}

// streamLattices returns the lattices of seeds seed and seed+1 (hot for
// K <= K_c, else cold).
func streamLattices(t *testing.T, L, R int, seed uint64, K float64, gen ising.Generator) [2]*Lattice {
	t.Helper()
	var lats [2]*Lattice
	for i := range lats {
		l, err := NewLatticeGen(L, R, seed+uint64(i), K <= Kc, gen)
		if err != nil {
			t.Fatal(err)
		}
		lats[i] = l
	}
	return lats
}

// Parameters of the pair-correlation runs: L = 8 (tau_int of |m| about 3
// sweeps at K_c), 500 sweeps to equilibrate, then rounds 10 sweeps apart.
const (
	streamL, streamEq, streamSpacing = 8, 500, 10
	// streamZ is the tolerance in standard errors of the pair statistics.
	streamZ = 4.5
)

// streamSize returns the replicas per lattice and the rounds of
// TestReplicaCorrelations: 32 blocks and 48 rounds, or 8 blocks and 16
// rounds under the race detector, which slows the test's own loops about
// tenfold (the kernels' concurrency is the same at either size).
func streamSize() (R, rounds int) {
	if raceEnabled {
		return 2048, 16
	}
	return 8192, 48
}

// formatPairStats returns the table of the statistics, one class a line.
func formatPairStats(classes []pairClass, stats [][len(pairObservables)]pairStat) string {
	var b strings.Builder
	for c, cl := range classes {
		fmt.Fprintf(&b, "\n  %-34s %6d pairs:", cl.name, len(cl.pairs))
		for o, name := range pairObservables {
			s := stats[c][o]
			fmt.Fprintf(&b, "  %s = %+.5f +- %.5f (z = %+.2f)", name, s.mean, s.err, s.z())
		}
	}
	return b.String()
}

// TestReplicaCorrelations checks, for each generator at a high-temperature,
// the critical and a low-temperature coupling, that replicas whose streams
// are neighbours are uncorrelated: the correlation coefficients of their
// energies, of their |m| and of their bond variables, and their mean
// overlap, must be 0 within streamZ standard errors (pairStat.tolerance:
// a little more for the classes of few pairs), for every class of
// streamPairClasses.
// TestReplicaCorrelationsDetectSharedStreams shows that they fail when
// streams are shared.
func TestReplicaCorrelations(t *testing.T) {
	R, rounds := streamSize()
	for g, gen := range generators {
		for i, K := range []float64{0.3, Kc, 0.6} {
			lats := streamLattices(t, streamL, R, uint64(500+10*g+2*i), K, gen)
			classes, stats := streamCorrelations(t, lats, K, streamEq, streamSpacing, rounds)
			t.Logf("%v K=%.4f:%s", gen, K, formatPairStats(classes, stats))
			for c, cl := range classes {
				for o, name := range pairObservables {
					if s := stats[c][o]; !(math.Abs(s.z()) < s.tolerance()) {
						t.Errorf("%v K=%v %s: %s = %.5f +- %.5f (%.1f sigma, tolerance %.2f)", gen, K, cl.name, name, s.mean, s.err, s.z(), s.tolerance())
					}
				}
			}
		}
	}
}

// TestReplicaCorrelationsDetectSharedStreams runs streamCorrelations (2048
// replicas, 16 rounds) on lattices broken after seeding, so that two
// replicas of one class share their random bits or their start: (a) the
// four words of every block continue the stream of word 0, their start
// configurations left as they were; (b) the lattice of seed s+1 continues
// the streams of seed s, its start left as it was; (c) the lattices of seed
// s and s+1 are the same; (d) the four words of every block start alike
// (cold, K = 0.6), their streams left as they were. The largest statistic
// of the class affected must then exceed 2 streamZ standard errors.
func TestReplicaCorrelationsDetectSharedStreams(t *testing.T) {
	for _, gen := range generators {
		for _, c := range []struct {
			name   string
			K      float64
			mutate func(lats [2]*Lattice)
			class  int // in streamPairClasses
		}{
			{"the four streams of a block equal", 0.4, func(lats [2]*Lattice) {
				for _, l := range lats {
					for b := range l.state {
						for i := range 4 {
							for w := 1; w < ising.BlockWords; w++ {
								l.state[b][4*i+w] = l.state[b][4*i]
							}
						}
					}
				}
			}, 3},
			{"seed s+1 continues the streams of seed s", 0.4, func(lats [2]*Lattice) {
				copy(lats[1].state, lats[0].state)
			}, 5},
			{"seed s+1 is seed s", 0.4, func(lats [2]*Lattice) {
				copy(lats[1].state, lats[0].state)
				copy(lats[1].spins, lats[0].spins)
			}, 5},
			{"the four words of a block start alike", 0.6, func(lats [2]*Lattice) {
				for _, l := range lats {
					for i := 0; i < len(l.spins); i += ising.BlockWords {
						for w := 1; w < ising.BlockWords; w++ {
							l.spins[i+w] = l.spins[i]
						}
					}
				}
			}, 3},
		} {
			lats := streamLattices(t, streamL, 2048, 900, c.K, gen)
			c.mutate(lats)
			classes, stats := streamCorrelations(t, lats, c.K, streamEq, streamSpacing, 16)
			t.Logf("%v, %s:%s", gen, c.name, formatPairStats(classes[c.class:c.class+1], stats[c.class:c.class+1]))
			zmax := 0.0
			for _, s := range stats[c.class] {
				zmax = max(zmax, s.z())
			}
			if !(zmax > 2*streamZ) {
				t.Errorf("%v, %s: %s: largest statistic at %.1f sigma, want > %v", gen, c.name, classes[c.class].name, zmax, 2*streamZ)
			}
		}
	}
}

// laneAcceptance sweeps l eq sweeps at K, then counts over sweeps sweeps the
// accepted flips of every lane, padding included (a site is visited once
// a sweep, so it flipped when its spin differs after the sweep), indexed as
// replica 256b + 64w + q.
func laneAcceptance(t *testing.T, l *Lattice, K float64, eq, sweeps int) []float64 {
	t.Helper()
	if err := l.Sweep(K, eq, 0); err != nil {
		t.Fatal(err)
	}
	counts := make([]float64, l.Blocks()*ising.BlockReplicas)
	prev := make([]uint64, len(l.spins))
	for range sweeps {
		copy(prev, l.spins)
		if err := l.Sweep(K, 1, 0); err != nil {
			t.Fatal(err)
		}
		for i, x := range l.spins {
			d := x ^ prev[i]
			// word i is site (i/4) % (L*L), word i%4 of block i/(4 L L).
			base := i/(ising.BlockWords*l.L*l.L)*ising.BlockReplicas + i%ising.BlockWords*64
			for d != 0 {
				counts[base+bits.TrailingZeros64(d)]++
				d &= d - 1
			}
		}
	}
	return counts
}

// groupChiSquare returns the one-way analysis of variance of x grouped by
// group(i) into G groups as a chi-square with G-1 degrees of freedom:
// sum_g n_g (mean_g - mean)^2 / s^2, s^2 the variance of x within groups.
// For independent, identically distributed x it is (G-1) times an
// F(G-1, len(x)-G) variable, which is that chi-square to within
// O(G/len(x)).
func groupChiSquare(x []float64, G int, group func(i int) int) (chi2 float64, dof int, means []float64) {
	sum, cnt := make([]float64, G), make([]float64, G)
	var total float64
	for i, v := range x {
		g := group(i)
		sum[g] += v
		cnt[g]++
		total += v
	}
	mean := total / float64(len(x))
	means = make([]float64, G)
	for g := range G {
		means[g] = sum[g] / cnt[g]
	}
	var within float64
	for i, v := range x {
		d := v - means[group(i)]
		within += d * d
	}
	s2 := within / float64(len(x)-G)
	for g := range G {
		d := means[g] - mean
		chi2 += cnt[g] * d * d / s2
	}
	return chi2, G - 1, means
}

// TestLaneAcceptance checks, for each generator at K = 0.3 and K_c, that
// the number of accepted flips of a replica does not depend on where its
// random bits come from: grouped by bit q of the stream output (64 groups)
// and by the stream w of the block (4 groups), the group means must agree,
// a chi-square p-value below 1e-4 failing. A stream bit that is biased or
// stuck changes the acceptance of its lane. The counts of different
// replicas are independent; each is a sum over 400 sweeps of L = 8 after
// 200 of equilibration, for 8192 replicas (2048 under the race detector).
func TestLaneAcceptance(t *testing.T) {
	const L = 8
	R := 8192
	if raceEnabled {
		R = 2048
	}
	for g, gen := range generators {
		for i, K := range []float64{0.3, Kc} {
			l, err := NewLatticeGen(L, R, uint64(700+10*g+i), true, gen)
			if err != nil {
				t.Fatal(err)
			}
			counts := laneAcceptance(t, l, K, 200, 400)
			for _, by := range []struct {
				name  string
				G     int
				group func(r int) int
			}{
				{"bit of the output", 64, func(r int) int { return r % 64 }},
				{"stream of the block", ising.BlockWords, func(r int) int { return r % ising.BlockReplicas / 64 }},
			} {
				chi2, dof, means := groupChiSquare(counts, by.G, by.group)
				p := distuv.ChiSquared{K: float64(dof)}.Survival(chi2)
				lo, hi := means[0], means[0]
				for _, m := range means {
					lo, hi = min(lo, m), max(hi, m)
				}
				t.Logf("%v K=%.4f by %s: flips per replica %.2f-%.2f per group (of %d site updates), chi2 = %.1f, dof = %d, p = %.3g",
					gen, K, by.name, lo, hi, 400*L*L, chi2, dof, p)
				if !(p > 1e-4) {
					t.Errorf("%v K=%v: acceptance depends on the %s: chi2 = %.1f with %d dof, p = %.3g", gen, K, by.name, chi2, dof, p)
				}
			}
		}
	}
}
