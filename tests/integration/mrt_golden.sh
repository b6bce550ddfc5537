#!/usr/bin/env bash
# mrt_golden.sh - `darkwatch mrt dump -m` against bgpdump's own expected
# output (test_expect/*.bgp.gz, produced by upstream bgpdump -vm) for every
# file beside it.  These expectations include upstream's fix for host bits
# in NLRI (11.8.0.0/13), which Debian's 1.6.2 lacks and darkwatch has.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}"
DIR="$DW_SHARED/data/mrt/bgpdump"
pass=0 fail=0
for exp in "$DIR"/test_expect/*.bgp.gz; do
  f="$DIR/$(basename "$exp" .bgp.gz)"
  [ -f "$f" ] || continue
  if "$DW_BIN" mrt dump -m "$f" 2>/dev/null | cmp -s - <(zcat "$exp"); then
    pass=$((pass + 1)); echo "ok    $(basename "$f")"
  else
    fail=$((fail + 1)); echo "FAIL  $(basename "$f")"
    "$DW_BIN" mrt dump -m "$f" 2>&1 | diff <(zcat "$exp") - | head -5
  fi
done
[ $pass -gt 0 ] || { echo "no golden files found under $DIR"; exit 1; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
