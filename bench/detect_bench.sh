#!/usr/bin/env bash
# detect_bench.sh - run bench/detect_bench (detection throughput, bins/s;
# see bench/detect_bench.c's header and bench/README.md, "Detection").
#
#   bench/detect_bench.sh [BUILD_DIR] [detect_bench options]
#
# The program is built by CMake with the other bench targets (make builds
# it), linked to the same library as the CLI; the store part writes its
# scratch database in $TMPDIR (default /tmp).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
exe="$build/bench/detect_bench"
[ -x "$exe" ] || { echo "detect_bench: no $exe (run make first)" >&2; exit 1; }
exec "$exe" --dir "${TMPDIR:-/tmp}" "$@"
