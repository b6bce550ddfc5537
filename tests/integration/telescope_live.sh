#!/usr/bin/env bash
# telescope_live.sh - `darkwatch telescope --interface` on a veth pair
# between two network namespaces this test creates.
#
# NETWORK RULE: packets never leave the namespaces: A (veth tA, 10.99.0.1)
# and B (veth tB, 10.99.0.2, the "darknet" 198.18.0.0/24 routed to it); the
# host's namespace holds neither end.  A python3 raw socket in A sends
# crafted IPv4 packets (IP_HDRINCL) with sources in a test world (geo.csv:
# 20.0.0.0/16 IR, 30.0.0.0/16 DE) to darknet addresses via tA while the
# telescope captures on tB for a few seconds.  Shows: live capture counts
# exactly the unique sources sent (IR 7, DE 3), the noise sent along (TTL
# 250, backscatter SYN-ACK, a fragment) is removed by its filter, and
# --duration stops the capture.
set -u
: "${DW_BIN:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
cd "$T" || exit 1
rm -f t.db* live.json live.err
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null; then
	echo "FAIL: needs root and ip"
	exit 1
fi
A="dwtelA$$"
B="dwtelB$$"
cleanup() {
	[[ -n ${TPID:-} ]] && kill -KILL "$TPID" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$A" && ip netns add "$B" || { echo "FAIL netns"; exit 1; }
ip -n "$A" link add tA type veth peer name tB netns "$B" || { echo "FAIL veth"; exit 1; }
ip -n "$A" addr add 10.99.0.1/30 dev tA
ip -n "$B" addr add 10.99.0.2/30 dev tB
ip -n "$A" link set tA up
ip -n "$B" link set tB up
ip -n "$A" link set lo up
ip -n "$A" route add 198.18.0.0/24 via 10.99.0.2 dev tA
printf '20.0.0.0,20.0.255.255,IR,Tehran,,Tehran\n30.0.0.0,30.0.255.255,DE,Berlin,,Berlin\n' >geo.csv

ip netns exec "$B" "$DW_BIN" telescope --db t.db --interface tB --duration 4 \
	--geo geo.csv --json >live.json 2>live.err &
TPID=$!
sleep 1.5
ip netns exec "$A" python3 - <<'PY' || bad "sender failed"
import socket, struct
def pkt(src, dst, ttl=64, flags=0x02, frag=0):
    tcp = struct.pack("!HHIIBBHHH", 40000, 23, 1, 0, 0x50, flags, 1024, 0, 0)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, frag, ttl, 6, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + tcp
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
sent = 0
for rep in range(3):
    for i in range(1, 8):
        d = "198.18.0.%d" % (10 + i)
        s.sendto(pkt("20.0.1.%d" % i, d), (d, 0)); sent += 1
    for i in range(1, 4):
        d = "198.18.0.%d" % (30 + i)
        s.sendto(pkt("30.0.1.%d" % i, d), (d, 0)); sent += 1
s.sendto(pkt("30.0.2.1", "198.18.0.50", ttl=250), ("198.18.0.50", 0))
s.sendto(pkt("30.0.2.2", "198.18.0.51", flags=0x12), ("198.18.0.51", 0))
s.sendto(pkt("30.0.2.3", "198.18.0.52", frag=0x2000), ("198.18.0.52", 0))
PY
wait "$TPID"
rc=$?
TPID=
((rc == 0)) && ok "live capture stopped after --duration (exit 0)" || bad "telescope exit $rc: $(cat live.err)"
python3 - <<'PY' || fail=1
import json, sqlite3, sys
j = json.load(open("live.json"))
db = sqlite3.connect("t.db")
got = {}
for typ, code, v in db.execute(
        "select e.type, e.code, max(p.value) from point p join series s on "
        "s.id = p.series_id join entity e on e.id = s.entity_id where "
        "s.datasource = 'telescope' and e.type = 'country' group by e.code"):
    got[code] = int(v)
bad = 0
def say(good, msg):
    global bad
    print(("ok   " if good else "FAIL ") + msg)
    bad += not good
# all packets normally land in one bin; if a bin boundary splits them the
# sum over bins still bounds the unique count
say(got.get("IR") == 7 and got.get("DE") == 3, "unique sources per country %s (want IR 7, DE 3)" % got)
f = j["filters"]
say(f["ttl-200"]["removed"] == 1 and f["backscatter"]["removed"] == 1 and
    f["fragment"]["removed"] == 1, "noise removed: ttl-200, backscatter, fragment")
say(j["counted"] == 30, "30 clean packets counted (%d)" % j["counted"])
sys.exit(1 if bad else 0)
PY
exit $fail
