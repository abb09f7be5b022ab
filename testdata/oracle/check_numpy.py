#!/usr/bin/python3
"""Check a numpy (and, if installed, scikit-learn) RBM against the oracle.

    /usr/bin/python3 check_numpy.py                 # check, print a line per case
    /usr/bin/python3 check_numpy.py --write-golden  # also rewrite numpy_golden.json
                                                    # and sklearn_golden.json

Convention: E(v,h) = -b.v - c.h - v.W.h, W of shape (n_visible, n_hidden),
F(v) = -b.v - sum_j log(1 + exp(c_j + (vW)_j)) (scikit-learn's: components_ = W.T,
intercept_visible_ = b, intercept_hidden_ = c).
"""
import itertools
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = ["tiny", "lattice3x3", "wide", "strong"]


def load(name):
    z = np.load(os.path.join(HERE, name + ".npz"))
    W = z["W"].astype(np.float64)
    b = z["b"].astype(np.float64)
    c = z["c"].astype(np.float64)
    v = z["v"].astype(np.float64)
    return z, W, b, c, v


def free_energy(W, b, c, v):
    return -v @ b - np.logaddexp(0, v @ W + c).sum(axis=1)


def log_z(W, b, c):
    # Sum over hidden states, the visibles summed out analytically.
    nh = W.shape[1]
    h = np.array(list(itertools.product([0.0, 1.0], repeat=nh)))
    t = h @ c + np.logaddexp(0, h @ W.T + b).sum(axis=1)
    m = t.max()
    return m + np.log(np.exp(t - m).sum()), h, t


def pseudo_log_likelihood(W, b, c, v):
    f = free_energy(W, b, c, v)
    out = np.zeros(len(v))
    for k in range(v.shape[1]):
        vk = v.copy()
        vk[:, k] = 1 - vk[:, k]
        out += -np.logaddexp(0, -(free_energy(W, b, c, vk) - f))
    return out


def gradient(W, b, c, v):
    ph = 1 / (1 + np.exp(-(v @ W + c)))
    lz, h, t = log_z(W, b, c)
    p = np.exp(t - lz)                       # p(h)
    ev = 1 / (1 + np.exp(-(h @ W.T + b)))    # E[v | h]
    gW = v.T @ ph / len(v) - (ev * p[:, None]).T @ h
    gb = v.mean(axis=0) - p @ ev
    gc = ph.mean(axis=0) - p @ h
    return gW, gb, gc


def close(a, b, tol):
    return np.allclose(a, b, rtol=tol, atol=tol)


def main():
    write = "--write-golden" in sys.argv
    ok = True
    golden = {"numpy": np.__version__, "cases": {}}
    for name in CASES:
        z, W, b, c, v = load(name)
        f = free_energy(W, b, c, v)
        lz, _, _ = log_z(W, b, c)
        pl = pseudo_log_likelihood(W, b, c, v)
        gW, gb, gc = gradient(W, b, c, v)
        checks = {
            "free_energy": close(f, z["free_energy"], 1e-10),
            "log_z": close(lz, z["log_z"], 1e-10),
            "mean_log_likelihood": close(np.mean(-f - lz), z["mean_log_likelihood"], 1e-10),
            "pseudo_log_likelihood": close(pl, z["pseudo_log_likelihood"], 1e-9),
            "grad_W": close(gW, z["grad_W"], 1e-9),
            "grad_b": close(gb, z["grad_b"], 1e-9),
            "grad_c": close(gc, z["grad_c"], 1e-9),
        }
        try:
            from sklearn.neural_network import BernoulliRBM
            rbm = BernoulliRBM(n_components=W.shape[1])
            rbm.components_ = W.T.copy()
            rbm.intercept_visible_ = b.copy()
            rbm.intercept_hidden_ = c.copy()
            checks["sklearn _free_energy"] = close(rbm._free_energy(v), z["free_energy"], 1e-10)
        except ImportError:
            pass
        bad = [k for k, good in checks.items() if not good]
        ok = ok and not bad
        print("%-11s %s" % (name, "ok" if not bad else "MISMATCH: " + ", ".join(bad)))
        golden["cases"][name] = {"free_energy": f.tolist()}
    if write:
        with open(os.path.join(HERE, "numpy_golden.json"), "w") as fh:
            json.dump(golden, fh, indent=1)
            fh.write("\n")
    try:
        sk = sklearn_step()
        if write:
            with open(os.path.join(HERE, "sklearn_golden.json"), "w") as fh:
                json.dump(sk, fh, indent=1)
                fh.write("\n")
        print("sklearn_step ran with scikit-learn", sk["sklearn"])
    except ImportError:
        print("sklearn_step skipped: scikit-learn not installed")
    return 0 if ok else 1


class StubRNG:
    """Hands BernoulliRBM._fit the oracle's uniforms instead of its own."""

    def __init__(self, u):
        self.u, self.i = u, 0

    def uniform(self, size):
        n = int(np.prod(size))
        out = self.u[self.i:self.i + n].astype(np.float64).reshape(size)
        self.i += n
        return out


def sklearn_step():
    import sklearn
    from sklearn.neural_network import BernoulliRBM
    from sklearn.utils import gen_even_slices

    z = np.load(os.path.join(HERE, "sklearn_step.npz"))
    epochs, batch, lr = z["settings"]
    epochs, batch = int(epochs), int(batch)
    X = z["v"].astype(np.float64)
    rbm = BernoulliRBM(n_components=z["W"].shape[1], learning_rate=float(np.float32(lr)), batch_size=batch)
    rbm.components_ = z["W"].astype(np.float64).T.copy()
    rbm.intercept_visible_ = z["b"].astype(np.float64)
    rbm.intercept_hidden_ = z["c"].astype(np.float64)
    rbm.h_samples_ = np.zeros((batch, rbm.components_.shape[0]))
    rng = StubRNG(z["uniforms"])
    n = X.shape[0]
    n_batches = int(np.ceil(n / batch))
    slices = list(gen_even_slices(n_batches * batch, n_batches, n_samples=n))
    for _ in range(epochs):
        for s in slices:
            rbm._fit(X[s], rng)
    assert rng.i == len(rng.u), "uniforms not used up"
    return {"sklearn": sklearn.__version__, "W": rbm.components_.T.ravel().tolist(),
            "b": rbm.intercept_visible_.tolist(), "c": rbm.intercept_hidden_.tolist()}


if __name__ == "__main__":
    sys.exit(main())
