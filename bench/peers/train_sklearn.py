#!/usr/bin/python3
"""One epoch of scikit-learn's BernoulliRBM (training peer, off-the-shelf trainer).

What it does: BernoulliRBM(n_components=400, learning_rate=0.1,
batch_size=B, n_iter=1, random_state=seed).fit(X) on float32 rows (scikit-learn
1.2 keeps float32). Its algorithm is scikit-learn's own: persistent CD with one
Gibbs step, no momentum, no penalty, weights ~ 0.01 N(0,1), fixed batches
without shuffling (see the PAPER notes), so it is not the H&S recipe: the
per-batch work is the same kind (five products: three of a batch with W or
W^T and the gradient's two, as ours; sigmoids, Bernoulli draws), which makes
the time per epoch comparable, but not the learned model.

Why it is a fair comparison: the same data rows, the same batch size and
hidden layer, OpenBLAS threads set by the harness to our thread count. Only
fit() is timed: it includes scikit-learn's input validation, the weights'
initialization and its allocations, which our timer (the batch loop) and the
NumPy and PyTorch peers' leave out; they are small against an epoch and count
against scikit-learn.

Output: one JSON line {"seconds","recon_error","rows","batch","hidden","sklearn","blas"};
recon_error is sum (v - P(v|h ~ P(h|v)))^2 per row after the epoch (not timed).
"""
import argparse
import time

import numpy as np
import sklearn
from sklearn.neural_network import BernoulliRBM

import rbmdata


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-data", required=True)
    ap.add_argument("-rows", type=int, default=20000)
    ap.add_argument("-batch", type=int, default=100)
    ap.add_argument("-hidden", type=int, default=400)
    ap.add_argument("-seed", type=int, default=1)
    a = ap.parse_args()
    X = rbmdata.load(a.data, a.rows)
    rbm = BernoulliRBM(n_components=a.hidden, learning_rate=0.1, batch_size=a.batch, n_iter=1,
                       random_state=a.seed, verbose=0)
    t0 = time.perf_counter()
    rbm.fit(X)
    sec = time.perf_counter() - t0
    m = min(len(X), 2000)
    ph = rbm.transform(X[:m])
    h = (ph > np.random.default_rng(a.seed).random(ph.shape)).astype(X.dtype)
    nv = 1 / (1 + np.exp(-(h @ rbm.components_ + rbm.intercept_visible_)))
    err = float(((X[:m] - nv) ** 2).sum()) / m
    rbmdata.report(program="sklearn", seconds=sec, recon_error=err, rows=len(X), batch=a.batch, hidden=a.hidden,
                   sklearn=sklearn.__version__, dtype=str(rbm.components_.dtype))


if __name__ == "__main__":
    main()
