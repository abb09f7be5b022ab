#!/usr/bin/python3
"""Why does the centered RBM score below fair coins on nearly independent spins?

At K = 0.01 the 40 x 40 Ising configurations are fair coins to within 0.1 nats
(Kaufman: -1108.9 nats per configuration, fair coins -1109.0), so the best RBM
has W = 0. The paper's recipe gets there by killing its units (held out -1110);
the centered preset keeps every unit and scores about -1189 (RUN.md). This
script separates the candidate causes, one knob of mehta-schwab-centered at a
time, layer 1 only (1600 -> 400):

  noise.py -bin isingrbm -out DIR [-preset P] [-seeds 1,2,3] [-jobs 2] [-md F] [-json F]
  noise.py -from F.json [-md F]      (the Markdown of an earlier -json)

-variants a,b runs only those variants; -merge F.json keeps F's runs of the
others (same preset and seeds), so one more variant joins an earlier table.

-preset mehta-schwab-pcd (default mehta-schwab-centered) asks the same of
persistent CD, which scores 54 nats below fair coins there (bench/pcd/RUN.md),
with the variants of PCD_VARIANTS.

Data (`isingrbm sample -L 40 -beta 0.01`): 20,000 training configurations
(seed 1), 200,000 more (seed 3) for the runs with ten times the data, 800,000
(seed 4) for persistent CD's run with forty times, and 2,000 held-out ones
(seed 2); a set is sampled only when a variant run trains on it. Every model is evaluated by `isingrbm eval` with its
defaults (AIS: 100 runs of each of two paths, 14,500 steps) on the held-out
rows and on 2,000 of its own training rows (-max-samples 2000), one thread per
job. Training seeds vary; the data do not. Values: mean +- sd [min, max] over
the seeds, nats per configuration.
"""
import concurrent.futures
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import analyse  # noqa: E402

WHO = "noise.py"

K = 0.01
# name, training data, flags after -preset mehta-schwab-centered, what it tests
CENTERED_VARIANTS = (
    ("plain", "train", ["-preset", "mehta-schwab"], "the paper's recipe (not centered)"),
    ("centered", "train", [], "mehta-schwab-centered as the study ran it"),
    ("init0.01", "train", ["-init-sigma", "0.01"], "initial weights 10x smaller: a memory of the start?"),
    ("data10x", "big", ["-epochs", "20", "-momentum-switch", "1"],
     "10x the data, 1/10 the epochs (same updates): overfitting?"),
    ("cd10", "train", ["-cd", "10"], "CD-10: the bias of CD-1?"),
    ("pcd-lr0.01", "train", ["-pcd", "-lr", "0.01"], "persistent CD at a tenth of the step: the bias of CD-1?"),
    ("lr0.05", "train", ["-lr", "0.05"], "half the step: gradient noise?"),
    ("lr0.025", "train", ["-lr", "0.025"], "a quarter of the step"),
    ("batch1000", "train", ["-batch", "1000"], "10x the batch, 1/10 the updates: gradient noise?"),
    ("hidden100", "train", ["-layers", "100"], "a quarter of the hidden units (1600 -> 100): the price of live units?"),
)
# The same for mehta-schwab-pcd (lr 0.01 decayed linearly to 0 over the
# epochs, momentum 0.5 throughout, 100 persistent chains).
PCD_VARIANTS = (
    ("pcd", "train", [], "mehta-schwab-pcd as the study ran it"),
    ("init0.01", "train", ["-init-sigma", "0.01"], "initial weights 10x smaller: a memory of the start?"),
    ("data10x", "big", ["-epochs", "20"], "10x the data, 1/10 the epochs (same updates): memorizing?"),
    ("epochs20", "train", ["-epochs", "20"], "1/10 the epochs (the same step schedule, compressed): stopped early?"),
    ("l1x10", "train", ["-l1", "2e-3"], "ten times the L1 penalty: too little shrinkage?"),
    ("batch1000", "train", ["-batch", "1000"], "10x the batch (and chains), 1/10 the updates: gradient noise?"),
    ("hidden100", "train", ["-layers", "100"], "a quarter of the hidden units (1600 -> 100): the price of live units?"),
    ("data40x", "huge", ["-epochs", "5"], "40x the data, 1/40 the epochs (same updates): does the floor move?"),
)
VARIANTS = {"mehta-schwab-centered": CENTERED_VARIANTS, "mehta-schwab-pcd": PCD_VARIANTS}
MEASURES = (
    ("heldout", "held-out log-likelihood (AIS)"),
    ("train", "log-likelihood on 2,000 training rows (AIS)"),
    ("gap", "training minus held-out"),
    ("paths", "AIS paths apart (largest abs(log Z data - log Z biases))"),
    ("rmsW", "root-mean-square weight"),
    ("maxW", "largest |weight|"),
)



def evaluate(bin_, model, data, out, log, extra=()):
    if not os.path.exists(out):
        js = analyse.run_tool([bin_, "eval", "-model", model, "-data", data, "-threads", "1", "-json", *extra], log, WHO)
        analyse.write(out, js)
    with open(out) as f:
        return json.load(f)["layers"][0]


def one(bin_, out, data, preset, name, seed):
    src, flags = next((v[1], v[2]) for v in VARIANTS[preset] if v[0] == name)
    base = os.path.join(out, f"{preset}_{name}_{seed}")
    model = base + ".npz"
    if not os.path.exists(model):
        analyse.run_tool([bin_, "train", "-data", data[src], "-layers", "400", "-preset", preset,
             "-threads", "1", "-seed", str(seed), *flags, "-o", model], base + ".train.log", WHO)
    held = evaluate(bin_, model, data["test"], base + ".heldout.json", base + ".heldout.log")
    train = evaluate(bin_, model, data[src], base + ".train.json", base + ".trainrows.log",
                     ["-max-samples", "2000"])
    W = np.load(model)["W0"].astype(np.float64)
    return {
        "variant": name, "seed": seed,
        "heldout": held["loglik"], "train": train["loglik"],
        "gap": train["loglik"] - held["loglik"],
        "paths": max(abs(e["log_z_data"] - e["log_z_biases"]) for e in (held, train)),
        "rmsW": float(np.sqrt((W * W).mean())), "maxW": float(np.abs(W).max()),
    }



def markdown(res):
    preset = res.get("preset", "mehta-schwab-centered")  # noise.json of 2026-12-05 predates -preset
    caption = (f"Variants of {preset} at K = {K}, layer 1 (1600 -> 400); "
               f"{res['cpu']}; seeds {','.join(map(str, res['seeds']))}; fair coins "
               f"{-1600 * np.log(2):.1f} nats, the Ising model -1108.9.")
    return analyse.variant_table(caption, [(v[0], v[3]) for v in VARIANTS[preset]], res["runs"], [m[1] for m in MEASURES],
                                 lambda rs: [analyse.fmt_fixed([r[m] for r in rs], 3 if m in ("rmsW", "maxW", "paths") else 1)
                                             for m, _ in MEASURES])


def main():
    ap = analyse.study_parser(__doc__, "1,2,3", 2)
    ap.add_argument("-preset", default="mehta-schwab-centered", choices=sorted(VARIANTS))
    ap.add_argument("-variants", help="run only these variants (comma-separated names)")
    ap.add_argument("-merge", help="an earlier -json of the same preset and seeds: its runs of the variants not run now are kept")
    a = ap.parse_args()
    if a.from_:
        res = analyse.read_json(a.from_, "-from")
    else:
        if not a.bin or not a.out:
            ap.error("-bin and -out are required (or -from)")
        os.makedirs(a.out, exist_ok=True)
        seeds = analyse.parse_seeds(ap, a.seeds)
        variants = VARIANTS[a.preset]
        if a.variants:
            names = a.variants.split(",")
            unknown = sorted(set(names) - {v[0] for v in variants})
            if unknown:
                ap.error(f"-variants: {', '.join(unknown)} not variants of {a.preset}, want {','.join(v[0] for v in variants)}")
            variants = [v for v in variants if v[0] in names]
        # Sample only the data sets the variants train on (and the held-out rows).
        data = {}
        for key, n, seed in (("train", 20000, 1), ("big", 200000, 3), ("huge", 800000, 4), ("test", 2000, 2)):
            data[key] = os.path.join(a.out, f"{key}.npy")
            if key not in ("train", "test") and all(v[1] != key for v in variants):
                continue
            if not os.path.exists(data[key]):
                analyse.run_tool([a.bin, "sample", "-L", "40", "-beta", str(K), "-n", str(n), "-seed", str(seed),
                     "-o", data[key]], data[key] + ".log", WHO)
        cpu = analyse.cpu_name(a.bin, a.out, WHO)
        jobs = [(v[0], s) for s in seeds for v in variants]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            runs = list(ex.map(lambda j: one(a.bin, a.out, data, a.preset, *j), jobs))
        if a.merge:
            old = analyse.read_json(a.merge, "-merge")
            if old.get("preset", "mehta-schwab-centered") != a.preset or old["seeds"] != seeds:
                ap.error(f"-merge {a.merge}: preset {old.get('preset', 'mehta-schwab-centered')} seeds {old['seeds']}, want {a.preset} seeds {seeds}")
            now = {v[0] for v in variants}
            runs = [r for r in old["runs"] if r["variant"] not in now] + runs
            if old["cpu"] != cpu:
                cpu = f"{old['cpu']} and {cpu}"
        res = {"K": K, "preset": a.preset, "cpu": cpu, "seeds": seeds, "runs": runs}
    analyse.finish(res, markdown(res), a.json, a.md)


if __name__ == "__main__":
    main()
