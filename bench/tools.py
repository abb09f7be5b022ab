#!/usr/bin/python3
"""Helpers of bench/run: read JSON and `go test -bench` output, record results, write RESULTS.md.

Subcommands (all paths are files of the harness's work folder):
  get FILE KEY...          print FILE's JSON value at KEY (the last JSON document in FILE;
                           a list's first element; KEY may be dotted, a.b); nothing if absent
  keys FILE                print the keys of FILE's JSON object (recursively, dotted)
  gobench FILE UNIT        print "name<TAB>procs<TAB>value" for every benchmark line of
                           `go test -bench` output in FILE that reports UNIT (e.g. flips/ns)
  rec RES TABLE CASE PROGRAM VALUE UNIT [INFO]   append one measurement to RES (JSON lines)
  note RES TABLE TEXT      append a note (e.g. "not available: ...") to a table
  check RES NAME STATUS DETAIL   append a correctness check (STATUS: PASS, FAIL or SKIP)
  report RES ENV OUT [TITLE]     write the markdown report OUT from RES and the ENV JSON
  status RES               exit 1 if any check FAILed
  checks RES FILE          append the checks FILE holds (JSON lines {"name","status","detail"})
  env OUT KEY=VALUE...     write the environment JSON (VALUE @path reads a file; commands=@path
                           and appendix=@path are kept as lines / text)
  find FILE KEY[,KEY...]   print "KEY<TAB>value" for the first key (in the order given) found
                           anywhere in FILE's JSON with a numeric value
  shape NAME SHAPES        print the OP:m:k:n of SHAPES (comma list) that a benchmark name such
                           as BenchmarkGemm/NN/100x1600x400/avx2 denotes (m x k x n or m x n x k)
  recgobench RES FILE UNIT TABLE OTHER SHAPES|- [SCALE NEWUNIT INFO]   record every benchmark
                           line of FILE reporting UNIT: program "ours (impl)", case the shape
                           label (a name matching SHAPES) or the name, plus ", N thread(s)";
                           names matching no shape go to table OTHER; prints the count
  recshapes RES PROGRAM SUFFIX FILE [INFO [TABLE]]   record every {"shape","gflops"} line of
                           FILE in TABLE (default products), case = label(shape) + SUFFIX
  label SHAPE              print a readable label of OP:m:k:n, e.g. NN (100x1600)(1600x400)
  impl NAME [PROCS]        print "impl<TAB>rest<TAB>threads": the implementation level of a
                           benchmark name (avx2, generic, ...), the name without it and
                           without a threads=N level, and N (else PROCS)
"""
import json
import re
import statistics
import sys

# Tables in report order, with their meaning.
TABLES = {
    "sampler": ("Sampler: multi-spin-coded Metropolis, flips/ns (higher is better)", True),
    "sampler-gobench": ("Sampler: our fixed-sweep benchmarks (`go test -bench BenchmarkSweep`), flips/ns", True),
    "products": ("Products: float32 matrix products, GFLOP/s (higher is better)", True),
    "products-gobench": ("Products: our benchmarks that did not match a peer shape, GFLOP/s", True),
    "training": ("Training: one epoch, 1600 -> 400 hidden, seconds per epoch (lower is better)", False),
    "training-gobench": ("Training: our epoch benchmarks (`go test -bench BenchmarkEpoch`)", False),
    "lattice-products": ("Lattice sizes: float32 products of L = 32 and 64 layers (1024 and 4096 visible units), GFLOP/s (higher is better)", True),
    "lattice-training": ("Lattice sizes: one CD-1 epoch of L = 32 and 64 data, seconds per epoch (lower is better)", False),
    "study": ("Study: `study run` of 3 quick replications against the same 3 `replicate -quick` runs one after another, seconds (lower is better)", False),
    "replicate": ("Full `replicate` run: wall time and peak memory", False),
}


def _last_json(path):
    text = open(path).read().strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{") or line.startswith("["):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def _get(doc, key):
    for part in key.split("."):
        if isinstance(doc, list):
            if not doc:
                return None
            doc = doc[0]
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def _keys(doc, prefix=""):
    if isinstance(doc, list) and doc:
        yield from _keys(doc[0], prefix)
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield prefix + k
            yield from _keys(v, prefix + k + ".")


BENCH_LINE = re.compile(r"^(Benchmark\S+?)(?:-(\d+))?\s+\d+\s+(.*)$")


def gobench(path, unit, with_pkg=False):
    """(name, procs, value) of every benchmark line of path reporting unit;
    with_pkg prefixes the name with the package path below the module."""
    out = []
    pkg = ""
    for line in open(path, errors="replace"):
        if line.startswith("pkg: "):
            pkg = line[5:].strip().replace("github.com/isingrbm/isingrbm/", "") + " "
        m = BENCH_LINE.match(line.strip())
        if not m:
            continue
        # A sub-benchmark run again in one process (BenchmarkFMAPeak's
        # rounds) gets a #01 suffix: it is another sample of the same case.
        name = re.sub(r"#\d+(?=/|$)", "", m.group(1))
        f = m.group(3).split()
        for i in range(0, len(f) - 1, 2):
            if f[i + 1] == unit:
                try:
                    rec = (name, int(m.group(2) or 1), float(f[i]))
                    out.append((pkg,) + rec if with_pkg else rec)
                except ValueError:
                    pass
    return out


def _append(res, obj):
    with open(res, "a") as f:
        f.write(json.dumps(obj) + "\n")


def _fmt(x):
    if x is None:
        return ""
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3g" % x


def _md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


NUM_TAIL = re.compile(r"^(.*?)(-?\d+(?:\.\d+)?(?:e-?\d+)?)$")


def _merge_info(infos):
    """One info cell for all runs: the "; "-separated parts are merged by
    position; a part that is "text NUMBER" in every run becomes "text MEDIAN
    (median)", identical parts are shown once, others are listed."""
    runs = [i.split("; ") for i in infos if i]
    if not runs:
        return ""
    out = []
    for k in range(max(len(r) for r in runs)):
        parts = [r[k] for r in runs if len(r) > k]
        if len(set(parts)) == 1:
            out.append(parts[0])
            continue
        ms = [NUM_TAIL.match(p) for p in parts]
        if all(ms) and len({m.group(1) for m in ms}) == 1:
            med = statistics.median(float(m.group(2)) for m in ms)
            out.append("%s%.5g (median)" % (ms[0].group(1), med))
        else:
            out.append(" / ".join(sorted(set(parts))))
    return "; ".join(out)


def report(res, env_path, out, title=None):
    recs = [json.loads(l) for l in open(res) if l.strip()]
    env = json.load(open(env_path))
    L = []
    L.append("# " + (title or "isingrbm against its peers"))
    L.append("")
    L.append("Written by `bench/run%s` on %s. Every comparison ran its programs alternately (A B C, A B C, ...) "
             "on the same data with the same thread count; each cell is over %s runs. "
             "Machines are noisy: compare the ratios within this file, not across files."
             % (" -quick" if env.get("mode") == "quick" else "", env.get("date", "?"), env.get("runs", "?")))
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    for k in ("cpu", "cores", "go", "os", "python", "numpy", "sklearn", "torch", "openblas", "mode", "load"):
        if k in env:
            L.append("| %s | %s |" % (k, _md_escape(env[k])))
    L.append("")
    if env.get("version"):
        L.append("`isingrbm version`:")
        L.append("")
        L.append("```")
        L.extend(env["version"].rstrip().splitlines())
        L.append("```")
        L.append("")

    checks = [r for r in recs if r["kind"] == "check"]
    L.append("## Correctness (same run)")
    L.append("")
    if checks:
        L.append("| check | result | detail |")
        L.append("|---|---|---|")
        for c in checks:
            L.append("| %s | %s | %s |" % (_md_escape(c["name"]), c["status"], _md_escape(c["detail"])))
    else:
        L.append("No checks ran.")
    L.append("")
    for r in recs:
        if r["kind"] == "note" and r["table"] == "correctness":
            L.append("- " + r["text"])
            L.append("")

    for tname, (ttitle, higher) in TABLES.items():
        meas = [r for r in recs if r["kind"] == "m" and r["table"] == tname]
        notes = [r["text"] for r in recs if r["kind"] == "note" and r["table"] == tname]
        if not meas and not notes:
            continue
        L.append("## " + ttitle)
        L.append("")
        if meas:
            cases, progs = [], {}
            for r in meas:
                if r["case"] not in cases:
                    cases.append(r["case"])
                progs.setdefault(r["case"], [])
                if r["program"] not in progs[r["case"]]:
                    progs[r["case"]].append(r["program"])
            L.append("| case | program | median | min | max | unit | runs | ours vs this | info |")
            L.append("|---|---|---:|---:|---:|---|---:|---:|---|")
            for case in cases:
                ref = None
                ours = [p for p in progs[case] if p.startswith("ours")]
                ours.sort(key=lambda p: "generic" in p)
                if ours:
                    vals = [r["value"] for r in meas if r["case"] == case and r["program"] == ours[0]]
                    ref = (ours[0], statistics.median(vals))
                for p in progs[case]:
                    rs = [r for r in meas if r["case"] == case and r["program"] == p]
                    vals = [r["value"] for r in rs]
                    med = statistics.median(vals)
                    unit = rs[0]["unit"]
                    info = _merge_info([r.get("info", "") for r in rs])
                    ratio = ""
                    base, prefix = ref, ""
                    if "AVX2 kernel" in p and "ours (avx2)" in progs[case]:
                        # A peer held to its AVX2 kernel is compared with ours (avx2).
                        vals2 = [r["value"] for r in meas if r["case"] == case and r["program"] == "ours (avx2)"]
                        base, prefix = ("ours (avx2)", statistics.median(vals2)), "ours (avx2) "
                    if base is not None and p != base[0] and med > 0 and base[1] > 0:
                        x = base[1] / med if higher else med / base[1]
                        ratio = "%s%.2fx %s" % (prefix, x if x >= 1 else 1 / x, "faster" if x >= 1 else "slower")
                    elif ref is not None and p == ref[0]:
                        ratio = "(reference)"
                    L.append("| %s | %s | %s | %s | %s | %s | %d | %s | %s |" % (
                        _md_escape(case), _md_escape(p), _fmt(med), _fmt(min(vals)), _fmt(max(vals)),
                        unit, len(vals), ratio, _md_escape(info)))
            L.append("")
        for n in notes:
            L.append("- " + n)
        if notes:
            L.append("")
    cmds = env.get("commands")
    if cmds:
        L.append("## Command lines")
        L.append("")
        L.append("```")
        L.extend(cmds)
        L.append("```")
        L.append("")
    extra = env.get("appendix")
    if extra:
        L.append(extra.rstrip())
        L.append("")
    open(out, "w").write("\n".join(L))


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        sys.exit(2)
    cmd = a[0]
    if cmd == "get":
        doc = _last_json(a[1])
        v = _get(doc, a[2]) if doc is not None else None
        if v is not None:
            print(json.dumps(v) if isinstance(v, (dict, list)) else v)
    elif cmd == "keys":
        doc = _last_json(a[1])
        if doc is not None:
            print("\n".join(_keys(doc)))
    elif cmd == "gobench":
        for name, procs, v in gobench(a[1], a[2]):
            print("%s\t%d\t%r" % (name, procs, v))
    elif cmd == "rec":
        obj = {"kind": "m", "table": a[2], "case": a[3], "program": a[4], "value": float(a[5]), "unit": a[6]}
        if len(a) > 7 and a[7]:
            obj["info"] = a[7]
        _append(a[1], obj)
    elif cmd == "note":
        _append(a[1], {"kind": "note", "table": a[2], "text": a[3]})
    elif cmd == "check":
        _append(a[1], {"kind": "check", "name": a[2], "status": a[3], "detail": a[4]})
    elif cmd == "report":
        report(a[1], a[2], a[3], a[4] if len(a) > 4 else None)
    elif cmd == "status":
        bad = [json.loads(l) for l in open(a[1]) if l.strip()]
        bad = [r for r in bad if r["kind"] == "check" and r["status"] == "FAIL"]
        sys.exit(1 if bad else 0)
    elif cmd == "checks":
        for line in open(a[2]):
            line = line.strip()
            if line.startswith("{"):
                c = json.loads(line)
                _append(a[1], {"kind": "check", "name": c["name"], "status": c["status"], "detail": c["detail"]})
    elif cmd == "env":
        env = {}
        for kv in a[2:]:
            k, _, v = kv.partition("=")
            if v.startswith("@"):
                try:
                    v = open(v[1:]).read()
                except OSError:
                    v = ""
                if k == "commands":
                    v = v.splitlines()
                else:
                    v = v.strip() if k != "appendix" else v
            env[k] = v
        json.dump(env, open(a[1], "w"), indent=1)
    elif cmd == "find":
        doc = _last_json(a[1])
        for key in a[2].split(","):
            v = _find(doc, key)
            if v is not None:
                print("%s\t%r" % (key, v))
                break
    elif cmd == "shape":
        r = match_shape(a[1], a[2].split(","))
        if r:
            print(r)
    elif cmd == "recgobench":
        # recgobench RES FILE UNIT TABLE OTHER_TABLE SHAPES|- [SCALE NEWUNIT INFO]
        res, path, unit, table, other, shapes = a[1:7]
        scale = float(a[7]) if len(a) > 7 else 1.0
        newunit = a[8] if len(a) > 8 else unit
        info = a[9] if len(a) > 9 else ""
        n = 0
        for pkg, name, procs, v in gobench(path, unit, with_pkg=True):
            parts = name.split("/")
            impl = [p for p in parts if IMPL.match(p)]
            rest = "/".join(p for p in parts if not IMPL.match(p) and not THREADS.match("/" + p))
            th = threads_of(name, procs)
            shape = match_shape(name, shapes.split(",")) if shapes != "-" else None
            obj = {"kind": "m", "table": table if shape or shapes == "-" else other,
                   "case": (label(shape) if shape else pkg + rest) + ", %d thread(s)" % th,
                   "program": "ours (%s)" % (impl[0] if impl else "active"), "value": v * scale, "unit": newunit}
            if "gonum" in parts[0].lower():
                obj["program"] = "gonum (%s)" % parts[0]
            if info:
                obj["info"] = info
            _append(res, obj)
            n += 1
        print(n)
    elif cmd == "recshapes":
        res, prog, suffix, path = a[1], a[2], a[3], a[4]
        for line in open(path):
            line = line.strip()
            if line.startswith("{") and '"shape"' in line:
                d = json.loads(line)
                obj = {"kind": "m", "table": a[6] if len(a) > 6 else "products", "case": label(d["shape"]) + suffix, "program": prog,
                       "value": d["gflops"], "unit": "GFLOP/s"}
                if len(a) > 5 and a[5]:
                    obj["info"] = a[5]
                _append(res, obj)
    elif cmd == "label":
        print(label(a[1]))
    elif cmd == "impl":
        parts = a[1].split("/")
        impl = [p for p in parts if IMPL.match(p)]
        rest = [p for p in parts if not IMPL.match(p) and not THREADS.match("/" + p)]
        procs = int(a[2]) if len(a) > 2 else 1
        print("%s\t%s\t%d" % (impl[0] if impl else "active", "/".join(rest), threads_of(a[1], procs)))
    else:
        print(__doc__)
        sys.exit(2)


IMPL = re.compile(r"^(?:impl=)?(avx2|avx512|avx512f|neon|generic|sse\d*|fma|asm|portable|purego)$", re.I)


def _find(doc, key):
    if isinstance(doc, dict):
        v = doc.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v
        for v in doc.values():
            r = _find(v, key)
            if r is not None:
                return r
    elif isinstance(doc, list):
        for v in doc:
            r = _find(v, key)
            if r is not None:
                return r
    return None


PAREN = re.compile(r"^\((\d+)x(\d+)\)(\^T)?\((\d+)x(\d+)\)(\^T)?$")


def match_shape(name, shapes):
    """The OP:m:k:n in shapes that a benchmark name denotes, or None.

    Two spellings: a level "(a x b)(c x d)" with ^T after a transposed factor
    (the asm/f32 benchmarks: BenchmarkGemm/(100x400)(1600x400)^T/threads=1/avx2;
    the shown shape of a transposed factor may be its stored or its used shape,
    the inner dimensions decide), or an op token NN|NT|TN with "m x k x n"."""
    for part in name.split("/"):
        m = PAREN.match(part)
        if not m:
            continue
        a, b, ta, c, d, tb = m.groups()
        a, b, c, d = int(a), int(b), int(c), int(d)
        if ta and tb:
            return None
        if ta:  # A^T B
            mm, k = (a, b) if b == c else (b, a)
            cand = "TN:%d:%d:%d" % (mm, k, d)
        elif tb:  # A B^T
            n = c if b == d else d
            cand = "NT:%d:%d:%d" % (a, b, n)
        else:
            cand = "NN:%d:%d:%d" % (a, b, d)
        return cand if cand in shapes else None
    op = re.search(r"(?:^|[/_=-])(NN|NT|TN)(?:$|[/_=-])", name)
    dims = re.search(r"(\d+)x(\d+)x(\d+)", name)
    if not op or not dims:
        return None
    x, y, z = dims.groups()
    for cand in ("%s:%s:%s:%s" % (op.group(1), x, y, z), "%s:%s:%s:%s" % (op.group(1), x, z, y)):
        if cand in shapes:
            return cand
    return None


THREADS = re.compile(r"(?:^|/)threads=(\d+)(?:/|$)")


def threads_of(name, procs):
    """Worker threads of a benchmark: its threads=N level if any, else GOMAXPROCS."""
    m = THREADS.search(name)
    return int(m.group(1)) if m else procs


def label(shape):
    op, m, k, n = shape.split(":")
    a = "(%sx%s)^T" % (k, m) if op[0] == "T" else "(%sx%s)" % (m, k)
    b = "(%sx%s)^T" % (n, k) if op[1] == "T" else "(%sx%s)" % (k, n)
    return "%s %s%s -> %sx%s" % (op, a, b, m, n)


if __name__ == "__main__":
    main()
