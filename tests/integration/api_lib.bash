# api_lib.bash - helpers the api_*.sh tests source (not a test itself: only
# *.sh files are registered).  Loopback only: the server binds 127.0.0.1
# port 0 and the URL it prints is the one used.
#
#   api_start DB [serve options...]   sets API_URL, API_PID, API_LOG
#   api_stop                          SIGTERM, then checks exit 0 and a
#                                     clean log (no sanitizer report)
#   api_build_sim_db DB               sim + replay + detect of iran-2019
#                                     (a short window; shorter under ASan)
#   cib_store DB                      a store holding cib_api.py's fixture
#                                     of coordinated-account results
#   empty_store DB                    outage data only, no cib results

api_start() {
  local db=$1; shift
  API_LOG="$T/serve.$RANDOM.log"
  "$DW_BIN" serve --db "$db" --listen 127.0.0.1:0 "$@" > "$API_LOG" 2>&1 &
  API_PID=$!
  for _ in $(seq 300); do
    API_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$API_LOG" | head -1)
    [ -n "$API_URL" ] && return 0
    kill -0 "$API_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "server did not start:"; cat "$API_LOG"; return 1
}

api_stop() {
  kill -TERM "$API_PID" 2>/dev/null
  local rc=0
  wait "$API_PID" || rc=$?
  if [ $rc -ne 0 ] || grep -qE 'ERROR: AddressSanitizer|runtime error|LeakSanitizer' "$API_LOG"; then
    echo "server exit $rc; log:"; cat "$API_LOG"; return 1
  fi
  return 0
}

api_build_sim_db() {
  local db=$1 sc="$DW_SRC/scenarios/iran-2019.yaml"
  local from=2019-11-15T00:00:00Z until=2019-11-17T00:00:00Z
  if [ -n "${ASAN_OPTIONS:-}" ]; then from=2019-11-15T12:00:00Z; until=2019-11-16T20:00:00Z; fi
  local n=$(awk '/^full_feed_min_v4:/ {print $2}' "$sc")
  "$DW_BIN" sim --scenario "$sc" --out "$T/sim" --data "$DW_SHARED" --from "$from" --until "$until" -q &&
  "$DW_BIN" replay --db "$db" --archive "$T/sim/archive" $(ls "$T/sim/archive" | sed 's/^/--collector /') \
    --from "$from" --until "$until" --geo "$T/sim/geo.csv" --asnames "$T/sim/asnames.json.gz" \
    --full-feed-min-v4 "$n" > "$T/replay.log" 2>&1 &&
  "$DW_BIN" detect --db "$db" > "$T/detect.log" 2>&1 ||
  { cat "$T/replay.log" "$T/detect.log" 2>/dev/null; return 1; }
}

cib_store() {
  rm -f "$1" "$1"-*
  "$DW_BIN" detect --db "$1" > "$T/create.log" 2>&1 &&
    python3 "$HERE/cib_api.py" fixture "$1" || { cat "$T/create.log"; return 1; }
}

empty_store() {
  rm -f "$1" "$1"-*
  printf 'entity_type,entity_code,entity_name,time,value\ncountry,IR,Iran,1573776000,100\ncountry,IR,Iran,1573776300,100\n' > "$T/sig.csv"
  "$DW_BIN" signal import --db "$1" --datasource bgp --csv "$T/sig.csv" > "$T/empty.log" 2>&1 ||
    { cat "$T/empty.log"; return 1; }
}
