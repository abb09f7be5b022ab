#!/usr/bin/python3
"""Did two `isingrbm replicate` runs write the same arrays and charts?

usage: bench/same_files.py A B

A and B are the output folders (-o) of two runs with the same settings, on
two machines or architectures. Compares, byte for byte, every .npy file,
every member of every .npz archive except meta.json (which records the
run: timings, kernels, program version) and every .png chart. Files of one
kind present in one folder only count as differences. The numbers of
summary.json are bench/same_numbers.py's job. Prints how many files were
compared per kind and every difference; exit status 0 when none differ, 1
otherwise, 2 on bad usage.

Example (.ci/run): `replicate -quick` on amd64 and under qemu-aarch64-static
write the same 7 .npy files, 102 .npz members and 47 charts.
"""
import os
import sys
import zipfile

KINDS = (".npy", ".npz", ".png")


def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(KINDS):
                p = os.path.join(d, n)
                out[os.path.relpath(p, root)] = p
    return out


def npz_members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "meta.json"}


def main(argv):
    if len(argv) != 3 or not all(os.path.isdir(a) for a in argv[1:]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    fa, fb = files(argv[1]), files(argv[2])
    diffs, counts = [], {".npy": 0, ".npz members": 0, ".png": 0}
    for rel in sorted(set(fa) | set(fb)):
        if rel not in fa or rel not in fb:
            diffs.append(f"{rel}: only in {argv[1] if rel in fa else argv[2]}")
            continue
        if rel.endswith(".npz"):
            ma, mb = npz_members(fa[rel]), npz_members(fb[rel])
            for m in sorted(set(ma) | set(mb)):
                counts[".npz members"] += 1
                if ma.get(m) != mb.get(m):
                    diffs.append(f"{rel}:{m}: differs")
            continue
        counts[os.path.splitext(rel)[1]] += 1
        with open(fa[rel], "rb") as a, open(fb[rel], "rb") as b:
            if a.read() != b.read():
                diffs.append(f"{rel}: differs")
    for d in diffs:
        print(d)
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" compared, {len(diffs)} differ")
    if sum(counts.values()) == 0:
        print("no files compared: are these replicate output folders?")
        return 1
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
