#!/usr/bin/env bash
# vis_bruteforce.sh - the BGP visibility signal written by `darkwatch replay`
# equals a brute-force recomputation from Debian's bgpdump output.
#
# A simulated world (`darkwatch sim`, scenario iran-2019, twelve hours around
# the first withdrawals) is replayed into a store.  Independently, a Python
# model reads the same archives through `bgpdump -m` (not darkwatch's
# decoder), keeps every peer's IPv4 table as a plain set, and at sampled bin
# ends counts per country the /24s covered by at least one, more than half,
# and all full-feed peers, with the same geo CSV.  Every sampled value must
# match exactly; the sample includes bins before, at and after 14:00 UTC.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
FROM=2019-11-16T08:00:00Z UNTIL=2019-11-16T20:00:00Z
command -v bgpdump >/dev/null || { echo "bgpdump missing"; exit 1; }

rm -rf "$T/world" "$T/vis.db"*
"$DW_BIN" sim --scenario "$DW_SRC/scenarios/iran-2019.yaml" --out "$T/world" \
  --data "$DW_SHARED" --from "$FROM" --until "$UNTIL" -q || { echo "sim failed"; exit 1; }
N=$(awk '/^full_feed_min_v4:/ {print $2}' "$DW_SRC/scenarios/iran-2019.yaml")
[ -n "$N" ] || { echo "no full_feed_min_v4 in the scenario"; exit 1; }
"$DW_BIN" replay --db "$T/vis.db" --archive "$T/world/archive" --collector rrc00 \
  --collector rrc01 --from "$FROM" --until "$UNTIL" --geo "$T/world/geo.csv" \
  --full-feed-min-v4 "$N" > "$T/replay.out" 2>&1 || { cat "$T/replay.out"; echo "replay failed"; exit 1; }

for c in IR TR US; do
  for sub in "" any 100; do
    "$DW_BIN" signal export --db "$T/vis.db" --datasource bgp --entity "country/$c" \
      ${sub:+--subtype $sub} > "$T/dw.$c.${sub:-50}.csv" || exit 1
  done
done

python3 - "$T" "$N" "$FROM" "$UNTIL" <<'EOF'
import bisect, calendar, glob, ipaddress, os, subprocess, sys, time
T, N = sys.argv[1], int(sys.argv[2])
t_from = calendar.timegm(time.strptime(sys.argv[3], "%Y-%m-%dT%H:%M:%SZ"))
t_until = calendar.timegm(time.strptime(sys.argv[4], "%Y-%m-%dT%H:%M:%SZ"))

# geo: /24 -> country, from the CSV (first row wins, as darkwatch does)
starts, ends, ccs = [], [], []
for line in open(os.path.join(T, "world", "geo.csv")):
    f = line.strip().split(",")
    if len(f) < 3 or ":" in f[0]:
        continue
    try:
        a, b = int(ipaddress.IPv4Address(f[0])), int(ipaddress.IPv4Address(f[1]))
    except ValueError:
        continue
    starts.append(a); ends.append(b); ccs.append(f[2])
order = sorted(range(len(starts)), key=lambda i: starts[i])
starts = [starts[i] for i in order]; ends = [ends[i] for i in order]; ccs = [ccs[i] for i in order]
def country(x24):
    a = x24 << 8
    i = bisect.bisect_right(starts, a) - 1
    return ccs[i] if i >= 0 and ends[i] >= a else None

# events from bgpdump, per collector, RIB first then updates in file order
events = []  # (ts, seq, kind, peer, prefix)
seq = 0
for col in ("rrc00", "rrc01"):
    files = sorted(glob.glob(os.path.join(T, "world", "archive", col, "*", "*.gz")),
                   key=lambda p: (os.path.basename(p).split(".", 1)[1], not os.path.basename(p).startswith("bview")))
    rib = [p for p in files if os.path.basename(p).startswith("bview")]
    rib = [p for p in rib if calendar.timegm(time.strptime(os.path.basename(p)[6:19], "%Y%m%d.%H%M")) <= t_from][-1]
    rib_t = calendar.timegm(time.strptime(os.path.basename(rib)[6:19], "%Y%m%d.%H%M"))
    ups = [p for p in files if os.path.basename(p).startswith("updates")
           and rib_t <= calendar.timegm(time.strptime(os.path.basename(p)[8:21], "%Y%m%d.%H%M")) < t_until]
    for path in [rib] + ups:
        out = subprocess.run(["bgpdump", "-m", path], capture_output=True, text=True).stdout
        isrib = path == rib
        for line in out.splitlines():
            f = line.split("|")
            ts, kind = int(f[1].split(".")[0]), f[2]
            peer = (col, f[3], f[4])
            if isrib:
                events.append((ts, seq, "R", peer, f[5]))
            elif kind in ("A", "W"):
                events.append((ts, seq, kind, peer, f[5]))
            elif kind == "STATE":
                if f[5] == "6" and f[6] != "6":
                    events.append((ts, seq, "D", peer, None))
            seq += 1
events.sort(key=lambda e: (e[0], e[1]))

tables = {}
reloaded = set()
def covered(prefixes):
    s = set()
    for p in prefixes:
        net = ipaddress.IPv4Network(p, strict=False)
        if ":" in p:
            continue
        first = int(net.network_address) >> 8
        if net.prefixlen >= 24:
            s.add(first)
        else:
            s.update(range(first, first + (1 << (24 - net.prefixlen))))
    return s

def snapshot():
    full = [p for p, t in tables.items() if len(t) > N]
    cnt = {}
    for p in full:
        for x in covered(tables[p]):
            cnt[x] = cnt.get(x, 0) + 1
    res = {}
    for x, c in cnt.items():
        cc = country(x)
        if cc is None:
            continue
        r = res.setdefault(cc, [0, 0, 0])
        r[0] += 1
        if 2 * c > len(full): r[1] += 1
        if c == len(full): r[2] += 1
    return res

samples = list(range(t_from + 3000, t_until, 3600)) + [1573912800 - 300, 1573912800, 1573912800 + 300]
samples = sorted(set(s - s % 300 for s in samples if t_from <= s < t_until))
want = {}
i = 0
for t in samples:
    while i < len(events) and events[i][0] < t + 300:
        ts, _, kind, peer, pfx = events[i]
        if kind == "R":
            if peer not in reloaded:
                tables[peer] = set(); reloaded.add(peer)
            tables[peer].add(pfx)
        elif kind == "A":
            tables.setdefault(peer, set()).add(pfx)
        elif kind == "W":
            tables.setdefault(peer, set()).discard(pfx)
        elif kind == "D":
            tables[peer] = set()
        i += 1
    want[t] = snapshot()

def load(cc, sub):
    d = {}
    for line in open(os.path.join(T, f"dw.{cc}.{sub}.csv")):
        if line.startswith("time"):
            continue
        t, v = line.strip().split(",")
        d[int(t)] = float(v)
    return d
bad = 0
for cc in ("IR", "TR", "US"):
    got = [load(cc, "any"), load(cc, "50"), load(cc, "100")]
    for t in samples:
        exp = want[t].get(cc, [0, 0, 0])
        g = [int(got[k].get(t, -1)) for k in range(3)]
        if g != exp:
            bad += 1
            print(f"FAIL {cc} t={t} any/50/100: darkwatch {g}, brute force {exp}")
print(f"{len(samples) * 3 - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
EOF
