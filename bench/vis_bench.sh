#!/usr/bin/env bash
# vis_bench.sh - BGP visibility ingestion: how long `darkwatch replay` takes
# to load a full table and to follow an hour of updates, against decoding the
# same files alone (`darkwatch mrt stats`), in one run.
#
# Called at the end of bench/run.sh (DW_BENCH_VIS=0 skips it) or alone:
#   bash bench/vis_bench.sh
# Input, written once by bench/gen_synth into bench/out/ (gitignored) and
# reused: a RIS-layout archive ris-<P>p-<N>x-<U>u-s<seed>/rrc00/2019.11/ with
# bview.20191116.0800.gz (P peers, EACH carrying all N IPv4 prefixes) and
# twelve updates.20191116.08MM.gz (U prefix events of the same peers), plus
# ris-...-ribonly/, a view holding only the bview (a symlink).
#
# Measured with /usr/bin/time (wall, user and system CPU, peak RSS):
#   decode  darkwatch mrt stats BVIEW                      (decoding alone)
#   ingest  darkwatch replay ... RIB only, --until RIB+300  goal: < 30 s wall
#   udecode darkwatch mrt stats UPDATE_FILES                (decoding alone)
#   full    darkwatch replay ... RIB + 1 h of updates
# update throughput = prefix events / (full - ingest).  Under a busy machine
# that difference is noisy, so the replays also run under script(1) (a pty
# turns on replay's progress line) and the time spent after the RIB file
# closed, measured inside the same process, is reported as well.
#
# Environment (all optional):
#   DW_SHARED, DW_BUILD, DW_BENCH_SEED, DW_BENCH_STRICT   as in run.sh
#   DW_VIS_PEERS       full-feed peers (30)
#   DW_VIS_PREFIXES    IPv4 prefixes each peer carries (900000)
#   DW_VIS_UPDATES     prefix events (announced + withdrawn) in the hour (2000000)
#   DW_VIS_RUNS        runs per measurement, the best wall time is kept (1)
#   DW_VIS_GOAL        RIB ingestion goal in seconds of wall time (30)
#   DW_VIS_FFMIN       --full-feed-min-v4 (400000, replay's default)
#
# Exit: 0 every measurement ran (goal met or not); 1 a tool is missing, the
# archive could not be made, a run failed, or (DW_BENCH_STRICT=1) the goal
# was missed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
shared=${DW_SHARED:-$here/../../shared}
build=${DW_BUILD:-$root/build}
dw=$build/darkwatch
gen=$build/bench/gen_synth
outdir=$here/out
seed=${DW_BENCH_SEED:-1}
strict=${DW_BENCH_STRICT:-0}
peers=${DW_VIS_PEERS:-30}
prefixes=${DW_VIS_PREFIXES:-900000}
updates=${DW_VIS_UPDATES:-2000000}
runs=${DW_VIS_RUNS:-1}
goal=${DW_VIS_GOAL:-30}
ffmin=${DW_VIS_FFMIN:-400000}
rib_t=1573891200 # 2019-11-16 08:00 UTC, gen_synth's RIS_T
col=rrc00

say() { printf 'vis-bench: %s\n' "$*" >&2; }

if [[ ! -x $dw ]]; then
	say "$dw does not exist or is not executable; build it first."
	exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
	say "/usr/bin/time (GNU time) is needed for CPU time and peak RSS (apt-get install time)"
	exit 1
fi
if ((prefixes <= ffmin)); then
	say "DW_VIS_PREFIXES=$prefixes must exceed the full-feed bar $ffmin"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dw-vis.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log

# ------------------------------------------------------------ archive

name=ris-${peers}p-${prefixes}x-${updates}u-s$seed
arch=$outdir/$name
ribonly=$outdir/$name-ribonly
month=$col/2019.11
bview=$arch/$month/bview.20191116.0800.gz

if [[ ! -s $bview || ! -s $arch/$month/updates.20191116.0855.gz ]]; then
	if ! [[ -x $gen ]] || ! "$gen" --help 2>/dev/null | grep -q -- '--kind ris'; then
		say "building gen_synth (with --kind ris)"
		cmake --build "$build" --target gen_synth >>"$log" 2>&1
	fi
	if ! "$gen" --help 2>/dev/null | grep -q -- '--kind ris'; then
		say "cannot build a gen_synth with --kind ris in $build"
		exit 1
	fi
	say "generating $name in $outdir (once; a few minutes)"
	rm -rf "$arch.part"
	mkdir -p "$arch.part"
	# the RIB and the updates in parallel: the machine has two cores
	args=(--kind ris --out "$arch.part" --peers "$peers" --prefixes "$prefixes"
		--updates "$updates" --seed "$seed")
	# gen_synth finds the real pfx2as table under $DW_SHARED/data/pfx2as
	DW_SHARED=$shared "$gen" "${args[@]}" --part rib 2>"$work/gen-rib.log" &
	p1=$!
	DW_SHARED=$shared "$gen" "${args[@]}" --part updates 2>"$work/gen-upd.log" &
	p2=$!
	ok=1
	wait $p1 || ok=0
	wait $p2 || ok=0
	cat "$work/gen-rib.log" "$work/gen-upd.log" >"$arch.part/gen_synth.log"
	if ((!ok)); then
		say "gen_synth failed:"
		sed 's/^/vis-bench:   /' "$arch.part/gen_synth.log" >&2
		exit 1
	fi
	rm -rf "$arch"
	mv "$arch.part" "$arch"
fi
mkdir -p "$ribonly/$month"
ln -sfn "$bview" "$ribonly/$month/$(basename "$bview")"
upd_files=("$arch/$month"/updates.*.gz)

# ------------------------------------------------------------ timing

# measure OUT ACCEPT CMD...: run CMD $runs times under /usr/bin/time; keep the
# run with the best wall time: W (wall s), U (user s), S (sys s), M (peak RSS
# KiB); its stdout in OUT, its stderr in OUT.err.  ACCEPT: exit statuses
# (regex) that count as a completed run.
measure() {
	local out=$1 accept=$2 i rc w u s m
	shift 2
	W="" U="" S="" M=""
	for ((i = 0; i < runs; i++)); do
		rm -f "$work/db"*
		/usr/bin/time -o "$work/time" -f '%e %U %S %M' "$@" \
			>"$work/run.out" 2>"$work/run.err"
		rc=$?
		if [[ ! $rc =~ ^($accept)$ ]]; then
			say "'$*' exited $rc; last stderr lines:"
			tail -n 3 "$work/run.err" | sed 's/^/vis-bench:   /' >&2
			return 1
		fi
		read -r w u s m < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$work/time" | tail -n 1)
		if [[ -z $W ]] || awk -v a="$w" -v b="$W" 'BEGIN{exit !(a < b)}'; then
			W=$w U=$u S=$s M=$m
			cp "$work/run.out" "$out"
			cp "$work/run.err" "$out.err"
		fi
	done
	return 0
}

# replay ARCHIVE UNTIL OUT: one replay under script(1) when it exists, so its
# progress line (one per finished file) is on and can be read afterwards.
replay_cmd() {
	local cmd
	cmd=("$dw" replay --db "$work/db" --archive "$1" --collector "$col"
		--from "$rib_t" --until "$2" --full-feed-min-v4 "$ffmin")
	if command -v script >/dev/null 2>&1; then
		printf -v q '%q ' "${cmd[@]}"
		R=(script -qfec "$q" /dev/null)
	else
		R=("${cmd[@]}")
	fi
}

calc() { awk "BEGIN{ printf \"%.2f\", $1 }"; }
# per A B: A / B with 2 decimals, "n/a" when B is not clearly positive.
per() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0.05) printf "%.2f", a / b; else printf "n/a" }'; }
rate() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0.05) printf "%.0f/s", a / b; else printf "n/a" }'; }
mib() { awk -v k="$1" 'BEGIN{ printf "%.0f MiB", k / 1024 }'; }

# Seconds spent after the RIB (the first file) closed, from the progress
# lines "replay: 1/13 files, R records/s" (elapsed = RIB records / R) and the
# final "..., T s" (elapsed at the end), all inside one process.
after_rib() { # OUT RIB_RECORDS
	tr '\r' '\n' <"$1" | awk -v n="$2" '
		/^replay: 1\/[0-9]+ files, / { r = $4 }
		/ records \(.*, [0-9.]+ s$/ { t = $(NF - 1) }
		END { if (r > 0 && t != "") printf "%.2f %.2f", n / r, t - n / r }'
}

rows=()
row() { rows+=("$1|$2|$3|$4|$5|$6|$7"); }
status=0
res=ERROR

say "measuring (runs: $runs; each RIB run takes 0.5-2 min)"
# (a) the RIB: decoding alone, then ingestion
say "decode  mrt stats $(basename "$bview")"
if measure "$work/dec.out" '0' "$dw" mrt stats "$bview"; then
	dW=$W dU=$U dS=$S dM=$M
	entries=$(awk '/routes/ { print $2 }' "$work/dec.out")
	recs=$(awk '/^  records/ { print $2 }' "$work/dec.out")
	row decode "mrt stats bview ($entries RIB entries)" "$dW" "$dU" "$dS" "$(mib "$dM")" "1.00"
else
	status=1
fi
say "ingest  replay, RIB only"
replay_cmd "$ribonly" $((rib_t + 300))
# 2: the view holds no update file, which replay reports as missing
if [[ $status == 0 ]] && measure "$work/rib.out" '0|2' "${R[@]}"; then
	if ! tr '\r' '\n' <"$work/rib.out" | grep -q ' records (0 skipped)'; then
		say "replay skipped records:"
		tail -n 2 "$work/rib.out" >&2
		status=1
	fi
	iW=$W iU=$U iS=$S iM=$M
	ratio=$(calc "$iW / $dW")x
	cratio=$(calc "($iU + $iS) / ($dU + $dS)")x
	row ingest "replay RIB only ($peers full-feed peers)" "$iW" "$iU" "$iS" "$(mib "$iM")" "$ratio wall, $cratio CPU"
	if awk -v a="$iW" -v g="$goal" 'BEGIN{exit !(a < g)}'; then res=PASS; else res=MISS; fi
else
	status=1
fi

# (b) the updates
say "decode  mrt stats on ${#upd_files[@]} update files"
if measure "$work/udec.out" '0' "$dw" mrt stats "${upd_files[@]}"; then
	uW=$W uU=$U uS=$S uM=$M
	read -r ann wd msgs < <(awk '/routes/ { a += $5; w += $7 }
		/MESSAGE_AS4/ { m += $3 } END { print a + 0, w + 0, m + 0 }' "$work/udec.out")
	events=$((ann + wd))
	row udecode "mrt stats ${#upd_files[@]} update files ($msgs msgs, $events prefixes)" "$uW" "$uU" "$uS" "$(mib "$uM")" "1.00"
else
	status=1
fi
say "full    replay, RIB + 1 h of updates"
replay_cmd "$arch" $((rib_t + 3600))
if [[ $status == 0 ]] && measure "$work/full.out" '0' "${R[@]}"; then
	fW=$W fU=$U fS=$S fM=$M
	row full "replay RIB + 1 h of updates" "$fW" "$fU" "$fS" "$(mib "$fM")" "-"
	dwall=$(calc "$fW - $iW")
	dcpu=$(calc "$fU + $fS - $iU - $iS")
	row "full-ingest" "updates: full minus RIB-only" "$dwall" "$(calc "$fU - $iU")" "$(calc "$fS - $iS")" "-" \
		"$(per "$dwall" "$uW")x wall, $(per "$dcpu" "$(calc "$uU + $uS")")x CPU"
	read -r rib_in upd_in < <(after_rib "$work/full.out" "$recs")
	read -r rib_alone _ < <(after_rib "$work/rib.out" "$recs")
else
	status=1
fi

# ------------------------------------------------------------ report

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo
echo "darkwatch BGP visibility ingestion ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "machine: ${model:-unknown CPU}, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $dw"
echo "input:   $arch ($peers peers x $prefixes IPv4 prefixes; $updates prefix events in 1 h)"
echo "timing:  /usr/bin/time, best wall of $runs run(s); CPU = user + sys of all threads"
echo
{
	echo "bench|what|wall s|user s|sys s|peak RSS|ratio"
	printf '%s\n' "${rows[@]}"
} | column -t -s '|' 2>/dev/null || printf '%s\n' "${rows[@]}"
echo
if [[ -n ${iW:-} ]]; then
	icpu=$(calc "$iU + $iS")
	echo "RIB ingestion: $iW s wall ($(rate "$entries" "$iW") RIB entries), $icpu s CPU" \
		"($(rate "$entries" "$icpu")); goal < $goal s wall: $res;" \
		"CPU (one core doing all of it) $(awk -v a="$icpu" -v g="$goal" 'BEGIN{print (a < g) ? "under" : "over"}') $goal s"
fi
if [[ -n ${fW:-} ]]; then
	echo "updates: $events prefix events ($ann announced, $wd withdrawn) in $msgs BGP UPDATE messages"
	echo "  full - RIB-only:  $dwall s wall -> $(rate "$events" "$dwall"); $dcpu s CPU -> $(rate "$events" "$dcpu")" \
		"(decoding them alone: $uW s wall, $(calc "$uU + $uS") s CPU)"
	if [[ -n ${upd_in:-} ]]; then
		echo "  in-run split:     updates phase $upd_in s wall -> $(rate "$events" "$upd_in")," \
			"$(per "$upd_in" "$uW")x their decode wall (RIB phase $rib_in s; RIB-only run ${rib_alone:-?} s)"
	fi
	echo "  (a busy machine moves wall times by more than the updates cost: trust the CPU and in-run figures)"
fi
[[ $res == MISS && $strict == 1 ]] && status=1
[[ $res == ERROR ]] && status=1
exit "$status"
