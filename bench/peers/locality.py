#!/usr/bin/python3
"""An independent check of the locality ordering of the three recipes (issue 13).

Trains the first RBM layer of the three recipes of `isingrbm replicate` with
NumPy (written from /work/shared/PAPER.md and the preset descriptions, not
from our Go code) and with real scikit-learn, on the training data that
replicate wrote, and measures the locality of the receptive fields (the
columns of W reshaped to the L x L lattice) with its own code:

  participation ratio  PR = (sum w^2)^2 / sum w^4
  disk share           share of sum w^2 on the sites at periodic distance
                       dx^2 + dy^2 <= r^2 (r = 2.5 sites) from the site of
                       the largest |w|
  live units           share of units whose p(h = 1 | v) has a standard
                       deviation of at least 0.01 over the held-out rows
                       (replicate's analysis.LiveSD, which it measures on
                       its analysed training rows), and their median PR

The median over units is taken per trained model (seed); over seeds the
script reports mean, sample std, min and max, as summary.json does.

Recipes:
  mehta-schwab  Hinton & Salakhutdinov's CD-1: W ~ 0.1 N(0,1), biases 0;
                mini-batches of 100, reshuffled every epoch; lr 0.1 for
                weights and biases; momentum 0.5 for the first 5 epochs, then
                0.9; hidden states sampled to drive the reconstruction,
                probabilities for the reconstructed visibles, the last hidden
                update and the statistics; L1 penalty 2e-4 (the gradient
                gets -l1 sign(W), under the learning rate and momentum).
  weight-decay  the same with the L2 weight cost 2e-4 (gradient -l2 W).
  sklearn       sklearn.neural_network.BernoulliRBM(n_components, lr 0.1,
                batch 10, n_iter, random_state=seed): the real thing.
Like the presets, every recipe leaves a random 10% of the rows out of the
training (-holdout), drawn here with NumPy's generator.

Two modes:
  -data FILE.npy ...       train on FILE (the .npy replicate writes: uint8 0/1 of
                           shape (n, L, L)), print JSON (per seed, and
                           mean/std/min/max of the median PR and median disk share
                           per recipe) to stdout or -out.
  -replicate DIR [-md F]   take the data (DIR/data/d0/ising.npy) and the sizes
                           (L, first hidden layer, epochs, seeds) from a finished
                           `isingrbm replicate` folder, run the peer, compare with
                           DIR/summary.json's first-layer pr_median,
                           disk_share_median and live_fraction (the held-out
                           rows' here, the analysed training rows' there) and
                           write a Markdown result (-md,
                           default DIR/locality_peer.md) plus the JSON beside it.
                           -hidden/-epochs/-sklearn-epochs/-seeds/-rows override
                           the folder's sizes (a reduced run, marked as such).
The CD recipes train in float32 as ours do (-float64 for float64); the
measures are computed in float64. Set OPENBLAS_NUM_THREADS=1 for small sizes
(the test does): BLAS threads only add overhead to 100 x 256 products.
Knobs for demonstrations: -l1 / -l2 replace the penalties of the two CD
recipes (-l1 0 switches the L1 off: the comparison must then fail).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

RECIPES = ("mehta-schwab", "weight-decay", "sklearn")
# MEASURES are the first-layer measures compared with replicate's
# summary.json, by their key there and here.
MEASURES = (("pr_median", "median PR"), ("disk_share_median", "median disk share"), ("live_fraction", "live share"))


# ---------------------------------------------------------------- data

def load_rows(path):
    """The configurations as float64 rows of 0/1 and the lattice side."""
    try:
        x = np.load(path)
    except (OSError, ValueError) as e:
        raise SystemExit("%s: cannot read a .npy array: %s" % (path, e))
    if x.ndim == 3 and x.shape[1] == x.shape[2]:
        L = x.shape[1]
    elif x.ndim == 2 and int(round(math.sqrt(x.shape[1]))) ** 2 == x.shape[1]:
        L = int(round(math.sqrt(x.shape[1])))
    else:
        raise SystemExit("%s: shape %s, want (n, L, L) or (n, L*L) configurations" % (path, x.shape))
    x = x.reshape(x.shape[0], -1).astype(np.float64)
    if x.shape[0] < 2 or not np.all((x == 0) | (x == 1)):
        raise SystemExit("%s: want at least 2 rows of 0/1 values" % path)
    return x, L


# ---------------------------------------------------------------- locality

def participation_ratio(W):
    """Per column of W (n_v x n_h): (sum w^2)^2 / sum w^4."""
    q = W * W
    s2, s4 = q.sum(0), (q * q).sum(0)
    return np.where(s4 > 0, s2 * s2 / np.where(s4 > 0, s4, 1), 0.0)


def disk_share(W, L, radius=2.5):
    """Per column: the share of w^2 within periodic distance radius of the largest |w|."""
    n_v, n_h = W.shape
    ys, xs = np.divmod(np.arange(n_v), L)  # site index y*L + x (row-major lattice)
    peak = np.abs(W).argmax(0)
    py, px = np.divmod(peak, L)
    dx = np.abs(xs[:, None] - px[None, :])
    dy = np.abs(ys[:, None] - py[None, :])
    dx, dy = np.minimum(dx, L - dx), np.minimum(dy, L - dy)
    inside = dx * dx + dy * dy <= radius * radius
    q = W * W
    tot = q.sum(0)
    return np.where(tot > 0, (q * inside).sum(0) / np.where(tot > 0, tot, 1), 0.0)


# ---------------------------------------------------------------- training

def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def train_cd1(X, n_h, epochs, rng, l1=0.0, l2=0.0, lr=0.1, batch=100, mom=(0.5, 0.9), switch=5, sigma=0.1, hook=None,
              center=None, zero_mean_start=False, return_b=False):
    """Hinton & Salakhutdinov's CD-1 with momentum, in X's dtype; returns W (n_v x n_h) and the hidden biases c.
    hook, when given, is called before the first update as hook(0, 0, W, c) and after every
    mini-batch's update as hook(epoch, updates so far, W, c), epochs counted from 1; it must not
    change W or c.
    center = (mu, lam) trains the centered RBM of Melchior, Fischer & Wiskott (JMLR 2016) with
    fixed offsets: the energy is -(v - mu) W (h - lam) - b v - c h, so p(h = 1 | v) =
    sigmoid((v - mu) W + c), p(v = 1 | h) = sigmoid((h - lam) W^T + b), and the weight gradient is
    <(v - mu)(p - lam)> of the data minus that of the reconstructions (their bias gradients
    are the plain ones, the offsets being fixed). None: the plain RBM (mu = 0, lam = 0).
    zero_mean_start starts the hidden biases at c = -(mean of X - mu) W instead of 0, so that
    every unit's input has mean 0 over X at the start (as the centered RBM's has).
    return_b: return W, c and the visible biases b."""
    n, n_v = X.shape
    dt = X.dtype
    W = (sigma * rng.standard_normal((n_v, n_h))).astype(dt)
    b, c = np.zeros(n_v, dt), np.zeros(n_h, dt)
    dW, db, dc = np.zeros_like(W), np.zeros_like(b), np.zeros_like(c)
    mu, lam = (np.zeros(n_v, dt), dt.type(0)) if center is None else (np.asarray(center[0], dt), dt.type(center[1]))
    if zero_mean_start:
        c = (-((X.mean(0, dtype=np.float64) - mu) @ W.astype(np.float64))).astype(dt)
    updates = 0
    if hook:
        hook(0, 0, W, c)
    for ep in range(epochs):
        m = mom[0] if ep < switch else mom[1]
        order = rng.permutation(n)
        for lo in range(0, n, batch):
            v0 = X[order[lo:lo + batch]]
            k = len(v0)
            p0 = sigmoid((v0 - mu) @ W + c)
            h0 = (p0 > rng.random(p0.shape, dtype=dt)).astype(dt)
            v1 = sigmoid((h0 - lam) @ W.T + b)
            p1 = sigmoid((v1 - mu) @ W + c)
            gW = ((v0 - mu).T @ (p0 - lam) - (v1 - mu).T @ (p1 - lam)) / k
            if l1:
                gW -= l1 * np.sign(W)
            if l2:
                gW -= l2 * W
            dW = m * dW + lr * gW
            db = m * db + lr * (v0 - v1).mean(0)
            dc = m * dc + lr * (p0 - p1).mean(0)
            W += dW
            b += db
            c += dc
            updates += 1
            if hook:
                hook(ep + 1, updates, W, c)
    return (W, c, b) if return_b else (W, c)


def train_sklearn(X, n_h, epochs, seed):
    from sklearn.neural_network import BernoulliRBM
    r = BernoulliRBM(n_components=n_h, learning_rate=0.1, batch_size=10, n_iter=epochs, random_state=seed, verbose=0)
    r.fit(X)
    return r.components_.T.astype(np.float64), r.intercept_hidden_.astype(np.float64)


def run(X, L, recipes, seeds, hidden, epochs, sk_epochs, holdout, l1, l2, radius, dtype, log):
    out = {"dtype": np.dtype(dtype).name, "L": L, "rows": int(X.shape[0]), "hidden": hidden, "epochs": epochs, "sklearn_epochs": sk_epochs,
           "holdout": holdout, "l1": l1, "l2": l2, "disk_radius": radius, "seeds": seeds, "recipes": {}}
    import sklearn
    out["numpy"], out["sklearn"] = np.__version__, sklearn.__version__
    for name in recipes:
        per = []
        for seed in seeds:
            t0 = time.time()
            # One generator per (recipe, seed): the held-out rows, then the training.
            rng = np.random.default_rng([seed, RECIPES.index(name)])
            keep = np.sort(rng.permutation(len(X))[int(round(holdout * len(X))):])
            Xt = X[keep]
            if name == "sklearn":
                W, c = train_sklearn(Xt, hidden, sk_epochs, seed)
            elif name == "mehta-schwab":
                W, c = train_cd1(Xt.astype(dtype), hidden, epochs, rng, l1=l1)
            else:
                W, c = train_cd1(Xt.astype(dtype), hidden, epochs, rng, l2=l2)
            W, c = W.astype(np.float64), c.astype(np.float64)
            pr, ds = participation_ratio(W), disk_share(W, L, radius)
            # Live units: p(h = 1 | v) with a standard deviation of at
            # least 0.01 over the held-out rows (replicate's
            # analysis.LiveSD; it uses its analysed training rows).
            held = np.setdiff1d(np.arange(len(X)), keep)
            act = sigmoid(X[held].astype(np.float64) @ W + c).std(0) if len(held) else np.zeros(W.shape[1])
            live = act >= 0.01
            per.append({"seed": seed, "pr_median": float(np.median(pr)), "disk_share_median": float(np.median(ds)),
                        "live_fraction": float(live.mean()),
                        "live_pr_median": float(np.median(pr[live])) if live.any() else None,
                        "seconds": time.time() - t0})
            log("%s seed %d: median PR %.4g, median disk share %.4g, live units %.3g (%.1fs)" % (
                name, seed, per[-1]["pr_median"], per[-1]["disk_share_median"], per[-1]["live_fraction"], per[-1]["seconds"]))
        rec = {"per_seed": per}
        for key, _ in MEASURES:
            rec[key] = spread([p[key] for p in per])
        out["recipes"][name] = rec
    return out


def spread(v):
    v = np.array(v, dtype=float)
    return {"n": len(v), "mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None,
            "min": float(v.min()), "max": float(v.max()), "values": v.tolist()}


def merge_runs(paths, X, L, recipes, hidden, epochs, sk_epochs):
    """Merges the JSON of several -data runs (e.g. one per recipe and seed) into one result,
    refusing runs whose data, sizes or settings differ from the comparison's."""
    out = None
    per = {}
    for path in paths:
        try:
            with open(path) as f:
                r = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit("-peer-json %s: %s" % (path, e))
        want = {"L": L, "rows": int(X.shape[0]), "hidden": hidden, "epochs": epochs, "sklearn_epochs": sk_epochs}
        for k, v in want.items():
            if r.get(k) != v:
                raise SystemExit("-peer-json %s: %s = %r, the comparison needs %r" % (path, k, r.get(k), v))
        if out is None:
            out = {k: v for k, v in r.items() if k not in ("recipes", "seeds")}
        for k in ("dtype", "holdout", "l1", "l2", "disk_radius"):
            if r.get(k) != out.get(k):
                raise SystemExit("-peer-json %s: %s = %r, another file has %r" % (path, k, r.get(k), out.get(k)))
        for name, rec in r["recipes"].items():
            for p in rec["per_seed"]:
                if any(q["seed"] == p["seed"] for q in per.setdefault(name, [])):
                    raise SystemExit("-peer-json %s: %s seed %d appears twice" % (path, name, p["seed"]))
                per[name].append(p)
    if out is None:
        raise SystemExit("-peer-json: no files")
    out["recipes"] = {}
    seeds = set()
    for name in recipes:
        if name not in per:
            raise SystemExit("-peer-json: no results for %s" % name)
        ps = sorted(per[name], key=lambda p: p["seed"])
        seeds |= {p["seed"] for p in ps}
        out["recipes"][name] = {"per_seed": ps}
        for key, _ in MEASURES:
            # Runs from before the live share (2026-12-04) lack it.
            if all(key in p for p in ps):
                out["recipes"][name][key] = spread([p[key] for p in ps])
    out["seeds"] = sorted(seeds)
    return out


# ---------------------------------------------------------------- comparison with summary.json

def comb_std(a, b):
    sa, sb = a.get("std") or 0.0, b.get("std") or 0.0
    return math.sqrt(sa * sa + sb * sb)


def agree(a, b, k):
    """The rule of TestLocalityIndependent: ranges overlap, or |mean difference| < k * combined std."""
    overlap = a["min"] <= b["max"] and b["min"] <= a["max"]
    return overlap or abs(a["mean"] - b["mean"]) < k * comb_std(a, b)


def order(stats, key):
    return sorted(stats, key=lambda n: stats[n][key]["mean"])


def fmt(s):
    if s.get("std") is None:
        return "%.4g (n = %d)" % (s["mean"], s["n"])
    return "%.4g +- %.2g [%.4g, %.4g] (n = %d)" % (s["mean"], s["std"], s["min"], s["max"], s["n"])


def compare(summary, peer, k, tie):
    """Per recipe and measure: agree(); per pair of recipes: a pair whose means differ by
    at least tie combined std on one side must have the same order on the other."""
    ours = {n: {key: e["layers"][0][key] for key, _ in MEASURES if key in e["layers"][0]}
            for n, e in summary["ensemble"].items() if n in peer["recipes"]}
    theirs = peer["recipes"]
    names = [n for n in RECIPES if n in ours]
    # A measure that one side's files predate is not compared.
    measures = [(key, label) for key, label in MEASURES if all(key in ours[n] and key in theirs[n] for n in names)]
    lines, ok = [], True
    lines.append("| recipe | measure | ours (summary.json) | NumPy / scikit-learn peer | agree |")
    lines.append("|---|---|---|---|---|")
    for n in names:
        for key, label in measures:
            a, b = ours[n][key], theirs[n][key]
            good = agree(a, b, k)
            ok &= good
            lines.append("| %s | %s | %s | %s | %s |" % (n, label, fmt(a), fmt(b), "yes" if good else
                                                         "**no**: |diff| %.3g, %g x combined std %.3g" % (
                                                             abs(a["mean"] - b["mean"]), k, k * comb_std(a, b))))
    lines.append("")
    for key, label in measures:
        bad = []
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                do = ours[x][key]["mean"] - ours[y][key]["mean"]
                dp = theirs[x][key]["mean"] - theirs[y][key]["mean"]
                so = abs(do) >= tie * comb_std(ours[x][key], ours[y][key])
                sp = abs(dp) >= tie * comb_std(theirs[x][key], theirs[y][key])
                if (so or sp) and (do < 0) != (dp < 0):
                    bad.append("%s vs %s" % (x, y))
        ok &= not bad
        lines.append("- order by %s (increasing mean over seeds): ours %s; peer %s: %s" % (
            label, " < ".join(order(ours, key)), " < ".join(order({n: theirs[n] for n in names}, key)),
            "same" if not bad else "**differs** for " + ", ".join(bad)))
    return ok, lines


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return cpu, os.cpu_count(), load


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-data", help="training configurations (.npy)")
    ap.add_argument("-replicate", help="a finished `isingrbm replicate` output folder")
    ap.add_argument("-md", help="-replicate: the Markdown result (default DIR/locality_peer.md)")
    ap.add_argument("-recipes", default=",".join(RECIPES))
    ap.add_argument("-seeds", help="comma list of seeds (default 1,2,3; -replicate: as many as the folder)")
    ap.add_argument("-hidden", type=int)
    ap.add_argument("-epochs", type=int, help="epochs of the two CD recipes")
    ap.add_argument("-sklearn-epochs", type=int)
    ap.add_argument("-rows", type=int, help="use the first ROWS configurations only")
    ap.add_argument("-holdout", type=float, default=0.1)
    ap.add_argument("-l1", type=float, default=2e-4)
    ap.add_argument("-l2", type=float, default=2e-4)
    ap.add_argument("-radius", type=float, default=2.5)
    ap.add_argument("-k", type=float, default=3.0, help="-replicate: agreement within K combined seed standard deviations")
    ap.add_argument("-tie", type=float, default=2.0, help="-replicate: recipes closer than TIE combined std are not ordered")
    ap.add_argument("-float64", action="store_true", help="train the CD recipes in float64 (default float32)")
    ap.add_argument("-out", help="write the JSON here instead of stdout")
    ap.add_argument("-q", action="store_true", help="no progress on stderr")
    ap.add_argument("-peer-json", help="-replicate: compare the peer results of these -data -out files (comma list; "
                    "e.g. one per recipe and seed, run separately) instead of training")
    a = ap.parse_args()
    log = (lambda s: None) if a.q else (lambda s: print(s, file=sys.stderr, flush=True))
    recipes = [r for r in a.recipes.split(",") if r]
    for r in recipes:
        if r not in RECIPES:
            raise SystemExit("-recipes: unknown recipe %r, want some of %s" % (r, ",".join(RECIPES)))
    if not 0 <= a.holdout < 1:
        raise SystemExit("-holdout %g, want [0, 1)" % a.holdout)
    if (a.data is None) == (a.replicate is None):
        raise SystemExit("give exactly one of -data FILE.npy and -replicate DIR (try -h)")

    summary, reduced = None, False
    if a.replicate:
        sp = os.path.join(a.replicate, "summary.json")
        try:
            with open(sp) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit("%s: cannot read the summary of a finished replicate run: %s" % (sp, e))
        s = summary["settings"]
        data = os.path.join(a.replicate, "data", "d0", "ising.npy")
        if not isinstance(summary.get("ensemble"), dict) or not summary["ensemble"]:
            raise SystemExit("%s: no \"ensemble\" section (written by an older replicate?)" % sp)
        if s.get("data_seeds", 1) > 1:
            log("note: %d data seeds in the folder; the peer trains on data seed 0 only" % s["data_seeds"])
        full = {"hidden": s["layers"][0], "epochs": s["epochs"], "sklearn_epochs": s["sklearn_epochs"],
                "seeds": max(1, s.get("seeds", 1)), "rows": s["n"]}
        hidden = a.hidden or full["hidden"]
        epochs = a.epochs or full["epochs"]
        sk_epochs = a.sklearn_epochs or full["sklearn_epochs"]
        seeds = [int(x) for x in a.seeds.split(",")] if a.seeds else list(range(1, full["seeds"] + 1))
        reduced = (hidden, epochs, sk_epochs, len(seeds)) != (full["hidden"], full["epochs"], full["sklearn_epochs"],
                                                             full["seeds"]) or (a.rows or 0) not in (0, full["rows"])
        recipes = [r for r in recipes if r in summary["ensemble"]]
    else:
        data = a.data
        hidden = a.hidden or 400
        epochs = a.epochs or 200
        sk_epochs = a.sklearn_epochs or 10
        seeds = [int(x) for x in (a.seeds or "1,2,3").split(",")]
    load0 = machine()[2]
    X, L = load_rows(data)
    if a.rows:
        if a.rows > len(X):
            raise SystemExit("%s: %d rows, -rows asks for %d" % (data, len(X), a.rows))
        X = X[:a.rows]
    dtype = np.float64 if a.float64 else np.float32
    if a.peer_json:
        if summary is None:
            raise SystemExit("-peer-json goes with -replicate DIR")
        res = merge_runs([p for p in a.peer_json.split(",") if p], X, L, recipes, hidden, epochs, sk_epochs)
        seeds = res["seeds"]
        reduced = (hidden, epochs, sk_epochs) != (full["hidden"], full["epochs"], full["sklearn_epochs"]) or \
            (a.rows or 0) not in (0, full["rows"])
    else:
        res = run(X, L, recipes, seeds, hidden, epochs, sk_epochs, a.holdout, a.l1, a.l2, a.radius, dtype, log)
    res["data"] = data
    text = json.dumps(res, indent=1)

    if summary is None:
        if a.out:
            with open(a.out + ".tmp", "w") as f:
                f.write(text + "\n")
            os.replace(a.out + ".tmp", a.out)
        else:
            print(text)
        return

    ok, lines = compare(summary, res, a.k, a.tie)
    s = summary["settings"]
    cpu, ncpu, load1 = machine()
    secs = sum(p["seconds"] for r in res["recipes"].values() for p in r["per_seed"])
    how = "load average 1/5/15 min at the start %s, at the end %s; peer training %.0f s" % (load0, load1, secs)
    if a.peer_json:
        how = ("the peer's %d networks were trained before, in separate `-data` runs (-peer-json), %.0f s in all"
               % (sum(len(r["per_seed"]) for r in res["recipes"].values()), secs))
    md = ["# Locality of the three recipes: replicate vs an independent NumPy / scikit-learn peer", "",
          "Written by `bench/peers/locality.py -replicate %s` on %s UTC (%s, %d logical cores; %s)." % (
              a.replicate, time.strftime("%Y-%m-%d %H:%M", time.gmtime()), cpu, ncpu, how), "",
          "- replicate folder: L = %d, %d rows, first layer %d hidden, %d epochs (scikit-learn %d), %d training seeds, "
          "data seed 0%s." % (s["L"], s["n"], s["layers"][0], s["epochs"], s["sklearn_epochs"],
                              max(1, s.get("seeds", 1)), "" if s.get("data_seeds", 1) <= 1 else
                              " (the folder has %d data seeds; its spread pools them)" % s["data_seeds"]),
          "- peer: NumPy %s (CD-1 in %s), scikit-learn %s; %d rows, %d hidden, %d epochs (scikit-learn %d), seeds %s, "
          "%g%% of the rows held out, L1 %g, L2 %g, disk radius %g." % (
              res["numpy"], res["dtype"], res["sklearn"], res["rows"], hidden, epochs, sk_epochs,
              ",".join(map(str, seeds)), 100 * a.holdout, a.l1, a.l2, a.radius), ""]
    if reduced:
        md += ["**Reduced run**: the peer's sizes differ from the folder's, so its numbers are not comparable with "
               "the folder's; this only shows that the comparison runs. Not judged.", ""]
    md += ["Rules (those of `go test ./core/replicate -run TestLocalityIndependent`): per recipe and measure the two "
           "implementations agree when their seed ranges overlap or their means differ by less than %g combined "
           "seed standard deviations, sqrt(std_ours^2 + std_peer^2); two recipes whose means differ by at least %g "
           "combined standard deviations on either side must come in the same order on the other." % (a.k, a.tie), ""]
    md += lines
    verdict = "not judged (reduced run)" if reduced else ("agree" if ok else "disagree")
    md += ["", "Result: **%s**." % verdict, ""]
    mdpath = a.md or os.path.join(a.replicate, "locality_peer.md")
    res["verdict"] = verdict
    for path, body in ((os.path.splitext(mdpath)[0] + ".json", json.dumps(res, indent=1) + "\n"),
                       (mdpath, "\n".join(md))):
        with open(path + ".tmp", "w") as f:
            f.write(body)
        os.replace(path + ".tmp", path)
    print("\n".join(md))
    log("wrote %s and its .json" % mdpath)
    sys.exit(0 if ok or reduced else 1)


if __name__ == "__main__":
    main()
