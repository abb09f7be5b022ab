#!/usr/bin/python3
"""The small start across couplings: a Markdown table of two recipes' first-layer
measures, coupling by coupling, from an `isingrbm study` summary.json.

  study_table.py SUMMARY.json [-a mehta-schwab] [-b mehta-schwab-small-init]

Values: mean +- sd [min, max] over the study's seeds, as summary.json gives them;
a measure missing at a coupling is "-". "ranges apart" marks a coupling where the
two recipes' seed ranges of the live share do not overlap.
"""
import argparse
import json
import sys

MEASURES = (
    ("layer1.live_fraction", "live share", "pct"),
    ("layer1.pr_median", "median PR", 1),
    ("layer1.live_pr_median", "live units' median PR", 0),
    ("layer1.disk_median", "median disk share", 2),
    ("layer1.live_compact_fraction", "live units compact", "pct"),
    ("layer1.test_loglik", "held-out log-likelihood (AIS)", 0),
)


def fmt(m, how):
    if not m or m.get("n", 0) == 0 or m.get("mean") is None:
        return "-"
    f = (lambda x: "%.0f%%" % (100 * x)) if how == "pct" else (lambda x: "%.*f" % (how, x))
    if m.get("std") is None:
        return f(m["mean"])
    return "%s +- %s [%s, %s]" % (f(m["mean"]), f(m["std"]), f(m["min"]), f(m["max"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("summary")
    ap.add_argument("-a", default="mehta-schwab")
    ap.add_argument("-b", default="mehta-schwab-small-init")
    a = ap.parse_args()
    try:
        with open(a.summary) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit("%s: %s" % (a.summary, e))
    nets = d.get("networks", {})
    for n in (a.a, a.b):
        if n not in nets:
            raise SystemExit("%s: no network %r (it has %s)" % (a.summary, n, ", ".join(sorted(nets))))

    def get(net, K, key):
        for e in nets[net]:
            if abs(e["K"] - K) < 1e-9:
                return e["measures"].get(key)
        return None

    out = ["| K | measure | %s | %s |" % (a.a, a.b), "|---|---|---|---|"]
    for K in d["spec"]["couplings"]:
        for key, name, how in MEASURES:
            x, y = get(a.a, K, key), get(a.b, K, key)
            note = ""
            if key == "layer1.live_fraction" and x and y and x.get("n") and y.get("n"):
                if x["max"] < y["min"] or y["max"] < x["min"]:
                    note = " (ranges apart)"
            out.append("| %g | %s | %s | %s%s |" % (K, name, fmt(x, how), fmt(y, how), note))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
