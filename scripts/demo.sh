#!/usr/bin/env bash
# demo.sh - what `make demo` runs: darkwatch on real route-collector archives.
#
# For the first milestone (MRT decoding) it runs `darkwatch mrt stats` on a few
# archives from the shared data directory: different MRT types, eras and
# compressions (legacy TABLE_DUMP RIB, TABLE_DUMP_V2 RIB, BGP4MP updates,
# BGP4MP_ET, bzip2, a deliberately truncated file) and prints what the tool
# says plus a one-line summary per file.  It only calls the binary; nothing is
# made up here.  Later issues turn this into the full outage-detection demo
# (ingest a window of BGP data, build visibility signals, detect and show an
# outage).
#
# Environment: DW_BIN (default build/darkwatch), DW_SHARED (default
# ../shared next to the repository).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${DW_BIN:-$root/build/darkwatch}
shared=${DW_SHARED:-$root/../shared}
mrt=$shared/data/mrt

if [[ ! -x $bin ]]; then
	echo "demo: $bin not found; run 'make' first" >&2
	exit 1
fi
if [[ ! -d $mrt ]]; then
	echo "demo: $mrt not found; set DW_SHARED to the shared data directory" >&2
	exit 1
fi

samples=(
	"bgpdump/bview.20020722.2337.gz|RIPE RIS RIB 2002, TABLE_DUMP v1, gzip"
	"pyasn/rib.20140523.0600_firstMB.bz2|RouteViews RIB 2014, TABLE_DUMP_V2, bzip2, cut at 1 MiB"
	"bgpdump/updates.20160811.1600.gz|RIPE RIS updates 2016, BGP4MP_MESSAGE_AS4"
	"bgpdump/updates.et-header.2015.gz|BGP4MP_ET full table, 13.5 MB raw"
	"libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2|RouteViews updates 2015, bzip2"
	"bgpkit/rrc00/1999.09/updates.19990903.1041.gz|RIPE RIS 1999, deprecated MRT type 5"
)

summary=()
worst=0
for s in "${samples[@]}"; do
	file=${s%%|*}
	what=${s#*|}
	path=$mrt/$file
	echo "=== $file ($what)"
	if [[ ! -f $path ]]; then
		echo "(missing from $mrt)"
		summary+=("missing  $file")
		worst=1
		continue
	fi
	start=$(date +%s.%N)
	"$bin" mrt stats "$path"
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" \
		'BEGIN { printf "%.2f", b - a }')
	case $rc in
	0) verdict="ok" ;;
	2) verdict="ok, some records skipped as malformed" ;;
	1) verdict="usage error" ;;
	3) verdict="unreadable input" ;;
	*) verdict="failed (exit $rc)" ;;
	esac
	# 0 and 2 are normal outcomes (2: the file is damaged or truncated).
	if ((rc != 0 && rc != 2)); then
		worst=1
	fi
	summary+=("$(printf 'exit %-3s %6ss  %s: %s' "$rc" "$secs" "$file" "$verdict")")
	echo
done

echo "=== summary ($bin)"
for l in "${summary[@]}"; do
	echo "  $l"
done
exit "$worst"
