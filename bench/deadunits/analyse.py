#!/usr/bin/python3
"""Measures the models of bench/deadunits/run.sh with NumPy: when the paper's
L1 units die, and what a change of one training knob does to the dead share
and to the locality of the receptive fields.

A unit is live when its p(h = 1 | v) = sigmoid(v W + c) has a standard
deviation of at least 0.01 over the configurations (replicate's
analysis.LiveSD); here over the first ROWS configurations of the training
data (replicate uses its own analysed subset). The participation ratio and
disk share are bench/peers/locality.py's, written from the paper, not from
our Go code. Over the seeds: mean, sample std, min and max.

  analyse.py -data ising.npy -models DIR [-rows 5000] [-md F] [-json F] [-cpu TEXT] [-replicate RDIR]

With -replicate (the finished `isingrbm replicate` folder whose data the
models were trained on) it also reads the layer-1 activity of every unit of
the replication's own networks (analysis/<recipe>/<tag>.json, unit_activity,
on replicate's analysed rows) and gives their live share at thresholds ten
times below and above 0.01, and recounts the live share at 0.01 with NumPy
from the model files on the first ROWS configurations (other rows: the two
counts may differ by a few units).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import locality as peer  # noqa: E402

LIVE_SD = 0.01
THRESHOLDS = (0.001, 0.01, 0.1)
VARIANTS = (
    ("paper", "the mehta-schwab recipe: init sigma 0.1, lr 0.1, momentum 0.5 then 0.9, L1 2e-4"),
    ("l1off", "the same without the L1 penalty (-l1 0)"),
    ("sigma001", "initial weights ten times smaller (-init-sigma 0.01)"),
    ("mom0", "no momentum (-momentum 0): steps ten times smaller once the paper's momentum is 0.9"),
    ("mom0lr1", "no momentum with lr 1 (-momentum 0 -lr 1): the paper's steady step size, without momentum"),
)


def live_mask(X, W, c):
    p = 0.5 * (1.0 + np.tanh(0.5 * (X @ W + c)))  # the logistic function, without overflow
    return p.std(0) >= LIVE_SD


def spread(v):
    v = np.array([x for x in v if x is not None and not np.isnan(x)], dtype=float)
    if len(v) == 0:
        return {"n": 0}
    return {"n": len(v), "mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None,
            "min": float(v.min()), "max": float(v.max()), "values": v.tolist()}


def fmt(s, pct=False, ranges=True):
    """mean +- sd [min, max] of a spread (without the range: mean +- sd), in percent with pct."""
    if s["n"] == 0:
        return "-"
    f = (lambda x: "%.0f%%" % (100 * x)) if pct else (lambda x: "%.3g" % x)
    if s["n"] == 1:
        return f(s["mean"]) + " (n = 1)"
    ms = "%s +- %s" % (f(s["mean"]), f(s["std"]) if pct else "%.2g" % s["std"])
    return ms + (" [%s, %s]" % (f(s["min"]), f(s["max"])) if ranges else "")


def load(path):
    z = np.load(path)
    return {k: z[k].astype(np.float64) for k in z.files if k != "meta.json"}


def snapshot_epochs(z):
    return sorted(int(k.split("_epoch")[1]) for k in z if k.startswith("W0_epoch"))


def measure(X, L, z):
    W, c = z["W0"], z["c0"]
    live = live_mask(X, W, c)
    pr, ds = peer.participation_ratio(W), peer.disk_share(W, L, 2.5)
    maxw = np.abs(W).max(0)
    eps = snapshot_epochs(z)
    return {
        "live": float(live.mean()),
        "pr_median": float(np.median(pr)),
        "live_pr_median": float(np.median(pr[live])) if live.any() else None,
        "disk_median": float(np.median(ds)),
        "live_disk_median": float(np.median(ds[live])) if live.any() else None,
        "dead_pr_median": float(np.median(pr[~live])) if (~live).any() else None,
        "dead_bias_median": float(np.median(c[~live])) if (~live).any() else None,
        "dead_max_abs_w_median": float(np.median(maxw[~live])) if (~live).any() else None,
        "snapshot_epochs": eps,
        "live_by_epoch": [float(live_mask(X, z["W0_epoch%03d" % e], z["c0_epoch%03d" % e]).mean()) for e in eps],
        "pr_median_by_epoch": [float(np.median(peer.participation_ratio(z["W0_epoch%03d" % e]))) for e in eps],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-data", required=True)
    ap.add_argument("-models", required=True)
    ap.add_argument("-rows", type=int, default=5000)
    ap.add_argument("-seeds", default="1,2,3")
    ap.add_argument("-md")
    ap.add_argument("-json")
    ap.add_argument("-cpu", default="")
    ap.add_argument("-replicate")
    a = ap.parse_args()
    X = np.load(a.data)
    L = X.shape[1] if X.ndim == 3 else int(round(np.sqrt(X.shape[1])))
    X = X.reshape(len(X), -1)[:a.rows].astype(np.float64)
    seeds = [int(s) for s in a.seeds.split(",")]
    res = {"rows": len(X), "L": L, "live_sd": LIVE_SD, "seeds": seeds, "cpu": a.cpu, "variants": {}}
    for name, what in VARIANTS:
        r = {"what": what, "early": {}, "full": {}, "missing": []}
        for kind in ("early", "full"):
            per = []
            for s in seeds:
                path = os.path.join(a.models, "%s_%s_%d.npz" % (kind, name, s))
                if not os.path.exists(path):
                    if kind == "full" and name == "l1off":
                        continue
                    r["missing"].append(os.path.basename(path))
                    continue
                m = measure(X, L, load(path))
                m["seed"] = s
                per.append(m)
            if not per:
                continue
            out = {"per_seed": per, "snapshot_epochs": per[0]["snapshot_epochs"]}
            for key in ("live", "pr_median", "live_pr_median", "disk_median", "live_disk_median", "dead_pr_median",
                        "dead_bias_median", "dead_max_abs_w_median"):
                out[key] = spread([p[key] for p in per])
            for key in ("live_by_epoch", "pr_median_by_epoch"):
                out[key] = [spread([p[key][i] for p in per if i < len(p[key])]) for i in range(len(out["snapshot_epochs"]))]
            r[kind] = out
        res["variants"][name] = r
    if a.replicate:
        res["replicate"] = replicate_thresholds(a.replicate, X)
    if a.json:
        write(a.json, json.dumps(res, indent=1) + "\n")
    write(a.md, markdown(res))


def read_json(path, flag):
    """The JSON of path, or exit naming the flag that gave it."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit("%s %s: %s" % (flag, path, e))


def write(path, text):
    """Writes text to path through a temporary file and a rename; to stdout without a path."""
    if not path:
        sys.stdout.write(text)
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def study_parser(doc, seeds, jobs):
    """The argument parser of a study script: -bin, -out, -seeds, -jobs, -md, -json, -from (add your own)."""
    import argparse
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-bin")
    ap.add_argument("-out")
    ap.add_argument("-seeds", default=seeds)
    ap.add_argument("-jobs", type=int, default=jobs)
    ap.add_argument("-md")
    ap.add_argument("-json")
    ap.add_argument("-from", dest="from_")
    return ap


def parse_seeds(ap, text):
    """The comma-separated integers of -seeds, or ap.error naming them."""
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        ap.error(f"-seeds {text!r}: want a comma-separated list of integers")


def variant_table(caption, variants, runs, columns, cells):
    """Markdown: caption, then one row per (name, what) of variants that has runs, in that order;
    cells(the variant's runs) gives the row's cells under columns."""
    lines = [caption, "", "| variant | what it tests | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for name, what in variants:
        rs = [r for r in runs if r["variant"] == name]
        if rs:
            lines.append(f"| {name} | {what} | " + " | ".join(cells(rs)) + " |")
    return "\n".join(lines) + "\n"


def run_tool(cmd, log, who):
    """Runs cmd with stderr to log and returns its stdout, or exits naming the command and the log."""
    import subprocess
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=f, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{who}: {' '.join(cmd)} failed (exit {r.returncode}); see {log}")
    return r.stdout


def cpu_name(bin_, out, who):
    """The CPU line of `isingrbm version` (its log in out)."""
    lines = run_tool([bin_, "version"], os.path.join(out, "version.log"), who).splitlines()
    return next((l[len("cpu: "):].split(",")[0] for l in lines if l.startswith("cpu: ")), "unknown CPU")


def fmt_fixed(xs, digits):
    """mean +- sd [min, max] of xs with a fixed number of decimals (sd 0 for one value)."""
    xs = np.asarray(xs, dtype=np.float64)
    sd = xs.std(ddof=1) if len(xs) > 1 else 0.0
    f = f"{{:.{digits}f}}"
    return f"{f.format(xs.mean())} +- {f.format(sd)} [{f.format(xs.min())}, {f.format(xs.max())}]"


def finish(res, md, json_path, md_path):
    """Writes res to json_path and md to md_path (each if given, atomically) and prints md."""
    if json_path:
        write(json_path, json.dumps(res, indent=1) + "\n")
    if md_path:
        write(md_path, md)
    sys.stdout.write(md)


def replicate_thresholds(rdir, X):
    """Layer-1 live shares of the replication's networks at THRESHOLDS (from
    their recorded unit activities) and a NumPy recount at LIVE_SD."""
    out = {}
    for recipe in ("mehta-schwab", "weight-decay", "sklearn"):
        adir = os.path.join(rdir, "analysis", recipe)
        if not os.path.isdir(adir):
            continue
        per = []
        for f in sorted(os.listdir(adir)):
            if not f.endswith(".json"):
                continue
            with open(os.path.join(adir, f)) as fh:
                lay = json.load(fh)["layers"][0]
            act = np.array([np.nan if x is None else x for x in lay["unit_activity"]], dtype=float)
            row = {"tag": f[:-5], "recorded_live_fraction": lay["live_fraction"]}
            for t in THRESHOLDS:
                row["live_%g" % t] = float((act >= t).mean())
            z = load(os.path.join(rdir, "models", recipe, f[:-5] + ".npz"))
            row["numpy_live_%g" % LIVE_SD] = float(live_mask(X, z["W0"], z["c0"]).mean())
            per.append(row)
        rec = {"per_replica": per}
        for key in ["live_%g" % t for t in THRESHOLDS] + ["numpy_live_%g" % LIVE_SD]:
            rec[key] = spread([p[key] for p in per])
        out[recipe] = rec
    return out


def markdown(res):
    n = len(res["seeds"])
    out = ["# Dead units: when they die, and which knob decides", "",
           "Generated by `bench/deadunits/run.sh REPLICATE_DIR` (training: `isingrbm train -layers 400 -preset "
           "mehta-schwab` with one change per variant, seeds %s, one thread each, two at a time; measures: "
           "`bench/deadunits/analyse.py`, NumPy) on %s. A unit is live when the standard deviation of its "
           "p(h = 1 | v) over the first %d training configurations is at least %g. Values: mean +- sd [min, max] "
           "over the %d seeds; PR: participation ratio (sites, smaller is more local), disk share: share of w^2 "
           "within 2.5 sites of the largest weight (larger is more local)." % (
               ", ".join(map(str, res["seeds"])), res["cpu"] or "an unnamed CPU", res["rows"], res["live_sd"], n), ""]
    out += ["## The first epochs", "", "Share of live units after each of the first five epochs:", ""]
    eps = next((v["early"]["snapshot_epochs"] for v in res["variants"].values() if v["early"]), [])
    out += ["| variant | " + " | ".join("epoch %d" % e for e in eps) + " |", "|---|" + "---|" * len(eps)]
    for name, v in res["variants"].items():
        if v["early"]:
            out.append("| %s | %s |" % (name, " | ".join(fmt(s, True) for s in v["early"]["live_by_epoch"])))
    out += ["", "## After 200 epochs", "",
            "| variant | live | median PR, all / live | median disk share, all / live | dead units: median PR, bias c, largest abs(w) |",
            "|---|---|---|---|---|"]
    for name, v in res["variants"].items():
        f = v["full"]
        if not f:
            continue
        out.append("| %s | %s | %s / %s | %s / %s | %s, %s, %s |" % (
            name, fmt(f["live"], True), fmt(f["pr_median"]), fmt(f["live_pr_median"]), fmt(f["disk_median"]),
            fmt(f["live_disk_median"]), fmt(f["dead_pr_median"]), fmt(f["dead_bias_median"]), fmt(f["dead_max_abs_w_median"])))
    out += ["", "Share of live units at every snapshot (epochs %s):" % ", ".join(
        map(str, next((v["full"]["snapshot_epochs"] for v in res["variants"].values() if v["full"]), []))), ""]
    for name, v in res["variants"].items():
        if v["full"]:
            out.append("- %s: %s" % (name, ", ".join("%.0f%%" % (100 * s["mean"]) if s["n"] else "-" for s in v["full"]["live_by_epoch"])))
    out += ["", "Median participation ratio of all units at every snapshot (mean over seeds; is the locality still changing at epoch 200?):", ""]
    for name, v in res["variants"].items():
        if v["full"]:
            out.append("- %s: %s" % (name, ", ".join("%.3g" % s["mean"] if s["n"] else "-" for s in v["full"]["pr_median_by_epoch"])))
    if res.get("replicate"):
        out += ["", "## The replication's own networks: how much the threshold matters", "",
                "Live share of layer 1 at three thresholds, from the unit activities that the replication "
                "recorded on its analysed rows (`analysis/<recipe>/<tag>.json`), and recounted at %g with NumPy from "
                "the model files on the first %d configurations:" % (res["live_sd"], res["rows"]), "",
                "| recipe | " + " | ".join("sd >= %g" % t for t in THRESHOLDS) + " | NumPy recount at %g |" % res["live_sd"],
                "|---|" + "---|" * (len(THRESHOLDS) + 1)]
        for recipe, r in res["replicate"].items():
            out.append("| %s | %s | %s |" % (recipe, " | ".join(fmt(r["live_%g" % t], True) for t in THRESHOLDS),
                                             fmt(r["numpy_live_%g" % res["live_sd"]], True)))
    out += ["", "Variants:", ""]
    for name, v in res["variants"].items():
        line = "- %s: %s" % (name, v["what"])
        if v["missing"]:
            line += " (no model: %s; see its .log, a diverged run leaves none)" % ", ".join(v["missing"])
        out.append(line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
