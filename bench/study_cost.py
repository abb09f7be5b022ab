#!/usr/bin/env python3
"""What a study cost against what `isingrbm study plan` estimated, per kind of stage.

    isingrbm study plan -json SPEC-FLAGS > plan.json
    isingrbm study run SPEC-FLAGS -o STUDY-DIR > run.log
    bench/study_cost.py plan.json STUDY-DIR [run.log]

reads the plan's stages (key, kind, cores, estimated seconds) and the stage markers the run left in
STUDY-DIR (runs/*/stages/**/*.json: key, seconds, peak RSS; a stage shared by several runs is
linked into each and counted once, by its key) and prints a Markdown table: per kind, the stages,
the estimated core-seconds (cores x seconds), the measured seconds (wall time of each stage, summed),
the measured core-seconds (each stage's seconds times the threads it ran on, which a local run's log
prints as "computed KEY in S s (T threads)"; without the log, times the estimated cores), their ratio,
and the largest peak RSS beside the estimate. The RSS of a stage marker is its process's peak: under
Slurm one stage per process, comparable with the estimate; in a local run the one process of every
stage run so far, an upper bound only. Stages of the plan with no marker (not run, failed) are
counted apart. Plain Python 3, no packages.
"""
import collections
import glob
import json
import os
import re
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    plan_path, study = sys.argv[1], sys.argv[2]
    threads = {}
    if len(sys.argv) == 4:
        with open(sys.argv[3]) as f:
            for line in f:
                m = re.search(r"computed ([0-9a-f]{16}) in [0-9.]+ s \(([0-9]+) threads?\)", line)
                if m:
                    threads[m.group(1)] = int(m.group(2))
    try:
        with open(plan_path) as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"study_cost.py: {plan_path}: {e}; want the output of `isingrbm study plan -json`")
    stages = plan.get("stages")
    if not isinstance(stages, list):
        sys.exit(f"study_cost.py: {plan_path}: no list 'stages'; want the output of `isingrbm study plan -json`")
    markers = {}
    for pattern in (("runs", "*", "stages", "**", "*.json"), ("stages", "**", "*.json")):
        for p in glob.glob(os.path.join(study, *pattern), recursive=True):
            with open(p) as f:
                m = json.load(f)
            if "key" in m and "seconds" in m:
                markers[m["key"]] = m
    rows = collections.OrderedDict()
    missing = collections.Counter()
    versions = set()
    for s in stages:
        r = rows.setdefault(s["kind"], {"n": 0, "est": 0.0, "sec": 0.0, "core_sec": 0.0, "rss": 0.0, "mem": 0})
        m = markers.get(s["key"])
        if m is None:
            missing[s["kind"]] += 1
            continue
        if m.get("version"):
            versions.add(m["version"])
        r["n"] += 1
        r["est"] += s["cores"] * s["seconds"]
        r["sec"] += m["seconds"]
        r["core_sec"] += threads.get(s["key"], s["cores"]) * m["seconds"]
        r["rss"] = max(r["rss"], m.get("peak_rss_mib", 0.0) or 0.0)
        r["mem"] = max(r["mem"], s["mem_mib"])
    print("| stages | count | estimated core-s | measured s (sum) | measured core-s | estimate / measured | peak RSS MiB (estimate) |")
    print("|---|---|---|---|---|---|---|")
    tot = {"n": 0, "est": 0.0, "sec": 0.0, "core_sec": 0.0}
    for kind, r in rows.items():
        if r["n"] == 0:
            continue
        for k in tot:
            tot[k] += r[k]
        ratio = r["est"] / r["core_sec"] if r["core_sec"] > 0 else float("nan")
        print(f"| {kind} | {r['n']} | {r['est']:.0f} | {r['sec']:.0f} | {r['core_sec']:.0f} | {ratio:.2f} | {r['rss']:.0f} ({r['mem']}) |")
    ratio = tot["est"] / tot["core_sec"] if tot["core_sec"] > 0 else float("nan")
    print(f"| all | {tot['n']} | {tot['est']:.0f} | {tot['sec']:.0f} | {tot['core_sec']:.0f} | {ratio:.2f} | |")
    print()
    print(f"Stage markers of {len(markers)} stages; program versions: {', '.join(sorted(versions))}; "
          f"threads from the log for {sum(1 for k in threads if k in markers)} of them.")
    if missing:
        print("Planned stages with no marker (not run or failed): " +
              ", ".join(f"{k} {n}" for k, n in missing.items()) + ".")


if __name__ == "__main__":
    main()
