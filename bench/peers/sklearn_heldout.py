#!/usr/bin/python3
"""Real scikit-learn BernoulliRBM on a held-out test set (the seed-ensemble check of issue 13).

What it does: for each seed, BernoulliRBM(n_components=H, learning_rate=LR,
batch_size=B, n_iter=E, random_state=seed).fit(train rows), then on the
held-out test rows (never trained on, sampled with their own seed):
  - pll: the deterministic pseudo-log-likelihood, the mean over rows of
    sum over all n_v units k of log sigmoid(F(v^k) - F(v)) (v^k: unit k
    flipped; F the free energy), i.e. the expectation of scikit-learn's
    one-flip score_samples over the flipped unit;
  - recon: the mean over rows of sum_i (v_i - r_i)^2 with the mean-field
    reconstruction r = sigmoid(W sigmoid(W^T v + c) + b);
and the same two on the training rows.

Our side computes the same measures (rbm.PseudoLikelihoodAll,
rbm.ReconstructionError) for the `sklearn` preset trained with the same
seeds count on the same training file; core/replicate's
TestHeldOutAgainstScikitLearn runs both and compares them over seeds.
Note: our trainer keeps 10% of the training rows for validation, so it
fits 90% of them; scikit-learn fits all.

Output: one JSON line per seed {"seed","pll","recon","train_pll","train_recon",
"rows","test_rows","sklearn"}.
"""
import argparse
import json

import numpy as np
import sklearn
from sklearn.neural_network import BernoulliRBM


def load(path):
    x = np.load(path)
    return np.ascontiguousarray(x.reshape(x.shape[0], -1), dtype=np.float64)


def softplus(x):
    return np.logaddexp(0, x)


def measures(rbm, X, chunk=256):
    W = rbm.components_.astype(np.float64)  # (n_h, n_v)
    b = rbm.intercept_visible_.astype(np.float64)
    c = rbm.intercept_hidden_.astype(np.float64)
    pll, rec = 0.0, 0.0
    for lo in range(0, len(X), chunk):
        v = X[lo:lo + chunk]
        a = v @ W.T + c  # (n, n_h)
        f = -v @ b - softplus(a).sum(1)  # F(v)
        s = 1 - 2 * v  # +1 where v=0 (flip to 1), -1 where v=1
        tot = np.zeros(len(v))
        for k in range(W.shape[1]):
            ak = a + s[:, k:k + 1] * W[:, k][None, :]
            fk = -(v @ b + s[:, k] * b[k]) - softplus(ak).sum(1)
            tot += -softplus(-(fk - f))  # log sigmoid(F(v^k) - F(v))
        pll += tot.sum()
        p = 1 / (1 + np.exp(-a))
        r = 1 / (1 + np.exp(-(p @ W + b)))
        rec += ((v - r) ** 2).sum()
    return pll / len(X), rec / len(X)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-train", required=True)
    ap.add_argument("-test", required=True)
    ap.add_argument("-seeds", default="1,2,3")
    ap.add_argument("-hidden", type=int, default=400)
    ap.add_argument("-iter", type=int, default=10)
    ap.add_argument("-batch", type=int, default=10)
    ap.add_argument("-lr", type=float, default=0.1)
    a = ap.parse_args()
    X, T = load(a.train), load(a.test)
    for seed in [int(s) for s in a.seeds.split(",")]:
        rbm = BernoulliRBM(n_components=a.hidden, learning_rate=a.lr, batch_size=a.batch, n_iter=a.iter,
                           random_state=seed, verbose=0)
        rbm.fit(X.astype(np.float32))
        pll, rec = measures(rbm, T)
        tpll, trec = measures(rbm, X[:len(T)])
        print(json.dumps({"seed": seed, "pll": pll, "recon": rec, "train_pll": tpll, "train_recon": trec,
                          "rows": len(X), "test_rows": len(T), "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
