#!/usr/bin/python3
"""Do the networks that keep their units fit the data better? The held-out
log-likelihood of bench/deadunits' 200-epoch models, by `isingrbm eval`.

  loglik.py -bin isingrbm -test test.npy -models DIR [-peer DIR] [-threads N]
            [-md F] [-json F] [-cpu TEXT]
  loglik.py -from F.json [-md F]      (the Markdown of an earlier -json)

-models is run.sh's OUT_DIR (full_<variant>_<seed>.npz, trained by `isingrbm
train`); -peer is firstepoch.py's -save folder (<variant>_<seed>.npz, the NumPy
peer's models in the plain RBM's parameters, e.g. the centered RBM). Every model
is evaluated on the test configurations (replicate's data/d0/test.npy: drawn
apart from the training data) with eval's defaults (AIS: 100 runs of each of two
paths, 500 + 4000 + 10000 steps; the pseudo-log-likelihood with seeded flips),
layer 1 only. Values: mean +- sd [min, max] over the seeds found, in nats per
configuration.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402

# (trainer, file pattern, variant): the models compared, in table order.
MODELS = (
    ("isingrbm train", "full_paper_*.npz", "paper"),
    ("isingrbm train", "full_sigma001_*.npz", "sigma001"),
    ("isingrbm train", "full_mom0_*.npz", "mom0"),
    ("isingrbm train", "full_mom0lr1_*.npz", "mom0lr1"),
    ("NumPy peer", "centered_*.npz", "centered"),
    ("NumPy peer", "paper_*.npz", "paper"),
)
KEYS = (("loglik", "held-out log-likelihood (AIS)"),
        ("loglik_ceiling", "its ceiling (a bound without statistics: the log-likelihood is at most this)"),
        ("pseudo_loglik", "held-out pseudo-log-likelihood"), ("recon_error", "reconstruction error"))


def fmt1(s):
    """mean +- sd [min, max] with one decimal (the log-likelihoods are hundreds to thousands)."""
    if s["n"] == 0:
        return "-"
    if s["n"] == 1:
        return "%.1f (n = 1)" % s["mean"]
    return "%.1f +- %.1f [%.1f, %.1f]" % (s["mean"], s["std"], s["min"], s["max"])


def evaluate(binary, model, test, threads):
    cmd = [binary, "eval", "-model", model, "-data", test, "-layers", "1", "-json", "-threads", str(threads)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)["layers"][0]


def ising(binary, test):
    """The Ising model's own log-likelihood of the test rows, from the test set's description
    (test.json beside test.npy: K, L and the rows' energy per site) and `isingrbm exact`."""
    meta = os.path.splitext(test)[0] + ".json"
    try:
        with open(meta) as f:
            m = json.load(f)
        K, L, e = float(m["K"]), int(m["L"]), float(m["energy"])
    except (OSError, ValueError, KeyError) as err:
        raise SystemExit("%s: want the test set's description with K, L and energy: %s" % (meta, err))
    p = subprocess.run([binary, "exact", "-L", str(L), "-beta", repr(K), "-json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s exact: exit %d: %s" % (binary, p.returncode, p.stderr.strip()))
    x = json.loads(p.stdout)
    n = L * L
    # ln p(s) = K sum_<ij> s_i s_j - ln Z, and the energy per site is -sum_<ij> s_i s_j / N.
    return {"K": K, "L": L, "energy": e, "exact_energy": x["energy"], "log_z_per_spin": x["log_z_per_spin"],
            "rows": n * (-K * e - x["log_z_per_spin"]), "expected": n * (-K * x["energy"] - x["log_z_per_spin"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-bin", default="")
    ap.add_argument("-test", default="")
    ap.add_argument("-models", default="")
    ap.add_argument("-from", dest="src", default="")
    ap.add_argument("-peer", default="")
    ap.add_argument("-threads", type=int, default=1)
    ap.add_argument("-md", default="")
    ap.add_argument("-json", default="")
    ap.add_argument("-cpu", default="")
    a = ap.parse_args()
    if a.src:
        res = analyse.read_json(a.src, "-from")
        for r in res["rows"]:
            r.update({k: analyse.spread([p[k] for p in r["per_seed"]]) for k, _ in KEYS})
        analyse.write(a.md, markdown(res))
        return
    if not (a.bin and a.test and a.models):
        raise SystemExit("want -bin, -test and -models (or -from an earlier -json)")
    rows = []
    for trainer, pattern, variant in MODELS:
        d = a.models if trainer == "isingrbm train" else a.peer
        if not d:
            continue
        per = []
        for path in sorted(glob.glob(os.path.join(d, pattern))):
            m = re.search(r"_(\d+)\.npz$", path)
            if not m:
                continue
            r = evaluate(a.bin, path, a.test, a.threads)
            r["seed"], r["file"] = int(m.group(1)), os.path.basename(path)
            print("%s %s seed %d: log-lik %.2f" % (trainer, variant, r["seed"], r["loglik"]), file=sys.stderr, flush=True)
            per.append(r)
        if per:
            rows.append({"trainer": trainer, "variant": variant, "per_seed": per,
                         **{k: analyse.spread([p[k] for p in per]) for k, _ in KEYS}})
    if not rows:
        raise SystemExit("no models: want full_<variant>_<seed>.npz in -models (run.sh's OUT_DIR) or <variant>_<seed>.npz in -peer")
    res = {"test": a.test, "cpu": a.cpu, "rows": rows, "ising": ising(a.bin, a.test)}
    if a.json:
        analyse.write(a.json, json.dumps(res, indent=1) + "\n")
    analyse.write(a.md, markdown(res))


def markdown(res):
    out = ["# Dead units: the held-out log-likelihood", "",
           "Generated by `bench/deadunits/loglik.py` (`isingrbm eval -layers 1` with its defaults) on %s, "
           "test configurations %s. Nats per configuration (1600 sites: a model of independent fair spins "
           "scores -1600 ln 2 = -1109); mean +- sd [min, max] over the seeds." % (res["cpu"] or "an unnamed CPU", res["test"]), "",
           "The Ising model that drew the data (K = %g, L = %d) scores %.1f on these rows and %.1f in expectation "
           "(N (K e - ln Z / N) with Kaufman's exact ln Z of the %dx%d torus, `isingrbm exact`, and e the rows' "
           "mean of sum s_i s_j over the bonds per site, %.5f, or its exact expectation, %.5f): the bound no model "
           "can beat on average." % (res["ising"]["K"], res["ising"]["L"], res["ising"]["rows"], res["ising"]["expected"],
                                    res["ising"]["L"], res["ising"]["L"], -res["ising"]["energy"], -res["ising"]["exact_energy"]), "",
           "| trainer | variant | seeds | " + " | ".join(n for _, n in KEYS) + " |", "|---|---|---|" + "---|" * len(KEYS)]
    for r in res["rows"]:
        out.append("| %s | %s | %s | %s |" % (r["trainer"], r["variant"], ", ".join(str(p["seed"]) for p in r["per_seed"]),
                                             " | ".join(fmt1(r[k]) for k, _ in KEYS)))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
