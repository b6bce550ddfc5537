#!/usr/bin/env bash
# scenarios.sh - every shipped scenario simulated, replayed end to end, and
# the BGP signal checked against the simulator's ground truth (truth.csv).
#
# For each entity of truth.csv and each 300 s bin, the level-50 value must be
# its baseline plus the expected change of every event active in that bin
# (active from the bin holding `start` to the bin before the one holding
# `end`): drops and recoveries at the truth's times, to the /24.  Countries
# not in the truth must stay flat, and the peer reset must move nothing.  In
# sanitizer builds (slow) the Iran and quiet-week replays cover two days
# around the events instead of the whole period.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
pass=0 fail=0

run() { # scenario [from until]
  local name=$1 w="$T/$1" db="$T/$1.db"
  rm -rf "$w" "$db"*
  local from=$(awk '/^start:/ {print $2}' "$DW_SRC/scenarios/$name.yaml")
  local until=$(awk '/^end:/ {print $2}' "$DW_SRC/scenarios/$name.yaml")
  [ -n "${2:-}" ] && from=$2 && until=$3
  local n=$(awk '/^full_feed_min_v4:/ {print $2}' "$DW_SRC/scenarios/$name.yaml")
  "$DW_BIN" sim --scenario "$DW_SRC/scenarios/$name.yaml" --out "$w" --data "$DW_SHARED" \
    --from "$from" --until "$until" -q || return 1
  local cols=$(ls "$w/archive" | sed 's/^/--collector /')
  "$DW_BIN" replay --db "$db" --archive "$w/archive" $cols --from "$from" --until "$until" \
    --geo "$w/geo.csv" --asnames "$w/asnames.json.gz" --full-feed-min-v4 "$n" > "$T/$name.replay" 2>&1 ||
    { cat "$T/$name.replay"; return 1; }
  python3 - "$DW_BIN" "$db" "$w/truth.csv" "$w/geo.csv" <<'EOF'
import csv, subprocess, sys
dw, db, truth, geo = sys.argv[1:5]
rows = list(csv.DictReader(open(truth)))
ents = sorted({(r["entity_type"], r["entity_code"]) for r in rows if r["entity_type"] != "peer"})
countries = sorted({l.split(",")[2] for l in open(geo) if l.count(",") >= 2})
for c in countries:
    if ("country", c) not in ents:
        ents.append(("country", c))
bad = checked = 0
for et, code in ents:
    out = subprocess.run([dw, "signal", "export", "--db", db, "--datasource", "bgp",
                          "--entity", f"{et}/{code}"], capture_output=True, text=True)
    if out.returncode:
        # an AS whose every /24 is withdrawn before the window never shows up
        print(f"  FAIL {et}/{code}: {out.stderr.strip()}"); bad += 1; continue
    series = [(int(t), float(v)) for t, v in (l.split(",") for l in out.stdout.split()[1:])]
    mine = [r for r in rows if (r["entity_type"], r["entity_code"]) == (et, code)]
    def delta(t):
        s = 0
        for r in mine:
            a, b = int(r["start"]) // 300 * 300, int(r["end"]) // 300 * 300
            if a <= t < b:
                s += int(r["expected_change"])
        return s
    base = series[0][1] - delta(series[0][0])
    errs = [(t, v, base + delta(t)) for t, v in series if v != base + delta(t)]
    checked += 1
    if errs:
        bad += 1
        print(f"  FAIL {et}/{code}: {len(errs)} of {len(series)} bins off, first {errs[:3]}")
print(f"  {checked} entities checked against the truth, {bad} off")
sys.exit(1 if bad else 0)
EOF
}

check() {
  if run "$@"; then pass=$((pass + 1)); echo "ok    $1"; else fail=$((fail + 1)); echo "FAIL  $1"; fi
}

if [ -n "${ASAN_OPTIONS:-}" ]; then
  check iran-2019 2019-11-16T00:00:00Z 2019-11-17T12:00:00Z
  check quiet-week 2019-11-05T00:00:00Z 2019-11-06T00:00:00Z
else
  check iran-2019
  check quiet-week
fi
check peer-reset
grep -q "peer_reset" "$T/peer-reset/truth.csv" || { echo "FAIL  peer-reset truth has no peer_reset row"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
