#!/usr/bin/env bash
# sim_decode.sh - `darkwatch sim` writes real RIS archives that say what
# truth.csv says (docs/SIM.md).
#
# Runs every shipped scenario (iran-2019 and quiet-week on a window of
# their period, peer-reset whole) and a small scenario written here that
# uses every event kind, then checks:
#   layout    the RIS file names, exactly: bview every 8 h, updates every
#             5 min, DIR/archive/rrcNN/YYYY.MM/, for every collector
#   decode    a sample of files (RIBs, update files with events in them)
#             decodes identically with `darkwatch mrt dump -m` and Debian's
#             `bgpdump -m`
#   stats     `darkwatch mrt stats` skips no record in the sampled files,
#             and `darkwatch mrt dump` exits 0 (nothing skipped) on every
#             file of every collector (the signal replay below reads them)
#   truth     truth.csv lists the scheduled events
#   signal    an independent replay (python, from the dump text): per-peer
#             tables from the first RIB and the updates; every later RIB
#             equals the replayed tables (prefixes and AS paths); the 50%
#             visibility of every
#             country, region and AS moves, bin by bin, exactly as
#             truth.csv says and never otherwise (so churn and the peer
#             reset move nothing)
#   world     geo.csv (ip-location-db city layout, sorted, no overlap) and
#             asnames.json.gz (pyasn JSON) are well formed
#   determinism  same seed: identical files; --from/--until: byte-identical
#             copies of the full run's files; another seed: same world and
#             truth, different archives
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
TMP="${DW_SCRATCH:-$(mktemp -d)}"
SCN="$DW_SRC/scenarios"
command -v bgpdump >/dev/null || { echo "bgpdump not installed (scripts/deps.sh installs it)"; exit 1; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 1; }

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1: $2"; }

# ------------------------------------------------------------ helpers
cat > "$TMP/check.py" <<'PY'
import calendar, collections, csv, glob, gzip, ipaddress, json, os, re, subprocess, sys, time

STEP, RIB = 300, 28800

def iso(s):
    return calendar.timegm(time.strptime(s, '%Y-%m-%dT%H:%M:%SZ'))

def window(summary):
    m = re.search(r'files for\s+(\S+) \.\. (\S+)', open(summary).read())
    return iso(m.group(1)), iso(m.group(2))

def files_of(out, coll):
    """Archive files of a collector in time order (a bview before the
    updates file of the same time)."""
    fs = glob.glob(os.path.join(out, 'archive', coll, '*', '*.gz'))
    return sorted(fs, key=lambda p: (os.path.basename(p).split('.', 1)[1],
                                     not os.path.basename(p).startswith('b')))

def layout(out, summary, *colls):
    a, b = window(summary)
    bad = []
    for c in colls:
        want = set()
        for t in range(a, b, STEP):
            tm = time.gmtime(t)
            d = time.strftime('%Y.%m', tm)
            n = time.strftime('%Y%m%d.%H%M', tm)
            want.add('%s/%s/updates.%s.gz' % (c, d, n))
            if t % RIB == 0:
                want.add('%s/%s/bview.%s.gz' % (c, d, n))
        root = os.path.join(out, 'archive')
        got = set(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, c, '*', '*')))
        if want != got:
            bad.append('%s: missing %s, unexpected %s' % (c, sorted(want - got)[:3], sorted(got - want)[:3]))
    if set(os.listdir(os.path.join(out, 'archive'))) != set(colls):
        bad.append('collectors %s' % os.listdir(os.path.join(out, 'archive')))
    print('; '.join(bad) if bad else 'layout ok')
    return not bad

def stats(path):
    d = json.load(open(path))
    badf = [f['file'] for f in d['files'] if f['skipped'] or f['problems']]
    recs = sum(f['records'] for f in d['files'])
    print('%d files, %d records, %d with problems %s' % (len(d['files']), recs, len(badf), badf[:3]))
    return not badf and recs > 0

def world(out):
    prev_end, n = -1, 0
    for row in csv.reader(open(os.path.join(out, 'geo.csv'))):
        n += 1
        if len(row) != 10:
            print('geo.csv line %d: %d columns' % (n, len(row))); return False
        s, e = int(ipaddress.IPv4Address(row[0])), int(ipaddress.IPv4Address(row[1]))
        if s > e or s <= prev_end or s % 256 or e % 256 != 255 or not re.fullmatch('[A-Z]{2}', row[2]) or not row[3]:
            print('geo.csv line %d: %s' % (n, row)); return False
        float(row[7]); float(row[8])
        prev_end = e
    names = json.load(gzip.open(os.path.join(out, 'asnames.json.gz'), 'rt'))
    if not names or not all(k.isdigit() and isinstance(v, str) and v for k, v in names.items()):
        print('asnames.json.gz: not a pyasn name table'); return False
    print('geo.csv %d rows, %d AS names' % (n, len(names)))
    return n > 0

def oracle(out, coll, N, *dump):
    """Replay the dump text of a collector's files and compare the 50%
    visibility of every country, region and AS with truth.csv."""
    geo = {}
    for row in csv.reader(open(os.path.join(out, 'geo.csv'))):
        a = int(ipaddress.IPv4Address(row[0])) >> 8
        b = int(ipaddress.IPv4Address(row[1])) >> 8
        for x in range(a, b + 1):
            geo[x] = (row[2], row[2] + '-' + row[3].replace(' ', '_'))
    truth = list(csv.DictReader(open(os.path.join(out, 'truth.csv'))))
    files = files_of(out, coll)
    N = int(N)
    run = subprocess.run(list(dump) + files, capture_output=True, text=True)
    if run.returncode:
        print('%s exited %d on %d files: %s' % (dump[0], run.returncode, len(files), run.stderr[:300]))
        return False
    text = run.stdout
    tables = collections.defaultdict(dict)
    problems, series = [], {}
    memo = {'vis': None, 'counts': None}

    def counts():
        full = [p for p, t in tables.items() if len(t) > N]
        cnt = collections.Counter()
        for p in full:
            cnt.update(tables[p].keys())
        vis = frozenset(pf for pf, c in cnt.items() if 2 * c > len(full))
        if vis == memo['vis']:
            return memo['counts']
        best = {}
        for pf in vis:
            a, l = pf.split('/')
            a, l = int(ipaddress.IPv4Address(a)), int(l)
            o = next(tables[p][pf] for p in full if pf in tables[p]).split()[-1]
            rng = range(a >> 8, (a >> 8) + (1 << (24 - l))) if l <= 24 else [a >> 8]
            for x in rng:
                if x not in best or best[x][0] < l:
                    best[x] = (l, o)
        c = collections.Counter()
        for x, (l, o) in best.items():
            g = geo.get(x, ('', ''))
            c[('country', g[0])] += 1
            c[('region', g[1])] += 1
            c[('asn', o)] += 1
        memo['vis'], memo['counts'] = vis, c
        return c

    cur = [None]
    def advance(t):
        b = t - t % STEP
        if cur[0] is None:
            cur[0] = b
        while cur[0] < b:
            series[cur[0]] = counts()
            cur[0] += STEP

    rib, rib_t, first = None, None, True
    def end_rib():
        nonlocal rib, first
        if rib is None:
            return
        if first:
            tables.update(rib)
            first = False
        else:
            for p in set(rib) | set(k for k, v in tables.items() if v):
                if rib.get(p, {}) != tables.get(p, {}):
                    problems.append('RIB at %d: peer %s differs from the replayed updates' % (rib_t, p))
        rib = None

    for ln in text.splitlines():
        x = ln.split('|')
        t = int(x[1])
        if x[0] == 'TABLE_DUMP2':
            if rib is None or t != rib_t:
                end_rib()
                advance(t)
                rib, rib_t = collections.defaultdict(dict), t
            rib[x[3]][x[5]] = x[6]
            continue
        end_rib()
        advance(t)
        if x[2] == 'A':
            tables[x[3]][x[5]] = x[6]
        elif x[2] == 'W':
            tables[x[3]].pop(x[5], None)
        elif x[2] == 'STATE' and x[5] == '6' and x[6] != '6':
            tables[x[3]] = {}
    end_rib()
    b = os.path.basename(files[-1]).split('.')
    advance(calendar.timegm(time.strptime(b[1] + b[2], '%Y%m%d%H%M')) + STEP)

    steps = collections.Counter()
    for r in truth:
        if r['entity_type'] in ('country', 'region', 'asn'):
            k, ch = (r['entity_type'], r['entity_code']), int(r['expected_change'])
            steps[k + (int(r['start']) // STEP * STEP,)] += ch
            steps[k + (int(r['end']) // STEP * STEP,)] -= ch
    ts = sorted(series)
    ents = set(k[:2] for k in steps)
    for t in ts:
        ents |= set(k for k in series[t] if k[1])
    checked = 0
    for e in sorted(ents):
        for t0, t1 in zip(ts, ts[1:]):
            got = series[t1][e] - series[t0][e]
            want = steps.get(e + (t1,), 0)
            checked += 1
            if got != want:
                problems.append('%s %s at %d: moved %+d, truth says %+d' % (e + (t1, got, want)))
    moved = sum(1 for e in ents for t0, t1 in zip(ts, ts[1:]) if series[t1][e] != series[t0][e])
    print('%d bins, %d entity steps checked, %d moves, %d problems' % (len(ts), checked, moved, len(problems)))
    for p in problems[:10]:
        print('  ' + p)
    return not problems and len(ts) > 1

if __name__ == '__main__':
    sys.exit(0 if globals()[sys.argv[1]](*sys.argv[2:]) else 1)
PY
check() { python3 "$TMP/check.py" "$@"; }

# sim NAME ARGS...: run darkwatch sim into $TMP/NAME (summary in NAME.summary)
sim() {
  local name=$1
  shift
  rm -rf "${TMP:?}/$name"
  if "$DW_BIN" sim --data "$DW_SHARED" --out "$TMP/$name" "$@" > "$TMP/$name.summary" 2> "$TMP/$name.err"; then
    ok "$name: sim ($(grep -o 'wrote.*records' "$TMP/$name.summary"))"
    return 0
  fi
  bad "$name: sim" "$(cat "$TMP/$name.err")"
  return 1
}
threshold() { grep -o 'full-feed-min-v4 [0-9]*' "$TMP/$1.summary" | cut -d' ' -f2; }

# same_decode NAME FILE...: darkwatch mrt dump -m == bgpdump -m, and
# darkwatch mrt stats skips nothing in them
same_decode() {
  local name=$1 f n=0 rc out
  shift
  for f in "$@"; do
    if [ ! -f "$TMP/$name/archive/$f" ]; then bad "$name: decode $f" "no such file"; return; fi
    "$DW_BIN" mrt dump -m "$TMP/$name/archive/$f" > "$TMP/dw.out" 2> "$TMP/dw.err" || { bad "$name: decode $f" "darkwatch exit $?: $(head -2 "$TMP/dw.err")"; return; }
    bgpdump -m "$TMP/$name/archive/$f" > "$TMP/bd.out" 2>/dev/null
    if ! cmp -s "$TMP/dw.out" "$TMP/bd.out" || [ ! -s "$TMP/dw.out" ]; then
      bad "$name: decode $f" "$(diff "$TMP/bd.out" "$TMP/dw.out" | head -3 | tr '\n' ' ')"
      return
    fi
    n=$((n + $(wc -l < "$TMP/dw.out")))
  done
  ok "$name: $# files decode identically with bgpdump -m ($n lines)"
  (cd "$TMP/$name/archive" && "$DW_BIN" mrt stats --json "$@") > "$TMP/$name.stats" 2> "$TMP/$name.stats.err"
  rc=$?
  out=$(check stats "$TMP/$name.stats" 2>&1) && [ $rc -eq 0 ] && ok "$name: mrt stats: $out" ||
    bad "$name: mrt stats (exit $rc)" "$out $(head -2 "$TMP/$name.stats.err")"
}

# common NAME 'COLLECTOR...' [REPLAYED...]: layout of the collectors, world
# files, signal replay of REPLAYED (default: all the collectors)
common() {
  local name=$1 colls=$2 c out
  shift 2
  [ $# -gt 0 ] || set -- $colls
  out=$(check layout "$TMP/$name" "$TMP/$name.summary" $colls) && ok "$name: RIS layout" || bad "$name: RIS layout" "$out"
  out=$(check world "$TMP/$name" 2>&1) && ok "$name: $out" || bad "$name: world files" "$out"
  for c in "$@"; do
    out=$(check oracle "$TMP/$name" "$c" "$(threshold "$name")" "$DW_BIN" mrt dump -m 2>&1) &&
      ok "$name: $c signal replay: $out" || bad "$name: $c signal replay" "$out"
  done
}

# has_rows NAME 'row prefix'...: truth.csv has each (entity,code,kind,start,)
has_rows() {
  local name=$1 r missing=""
  shift
  [ "$(head -1 "$TMP/$name/truth.csv")" = "entity_type,entity_code,kind,start,end,expected_change" ] ||
    { bad "$name: truth.csv" "header: $(head -1 "$TMP/$name/truth.csv")"; return; }
  for r in "$@"; do
    grep -q "^$r" "$TMP/$name/truth.csv" || missing="$missing [$r]"
  done
  if [ -z "$missing" ]; then ok "$name: truth.csv lists the $# scheduled events ($(($(wc -l < "$TMP/$name/truth.csv") - 1)) rows)"
  else bad "$name: truth.csv" "missing$missing"; fi
}

# ------------------------------------------------------------ iran-2019
# The day of the shutdown, 08:00-21:00 UTC Nov 16 (RIBs 08:00 and 16:00).
if sim iran --scenario "$SCN/iran-2019.yaml" --from 2019-11-16T08:00Z --until 2019-11-16T21:00Z; then
  common iran "rrc00 rrc01" rrc00  # rrc01 (3 full-feed peers) is replayed below
  D=rrc00/2019.11
  same_decode iran $D/bview.20191116.0800.gz $D/bview.20191116.1600.gz $D/updates.20191116.1400.gz \
    $D/updates.20191116.1630.gz $D/updates.20191116.1800.gz $D/updates.20191116.2000.gz \
    $D/updates.20191116.0935.gz rrc01/2019.11/updates.20191116.1400.gz rrc01/2019.11/updates.20191116.1830.gz
  has_rows iran asn,197207,partial_withdraw,1573912800, asn,44244,partial_withdraw,1573912800, \
    asn,57218,partial_withdraw,1573912800, asn,58224,partial_withdraw,1573921800, \
    asn,31549,dataplane_block,1573923600, asn,16322,partial_withdraw,1573927200, \
    asn,16322,dataplane_block,1573927200, asn,12880,dataplane_block,1573927200, \
    asn,58224,partial_withdraw,1573929000, asn,58224,partial_withdraw,1573934400,
  # The mobile drop at 14:00 is about a third of Iran; ITC moves nothing;
  # Iran stays above half of normal.
  out=$(python3 - "$TMP/iran" <<'PY'
import csv, ipaddress, sys
d = sys.argv[1]
ir = sum((int(ipaddress.IPv4Address(r[1])) - int(ipaddress.IPv4Address(r[0])) + 1) // 256
         for r in csv.reader(open(d + '/geo.csv')) if r[2] == 'IR')
rows = list(csv.DictReader(open(d + '/truth.csv')))
drop14 = -sum(int(r['expected_change']) for r in rows if r['entity_type'] == 'country'
              and r['entity_code'] == 'IR' and r['start'] == '1573912800')
total = -sum(int(r['expected_change']) for r in rows if r['entity_type'] == 'country' and r['entity_code'] == 'IR')
itc = [r for r in rows if r['entity_code'] == '12880' and r['kind'] == 'dataplane_block']
print('IR %d /24s, -%d at 14:00 (%.0f%%), -%d at most (%.0f%%)' % (ir, drop14, 100.0 * drop14 / ir, total, 100.0 * total / ir))
sys.exit(0 if 0.25 < drop14 / ir < 0.40 and total / ir < 0.5 and itc and itc[0]['expected_change'] == '0' else 1)
PY
  ) && ok "iran: $out" || bad "iran: shape of the drop" "$out"
fi

# ------------------------------------------------------------ quiet-week
if sim quiet --scenario "$SCN/quiet-week.yaml" --until 2019-11-04T04:00Z; then
  common quiet "rrc00 rrc03"
  same_decode quiet rrc00/2019.11/bview.20191104.0000.gz rrc03/2019.11/bview.20191104.0000.gz \
    rrc00/2019.11/updates.20191104.0000.gz rrc03/2019.11/updates.20191104.0155.gz rrc03/2019.11/updates.20191104.0355.gz
  [ "$(wc -l < "$TMP/quiet/truth.csv")" -eq 1 ] && ok "quiet: truth.csv has no event" || bad "quiet: truth.csv" "$(cat "$TMP/quiet/truth.csv")"
fi

# ------------------------------------------------------------ peer-reset
# 04:00-08:05 of the scenario (files from the 00:00 RIB), with the 08:00
# RIB that must show the reset peer's table back in full.
RESET_UNTIL=2019-11-20T08:05Z
if sim reset --scenario "$SCN/peer-reset.yaml" --until $RESET_UNTIL; then
  common reset "rrc00 rrc01"
  D=rrc00/2019.11
  same_decode reset $D/bview.20191120.0000.gz $D/bview.20191120.0800.gz $D/updates.20191120.0530.gz \
    $D/updates.20191120.0535.gz rrc01/2019.11/updates.20191120.0530.gz
  has_rows reset peer,rrc00:4.68.70.138,peer_reset,1574227930,1574228110,0
  [ "$(wc -l < "$TMP/reset/truth.csv")" -eq 2 ] && ok "reset: truth.csv has only the reset" || bad "reset: truth.csv" "$(cat "$TMP/reset/truth.csv")"
  states=$("$DW_BIN" mrt dump -m "$TMP/reset/archive/$D/updates.20191120.0530.gz" "$TMP/reset/archive/$D/updates.20191120.0535.gz" |
    awk -F'|' '$3 == "STATE" { printf "%s %s>%s;", $4, $6, $7 }')
  [ "$states" = "4.68.70.138 6>1;4.68.70.138 1>2;4.68.70.138 2>4;4.68.70.138 4>5;4.68.70.138 5>6;" ] &&
    ok "reset: session leaves Established and comes back" || bad "reset: state changes" "$states"

  # determinism
  if sim reset2 --scenario "$SCN/peer-reset.yaml" --until $RESET_UNTIL && diff -r "$TMP/reset" "$TMP/reset2" > /dev/null; then
    ok "reset: same seed, identical output"
  else bad "reset: determinism" "two runs with the same seed differ"; fi
  if sim reset-win --scenario "$SCN/peer-reset.yaml" --from 2019-11-20T05:00Z --until 2019-11-20T06:00Z; then
    n=0 diffs=""
    for f in $(cd "$TMP/reset-win/archive" && find . -name '*.gz' | sort); do
      n=$((n + 1))
      cmp -s "$TMP/reset-win/archive/$f" "$TMP/reset/archive/$f" || diffs="$diffs $f"
    done
    [ -z "$diffs" ] && [ $n -eq 146 ] && cmp -s "$TMP/reset-win/truth.csv" "$TMP/reset/truth.csv" &&
      ok "reset: --from/--until writes $n byte-identical files" || bad "reset: window" "$n files; differ:$diffs"
  fi
  if sim reset-seed --scenario "$SCN/peer-reset.yaml" --seed 43 --until 2019-11-20T06:00Z; then
    if cmp -s "$TMP/reset/truth.csv" "$TMP/reset-seed/truth.csv" && cmp -s "$TMP/reset/geo.csv" "$TMP/reset-seed/geo.csv" &&
       cmp -s "$TMP/reset/asnames.json.gz" "$TMP/reset-seed/asnames.json.gz" &&
       ! cmp -s "$TMP/reset/archive/$D/updates.20191120.0530.gz" "$TMP/reset-seed/archive/$D/updates.20191120.0530.gz"; then
      ok "reset: another seed, same world and truth, other archives"
    else bad "reset: --seed" "world/truth changed or archives did not"; fi
    out=$(check oracle "$TMP/reset-seed" rrc00 "$(threshold reset-seed)" "$DW_BIN" mrt dump -m 2>&1) &&
      ok "reset: seed 43 rrc00 signal replay: $out" || bad "reset: seed 43 signal replay" "$out"
  fi
fi

# ------------------------------------------------------------ every kind
cat > "$TMP/all-kinds.yaml" <<'EOF'
name: all-kinds
description: every event kind once, in six hours
seed: 5
start: 2019-11-20T00:00Z
end: 2019-11-20T06:00Z
data:
  pfx2as: data/pfx2as/ipasn_20140513.dat.gz
  asnames: data/pfx2as/asnames.json.gz
churn: {flaps_per_hour: 60, path_changes_per_hour: 60, path_bursts_per_day: 24}
transit: [3356, 1299, 174]
collectors:
  - name: rrc00
    address: 193.0.4.28
    peers:
      - {address: 62.115.142.20, asn: 1299, feed: full}
      - {address: 4.68.70.138, asn: 3356, feed: full}
      - {address: 129.250.1.71, asn: 2914, feed: full}
      - {address: 80.249.208.17, asn: 8455, feed: partial, share: 0.3}
  - name: rrc01
    address: 195.66.224.175
    peers:
      - {address: 195.66.225.76, asn: 3257, feed: full}
      - {address: 195.66.224.46, asn: 6453, feed: full}
      - {address: 195.66.224.229, asn: 174, feed: full}
      - {address: 195.66.224.230, asn: 4200000001, feed: full}
countries:
  - code: IR
    timezone: Asia/Tehran
    regions:
      - {name: Tehran, city: Tehran, lat: 35.6944, lon: 51.4215, weight: 4}
      - {name: Fars, city: Shiraz, lat: 29.6036, lon: 52.5388, weight: 1}
      - {name: Razavi Khorasan, city: Mashhad, lat: 36.2972, lon: 59.6067, weight: 1}
  - code: IQ
    timezone: Asia/Baghdad
    regions:
      - {name: Baghdad, city: Baghdad, lat: 33.3406, lon: 44.4009}
  - code: DE
    timezone: Europe/Berlin
    regions:
      - {name: Hesse, city: Frankfurt am Main, lat: 50.1155, lon: 8.6842}
ases:
  - {asn: 44244, country: IR, upstreams: [12880]}
  - {asn: 57218, country: IR, upstreams: [12880]}
  - {asn: 197207, country: IR, upstreams: [12880]}
  - {asn: 12880, country: IR, max_prefixes: 40, regions: [Tehran]}
  - {asn: 58224, country: IR, prefixes_of: [{asn: 59587, region: Fars}, 58085]}
  - {asn: 21277, country: IQ}
  - {asn: 3320, country: DE, max_prefixes: 200}
events:
  - {kind: withdraw, asn: 57218, start: 2019-11-20T01:00Z, end: 2019-11-20T02:00Z}
  - {kind: partial_withdraw, asn: 44244, fraction: 0.5, start: 2019-11-20T01:30Z, duration: 90m}
  - {kind: region_withdraw, country: IR, region: Fars, start: 2019-11-20T02:00Z, end: 2019-11-20T03:30Z}
  - {kind: country_withdraw, country: IQ, start: 2019-11-20T03:00Z, end: 2019-11-20T04:00Z}
  - {kind: dataplane_block, asn: 12880, start: 2019-11-20T01:00Z, end: 2019-11-20T05:00Z}
  - {kind: peer_reset, collector: rrc01, peer: 195.66.225.76, start: 2019-11-20T04:12:30Z, down: 2m}
EOF
if sim kinds --scenario "$TMP/all-kinds.yaml"; then
  common kinds "rrc00 rrc01"
  same_decode kinds rrc00/2019.11/bview.20191120.0000.gz rrc01/2019.11/bview.20191120.0000.gz \
    rrc00/2019.11/updates.20191120.0100.gz rrc00/2019.11/updates.20191120.0200.gz rrc00/2019.11/updates.20191120.0300.gz \
    rrc01/2019.11/updates.20191120.0410.gz rrc01/2019.11/updates.20191120.0415.gz
  has_rows kinds asn,57218,withdraw,1574211600,1574215200, asn,44244,partial_withdraw,1574213400,1574218800, \
    region,IR-Fars,region_withdraw,1574215200,1574220600, country,IQ,country_withdraw,1574218800,1574222400, \
    asn,12880,dataplane_block,1574211600,1574226000,0 peer,rrc01:195.66.225.76,peer_reset,1574223150,1574223270,0
fi

# A scenario mistake is reported with its line and writes nothing.
sed 's/^seed: 5/seeed: 5/' "$TMP/all-kinds.yaml" > "$TMP/typo.yaml"
rm -rf "$TMP/typo"
"$DW_BIN" sim --data "$DW_SHARED" --scenario "$TMP/typo.yaml" --out "$TMP/typo" > /dev/null 2> "$TMP/typo.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "typo.yaml:3: scenario: unknown key 'seeed'" "$TMP/typo.err" && [ ! -e "$TMP/typo" ]; then
  ok "a typo in a scenario: exit 1, file:line, nothing written"
else bad "scenario typo" "rc=$rc $(cat "$TMP/typo.err")"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
