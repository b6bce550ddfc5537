#!/usr/bin/env bash
# api_bench.sh - `darkwatch serve` under load: wrk on loopback against
# cached /v2 endpoints, side by side with nginx serving the same JSON bodies
# as static files, in the same run.  Goal: >= 5,000 requests/s with a p99
# latency under 20 ms for darkwatch; the ratio to nginx is printed.
#
#   bash bench/api_bench.sh
#
# Environment (all optional):
#   DW_BUILD        build directory holding darkwatch (<repo>/build)
#   DW_SHARED       shared data (<repo>/../shared), for the simulated store
#   DW_API_DB       the store to serve; default bench/out/api-iran.db, made
#                   once by sim + replay + detect of scenarios/iran-2019.yaml
#                   (Nov 15-18) and reused
#   DW_API_SECONDS  wrk duration per endpoint and server (10)
#   DW_API_CONNS    wrk connections (8); DW_API_WRK_THREADS (1)
#   DW_API_THREADS  darkwatch server threads and nginx workers (2)
#
# Traffic goes to 127.0.0.1 only: both servers bind 127.0.0.1, darkwatch
# on port 0 (it prints the port it got), nginx on a free port found first.
set -u
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DW_BUILD:-$REPO/build}"
SHARED="${DW_SHARED:-$REPO/../shared}"
DW="$BUILD/darkwatch"
SECS="${DW_API_SECONDS:-10}" CONNS="${DW_API_CONNS:-8}" WT="${DW_API_WRK_THREADS:-1}"
THREADS="${DW_API_THREADS:-2}"
[ -x "$DW" ] || { echo "api_bench: $DW missing (build first, or set DW_BUILD)"; exit 1; }
command -v wrk > /dev/null || { echo "api_bench: wrk missing (apt-get install wrk)"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "api_bench: nginx missing (apt-get install nginx-light)"; exit 1; }

DB="${DW_API_DB:-$REPO/bench/out/api-iran.db}"
if [ ! -s "$DB" ]; then
  echo "api_bench: building $DB (sim + replay + detect, once)"
  mkdir -p "$(dirname "$DB")"
  w=$(mktemp -d) sc="$REPO/scenarios/iran-2019.yaml"
  n=$(awk '/^full_feed_min_v4:/ {print $2}' "$sc")
  "$DW" sim --scenario "$sc" --out "$w" --data "$SHARED" --from 2019-11-15T00:00Z --until 2019-11-18T00:00Z -q &&
  "$DW" replay --db "$DB.tmp" --archive "$w/archive" $(ls "$w/archive" | sed 's/^/--collector /') \
    --from 2019-11-15T00:00Z --until 2019-11-18T00:00Z --geo "$w/geo.csv" \
    --asnames "$w/asnames.json.gz" --full-feed-min-v4 "$n" > /dev/null &&
  "$DW" detect --db "$DB.tmp" > /dev/null && mv "$DB.tmp" "$DB" || { echo "api_bench: cannot build the store"; exit 1; }
  rm -rf "$w" "$DB.tmp-wal" "$DB.tmp-shm"
fi

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  [ -n "${dw_pid:-}" ] && kill "$dw_pid" 2> /dev/null && wait "$dw_pid" 2> /dev/null
  [ -s "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2> /dev/null
  sleep 0.3; rm -rf "$tmp"
}
trap cleanup EXIT

"$DW" serve --db "$DB" --listen 127.0.0.1:0 --rate-limit 0 --threads "$THREADS" > "$tmp/serve.log" 2>&1 &
dw_pid=$!
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$tmp/serve.log" | head -1); [ -n "$url" ] && break; sleep 0.1
done
[ -n "$url" ] || { echo "api_bench: darkwatch serve did not start"; cat "$tmp/serve.log"; exit 1; }

F="from=1573862400&until=1573948800"
names=(events summary signals datasources)
paths=("v2/outages/events?$F&entityType=country&entityCode=IR"
       "v2/outages/summary?$F&entityType=country"
       "v2/signals/raw/country/IR?$F&datasource=bgp"
       "v2/datasources")
mkdir -p "$tmp/www"
for i in "${!names[@]}"; do   # warm the cache; the same body becomes nginx's file
  curl -sf "${url}${paths[$i]}" -o "$tmp/www/${names[$i]}.json" || { echo "api_bench: ${paths[$i]} failed"; exit 1; }
done
chmod -R a+rX "$tmp/www"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/ng"
cat > "$tmp/nginx.conf" <<NG
worker_processes $THREADS;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/ng/body; proxy_temp_path $tmp/ng/proxy;
  fastcgi_temp_path $tmp/ng/fcgi; uwsgi_temp_path $tmp/ng/uwsgi; scgi_temp_path $tmp/ng/scgi;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $tmp/www; }
}
NG
"$NGINX" -c "$tmp/nginx.conf" -p "$tmp" 2> "$tmp/nginx.start" || { echo "api_bench: nginx failed"; cat "$tmp/nginx.start"; exit 1; }
sleep 0.3

# wrk URL -> "requests/s p99_ms"
measure() {
  wrk -t"$WT" -c"$CONNS" -d"${SECS}s" --latency "$1" > "$tmp/wrk.out" 2>&1
  python3 - "$tmp/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(f"{rps:.0f} {p99:.2f} {bad.group(1) if bad else 0}")
PY
}

echo "darkwatch serve ($THREADS threads) vs nginx ($THREADS workers); wrk -t$WT -c$CONNS -d${SECS}s; loopback"
printf "%-12s %7s %12s %9s %12s %9s %7s  %s\n" endpoint bytes "dw req/s" "dw p99" "nginx req/s" "ng p99" ratio goal
pass=0 miss=0
for i in "${!names[@]}"; do
  read -r drps dp99 dbad < <(measure "${url}${paths[$i]}")
  read -r nrps np99 nbad < <(measure "http://127.0.0.1:$port/${names[$i]}.json")
  ratio=$(python3 -c "print(f'{$drps/$nrps:.2f}')")
  ok=$(python3 -c "print('PASS' if $drps >= 5000 and $dp99 < 20 and $dbad == 0 else 'MISS')")
  [ "$ok" = PASS ] && pass=$((pass + 1)) || miss=$((miss + 1))
  printf "%-12s %7s %12s %8sms %12s %8sms %7s  %s\n" "${names[$i]}" "$(stat -c %s "$tmp/www/${names[$i]}.json")" \
    "$drps" "$dp99" "$nrps" "$np99" "$ratio" "$ok"
done
echo "summary: $pass PASS, $miss MISS (goal: >= 5000 req/s and p99 < 20 ms on every endpoint)"
[ $miss -eq 0 ]
