#!/usr/bin/env bash
# telescope_filters.sh - `darkwatch telescope` on crafted captures with known
# unique-source counts per entity and bin, one capture per filter class.
#
# telescope_pcap.py writes a small world (geo.csv: IR Tehran/Isfahan, DE,
# US; pfx2as.txt with a more-specific /17 of another AS inside Isfahan and
# no route for the US block) and, per filter, the same two bins of clean
# traffic plus packets only that filter removes, each file in another link
# type (Ethernet, 802.1Q, QinQ, SLL, SLL2, raw IP).  Shows, exactly:
#   - every entity's count in both bins (0 for a network gone quiet, LPM
#     origin for the more-specific, geoasn), whatever the link type;
#   - each filter removes exactly its packets (JSON summary), and with
#     --no-filter NAME they are counted, adding exactly their sources;
#   - malformed packets are counted per reason and skipped (exit 2), a
#     snaplen-cut packet is fine, a gzip capture reads like the plain one;
#   - an input in the ingest log is skipped on a re-run.
set -u
: "${DW_BIN:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
cd "$T" || exit 1
rm -rf w ./*.db* ./*.json
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
PY="$DW_SRC/tests/integration/telescope_pcap.py"

python3 "$PY" craft w || { echo "FAIL craft"; exit 1; }

run() { # run NAME FILE [args...]: JSON summary to NAME.json
	local name=$1 file=$2
	shift 2
	"$DW_BIN" telescope --db t.db --name "$name" --geo w/geo.csv \
		--pfx2as w/pfx2as.txt --json "$@" "$file" >"$name.json" 2>"$name.err"
}

# check.py: compare the store and the JSON summaries against expect.json
cat >check.py <<'PY'
import json, sqlite3, sys
exp = json.load(open("w/expect.json"))
db = sqlite3.connect("t.db")
T0 = 1573862400
def series(ds):
    out = {}
    for typ, code, t, v in db.execute(
            "select e.type, e.code, p.t, p.value from point p join series s on "
            "s.id = p.series_id join entity e on e.id = s.entity_id where "
            "s.datasource = ?", (ds,)):
        out.setdefault((t - T0) // 60, {})["%s/%s" % (typ, code)] = int(v)
    return out
def same(ds, want):
    got = series(ds)
    for b in (0, 1):
        if got.get(b, {}) != want[b]:
            return "bin %d: got %s want %s" % (b, sorted(got.get(b, {}).items()),
                                               sorted(want[b].items()))
    return None
fails = 0
def say(okk, msg):
    global fails
    print(("ok   " if okk else "FAIL ") + msg)
    fails += not okk
for name, f in exp["filters"].items():
    j = json.load(open("on_%s.json" % name))
    err = same("on_" + name, exp["base"])
    say(err is None, "%s (%s): counts per entity and bin exact with the filter on %s"
        % (name, f["link"], err or ""))
    removed = j["filters"][name]["removed"]
    say(removed == f["removed"], "%s: removed %d (want %d)" % (name, removed, f["removed"]))
    others = sum(v["removed"] for k, v in j["filters"].items() if k != name)
    say(others == 0, "%s: no other filter fires (%d)" % (name, others))
    say(j["malformed"] == 0 and j["bins"] == 2, "%s: 0 malformed, 2 bins" % name)
    off = json.load(open("off_%s.json" % name))
    want = [dict(exp["base"][0]), dict(exp["base"][1])]
    for k, v in f["delta"].items():
        want[0][k] = want[0].get(k, 0) + v
        want[1].setdefault(k, 0)
        if k == "country/DE":
            for e in ("region/DE-Berlin", "asn/64503", "geoasn/64503-DE"):
                want[0][e] += v
    err = same("off_" + name, want)
    say(err is None, "%s: --no-filter %s counts its sources %s" % (name, name, err or ""))
    say(off["filters"][name]["enabled"] is False and off["filters"][name]["removed"] == 0,
        "%s: reported off" % name)
    if f["unrouted_off"]:
        say(off["filters"]["unrouted"]["removed"] == f["unrouted_off"],
            "%s: off, its sources are unrouted (%d)" % (name, off["filters"]["unrouted"]["removed"]))
m = json.load(open("malformed.json"))
for k, v in exp["malformed"].items():
    say(m["skipped"][k] == v, "malformed: %s %d (want %d)" % (k, m["skipped"][k], v))
err = same("malformed", exp["base"])
say(err is None, "malformed packets skipped, the rest counted exactly %s" % (err or ""))
s = json.load(open("snaplen.json"))
say(s["counted"] == 3 and s["malformed"] == 0 and s["sources"] == 3,
    "snaplen-cut packets decode (%d counted)" % s["counted"])
g = json.load(open("gz.json"))
say(series("gz") == series("on_backscatter") and g["packets"] == json.load(open("on_backscatter.json"))["packets"],
    "gzip capture reads like the plain one")
sys.exit(1 if fails else 0)
PY

for f in w/f_*.pcap; do
	name=${f#w/f_}
	name=${name%.pcap}
	run "on_$name" "$f"
	rc=$?
	((rc == 0)) || bad "$name: exit $rc ($(cat "on_$name.err"))"
	run "off_$name" "$f" --no-filter "$name"
	rc=$?
	((rc == 0)) || bad "$name --no-filter: exit $rc"
done
run malformed w/malformed.pcap
rc=$?
((rc == 2)) && ok "malformed capture: exit 2" || bad "malformed capture: exit $rc"
run snaplen w/snaplen.pcap
gzip -c w/f_backscatter.pcap >w/bs.pcap.gz
run gz w/bs.pcap.gz || bad "gzip capture: exit $?"

python3 check.py || fail=1

# ingest log: the same file again is skipped, --force reads it
"$DW_BIN" telescope --db t.db --name gz --json w/bs.pcap.gz >again.json 2>again.err
if grep -q "already in" again.err && python3 -c 'import json,sys; sys.exit(json.load(open("again.json"))["packets"] != 0)'; then
	ok "an input already in the ingest log is skipped"
else
	bad "re-run of a logged input: $(cat again.err)"
fi
# usage errors
"$DW_BIN" telescope --db t.db --no-filter nosuch w/snaplen.pcap 2>/dev/null
[[ $? == 1 ]] && ok "unknown filter: exit 1" || bad "unknown filter accepted"
"$DW_BIN" telescope --list-filters | grep -q '^scanner ' && ok "--list-filters" || bad "--list-filters"
exit $fail
