#!/usr/bin/python3
"""Does persistent CD learn the Ising configurations with the paper's step?

`isingrbm train -pcd` with the paper's recipe (lr 0.1, momentum 0.5 then 0.9,
batch 100, W ~ 0.1 N(0,1)) ends below independent fair coins on 40 x 40
configurations at K = 0.408, where CD-1 with the same recipe learns. This
script asks whether that is persistent CD itself or our implementation, and
which step persistent CD needs, layer 1 only (1600 -> 400):

  pcd.py -bin isingrbm -out DIR [-seeds 1,2,3] [-jobs 2] [-epochs 50] [-variants a,b] [-md F] [-json F]
  pcd.py -from F.json [-md F]      (the Markdown of an earlier -json)

Data (`isingrbm sample -L 40 -beta 0.408`): 20,000 training configurations
(seed 1), 2,000 held-out ones (seed 2). Every variant trains on the same data
with training seeds 1, 2, 3; "numpy" is an independent NumPy implementation
of the persistent-CD recipe (float64, its own random numbers and batch order),
saved as an .npz that `isingrbm eval` reads. Every model is evaluated by
`isingrbm eval` with its defaults (AIS: 100 runs of each of two paths, 14,500
steps) on the held-out rows, one thread per job. Values: mean +- sd [min, max]
over the seeds, nats per configuration; independent units with the training
rows' means score `indep` (in the table's caption).
"""
import concurrent.futures
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deadunits"))
import analyse  # noqa: E402

WHO = "pcd.py"

K = 0.408
# name, flags after -preset mehta-schwab (None: the NumPy twin), what it tests
VARIANTS = (
    ("cd1", [], "CD-1, the paper's recipe (reference)"),
    ("pcd", ["-pcd"], "persistent CD with the paper's step: lr 0.1, momentum 0.5 then 0.9"),
    ("numpy", None, "the same persistent CD in NumPy (independent code)"),
    ("pcd-mom0.5", ["-pcd", "-momentum", "0.5"], "momentum 0.5 throughout"),
    ("pcd-mom0", ["-pcd", "-momentum", "0"], "no momentum"),
    ("pcd-lr0.03", ["-pcd", "-lr", "0.03"], "lr 0.03, momentum 0.5 then 0.9"),
    ("pcd-lr0.01", ["-pcd", "-lr", "0.01"], "lr 0.01, momentum 0.5 then 0.9"),
    ("pcd-lr0.01-mom0.5", ["-pcd", "-lr", "0.01", "-momentum", "0.5"], "lr 0.01, momentum 0.5 throughout"),
    ("pcd-lr0.001", ["-pcd", "-lr", "0.001"], "lr 0.001, momentum 0.5 then 0.9"),
    ("sklearn", ["-preset", "sklearn"], "scikit-learn's recipe: PCD, lr 0.1, batch 10, no momentum, W ~ 0.01 N(0,1)"),
    ("pcd-decay", ["-pcd", "-lr-decay", "linear"], "the paper's step decayed linearly to lr/epochs in the last epoch"),
    ("pcd-lr0.03-decay", ["-pcd", "-lr", "0.03", "-lr-decay", "linear"], "lr 0.03, momentum 0.5 then 0.9, decayed linearly"),
    ("pcd-lr0.01-mom0.5-decay", ["-pcd", "-lr", "0.01", "-momentum", "0.5", "-lr-decay", "linear"],
     "lr 0.01, momentum 0.5 throughout, decayed linearly"),
    ("pcd-gibbs", ["-pcd", "-sample-visibles"],
     "persistent CD with the paper's step, chains of Gibbs steps (visibles sampled, not kept as probabilities)"),
    ("pcd-lr0.01-mom0.5-decay-gibbs", ["-pcd", "-lr", "0.01", "-momentum", "0.5", "-lr-decay", "linear",
                                       "-sample-visibles"],
     "lr 0.01, momentum 0.5 throughout, decayed linearly (preset mehta-schwab-pcd), Gibbs chains"),
)
MEASURES = (
    ("heldout", "held-out log-likelihood (AIS)"),
    ("gain", "held out minus independent units"),
    ("pll", "pseudo-LL, validation rows, last epoch"),
    ("rmsW", "root-mean-square weight"),
)


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def numpy_pcd(X, seed, epochs, out):
    """Persistent CD-1 with the paper's recipe, written from its description
    (not from our Go code): chains of hidden states, one per batch row, start
    at 0; negative statistics from P(v|h) and P(h|v) of the chains; momentum
    0.5 for 5 epochs, then 0.9; L1 2e-4 by its sign; gradients divided by the
    batch rows; 10% of the rows held out for validation, as train does."""
    g = np.random.default_rng(seed)
    n = X.shape[0]
    tr = X[: n - n // 10]
    nv, nh, batch, lr, l1 = X.shape[1], 400, 100, 0.1, 2e-4
    W = 0.1 * g.standard_normal((nv, nh))
    b, c = np.zeros(nv), np.zeros(nh)
    vW, vb, vc = np.zeros_like(W), np.zeros_like(b), np.zeros_like(c)
    h = np.zeros((batch, nh))
    for ep in range(epochs):
        mom = 0.5 if ep < 5 else 0.9
        order = g.permutation(len(tr))
        for lo in range(0, len(tr), batch):
            v0 = tr[order[lo:lo + batch]]
            hp = sigmoid(v0 @ W + c)
            vn = sigmoid(h @ W.T + b)
            hn = sigmoid(vn @ W + c)
            h = (g.random(hn.shape) < hn).astype(np.float64)
            r = len(v0)
            gW = (v0.T @ hp - vn.T @ hn) / r
            vW = mom * vW + lr * (gW - l1 * np.sign(W))
            vb = mom * vb + lr * (v0.sum(0) - vn.sum(0)) / r
            vc = mom * vc + lr * (hp.sum(0) - hn.sum(0)) / r
            W, b, c = W + vW, b + vb, c + vc
    tmp = out + ".tmp.npz"
    np.savez(tmp, W0=W.astype(np.float32), b0=b.astype(np.float32), c0=c.astype(np.float32))
    os.replace(tmp, out)


def evaluate(bin_, model, data, out, log):
    if not os.path.exists(out):
        js = analyse.run_tool([bin_, "eval", "-model", model, "-data", data, "-threads", "1", "-json"], log, WHO)
        analyse.write(out, js)
    with open(out) as f:
        return json.load(f)["layers"][0]


def one(bin_, out, data, epochs, indep, name, seed):
    flags = next(v[1] for v in VARIANTS if v[0] == name)
    base = os.path.join(out, f"{name}_{seed}")
    model = base + ".npz"
    if not os.path.exists(model):
        if flags is None:
            numpy_pcd(np.load(data["train"]).reshape(-1, 1600).astype(np.float64), seed, epochs, model)
        else:
            analyse.run_tool([bin_, "train", "-data", data["train"], "-layers", "400", "-preset", "mehta-schwab",
                              "-epochs", str(epochs), "-threads", "1", "-seed", str(seed), *flags, "-o", model],
                             base + ".train.log", WHO)
    held = evaluate(bin_, model, data["test"], base + ".heldout.json", base + ".heldout.log")
    z = np.load(model)
    W = z["W0"].astype(np.float64)
    pll, warn = float("nan"), None
    if "meta.json" in z.files:
        e = json.loads(bytes(z["meta.json"]).decode())["history"]["layers"][0][-1]
        pll = e["pseudo_ll_val"]
        # train's warning (core/rbm IndependentWarning) from the last epoch's measures.
        warn = []
        if e["loglik_ceiling_val"] < e["loglik_indep_val"]:
            warn.append("ceiling")
        if e["pseudo_ll_val"] - e["pseudo_ll_indep_val"] < -3 * e["pseudo_ll_gain_se_val"]:
            warn.append("pseudo-LL")
    return {"variant": name, "seed": seed, "heldout": held["loglik"], "gain": held["loglik"] - indep,
            "pll": pll, "rmsW": float(np.sqrt((W * W).mean())), "warn": warn}


def independent(train, test):
    """Held-out log-likelihood of independent units with the training rows' means (add-1/2 smoothed)."""
    X = np.load(train).reshape(-1, 1600).astype(np.float64)
    T = np.load(test).reshape(-1, 1600).astype(np.float64)
    m = (X.sum(0) + 0.5) / (len(X) + 1)
    return float((T @ np.log(m) + (1 - T) @ np.log1p(-m)).mean())


def cells(rs):
    """The table's cells of one variant's runs: each measure over the seeds, and train's warnings."""
    out = []
    for m, _ in MEASURES:
        xs = [r[m] for r in rs if r[m] is not None and not np.isnan(r[m])]
        out.append(analyse.fmt_fixed(xs, 3 if m == "rmsW" else 1) if xs else "-")
    ws = [r["warn"] for r in rs if r.get("warn") is not None]
    kinds = sorted({k for w in ws for k in w})
    out.append(f"{sum(1 for w in ws if w)}/{len(ws)}" + (f" ({', '.join(kinds)})" if kinds else "") if ws else "-")
    return out


def markdown(res):
    caption = (f"Persistent CD against CD-1 at K = {K}, layer 1 (1600 -> 400), {res['epochs']} epochs; "
               f"{res['cpu']}; seeds {','.join(map(str, res['seeds']))}; independent units with the training "
               f"means score {res['indep']:.1f} nats held out (fair coins {-1600 * np.log(2):.1f}).")
    return analyse.variant_table(caption, [(v[0], v[2]) for v in VARIANTS], res["runs"],
                                 [m[1] for m in MEASURES] + ["train warned"], cells)


def main():
    ap = analyse.study_parser(__doc__, "1,2,3", 2)
    ap.add_argument("-epochs", type=int, default=50)
    ap.add_argument("-variants", default=",".join(v[0] for v in VARIANTS), help="comma-separated subset of the variants")
    a = ap.parse_args()
    if a.from_:
        res = analyse.read_json(a.from_, "-from")
    else:
        if not a.bin or not a.out:
            ap.error("-bin and -out are required (or -from)")
        if a.epochs < 1:
            ap.error(f"-epochs {a.epochs}: want at least 1")
        names = a.variants.split(",")
        for n in names:
            if n not in [v[0] for v in VARIANTS]:
                ap.error(f"-variants: unknown variant {n!r}, want some of {','.join(v[0] for v in VARIANTS)}")
        os.makedirs(a.out, exist_ok=True)
        seeds = analyse.parse_seeds(ap, a.seeds)
        data = {}
        for key, n, seed in (("train", 20000, 1), ("test", 2000, 2)):
            data[key] = os.path.join(a.out, f"{key}.npy")
            if not os.path.exists(data[key]):
                analyse.run_tool([a.bin, "sample", "-L", "40", "-beta", str(K), "-n", str(n), "-seed", str(seed),
                                  "-o", data[key]], data[key] + ".log", WHO)
        cpu = analyse.cpu_name(a.bin, a.out, WHO)
        indep = independent(data["train"], data["test"])
        jobs = [(v[0], s) for s in seeds for v in VARIANTS if v[0] in names]
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            runs = list(ex.map(lambda j: one(a.bin, a.out, data, a.epochs, indep, *j), jobs))
        res = {"K": K, "cpu": cpu, "seeds": seeds, "epochs": a.epochs, "indep": indep, "runs": runs}
    analyse.finish(res, markdown(res), a.json, a.md)


if __name__ == "__main__":
    main()
