#!/usr/bin/env bash
# dashboard_browser.sh - the dashboard in Debian's Chromium against the real
# server, on a store built the real way from the iran-2019 scenario.
#
#   1. make web (no-op when web/dist is current; npm ci on a fresh clone)
#   2. darkwatch sim (two days: Nov 15-16 2019, so 24 h of history before the
#      14:00Z shutdown), darkwatch replay, darkwatch detect
#   3. darkwatch serve on 127.0.0.1 (loopback only) with --web web/dist
#   4. tests/browser/dashboard.test.mjs (playwright-core, headless Chromium,
#      --no-sandbox since CI runs as root): map, Iran shaded, click to its
#      page, outage band at the truth's onset, CSV download, state in the URL
#   5. the server stops cleanly on SIGTERM, with no sanitizer report
#
# Screenshots and the downloaded CSV go to $DW_SCRATCH/screenshots/ (paths
# printed).  No skip: a missing Chromium or node is a failure with a clear
# message.  Environment: DW_BIN, DW_SRC, DW_SHARED, DW_SCRATCH (ctest sets
# them); DW_CHROMIUM overrides /usr/bin/chromium.
set -u
: "${DW_BIN:?}" "${DW_SRC:?}" "${DW_SHARED:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
mkdir -p "$T"
chromium=${DW_CHROMIUM:-/usr/bin/chromium}
scen="$DW_SRC/scenarios/iran-2019.yaml"
from=2019-11-15T00:00:00Z
until=2019-11-17T00:00:00Z
srv=""

die() {
  echo "FAIL  $*"
  echo "0 passed, 1 failed"
  exit 1
}
cleanup() {
  if [ -n "$srv" ] && kill -0 "$srv" 2>/dev/null; then
    kill "$srv" 2>/dev/null
    wait "$srv" 2>/dev/null
  fi
}
trap cleanup EXIT

[ -x "$chromium" ] || die "Chromium not found at $chromium: the browser test needs Debian's chromium (scripts/deps.sh installs it; DW_CHROMIUM=path overrides)"
command -v node >/dev/null 2>&1 || die "node not found: scripts/deps.sh installs nodejs and npm"

# 1. the dashboard as `make` builds it (serialised: ctest may run two trees)
echo "== make web"
DW_SKIP_DEPS=1 flock "${TMPDIR:-/tmp}/darkwatch-web-build.lock" make -s -C "$DW_SRC" web ||
  die "make web failed: the dashboard does not build"
[ -f "$DW_SRC/web/dist/index.html" ] || die "web/dist/index.html missing after make web"

# 2. the store: simulate, replay, detect
echo "== store from $scen ($from .. $until)"
rm -rf "$T/world" "$T/iran.db"*
n=$(awk '/^full_feed_min_v4:/ {print $2}' "$scen")
"$DW_BIN" sim --scenario "$scen" --out "$T/world" --data "$DW_SHARED" \
  --from "$from" --until "$until" -q || die "sim failed"
cols=$(ls "$T/world/archive" | sed 's/^/--collector /')
"$DW_BIN" replay --db "$T/iran.db" --archive "$T/world/archive" $cols --from "$from" --until "$until" \
  --geo "$T/world/geo.csv" --asnames "$T/world/asnames.json.gz" --full-feed-min-v4 "$n" \
  >"$T/replay.log" 2>&1 || { cat "$T/replay.log"; die "replay failed"; }
"$DW_BIN" detect --db "$T/iran.db" >"$T/detect.log" 2>&1 || { cat "$T/detect.log"; die "detect failed"; }
tail -n 3 "$T/detect.log"

# 3. the server on loopback; port 0: it picks a free port and prints its URL
"$DW_BIN" serve --db "$T/iran.db" --listen 127.0.0.1:0 --web "$DW_SRC/web/dist" \
  >"$T/serve.log" 2>&1 &
srv=$!
base=""
for i in $(seq 1 150); do # 30 s: an ASan build starts slowly
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$T/serve.log" | head -n 1)
  if [ -n "$base" ] && curl -sf -o /dev/null "${base}v2/datasources"; then
    break
  fi
  base=""
  kill -0 "$srv" 2>/dev/null || break
  sleep 0.2
done
[ -n "$base" ] || { cat "$T/serve.log"; die "darkwatch serve did not answer on loopback"; }
echo "== server at $base (pid $srv)"
curl -sf -o /dev/null "$base" || die "the server does not serve the dashboard at /"

# 4. the browser
echo "== browser test"
DW_BASE="$base" DW_TRUTH="$T/world/truth.csv" DW_SHOTS="$T/screenshots" DW_WEB="$DW_SRC/web" \
  DW_CHROMIUM="$chromium" timeout 180 node "$DW_SRC/tests/browser/dashboard.test.mjs"
rc=$?

# The server must stop cleanly, with no sanitizer report, after all that.
kill "$srv" 2>/dev/null
wait "$srv"
src=$?
srv=""
if [ $src -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/serve.log"; then
  echo "FAIL  darkwatch serve exited $src after SIGTERM or reported a sanitizer error"
  rc=1
fi
if [ $rc -ne 0 ]; then
  echo "-- server log (last lines)"
  tail -n 30 "$T/serve.log"
fi
exit $rc
