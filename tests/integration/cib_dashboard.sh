#!/usr/bin/env bash
# cib_dashboard.sh - the dashboard's networks page (docs/DASHBOARD.md) in
# Debian's Chromium against the real server.
#
#   1. make web (no-op when web/dist is current)
#   2. two stores: the cib fixture of cib_api.py (cib_store in
#      api_lib.bash: known names and counts the browser test checks) and
#      one with outage data only
#   3. darkwatch serve on 127.0.0.1 port 0 for each, --web web/dist
#   4. tests/browser/cib.test.mjs (playwright-core, headless, --no-sandbox):
#      the list, the graph's nodes and edges, the evidence rows, selecting
#      a member, filters in the URL, right to left, the outage pages, no
#      page errors or foreign requests
#   5. both servers stop cleanly on SIGTERM, with no sanitizer report
#
# Screenshots go to $DW_SCRATCH/screenshots/.  No skip: a missing Chromium
# or node is a failure.  Environment: DW_BIN, DW_SRC, DW_SCRATCH (ctest sets
# them); DW_CHROMIUM overrides /usr/bin/chromium.
set -u
: "${DW_BIN:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
mkdir -p "$T"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/api_lib.bash"
chromium=${DW_CHROMIUM:-/usr/bin/chromium}

die() {
  echo "FAIL  $*"
  exit 1
}
[ -x "$chromium" ] || die "Chromium not found at $chromium (scripts/deps.sh installs it; DW_CHROMIUM=path overrides)"
command -v node >/dev/null 2>&1 || die "node not found: scripts/deps.sh installs nodejs and npm"

echo "== make web"
DW_SKIP_DEPS=1 flock "${TMPDIR:-/tmp}/darkwatch-web-build.lock" make -s -C "$DW_SRC" web ||
  die "make web failed: the dashboard does not build"
[ -f "$DW_SRC/web/dist/index.html" ] || die "web/dist/index.html missing after make web"


cib_store "$T/cib.db" || die "building the cib store"
empty_store "$T/empty.db" || die "building the store without cib results"
api_start "$T/cib.db" --web "$DW_SRC/web/dist" --rate-limit 0 || die "server (cib store)"
pid1=$API_PID log1=$API_LOG url1=$API_URL
api_start "$T/empty.db" --web "$DW_SRC/web/dist" --rate-limit 0 || { API_PID=$pid1; API_LOG=$log1; api_stop; die "server (empty store)"; }
pid2=$API_PID log2=$API_LOG url2=$API_URL
echo "== servers at $url1 and $url2"

echo "== browser test"
DW_BASE="$url1" DW_BASE_EMPTY="$url2" DW_SHOTS="$T/screenshots" DW_WEB="$DW_SRC/web" \
  DW_CHROMIUM="$chromium" timeout 180 node "$DW_SRC/tests/browser/cib.test.mjs"
rc=$?

API_PID=$pid2 API_LOG=$log2
api_stop || { echo "FAIL  server (empty store) stop"; rc=1; }
API_PID=$pid1 API_LOG=$log1
api_stop || { echo "FAIL  server (cib store) stop"; rc=1; }
[ $rc -eq 0 ] && echo "cib_dashboard: all passed"
exit $rc
