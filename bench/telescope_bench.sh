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
# Each run under /usr/bin/time: wall, user + sys CPU, peak RSS (KB).
timed() { /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@"; }
bare=() bare_cpu=()
for i in 1 2; do
	timed "$build/bench/pcap_read" read "$cap" >/dev/null
	read -r w u s m <"$out/time.txt"
	bare+=("$w") bare_cpu+=("$(echo "$u + $s" | bc)")
done
bare_s=$(printf '%s\n' "${bare[@]}" | best)
bare_c=$(printf '%s\n' "${bare_cpu[@]}" | best)
tel=() tel_cpu=() rss=0
for i in 1 2; do
	rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
	timed "$build/darkwatch" telescope --db "$out/bench.db" --pfx2as "$p2a" \
		--json "$cap" >"$out/telescope_bench.json"
	read -r w u s m <"$out/time.txt"
	tel+=("$w") tel_cpu+=("$(echo "$u + $s" | bc)") rss=$m
	echo "telescope run $i: wall $w s, user $u s, sys $s s, peak RSS $m KB"
done
tel_s=$(printf '%s\n' "${tel[@]}" | best)
tel_c=$(printf '%s\n' "${tel_cpu[@]}" | best)
echo "bare loop runs: wall ${bare[*]} s, CPU ${bare_cpu[*]} s"
echo "best CPU (user + sys): bare $bare_c s, telescope $tel_c s (ratio $(echo "scale=2; $tel_c / $bare_c" | bc)x)"
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
