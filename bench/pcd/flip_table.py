#!/usr/bin/python3
"""The condensed table of bench/pcd/RUN.md's "The flip move across couplings", from two study
summaries (the flip study's and one with mehta-schwab, docs/study/summary.json):

    bench/pcd/flip_table.py bench/pcd/study-flip-summary.json docs/study/summary.json

It takes bench/deadunits/study_table.py's rows (-density -apart all -upper) and keeps layer 1's
held-out log-likelihood, ceiling (K = 0.6) and flip gap and each layer's median PR; every cell is
that table's. It prints to stderr the rows below K = 0.6 whose ranges lie apart.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'deadunits'))
import study_table  # noqa: E402

if len(sys.argv) != 3:
    sys.exit(__doc__)
NAMES = ['mehta-schwab-flip', 'mehta-schwab']
couplings, nets = study_table.load(sys.argv[1:3], NAMES)
cells = {}
for K, name, row, note in study_table.table_rows(couplings, nets, NAMES,
                                                 upper=True, density=True, apart='all'):
    cells[('%g' % K, name)] = row[:-1] + [row[-1] + note]
def mean(c):
    return float(re.match(r'(-?[0-9.]+)', c).group(1))
def f(x):
    return '%.0f' % x if abs(x) >= 100 else '%.1f' % x
def ms_(c):
    m = re.match(r'(-?[0-9.]+) \+- ([0-9.]+)', c)
    mu, sd = float(m.group(1)), float(m.group(2))
    return '%s +- %s' % (f(mu), '%.0f' % sd if abs(mu) >= 100 or sd >= 10 else '%.1f' % sd)
print('| K | measure | mehta-schwab-flip | mehta-schwab |')
print('|---|---|---|---|')
for K in ('0.01', '0.1', '0.2', '0.3', '0.408', '0.6'):
    rows = [('held-out log-likelihood (AIS)',), ('held-out ceiling (no statistics)',)] if K == '0.6' else [('held-out log-likelihood (AIS)',)]
    for (m,) in rows:
        print('| %s | %s | %s | %s |' % (K, m, *cells[(K, m)]))
    print('| %s | held-out flip gap | %s | %s |' % (K, *cells[(K, 'held-out flip gap')]))
    if K != '0.6':
        vals = [' / '.join(f(mean(cells[(K, m)][i])) for m in ('median PR', 'layer 2 median PR', 'layer 3 median PR')) for i in (0, 1)]
        print('| %s | median PR, layers 1 / 2 / 3 | %s | %s |' % (K, *vals))
    else:
        print('| %s | median PR, layer 1 | %s | %s |' % (K, *cells[(K, 'median PR')]))
        print('| %s | median disk share, layer 1 | %s | %s |' % (K, *cells[(K, 'median disk share')]))
        print('| %s | live units compact, layer 1 | %s | %s |' % (K, *cells[(K, 'live units compact')]))
        a = [ms_(cells[(K, 'layer 2 median PR')][i]) + ' / ' + ms_(cells[(K, 'layer 3 median PR')][i]) for i in (0, 1)]
        apart = ' (layer 3: ranges apart)' if 'ranges apart' in cells[(K, 'layer 3 median PR')][1] else ''
        print('| %s | median PR, layers 2 / 3 | %s | %s%s |' % (K, a[0], a[1], apart))
# rows with ranges apart below K = 0.6, and the count of rows there
n = sum(1 for (K, m) in cells if K != '0.6')
ap = [(K, m, c) for (K, m), c in cells.items() if K != '0.6' and 'ranges apart' in c[1]]
print('\nrows below 0.6: %d, ranges apart: %s' % (n, ap), file=sys.stderr)
