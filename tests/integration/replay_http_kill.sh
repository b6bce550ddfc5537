#!/usr/bin/env bash
# replay_http_kill.sh - `darkwatch replay` from an HTTP mirror, and under
# kill -9.
#
# 1. The peer-reset world is served by a local HTTP server on 127.0.0.1 (no
#    other address is ever contacted); replaying from it must give exactly
#    the series of a replay from the directory, fill the download cache, and
#    resume a cut download (a .part file) with a Range request.
# 2. A file missing on the mirror (404) is reported, the rest replayed,
#    exit 2.
# 3. kill -9 at random points of a replay: the store always passes its
#    integrity check, and the next complete run gives exactly the series of
#    an uninterrupted run (committed bins are never lost or changed).
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; }
SC="$DW_SRC/scenarios/peer-reset.yaml"
FROM=$(awk '/^start:/ {print $2}' "$SC") UNTIL=$(awk '/^end:/ {print $2}' "$SC")
N=$(awk '/^full_feed_min_v4:/ {print $2}' "$SC")
rm -rf "$T/w" "$T"/*.db* "$T/cache" "$T/srv"
"$DW_BIN" sim --scenario "$SC" --out "$T/w" --data "$DW_SHARED" -q || exit 1
COLS=$(ls "$T/w/archive" | sed 's/^/--collector /')

replay() { # db archive [extra...]
  local db=$1 arch=$2; shift 2
  ${replay_exec:+exec} "$DW_BIN" replay --db "$db" --archive "$arch" $COLS --from "$FROM" --until "$UNTIL" \
    --geo "$T/w/geo.csv" --full-feed-min-v4 "$N" "$@"
}
dump() { # every series of a store, as text
  "$DW_BIN" signal list --db "$1" 2>/dev/null | awk 'NR>1 {print $2, $3, $4}' | sort -u |
  while read -r ds ent sub; do
    echo "== $ds $ent $sub"
    "$DW_BIN" signal export --db "$1" --datasource "$ds" --entity "$ent" ${sub:+--subtype $sub} 2>&1
  done
}

replay "$T/dir.db" "$T/w/archive" > /dev/null 2>&1 || { echo "directory replay failed"; exit 1; }
dump "$T/dir.db" > "$T/dir.txt"
[ "$(grep -c '^==' "$T/dir.txt")" -gt 3 ] || { echo "no series in the store"; head "$T/dir.txt"; exit 1; }

# an HTTP mirror on loopback
cp -r "$T/w/archive" "$T/srv"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$T/srv" > "$T/http.log" 2>&1 &
HTTP=$!
trap 'kill $HTTP 2>/dev/null' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

if replay "$T/http.db" "$URL" --cache "$T/cache" > "$T/http.out" 2>&1 && dump "$T/http.db" | cmp -s - "$T/dir.txt"; then
  ok "replay from http://127.0.0.1 equals replay from the directory"
else bad "http replay: $(tail -2 "$T/http.out")"; fi
n_cached=$(find "$T/cache" -name '*.gz' | wc -l)
n_files=$(sed -n 's/^replay: \([0-9]*\) files.*/\1/p' "$T/http.out")
[ -n "$n_files" ] && [ "$n_cached" = "$n_files" ] && ok "download cache holds the $n_files files read" ||
  bad "cache has $n_cached files, replay read ${n_files:-?}"

# resume: cut one cached file to a .part and replay into a fresh store
victim=$(find "$T/cache" -name 'updates.*.gz' | sort | sed -n 5p)
size=$(stat -c %s "$victim")
head -c $((size / 2)) "$victim" > "$victim.part" && rm "$victim"
: > "$T/http.log"
if replay "$T/resume.db" "$URL" --cache "$T/cache" > /dev/null 2>&1 && cmp -s "$victim" "$T/srv/${victim#$T/cache/127.0.0.1_$PORT/}" &&
   dump "$T/resume.db" | cmp -s - "$T/dir.txt" && grep -q "GET /.*$(basename "$victim")" "$T/http.log"; then
  ok "a cut download resumes (file identical, series identical)"
else bad "resume of $(basename "$victim")"; fi

# a file missing on the mirror
gone=$(find "$T/srv" -name 'updates.*.gz' | sort | sed -n 10p)
rm "$gone"
replay "$T/missing.db" "$URL" --cache "$T/cache2" > "$T/missing.out" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "missing" "$T/missing.out"; then ok "a file missing on the mirror: reported, exit 2"
else bad "missing file: rc=$rc $(tail -1 "$T/missing.out")"; fi

# kill -9 at random points, then complete
killed=0
for i in $(seq 12); do
  # exec: $! must be darkwatch itself, not a subshell running the function
  # (killing that would leave darkwatch running into the next round)
  (replay_exec=1 replay "$T/kill.db" "$T/w/archive" > /dev/null 2>&1) &
  pid=$!
  sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null && killed=$((killed + 1))
  wait $pid 2>/dev/null
  # A kill before the first schema commit leaves no file, or an SQLite file
  # with no schema yet (the next read-write open creates it): both are a
  # store that was never written, not a damaged one.
  "$DW_BIN" signal check --db "$T/kill.db" > "$T/check.out" 2>&1 ||
    { [ -e "$T/kill.db" ] && ! grep -q 'is empty, not a darkwatch store' "$T/check.out" &&
      { bad "integrity after kill $i: $(tail -1 "$T/check.out")"; break; }; }
done
replay "$T/kill.db" "$T/w/archive" > /dev/null 2>&1
if dump "$T/kill.db" | cmp -s - "$T/dir.txt"; then ok "$killed kill -9 during replay: store intact, final series identical"
else bad "series after kills differ"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
