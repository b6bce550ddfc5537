#!/usr/bin/env bash
# api_ioda_client.sh - an IODA API client works against `darkwatch serve` by
# changing its base URL.
#
# Builds a store the real way (sim of iran-2019 + replay + detect), serves
# it on 127.0.0.1 (port 0), and runs api_ioda_check.py: ioda_client.py (a
# client written against IODA's documented shapes) fetches datasources,
# entities, signals, events, alerts and summary, and checks the envelope,
# field names, value-array lengths, nulls, paging and that the events
# equal `darkwatch events`.  Then: a commit to the store (signal import)
# shows in the next response (cache invalidation), and SIGTERM stops the
# server cleanly (exit 0, no sanitizer report).
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/api_lib.bash"
fail=0
rm -rf "$T/sim" "$T/iran.db"*

api_build_sim_db "$T/iran.db" || { echo "FAIL  building the store"; exit 1; }
"$DW_BIN" events --db "$T/iran.db" --format json > "$T/events.json" || { echo "FAIL  events"; exit 1; }
api_start "$T/iran.db" --rate-limit 0 || exit 1
echo "server at $API_URL"

if python3 "$HERE/api_ioda_check.py" "${API_URL}v2" "$T/iran.db" "$T/sim/truth.csv" "$T/events.json"; then
  echo "ok    IODA client against darkwatch"
else
  echo "FAIL  IODA client against darkwatch"; fail=1
fi

# A commit by another process must show at once (the cache follows data_version).
before=$(curl -s "${API_URL}v2/datasources" | python3 -c 'import json,sys; print([d["datasource"] for d in json.load(sys.stdin)["data"]])')
printf 'entity_type,entity_code,time,value\ncountry,IR,1573862400,5\n' > "$T/gtr.csv"
"$DW_BIN" signal import --db "$T/iran.db" --datasource gtr --csv "$T/gtr.csv" --step 1800 > /dev/null
after=$(curl -s "${API_URL}v2/datasources" | python3 -c 'import json,sys; print([d["datasource"] for d in json.load(sys.stdin)["data"]])')
if [[ "$before" != *gtr* && "$after" == *gtr* ]]; then
  echo "ok    a commit invalidates cached responses ($before -> $after)"
else
  echo "FAIL  cache invalidation: $before -> $after"; fail=1
fi

if api_stop; then echo "ok    clean stop on SIGTERM"; else echo "FAIL  stop"; fail=1; fi
grep -q "serving" "$API_LOG" && grep -q "SIGTERM, stopping" "$API_LOG" || { echo "FAIL  startup/stop lines"; cat "$API_LOG"; fail=1; }

# Clear errors: a missing store, a busy port.
if "$DW_BIN" serve --db "$T/nope.db" --listen 127.0.0.1:0 > "$T/e1" 2>&1; then
  echo "FAIL  serve of a missing store succeeded"; fail=1
else grep -q "nope.db" "$T/e1" && echo "ok    missing store: $(head -1 "$T/e1")" || { echo "FAIL  message"; cat "$T/e1"; fail=1; }; fi
api_start "$T/iran.db" || exit 1
port=${API_URL##*:}; port=${port%/}
if "$DW_BIN" serve --db "$T/iran.db" --listen "127.0.0.1:$port" > "$T/e2" 2>&1; then
  echo "FAIL  second server on a busy port started"; fail=1
else grep -q "busy" "$T/e2" && echo "ok    busy port: $(head -1 "$T/e2")" || { echo "FAIL  message"; cat "$T/e2"; fail=1; }; fi
api_stop || fail=1

[ $fail -eq 0 ] && echo "api_ioda_client: all passed"
exit $fail
