#!/usr/bin/python3
"""The table of bench/RESULTS-peak.md from the raw output of its benchmark run.

  peak_table.py RAW.txt

RAW.txt is the output of (in asm/f32)

  go test -c -o /tmp/f32.test . && /tmp/f32.test -test.run XXX \\
    -test.bench 'FMAPeak|BenchmarkGemm$/(sigmoid)?\\((100|1000|1600)x[0-9]+\\)[^/]*/threads=1/avx' \\
    -test.benchtime 300x -test.count 3

Each product's figure is the median of its GFLOP per CPU-second over the runs;
its share is of the median of every BenchmarkFMAPeak run of the same
implementation in the file (the VM's clock moves, so products are set against
the peak of the same run only).
"""
import re
import statistics
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    prods, peaks, order = {}, {"avx512": [], "avx2": []}, []
    pat = re.compile(r"^Benchmark(Gemm|FMAPeak)/(?:(.*)/threads=1/)?(avx512|avx2)(?:#\d+)?-\d+\s+\d+\s+\d+ ns/op\s+([\d.]+) GFLOP/cpu-s")
    with open(sys.argv[1]) as f:
        for line in f:
            m = pat.match(line)
            if not m:
                continue
            kind, name, impl, v = m.group(1), m.group(2), m.group(3), float(m.group(4))
            if kind == "FMAPeak":
                peaks[impl].append(v)
                continue
            if name not in prods:
                prods[name] = {"avx512": [], "avx2": []}
                order.append(name)
            prods[name][impl].append(v)
    if not order or not peaks["avx512"] or not peaks["avx2"]:
        sys.exit(f"{sys.argv[1]}: no products or no FMAPeak runs of both implementations")
    peak = {k: statistics.median(v) for k, v in peaks.items()}
    print(f"Peaks (median of {len(peaks['avx512'])} and {len(peaks['avx2'])} runs): AVX-512 {peak['avx512']:.1f}, "
          f"AVX2 {peak['avx2']:.1f} GFLOP per CPU-second.\n")
    print("| product | AVX-512 | share of peak | AVX2 | share of peak |")
    print("|---|---:|---:|---:|---:|")
    for name in order:
        cells = []
        for impl in ("avx512", "avx2"):
            xs = prods[name][impl]
            if xs:
                med = statistics.median(xs)
                cells += [f"{med:.1f}", f"{100 * med / peak[impl]:.0f}%"]
            else:
                cells += ["-", "-"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
