#!/usr/bin/env bash
# detect_iran.sh - the iran-2019 scenario end to end through the detectors:
# sim + replay of a day and a half around the shutdown (as scenarios.sh
# does under sanitizers), then `detect`, `events --format json` and `eval`.
#
# Checks: the mobile operators (AS197207 MCCI, AS44244 Irancell, AS57218
# Rightel) and Iran itself have an event of each method starting in the bin
# of the truth's start (2019-11-16 14:00 UTC) and still open at the window's
# end; no country but Iran has an event; eval prints both methods with
# recall 1; a second detect run changes nothing (idempotent, incremental);
# a batch rerun over a range gives the same rows.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
w="$T/iran" db="$T/iran.db"
from=2019-11-16T00:00:00Z until=2019-11-17T12:00:00Z
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$w" "$db"*

n=$(awk '/^full_feed_min_v4:/ {print $2}' "$DW_SRC/scenarios/iran-2019.yaml")
"$DW_BIN" sim --scenario "$DW_SRC/scenarios/iran-2019.yaml" --out "$w" --data "$DW_SHARED" \
  --from "$from" --until "$until" -q || fail sim
"$DW_BIN" replay --db "$db" --archive "$w/archive" --collector rrc00 --collector rrc01 \
  --from "$from" --until "$until" --geo "$w/geo.csv" --asnames "$w/asnames.json.gz" \
  --full-feed-min-v4 "$n" > "$T/replay.log" 2>&1 || { cat "$T/replay.log"; fail replay; }

"$DW_BIN" detect --db "$db" || fail detect
"$DW_BIN" events --db "$db" --format json > "$T/events.json" || fail events
"$DW_BIN" events --db "$db" --entity country/IR > "$T/events.txt" || fail "events table"
cat "$T/events.txt"

python3 - "$T/events.json" <<'PY' || exit 1
import json, sys
ev = json.load(open(sys.argv[1]))
assert isinstance(ev, list) and ev, "no events"
keys = {"entity_type", "entity_code", "entity_name", "datasource", "method", "from", "until",
        "score", "max_drop"}
for e in ev:
    assert keys <= set(e), f"missing keys in {e}"
start = 1573912800  # 2019-11-16T14:00Z, the truth's start
bad = 0
for code in ("197207", "44244", "57218"):
    for m in ("median", "seasonal"):
        hits = [e for e in ev if e["entity_type"] == "asn" and e["entity_code"] == code
                and e["datasource"] == "bgp" and e["method"] == m]
        ok = any(e["from"] == start and e["until"] is None and e["max_drop"] > 5 for e in hits)
        print(f"{'ok  ' if ok else 'FAIL'} asn/{code} {m}: {[(e['from'], e['until']) for e in hits]}")
        bad += not ok
for m in ("median", "seasonal"):
    ir = [e for e in ev if e["entity_code"] == "IR" and e["datasource"] == "overall" and e["method"] == m]
    ok = any(e["from"] == start and e["score"] > 0 for e in ir)
    print(f"{'ok  ' if ok else 'FAIL'} country/IR overall {m}")
    bad += not ok
others = {e["entity_code"] for e in ev if e["entity_type"] == "country" and e["entity_code"] != "IR"
          and e["method"] == "seasonal" and e["datasource"] == "bgp"}
print(("FAIL" if others else "ok  ") + f" no other country (seasonal): {sorted(others)}")
bad += bool(others)
sys.exit(1 if bad else 0)
PY

"$DW_BIN" eval --db "$db" --truth "$w/truth.csv" > "$T/eval.txt" || fail eval
cat "$T/eval.txt"
for m in median seasonal; do
  awk -v m=$m '$1 == m && $8 == "1.000" {ok = 1} END {exit !ok}' "$T/eval.txt" ||
    fail "eval: $m recall is not 1"
done

dump() { sqlite3 "$db" "SELECT * FROM alert ORDER BY 1,2,3; SELECT entity_id,datasource,subtype,method,t_start,t_end,score,max_drop FROM event ORDER BY 1,2,3,4,5;" | md5sum; }
before=$(dump)
"$DW_BIN" detect --db "$db" -q || fail "detect again"
[ "$(dump)" = "$before" ] || fail "an incremental run without new bins changed rows"
"$DW_BIN" detect --db "$db" -q --from 2019-11-16T12:00:00Z --until 2019-11-16T18:00:00Z || fail "batch"
[ "$(dump)" = "$before" ] || fail "a batch rerun over a range changed rows"
"$DW_BIN" detect --db "$db" --method nope 2>/dev/null; [ $? -eq 1 ] || fail "bad method accepted"
"$DW_BIN" events --db "$db" --format xml 2>/dev/null; [ $? -eq 1 ] || fail "bad format accepted"
echo "detect_iran: ok"
