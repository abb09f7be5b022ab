#!/usr/bin/python3
"""One CD-1 epoch of an RBM in NumPy, Hinton & Salakhutdinov's recipe (training peer).

What it does: float32 throughout; W ~ 0.1 N(0,1), b = c = 0; for each
mini-batch in order (no shuffling, the data are independent samples):
  ph  = sigmoid(v W + c)               positive hidden probabilities
  h   = ph > U(0,1)                     sampled binary hidden states
  nv  = sigmoid(h W^T + b)              reconstructed visible probabilities
  nh  = sigmoid(nv W + c)               last hidden update, probabilities
  dW  = (v^T ph - nv^T nh)/batch - l1 sign(W)
  inc = momentum inc + lr dW (and likewise for b, c without the penalty); W += inc
with lr 0.1, momentum 0.5 (the first epochs' value), L1 2e-4 (the paper's
penalty in place of the weight cost), and the reconstruction error
sum (v - nv)^2 accumulated as in the original code. Five matrix products per
batch (NN, TN, NT, NN, TN) go to OpenBLAS.

Why it is a fair comparison: the same data file and rows, the same algorithm
and hyper-parameters as `isingrbm train` (CD-1, H&S recipe), OpenBLAS threads
set by the harness (OPENBLAS_NUM_THREADS = our thread count); only the epoch
is timed, not loading or initialization.

Output: one JSON line {"seconds","recon_error","rows","batch","hidden","blas"}.
"""
import argparse
import time

import numpy as np

import rbmdata


def sigmoid(x, out):
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-data", required=True)
    ap.add_argument("-rows", type=int, default=20000)
    ap.add_argument("-batch", type=int, default=100)
    ap.add_argument("-hidden", type=int, default=400)
    ap.add_argument("-seed", type=int, default=1)
    a = ap.parse_args()
    X = rbmdata.load(a.data, a.rows)
    n, d = X.shape
    B, H = a.batch, a.hidden
    lr, mom, l1 = np.float32(0.1), np.float32(0.5), np.float32(2e-4)
    rng = np.random.default_rng(a.seed)
    W = (0.1 * rng.standard_normal((d, H))).astype(np.float32)
    b = np.zeros(d, np.float32)
    c = np.zeros(H, np.float32)
    dW, db, dc = np.zeros_like(W), np.zeros_like(b), np.zeros_like(c)
    ph = np.empty((B, H), np.float32)
    nh = np.empty((B, H), np.float32)
    nv = np.empty((B, d), np.float32)
    pos = np.empty((d, H), np.float32)
    neg = np.empty((d, H), np.float32)
    # the L1 term's buffer: `pos -= l1 * np.sign(W)` made two d x H
    # temporaries per batch (16 MB each at 4096 -> 1024); results files
    # before 2026-12-07 timed that version, a little slower at large layers.
    pen = np.empty((d, H), np.float32)
    err = 0.0
    t0 = time.perf_counter()
    for s in range(0, n - B + 1, B):
        v = X[s:s + B]
        np.matmul(v, W, out=ph)
        ph += c
        sigmoid(ph, ph)
        h = (ph > rng.random((B, H), dtype=np.float32)).astype(np.float32)
        np.matmul(h, W.T, out=nv)
        nv += b
        sigmoid(nv, nv)
        np.matmul(nv, W, out=nh)
        nh += c
        sigmoid(nh, nh)
        np.matmul(v.T, ph, out=pos)
        np.matmul(nv.T, nh, out=neg)
        pos -= neg
        pos *= np.float32(1.0 / B)
        np.sign(W, out=pen)
        pen *= l1
        pos -= pen
        dW *= mom
        pos *= lr
        dW += pos
        W += dW
        db *= mom
        db += (lr / B) * (v.sum(0) - nv.sum(0))
        b += db
        dc *= mom
        dc += (lr / B) * (ph.sum(0) - nh.sum(0))
        c += dc
        err += float(((v - nv) ** 2).sum())
    sec = time.perf_counter() - t0
    rbmdata.report(program="numpy", seconds=sec, recon_error=err / n, rows=n, batch=B, hidden=H)


if __name__ == "__main__":
    main()
