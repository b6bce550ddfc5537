#!/usr/bin/env bash
# telescope_real.sh - the real captures of $DW_SHARED/data/pcap (Ethernet,
# pcapng, 802.1Q VLAN; libtrace's test traces) decode correctly.
#
# The oracle is telescope_pcap.py's reference reader (python3 stdlib, its own
# pcap and pcapng parser, independent of libpcap and of darkwatch's
# decoder).  Per capture: IPv4 and non-IPv4 frame counts, no malformed
# packet, the unique sources summed over 60 s bins with every filter off,
# and the packets the ttl-200 and fragment filters remove when only they
# are on; the pcapng copy gives what the pcap gives; a gzip copy too.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
cd "$T" || exit 1
rm -f t.db* ./*.json
fail=0
PY="$DW_SRC/tests/integration/telescope_pcap.py"
D=$DW_SHARED/data/pcap
i=0
for f in "$D/100_packets.pcap" "$D/100_packets.pcapng" "$D/100_seconds.pcap" "$D/vlan.pcap"; do
	i=$((i + 1))
	python3 "$PY" ref "$f" 60 >ref$i.json || { echo "FAIL reference $f"; fail=1; continue; }
	"$DW_BIN" telescope --db t.db --name all$i --no-filter all --json "$f" >all$i.json ||
		{ echo "FAIL telescope $f: exit $?"; fail=1; }
	"$DW_BIN" telescope --db t.db --name tf$i --no-filter all --filter ttl-200 \
		--filter fragment --json "$f" >tf$i.json || { echo "FAIL $f ttl/frag"; fail=1; }
	python3 - "$f" ref$i.json all$i.json tf$i.json <<'PYC' || fail=1
import json, sys
f, ref, al, tf = sys.argv[1], *(json.load(open(p)) for p in sys.argv[2:])
checks = [
    ("IPv4 frames", al["ipv4"], ref["ipv4"]),
    ("non-IPv4 frames", al["skipped"]["not-ipv4"], ref["not_ipv4"]),
    ("malformed", al["malformed"], 0),
    ("unique sources over 60 s bins", al["sources"], ref["sources"]),
    ("ttl-200 removed", tf["filters"]["ttl-200"]["removed"], ref["ttl200"]),
    ("fragment removed", tf["filters"]["fragment"]["removed"], ref["fragment"]),
]
bad = 0
for what, got, want in checks:
    print("%s %s: %s %d (reference %d)" % ("ok  " if got == want else "FAIL", f.split("/")[-1], what, got, want))
    bad += got != want
sys.exit(1 if bad else 0)
PYC
done
gzip -c "$D/vlan.pcap" >vlan.pcap.gz
"$DW_BIN" telescope --db t.db --name gz --no-filter all --json vlan.pcap.gz >gz.json
if cmp -s <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["ipv4"], j["sources"], j["skipped"])' gz.json) \
	<(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["ipv4"], j["sources"], j["skipped"])' all4.json); then
	echo "ok   vlan.pcap.gz decodes like vlan.pcap"
else
	echo "FAIL gzip copy differs"; fail=1
fi
echo "filter counts on the real captures (all filters on):"
for f in "$D"/*; do
	"$DW_BIN" telescope --db t.db --name real --force --json "$f" |
		python3 -c 'import json,sys; j=json.load(sys.stdin); print("  %s: %s" % (sys.argv[1], ", ".join("%s %d" % (k, v["removed"]) for k, v in j["filters"].items() if v["removed"])))' "${f##*/}"
done
exit $fail
