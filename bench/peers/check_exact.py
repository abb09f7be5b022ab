#!/usr/bin/python3
"""Correctness of `isingrbm exact -json` against kaufman.py (NumPy, written independently).

Reads the JSON (one object or a list) that `isingrbm exact -L L -beta K1,K2,... -json`
printed and compares energy and specific_heat with kaufman.py at the same L and K:
1e-9 relative for the energy, 1e-7 for the specific heat. One JSON line per coupling.
"""
import json
import sys

import kaufman


def main():
    doc = json.load(open(sys.argv[1]))
    for r in doc if isinstance(doc, list) else [doc]:
        L, K = int(r["L"]), float(r["beta"])
        u, c, _ = kaufman.energy_specific_heat(L, K)
        eu = abs(r["energy"] - u) / abs(u)
        ec = abs(r["specific_heat"] - c) / abs(c)
        print(json.dumps({"name": "exact L=%d K=%g vs kaufman.py" % (L, K), "status": "PASS" if eu < 1e-9 and ec < 1e-7 else "FAIL",
                          "detail": "u %.12f vs %.12f (rel %.1e); c %.10f vs %.10f (rel %.1e)" % (r["energy"], u, eu, r["specific_heat"], c, ec)}))


if __name__ == "__main__":
    main()
