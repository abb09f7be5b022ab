#!/usr/bin/python3
"""A Markdown table of recipes' first-layer measures, coupling by coupling, from
`isingrbm study` summary.json files.

  study_table.py SUMMARY.json [MORE.json ...] [-networks mehta-schwab,mehta-schwab-small-init] [-upper] [-density] [-apart all]

Each network is taken from the first summary that has it (the studies must share
their couplings). Values: mean +- sd [min, max] over the study's seeds, as
summary.json gives them; a measure missing at a coupling is "-". "ranges apart"
marks a coupling where the first two networks' seed ranges of the live share do
not overlap (-apart all: of every measure). -upper adds layers 2 and 3's median
PR, disk share and compact share; -density layer 1's held-out ceiling of the
log-likelihood, its flip gap |F(1-v) - F(v)| and the share of seeds whose
training ended with `isingrbm train`'s warning.
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

# -density adds layer 1's held-out ceiling (no statistics), flip gap, and
# the share of seeds whose training ended with train's warning (studies from
# 2026-12-05 on).
DENSITY = (("layer1.test_loglik_ceiling", "held-out ceiling (no statistics)", 0),
           ("layer1.test_global_flip_gap", "held-out flip gap", 0),
           ("layer1.train_warned", "training ended with train's warning", "pct"))

# -upper adds the deeper layers' locality.
UPPER = tuple(
    ("layer%d.%s" % (l, key), "layer %d %s" % (l, name), how)
    for l in (2, 3)
    for key, name, how in (("pr_median", "median PR", 1), ("disk_median", "median disk share", 2),
                           ("compact_fraction", "units compact", "pct")))


def fmt(m, how):
    if not m or m.get("n", 0) == 0 or m.get("mean") is None:
        return "-"
    f = (lambda x: "%.0f%%" % (100 * x)) if how == "pct" else (lambda x: "%.*f" % (how, x))
    if m.get("std") is None:
        return f(m["mean"])
    return "%s +- %s [%s, %s]" % (f(m["mean"]), f(m["std"]), f(m["min"]), f(m["max"]))


def load(paths, names=()):
    """The couplings and the networks (name -> summary entries) of the study
    summaries at paths, each network from the first summary that has it;
    every network of names must be there."""
    nets, couplings = {}, None
    for path in paths:
        try:
            with open(path) as f:
                d = json.load(f)
            ks = d["spec"]["couplings"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SystemExit("%s: not a study summary.json (%s)" % (path, e))
        if couplings is None:
            couplings = ks
        elif sorted(ks) != sorted(couplings):
            raise SystemExit("%s: couplings %s, but %s has %s" % (path, ks, paths[0], couplings))
        for n, v in d.get("networks", {}).items():
            nets.setdefault(n, v)
    for n in names:
        if n not in nets:
            raise SystemExit("no network %r in %s (they have %s)" % (n, ", ".join(paths), ", ".join(sorted(nets))))
    return couplings, nets


def table_rows(couplings, nets, names, upper=False, density=False, apart="live"):
    """The table's rows: (K, measure name, cells, note), cells formatted by
    fmt, one per network of names (all in nets: load checks them); note is
    " (ranges apart)" or ""."""

    def get(net, K, key):
        for e in nets[net]:
            if abs(e["K"] - K) < 1e-9:
                return e["measures"].get(key)
        return None

    for K in couplings:
        for key, name, how in MEASURES + (DENSITY if density else ()) + (UPPER if upper else ()):
            xs = [get(n, K, key) for n in names]
            note = ""
            x, y = (xs + [None])[:2]
            if (apart == "all" or key == "layer1.live_fraction") and x and y and x.get("n") and y.get("n"):
                if x["max"] < y["min"] or y["max"] < x["min"]:
                    note = " (ranges apart)"
            yield K, name, [fmt(x, how) for x in xs], note


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("summary", nargs="+")
    ap.add_argument("-networks", default="mehta-schwab,mehta-schwab-small-init",
                    help="networks to tabulate, comma-separated (default %(default)s)")
    ap.add_argument("-upper", action="store_true", help="add layers 2 and 3's locality")
    ap.add_argument("-density", action="store_true", help="add layer 1's held-out ceiling and flip gap")
    ap.add_argument("-apart", choices=("live", "all"), default="live",
                    help="the measures whose non-overlapping ranges are marked (default %(default)s: the live share)")
    a = ap.parse_args()
    names = [n for n in a.networks.split(",") if n]
    if len(names) < 1:
        raise SystemExit("-networks %r: want at least one network" % a.networks)
    couplings, nets = load(a.summary, names)
    out = ["| K | measure | %s |" % " | ".join(names), "|---|---|%s" % ("---|" * len(names))]
    for K, name, cells, note in table_rows(couplings, nets, names, a.upper, a.density, a.apart):
        out.append("| %g | %s | %s%s |" % (K, name, " | ".join(cells), note))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
