#!/usr/bin/env bash
# sim_probing.sh - `darkwatch sim --probing`: the real Trinocular engine
# against the simulator's responder model, checked against its own truth,
# imported into a store and run through the detectors.
#
# The world is iran-2019's, shrunk so the test stays fast under sanitizers
# (every AS capped at 600 /24s, two days, events compressed into Nov 16):
# MCCI AS197207 withdraws 90% in BGP 06:00-14:00; Shatel AS31549 is
# data-plane blocked 08:00-12:00; ITC AS12880 10:00-18:00 (no BGP change);
# ParsOnline AS16322 withdraws 40% and is blocked 10:00-18:00.
#
# Checks: per entity of probing/truth.csv, every round's ping-slash24 is its
# baseline plus the changes of the events active then, within 3% (the first
# round of a change may lag: blocks with A < ~0.37 need two or three
# dark rounds to be believed down, and up to two hours to come back); so the blocked ASes collapse at the truth's times and come
# back, and MCCI's drop follows its BGP withdrawal (same start and end as in
# truth.csv).  The blocked ASes have no BGP drop in truth.csv, their loss is
# ~100% while blocked and under 60% before (Trinocular re-probes after each
# silence); countries without events
# stay within 2% of their median; a shortened run writes the same rows; the
# CSVs import with `signal import`, and `detect` raises a ping-slash24 event
# for ITC over its block.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
w="$T/world" db="$T/probing.db" sc="$T/probing.yaml"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$w" "$T/short" "$db"*

python3 - "$DW_SRC/scenarios/iran-2019.yaml" "$sc" <<'PY' || fail "scenario"
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))
s["name"] = "probing-test"
s["start"], s["end"] = 1573776000, 1573948800          # Nov 15 00:00 .. Nov 17 00:00
s.pop("full_feed_min_v4", None)                        # half the (smaller) world
for a in s["ases"]:
    a["max_slash24"] = 600
h = lambda x: 1573862400 + int(x * 3600)               # Nov 16 00:00 + x hours
s["events"] = [
    {"kind": "partial_withdraw", "asn": 197207, "fraction": 0.9, "start": h(6), "end": h(14)},
    {"kind": "dataplane_block", "asn": 31549, "start": h(8), "end": h(12)},
    {"kind": "dataplane_block", "asn": 12880, "start": h(10), "end": h(18)},
    {"kind": "partial_withdraw", "asn": 16322, "fraction": 0.4, "start": h(10), "end": h(18)},
    {"kind": "dataplane_block", "asn": 16322, "start": h(10), "end": h(18)},
]
yaml.safe_dump(s, open(sys.argv[2], "w"), sort_keys=False)
PY

"$DW_BIN" sim --scenario "$sc" --out "$w" --data "$DW_SHARED" --probing || fail sim
for f in ping-slash24 ping-slash24-loss ping-slash24-latency truth; do
  [ -s "$w/probing/$f.csv" ] || fail "no probing/$f.csv"
done
# a shortened run writes the same rows (the engine always starts at the start)
"$DW_BIN" sim --scenario "$sc" --out "$T/short" --data "$DW_SHARED" --probing -q \
  --from 2019-11-16T08:00Z --until 2019-11-16T20:00Z || fail "short sim"
python3 - "$w/probing/ping-slash24.csv" "$T/short/probing/ping-slash24.csv" <<'PY' || exit 1
import sys
full = set(open(sys.argv[1]).read().splitlines())
short = open(sys.argv[2]).read().splitlines()
assert len(short) > 100, len(short)
missing = [l for l in short if l not in full]
assert not missing, f"shortened run differs: {missing[:3]}"
print(f"  shortened run: {len(short) - 1} rows, all in the full run's")
PY

python3 - "$w" <<'PY' || exit 1
import csv, statistics, sys
w = sys.argv[1]
def series(name):
    s = {}
    for r in csv.DictReader(open(f"{w}/probing/{name}.csv")):
        s.setdefault((r["entity_type"], r["entity_code"]), {})[int(r["time"])] = float(r["value"])
    return s
up, loss = series("ping-slash24"), series("ping-slash24-loss")
lat = series("ping-slash24-latency")
truth = list(csv.DictReader(open(f"{w}/probing/truth.csv")))
bgp = list(csv.DictReader(open(f"{w}/truth.csv")))
R = 600
RECOVER = 7200
ceil = lambda t: -(-t // R) * R
bad = 0
def err(msg):
    global bad
    bad += 1
    print("  FAIL", msg)

# 1. every entity with truth rows: baseline + active changes, round by round
first = min(int(r["start"]) for r in truth)
ents = sorted({(r["entity_type"], r["entity_code"]) for r in truth})
for e in ents:
    s = up.get(e)
    if not s:
        err(f"{e}: no ping-slash24 series"); continue
    rows = [r for r in truth if (r["entity_type"], r["entity_code"]) == e]
    base = statistics.median(v for t, v in s.items() if t < first)
    edges = {ceil(int(r[k])) for r in rows for k in ("start", "end")}
    off = 0
    for t, v in sorted(s.items()):
        want = base + sum(int(r["expected_change"]) for r in rows
                          if ceil(int(r["start"])) <= t < ceil(int(r["end"])))
        back = -sum(int(r["expected_change"]) for r in rows
                    if ceil(int(r["end"])) <= t < ceil(int(r["end"])) + RECOVER)
        tol = max(3, 0.03 * base)
        if back and want - 0.2 * back - tol <= v <= want + tol:
            continue  # recovering: sparse blocks come back over a few rounds
        if abs(v - want) > tol and t not in edges:
            off += 1
            if off <= 3:
                err(f"{e} at {t}: {v} up, expected {want} (base {base})")
    if (e[0], e[1]) == ("asn", "12880") and not off:
        print(f"  asn/12880: {base:.0f} up /24s, {min(s.values()):.0f} while blocked, back to {s[max(s)]:.0f}")
print(f"  {len(ents)} entities follow probing/truth.csv round by round")

# 2. the blocked ASes: collapse, recover, loss ~100% meanwhile, no BGP drop
for asn, a, b in (("12880", 10, 18), ("31549", 8, 12), ("16322", 10, 18)):
    t0, t1 = 1573862400 + a * 3600, 1573862400 + b * 3600
    s, l = up[("asn", asn)], loss[("asn", asn)]
    base = statistics.median(v for t, v in s.items() if t < t0)
    during = [s[t] for t in range(t0 + 3 * R, t1, R)]  # sparse: 2-3 rounds
    after = [s[t] for t in range(t1 + R, t1 + 7 * R, R)]
    if max(during) > 0.02 * base:
        err(f"asn/{asn} not collapsed: {max(during)} of {base}")
    if min(after) < 0.8 * base or s[t1 + 12 * R] < 0.97 * base:
        err(f"asn/{asn} not recovered: {after} then {s[t1 + 12 * R]} of {base}")
    if min(l[t] for t in range(t0 + R, t1, R)) < 99:
        err(f"asn/{asn} loss under 99% while blocked")
    if max(v for t, v in l.items() if t < t0) > 60:
        err(f"asn/{asn} loss over 60% before")
    if any(r["entity_code"] == asn and int(r["expected_change"]) < 0 and r["kind"] == "dataplane_block"
           for r in bgp):
        err(f"asn/{asn}: BGP truth has a drop for the data-plane block")
    if not any(r["entity_type"] == "asn" and r["entity_code"] == asn and r["kind"] == "dataplane_block"
               and int(r["expected_change"]) < 0 for r in truth):
        err(f"asn/{asn}: no dataplane_block row in probing/truth.csv")
itc_bgp = [r for r in bgp if r["entity_code"] == "12880" and int(r["expected_change"]) < 0]
if itc_bgp:
    err(f"ITC has a BGP drop: {itc_bgp}")

# 3. BGP withdrawals: MCCI's probing drop has the BGP truth's times, >= 80% of its /24s
m = [r for r in truth if r["entity_code"] == "197207" and r["entity_type"] == "asn"]
mb = [r for r in bgp if r["entity_code"] == "197207" and r["entity_type"] == "asn"]
if len(m) != 1 or len(mb) != 1 or (m[0]["start"], m[0]["end"]) != (mb[0]["start"], mb[0]["end"]):
    err(f"MCCI: probing truth {m} vs BGP truth {mb}")
else:
    s = up[("asn", "197207")]
    base = statistics.median(v for t, v in s.items() if t < int(m[0]["start"]))
    if -int(m[0]["expected_change"]) < 0.8 * base:
        err(f"MCCI: probing truth drop {m[0]['expected_change']} of {base}")

# 4. countries without events: steady
for (et, code), s in sorted(up.items()):
    if et != "country" or (et, code) in ents:
        continue
    med = statistics.median(s.values())
    worst = max(abs(v - med) for v in s.values())
    if worst > 0.02 * med:
        err(f"country/{code} not steady: off by {worst} of {med}")
    if not lat.get((et, code)):
        err(f"country/{code}: no latency")
print(f"  steady: {sorted(c for (t, c) in up if t == 'country' and ('country', c) not in ents)}")
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || fail "series against the truth"

for f in ping-slash24 ping-slash24-loss ping-slash24-latency; do
  "$DW_BIN" signal import --db "$db" --datasource "$f" --csv "$w/probing/$f.csv" \
    > "$T/import.log" 2>&1 || { cat "$T/import.log"; fail "import $f"; }
done
"$DW_BIN" detect --db "$db" > "$T/detect.log" 2>&1 || { cat "$T/detect.log"; fail detect; }
"$DW_BIN" events --db "$db" --entity asn/12880 --format json > "$T/itc.json" || fail events
python3 - "$T/itc.json" <<'PY' || fail "no probing event for ITC"
import json, sys
ev = [e for e in json.load(open(sys.argv[1])) if e["datasource"] == "ping-slash24"]
t0, t1 = 1573898400, 1573927200  # Nov 16 10:00 .. 18:00, the block
hit = [e for e in ev if e["from"] < t1 and (e["until"] or t1) > t0 + 600]
assert hit, f"no ping-slash24 event over the block: {ev}"
print(f"  ITC: {len(hit)} ping-slash24 event(s), e.g. {hit[0]['method']} {hit[0]['from']}..{hit[0]['until']}")
PY
echo "ok"
