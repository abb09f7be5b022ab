#!/usr/bin/python3
"""How the paper's L1 units die: the first updates of CD-1, one mini-batch at a time.

bench/deadunits/RESULTS.md found that the units of the mehta-schwab recipe die in
the first epoch, and that the initial weight scale and the step size decide how
many. Our trainer keeps snapshots only at the ends of epochs, so this script
retrains the first layer (1600 -> 400) with bench/peers/locality.py's NumPy CD-1
(written from the paper, not from our Go code) and watches every unit after
each of the first updates, on held-out rows:

  mean input    mu_j = mean over rows of x_j(v) = (v - offset) . W_j + c_j, and its
                two parts: the weights' (vbar - offset) . W_j (vbar the rows' mean
                configuration; offset 0 but for the centered RBM) and the hidden
                bias c_j;
  spread        sd_j, the standard deviation over rows of x_j(v);
  live          the standard deviation of p(h_j = 1 | v) = sigmoid(x_j) is at least
                0.01 (replicate's analysis.LiveSD).

A unit whose mean input lies many spreads below zero is off on every row: dead.
The variants are bench/deadunits/run.sh's (paper, l1off, sigma001, mom0,
mom0lr1) and one more, `centered`: the paper's recipe on the centered RBM of
Melchior, Fischer & Wiskott (JMLR 2016) with fixed offsets (the training rows'
mean for the visibles, 1/2 for the hiddens; peer.train_cd1's center). If the
units die because one step moves every weight of a unit the same way (the
direction vbar, along which the uncentered gradient is large: every site adds to
it), centering, which takes the mean out of v, should keep them alive. The
centered RBM also starts every unit at mean input 0; `zerostart` (the plain RBM
started with c = -vbar W, peer.train_cd1's zero_mean_start) tells the two apart.

  firstepoch.py -data ising.npy [-seeds 1,2,3] [-epochs 10] [-rows 2000]
                [-variants paper,...] [-models DIR] [-save DIR] [-md F] [-json F] [-cpu TEXT]
  firstepoch.py -from F.json [-md F] [-cpu TEXT]   (the Markdown of an earlier -json)

Like the presets, a random 10% of the rows is held out of the training; the
first -rows of them are the measured rows. With -models (bench/deadunits/run.sh's
OUT_DIR, holding early_<variant>_<seed>.npz from `isingrbm train`), the live
share of our trainer's epoch-1 snapshots on the same rows is listed beside the
peer's. With -save, every trained model is written as DIR/<variant>_<seed>.npz
(W0, b0, c0, float32, in the plain RBM's parameters: a centered model's biases
are b - W lam and c - mu W) for `isingrbm eval -model`. Over seeds: mean,
sample std, min and max.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import locality as peer  # noqa: E402

import analyse  # noqa: E402
from analyse import spread  # noqa: E402

LIVE_SD = analyse.LIVE_SD
L1 = 2e-4
# name: (description, train_cd1 keyword arguments); every variant is the paper's
# recipe with one change, as in run.sh.
VARIANTS = (
    ("paper", "init sigma 0.1, lr 0.1, momentum 0.5 (0.9 from epoch 6), L1 2e-4", {}),
    ("l1off", "without the L1 penalty", {"l1": 0.0}),
    ("sigma001", "initial weights ten times smaller (sigma 0.01)", {"sigma": 0.01}),
    ("mom0", "no momentum", {"mom": (0.0, 0.0)}),
    ("mom0lr1", "no momentum, lr 1", {"mom": (0.0, 0.0), "lr": 1.0}),
    ("zerostart", "the paper's recipe started with c = -vbar W: every unit's mean input 0, as the centered RBM starts",
     {"zero_mean_start": True}),
    ("centered", "the paper's recipe on the centered RBM (offsets: data mean, 1/2)", {"center": True}),
)
# MARKS are the updates after which every unit is measured in the first epoch.
MARKS = (0, 1, 2, 3, 5, 10, 20, 50, 100)
# EPOCHS are the epochs whose live share the Markdown lists (and the last).
EPOCHS = (1, 2, 3, 5, 6, 10, 20, 50, 100, 150)


def fmt(s, pct=False):
    return analyse.fmt(s, pct, ranges=False)


def med(a):
    return float(np.median(a)) if a.size else float("nan")


class Watcher:
    """Measures every unit on the rows R at the marked updates and at every epoch's end."""

    def __init__(self, R, offset, per_epoch):
        self.R, self.offset, self.per_epoch = R, offset, per_epoch
        self.vbar = R.mean(0)
        self.marks = {}   # update -> measures (first epoch)
        self.epochs = {}  # epoch -> live share
        self.last = None  # the measures at the last epoch's end

    def measure(self, W, c):
        W64, c64 = W.astype(np.float64), c.astype(np.float64)
        x = (self.R - self.offset) @ W64 + c64
        live = peer.sigmoid(x).std(0) >= LIVE_SD
        return {"live": live, "mu": x.mean(0), "sd": x.std(0), "vbarW": (self.vbar - self.offset) @ W64, "c": c64.copy()}

    def __call__(self, epoch, updates, W, c):
        if epoch <= 1 and updates in MARKS:
            self.marks[updates] = self.measure(W, c)
        if updates > 0 and updates % self.per_epoch == 0:
            m = self.measure(W, c)
            self.epochs[epoch] = float(m["live"].mean())
            self.last = m
            if epoch == 1:
                self.marks["end"] = m


def one(X, L, name, kw, seed, epochs, rows, save=""):
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    perm = rng.permutation(n)
    hold = n // 10
    R, T = X[perm[:hold]][:rows].astype(np.float64), X[perm[hold:]].astype(np.float32)
    kw = dict(kw, l1=kw.get("l1", L1))
    offset = np.zeros(X.shape[1])
    if kw.pop("center", False):
        offset = T.mean(0, dtype=np.float64)
        kw["center"] = (offset, 0.5)
    w = Watcher(R, offset, (len(T) + 99) // 100)
    t = time.time()
    W, c, b = peer.train_cd1(T, 400, epochs, rng, hook=w, return_b=True, **kw)
    secs = time.time() - t
    if save:
        save_model(os.path.join(save, "%s_%d.npz" % (name, seed)), W, b, c, offset, kw["center"][1] if "center" in kw else 0.0)
    ms = [w.marks[u] for u in MARKS] + [w.marks["end"]]
    m0, end = ms[0], ms[-1]
    dead = ~end["live"]
    d3 = ~w.marks[3]["live"]
    r = {"seed": seed, "seconds": secs,
         "live": [float(m["live"].mean()) for m in ms],
         "live_epoch": [w.epochs[e] for e in range(1, epochs + 1)],
         # the units dead at the end of the first epoch, at every mark:
         "dead_mu": [med(m["mu"][dead]) for m in ms],
         "dead_vbarW": [med(m["vbarW"][dead]) for m in ms],
         "dead_c": [med(m["c"][dead]) for m in ms],
         "dead_sd": [med(m["sd"][dead]) for m in ms],
         "live_mu": [med(m["mu"][~dead]) for m in ms],
         "live_sd": [med(m["sd"][~dead]) for m in ms],
         # of the fall of the dead units' mean input in the first epoch, the
         # share that their weights (vbar . W) carry rather than their bias
         "dead_fall_by_weights": med((end["vbarW"] - m0["vbarW"])[dead] / (end["mu"] - m0["mu"])[dead]) if dead.any() else float("nan"),
         # units dead after 3 updates that are live at the end of the first epoch
         "revived": float((d3 & end["live"]).sum() / d3.sum()) if d3.any() else float("nan"),
         # does a unit's initial mean input say whether it dies? (AUC of mu_0)
         "auc_mu0": auc(m0["mu"], dead),
         }
    # the locality of the final weights, of all and of the live units
    W64 = W.astype(np.float64)
    live = w.last["live"]  # measured at the last epoch's end
    pr, disk = peer.participation_ratio(W64), peer.disk_share(W64, L, 2.5)
    r.update({"live_end": float(live.mean()), "pr_median_end": med(pr), "live_pr_median_end": med(pr[live]),
              "disk_median_end": med(disk), "live_disk_median_end": med(disk[live])})
    return r


def save_model(path, W, b, c, mu, lam):
    """Writes W0, b0, c0 (float32) of the plain RBM with the same energy as the centered one with
    offsets mu, lam: -(v - mu) W (h - lam) - b v - c h = -v W h - (b - lam W 1) v - (c - mu W) h + const."""
    W64 = W.astype(np.float64)
    b0 = b.astype(np.float64) - lam * W64.sum(1)
    c0 = c.astype(np.float64) - np.asarray(mu, np.float64) @ W64
    tmp = path + ".tmp.npz"
    np.savez(tmp, W0=W.astype(np.float32), b0=b0.astype(np.float32), c0=c0.astype(np.float32))
    os.replace(tmp, path)


def auc(score, label):
    """The probability that a random unit with the label scores above a random one without."""
    n1, n0 = int(label.sum()), int((~label).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = np.argsort(np.argsort(score)) + 1
    return float((r[label].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def ours(models, X, seed, name, rows):
    """The live share of our trainer's epoch-1 snapshot of run.sh's early_<name>_<seed>.npz on the same rows."""
    path = os.path.join(models, "early_%s_%d.npz" % (name, seed))
    if not os.path.exists(path):
        return None
    z = np.load(path)
    if "W0_epoch001" not in z.files or "c0_epoch001" not in z.files:
        raise SystemExit("%s: no epoch-1 snapshot (W0_epoch001, c0_epoch001): run.sh's early models keep one" % path)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(X.shape[0])
    R = X[perm[:X.shape[0] // 10]][:rows].astype(np.float64)
    x = R @ z["W0_epoch001"].astype(np.float64) + z["c0_epoch001"].astype(np.float64)
    return float((peer.sigmoid(x).std(0) >= LIVE_SD).mean())


def markdown(res, cpu):
    out = ["# Dead units: the first updates and %d epochs of %s" % (res["epochs"], ", ".join(res["variants"])), "",
           "Generated by `bench/deadunits/firstepoch.py` (NumPy; the trainer is bench/peers/locality.py's "
           "CD-1, written from the paper) on %s, training data %s (%d rows, L = %d), seeds %s, %d epochs, "
           "%.0f s in all. Every unit is measured on %d held-out rows (a random 10%% of the rows is left out "
           "of the training, as the presets do). x_j(v) is unit j's input, mu its mean over the rows, sd its "
           "standard deviation; a unit is live when p(h_j = 1 | v) has a standard deviation of at least 0.01. "
           "Values: mean +- sd over the seeds of each seed's share or median." % (
               cpu, res["data"], res["n"], res["L"], ", ".join(map(str, res["seeds"])), res["epochs"],
               res["seconds"], res["rows"]), ""]
    cols = [str(u) for u in MARKS] + ["end of epoch 1"]
    out += ["## Live share after each of the first updates", "",
            "| variant | " + " | ".join("update " + c if c[0].isdigit() else c for c in cols) + " |",
            "|---|" + "---|" * len(cols)]
    for name in res["variants"]:
        per = res["variants"][name]
        out.append("| %s | %s |" % (name, " | ".join(fmt(spread([p["live"][i] for p in per]), True) for i in range(len(cols)))))
    eps = [e for e in EPOCHS if e < res["epochs"]] + [res["epochs"]]
    out += ["", "Live share at the end of epochs %s (momentum 0.9 from epoch 6 where the variant has momentum):" % ", ".join(map(str, eps)), "",
            "| variant | " + " | ".join("epoch %d" % e for e in eps) + " |",
            "|---|" + "---|" * len(eps)]
    for name in res["variants"]:
        per = res["variants"][name]
        out.append("| %s | %s |" % (name, " | ".join(fmt(spread([p["live_epoch"][e - 1] for p in per]), True) for e in eps)))
    if res.get("ours"):
        out += ["", "Our trainer (`isingrbm train`, run.sh's early models, epoch-1 snapshot) on the same rows, "
                "against the peer at the end of epoch 1:", "",
                "| variant | isingrbm train | peer |", "|---|---|---|"]
        for name in res["variants"]:
            o = res["ours"].get(name)
            if o:
                out.append("| %s | %s | %s |" % (name, fmt(spread(o), True), fmt(spread([p["live"][-1] for p in res["variants"][name]]), True)))
    out += ["", "## What moves: the mean input of the units that are dead at the end of epoch 1", "",
            "Median over those units of mu, of its weight part vbar . W (vbar: the rows' mean configuration; "
            "(vbar - offset) . W for the centered RBM) "
            "and of the bias c, and of their spread sd, after each update; the live units' mu and sd beside them.", ""]
    for name in res["variants"]:
        per = res["variants"][name]
        out += ["### %s" % name, "", "| update | dead: mu | dead: vbar . W | dead: c | dead: sd | live: mu | live: sd |",
                "|---|---|---|---|---|---|---|"]
        for i, c in enumerate(cols):
            out.append("| %s | %s |" % (c, " | ".join(fmt(spread([p[k][i] for p in per])) for k in
                                                      ("dead_mu", "dead_vbarW", "dead_c", "dead_sd", "live_mu", "live_sd"))))
        out.append("")
    out += ["## Per variant", "",
            "| variant | share of the dead units' fall of mu carried by its weight part | dead after 3 updates, live at the end of epoch 1 | AUC: initial mu predicts death |",
            "|---|---|---|---|"]
    desc = {v[0]: v[1] for v in VARIANTS}
    for name in res["variants"]:
        per = res["variants"][name]
        out.append("| %s (%s) | %s | %s | %s |" % (name, desc[name], fmt(spread([p["dead_fall_by_weights"] for p in per])),
                                                     fmt(spread([p["revived"] for p in per]), True),
                                                     fmt(spread([p["auc_mu0"] for p in per]))))
    out += ["", "## After epoch %d" % res["epochs"], "",
            "Live share and locality of the final weights (PR: participation ratio, smaller is more local; "
            "disk share: share of w^2 within 2.5 sites of the largest weight, larger is more local):", "",
            "| variant | live | median PR, all / live | median disk share, all / live |", "|---|---|---|---|"]
    for name in res["variants"]:
        per = res["variants"][name]
        g = lambda k, pct=False: fmt(spread([p[k] for p in per]), pct)  # noqa: E731
        out.append("| %s | %s | %s / %s | %s / %s |" % (name, g("live_end", True), g("pr_median_end"), g("live_pr_median_end"),
                                                      g("disk_median_end"), g("live_disk_median_end")))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-data", default="")
    ap.add_argument("-from", dest="src", default="")
    ap.add_argument("-seeds", default="1,2,3")
    ap.add_argument("-epochs", type=int, default=10)
    ap.add_argument("-rows", type=int, default=2000)
    ap.add_argument("-variants", default=",".join(v[0] for v in VARIANTS))
    ap.add_argument("-models", default="")
    ap.add_argument("-save", default="")
    ap.add_argument("-md", default="")
    ap.add_argument("-json", default="")
    ap.add_argument("-cpu", default="")
    a = ap.parse_args()
    if a.src:
        res = analyse.read_json(a.src, "-from")
        analyse.write(a.md, markdown(res, a.cpu or res.get("cpu") or "an unnamed CPU"))
        return
    if not a.data:
        raise SystemExit("-data: want the training data (.npy), or -from an earlier -json")
    try:
        seeds = [int(s) for s in a.seeds.split(",")]
    except ValueError:
        raise SystemExit("-seeds %r: want comma-separated integers" % a.seeds)
    if a.epochs < 1 or a.epochs > 1000:
        raise SystemExit("-epochs %d: want 1 to 1000" % a.epochs)
    names = a.variants.split(",")
    for nm in names:
        if nm not in [v[0] for v in VARIANTS]:
            raise SystemExit("-variants: %r is none of %s" % (nm, ", ".join(v[0] for v in VARIANTS)))
    if a.rows < 2:
        raise SystemExit("-rows %d: want at least 2" % a.rows)
    X, L = peer.load_rows(a.data)
    if X.shape[0] // 10 < 2 or X.shape[0] < 2 * 100 * 10:
        raise SystemExit("%s: %d rows, want at least 2000 (100-row batches, 10%% held out)" % (a.data, X.shape[0]))
    t = time.time()
    res = {"data": a.data, "n": int(X.shape[0]), "L": L, "seeds": seeds, "epochs": a.epochs,
           "rows": min(a.rows, X.shape[0] // 10), "marks": list(MARKS), "variants": {}, "ours": {}}
    for name, _, kw in VARIANTS:
        if name not in names:
            continue
        res["variants"][name] = []
        for s in seeds:
            r = one(X, L, name, kw, s, a.epochs, a.rows, a.save)
            print("%s seed %d: live %s, epochs %s (%.0f s)" % (name, s, " ".join("%.2f" % x for x in r["live"]),
                                                               " ".join("%.2f" % x for x in r["live_epoch"]), r["seconds"]),
                  file=sys.stderr, flush=True)
            res["variants"][name].append(r)
            if a.models:
                o = ours(a.models, X, s, name, a.rows)
                if o is not None:
                    res["ours"].setdefault(name, []).append(o)
    res["seconds"] = time.time() - t
    res["cpu"] = a.cpu
    if a.json:
        analyse.write(a.json, json.dumps(res, indent=1) + "\n")
    analyse.write(a.md, markdown(res, a.cpu or "an unnamed CPU"))


if __name__ == "__main__":
    main()
