#!/usr/bin/python3
"""Single-precision matrix products through NumPy (OpenBLAS sgemm) (products peer).

What it does: for each shape OP:m:k:n it times C = op(A) op(B) in float32 with
np.matmul(..., out=C): NN is A (m x k) times B (k x n), NT is A (m x k) times
B^T with B stored n x k, TN is A^T with A stored k x m times B (k x n). The
transposes are NumPy views, so OpenBLAS's sgemm gets them as transpose flags
and copies nothing. Each shape is run once to warm up, then repeated until at
least -seconds have passed; GFLOP/s = 2 m n k reps / seconds / 1e9.

Why it is a fair comparison: the same shapes and storage orders as our
f32.GemmNN/NT/TN benchmarks and the gonum peer, float32 inputs (here uniform
[0,1); our benchmarks fill A and B with the periodic values (i%7)/10 and
(i%5)/100: neither has subnormals and no kernel skips zeros, so the values do
not change the time), the thread count set by OPENBLAS_NUM_THREADS from
the harness (1 and all cores), and the OpenBLAS kernel actually running is
reported through threadpoolctl.

Output: one JSON object per shape on stdout, then one {"blas": ...} line.
"""
import argparse
import json
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-shapes", required=True, help="comma-separated OP:m:k:n, OP in NN, NT, TN")
    ap.add_argument("-seconds", type=float, default=0.3)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    for spec in a.shapes.split(","):
        op, m, k, n = spec.split(":")
        m, k, n = int(m), int(k), int(n)
        A = rng.random((k, m) if op[0] == "T" else (m, k), dtype=np.float32)
        B = rng.random((n, k) if op[1] == "T" else (k, n), dtype=np.float32)
        A2 = A.T if op[0] == "T" else A
        B2 = B.T if op[1] == "T" else B
        C = np.empty((m, n), dtype=np.float32)
        np.matmul(A2, B2, out=C)
        reps, t0 = 0, time.perf_counter()
        while True:
            np.matmul(A2, B2, out=C)
            reps += 1
            el = time.perf_counter() - t0
            if el >= a.seconds:
                break
        print(json.dumps({"shape": spec, "gflops": 2.0 * m * n * k * reps / el / 1e9, "reps": reps, "seconds": el}))
    info = []
    try:
        import threadpoolctl
        for d in threadpoolctl.threadpool_info():
            info.append({x: d.get(x) for x in ("internal_api", "version", "architecture", "num_threads", "threading_layer")})
    except ImportError:
        info = "threadpoolctl not installed"
    print(json.dumps({"blas": info}))


if __name__ == "__main__":
    main()
