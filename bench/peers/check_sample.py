#!/usr/bin/python3
"""Correctness of a sample file written by `isingrbm sample`, checked with NumPy.

Checks, one JSON line each ({"name","status","detail"}, status PASS/FAIL/SKIP):
  - numpy.load reads the .npy (no pickle): dtype uint8, shape (n, L, L), values 0/1;
  - the mean energy per spin of the file's configurations agrees with Kaufman's exact
    value (kaufman.py, written independently) within 5 standard errors, the error
    taken as std/sqrt(n) (valid because the samples are meant to be independent);
  - the energy `sample -json` reports agrees with the exact value within 5 of its
    own error bars, and its exact_energy field with kaufman.py to 1e-9.
"""
import argparse
import json
import math

import numpy as np

import kaufman


def out(name, ok, detail):
    ok = None if ok is None else bool(ok)
    print(json.dumps({"name": name, "status": ("PASS" if ok else "FAIL") if ok is not None else "SKIP", "detail": detail}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-npy", required=True)
    ap.add_argument("-L", type=int, required=True)
    ap.add_argument("-beta", type=float, required=True)
    ap.add_argument("-ours-json", dest="ours", default="")
    a = ap.parse_args()
    exact_u, _, _ = kaufman.energy_specific_heat(a.L, a.beta)
    try:
        x = np.load(a.npy, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any failure to load is the finding
        out("numpy loads the sample .npy", False, "%s: %s" % (a.npy, e))
        return
    vals = np.unique(x)
    ok = x.dtype == np.uint8 and x.ndim == 3 and x.shape[1:] == (a.L, a.L) and set(vals.tolist()) <= {0, 1}
    out("numpy loads the sample .npy", ok, "dtype %s shape %s values %s" % (x.dtype.str, x.shape, vals.tolist()[:4]))
    if not ok:
        return
    s = x.astype(np.int8) * 2 - 1
    bonds = (s * np.roll(s, 1, 1)).sum(axis=(1, 2), dtype=np.int64) + (s * np.roll(s, 1, 2)).sum(axis=(1, 2), dtype=np.int64)
    u = -bonds / (a.L * a.L)
    n = len(u)
    mean, se = u.mean(), u.std(ddof=1) / math.sqrt(n)
    z = abs(mean - exact_u) / se
    out("energy of the .npy (numpy) vs Kaufman (numpy)", z < 5,
        "L=%d K=%g n=%d: %.6f +/- %.6f vs exact %.6f (%.2f sigma, limit 5); <|m|> = %.4f"
        % (a.L, a.beta, n, mean, se, exact_u, z, float(np.abs(s.mean(axis=(1, 2))).mean())))
    if not a.ours:
        return
    rep = json.load(open(a.ours))
    if isinstance(rep, list):
        rep = rep[0]
    e, err, ex = rep.get("energy"), rep.get("energy_err"), rep.get("exact_energy")
    if e is None or not err:
        out("energy reported by sample -json vs Kaufman", None, "no energy/energy_err in the -json output")
    else:
        z = abs(e - exact_u) / err
        out("energy reported by sample -json vs Kaufman", z < 5, "%.6f +/- %.6f vs %.6f (%.2f sigma, limit 5)" % (e, err, exact_u, z))
    if ex is None:
        out("exact_energy of sample -json vs kaufman.py", None, "no exact_energy field")
    else:
        rel = abs(ex - exact_u) / abs(exact_u)
        out("exact_energy of sample -json vs kaufman.py", rel < 1e-9, "%.12f vs %.12f (rel %.1e, limit 1e-9)" % (ex, exact_u, rel))


if __name__ == "__main__":
    main()
