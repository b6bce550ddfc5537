#!/usr/bin/env bash
# telescope_bench.sh - packets per second of `darkwatch telescope` against
# the bare libpcap read loop (bench/pcap_read.c) over the same capture, in
# the same run.
#
#   bash bench/telescope_bench.sh [BUILD_DIR] [PACKETS]
#
# The capture (default 50,000,000 packets of 40 bytes, raw IPv4, snaplen 64:
# 2.8 GB) is generated once into bench/out/ (gitignored) and reused.  Each
# reader runs twice, the best run counts (the first warms the page cache).
# The telescope runs with every filter on, 60 s bins, and the real
# RouteViews prefix-to-AS table (so every unique source of every bin is
# looked up), writing to a scratch store.  Goal (issue 6): >= 1 M packets/s
# on one core and within 2x of the bare loop.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
n=${2:-50000000}
shared=${DW_SHARED:-$root/../shared}
out=$root/bench/out
mkdir -p "$out"
cap=$out/telescope_$n.pcap
p2a=$shared/data/pfx2as/ipasn_20140513.dat.gz

if [[ ! -s $cap ]]; then
	need=$(( n * 56 / 1000000000 + 1 ))
	avail=$(df -BG --output=avail "$out" | tail -1 | tr -dc 0-9)
	if (( avail < need + 2 )); then
		echo "telescope_bench: $need GB needed in $out, $avail GB free" >&2
		exit 1
	fi
	echo "generating $n packets into $cap"
	"$build/bench/pcap_read" gen "$n" "$cap.tmp" && mv "$cap.tmp" "$cap"
fi
ls -l "$cap"

best() { sort -g | head -1; }
bare=()
for i in 1 2; do
	bare+=("$("$build/bench/pcap_read" read "$cap" | awk '{print $4}')")
done
bare_s=$(printf '%s\n' "${bare[@]}" | best)
tel=()
for i in 1 2; do
	rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
	s0=$(date +%s.%N)
	"$build/darkwatch" telescope --db "$out/bench.db" --pfx2as "$p2a" \
		--json "$cap" >"$out/telescope_bench.json"
	tel+=("$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")
done
tel_s=$(printf '%s\n' "${tel[@]}" | best)
python3 - "$n" "$bare_s" "$tel_s" "$out/telescope_bench.json" <<'PY'
import json, sys
n, bare, tel = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
j = json.load(open(sys.argv[4]))
print("packets           %d (%d counted, %d bins, %d sources summed over bins)"
      % (j["packets"], j["counted"], j["bins"], j["sources"]))
print("bare libpcap loop  %.2f s  %.2f M packets/s" % (bare, n / bare / 1e6))
print("darkwatch telescope %.2f s  %.2f M packets/s (whole command: load "
      "pfx2as, store)" % (tel, n / tel / 1e6))
print("ratio telescope/bare %.2fx; peak /16 bitmaps %d (%.0f MiB)"
      % (tel / bare, j["peak_blocks"], j["peak_blocks"] * 8 / 1024))
PY
