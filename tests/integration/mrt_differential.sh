#!/usr/bin/env bash
# mrt_differential.sh - `darkwatch mrt dump -m` against Debian's bgpdump 1.6.2.
#
# Every MRT file under $DW_SHARED/data/mrt is decoded by both tools and the
# outputs compared byte for byte.  Where bgpdump is wrong, the file is listed
# below with the check that says what darkwatch prints instead (see
# docs/ARCHITECTURE.md, "Deviations from bgpdump"):
#   upstream  bgpdump 1.6.2 does not clear host bits; the upstream fixed
#             expectation in test_expect/ (11.8.0.0/13) must match exactly
#   type5     1999-2000 type 5 records: bgpdump drops the separator between
#             MED and communities (14 fields instead of 15) and prints the peer
#             address instead of the prefix in withdrawals (static inet_ntoa
#             buffer); after undoing those two bugs the outputs must be equal
#   expected  bgpdump prints nothing or garbage; our own expected file in
#             tests/data/expected/ (ADD-PATH NLRI in non-ADD-PATH records,
#             4-byte AGGREGATOR in TABLE_DUMP, BGP4MP_ENTRY, RIB without
#             PEER_INDEX_TABLE)
#   batched   early RIS TABLE_DUMP with lengths 4 bytes short: bgpdump stops
#             after one line; we must print the same first line and every
#             batched entry, well formed, with no record skipped
#   damaged   two damaged record boundaries: bgpdump prints garbage (/117
#             IPv4 prefixes) then stops; we must print the same lines up to
#             the damage, report the damaged record and resynchronise
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SRC:?}"
DATA="$DW_SHARED/data/mrt"
EXP="$DW_SRC/tests/data/expected"
TMP="${DW_SCRATCH:-$(mktemp -d)}"
command -v bgpdump >/dev/null || { echo "bgpdump not installed (scripts/deps.sh installs it)"; exit 1; }

declare -A MODE=(
  [bgpdump/updates.nlri_mask_trailing_bits.gz]=upstream
  [bgpkit/rrc00/1999.09/updates.19990903.1041.gz]=type5
  [bgpkit/rrc00/1999.12/updates.19991214.1621.gz]=type5
  [bgpkit/rrc00/2000.01/updates.20000102.2014.gz]=type5
  [bgpkit/rrc00/2000.01/bview.20000111.0032.gz]=batched
  [bgpkit/rrc00/2000.03/updates.20000325.0345.gz]=damaged
  [mrtparse/bird_bgp]=expected
  [mrtparse/bird6_bgp]=expected
  [mrtparse/openbgpd_rib_table]=expected
  [mrtparse/openbgpd_rib_table-mp]=expected
  [pyasn/bview.20140112.1600_3samples.bz2]=expected
)
# Files cut short on purpose (first MiB of a RIB): all complete records must
# match, and darkwatch must say the file is truncated (exit 2).
declare -A TRUNCATED=(
  [pyasn/rib.20080501.0644_firstMB.bz2]=1
  [pyasn/rib.20140523.0600_firstMB.bz2]=1
  [pyasn/rib6.20151101.0600_firstMB.bz2]=1
)

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1: $2"; }

# 15 '|'-separated fields for A/B lines, 6 for W, 7 for STATE.
wellformed() {
  awk -F'|' '
    $3 == "A" || $3 == "B" { if (NF != 15 || $6 !~ /\/[0-9]+$/) { print "line " NR ": " $0; exit 1 } next }
    $3 == "W" { if (NF != 6 || $6 !~ /\/[0-9]+$/) { print "line " NR ": " $0; exit 1 } next }
    $3 == "STATE" { if (NF != 7) { print "line " NR ": " $0; exit 1 } next }
    { print "line " NR ": unknown line " $0; exit 1 }' "$1"
}

# Undo bgpdump's two type 5 bugs in *our* output, to compare the rest.
type5_as_bgpdump() {
  awk -F'|' 'BEGIN { OFS = "|" }
    $1 == "BGP" && $3 == "A" { s = $1; for (i = 2; i <= NF; i++) s = (i == 12) ? s $i : s "|" $i; print s; next }
    $1 == "BGP" && $3 == "W" { sub(/^[^\/]*/, $4, $6); print; next }
    { print }' "$1"
}

cd "$DATA" || exit 1
files=$(find . -type f ! -name '*.bgp.gz' ! -name '*.md' ! -name '*.rst' | sed 's|^\./||' | sort)
[ -n "$files" ] || { echo "no MRT files under $DATA"; exit 1; }
for f in $files; do
  out="$TMP/dw.out" ref="$TMP/bd.out" err="$TMP/dw.err"
  "$DW_BIN" mrt dump -m "$f" > "$out" 2> "$err"; rc=$?
  bgpdump -m "$f" > "$ref" 2>/dev/null
  mode="${MODE[$f]:-same}"
  if [ -n "${TRUNCATED[$f]:-}" ]; then
    if [ $rc -eq 2 ] && grep -q "truncated" "$err" && cmp -s "$out" "$ref"; then ok "$f (truncated, $(wc -l < "$out") lines)"
    else bad "$f" "truncated file: rc=$rc, want 2, equal output and a truncation report"; fi
    continue
  fi
  case $mode in
  same)
    if [ $rc -eq 0 ] && cmp -s "$out" "$ref"; then ok "$f ($(wc -l < "$out") lines)"
    else bad "$f" "rc=$rc; $(diff "$ref" "$out" | head -3 | tr '\n' ' ')"; fi ;;
  upstream)
    if zcat "bgpdump/test_expect/$(basename "$f").bgp.gz" | cmp -s - "$out" && ! cmp -s "$out" "$ref"; then ok "$f (host bits cleared, as upstream)"
    else bad "$f" "$(cat "$out")"; fi ;;
  type5)
    if [ $rc -eq 0 ] && type5_as_bgpdump "$out" | cmp -s - "$ref" && wellformed "$out" >/dev/null; then ok "$f (type 5, 15 fields, real prefixes)"
    else bad "$f" "$(type5_as_bgpdump "$out" | diff "$ref" - | head -3 | tr '\n' ' ')"; fi ;;
  expected)
    e="$EXP/$(basename "$f").dump"
    if [ $rc -eq 0 ] && cmp -s "$out" "$e" && ! cmp -s "$out" "$ref"; then ok "$f (own expected file; bgpdump prints $(wc -l < "$ref") lines)"
    else bad "$f" "rc=$rc; $(diff "$e" "$out" | head -3 | tr '\n' ' ')"; fi ;;
  batched)
    n=$(wc -l < "$out")
    st=$("$DW_BIN" mrt stats --json "$f" | python3 -c 'import json,sys; d=json.load(sys.stdin)["files"][0]; print(d["records"], d["skipped"], d["problems"].get("length-fixup",0))')
    read -r recs skipped fix <<< "$st"
    if [ $rc -eq 0 ] && [ "$(head -1 "$out")" = "$(head -1 "$ref")" ] && [ "$n" -gt 400000 ] &&
       [ "$recs" = "$n" ] && [ "$skipped" = 0 ] && [ "$fix" -gt 0 ] && wellformed "$out" >/dev/null; then
      ok "$f (batched TABLE_DUMP: $n entries, $fix records repaired)"
    else bad "$f" "rc=$rc lines=$n stats=$st $(wellformed "$out")"; fi ;;
  damaged)
    k=4  # bgpdump's lines before the first damaged record
    if [ $rc -eq 2 ] && cmp -s <(head -$k "$ref") <(type5_as_bgpdump "$out" | head -$k) &&
       grep -q "offset 188 (BGP/UPDATE): skipped: withdrawn-length" "$err" &&
       grep -q "skipped: framing-lost" "$err" && [ "$(wc -l < "$out")" -gt 5000 ] &&
       wellformed "$out" >/dev/null && ! grep -q '/117' "$out"; then
      ok "$f (damage reported, resynchronised, $(wc -l < "$out") lines)"
    else bad "$f" "rc=$rc; $(head -2 "$err")"; fi ;;
  esac
done

# -M (human-readable times, short route lines) on a sample of every record type
for f in bgpdump/bview.64k_stream_overflow.gz bgpdump/bview.ipv6_unicast_add_path.gz \
         bgpdump/updates.20071015.1505.gz libbgpstream/routeviews.route-views.jinx.updates.1427846400.bz2 \
         mrtparse/openbgpd_bgp bgpkit/rrc01/2000.11/updates.20001104.0124.gz; do
  if cmp -s <("$DW_BIN" mrt dump -M "$f" 2>/dev/null) <(bgpdump -M "$f" 2>/dev/null); then ok "$f (-M)"
  else bad "$f (-M)" "$(diff <(bgpdump -M "$f" 2>/dev/null) <("$DW_BIN" mrt dump -M "$f" 2>&1) | head -3 | tr '\n' ' ')"; fi
done

# Several files in one call print the concatenation of each alone.
a=bgpdump/updates.20020722.2238.gz b=libbgpstream/ris.rrc06.updates.1427846400.gz
if cmp -s <("$DW_BIN" mrt dump -m "$a" "$b") <(cat <("$DW_BIN" mrt dump -m "$a") <("$DW_BIN" mrt dump -m "$b")); then ok "two files in one call"
else bad "two files in one call" "output differs from the concatenation"; fi

# --threads: inline (1) and parallel (3) decoding of a multi-block bzip2
# file give the same lines; a bad count is a usage error (exit 1).
f=pyasn/rib.20080501.0644_firstMB.bz2  # ~10 bzip2 blocks, cut mid-record
if cmp -s <("$DW_BIN" mrt dump -m --threads 1 "$f" 2>&1) <("$DW_BIN" mrt dump -m --threads 3 "$f" 2>&1) &&
   [ "$("$DW_BIN" mrt dump -m --threads 1 "$f" 2>/dev/null | wc -l)" -gt 100000 ]; then ok "$f (--threads 1 = --threads 3)"
else bad "$f (--threads)" "inline and parallel output differ"; fi
"$DW_BIN" mrt stats --threads 0 "$f" >/dev/null 2>&1
if [ $? -eq 1 ]; then ok "mrt stats --threads 0 is a usage error"; else bad "--threads 0" "not exit 1"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
