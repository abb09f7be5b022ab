#!/usr/bin/python3
"""The README's two tables of docs/study, from an `isingrbm study` summary.json.

  study_tables.py SUMMARY.json [-l1 mehta-schwab] [-wd weight-decay]

Prints, coupling by coupling, the first-layer table (participation ratio,
disk share, compact share, weight decay's share more local than noise,
held-out log-likelihood) and the live-unit table of the README's study
paragraph, in Markdown. Each cell is mean +- sd [min, max] over the study's
seeds as summary.json gives them, with the README's rounding; a cell whose
seeds all round alike is the one value, one whose sd rounds to 0 drops it;
a measure missing at a coupling is "-".
"""
import argparse
import json
import sys


def fmt(m, how):
    """A cell: how is a number of decimals, "pct", or "pr" (one decimal
    below 30, none from 30 on)."""
    if not m or m.get("n", 0) == 0 or m.get("mean") is None:
        return "-"
    if how == "pr":
        how = 1 if m["mean"] < 30 else 0
    if how == "pct":
        f = lambda x: "%.0f%%" % (100 * x)  # noqa: E731
    else:
        f = lambda x: "%.*f" % (how, x)  # noqa: E731
    mean = f(m["mean"])
    if m.get("std") is None or f(m["min"]) == f(m["max"]):
        return mean
    rng = "[%s, %s]" % (f(m["min"]), f(m["max"]))
    if f(m["std"]) == f(0):
        return "%s %s" % (mean, rng)
    return "%s +- %s %s" % (mean, f(m["std"]), rng)


def short(m):
    """A log-likelihood: mean +- sd, no decimals."""
    if not m or m.get("n", 0) == 0 or m.get("mean") is None:
        return "-"
    if m.get("std") is None:
        return "%.0f" % m["mean"]
    return "%.0f +- %.0f" % (m["mean"], m["std"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("summary")
    ap.add_argument("-l1", default="mehta-schwab", help="the L1 network (default %(default)s)")
    ap.add_argument("-wd", default="weight-decay", help="the weight-decay network (default %(default)s)")
    a = ap.parse_args()
    try:
        with open(a.summary) as f:
            d = json.load(f)
        couplings = d["spec"]["couplings"]
        nets = d["networks"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit("%s: not a study summary.json (%s)" % (a.summary, e))
    for n in (a.l1, a.wd):
        if n not in nets:
            raise SystemExit("%s: no network %r (it has %s)" % (a.summary, n, ", ".join(sorted(nets))))

    def get(net, K, key):
        for e in nets[net]:
            if abs(e["K"] - K) < 1e-9:
                return e["measures"].get("layer1." + key)
        return None

    out = ["| K | L1: participation ratio | L1: disk share | L1: compact units | "
           "weight decay: participation ratio | weight decay: disk share | "
           "weight decay: units more local than noise | weight decay: compact units | "
           "held-out log-likelihood (AIS), L1 / weight decay |",
           "|---|---|---|---|---|---|---|---|---|"]
    for K in couplings:
        out.append("| %g | %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
            K, fmt(get(a.l1, K, "pr_median"), 1), fmt(get(a.l1, K, "disk_median"), 2),
            fmt(get(a.l1, K, "compact_fraction"), 2), fmt(get(a.wd, K, "pr_median"), 0),
            fmt(get(a.wd, K, "disk_median"), 3), fmt(get(a.wd, K, "local_fraction_disk"), 2),
            fmt(get(a.wd, K, "compact_fraction"), 3), short(get(a.l1, K, "test_loglik")),
            short(get(a.wd, K, "test_loglik"))))
    out += ["", "| K | L1: live units | L1: median PR of live units | L1: compact share of live units | "
            "weight decay: live units | weight decay: compact share of live units |",
            "|---|---|---|---|---|---|"]
    for K in couplings:
        out.append("| %g | %s | %s | %s | %s | %s |" % (
            K, fmt(get(a.l1, K, "live_fraction"), "pct"), fmt(get(a.l1, K, "live_pr_median"), "pr"),
            fmt(get(a.l1, K, "live_compact_fraction"), "pct"), fmt(get(a.wd, K, "live_fraction"), "pct"),
            fmt(get(a.wd, K, "live_compact_fraction"), "pct")))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
