#!/usr/bin/python3
"""Checkerboard Metropolis for the 2D Ising model in NumPy (sampler peer).

What it does: R independent replicas of the L x L periodic Ising model at
coupling K (J = 1, no field), spins +/-1 stored as int8 in one (R, L, L)
array. One sweep updates the even sublattice (i+j even) of every replica at
once, then the odd one: the neighbour sum comes from np.roll, each site of
each replica draws its own uniform from NumPy's PCG64 (no random numbers
shared between replicas or sites), and a site flips when u < min(1,
exp(-2 K s nb)) (a five-entry table). L must be even for the checkerboard.
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


def _worker(args):
    r, L, K, sweeps, seedseq, barrier = args
    rng = np.random.Generator(np.random.PCG64(seedseq))
    s = np.where(rng.random((r, L, L)) < 0.5, -1, 1).astype(np.int8)
    ii, jj = np.indices((L, L))
    masks = [((ii + jj) % 2 == p) for p in (0, 1)]
    # acceptance probability indexed by s*nb + 4, s*nb in {-4,-2,0,2,4}
    table = np.ones(9, dtype=np.float32)
    for x in (2, 4):
        table[x + 4] = np.exp(-2.0 * K * x)
    if barrier is not None:
        barrier.wait()
    t0 = _clock()
    for _ in range(sweeps):
        for m in masks:
            nb = np.roll(s, 1, 1)
            nb += np.roll(s, -1, 1)
            nb += np.roll(s, 1, 2)
            nb += np.roll(s, -1, 2)
            nb *= s
            nb += 4
            u = rng.random((r, L, L), dtype=np.float32)
            flip = (u < table[nb]) & m
            s[flip] *= -1
    t1 = _clock()
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
