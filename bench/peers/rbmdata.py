"""Shared helpers of the training peers: load the same data, pin threads, report.

load(path, rows) reads the harness's .npy (|u1 of shape (n, L, L) or (n, d),
values 0/1, as written by `isingrbm sample`, or float32 rows) and returns the
first `rows` rows as a C-contiguous float32 (rows, d) array, so every peer
trains on exactly the same numbers.
"""
import json

import numpy as np


def load(path, rows):
    x = np.load(path)
    x = x.reshape(x.shape[0], -1)
    if rows > x.shape[0]:
        raise SystemExit("%s: %d rows, want at least %d" % (path, x.shape[0], rows))
    return np.ascontiguousarray(x[:rows], dtype=np.float32)


def blas_info():
    try:
        import threadpoolctl
        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for d in threadpoolctl.threadpool_info()]
    except ImportError:
        return "threadpoolctl not installed"


def report(**kw):
    kw["blas"] = blas_info()
    print(json.dumps(kw))
