#!/usr/bin/env bash
# demo.sh - what `make demo` runs: darkwatch on real route-collector archives.
#
# Part 1 (MRT decoding) runs `darkwatch mrt stats` on a few archives from the
# shared data directory: different MRT types, eras and compressions (legacy
# TABLE_DUMP RIB, TABLE_DUMP_V2 RIB, BGP4MP updates, BGP4MP_ET, bzip2, a
# deliberately truncated file) and prints what the tool says.
# Part 2 (the BGP visibility signal) simulates the `iran-2019` scenario as RIS
# archives (or takes a local archive you give), replays them into a store,
# and prints Iran's and its operators' visible /24s around the shutdown of
# 16 November 2019.
# The simulation also gives the active-probing signal of the same world
# (`sim --probing`: the real Trinocular engine against a responder model);
# it is imported, and the data-plane-blocked operators (ITC AS12880, Shatel
# AS31549, ParsOnline AS16322) show BGP steady next to probing collapsed.
# Part 3 (outages) runs both detectors over the store, prints the detected
# events next to the simulator's ground truth and scores them (eval), then
# starts `darkwatch serve` in the background and says where the dashboard
# is (http://127.0.0.1:8080 by default; `make demo-stop` stops it).
# Part 4 (coordinated accounts) plants networks of known membership into a
# real retweet data set, imports both into the same store, detects the
# networks (marking those that link to domains of Meta's indicator lists)
# and scores them; the dashboard's Networks page shows them.
# It only calls the binary; nothing is made up here.
#
# Environment: DW_BIN (default build/darkwatch), DW_SHARED (default
# ../shared next to the repository), DW_DEMO_DIR (default build/demo),
# DW_DEMO_LISTEN (default 127.0.0.1:8080), DW_DEMO_ARCHIVE (a local RIS-layout
# archive directory to replay instead of the simulation; DW_DEMO_FROM and
# DW_DEMO_UNTIL then give its period), DW_DEMO_SERVE=0 (do not serve).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DETECT_CONF=()
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
((worst)) && exit "$worst"

# ---- part 2: the BGP visibility signal of a simulated Iran, November 2019
out=${DW_DEMO_DIR:-$root/build/demo}
listen=${DW_DEMO_LISTEN:-127.0.0.1:8080}
scen=$root/scenarios/iran-2019.yaml
n=$(awk '/^full_feed_min_v4:/ {print $2}' "$scen")
from=${DW_DEMO_FROM:-2019-11-15T00:00:00Z}
until=${DW_DEMO_UNTIL:-2019-11-24T00:00:00Z}
mkdir -p "$out"
# A server left by an earlier demo holds the port and the old store.
if [[ -f $out/serve.pid ]]; then
	kill "$(cat "$out/serve.pid")" 2>/dev/null || true
	rm -f "$out/serve.pid"
	sleep 1
fi
rm -rf "$out/world" "$out/iran.db" "$out/iran.db-wal" "$out/iran.db-shm"
if [[ -n ${DW_DEMO_ARCHIVE:-} ]]; then
	archive=$DW_DEMO_ARCHIVE
	geo=()
	truth=
	echo
	echo "=== replaying your archive $archive ($from .. $until)"
	"$bin" replay --db "$out/iran.db" --archive "$archive" \
		--from "$from" --until "$until" || exit 1
else
	echo
	echo "=== simulating scenario iran-2019 into $out (RIS layout, 9 days)"
	"$bin" sim --scenario "$scen" --out "$out/world" --data "$shared" \
		--telescope --probing || exit 1
	archive=$out/world/archive
	truth=$out/world/truth.csv
	echo
	echo "=== replaying it: darkwatch replay --db $out/iran.db --archive $archive ..."
	"$bin" replay --db "$out/iran.db" --archive "$archive" \
		--collector rrc00 --collector rrc01 --from "$from" --until "$until" \
		--geo "$out/world/geo.csv" --asnames "$out/world/asnames.json.gz" \
		--full-feed-min-v4 "$n" || exit 1
	echo
	echo "=== visible /24s (more than 50% of full-feed peers), when they change"
	for ent in country/IR asn/44244 asn/197207 asn/57218 asn/58224 asn/12880 country/TR; do
		printf '%-12s' "$ent"
		"$bin" signal export --db "$out/iran.db" --datasource bgp --entity "$ent" \
			--from 2019-11-16T00:00:00Z --until 2019-11-24T00:00:00Z |
			awk -F, 'NR > 1 && $2 != prev {
				printf " %s=%d", strftime("%d %H:%M", $1, 1), $2; prev = $2; n++
				if (n == 8) { printf " ..."; exit } }
			END { print "" }'
	done
	echo "(ITC, AS12880, stays flat: its blackout was a data-plane block, which"
	echo "BGP cannot see; active probing and the telescope will.)"
fi

# ---- the telescope signal: the simulated darknet's captures
if [[ -z ${DW_DEMO_ARCHIVE:-} ]]; then
	echo
	echo "=== telescope: darkwatch telescope --db $out/iran.db --bin 300 $out/world/telescope/*.pcap.gz"
	"$bin" mrt pfx2as "$archive/rrc00/2019.11/bview.20191115.0000.gz" \
		>"$out/world/pfx2as.txt" 2>/dev/null || exit 1
	"$bin" telescope --db "$out/iran.db" --geo "$out/world/geo.csv" \
		--pfx2as "$out/world/pfx2as.txt" --bin 300 \
		"$out/world/telescope/"*.pcap.gz || exit 1
	echo
	echo "=== unique darknet sources per 5 min (telescope), hourly on 16 Nov"
	for ent in country/IR asn/44244 asn/31549 asn/16322 asn/12880 country/TR; do
		printf '%-12s' "$ent"
		"$bin" signal export --db "$out/iran.db" --datasource telescope --entity "$ent" \
			--from 2019-11-16T12:00:00Z --until 2019-11-16T21:00:00Z |
			awk -F, 'NR > 1 && ($1 % 3600) == 0 { printf " %s=%d", strftime("%H:%M", $1, 1), $2 }
			END { print "" }'
	done
	echo "(Shatel AS31549, ParsOnline AS16322 and ITC AS12880 fall to 0 at 17:00 and"
	echo "18:00: data-plane blocks that BGP did not show.)"
	DETECT_CONF=(--config "$root/etc/detect.conf")
fi

# ---- the active-probing signal: Trinocular against the simulated world
probing_truth=
if [[ -z ${DW_DEMO_ARCHIVE:-} ]]; then
	echo
	echo "=== probing: darkwatch signal import of $out/world/probing/ping-slash24*.csv"
	for ds in ping-slash24 ping-slash24-loss ping-slash24-latency; do
		"$bin" signal import --db "$out/iran.db" --datasource "$ds" \
			--csv "$out/world/probing/$ds.csv" || exit 1
	done
	probing_truth=$out/world/probing/truth.csv
	echo
	echo "=== BGP visible /24s next to probed /24s up (ping-slash24), every 2 h of 16 Nov"
	for ent in asn/12880 asn/31549 asn/16322 asn/44244 country/IR country/TR; do
		for ds in bgp ping-slash24; do
			printf '%-11s %-13s' "$ent" "$ds"
			"$bin" signal export --db "$out/iran.db" --datasource "$ds" --entity "$ent" \
				--from 2019-11-16T10:00:00Z --until 2019-11-17T00:00:00Z |
				awk -F, 'NR > 1 && ($1 % 7200) == 0 { printf " %s=%d", strftime("%H:%M", $1, 1), $2 }
				END { print "" }'
		done
	done
	echo "(ITC and Shatel: BGP steady, ParsOnline: half withdrawn; probing near 0 from"
	echo "17:00/18:00: data-plane blocks.  Irancell goes dark in both.)"
fi

# ---- part 3: outages
echo
echo "=== detecting outages: darkwatch detect --db $out/iran.db (methods seasonal and median)"
"$bin" detect --db "$out/iran.db" "${DETECT_CONF[@]}" || exit 1
echo
echo "=== detected events in Iran (darkwatch events --entity country/IR, then its ASes)"
"$bin" events --db "$out/iran.db" --entity country/IR --format table || exit 1
for as in 44244 197207 57218 58224 12880; do
	"$bin" events --db "$out/iran.db" --entity "asn/$as" --format table |
		tail -n +2
done
echo
echo "=== telescope events of the data-plane-blocked networks (darkwatch events --datasource telescope)"
for as in 31549 16322 12880; do
	"$bin" events --db "$out/iran.db" --entity "asn/$as" --datasource telescope \
		--format table | tail -n +2
done
if [[ -n $probing_truth ]]; then
	echo
	echo "=== probing events of the same networks (darkwatch events --datasource ping-slash24)"
	for as in 31549 16322 12880; do
		"$bin" events --db "$out/iran.db" --entity "asn/$as" --datasource ping-slash24 \
			--format table | tail -n +2
	done
fi
if [[ -n $truth ]]; then
	echo
	echo "=== ground truth ($truth)"
	column -s, -t <"$truth" | sed 's/^/  /'
	echo
	echo "=== how well each method found it: darkwatch eval --truth $truth"
	"$bin" eval --db "$out/iran.db" --truth "$truth" || exit 1
fi
if [[ -n $probing_truth ]]; then
	echo
	echo "=== the probing signal against its truth: darkwatch eval --truth $probing_truth --datasource ping-slash24"
	"$bin" eval --db "$out/iran.db" --truth "$probing_truth" --datasource ping-slash24 || exit 1
fi

# ---- part 4: coordinated account networks (docs/CIB.md)
cib=$shared/data/cib
if [[ -f $cib/coortweet/russian_coord_tweets.csv ]]; then
	echo
	echo "=== coordinated accounts: the CooRTweet Russian retweet set (35,125 real retweets) with seven"
	echo "    networks of known membership planted into it (scripts/cib_plant.py; network B links to"
	echo "    amc239.com, a domain of Meta's Q1 2023 Iran-based CIB report)"
	python3 "$root/scripts/cib_plant.py" plant "$cib/coortweet/russian_coord_tweets.csv" \
		"$out/cib_planted.csv" "$out/cib_truth.csv" --url-domain amc239.com || exit 1
	"$bin" cib import --db "$out/iran.db" --format coortweet \
		"$cib/coortweet/russian_coord_tweets.csv" || exit 1
	"$bin" cib import --db "$out/iran.db" --format generic "$out/cib_planted.csv" || exit 1
	echo "=== darkwatch cib detect --indicators (Meta's threat-research indicator lists)"
	"$bin" cib detect --db "$out/iran.db" --indicators "$cib/meta_threat_research/csv" || exit 1
	echo
	echo "=== how the planted networks were found (membership recall and precision)"
	python3 "$root/scripts/cib_plant.py" score "$out/iran.db" "$out/cib_truth.csv" - \
		--expect-missing G-wide-1h || exit 1
	echo "(G-wide-1h acts up to an hour apart: 'darkwatch cib detect --window 3600' finds it)"
fi

if [[ ${DW_DEMO_SERVE:-1} == 0 ]]; then
	echo
	echo "Store: $out/iran.db.  Serve it with: $bin serve --db $out/iran.db"
	exit 0
fi
echo
echo "=== serving the dashboard: darkwatch serve --db $out/iran.db --listen $listen"
setsid "$bin" serve --db "$out/iran.db" --listen "$listen" \
	--web "$root/web/dist" >"$out/serve.log" 2>&1 </dev/null &
echo $! >"$out/serve.pid"
for _ in $(seq 1 50); do
	if curl -fs -o /dev/null "http://$listen/v2/datasources"; then
		echo
		echo "Dashboard: http://$listen/   (API: http://$listen/v2/, log: $out/serve.log)"
		echo "It keeps running in the background; stop it with: make demo-stop"
		exit 0
	fi
	if ! kill -0 "$(cat "$out/serve.pid")" 2>/dev/null; then
		break
	fi
	sleep 0.2
done
echo "demo: the server did not come up; its log ($out/serve.log):" >&2
cat "$out/serve.log" >&2
rm -f "$out/serve.pid"
exit 1
