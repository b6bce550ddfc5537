#!/usr/bin/env bash
# api_hostile.sh - malformed and hostile requests never get a 5xx and leave
# `darkwatch serve` healthy (also under ASan: the server's log must hold
# no sanitizer report and it must stop cleanly).
#
# The store is small and built the real way (signal import of a generated
# CSV with an outage, then detect); a temporary web directory holds an
# index.html, an app.js, and a symlink and a file placed to tempt path
# traversal.  api_hostile.py fires wrong types, negative and huge numbers,
# huge ranges, SQL injection strings, bad UTF-8, long URLs, malformed HTTP,
# traversal paths and 600 parallel requests; a second server with
# --rate-limit 2:5 must answer a burst with 429 + Retry-After.
set -u
: "${DW_BIN:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/api_lib.bash"
fail=0
rm -rf "$T/web" "$T/h.db"* "$T/outside.txt"

python3 - "$T/sig.csv" <<'PY'
import sys
rows = ["entity_type,entity_code,entity_name,time,value"]
ents = [("country", "IR", "Iran", 18000), ("country", "US", "United States", 90000),
        ("region", "IR-Tehran", "Tehran", 6000), ("asn", "44244", "Irancell", 5000),
        ("geoasn", "44244-IR", "Irancell (IR)", 5000)]
t0 = 1573776000
for typ, code, name, base in ents:
    for i in range(576):
        t = t0 + 300 * i
        v = base // 3 if typ != "country" or code == "IR" else base
        v = v if 1573912800 <= t < 1573930800 and code != "US" else base
        if code == "US" and i % 50 == 7:
            continue  # a few missing bins
        rows.append(f"{typ},{code},{name},{t},{v}")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
"$DW_BIN" signal import --db "$T/h.db" --datasource bgp --csv "$T/sig.csv" > "$T/import.log" 2>&1 &&
"$DW_BIN" detect --db "$T/h.db" > "$T/detect.log" 2>&1 || { echo "FAIL  building the store"; cat "$T"/*.log; exit 1; }

mkdir -p "$T/web/assets"
echo '<!doctype html><title>WEB-INDEX</title>' > "$T/web/index.html"
echo 'console.log("app")' > "$T/web/app.js"
echo 'SECRET-OUTSIDE' > "$T/outside.txt"
ln -s /etc "$T/web/leak"
ln -s "$T/outside.txt" "$T/web/outside.txt"
echo 'hidden' > "$T/web/.hidden"

api_start "$T/h.db" --web "$T/web" --rate-limit 0 --threads 4 || exit 1
main_pid=$API_PID main_log=$API_LOG main_url=$API_URL
api_start "$T/h.db" --web "$T/web" --rate-limit 2:5 || exit 1
lim_pid=$API_PID lim_log=$API_LOG
echo "servers at $main_url and $API_URL"

if python3 "$HERE/api_hostile.py" "$main_url" "$API_URL"; then
  echo "ok    hostile requests"
else
  echo "FAIL  hostile requests"; fail=1
fi
api_stop || { echo "FAIL  rate-limited server stop"; fail=1; }
API_PID=$main_pid API_LOG=$main_log
kill -0 "$API_PID" 2>/dev/null || { echo "FAIL  the server died"; cat "$API_LOG"; fail=1; }
api_stop && echo "ok    clean stop, no sanitizer report" || { echo "FAIL  server stop"; fail=1; }
[ $fail -eq 0 ] && echo "api_hostile: all passed"
exit $fail
