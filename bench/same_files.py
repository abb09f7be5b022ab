#!/usr/bin/python3
"""Did two `isingrbm replicate` runs write the same arrays and charts?

usage: bench/same_files.py A B
       bench/same_files.py -golden SHA256_FILE A
       bench/same_files.py -selftest

A and B are the output folders (-o) of two runs with the same settings, on
two machines or architectures. Compares, byte for byte, every .npy file,
every member of every .npz archive, and every .png chart. A .json member
(meta.json: the settings, seed and per-epoch history of a model) is
compared as JSON, value for value, without the keys that describe the run
rather than its results (VOLATILE: timings, kernels, program version and
stage keys; TestReplicateGolden leaves the same out of its hashes, but for
the stage keys, which its fixed version makes reproducible, and
TestVolatileKeysMatchSameFiles keeps the two lists equal). Files of one
kind present in one folder only count as differences.

Charts that are not the same bytes are decoded and compared pixel by pixel:
the plotting libraries (gonum.org/v1/plot, gg, golang.org/x/image/vector)
are outside the project's no-FMA rule, and Go fuses their x*y + z on arm64,
so a glyph or an edge may be anti-aliased a level or two apart. Such a
chart counts as the same, and is listed as "anti-aliasing", when both have
the same size and at most PIXEL_SHARE of the pixels differ, none by more
than LEVELS in any channel; anything more is a difference. The numbers of
summary.json are bench/same_numbers.py's job. Prints how many files were
compared per kind and every difference; exit status 0 when none differ, 1
otherwise, 2 on bad usage.

With -golden, A's arrays (every .npy file and every .npz member but the
JSON ones) are checked against the SHA-256 list SHA256_FILE, in the format of
testdata/replicate/quick.sha256 ("sha256  name", "archive.npz:member" for a
member), which core/replicate's TestReplicateGolden writes: every array
listed must be there with that hash, and no other. (The JSON entries of that
list are hashes of TestReplicateGolden's normalised JSON; compare summaries
with bench/same_numbers.py against the summary beside the list instead.)

Example (.ci/run): `replicate -quick` on amd64 and under qemu-aarch64-static
write the same 7 .npy files, 180 .npz members and 48 charts (2026-12-05), and
the arm64 run's 184 arrays are those of testdata/replicate/quick.sha256.
"""
import json
import os
import struct
import sys
import zipfile
import zlib

LEVELS = 16  # largest difference in one channel (of 255) that anti-aliasing explains
PIXEL_SHARE = 0.005  # largest share of differing pixels it explains

KINDS = (".npy", ".npz", ".png")

# The JSON keys whose values depend on the machine, the clock or the build:
# core/replicate/golden_test.go's volatileKeys, and stage_key, which
# includes the program version (the same for two builds of one clean
# commit, not for two builds of a modified tree).
VOLATILE = {"seconds", "training_seconds", "stage_seconds", "peak_rss_mib", "program", "kernels", "created", "machine",
            "stage_key"}


def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(KINDS):
                p = os.path.join(d, n)
                out[os.path.relpath(p, root)] = p
    return out


def strip_volatile(v):
    """v (parsed JSON) without the VOLATILE keys, at every depth."""
    if isinstance(v, dict):
        return {k: strip_volatile(e) for k, e in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [strip_volatile(e) for e in v]
    return v


def npz_members(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def same_member(name, a, b):
    """Whether two .npz members are the same: bytes, or JSON without VOLATILE."""
    if a is None or b is None:
        return False
    if not name.endswith(".json"):
        return a == b
    try:
        ja, jb = json.loads(a), json.loads(b)
    except ValueError:
        return False
    return strip_volatile(ja) == strip_volatile(jb)


def png_pixels(data):
    """(width, height, channels, rows) of an 8-bit, non-interlaced PNG, or None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    i, idat, hdr = 8, [], None
    while i + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        i += 12 + n
    if hdr is None:
        return None
    w, h, depth, ctype, _, _, interlace = hdr
    ch = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or ch is None or interlace != 0:
        return None
    raw, stride, rows, prev = zlib.decompress(b"".join(idat)), w * ch, [], bytearray(w * ch)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0
            b, c = prev[x], prev[x - ch] if x >= ch else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            elif f != 0:
                return None
        rows.append(bytes(line))
        prev = line
    return w, h, ch, rows


def antialiasing(a, b):
    """A description when PNG bytes a and b differ only as anti-aliasing does, else None."""
    pa, pb = png_pixels(a), png_pixels(b)
    if pa is None or pb is None or pa[:3] != pb[:3]:
        return None
    w, h, ch, n, worst = pa[0], pa[1], pa[2], 0, 0
    for ra, rb in zip(pa[3], pb[3]):
        if ra == rb:
            continue
        for x in range(w):
            d = max(abs(ra[x * ch + k] - rb[x * ch + k]) for k in range(ch))
            if d:
                n, worst = n + 1, max(worst, d)
    if worst > LEVELS or n > PIXEL_SHARE * w * h:
        return None
    return f"{n} of {w * h} pixels, at most {worst} levels apart"


def golden(sha_file, root):
    """Differences between root's arrays and the SHA-256 list sha_file."""
    import hashlib
    want = {}
    with open(sha_file) as f:
        for line in f:
            h, name = line.split()
            if not name.endswith(".json"):
                want[name] = h
    got = {}
    for rel, p in files(root).items():
        rel = rel.replace(os.sep, "/")
        if rel.endswith(".npy"):
            with open(p, "rb") as f:
                got[rel] = hashlib.sha256(f.read()).hexdigest()
        elif rel.endswith(".npz"):
            for m, b in npz_members(p).items():
                if not m.endswith(".json"):
                    got[rel + ":" + m] = hashlib.sha256(b).hexdigest()
    diffs = []
    for name in sorted(set(want) | set(got)):
        if name not in got:
            diffs.append(f"{name}: in {sha_file} but not in {root}")
        elif name not in want:
            diffs.append(f"{name}: in {root} but not in {sha_file}")
        elif want[name] != got[name]:
            diffs.append(f"{name}: sha256 {got[name][:12]}, golden {want[name][:12]}")
    return len(want), diffs


def selftest():
    """Checks that the comparison tells apart what it must (`same_files.py -selftest`)."""
    import io
    import tempfile

    def npz(path, members):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for n, b in members.items():
                z.writestr(n, b)
        with open(path, "wb") as f:
            f.write(buf.getvalue())

    meta = {"seed": 7, "history": [{"epoch": 1, "pseudo_ll": -1.25, "seconds": 0.5}], "kernels": "avx512"}
    cases = [  # (what, B's meta.json, B's W0.npy, differences expected)
        ("same", meta, b"W", 0),
        ("volatile keys only", dict(meta, kernels="neon", history=[dict(meta["history"][0], seconds=9.0)]), b"W", 0),
        ("a history value", dict(meta, history=[dict(meta["history"][0], pseudo_ll=-1.2500000000000002)]), b"W", 1),
        ("an array", meta, b"X", 1),
    ]
    bad = 0
    for what, mb, wb, want in cases:
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a"), os.path.join(d, "b")
            os.makedirs(a)
            os.makedirs(b)
            npz(os.path.join(a, "m.npz"), {"W0.npy": b"W", "meta.json": json.dumps(meta)})
            npz(os.path.join(b, "m.npz"), {"W0.npy": wb, "meta.json": json.dumps(mb)})
            ma, mbm = npz_members(os.path.join(a, "m.npz")), npz_members(os.path.join(b, "m.npz"))
            got = sum(not same_member(m, ma.get(m), mbm.get(m)) for m in set(ma) | set(mbm))
        if got != want:
            print(f"selftest {what}: {got} differences, want {want}")
            bad += 1
    # -golden: one array right, one wrong, one missing, one extra.
    import hashlib
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "out")
        os.makedirs(root)
        for n, b in (("x.npy", b"X"), ("y.npy", b"Y"), ("extra.npy", b"E")):
            with open(os.path.join(root, n), "wb") as f:
                f.write(b)
        sha = os.path.join(d, "golden.sha256")
        with open(sha, "w") as f:
            for n, b in (("x.npy", b"X"), ("y.npy", b"y"), ("gone.npy", b"G"), ("summary.json", b"{}")):
                f.write(f"{hashlib.sha256(b).hexdigest()}  {n}\n")
        n, diffs = golden(sha, root)
        cases.append(None)
        if n != 3 or len(diffs) != 3:
            print(f"selftest -golden: {n} arrays listed and {len(diffs)} differences, want 3 and 3: {diffs}")
            bad += 1
    print(f"selftest: {len(cases) - bad} of {len(cases)} cases right")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "-selftest":
        return selftest()
    if len(argv) == 4 and argv[1] == "-golden" and os.path.isdir(argv[3]):
        n, diffs = golden(argv[2], argv[3])
        for d in diffs:
            print(d)
        print(f"{n} arrays of {argv[2]} checked in {argv[3]}, {len(diffs)} differ")
        return 1 if diffs or n == 0 else 0
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
                if not same_member(m, ma.get(m), mb.get(m)):
                    diffs.append(f"{rel}:{m}: differs")
            continue
        counts[os.path.splitext(rel)[1]] += 1
        with open(fa[rel], "rb") as a, open(fb[rel], "rb") as b:
            da, db = a.read(), b.read()
        if da != db:
            why = antialiasing(da, db) if rel.endswith(".png") else None
            if why is None:
                diffs.append(f"{rel}: differs")
            else:
                print(f"{rel}: the same up to anti-aliasing ({why})")
    for d in diffs:
        print(d)
    print(", ".join(f"{n} {k}" for k, n in counts.items()) + f" compared, {len(diffs)} differ")
    if sum(counts.values()) == 0:
        print("no files compared: are these replicate output folders?")
        return 1
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
