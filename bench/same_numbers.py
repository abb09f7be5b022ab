#!/usr/bin/python3
"""Do two `isingrbm replicate` runs print the same numbers?

usage: bench/same_numbers.py A/summary.json B/summary.json

Compares every number and string of the two summaries except what describes
the run rather than its results: timings (any field whose name contains
"seconds"), the stage list and keys, the creation time, the machine, the
program version and the peak memory. Each recipe's networks are compared
seed by seed for the seeds both runs have (a 1-seed run against the first
seed of a 5-seed run; the settings' seed count is not compared), and so are the data, sweep, exact and test-set
sections; the across-seed sections (ensemble, comparisons, fixed_point) only
when both runs have the same number of seeds. Prints how many values were
compared and every difference; exit status 0 when none differ, 1 otherwise,
2 on bad usage.

Example: docs/replicate/summary.json was written on a Zen 4 (AMD EPYC family
25 model 17); `isingrbm replicate -o out/one` on a Zen 5 (family 26 model 2)
gave 0 differences over 4,976 values (4,676 of them the three networks') (see the README's Performance
section).
"""
import json
import sys

SKIP = {"stages", "created", "machine", "version", "peak_rss_mib", "key", "keys", "program"}


def walk(a, b, path, diffs, count):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in SKIP or "seconds" in k:
                continue
            if k not in a or k not in b:
                diffs.append("%s/%s: only in %s" % (path, k, "A" if k in a else "B"))
                continue
            walk(a[k], b[k], path + "/" + k, diffs, count)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append("%s: %d items against %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, "%s[%d]" % (path, i), diffs, count)
    else:
        count[0] += 1
        if a != b:
            diffs.append("%s: %r against %r" % (path, a, b))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        a, b = (json.load(open(p)) for p in sys.argv[1:])
    except (OSError, ValueError) as e:
        print("same_numbers: %s" % e, file=sys.stderr)
        return 2
    diffs, count = [], [0]
    nets_a, nets_b = a.get("networks", {}), b.get("networks", {})
    for rec in sorted(set(nets_a) | set(nets_b)):
        if rec not in nets_a or rec not in nets_b:
            diffs.append("networks/%s: only in %s" % (rec, "A" if rec in nets_a else "B"))
            continue
        for i, (x, y) in enumerate(zip(nets_a[rec], nets_b[rec])):
            walk(x, y, "networks/%s[%d]" % (rec, i), diffs, count)
    sections = ["settings", "exact", "data", "data_sets", "test_sets", "sweep"]
    if all(len(nets_a[r]) == len(nets_b.get(r, [])) for r in nets_a):
        sections += ["ensemble", "comparisons", "fixed_point"]
    for sec in sections:
        x, y = a.get(sec), b.get(sec)
        if sec == "settings" and isinstance(x, dict) and isinstance(y, dict):
            # The number of seeds is what the per-seed comparison allows for.
            x, y = ({k: v for k, v in d.items() if k != "seeds"} for d in (x, y))
        walk(x, y, sec, diffs, count)
    for d in diffs:
        print(d)
    print("%d values compared, %d differ" % (count[0], len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
