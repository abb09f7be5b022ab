#!/usr/bin/python3
"""Correctness of a model file written by `isingrbm train`, checked with NumPy and scikit-learn.

Checks, one JSON line each ({"name","status","detail"}):
  - numpy.load reads the .npz (no pickle): float32 W0 (n_visible x n_hidden), b0, c0
    (or W, b, c), finite, n_visible matching the data; meta.json parses if present;
  - scikit-learn's BernoulliRBM given components_ = W.T, intercept_visible_ = b,
    intercept_hidden_ = c computes F(v) = -b.v - sum_j log(1 + exp(c_j + (vW)_j))
    (its _free_energy) equal to a plain NumPy float64 evaluation of the formula (1e-9);
  - our free energies (`isingrbm eval -json`, any field whose name contains
    "free_energy": a number is compared with the mean over the rows, a list
    element by element) agree with scikit-learn's to 1e-4 relative.
"""
import argparse
import io
import json
import zipfile

import numpy as np




def out(name, status, detail):
    if isinstance(status, (bool, np.bool_)):
        status = bool(status)
    if status is True:
        status = "PASS"
    elif status is False:
        status = "FAIL"
    print(json.dumps({"name": name, "status": status, "detail": detail}))


def find(doc, pred, path=""):
    if isinstance(doc, dict):
        for k, v in doc.items():
            p = path + "." + k if path else k
            if pred(k) and (isinstance(v, (int, float)) or (isinstance(v, list) and v and isinstance(v[0], (int, float)))):
                yield p, v
            yield from find(v, pred, p)
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:8]):
            if isinstance(v, (dict, list)):
                yield from find(v, pred, "%s[%d]" % (path, i))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-npz", required=True)
    ap.add_argument("-data", required=True)
    ap.add_argument("-rows", type=int, default=0, help="rows of the data our eval used (0: all)")
    ap.add_argument("-ours-json", dest="ours", default="")
    ap.add_argument("-label", default="", help="names the data in the check names")
    ap.add_argument("-quiet", action="store_true", help="print only the comparison with our free energies")
    a = ap.parse_args()
    global out
    if a.quiet:
        show = out

        def out(name, status, detail):  # noqa: F811 - filters the load checks
            if name.startswith("our "):
                show(name, status, detail)
    if a.label:
        show2 = out

        def out(name, status, detail):  # noqa: F811 - adds the data's name
            show2("%s [%s]" % (name, a.label), status, detail)
    try:
        z = np.load(a.npz, allow_pickle=False)
        names = list(z.keys())
        pre = "W0" if "W0" in names else "W"
        W, b, c = z[pre], z[pre.replace("W", "b")], z[pre.replace("W", "c")]
    except Exception as e:  # noqa: BLE001 - any failure to load is the finding
        out("numpy loads the model .npz", False, "%s: %s" % (a.npz, e))
        return
    X = np.load(a.data)
    X = X.reshape(X.shape[0], -1)
    if a.rows:
        X = X[:a.rows]
    X = X.astype(np.float64)
    ok = (W.dtype == np.float32 and W.ndim == 2 and b.shape == (W.shape[0],) and c.shape == (W.shape[1],)
          and W.shape[0] == X.shape[1] and all(np.isfinite(t).all() for t in (W, b, c)))
    meta = ""
    if "meta.json" in zipfile.ZipFile(a.npz).namelist():
        try:
            m = json.load(io.TextIOWrapper(zipfile.ZipFile(a.npz).open("meta.json")))
            meta = "; meta.json parses (%d keys)" % len(m)
        except ValueError as e:
            ok, meta = False, "; meta.json: %s" % e
    out("numpy loads the model .npz", ok, "arrays %s; %s W %s, b %s, c %s%s" % (
        ",".join(n for n in names if "epoch" not in n), pre, W.shape, b.shape, c.shape, meta))
    if not ok:
        return
    W64, b64, c64 = W.astype(np.float64), b.astype(np.float64), c.astype(np.float64)
    ref = -X @ b64 - np.logaddexp(0, X @ W64 + c64).sum(axis=1)
    try:
        from sklearn.neural_network import BernoulliRBM
    except ImportError:
        out("scikit-learn BernoulliRBM free energies", "SKIP", "scikit-learn not installed")
        sk = ref
    else:
        rbm = BernoulliRBM(n_components=W.shape[1])
        rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_ = W64.T.copy(), b64, c64
        sk = rbm._free_energy(X)
        rel = float(np.max(np.abs(sk - ref) / np.maximum(1, np.abs(ref))))
        out("scikit-learn BernoulliRBM free energies vs the NumPy formula", rel < 1e-9,
            "%d rows, mean F = %.6f, max rel diff %.1e (limit 1e-9)" % (len(X), sk.mean(), rel))
    if not a.ours:
        out("our free energies (isingrbm eval) vs scikit-learn", "SKIP", "not available: no eval output")
        return
    doc = rbmdata_json(a.ours)
    hits = list(find(doc, lambda k: "free_energy" in k.lower())) if doc is not None else []
    if not hits:
        out("our free energies (isingrbm eval) vs scikit-learn", "SKIP",
            "not available: no field named *free_energy* in the eval -json output")
        return
    for path, v in hits[:2]:
        if isinstance(v, list):
            v = np.asarray(v, dtype=np.float64)
            if v.shape != sk.shape:
                out("our free energies (%s) vs scikit-learn" % path, "SKIP", "%d values for %d rows" % (len(v), len(sk)))
                continue
            rel = float(np.max(np.abs(v - sk) / np.maximum(1, np.abs(sk))))
            out("our free energies (%s) vs scikit-learn" % path, rel < 1e-4, "max rel diff %.1e over %d rows (limit 1e-4)" % (rel, len(v)))
        else:
            rel = abs(v - sk.mean()) / max(1.0, abs(sk.mean()))
            out("our mean free energy (%s) vs scikit-learn" % path, rel < 1e-4,
                "%.6f vs %.6f over %d rows (rel %.1e, limit 1e-4)" % (v, sk.mean(), len(sk), rel))


def rbmdata_json(path):
    text = open(path).read().strip()
    try:
        return json.loads(text)
    except ValueError:
        for line in reversed(text.splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


if __name__ == "__main__":
    main()
