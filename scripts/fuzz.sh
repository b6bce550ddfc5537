#!/usr/bin/env bash
# fuzz.sh - run every libFuzzer target of a DW_FUZZ=ON build for a while and
# keep what breaks (docs: STYLE.md "Build and tests", tests/CMakeLists.txt).
#
#   DW_BUILD=/abs/build-fuzz FUZZ_SECONDS=60 bash scripts/fuzz.sh [name...]
#
# `make fuzz` calls it after building build-fuzz/.  Names are target names
# without `fuzz_` (mrt_reader, bgp_update, ...); default: every
# $DW_BUILD/fuzz/fuzz_* binary, one after the other (one core).
#
# Each target fuzzes a *work* corpus seeded from the committed
# tests/fuzz/corpus/<name>/, so the committed seeds never grow by themselves
# (add a new seed by hand when it is worth reviewing).  A crash, leak,
# timeout or out-of-memory artifact is minimized (-minimize_crash=1) and
# copied to tests/fuzz/regressions/<name>/ as <kind>-<what>-<where>-<sha8>,
# where the replay_<name> ctest test runs it in every build; then the script
# exits 1.  Fix the bug, do not delete the file.
#
# Environment:
#   DW_BUILD          build directory configured with -DDW_FUZZ=ON (required)
#   FUZZ_SECONDS      seconds per target (default 60)
#   FUZZ_WORK         keep work corpora (and .logs/: each target's log and raw
#                     artifacts of the last run) under this directory
#                     (default: a temp directory removed at the end)
#   FUZZ_TIMEOUT      seconds before one input counts as a hang (default 10)
#   FUZZ_MINIMIZE     seconds to spend minimizing each artifact (default 60;
#                     0 keeps the artifact as found)
#   FUZZ_ARGS         extra libFuzzer arguments (e.g. "-fork=1
#                     -ignore_crashes=1" to go on after a crash)
#
# Output: one line per target (executions, exec/s, new inputs, result) and the
# total CPU seconds spent fuzzing (user + system of the fuzzer processes).
set -euo pipefail

# Name for an artifact from the report in its log: a target's own invariant
# message, or the sanitizer's kind of error and the first stack frame in our
# sources (src/ first, then tests/): function-file_line.
describe() {
	local log=$1 kind where frame msg
	msg=$(sed -n 's/.*invariant broken: //p' "$log" | head -n1)
	if [[ -n $msg ]]; then
		printf 'invariant-%s' "$msg" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-80
		return
	fi
	kind=$(sed -n -e 's/^SUMMARY: [A-Za-z]*Sanitizer: \([a-z-]*\).*/\1/p' \
		-e 's/.*ERROR: libFuzzer: \([a-z-]*\).*/\1/p' "$log" | head -n1)
	frame=$(grep -E '^ +#[0-9]+ 0x[0-9a-f]+ in [A-Za-z_][A-Za-z0-9_]* [^ ]*/src/' "$log" | head -n1 || true)
	[[ -n $frame ]] || frame=$(grep -E '^ +#[0-9]+ 0x[0-9a-f]+ in [A-Za-z_][A-Za-z0-9_]* [^ ]*/tests/' "$log" | head -n1 || true)
	where=unknown
	if [[ -n $frame ]]; then
		where=$(sed -E 's/.* in ([A-Za-z_][A-Za-z0-9_]*) [^ ]*\/([^/: ]+):([0-9]+).*/\1-\2_\3/' <<<"$frame")
	fi
	printf '%s-%s' "${kind:-error}" "$where" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-80
}

# The whole run is one function, parsed before it starts: editing this file
# while it runs cannot derail it.
main() {
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	: "${DW_BUILD:?set DW_BUILD to a build directory configured with -DDW_FUZZ=ON}"
	seconds=${FUZZ_SECONDS:-60}
	timeout_s=${FUZZ_TIMEOUT:-10}
	minimize_s=${FUZZ_MINIMIZE:-60}
	read -r -a extra <<<"${FUZZ_ARGS:-}"

	fuzzdir="$DW_BUILD/fuzz"
	if [[ ! -d $fuzzdir ]]; then
		echo "fuzz.sh: $fuzzdir does not exist (configure with -DDW_FUZZ=ON and build)" >&2
		exit 2
	fi

	names=("$@")
	if ((${#names[@]} == 0)); then
		for bin in "$fuzzdir"/fuzz_*; do
			[[ -x $bin ]] && names+=("${bin##*/fuzz_}")
		done
	fi
	if ((${#names[@]} == 0)); then
		echo "fuzz.sh: no fuzz_* binaries in $fuzzdir" >&2
		exit 2
	fi

	tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-fuzz.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	work_root=${FUZZ_WORK:-$tmp/work}
	# logs and raw artifacts: kept next to persistent work corpora, so an
	# interrupted run can still be looked at
	logdir=$tmp
	[[ -n ${FUZZ_WORK:-} ]] && logdir=$FUZZ_WORK/.logs

	total_cpu=0
	failed=0
	summary=()
	for name in "${names[@]}"; do
		bin="$fuzzdir/fuzz_$name"
		seeds="$root/tests/fuzz/corpus/$name"
		regress="$root/tests/fuzz/regressions/$name"
		work="$work_root/$name"
		art="$logdir/artifacts/$name"
		log="$logdir/$name.log"
		if [[ ! -x $bin ]]; then
			echo "fuzz.sh: $bin missing" >&2
			summary+=("$(printf '%-12s missing binary' "$name")")
			failed=1
			continue
		fi
		rm -rf "$art"
		mkdir -p "$work" "$art"
		if [[ -d $seeds ]]; then
			# seed (again) from the committed corpus; keep what the work has
			find "$seeds" -maxdepth 1 -type f ! -name '.*' -exec cp -n -t "$work" {} +
		fi

		echo "== fuzz_$name: ${seconds}s, work corpus $work"
		TIMEFORMAT='%U %S'
		rc=0
		{ time "$bin" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 \
			-timeout="$timeout_s" -print_final_stats=1 \
			-artifact_prefix="$art/" "${extra[@]}" >"$log" 2>&1 || rc=$?; } 2>"$tmp/time"
		read -r u s <"$tmp/time"
		cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')
		total_cpu=$(awk -v a="$total_cpu" -v b="$cpu" 'BEGIN { printf "%.1f", a + b }')

		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
		speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
		added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n1)
		if [[ -z $execs ]]; then # fork mode, or stopped early: last status line
			execs=$(sed -n 's/^#\([0-9]*\)[: ].*/\1/p' "$log" | tail -n1)
			speed=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -n1)
		fi

		kept=()
		shopt -s nullglob
		for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
			base=${a##*/}
			type=${base%%-*}
			sha=$(sha1sum "$a" | cut -c1-8)
			input=$a
			if ((minimize_s > 0)) && [[ $type != oom ]]; then
				min="$tmp/min-$base"
				"$bin" -minimize_crash=1 -max_total_time="$minimize_s" \
					-timeout="$timeout_s" -rss_limit_mb=2048 \
					-exact_artifact_path="$min" "$a" >"$tmp/min.log" 2>&1 || true
				if [[ -s $min ]]; then
					input=$min
					sha=$(sha1sum "$min" | cut -c1-8)
				fi
			fi
			# the report of the input being kept names it
			"$bin" -timeout="$timeout_s" -rss_limit_mb=2048 "$input" \
				>"$tmp/one.log" 2>&1 || true
			desc=$(describe "$tmp/one.log")
			[[ $desc == error-unknown ]] && desc=$(describe "$log")
			mkdir -p "$regress"
			dest="$regress/$type-$desc-$sha"
			cp "$input" "$dest"
			kept+=("$dest")
			echo "fuzz.sh: $name: kept $type as ${dest#"$root"/}"
			grep -m1 -E 'invariant broken|^SUMMARY' "$tmp/one.log" | sed 's/^/    /' || true
		done
		shopt -u nullglob

		if ((${#kept[@]})); then
			result="FOUND ${#kept[@]} (see tests/fuzz/regressions/$name/)"
			failed=1
		elif ((rc == 72)); then # libFuzzer's code for SIGINT/SIGTERM
			result=interrupted
			failed=1
		elif ((rc != 0)); then
			result="fuzzer exited $rc without an artifact (log: see below)"
			tail -n 20 "$log" >&2
			failed=1
		else
			result=ok
		fi
		summary+=("$(printf '%-12s %10s execs %7s exec/s %6s new  %7ss cpu  %s' \
			"$name" "${execs:-?}" "${speed:-?}" "${added:--}" "$cpu" "$result")")
	done

	echo
	echo "fuzz.sh summary (${seconds}s per target):"
	printf '  %s\n' "${summary[@]}"
	echo "total CPU seconds fuzzed: $total_cpu"
	exit "$failed"
}

main "$@"
