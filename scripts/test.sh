#!/usr/bin/env bash
# test.sh - what `make test` runs (call it through make: make installs deps).
#
# Builds two trees and runs the whole ctest suite in each:
#   build/       RelWithDebInfo, -Werror           (as shipped)
#   build-asan/  RelWithDebInfo, ASan+UBSan, -Werror (memory errors, UB, leaks)
# then prints one combined line "N passed, N failed" and exits non-zero if
# anything failed.  A tree that does not configure or build counts as one
# failure (its tests could not run), so a broken build never reads as green.
#
# Environment: DW_SHARED (shared data dir; default ../shared), CMAKE, JOBS,
# ASAN_CC (compiler for build-asan; default cc).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

CMAKE=${CMAKE:-cmake}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ASAN_CC=${ASAN_CC:-cc}
DW_SHARED=$(realpath -m -- "${DW_SHARED:-$root/../shared}")
export DW_SHARED

passed=0
failed=0
notes=()

echo "== style check"
if bash scripts/check-style.sh; then
	style_ok=1
else
	style_ok=0 # also counted by the ctest test `style`
	notes+=("style check failed (see above)")
fi

# run_tree DIR CC CMAKE-ARGS...
run_tree() {
	local dir=$1 cc=$2
	shift 2
	local log="$dir/ctest.log" rc line p f t

	echo "== configure $dir ($*)"
	if ! CC="$cc" "$CMAKE" -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DDW_SHARED="$DW_SHARED" "$@"; then
		notes+=("$dir: configure failed")
		failed=$((failed + 1))
		return
	fi
	echo "== build $dir"
	if ! "$CMAKE" --build "$dir" -j "$JOBS"; then
		notes+=("$dir: build failed")
		failed=$((failed + 1))
		return
	fi
	echo "== ctest $dir"
	(cd "$dir" && ctest --output-on-failure -j2) 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}

	# "100% tests passed, 0 tests failed out of 12"
	line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' \
		"$log" | tail -n 1)
	if [[ -n $line ]]; then
		f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
		t=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
		p=$((t - f))
		passed=$((passed + p))
		failed=$((failed + f))
		notes+=("$dir: $p passed, $f failed")
	elif grep -q 'No tests were found' "$log" && ((rc == 0)); then
		notes+=("$dir: no tests")
	else
		notes+=("$dir: ctest exited $rc without a summary")
		failed=$((failed + 1))
	fi
}

run_tree build cc -DDW_WERROR=ON -DDW_SANITIZE=OFF -DDW_FUZZ=OFF
run_tree build-asan "$ASAN_CC" -DDW_SANITIZE=ON -DDW_WERROR=ON -DDW_FUZZ=OFF

echo "== summary"
for n in "${notes[@]}"; do
	echo "   $n"
done
echo "$passed passed, $failed failed"
if ((failed > 0 || style_ok == 0)); then
	exit 1
fi
exit 0
