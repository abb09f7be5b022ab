#!/usr/bin/python3
"""Why does persistent CD fail in the ordered phase (K = 0.6)?

In `study run -K ...,0.6 -seeds 1-3 -networks mehta-schwab-pcd` (RUN.md,
"Across couplings") two of three layer-1 models end provably worse than
independent units, with a free-energy change of thousands of nats under a
global flip v -> 1 - v. This script retrains those three layers with the same
data and seeds (bit for bit: it checks W, b and c against -study DIR when
given) and follows the persistent chains through training; then trains
them again with `-flip-move`, which adds to each Gibbs step a Metropolis-
Hastings move of each chain to its mirror image 1 - v, trains the paper's
CD-1 recipe (preset mehta-schwab) without and with the move on the same
data with the same training seeds, the move with CD-1 on sampled 0/1
visibles (-sample-visibles: the move is then a Metropolis-Hastings step on
p(v) itself, where on CD-1's P(v|h) probability vectors it is a heuristic)
and with the centered RBM (preset mehta-schwab-centered), and evaluates all
six on the study's held-out configurations:

  ordered.py -bin isingrbm -out DIR [-study DIR] [-json F] [-md F]
  ordered.py -from F.json [-md F]      (the Markdown of an earlier -json)

A model already in DIR is not trained again.

Training stops after every epoch up to 20 and every 5 epochs after that
(`train -stop-after`, then `-resume`, which continues bit for bit) and keeps a
copy of each checkpoint. From a checkpoint's W, b and hidden chains h it
computes each chain's magnetization m = mean(2 p(v|h) - 1), the share of
chains with m > 0, how many chains changed sign since the previous
checkpoint, and on the first 2,000 data rows the mean of F(1 - v) - F(v)
over the rows with m > 0 (0 for a model with the Ising model's symmetry;
negative: the model prefers the mirror images, the m < 0 state).
Evaluation: `isingrbm eval -layers 1 -seed 1` (AIS, two paths of 100 runs,
14,500 steps) on the 5,000 held-out configurations of the study's data set.
"""
import argparse
import glob
import json
import os
import shutil
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deadunits"))
import analyse  # noqa: E402

WHO = "ordered.py"

K = 0.6
# study seed: (data seed, held-out seed, training seed), from the study's
# runs/K0.6000-seedS: the "seed" of data/d0/ising.json and test.json and of
# models/mehta-schwab-pcd/d0-s0.npz's meta.json.
SEEDS = {
    1: (14216433820238907538, 13397902795166531843, 1271626757051810565),
    2: (10929403122698058381, 15784575663561047328, 618646250833208407),
    3: (667672227621742152, 16634141845410219098, 9266072816940630378),
}
# name, preset, extra flags: persistent CD as in the study, with the flip
# move, the paper's CD-1 recipe without and with it, with it on sampled
# visibles, and the centered RBM with it.
VARIANTS = (("plain", "mehta-schwab-pcd", []), ("flip", "mehta-schwab-pcd", ["-flip-move"]),
            ("cd1", "mehta-schwab", []), ("cd1-flip", "mehta-schwab", ["-flip-move"]),
            ("cd1-flip-sampled", "mehta-schwab", ["-flip-move", "-sample-visibles"]),
            ("centered-flip", "mehta-schwab-centered", ["-flip-move"]))
ROWS = 2000


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def free_energy(v, W, b, c):
    return -(v @ b) - np.logaddexp(0, v @ W + c).sum(1)


def measure(path, d, pos, prev):
    z = np.load(path)
    W, b, c = (z[k].astype(np.float64) for k in ("W0", "b0", "c0"))
    dF = free_energy(1 - d, W, b, c) - free_energy(d, W, b, c)
    row = {"flip_dF_pos": float(dF[pos].mean()), "flip_dF_neg": float(dF[~pos].mean())}
    if "chains" in z:
        m = (2 * sigmoid(z["chains"].astype(np.float64) @ W.T + b) - 1).mean(1)
        row.update(chains_pos=float((m > 0).mean()), chains_abs_m=float(np.abs(m).mean()),
                   crossed=None if prev is None else int(((m > 0) != prev).sum()))
        prev = m > 0
    return row, prev


def train(bin_, dir_, data, tseed, preset, flags, log):
    """Trains layer 1 into dir_/m.npz, keeping each checkpoint as ckEEE.npz."""
    model = os.path.join(dir_, "m.npz")
    if os.path.exists(model):
        return model
    for f in glob.glob(os.path.join(dir_, "ck*.npz")) + glob.glob(model + ".ckpt"):
        os.remove(f)
    cmd = [bin_, "train", "-data", data, "-layers", "400", "-preset", preset,
           "-seed", str(tseed), "-snapshot-every", "20", "-o", model] + flags
    epoch, epochs = 0, 200
    while epoch < epochs:
        step = 1 if epoch < 20 else 5
        analyse.run_tool(cmd + ["-stop-after", str(step)] + (["-resume"] if epoch else []), log, WHO)
        epoch += step
        if epoch < epochs:
            shutil.copy(model + ".ckpt", os.path.join(dir_, f"ck{epoch:03d}.npz"))
    return model


def one(bin_, out, study, s):
    dseed, vseed, tseed = SEEDS[s]
    base = os.path.join(out, f"seed{s}")
    os.makedirs(base, exist_ok=True)
    log = os.path.join(base, "log")
    data, test = os.path.join(base, "ising.npy"), os.path.join(base, "test.npy")
    for path, seed, n in ((data, dseed, 20000), (test, vseed, 5000)):
        if not os.path.exists(path):
            analyse.run_tool([bin_, "sample", "-L", "40", "-beta", str(K), "-n", str(n), "-seed", str(seed),
                              "-rng", "xoshiro256++", "-o", path], log, WHO)
    x = np.load(data).reshape(20000, -1)
    d = x[:ROWS].astype(np.float64)
    pos = d.mean(1) > 0.5
    res = {"seed": s, "data_seed": dseed, "test_seed": vseed, "train_seed": tseed,
           "data_pos": float((x.mean(1) > 0.5).mean()), "variants": {}}
    for name, preset, flags in VARIANTS:
        dir_ = base if name == "plain" else os.path.join(base, name)
        os.makedirs(dir_, exist_ok=True)
        model = train(bin_, dir_, data, tseed, preset, flags, log)
        if study and name == "plain":
            ref = np.load(os.path.join(study, "runs", f"K{K:.4f}-seed{s}", "models", "mehta-schwab-pcd", "d0-s0.npz"))
            got = np.load(model)
            if not all(np.array_equal(got[k], ref[k]) for k in ("W0", "b0", "c0")):
                sys.exit(f"ordered.py: seed {s}: layer 1 differs from the study's model")
            res["checked_against_study"] = True
        rows, prev = [], None
        for f in sorted(glob.glob(os.path.join(dir_, "ck*.npz"))) + [model]:
            r, prev = measure(f, d, pos, prev)
            r["epoch"] = int(os.path.basename(f)[2:5]) if f != model else 200
            rows.append(r)
        ev = os.path.join(dir_, "eval.json")
        if not os.path.exists(ev):
            analyse.write(ev, analyse.run_tool([bin_, "eval", "-model", model, "-data", test, "-layers", "1", "-seed", "1",
                                                "-json"], log, WHO))
        e = analyse.read_json(ev, "eval")["layers"][0]
        meta = json.loads(bytes(np.load(model)["meta.json"]).decode())
        hist = meta["history"]["layers"][0]
        res["variants"][name] = {
            "rows": rows,
            "eval": {k: e.get(k) for k in ("loglik", "loglik_err", "loglik_ceiling", "log_z_data", "log_z_biases",
                                            "global_flip_gap", "pseudo_loglik")},
            "flip_accept_last": hist[-1].get("flip_accept"),
        }
    return res


def markdown(res):
    at = (5, 10, 20, 50, 100, 200)
    out = ["| seed | training | data rows with m > 0 | chains with m > 0 (epoch 195) | chains that changed sign, epochs 190-195 | last epoch a chain changed sign | "
           + " | ".join(f"F(1-v)-F(v), m>0 rows, epoch {e}" for e in at) + " |",
           "|---" * (6 + len(at)) + "|"]
    for r in res["seeds"]:
        for name, v in r["variants"].items():
            ck = [x for x in v["rows"] if "chains_pos" in x]
            by = {x["epoch"]: x for x in v["rows"]}
            chains = "- | - | -"
            if ck:
                last = max([x["epoch"] for x in ck if x["crossed"]] or [0])
                chains = f"{100 * ck[-1]['chains_pos']:.0f}% | {ck[-1]['crossed']} | {last}"
            out.append(f"| {r['seed']} | {name} | {100 * r['data_pos']:.2f}% | {chains} | "
                       + " | ".join(f"{by[e]['flip_dF_pos']:.0f}" for e in at) + " |")
    out += ["", "| seed | training | held-out log-likelihood (AIS) | log Z, path from the data | log Z, path from the biases | "
            "ceiling (no statistics) | mean global-flip gap | flips accepted, last epoch |", "|---" * 8 + "|"]
    for r in res["seeds"]:
        for name, v in r["variants"].items():
            e = v["eval"]
            acc = v["flip_accept_last"]
            # AIS's log Z errs low when both paths miss part of Z; then its
            # log-likelihood can land above the ceiling, which needs no
            # statistics and so is the one sure bound: say so in the row
            over = " (above the ceiling)" if e["loglik"] > e["loglik_ceiling"] else ""
            out.append(f"| {r['seed']} | {name} | {e['loglik']:.1f} +- {e['loglik_err']:.1f}{over} | {e['log_z_data']:.1f} | "
                       f"{e['log_z_biases']:.1f} | {e['loglik_ceiling']:.1f} | {e['global_flip_gap']:.1f} | "
                       + ("-" if acc is None else f"{100 * acc:.1f}%") + " |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-bin")
    ap.add_argument("-out")
    ap.add_argument("-study", help="the study's folder: check the retrained layers against its models")
    ap.add_argument("-json")
    ap.add_argument("-md")
    ap.add_argument("-from", dest="from_")
    a = ap.parse_args()
    if a.from_:
        res = analyse.read_json(a.from_, "-from")
        analyse.finish(res, markdown(res), None, a.md)
        return
    if not a.bin or not a.out:
        ap.error("-bin and -out (or -from)")
    os.makedirs(a.out, exist_ok=True)
    version = analyse.run_tool([a.bin, "version"], os.path.join(a.out, "version.log"), WHO)
    res = {"version": version, "seeds": [one(a.bin, a.out, a.study, s) for s in sorted(SEEDS)]}
    analyse.finish(res, markdown(res), a.json, a.md)


if __name__ == "__main__":
    main()
