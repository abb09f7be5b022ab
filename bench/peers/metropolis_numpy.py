#!/usr/bin/python3
"""Checkerboard Metropolis for the 2D Ising model in NumPy (sampler peer).

What it does: R independent replicas of the L x L periodic Ising model at
coupling K (J = 1, no field), spins +/-1 stored as int8, each sublattice of
the checkerboard in its own (R, L, L/2) array: E holds the sites with x+y
even (row y, column 2j + y%2), O those with x+y odd (column 2j + 1 - y%2).
One sweep updates E in every replica at once, then O. Only the active
sublattice is touched: its neighbours are all in the other array (up and down
at the same j in rows y-1, y+1; left and right at j and j-1 or j+1 depending
on the row's parity), so each half-sweep computes L*L/2 neighbour sums and
draws L*L/2 uniforms per replica from NumPy's PCG64 (no random numbers shared
between replicas or sites), and a site flips when u < min(1, exp(-2 K s nb))
(a five-entry table). L must be even for the checkerboard.
With -threads T the replicas are split into T equal parts run by T worker
processes (NumPy's elementwise code is single-threaded), each with its own
generator stream (SeedSequence.spawn), started together behind a barrier.

Why it is a fair comparison with `isingrbm sample`: same lattice, coupling,
number of replicas, number of threads, the same algorithm (single-spin-flip
Metropolis on the checkerboard, every replica independent) and the same unit:
flips/ns = R * L * L * sweeps / nanoseconds, counting every attempted site
update. Only the sweep loop is timed (not start-up, not allocation). The
program also reports the final energy per spin so a wrong sampler shows.

Output: one JSON object on stdout:
  {"replicas","L","beta","sweeps","threads","seconds","flips_per_ns","energy"}
"""
import argparse
import json
import multiprocessing as mp
import time

import numpy as np


def _clock():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _half(A, B, shift_even, table, rng):
    """Metropolis update of sublattice A (R, L, L/2), whose neighbours are in
    B. shift_even is the np.roll shift along j of B's left/right partner for
    the even rows (the odd rows take the opposite shift)."""
    nb = np.roll(B, 1, 1)
    nb += np.roll(B, -1, 1)
    nb += B
    nb[:, 0::2, :] += np.roll(B[:, 0::2, :], shift_even, 2)
    nb[:, 1::2, :] += np.roll(B[:, 1::2, :], -shift_even, 2)
    nb *= A
    nb += 4
    u = rng.random(A.shape, dtype=np.float32)
    np.negative(A, out=A, where=u < table[nb])


def _worker(args):
    r, L, K, sweeps, seedseq, barrier = args
    rng = np.random.Generator(np.random.PCG64(seedseq))
    s = np.where(rng.random((r, L, L)) < 0.5, -1, 1).astype(np.int8)
    ii, jj = np.indices((L, L // 2))
    xe = 2 * jj + ii % 2        # column of E[y, j]
    xo = 2 * jj + 1 - ii % 2    # column of O[y, j]
    E = np.ascontiguousarray(s[:, ii, xe])
    O = np.ascontiguousarray(s[:, ii, xo])
    # acceptance probability indexed by s*nb + 4, s*nb in {-4,-2,0,2,4}
    table = np.ones(9, dtype=np.float32)
    for x in (2, 4):
        table[x + 4] = np.exp(-2.0 * K * x)
    if barrier is not None:
        barrier.wait()
    t0 = _clock()
    for _ in range(sweeps):
        # E's site (y, 2j+y%2): left/right in O at j-1, j (y even) or j, j+1 (y odd).
        _half(E, O, 1, table, rng)
        # O's site (y, 2j+1-y%2): left/right in E at j, j+1 (y even) or j-1, j (y odd).
        _half(O, E, -1, table, rng)
    t1 = _clock()
    s[:, ii, xe] = E
    s[:, ii, xo] = O
    bonds = (s * np.roll(s, 1, 1)).astype(np.int32).sum() + (s * np.roll(s, 1, 2)).astype(np.int32).sum()
    return t0, t1, float(bonds), r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-L", type=int, default=40)
    ap.add_argument("-beta", type=float, default=0.408)
    ap.add_argument("-replicas", type=int, default=2000)
    ap.add_argument("-sweeps", type=int, default=20)
    ap.add_argument("-threads", type=int, default=1)
    ap.add_argument("-seed", type=int, default=1)
    a = ap.parse_args()
    if a.L < 2 or a.L % 2:
        ap.error("-L: want an even size >= 2 for the checkerboard, got %d" % a.L)
    if a.replicas < a.threads or a.threads < 1 or a.sweeps < 1:
        ap.error("-replicas >= -threads >= 1 and -sweeps >= 1 required")
    T = a.threads
    parts = [a.replicas // T + (1 if i < a.replicas % T else 0) for i in range(T)]
    seeds = np.random.SeedSequence(a.seed).spawn(T)
    if T == 1:
        res = [_worker((parts[0], a.L, a.beta, a.sweeps, seeds[0], None))]
    else:
        ctx = mp.get_context("fork")
        with ctx.Manager() as mgr:
            barrier = mgr.Barrier(T)
            with ctx.Pool(T) as pool:
                res = pool.map(_worker, [(parts[i], a.L, a.beta, a.sweeps, seeds[i], barrier) for i in range(T)])
    t0 = min(r[0] for r in res)
    t1 = max(r[1] for r in res)
    sec = t1 - t0
    n = a.L * a.L
    energy = -sum(r[2] for r in res) / (a.replicas * n)
    print(json.dumps({
        "replicas": a.replicas, "L": a.L, "beta": a.beta, "sweeps": a.sweeps, "threads": T,
        "seconds": sec, "flips_per_ns": a.replicas * n * a.sweeps / sec / 1e9, "energy": energy,
    }))


if __name__ == "__main__":
    main()
