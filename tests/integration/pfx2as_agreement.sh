#!/usr/bin/env bash
# pfx2as_agreement.sh - the origin AS darkwatch derives per prefix from real
# RouteViews RIBs agrees with pyasn's prefix-to-AS table of the same day.
#
# `darkwatch mrt pfx2as --all-origins` gives the majority origin per prefix
# and the other origins seen.  Disagreement classes, each counted and
# printed:
#   absent  the prefix is not in pyasn's table (pyasn drops 0.0.0.0/0; the
#           IPv6 table was converted from another RouteViews file,
#           rib_v6v4.20151101.0600, see its header, so some prefixes differ)
#   moas    several origins are announced (anycast, MOAS); pyasn's origin is
#           one of those darkwatch saw, but not the majority
#   other   pyasn's origin is not seen at all in this RIB (the IPv6 table's
#           other source file: e.g. /126 link prefixes of AS4436 that this
#           RIB's peers see originated by AS3257)
# IPv4 (same RIB file): at least 99.5% agree and no `other`; IPv6 (a
# different RIB of the same day and hour): at least 90% agree.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}"
T="${DW_SCRATCH:-$(mktemp -d)}"
M="$DW_SHARED/data/mrt/pyasn" P="$DW_SHARED/data/pfx2as"
fail=0 pass=0

check() { # rib table min_agree_pct allow_other
  "$DW_BIN" mrt pfx2as --all-origins "$1" > "$T/ours.txt" 2> "$T/err.txt"
  python3 - "$T/ours.txt" "$2" "$3" "$4" <<'EOF'
import gzip, sys
ours, ref, minpct, allow_other = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
tab = {}
for line in gzip.open(ref, "rt"):
    if line.startswith(";") or not line.strip():
        continue
    p, a = line.split()[:2]
    tab[p] = int(a)
n = agree = 0
cls = {"absent": [], "moas": [], "other": []}
for line in open(ours):
    f = line.rstrip("\n").split("\t")
    p, a = f[0], int(f[1])
    others = [int(x) for x in f[2].split(",")] if len(f) > 2 and f[2] else []
    n += 1
    if p not in tab:
        cls["absent"].append(p)
    elif tab[p] == a:
        agree += 1
    elif tab[p] in others:
        cls["moas"].append((p, a, tab[p]))
    else:
        cls["other"].append((p, a, tab[p]))
pct = 100.0 * agree / n if n else 0
print(f"  {ref.split('/')[-1]}: {n} prefixes, {agree} agree ({pct:.2f}%)")
for k, v in cls.items():
    print(f"    {k:7s} {len(v):6d}  e.g. {v[:3]}")
ok = n > 1000 and pct >= minpct and (allow_other or not cls["other"])
sys.exit(0 if ok else 1)
EOF
}

if check "$M/rib.20080501.0644_firstMB.bz2" "$P/ipasn_20080501_v12.dat.gz" 99.5 0; then
  pass=$((pass + 1)); echo "ok    IPv4 RouteViews 2008-05-01"
else fail=$((fail + 1)); echo "FAIL  IPv4 RouteViews 2008-05-01"; fi
if check "$M/rib6.20151101.0600_firstMB.bz2" "$P/ipasn6_20151101.dat.gz" 90 1; then
  pass=$((pass + 1)); echo "ok    IPv6 route-views6 2015-11-01"
else fail=$((fail + 1)); echo "FAIL  IPv6 route-views6 2015-11-01"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
