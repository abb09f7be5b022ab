#!/bin/bash
# When and why do half of the paper's L1 units die? Trains the first layer
# (1600 -> 400) of the mehta-schwab recipe and single-knob variants of it
# with `isingrbm train` on a replicate run's training data, then measures
# the models with NumPy (analyse.py). See RESULTS.md.
#
#   bench/deadunits/run.sh REPLICATE_DIR [OUT_DIR]
#
# REPLICATE_DIR is a finished `isingrbm replicate` folder (its
# data/d0/ising.npy is the training data); OUT_DIR (default
# /tmp/deadunits) gets the models, and RESULTS.md and results.json are
# written beside this script. Three seeds per variant, two trainings at a
# time on one thread each: about 16 min on a 2-core Zen 5 and 23 on the
# Intel Xeon (measured runs, bench/README.md); then
# firstepoch.py's NumPy runs (FIRSTEPOCH.md, CENTERED.md), about 50 min more,
# and loglik.py's evaluations (LOGLIK.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rep=${1:?usage: run.sh REPLICATE_DIR [OUT_DIR]}
out=${2:-/tmp/deadunits}
data=$rep/data/d0/ising.npy
[ -f "$data" ] || { echo "run.sh: $data not found: REPLICATE_DIR must be a finished isingrbm replicate folder" >&2; exit 2; }
mkdir -p "$out"
bin=$out/isingrbm
(cd "$here/../.." && go build -o "$bin" ./cmd/isingrbm)
"$bin" version > "$out/version.txt"

# name:flags. Every variant is the mehta-schwab preset with one change.
variants=(
  "paper:"
  "l1off:-l1 0"
  "sigma001:-init-sigma 0.01"
  "mom0:-momentum 0"
  "mom0lr1:-momentum 0 -lr 1"
)
seeds=(1 2 3)
jobs=()
for v in "${variants[@]}"; do
  name=${v%%:*}; flags=${v#*:}
  for s in "${seeds[@]}"; do
    # The first five epochs with a snapshot after each (when units die)...
    jobs+=("early_${name}_$s -epochs 5 -snapshot-every 1 -seed $s $flags")
    # ... and 200 epochs, a snapshot every 20, except without L1 (the
    # weight-decay recipe of replicate already trains without it).
    [ "$name" = l1off ] || jobs+=("full_${name}_$s -epochs 200 -snapshot-every 20 -seed $s $flags")
  done
done
# Two trainings at a time; a run that fails (diverges) leaves no model,
# and analyse.py reports it.
running=0
for j in "${jobs[@]}"; do
  read -r name rest <<< "$j"
  if [ -f "$out/$name.npz" ]; then continue; fi
  if [ $running -eq 2 ]; then wait -n || true; running=1; fi
  # shellcheck disable=SC2086
  "$bin" train -data "$data" -layers 400 -preset mehta-schwab -threads 1 $rest -o "$out/$name.npz" > "$out/$name.log" 2>&1 &
  running=$((running + 1))
done
wait || true
cpu=$(sed -n 2p "$out/version.txt")
OPENBLAS_NUM_THREADS=2 PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/analyse.py" -data "$data" -models "$out" \
  -md "$here/RESULTS.md" -json "$here/results.json" -cpu "$cpu" -replicate "$rep"
# The first updates, one mini-batch at a time, with the NumPy peer's CD-1
# (FIRSTEPOCH.md: every variant and the centered RBM, 10 epochs, about 12
# min), and the centered RBM to 200 epochs (CENTERED.md, about 40 min).
OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/firstepoch.py" -data "$data" -models "$out" \
  -md "$here/FIRSTEPOCH.md" -json "$here/firstepoch.json" -cpu "$cpu"
mkdir -p "$out/peer"
OPENBLAS_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/firstepoch.py" -data "$data" -variants centered \
  -epochs 200 -save "$out/peer" -md "$here/CENTERED.md" -json "$here/centered.json" -cpu "$cpu"
# The held-out log-likelihood of the 200-epoch models (LOGLIK.md, about 10 min).
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$here/loglik.py" -bin "$bin" -test "$rep/data/d0/test.npy" -models "$out" \
  -peer "$out/peer" -threads 2 -md "$here/LOGLIK.md" -json "$here/loglik.json" -cpu "$cpu"
