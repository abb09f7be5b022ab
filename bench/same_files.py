#!/usr/bin/python3
"""Did two `isingrbm replicate` runs write the same arrays and charts?

usage: bench/same_files.py A B

A and B are the output folders (-o) of two runs with the same settings, on
two machines or architectures. Compares, byte for byte, every .npy file,
every member of every .npz archive except meta.json (which records the
run: timings, kernels, program version) and every .png chart. Files of one
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

Example (.ci/run): `replicate -quick` on amd64 and under qemu-aarch64-static
write the same 7 .npy files, 102 .npz members and 47 charts.
"""
import os
import struct
import sys
import zipfile
import zlib

LEVELS = 16  # largest difference in one channel (of 255) that anti-aliasing explains
PIXEL_SHARE = 0.005  # largest share of differing pixels it explains

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
