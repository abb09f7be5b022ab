#!/usr/bin/python3
"""Exact energy and specific heat of the L x L periodic Ising model (NumPy peer).

What it does: evaluates Kaufman's (1949) finite-torus partition function in the
form of Ferdinand & Fisher (1969), as written in the project's PAPER notes,

  Z = 1/2 (2 sinh 2K)^(N/2) (Z1 + Z2 + Z3 + Z4),  N = L*L,
  Z1 = prod_{r=0}^{L-1} 2 cosh(L g_{2r+1}/2),  Z2 = prod 2 sinh(L g_{2r+1}/2),
  Z3 = prod 2 cosh(L g_{2r}/2),                Z4 = prod 2 sinh(L g_{2r}/2),
  cosh g_k = cosh 2K coth 2K - cos(pi k/L) (k >= 1),  g_0 = 2K + ln tanh K,

entirely in log space (each product is a sum of logs, the four terms are
combined by a signed log-sum-exp: Z4 is negative when g_0 < 0), and takes
the first and second derivatives with respect to K analytically (chain rule
through g_k(K)), not by finite differences:

  u = -(1/N) d lnZ/dK,   c = (K^2/N) d^2 lnZ/dK^2.

Why it is a fair check: it is written from the formula alone, independently
of the Go code (bitlattice/exact), and `selfcheck` compares it against brute
force enumeration of the 2x2, 3x3 and 4x4 tori before it is trusted.

Usage:
  kaufman.py -L 40 -beta 0.408[,0.44,...]   prints JSON {"L","beta","energy","specific_heat","log_z"} per coupling
  kaufman.py selfcheck                       brute force vs formula, exit 1 on disagreement
"""
import argparse
import json
import sys

import numpy as np


def _log2cosh(x):
    """ln(2 cosh x), stable for large |x|."""
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a))


def _log2sinh_abs(x):
    """ln|2 sinh x| and the sign of sinh x (x may be <= 0)."""
    a = np.abs(x)
    with np.errstate(divide="ignore"):
        val = a + np.log(-np.expm1(-2.0 * a))
    return val, np.sign(x)


def kaufman(L, K):
    """Return (lnZ, dlnZ/dK, d2lnZ/dK2) for the L x L torus at coupling K > 0."""
    L = int(L)
    N = L * L
    K = float(K)
    s2, c2 = np.sinh(2 * K), np.cosh(2 * K)

    # A(K) = cosh 2K coth 2K and its derivatives.
    A = c2 * c2 / s2
    A1 = 2 * c2 - 2 * c2 / s2**2
    A2 = 4 * s2 - 4 / s2 + 8 * c2**2 / s2**3

    k = np.arange(2 * L, dtype=np.float64)  # g_0 .. g_{2L-1}
    g = np.empty(2 * L)
    g1 = np.empty(2 * L)
    g2 = np.empty(2 * L)
    ch = A - np.cos(np.pi * k[1:] / L)
    g[1:] = np.arccosh(ch)
    sh = np.sinh(g[1:])
    g1[1:] = A1 / sh
    g2[1:] = (A2 - ch * g1[1:] ** 2) / sh
    g[0] = 2 * K + np.log(np.tanh(K))
    g1[0] = 2 + 2 / s2
    g2[0] = -4 * c2 / s2**2

    odd, even = slice(1, 2 * L, 2), slice(0, 2 * L, 2)
    terms = []  # (sign, lnT, dlnT, d2lnT)
    for sl in (odd, even):
        x, x1, x2 = L * g[sl] / 2, L * g1[sl] / 2, L * g2[sl] / 2
        # 2 cosh: f'/f = tanh, (f''/f) - (f'/f)^2 = sech^2
        t = np.tanh(x)
        terms.append((1.0, _log2cosh(x).sum(), (t * x1).sum(), ((1 - t * t) * x1**2 + t * x2).sum()))
        # 2 sinh: f'/f = coth, (f''/f) - (f'/f)^2 = -csch^2
        lv, sg = _log2sinh_abs(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            ct = 1.0 / np.tanh(x)
        terms.append((float(np.prod(sg)), lv.sum(), (ct * x1).sum(), ((1 - ct * ct) * x1**2 + ct * x2).sum()))
    # Order as Z1, Z2 (odd), Z3, Z4 (even): already so.
    lnT = np.array([t[1] for t in terms])
    sgn = np.array([t[0] for t in terms])
    d1 = np.array([t[2] for t in terms])
    d2 = np.array([t[3] for t in terms])
    ok = np.isfinite(lnT) & (sgn != 0)
    m = lnT[ok].max()
    w = np.where(ok, sgn * np.exp(np.where(ok, lnT, m) - m), 0.0)
    S = w.sum()
    S1 = (w * np.where(ok, d1, 0)).sum() / S
    S2 = (w * np.where(ok, d2 + d1 * d1, 0)).sum() / S

    lnZ = np.log(0.5) + (N / 2) * np.log(2 * s2) + m + np.log(S)
    dlnZ = (N / 2) * 2 * c2 / s2 + S1
    d2lnZ = (N / 2) * (-4 / s2**2) + S2 - S1 * S1
    return float(lnZ), float(dlnZ), float(d2lnZ)


def energy_specific_heat(L, K):
    lnZ, d1, d2 = kaufman(L, K)
    N = L * L
    return -d1 / N, K * K * d2 / N, lnZ


def brute_force(L, K):
    """u, c, lnZ by enumerating all 2^(L*L) states (L <= 4)."""
    N = L * L
    idx = np.arange(1 << N, dtype=np.int64)
    s = (((idx[:, None] >> np.arange(N)) & 1) * 2 - 1).astype(np.int8).reshape(-1, L, L)
    bonds = (s * np.roll(s, 1, axis=1)).sum(axis=(1, 2)) + (s * np.roll(s, 1, axis=2)).sum(axis=(1, 2))
    b = bonds.astype(np.float64)
    x = K * b
    m = x.max()
    w = np.exp(x - m)
    Z = w.sum()
    mean = (w * b).sum() / Z
    var = (w * b * b).sum() / Z - mean * mean
    return -mean / N, K * K * var / N, m + np.log(Z)


def selfcheck():
    bad = 0
    for L in (2, 3, 4):
        for K in (0.1, 0.3, 0.408, 0.4406868, 0.6, 1.0):
            u, c, lz = energy_specific_heat(L, K)
            ub, cb, lzb = brute_force(L, K)
            ok = abs(u - ub) <= 1e-9 * max(1, abs(ub)) and abs(c - cb) <= 1e-8 * max(1, abs(cb)) and abs(lz - lzb) <= 1e-9 * max(1, abs(lzb))
            bad += not ok
            print(json.dumps({"L": L, "beta": K, "energy": u, "brute_energy": ub, "specific_heat": c,
                              "brute_specific_heat": cb, "log_z": lz, "brute_log_z": lzb, "ok": bool(ok)}))
    return bad == 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "selfcheck":
        sys.exit(0 if selfcheck() else 1)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-L", type=int, default=40)
    ap.add_argument("-beta", default="0.408", help="coupling K, or a comma-separated list")
    a = ap.parse_args()
    out = []
    for k in a.beta.split(","):
        K = float(k)
        u, c, lz = energy_specific_heat(a.L, K)
        out.append({"L": a.L, "beta": K, "energy": u, "specific_heat": c, "log_z": lz})
    print(json.dumps(out[0] if len(out) == 1 else out))


if __name__ == "__main__":
    main()
