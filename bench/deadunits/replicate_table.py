#!/usr/bin/python3
"""A Markdown table of recipes' measures, layer by layer, from `isingrbm replicate`
summary.json files (their "ensemble" section).

  replicate_table.py SUMMARY.json [MORE.json ...] -networks a,b,... [-layers 1,2,3]

Each network is taken from the first summary that has it. Values: mean +- sd
[min, max] over the run's training seeds, as summary.json gives them; a measure
missing is "-".
"""
import argparse
import json
import sys

from study_table import fmt

MEASURES = (
    ("live_fraction", "live share", "pct"),
    ("pr_median", "median PR", 0),
    ("live_pr_median", "live units' median PR", 0),
    ("disk_share_median", "median disk share", 3),
    ("live_compact_fraction", "live units compact", "pct"),
    ("test_loglik", "held-out log-likelihood (AIS)", 0),
    ("test_dbn_bound", "held-out DBN bound", 0),
    ("test_recon_error", "held-out reconstruction error", 1),
    ("global_flip_gap", "mean free-energy change under a global flip", 1),
    ("train_warned", "training ended with train's warning (share of seeds)", "pct"),
    ("block_spin:2", "median corr with the 2x2 block spin (absolute)", 3),
    ("block_spin:4", "median corr with the 4x4 block spin (absolute)", 3),
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("summary", nargs="+")
    ap.add_argument("-networks", required=True, help="networks to tabulate, comma-separated")
    ap.add_argument("-layers", default="1,2,3", help="layers, from 1 (default %(default)s)")
    a = ap.parse_args()
    names = [n for n in a.networks.split(",") if n]
    try:
        layers = [int(x) for x in a.layers.split(",")]
    except ValueError:
        raise SystemExit("-layers %r: want layer numbers from 1, comma-separated" % a.layers)
    nets = {}
    for path in a.summary:
        try:
            with open(path) as f:
                ens = json.load(f)["ensemble"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SystemExit("%s: not a replicate summary.json (%s)" % (path, e))
        for n, v in ens.items():
            nets.setdefault(n, v)
    for n in names:
        if n not in nets:
            raise SystemExit("no network %r in %s (they have %s)" % (n, ", ".join(a.summary), ", ".join(sorted(nets))))

    def get(net, layer, key):
        for e in nets[net]["layers"]:
            if e["layer"] == layer:
                if key.startswith("block_spin:"):
                    # block_spin is a list, one entry per block size.
                    b = int(key.split(":")[1])
                    for x in e.get("block_spin") or []:
                        if x["block"] == b:
                            return x["abs_corr_median"]
                    return None
                return e.get(key)
        return None

    out = ["| layer | measure | %s |" % " | ".join(names), "|---|---|%s" % ("---|" * len(names))]
    for layer in layers:
        for key, name, how in MEASURES:
            xs = [get(n, layer, key) for n in names]
            if all(not x or not x.get("n") for x in xs):
                continue
            out.append("| %d | %s | %s |" % (layer, name, " | ".join(fmt(x, how) for x in xs)))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
