#!/usr/bin/env bash
# mrt_malformed.sh - malformed MRT files through the real CLI, end to end.
#
# Writes small crafted files (hex assembled here, turned into bytes with
# `xxd -r -p`; gzip/bzip2 for the compressed variants) and checks what
# `darkwatch mrt dump -m` and `darkwatch mrt stats --json` make of them: the
# exit code, one stderr report per skipped record naming the file, the record
# offset and the reason, the lines of the good records around the damage, and
# the per-reason counts.  The byte-exact, per-class coverage is in
# tests/unit/test_malformed.c; this script proves the same outcomes reach the
# user.  Cases a decoder bug could break get files of their own, so one bug
# fails one case.
set -u
: "${DW_BIN:?DW_BIN must point at the darkwatch binary}"
[ -x "$DW_BIN" ] || { echo "DW_BIN=$DW_BIN is not an executable"; exit 1; }
cd "${DW_SCRATCH:-$(mktemp -d)}" || exit 1
for tool in xxd gzip bzip2 python3; do
	command -v "$tool" >/dev/null || { echo "missing $tool"; exit 1; }
done

fails=0
cases=0
fail() {
	echo "FAIL [$cname]: $*"
	fails=$((fails + 1))
}

# ---------------------------------------------------------------- bytes
TS=1600000000
MARKER=ffffffffffffffffffffffffffffffff
ORIGIN=40010100
ASPATH=40020602010000fde9            # AS_SEQUENCE 65001 (4-byte ASNs)
NEXTHOP=4003040a000001              # 10.0.0.1
STD=$ORIGIN$ASPATH$NEXTHOP
NLRI=18c63364                       # 198.51.100.0/24
PEERHDR=0000fde90000fde8000000010a0000010a000002 # AS65001 10.0.0.1 -> AS65000

# bgp TYPE BODY [LENGTH]: a BGP message (true length unless given)
bgp() { printf '%s%04x%02x%s' $MARKER "${3:-$((19 + ${#2} / 2))}" "$1" "$2"; }
# upd WITHDRAWN ATTRS NLRI: an UPDATE body
upd() { printf '%04x%s%04x%s%s' $((${#1} / 2)) "$1" $((${#2} / 2)) "$2" "$3"; }
# rec TS TYPE SUBTYPE BODY: an MRT record with the true length
rec() { printf '%08x%04x%04x%08x%s' "$1" "$2" "$3" $((${#4} / 2)) "$4"; }
# msg TS MSG [SUBTYPE]: BGP4MP MESSAGE_AS4 (or SUBTYPE) record
msg() { rec "$1" 16 "${3:-4}" "$PEERHDR$2"; }
good() { msg "$1" "$(bgp 2 "$(upd '' $STD $NLRI)")"; }
# pit TS "ip asn" ...: PEER_INDEX_TABLE of IPv4 peers with 4-byte ASNs
pit() {
	local ts=$1 body p ip asn
	shift
	body=$(printf '0a0000630000%04x' $#)
	for p in "$@"; do
		read -r ip asn <<<"$p"
		ip=$(printf '%02x' ${ip//./ })
		body+=$(printf '02%s%s%08x' "$ip" "$ip" "$asn")
	done
	rec "$ts" 13 1 "$body"
}
# rib TS PREFIXHEX IDX...: RIB_IPV4_UNICAST, one STD entry per peer index
rib() {
	local ts=$1 pfx=$2 body i
	shift 2
	body=$(printf '00000001%s%04x' "$pfx" $#)
	for i in "$@"; do
		body+=$(printf '%04x%08x%04x%s' "$i" "$ts" $((${#STD} / 2)) "$STD")
	done
	rec "$ts" 13 2 "$body"
}

hex=""
off=()
new() { hex="" off=() cname=$1; cases=$((cases + 1)); }
add() { off+=($((${#hex} / 2))); hex+=$1; }
save() { printf '%s' "$hex" | xxd -r -p >"$1"; }

# ------------------------------------------------------------ checks
# run CMD...: out.txt, err.txt, $rc; any sanitizer report is a failure
run() {
	"$@" >out.txt 2>err.txt
	rc=$?
	if grep -qE 'Sanitizer|runtime error:' err.txt; then
		fail "$*: sanitizer report"
		grep -E 'ERROR|SUMMARY|runtime error' err.txt | head -5 | sed 's/^/    /'
	fi
}
want_rc() {
	[ "$rc" -eq "$1" ] || {
		fail "$2: exit $rc, want $1"
		sed 's/^/    /' err.txt | head -8
	}
}
# want_report FILE OFFSET REASON: the stderr line of one skipped record
want_report() {
	grep -qE "^darkwatch: $1: record at offset $2 \([^)]*\): skipped: $3: " err.txt || {
		fail "$1: no '$3' report for the record at offset $2"
		sed 's/^/    /' err.txt | head -20
	}
}
want_reports() {
	local n
	n=$(grep -c ': record at offset ' err.txt)
	[ "$n" -eq "$2" ] || fail "$1: $n skip reports on stderr, want $2"
}
# want_lines PATTERN COUNT: dump lines containing PATTERN (fixed string)
want_lines() {
	local n
	n=$(grep -cF -- "$1" out.txt)
	[ "$n" -eq "$2" ] || {
		fail "'$1' printed $n times, want $2"
		sed 's/^/    /' out.txt | cut -c1-160 | head -20
	}
}
want_nlines() {
	local n
	n=$(wc -l <out.txt)
	[ "$n" -eq "$1" ] || fail "dump printed $n lines, want $1"
}
# want_stats FILE RC RECORDS SKIPPED "reason=n ...": mrt stats --json
# (SKIPPED may list accepted values: "0|1")
want_stats() {
	run "$DW_BIN" mrt stats --json "$1"
	want_rc "$2" "mrt stats $1"
	python3 -S - "$3" "$4" "$5" <<'EOF' || fail "$1: mrt stats --json counts"
import json, sys
try:
    f = json.load(open("out.txt"))["files"][0]
except Exception as e:
    print("    no JSON:", e)
    sys.exit(1)
want = {"records": int(sys.argv[1]), "skipped": sys.argv[2],
        "problems": {k: int(v) for k, v in
                     (w.split("=") for w in sys.argv[3].split())}}
got = {k: f.get(k) for k in want}
if str(got["skipped"]) in sys.argv[2].split("|"):
    got["skipped"] = sys.argv[2]  # one of the accepted values
if got != want:
    print("    got ", json.dumps(got, sort_keys=True))
    print("    want", json.dumps(want, sort_keys=True))
    sys.exit(1)
EOF
}
dump() { run "$DW_BIN" mrt dump -m "$1"; }

# ------------------------------------------------------------- cases

# Classes 3-15, 17: damaged UPDATE/OPEN messages between good records.
new attrs
add "$(good $TS)"                                                   # 0
add "$(msg $((TS + 1)) "$(bgp 2 "$(upd '' ${STD}d008010000010002 $NLRI)")")" # 1 ext length over block
add "$(good $((TS + 2)))"                                           # 2
add "$(msg $((TS + 3)) "$(bgp 2 "$(upd '' ${STD}0000 $NLRI)")")"   # 3 two stray bytes
add "$(good $((TS + 4)))"                                           # 4
add "$(msg $((TS + 5)) "$(bgp 2 "$(upd '' $STD$ORIGIN $NLRI)")")" # 5 ORIGIN twice
add "$(msg $((TS + 6)) "$(bgp 2 "$(upd '' $ORIGIN$ASPATH $NLRI)")")" # 6 no NEXT_HOP
add "$(msg $((TS + 7)) "$(bgp 2 "$(upd '' ${ORIGIN}40020602020000fde9$NEXTHOP $NLRI)")")" # 7 count 2, 1 ASN
add "$(msg $((TS + 8)) "$(bgp 2 "$(upd '' $STD 100a01210a01020304)")")" # 8 /16 then /33
add "$(msg $((TS + 9)) "$(bgp 2 "$(upd '' $STD d0000001180a0102)")")" # 9 ADD-PATH in plain (/208)
add "$(msg $((TS + 10)) "$(bgp 2 "$(upd '' ${ORIGIN}${ASPATH}800e0d001941040a0000010003010203 '')")")" # 10 AFI 25
add "$(msg $((TS + 11)) "$(bgp 2 "$(upd '' 4f010100$ASPATH$NEXTHOP 18cb0071)")")" # 11 reserved flags
add "$(msg $((TS + 12)) "$(bgp 2 "$(upd '' $STD $NLRI)" 52)")"    # 12 BGP length 5 over
add "$(msg $((TS + 13)) "$(bgp 1 04fde900b40a0000010a020641040000fde9)")" # 13 opt len past msg
add "$(msg $((TS + 14)) "$(bgp 2 "$(upd '' $STD 00)")")"          # 14 0.0.0.0/0
add "$(msg $((TS + 15)) "$(bgp 2 "$(upd '' $STD 00000000180a0102)")" 9)" # 15 path id 0
add "$(good $((TS + 16)))"                                          # 16
save attrs.mrt
dump attrs.mrt
want_rc 2 "mrt dump attrs.mrt"
want_report attrs.mrt "${off[1]}" attr-length
want_report attrs.mrt "${off[3]}" attr-trailing
want_report attrs.mrt "${off[5]}" attr-duplicate
want_report attrs.mrt "${off[6]}" attr-missing
want_report attrs.mrt "${off[7]}" aspath-segment
want_report attrs.mrt "${off[8]}" prefix-length
want_report attrs.mrt "${off[12]}" bgp-length
want_report attrs.mrt "${off[13]}" open-params
want_reports attrs.mrt 8
grep -q "attrs.mrt: 8 records or entries skipped" err.txt ||
	fail "no summary line for attrs.mrt"
want_lines "|198.51.100.0/24|" 4
want_lines "|$TS|A|10.0.0.1|65001|198.51.100.0/24|65001|IGP|10.0.0.1|0|0||NAG||" 1
want_lines "|10.1.0.0/16|" 1      # kept before the /33
want_lines "|10.1.2.0/24|" 2      # /208 repaired, and path id 0
want_lines "|0.0.0.0/0|" 1
want_lines "|203.0.113.0/24|" 1   # reserved flag bits tolerated
want_nlines 9
want_stats attrs.mrt 2 17 8 "attr-length=1 attr-trailing=1 attr-duplicate=1
	attr-missing=1 aspath-segment=1 prefix-length=1 bgp-length=1
	open-params=1 addpath-mismatch=1 mp-afi-safi=1 attr-flags=1"

# Class 6: three stray zero bytes after the last attribute.
new stray3
add "$(good $TS)"
add "$(msg $((TS + 1)) "$(bgp 2 "$(upd '' ${STD}000000 $NLRI)")")"
add "$(good $((TS + 2)))"
save stray3.mrt
dump stray3.mrt
want_rc 2 "mrt dump stray3.mrt"
want_report stray3.mrt "${off[1]}" attr-trailing
want_lines "|198.51.100.0/24|" 2
want_stats stray3.mrt 2 3 1 "attr-trailing=1"

# Class 1: plain file cut inside the second record.
new trunc
add "$(good $TS)"
add "$(good $((TS + 1)))"
hex=${hex:0:$((${#hex} - 20))}
save trunc.mrt
dump trunc.mrt
want_rc 2 "mrt dump trunc.mrt"
want_report trunc.mrt "${off[1]}" truncated-file
want_reports trunc.mrt 1
want_nlines 1
want_stats trunc.mrt 2 1 1 "truncated-file=1"

# Class 1: gzip and bzip2 (two members/streams), the second one cut.
for z in gzip bzip2; do
	new "trunc-$z"
	add "$(good $TS)"
	add "$(good $((TS + 1)))"
	save a.raw
	hex=""
	add "$(good $((TS + 2)))"
	add "$(good $((TS + 3)))"
	save b.raw
	second=$(stat -c %s a.raw)
	opt=-c
	[ "$z" = gzip ] && opt=-nc
	"$z" $opt <a.raw >"t.$z"
	"$z" $opt <b.raw >b.z
	head -c $(($(stat -c %s b.z) / 2)) b.z >>"t.$z"
	dump "t.$z"
	want_rc 2 "mrt dump t.$z"
	want_report "t.$z" "$second" truncated-file
	want_reports "t.$z" 1
	want_nlines 2
	# skipped: 1 if part of the cut record came out, 0 if none did
	want_stats "t.$z" 2 2 "0|1" "truncated-file=1"
done

# Class 20: gzip whose second member's first block has BTYPE 11.
new corrupt-gzip
add "$(good $TS)"
add "$(good $((TS + 1)))"
save a.raw
hex=""
add "$(good $((TS + 2)))"
add "$(good $((TS + 3)))"
save b.raw
gzip -n -c <a.raw >c.gz
gzip -n -c <b.raw >b.gz
printf '\377' | dd of=b.gz bs=1 seek=10 conv=notrunc status=none
cat b.gz >>c.gz
dump c.gz
want_rc 2 "mrt dump c.gz"
want_report c.gz "$(stat -c %s a.raw)" compress-error
want_reports c.gz 1
want_nlines 2
want_stats c.gz 2 2 0 "compress-error=1"

# Class 2 and 18: a valid 65555-byte record holding a 65535-byte UPDATE with
# 16371 communities.
new big
comms=$(printf 'fde9%04x' $(seq 1 16371))
attrs=${STD}d008$(printf '%04x' 65484)$comms
add "$(msg $TS "$(bgp 2 "$(upd '' "$attrs" $NLRI)")")"
add "$(good $((TS + 1)))"
save big.mrt
[ "${off[1]}" -eq $((12 + 65555)) ] || fail "big.mrt: first record is ${off[1]} bytes"
dump big.mrt
want_rc 0 "mrt dump big.mrt"
want_nlines 2
n=$(head -1 out.txt | awk -F'|' '{print split($12, c, " ")}')
[ "$n" = 16371 ] || fail "big.mrt: $n communities printed, want 16371"
head -1 out.txt | grep -q '|65001:1 65001:2 65001:3 ' || fail "big.mrt: communities text"
want_stats big.mrt 0 2 0 ""

# Class 2: record length past the end of the file.
new biglen
add "$(good $TS)"
add "$(printf '%08x%04x%04x%08x' $((TS + 1)) 16 4 1000000)$PEERHDR"
save biglen.mrt
dump biglen.mrt
want_rc 2 "mrt dump biglen.mrt"
want_report biglen.mrt "${off[1]}" truncated-file
want_nlines 1
want_stats biglen.mrt 2 1 1 "truncated-file=1"

# Class 16: peer index out of range drops one RIB entry (a loss).
new peer-index
add "$(pit $TS '10.9.9.9 65001' '10.9.9.10 65002')"
add "$(rib $((TS + 1)) 080a 0 7 1)"
add "$(good $((TS + 2)))"
save peeridx.mrt
dump peeridx.mrt
want_rc 2 "mrt dump peeridx.mrt"
want_report peeridx.mrt "${off[1]}" peer-index
want_lines "|B|10.9.9.9|65001|10.0.0.0/8|" 1
want_lines "|B|10.9.9.10|65002|10.0.0.0/8|" 1
want_nlines 3
want_stats peeridx.mrt 2 3 1 "peer-index=1"

# Class 16: a second PEER_INDEX_TABLE replaces the first (tolerated).
new peer-table-dup
add "$(pit $TS '10.9.9.9 65001')"
add "$(pit $((TS + 1)) '10.8.8.8 65101' '10.8.8.9 65102')"
add "$(rib $((TS + 2)) 080a 1)"
save pitdup.mrt
dump pitdup.mrt
want_rc 0 "mrt dump pitdup.mrt"
want_lines "|B|10.8.8.9|65102|10.0.0.0/8|" 1
want_nlines 1
want_stats pitdup.mrt 0 3 0 "peer-table-dup=1"

# Class 16: RIB without any PEER_INDEX_TABLE (tolerated, no peer printed).
new no-peer-table
add "$(rib $TS 080a 0)"
add "$(good $((TS + 1)))"
save nopit.mrt
dump nopit.mrt
want_rc 0 "mrt dump nopit.mrt"
want_lines "|B|||10.0.0.0/8|" 1
want_nlines 2
want_stats nopit.mrt 0 2 0 "no-peer-table=1"

# Class 16: a second table announcing 3 peers, cut after the first: skipped,
# and the first table stays in force.
new peer-table-cut
add "$(pit $TS '10.9.9.9 65001')"
t=$(pit $((TS + 1)) '10.8.8.1 65101' '10.8.8.2 65102' '10.8.8.3 65103')
add "${t:0:16}0000001a${t:24:52}"  # length 26: header, one peer, 5 bytes
add "$(rib $((TS + 2)) 080a 0)"
save pitcut.mrt
dump pitcut.mrt
want_rc 2 "mrt dump pitcut.mrt"
want_report pitcut.mrt "${off[1]}" record-truncated
want_lines "|B|10.9.9.9|65001|10.0.0.0/8|" 1
want_nlines 1

# Class 19: BGP4MP_ET (microseconds), then an ET record too short for them.
new et
add "$(rec $TS 17 4 0001e240$PEERHDR"$(bgp 2 "$(upd '' $STD $NLRI)")")"
add "$(printf '%08x%04x%04x%08x' $((TS + 1)) 17 4 0)"
add "$(good $((TS + 2)))"
save et.mrt
dump et.mrt
want_rc 2 "mrt dump et.mrt"
want_lines "BGP4MP_ET|$TS.123456|A|10.0.0.1|65001|198.51.100.0/24|" 1
want_report et.mrt "${off[1]}" record-truncated
want_nlines 2
want_stats et.mrt 2 2 1 "record-truncated=1"

# Class 19: time going backwards is counted, nothing is lost.
new backwards
add "$(good $TS)"
add "$(good $((TS - 100)))"
add "$(good $TS)"
save back.mrt
dump back.mrt
want_rc 0 "mrt dump back.mrt"
want_nlines 3
want_stats back.mrt 0 3 0 "time-backwards=1"

# Class 19: one record 40 days back between two of the same time: its
# framing is sound, so it is decoded and counted, not dropped.
new back40
add "$(good $TS)"
add "$(good $((TS - 40 * 86400)))"
add "$(good $TS)"
save back40.mrt
dump back40.mrt
want_rc 0 "mrt dump back40.mrt"
want_reports back40.mrt 0
want_nlines 3
want_stats back40.mrt 0 3 0 "time-backwards=1"

# A file that cannot be opened, next to a good one.
new unreadable
add "$(good $TS)"
save one.mrt
dump missing.mrt
want_rc 3 "mrt dump missing.mrt"
run "$DW_BIN" mrt dump -m one.mrt missing.mrt
want_rc 3 "mrt dump one.mrt missing.mrt"
want_nlines 1
grep -q "missing.mrt" err.txt || fail "missing.mrt not named on stderr"

echo "$cases cases, $fails failures"
[ "$fails" -eq 0 ]
