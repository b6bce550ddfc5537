#!/usr/bin/env bash
# telescope_sim.sh - the simulator's darknet captures replayed end to end:
# `darkwatch sim --telescope` (iran-2019, 15-17 Nov) -> `darkwatch mrt
# pfx2as` on its first RIB -> `darkwatch telescope` (300 s bins, geo.csv,
# pfx2as) -> `darkwatch detect` (etc/detect.conf, [telescope]) -> events.
#
# Shows: for every AS the ground truth takes dark (data-plane blocks of
# Shatel, ParsOnline and ITC, which BGP cannot see, and the mobile
# operators' withdrawals) the telescope signal falls below 10 % of the same
# hours a day earlier, and the detector raises a telescope event starting
# within 10 minutes of the truth's start; a country with no event (DE)
# keeps its level; the filters removed the simulator's noise packets.
set -u
: "${DW_BIN:?}" "${DW_SRC:?}" "${DW_SHARED:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
cd "$T" || exit 1
rm -rf world t.db* ./*.json
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

"$DW_BIN" sim --scenario "$DW_SRC/scenarios/iran-2019.yaml" --out world \
	--data "$DW_SHARED" --telescope -q --from 2019-11-15T00:00Z \
	--until 2019-11-17T06:00Z || { echo "FAIL sim"; exit 1; }
ls world/telescope/telescope.2019111[567].pcap.gz >/dev/null &&
	ok "sim wrote one capture a day" || bad "captures missing"
"$DW_BIN" mrt pfx2as world/archive/rrc00/2019.11/bview.20191115.0000.gz \
	>pfx2as.txt 2>/dev/null || bad "mrt pfx2as"
"$DW_BIN" telescope --db t.db --geo world/geo.csv --pfx2as pfx2as.txt \
	--bin 300 --json world/telescope/*.pcap.gz >run.json ||
	bad "telescope import: exit $?"
"$DW_BIN" detect --db t.db --config "$DW_SRC/etc/detect.conf" -q >/dev/null ||
	bad "detect: exit $?"
"$DW_BIN" events --db t.db --datasource telescope --format csv >events.csv ||
	bad "events: exit $?"

python3 - <<'PY' || fail=1
import csv, json, sqlite3, sys
fails = 0
def say(good, msg):
    global fails
    print(("ok   " if good else "FAIL ") + msg)
    fails += not good
db = sqlite3.connect("t.db")
def points(typ, code):
    return dict(db.execute(
        "select p.t, p.value from point p join series s on s.id = p.series_id "
        "join entity e on e.id = s.entity_id where s.datasource = 'telescope' "
        "and e.type = ? and e.code = ?", (typ, code)))
end = 1573970400  # 2019-11-17T06:00Z: the captures stop
truth = [r for r in csv.DictReader(open("world/truth.csv"))
         if r["entity_type"] == "asn" and int(r["start"]) < end - 3600 and
         (r["kind"] == "dataplane_block" or  # and the mobile operators,
          r["entity_code"] in ("197207", "44244", "57218"))]  # nearly all routes
say(len(truth) >= 5, "%d dark ASes in the truth before the captures end" % len(truth))
events = list(csv.DictReader(open("events.csv")))
for r in truth:
    asn, t0 = r["entity_code"], int(r["start"])
    p = points("asn", asn)
    during = [p.get(t, 0) for t in range(t0 + 600, min(t0 + 7800, end), 300)]
    before = [p.get(t - 86400, 0) for t in range(t0 + 600, min(t0 + 7800, end), 300)]
    mb, md = sum(before) / len(before), sum(during) / len(during)
    lim = 0.1 if r["kind"] == "dataplane_block" else 0.5
    say(mb > 5 and md < lim * mb,
        "asn %s (%s at %s): telescope %.1f -> %.1f sources/bin" % (asn, r["kind"], t0, mb, md))
    ev = [e for e in events if e["entity_type"] == "asn" and e["entity_code"] == asn
          and t0 - 600 <= int(e["from"]) <= t0 + 600]
    say(len(ev) > 0, "asn %s: telescope event from %s (truth %d)"
        % (asn, ev[0]["from"] if ev else "-", t0))
de = points("country", "DE")
a = [v for t, v in de.items() if 1573776000 <= t < 1573862400]
b = [v for t, v in de.items() if 1573862400 <= t < 1573948800]
say(len(a) > 200 and abs(sum(b) / len(b) - sum(a) / len(a)) < 0.15 * sum(a) / len(a),
    "country/DE keeps its level (%.1f vs %.1f)" % (sum(a) / len(a), sum(b) / len(b)))
j = json.load(open("run.json"))
removed = sum(f["removed"] for f in j["filters"].values())
say(j["malformed"] == 0 and removed > 0.05 * j["packets"],
    "filters removed the noise: %d of %d packets" % (removed, j["packets"]))
sys.exit(1 if fails else 0)
PY
exit $fail
