#!/usr/bin/env bash
# run.sh - darkwatch's benchmarks against reference tools, in one run: the
# decoder here, then BGP ingestion, detection and the API (their own scripts).
#
# `make bench` (or `bash bench/run.sh`) times, with best-of-3 wall-clock runs:
#   dump    darkwatch mrt dump -m FILE  vs  bgpdump -m FILE    goal >= 5x faster
#   gzip    darkwatch mrt stats FILE    vs  gzip -dc FILE      goal <= 1.3x gzip
#   bzip2   darkwatch mrt stats FILE    vs  bzip2 -dc FILE     goal < 1.0x bzip2
# on the largest real archives in $DW_SHARED/data/mrt and on synthetic ~250 MiB
# files that bench/gen_synth writes once into bench/out/ (gitignored; reused
# when present, deterministic for a seed).  The reference runs in the same
# script on the same machine, so the ratios mean something where absolute
# times do not (see bench/README.md).
#
# Environment (all optional):
#   DW_SHARED          shared data dir (default: <repo>/../shared)
#   DW_BUILD           build dir with darkwatch and bench/gen_synth (<repo>/build)
#   DW_BENCH_RUNS      runs per measurement, the best is kept (3)
#   DW_BENCH_LONG      a run longer than this many seconds is not repeated (20)
#   DW_BENCH_SIZE_MB   raw size of each synthetic file (250)
#   DW_BENCH_SEED      gen_synth seed (1)
#   DW_BENCH_REAL      how many of the largest real files to use (6)
#   DW_BENCH_STRICT    1: exit 1 when a goal is missed (default: only on errors)
#   DW_BENCH_VIS       0: skip the BGP visibility ingestion bench (default 1;
#                      bench/vis_bench.sh, its own DW_VIS_* variables)
#   DW_BENCH_DETECT    0: skip detection throughput and quality (default 1;
#                      bench/detect_bench.sh, bench/detect_eval.sh)
#   DW_BENCH_API       0: skip the API load test (default 1; bench/api_bench.sh,
#                      its own DW_API_* variables)
#   DW_BENCH_CIB       0: skip the coordinated-account bench (default 1;
#                      bench/cib_bench.sh: 10 M posts)
#
# Exit: 0 every measurement ran; 1 darkwatch missing, a darkwatch run failed,
# synthetic files could not be made, or (strict) a goal was missed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
shared=${DW_SHARED:-$here/../../shared}
build=${DW_BUILD:-$root/build}
dw=$build/darkwatch
outdir=$here/out
runs=${DW_BENCH_RUNS:-3}
long=${DW_BENCH_LONG:-20}
size_mb=${DW_BENCH_SIZE_MB:-250}
seed=${DW_BENCH_SEED:-1}
nreal=${DW_BENCH_REAL:-6}
strict=${DW_BENCH_STRICT:-0}

# Real files bgpdump 1.6.2 cannot parse (kept out of the dump comparison only).
declare -A no_bgpdump=(
	[bview.20000111.0032.gz]="early RIS TABLE_DUMP, lengths 4 bytes short: bgpdump stops after 1 entry"
)

status=0
log=$(mktemp "${TMPDIR:-/tmp}/dw-bench.XXXXXX")
trap 'rm -f "$log"' EXIT

say() { printf '%s\n' "$*" >&2; }

if [[ ! -x $dw ]]; then
	say "bench: $dw does not exist or is not executable."
	say "bench: build it first (make, or cmake -S $root -B $build && cmake --build $build)."
	exit 1
fi
if [[ ! -d $shared/data/mrt ]]; then
	say "bench: no $shared/data/mrt (set DW_SHARED); only synthetic files will be used"
fi
have() { command -v "$1" >/dev/null 2>&1; }
for t in bgpdump gzip bzip2; do
	have "$t" || say "bench: $t not found: its comparison is skipped"
done

# ------------------------------------------------------------ timing

# best_time ACCEPT CMD...: run CMD (stdout to /dev/null) up to $runs times and
# set T to the best wall time in seconds ("" when a run failed).  ACCEPT is a
# regex of exit statuses that count as a completed run.  A run longer than
# $long seconds is not repeated (N tells how many runs were made).
best_time() {
	local accept=$1 t rc i
	shift
	T="" N=0
	for ((i = 0; i < runs; i++)); do
		t=$({
			TIMEFORMAT=%3R
			time "$@" >/dev/null 2>>"$log"
		} 2>&1)
		rc=$?
		N=$((N + 1))
		if [[ ! $rc =~ ^($accept)$ ]]; then
			say "bench:   '$*' exited $rc (last stderr lines follow)"
			tail -n 3 "$log" | sed 's/^/bench:     /' >&2
			T=""
			return 1
		fi
		if [[ -z $T ]] || awk -v a="$t" -v b="$T" 'BEGIN{exit !(a < b)}'; then
			T=$t
		fi
		awk -v a="$t" -v l="$long" 'BEGIN{exit !(a > l)}' && break
	done
	return 0
}

# ratio A B: A / B with 2 decimals (B floored at 1 ms).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b < 0.001) b = 0.001; printf "%.2f", a / b }'; }
# meets X OP GOAL: 0 when X OP GOAL holds (OP: ge, le, lt).
meets() {
	awk -v x="$1" -v g="$3" -v op="$2" 'BEGIN{
		ok = (op == "ge") ? x >= g : (op == "le") ? x <= g : x < g
		exit !ok }'
}
human() {
	awk -v b="$1" 'BEGIN{ if (b >= 1048576) printf "%.1fM", b / 1048576;
		else printf "%.0fK", b / 1024 }'
}

# ------------------------------------------------------------ inputs

real=()
if [[ -d $shared/data/mrt ]]; then
	mapfile -t real < <(find "$shared/data/mrt" -type f \
		\( -name '*.gz' -o -name '*.bz2' \) -not -path '*/test_expect/*' \
		-printf '%s %p\n' | sort -rn | head -n "$nreal" | cut -d' ' -f2-)
fi

mkdir -p "$outdir"
syn_upd_gz=$outdir/synth-updates-${size_mb}m-s$seed.mrt.gz
syn_upd_bz=$outdir/synth-updates-${size_mb}m-s$seed.mrt.bz2
syn_rib_gz=$outdir/synth-rib-${size_mb}m-s$seed.mrt.gz

gen=$build/bench/gen_synth
gen_one() { # KIND OUT: written under a temporary name, renamed when complete
	local tmp="$2.part" comp=none
	case $2 in
	*.gz) comp=gz ;;
	*.bz2) comp=bz2 ;;
	esac
	"$gen" --kind "$1" --out "$tmp" --compress "$comp" --size-mb "$size_mb" \
		--seed "$seed" 2>>"$log" && mv -f "$tmp" "$2"
}
missing=()
for f in "$syn_upd_gz" "$syn_upd_bz" "$syn_rib_gz"; do
	[[ -s $f ]] || missing+=("$f")
done
if ((${#missing[@]})); then
	if [[ ! -x $gen ]]; then
		say "bench: building gen_synth"
		cmake --build "$build" --target gen_synth >>"$log" 2>&1
	fi
	if [[ ! -x $gen ]]; then
		say "bench: cannot build $gen: synthetic files skipped"
		status=1
	else
		say "bench: generating ${#missing[@]} synthetic file(s) of $size_mb MiB raw in $outdir (once)"
		pids=()
		for f in "${missing[@]}"; do
			case $f in
			*rib*) gen_one rib "$f" & ;;
			*) gen_one updates "$f" & ;;
			esac
			pids+=($!)
			# two at a time: the machine has two cores
			if ((${#pids[@]} == 2)); then
				wait "${pids[0]}"
				pids=("${pids[1]}")
			fi
		done
		wait
		for f in "${missing[@]}"; do
			if [[ ! -s $f ]]; then
				say "bench: gen_synth failed for $f"
				status=1
			fi
		done
	fi
fi
synth=()
for f in "$syn_upd_gz" "$syn_rib_gz" "$syn_upd_bz"; do
	[[ -s $f ]] && synth+=("$f")
done
files=("${real[@]}" "${synth[@]}")
if ((${#files[@]} == 0)); then
	say "bench: no input files"
	exit 1
fi

label() { # short name for a table row
	case $1 in
	"$outdir"/*) printf 'out/%s' "${1#"$outdir"/}" ;;
	"$shared"/data/mrt/*) printf '%s' "${1#"$shared"/data/mrt/}" ;;
	*) printf '%s' "$1" ;;
	esac
}

# ------------------------------------------------------------ measurements

rows=() # bench|file|size|ref|dw|ratio|goal|result
npass=0 nmiss=0 nerr=0
exit_lt128='[0-9]|[1-9][0-9]|1[01][0-9]|12[0-7]'
record() { # BENCH FILE REF DW RATIO GOALTEXT RESULT [REF_RUNS]
	local size note=""
	size=$(human "$(stat -c %s "$2")")
	[[ -n ${8:-} && $8 -lt $runs ]] && note=" (reference: $8 run)"
	rows+=("$1|$(label "$2")|$size|$3|$4|$5|$6|$7$note")
	case $7 in
	PASS) npass=$((npass + 1)) ;;
	MISS) nmiss=$((nmiss + 1)) ;;
	*) nerr=$((nerr + 1)) ;;
	esac
}

say "bench: best of $runs runs (runs over ${long}s are not repeated); progress:"
for f in "${files[@]}"; do
	base=$(basename "$f")
	# (b) text output: darkwatch mrt dump -m vs bgpdump -m
	# The synthetic .bz2 holds the same records as the .gz: its dump
	# would repeat that comparison plus ~40 s of bunzip2 in bgpdump.
	[[ $f == "$syn_upd_bz" ]] && no_bgpdump[$base]="same records as $(basename "$syn_upd_gz")"
	if have bgpdump && [[ -z ${no_bgpdump[$base]:-} ]]; then
		say "bench: dump   $(label "$f")"
		# any exit below 128 (bgpdump reports damage but goes on);
		# a signal (crash) is an error
		if ! best_time "$exit_lt128" bgpdump -m "$f"; then
			record dump "$f" "-" "-" "-" ">= 5x" "ERROR(bgpdump)"
		elif ref=$T refn=$N && best_time '0|2' "$dw" mrt dump -m "$f"; then
			r=$(ratio "$ref" "$T")
			if meets "$r" ge 5; then res=PASS; else res=MISS; fi
			record dump "$f" "$ref" "$T" "${r}x faster" ">= 5x" "$res" "$refn"
		else
			record dump "$f" "$ref" "-" "-" ">= 5x" ERROR
			status=1
		fi
	elif have bgpdump && [[ -n ${no_bgpdump[$base]:-} ]]; then
		say "bench: dump   $(label "$f"): skipped (${no_bgpdump[$base]})"
	fi

	# (c) full decode without text: darkwatch mrt stats vs the decompressor
	case $f in
	*.gz) tool=gzip goal=1.3 op=le goaltext="<= 1.3x" ;;
	*.bz2) tool=bzip2 goal=1.0 op=lt goaltext="< 1.0x" ;;
	*) continue ;;
	esac
	have "$tool" || continue
	say "bench: $tool  $(label "$f")"
	# 1: gzip's "unexpected end of file"; 2: bzip2's warning on a cut tail
	if ! best_time '0|1|2' "$tool" -dc "$f"; then
		record "$tool" "$f" "-" "-" "-" "$goaltext" "ERROR($tool)"
		continue
	fi
	ref=$T refn=$N
	if best_time '0|2' "$dw" mrt stats "$f"; then
		r=$(ratio "$T" "$ref")
		if meets "$r" "$op" "$goal"; then res=PASS; else res=MISS; fi
		record "$tool" "$f" "$ref" "$T" "${r}x $tool" "$goaltext" "$res" "$refn"
	else
		record "$tool" "$f" "$ref" "-" "-" "$goaltext" ERROR
		status=1
	fi
done

# ------------------------------------------------------------ report

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo
echo "darkwatch benchmarks ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "machine: ${model:-unknown CPU}, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $dw"
echo "timing:  best of $runs wall-clock runs in seconds; runs over ${long}s not repeated"
echo
{
	echo "bench|file|size|reference s|darkwatch s|ratio|goal|result"
	printf '%s\n' "${rows[@]}"
} | column -t -s '|' 2>/dev/null || {
	echo "bench|file|size|reference s|darkwatch s|ratio|goal|result"
	printf '%s\n' "${rows[@]}"
}
echo
echo "reference: dump = bgpdump -m FILE; gzip = gzip -dc FILE; bzip2 = bzip2 -dc FILE"
echo "darkwatch: dump = darkwatch mrt dump -m FILE; gzip/bzip2 = darkwatch mrt stats FILE"
echo "summary:   $npass PASS, $nmiss MISS, $nerr ERROR"

if ((nerr > 0)); then
	status=1
fi
if [[ $strict == 1 ]] && ((nmiss > 0)); then
	status=1
fi

# ------------------------------------------------------------ BGP visibility

# `darkwatch replay` ingesting a synthetic full table and an hour of updates
# (bench/vis_bench.sh prints its own table; see README "BGP visibility
# ingestion").  Its failure marks this run failed; the decoder table above
# stands either way.
if [[ ${DW_BENCH_VIS:-1} != 0 && -f $here/vis_bench.sh ]]; then
	echo
	DW_SHARED=$shared DW_BUILD=$build DW_BENCH_SEED=$seed DW_BENCH_STRICT=$strict \
		bash "$here/vis_bench.sh" || status=1
fi

# ------------------------------------------------- detection and the API
# Each prints its own table (bench/README.md: "Detection", "API").
if [[ ${DW_BENCH_DETECT:-1} != 0 ]]; then
	echo
	bash "$here/detect_bench.sh" "$build" || status=1
	echo
	DW_SHARED=$shared bash "$here/detect_eval.sh" "$build" || status=1
fi
if [[ ${DW_BENCH_API:-1} != 0 ]]; then
	echo
	DW_SHARED=$shared DW_BUILD=$build bash "$here/api_bench.sh" || status=1
fi
if [[ ${DW_BENCH_CIB:-1} != 0 ]]; then
	echo
	bash "$here/cib_bench.sh" "$build" || status=1
fi
exit "$status"
