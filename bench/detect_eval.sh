#!/usr/bin/env bash
# detect_eval.sh - the detection quality table of bench/README.md
# ("Detection"): every shipped scenario simulated and replayed whole, the
# harder generated scenarios (scenarios/gen_hard.py) imported, `detect`
# run, and `eval` printed per scenario and datasource.
#
#   bench/detect_eval.sh [BUILD_DIR] [WORK_DIR] [SEEDS...]
#
# Defaults: build/, $TMPDIR/dw-detect-eval, seed 1.  A few minutes on 2
# cores (the Iran replay is most of it).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$src/build}
work=${2:-${TMPDIR:-/tmp}/dw-detect-eval}
shift $(( $# > 2 ? 2 : $# )) || true
seeds=${*:-1}
dw="$build/darkwatch"
shared=${DW_SHARED:-$src/../shared}
mkdir -p "$work"

for name in iran-2019 quiet-week peer-reset; do
  w="$work/$name" db="$work/$name.db"
  rm -rf "$w" "$db"*
  y="$src/scenarios/$name.yaml"
  from=$(awk '/^start:/ {print $2}' "$y") until=$(awk '/^end:/ {print $2}' "$y")
  n=$(awk '/^full_feed_min_v4:/ {print $2}' "$y")
  "$dw" sim --scenario "$y" --out "$w" --data "$shared" -q
  "$dw" replay --db "$db" --archive "$w/archive" $(ls "$w/archive" | sed 's/^/--collector /') \
    --from "$from" --until "$until" --geo "$w/geo.csv" --asnames "$w/asnames.json.gz" \
    --full-feed-min-v4 "$n" > "$work/$name.replay" 2>&1
  "$dw" detect --db "$db" -q
  echo "== $name"
  "$dw" eval --db "$db" --truth "$w/truth.csv" | tail -n +2
done

for seed in $seeds; do
  out="$work/hard-$seed" db="$work/hard-$seed.db"
  rm -rf "$out" "$db"*
  python3 "$src/scenarios/gen_hard.py" --out "$out" --seed "$seed"
  for ds in bgp ping-slash24 merit-nt gtr; do
    "$dw" signal import --db "$db" --datasource "$ds" --csv "$out/$ds.csv" > /dev/null
  done
  "$dw" detect --db "$db" -q
  for ds in bgp ping-slash24 merit-nt gtr; do
    echo "== hard seed $seed, $ds"
    "$dw" eval --db "$db" --truth "$out/truth-$ds.csv" --datasource "$ds" | tail -n +2
  done
done
