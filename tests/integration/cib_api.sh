#!/usr/bin/env bash
# cib_api.sh - the /v2/cib/ endpoints (docs/API.md, docs/CIB.md) against the
# real server on loopback.
#
#   1. a store with known coordinated-account results: cib_store in
#      api_lib.bash (`cib_api.py fixture`: three runs and three networks,
#      with edge cases real detection does not produce: an unfinished run,
#      malformed stored JSON, a non-ASCII name)
#   2. darkwatch serve on 127.0.0.1 port 0; cib_api.py check: every
#      endpoint's shape, paging totals, CSV, 400s naming the parameter,
#      404s, hostile inputs never a 5xx
#   3. a store with no cib run (outage data only): empty lists and 404s
#   4. the real thing: `cib import` of a small generated activity file with
#      three planted groups, `cib detect`, and the API must agree with
#      `darkwatch cib networks --format json` network by network
#   5. each server stops cleanly on SIGTERM with no sanitizer report
#
# Environment: DW_BIN, DW_SRC, DW_SCRATCH (ctest sets them).
set -u
: "${DW_BIN:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
mkdir -p "$T"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/api_lib.bash"
fail=0


cib_store "$T/cib.db" || { echo "FAIL  building the cib store"; exit 1; }
api_start "$T/cib.db" --rate-limit 0 --threads 4 || exit 1
echo "server at $API_URL"
if python3 "$HERE/cib_api.py" check "$API_URL"; then echo "ok    cib endpoints"; else
  echo "FAIL  cib endpoints"; fail=1; fi
api_stop && echo "ok    clean stop, no sanitizer report" || { echo "FAIL  server stop"; fail=1; }

empty_store "$T/empty.db" || { echo "FAIL  building the empty store"; exit 1; }
api_start "$T/empty.db" --rate-limit 0 || exit 1
if python3 "$HERE/cib_api.py" empty "$API_URL"; then echo "ok    store without cib runs"; else
  echo "FAIL  store without cib runs"; fail=1; fi
api_stop && echo "ok    clean stop (empty store)" || { echo "FAIL  server stop (empty store)"; fail=1; }

rm -f "$T/real.db" "$T/real.db"-*
python3 "$HERE/cib_api.py" synth "$T/activity.csv" &&
  "$DW_BIN" cib import --db "$T/real.db" --format generic "$T/activity.csv" > "$T/import.log" 2>&1 &&
  "$DW_BIN" cib detect --db "$T/real.db" > "$T/detect.log" 2>&1 &&
  "$DW_BIN" cib networks --db "$T/real.db" --format json > "$T/networks.json" 2> "$T/networks.err" ||
  { echo "FAIL  cib import / detect / networks"; cat "$T/import.log" "$T/detect.log" "$T/networks.err"; exit 1; }
api_start "$T/real.db" --rate-limit 0 || exit 1
if python3 "$HERE/cib_api.py" real "$API_URL" "$T/networks.json"; then echo "ok    API agrees with cib networks"; else
  echo "FAIL  API and cib networks disagree"; fail=1; fi
# A second detect while serving: the next answers show it (no stale cache).
"$DW_BIN" cib detect --db "$T/real.db" --window 30 > "$T/detect2.log" 2>&1 || { echo "FAIL  second detect"; fail=1; }
fresh=$(curl -s "${API_URL}v2/cib/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
latest=$(curl -s "${API_URL}v2/cib/networks?limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d[0]["run"] if d else 0)')
if [ "$fresh" = 2 ] && [ "$latest" = 2 ]; then echo "ok    a new run shows at once"; else
  echo "FAIL  after a second detect: $fresh runs, latest shown $latest (want 2, 2)"; fail=1; fi
api_stop && echo "ok    clean stop (real store)" || { echo "FAIL  server stop (real store)"; fail=1; }

[ $fail -eq 0 ] && echo "cib_api: all passed"
exit $fail
