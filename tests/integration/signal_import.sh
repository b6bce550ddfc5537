#!/usr/bin/env bash
# signal_import.sh - `darkwatch signal import|export|list|check` end to end.
#
#  1. A CSV with a BOM, CRLF line ends, shuffled mixed-case columns, quoted
#     names with commas and doubled quotes, ISO and epoch times, an empty
#     value and a blank line is imported; CSV and JSON exports (whole and
#     ranged) are compared byte for byte with what they must be.
#  2. Re-importing is a no-op that says so (exports and counts unchanged);
#     --force re-imports to the same content.
#  3. A CSV with bad rows exits 2, lists every bad line by number and
#     commits nothing (not even its good rows); past 50 problems, a count.
#  4. kill -9: 20 imports, each of a file not yet in the store (10 files x
#     30,000 rows = 300k rows; the store starts afresh when all are in), are
#     killed after a random delay; after each, `signal check` passes and
#     every file is either entirely present (and in the ingestion log) or
#     absent.  A clean run then skips exactly the files present and completes
#     the rest, and every series is exported and compared with its source.
# The kill delays scale with a measured import time (so kills land before,
# during and after the commit in fast and sanitizer builds alike); DW_SEED
# fixes the random sequence.
set -u
: "${DW_BIN:?}" "${DW_SCRATCH:?}"
cd "$DW_SCRATCH" || exit 1
rm -rf signal_import && mkdir signal_import && cd signal_import || exit 1

fail=0
ok() { echo "ok    $*"; }
bad() {
	echo "FAIL  $*"
	fail=$((fail + 1))
}
same() { # NAME GOT WANT
	if cmp -s "$2" "$3"; then ok "$1"; else
		bad "$1"
		diff -u "$3" "$2" | head -20
	fi
}
rc_is() { # NAME GOT WANT
	if [ "$2" -eq "$3" ]; then ok "$1 (exit $2)"; else bad "$1: exit $2, want $3"; fi
}
has() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		bad "$1: no '$3' in:"
		head -5 "$2"
	fi
}
sig() { "$DW_BIN" signal "$@"; }

# ---------------------------------------------------------------- 1. basic
DB=basic.db
printf '\xef\xbb\xbf' >a.csv
printf '%s\r\n' \
	'value,Entity_Type,ENTITY_CODE,time,entity_name' \
	'100,country,IR,2019-11-16T14:00:00Z,"Iran, Islamic Republic of"' \
	'99.5,country,IR,1573913100,' \
	',country,IR,2019-11-16T14:10Z,' \
	'' \
	'61.25,country,IR,2019-11-16 14:15:00,"Iran, Islamic Republic of"' \
	'5,asn,12880,2019-11-16T14:00:00+00:00,"ITC ""DCI"""' \
	'0.1,asn,12880,1573913400,' \
	'-3,asn,12880,"2019-11-16T14:20Z",' \
	' 7 , asn , 12880 , 1573914600 , ' >>a.csv

sig import --db $DB --datasource bgp --csv a.csv >out 2>err
rc_is "import" $? 0
has "import summary" out "imported 7 points into 2 series of datasource bgp, 2019-11-16T14:00:00Z .. 2019-11-16T14:30:00Z; 1 empty values skipped"

printf 'time,value\n1573912800,100\n1573913100,99.5\n1573913700,61.25\n' >want_ir.csv
sig export --db $DB --datasource bgp --entity country/IR >ir.csv
rc_is "export csv" $? 0
same "export csv content" ir.csv want_ir.csv

cat >want_as.json <<'EOF'
[
{"time":1573912800,"value":5},
{"time":1573913400,"value":0.1},
{"time":1573914000,"value":-3},
{"time":1573914600,"value":7}
]
EOF
sig export --db $DB --datasource bgp --entity asn/12880 --format json >as.json
rc_is "export json" $? 0
same "export json content" as.json want_as.json

printf 'time,value\n1573913100,99.5\n' >want_range.csv
sig export --db $DB --datasource bgp --entity country/IR \
	--from 2019-11-16T14:05Z --until 1573913700 >range.csv
same "export --from/--until is [from, until)" range.csv want_range.csv
printf '[]\n' >want_empty.json
sig export --db $DB --datasource bgp --entity asn/12880 --from 2030-01-01 \
	--format json >empty.json
same "export of an empty range" empty.json want_empty.json

sig list --db $DB >list
has "list: IR at 300 s" list "country/IR           bgp              -            300          3"
has "list: AS12880 at 600 s (inferred)" list "asn/12880            bgp              -            600          4"

sig export --db $DB --datasource merit-nt --entity country/IR >/dev/null 2>err
rc_is "export of an unknown datasource" $? 1
has "... names the datasources there are" err "it has: bgp"
sig export --db $DB --datasource bgp --entity country/FR >/dev/null 2>err
rc_is "export of an unknown entity" $? 1
has "... names the entities there are" err "entities of type country: IR"
sig export --db nowhere.db --datasource bgp --entity country/IR >/dev/null 2>err
rc_is "export from a missing store" $? 3
[ ! -e nowhere.db ] && ok "a missing store is not created by export" ||
	bad "export created nowhere.db"
sig export --db $DB --datasource bgp --entity IR >/dev/null 2>err
rc_is "export --entity without TYPE/" $? 1

# --------------------------------------------------------- 2. idempotency
sig check --db $DB >check1
rc_is "check" $? 0
sig import --db $DB --datasource bgp --csv a.csv >out 2>err
rc_is "re-import" $? 0
has "re-import says so" out "already imported into bgp"
sig check --db $DB >check2
same "re-import leaves the counts" check2 check1
sig export --db $DB --datasource bgp --entity country/IR >ir2.csv
same "re-import leaves the series" ir2.csv want_ir.csv
sig import --db $DB --datasource bgp --csv a.csv --force >out 2>err
rc_is "forced re-import" $? 0
sig check --db $DB >check3
same "forced re-import: same counts" check3 check1
sig export --db $DB --datasource bgp --entity asn/12880 --format json >as2.json
same "forced re-import: same series" as2.json want_as.json
has "counts" check1 "ok: schema 3, 2 entities, 2 series, 7 points, 1 inputs imported"

# ------------------------------------------------------------ 3. bad rows
cat >bad.csv <<'EOF'
entity_type,entity_code,time,value,step
country,FR,2019-11-16T14:00:00Z,1,
country,IR,2019-11-16T14:00:30Z,1,
planet,X,0,1,
asn,AS123,0,1,
asn,123,2019-11-16T14:00:00+03:30,1,
asn,123,0,abc,
asn,123,0,0x10,
asn,123,0,1,60
asn,123,60,1,300
asn,123,60,2,
country,FR,"0,1",2,
country,FR,0,"1"x,
country,FR,0,1
country,FR,2019-11-16T14:00:00Z,2,
country,"FR
EOF
sig import --db $DB --datasource bgp --csv bad.csv >out 2>err
rc_is "import with bad rows" $? 2
lines=$(grep -o '^darkwatch signal import: bad.csv:[0-9]*:' err | cut -d: -f3 | tr '\n' ' ')
if [ "$lines" = "3 4 5 6 7 8 10 12 13 14 15 16 " ]; then
	ok "every bad line reported, in order"
else
	bad "bad lines reported: '$lines'"
	cat err
fi
has "line 3: time not on the step" err "bad.csv:3: time 2019-11-16T14:00:30Z is not a multiple of the step of country/IR (300 s"
has "line 15: duplicate time" err "bad.csv:15: country/FR has a value at 2019-11-16T14:00:00Z already (line 2)"
has "summary" err "bad.csv: 12 problems; nothing was imported"
sig check --db $DB >check4
same "bad rows: nothing committed" check4 check1
sig export --db $DB --datasource bgp --entity country/FR >/dev/null 2>&1
rc_is "bad rows: not even the good rows (country/FR)" $? 1

{
	echo "entity_type,entity_code,time,value"
	for i in $(seq 1 120); do echo "asn,64999,$((i * 300 + 7)),1"; done
} >many.csv
sig import --db $DB --datasource bgp --csv many.csv --step 300 >out 2>err
rc_is "120 bad rows" $? 2
n=$(grep -c '^darkwatch signal import: many.csv:[0-9]*:' err)
[ "$n" -eq 50 ] && ok "first 50 shown" || bad "$n problems shown, want 50"
has "then a count" err "... and 70 more problems not shown"
has "first shown is line 2" err "many.csv:2: time"

# ------------------------------------------------------------- 4. kill -9
NF=10
ROWS=30000
BASE=1572998400 # a multiple of 300
gen() {         # K -> file K: asn/6450K, ROWS points every 300 s
	awk -v n=$ROWS -v k="$1" -v base=$BASE 'BEGIN {
		print "entity_type,entity_code,time,value"
		for (i = 0; i < n; i++)
			print "asn," 64500 + k "," base + 300 * i "," \
				(i * 37 + k * 101) % 1000 + (i % 4) * 0.25
	}' >"f$1.csv"
}
for k in $(seq 1 $NF); do gen "$k"; done

printf 'entity_type,entity_code,time,value\ncountry,IR,0,1\n' >seed.csv
KDB=kill.db
reseed() {
	rm -f $KDB $KDB-wal $KDB-shm
	sig import --db $KDB --datasource bgp --csv seed.csv >/dev/null || bad "seed import"
	sig list --db $KDB >list
}
reseed

ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(ms)
sig import --db calib.db --datasource bgp --csv f1.csv >/dev/null || bad "calibration import"
took=$(($(ms) - t0))
maxd=$((took * 12 / 10))
[ $maxd -lt 300 ] && maxd=300
[ $maxd -gt 3000 ] && maxd=3000
seed=${DW_SEED:-$$}
RANDOM=$seed
echo "kill -9 test: one import takes ${took} ms; delays 0..${maxd} ms; DW_SEED=$seed"

# present K -> 1 if file K is fully in the store, 0 if absent, 2 if partial
present() {
	local n
	n=$(awk -v e="asn/$((64500 + $1))" '$1 == e { print $5 }' list)
	if [ -z "$n" ]; then echo 0; elif [ "$n" -eq $ROWS ]; then echo 1; else echo 2; fi
}
midway=0 completed=0 resets=0
for it in $(seq 0 19); do
	k=0
	for j in $(seq 1 $NF); do
		if [ "$(present "$j")" = 0 ]; then
			k=$j
			break
		fi
	done
	if [ $k = 0 ]; then
		reseed
		resets=$((resets + 1))
		k=1
	fi
	d=$((RANDOM % (maxd + 1)))
	# DW_BIN itself, not the sig function: $! must be the importer's pid
	"$DW_BIN" signal import --db $KDB --datasource bgp --csv "f$k.csv" \
		>"log$it" 2>&1 &
	pid=$!
	sleep "$(awk -v d=$d 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -9 $pid 2>/dev/null && midway=$((midway + 1))
	{ wait $pid; } 2>/dev/null
	if ! sig check --db $KDB >check 2>&1; then
		bad "iteration $it (f$k, ${d} ms): check failed"
		cat check
		continue
	fi
	sig list --db $KDB >list || bad "iteration $it: list failed"
	full=0 partial=0
	for j in $(seq 1 $NF); do
		case $(present "$j") in
		1) full=$((full + 1)) ;;
		2) partial=$((partial + 1)) ;;
		esac
	done
	inputs=$(sed -n 's/.* \([0-9]*\) inputs imported$/\1/p' check)
	[ "$(present "$k")" = 1 ] && completed=$((completed + 1))
	if [ $partial -ne 0 ]; then
		bad "iteration $it (f$k, ${d} ms): $partial files partly imported"
	elif [ "$inputs" != $((full + 1)) ]; then
		bad "iteration $it (f$k, ${d} ms): $full files present, $inputs in the log"
	fi
done
echo "kill -9 test: $midway of 20 imports killed while running, $completed" \
	"committed (store restarted $resets times)"
ok "20 kills: the store stayed sound, no file half there (unless FAIL above)"

# a clean run: exactly the files present are skipped
sig list --db $KDB >list
for k in $(seq 1 $NF); do
	was=$(present "$k")
	sig import --db $KDB --datasource bgp --csv "f$k.csv" >out 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "clean import of f$k: exit $rc"
		cat out
	elif [ "$was" = 1 ] && ! grep -q "already imported" out; then
		bad "f$k was complete but was imported again"
	elif [ "$was" = 0 ] && ! grep -q "imported $ROWS points" out; then
		bad "f$k was absent but was not imported: $(cat out)"
	fi
done
sig check --db $KDB >check
has "after the clean run" check "ok: schema 3, $((NF + 1)) entities, $((NF + 1)) series, $((NF * ROWS + 1)) points, $((NF + 1)) inputs imported"
for k in $(seq 1 $NF); do
	tail -n +2 "f$k.csv" | awk -F, 'BEGIN { print "time,value" } { print $3 "," $4 }' >want
	sig export --db $KDB --datasource bgp --entity "asn/$((64500 + k))" >got
	cmp -s got want || {
		bad "f$k: exported series differs from the file"
		diff want got | head -5
	}
done
ok "every series exported equals its file (unless FAIL above)"

echo "$fail failed (${SECONDS} s)"
[ $fail -eq 0 ]
