#!/usr/bin/env bash
# cib_import.sh - `darkwatch cib import` and `cib networks` end to end.
#
#  1. The real CooRTweet Russian retweet file (35,125 rows): accounts,
#     posts, objects and actions equal what python3 counts independently;
#     importing it again is skipped (ingestion log), and with --force adds
#     nothing.
#  2. Crafted twitter-io, generic CSV and JSONL files with URLs (tracking
#     parameters, case, ports, fragments), hashtag lists, quoted multi-line
#     text: the stored objects and texts are exactly the expected ones; the
#     same twitter-io file gzip-compressed gives the same tables.
#  3. Bad rows: exit 2, one FILE:LINE: message per bad row with the line
#     the record starts on, the good rows imported; a header without the
#     required columns, a missing file and a truncated gzip file: exit 3
#     (the rows before the damage are kept; the whole file completes them).
#  4. kill -9 in the middle of importing a generated 300,000-row file (in
#     transactions of 20,000 posts, so the kill lands after some commits),
#     then importing it again: every cib table is identical (ids included)
#     to a clean import of the file.
#  5. `cib detect` then `cib networks` in every format: json, csv and
#     graphml parse (python3 json, csv, xml.etree) and agree on networks.
set -u
: "${DW_BIN:?}" "${DW_SHARED:?}" "${DW_SCRATCH:?}"
cd "$DW_SCRATCH" || exit 1
rm -rf cib_import && mkdir cib_import && cd cib_import || exit 1

fail=0
pass=0
ok() {
	echo "ok    $*"
	pass=$((pass + 1))
}
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
imp() { "$DW_BIN" cib import "$@"; }
counts() { # DB -> "accounts posts objects actions"
	sqlite3 "$1" "select (select count(*) from cib_account), (select count(*) from cib_post), (select count(*) from cib_object), (select count(*) from cib_action)" | tr '|' ' '
}
dump() { # DB -> every cib import table, ordered, ids included
	sqlite3 "$1" "select 'A', * from cib_account order by id;
		select 'O', * from cib_object order by id;
		select 'P', * from cib_post order by id;
		select 'X', * from cib_action order by trace, object_id, t, account_id, post_id;"
}

# ------------------------------------------------------------ 1. Russian
RU="$DW_SHARED/data/cib/coortweet/russian_coord_tweets.csv"
imp --db ru.db --format coortweet "$RU" >out 2>err
rc_is "import the Russian file" $? 0
has "summary counts 35125 rows" out "35125 rows"
python3 - "$RU" >want <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
acc = {r["account_id"] for r in rows}
posts = {r["content_id"] for r in rows}
objs = {r["object_id"] for r in rows}
acts = {(r["object_id"], r["content_id"]) for r in rows}
print(len(acc), len(posts), len(objs), len(acts))
EOF
counts ru.db >got
same "Russian file: accounts, posts, objects, actions as python counts them ($(cat want))" got want
[ "$(cut -d' ' -f1 want)" = 9509 ] && ok "9509 accounts" || bad "accounts: $(cat want)"
imp --db ru.db --format coortweet "$RU" >out 2>err
rc_is "re-import" $? 0
has "re-import is skipped" out "already imported"
imp --db ru.db --format coortweet --force "$RU" >out 2>err
rc_is "re-import --force" $? 0
has "--force: no post new" out "0 posts new"
counts ru.db >got
same "--force adds nothing" got want

# --------------------------------------------------------- 2. crafted files
{
	echo 'tweetid,userid,user_display_name,user_screen_name,user_reported_location,tweet_language,tweet_text,tweet_time,tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices'
	echo '1001,u1,"Name, One",one,Tehran,fa,"RT @x: shared, text",2019-11-16 14:05,Twitter for Android,,,,True,u9,900,absent,absent,0,0,0,0,"[Iran, IRAN]",[https://WWW.Example.COM:443/a/?utm_source=tw&id=3#top],[],'
	echo '1002,u2,Two,two,,fa,"line one'
	echo 'line two, with ""quotes""",2019-11-16 14:06,Twitter Web App,,,,False,,,absent,absent,0,0,0,0,"['"'"'Iran'"'"', '"'"'Mahsa'"'"']","['"'"'http://news.bbc.co.uk/x?fbclid=1'"'"', '"'"'https://t.co/AbC'"'"']",[],'
	echo '1003,u1,"Name, One",one,Tehran,en,plain,2019-11-16 14:07,Twitter Web App,,,,False,,,absent,absent,0,0,0,0,[],[],[],'
} >tio.csv
imp --db tio.db --format twitter-io tio.csv >out 2>err
rc_is "twitter-io import" $? 0
sqlite3 tio.db "select trace, key from cib_object order by trace, key" >got
cat >want <<'EOF'
0|900
1|http://news.bbc.co.uk/x
1|https://t.co/AbC
1|https://www.example.com/a?id=3
2|bbc.co.uk
2|example.com
2|t.co
3|iran
3|mahsa
EOF
same "twitter-io objects (urls, domains, hashtags, retweet)" got want
sqlite3 tio.db "select p.key, a.name, p.t, coalesce(p.text, 'NULL') from cib_post p join cib_account a on a.id = p.account_id order by p.key" >got
cat >want <<'EOF'
1001|u1|1573913100|NULL
1002|u2|1573913160|line one
line two, with "quotes"
1003|u1|1573913220|plain
EOF
same "twitter-io posts: userid as account, retweet text dropped, multi-line text kept" got want
gzip -c tio.csv >tio.csv.gz
imp --db tiogz.db --format twitter-io tio.csv.gz >out 2>err
rc_is "gzip import" $? 0
dump tio.db >want
dump tiogz.db >got
same "gzip input gives the same tables" got want

cat >gen.csv <<'EOF'
account,time,post,urls,hashtags,image,text
alice,2021-06-01T10:00:00Z,p1,"https://x.org/a/ https://x.org/a?utm_campaign=1","#One,#two",img1,"hello, world"
bob,1622541601,,http://sub.x.org/b,"['ONE']",,
bob,1622541601,,http://sub.x.org/b,"['ONE']",,
EOF
imp --db gen.db --format generic gen.csv >out 2>err
rc_is "generic import" $? 0
has "generic: the repeated row (no post id) is a duplicate" out "2 posts new, 1 duplicates"
sqlite3 gen.db "select trace, key from cib_object order by trace, key" >got
cat >want <<'EOF'
1|http://sub.x.org/b
1|https://x.org/a
2|x.org
3|one
3|two
4|img1
EOF
same "generic objects" got want
cat >gen.jsonl <<'EOF'
{"account": "alice", "time": "2021-06-01T10:00:00Z", "post": "p1", "urls": ["https://x.org/a/", "https://x.org/a?utm_campaign=1"], "hashtags": "#One,#two", "image": "img1", "text": "hello, world"}
{"account": "bob", "time": 1622541601, "urls": "http://sub.x.org/b", "hashtags": ["ONE"]}
EOF
imp --db js.db --format jsonl gen.jsonl >out 2>err
rc_is "jsonl import" $? 0
dump gen.db >want
dump js.db >got
same "jsonl gives the tables the equivalent CSV gives" got want

# ------------------------------------------------------------- 3. bad rows
cat >bad.csv <<'EOF'
account,time,post,text
a,1622541600,p1,ok
b,yesterday,p2,x
,1622541600,p3,x
c,1622541600,p4,"multi
line"
d,1622541600
e,1622541600,p6,fine
EOF
imp --db bad.db --format generic bad.csv >out 2>err
rc_is "bad rows" $? 2
has "bad time reported with its line" err "bad.csv:3: bad time 'yesterday'"
has "no account reported with its line" err "bad.csv:4: no account"
has "short row reported with the line it starts on" err "bad.csv:7: 2 fields where the header has 4"
has "summary counts bad rows" out "6 rows, 3 posts new, 0 duplicates, 3 bad"
echo 'user,when' >nohdr.csv
imp --db bad.db --format generic nohdr.csv >out 2>err
rc_is "header without account/time" $? 3
has "missing column named" err "no 'account' column"
imp --db bad.db --format generic does-not-exist.csv >out 2>err
rc_is "missing file" $? 3
imp --db bad.db --format nosuch bad.csv >out 2>err
rc_is "unknown format" $? 1
gzip -c "$RU" | head -c 300000 >trunc.csv.gz
imp --db trunc.db --format coortweet trunc.csv.gz >out 2>err
rc_is "truncated gzip" $? 3
has "truncated gzip reported" err "unexpected end of file"
n=$(sqlite3 trunc.db "select count(*) from cib_post")
imp --db trunc.db --format coortweet "$RU" >out 2>err
rc_is "then the whole file" $? 0
counts trunc.db >got
counts ru.db >want
[ "$n" -gt 0 ] && ok "rows before the damage kept ($n posts)" || bad "nothing kept before the damage"
same "truncated then whole: the tables of the whole file" got want

# ----------------------------------------------------- 4. kill -9, re-import
python3 - big.csv <<'EOF'
import random, sys
r = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("account,time,post,shared,urls,hashtags,text\n")
    for i in range(300000):
        a = "acc%d" % int(r.paretovariate(1.2) * 10 % 40000)
        t = 1600000000 + i * 3 + r.randrange(3)
        post = "" if i % 10 == 0 else "p%d" % i
        sh = "s%d" % r.randrange(20000) if r.random() < 0.6 else ""
        url = "https://site%d.example.com/s/%d?utm_source=x" % (r.randrange(500), r.randrange(5000)) if r.random() < 0.3 else ""
        tags = "#t%d #T%d" % (r.randrange(300), r.randrange(300)) if r.random() < 0.3 else ""
        text = '"text %d, with a comma\nand a line"' % r.randrange(1000) if r.random() < 0.1 else ""
        f.write("%s,%d,%s,%s,%s,%s,%s\n" % (a, t, post, sh, url, tags, text))
EOF
start=$SECONDS
imp --db clean.db --format generic big.csv >out 2>err
rc_is "clean import of 300k rows ($((SECONDS - start)) s: $(cat out))" $? 0
imp --db kill.db --format generic --batch 20000 big.csv >kout 2>kerr &
pid=$!
# wait for at least one committed batch, then kill in the middle
for _ in $(seq 1 600); do
	n=$(sqlite3 kill.db "select count(*) from cib_post" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 0 ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(sqlite3 kill.db "select count(*) from cib_post")
total=$(sqlite3 clean.db "select count(*) from cib_post")
if [ "$n" -gt 0 ] && [ "$n" -lt "$total" ]; then
	ok "killed mid-import with $n of $total posts committed"
else
	bad "kill did not land mid-import ($n of $total posts)"
fi
imp --db kill.db --format generic --batch 20000 big.csv >out 2>err
rc_is "re-import after kill -9" $? 0
dump clean.db >want
dump kill.db >got
same "after kill -9 and re-import: tables identical to a clean import" got want
sqlite3 kill.db "pragma integrity_check; pragma foreign_key_check" >got
echo ok >want
same "integrity and foreign keys after the kill" got want

# --------------------------------------------------- 5. networks: formats
"$DW_BIN" cib detect --db ru.db --min-weight 0 --min-repeat 2 -q >out 2>err
rc_is "detect on the Russian file" $? 0
for f in json csv graphml table; do
	"$DW_BIN" cib networks --db ru.db --format $f >net.$f 2>err
	rc_is "networks --format $f" $? 0
done
python3 - <<'EOF' >got 2>&1
import csv, json, xml.etree.ElementTree as ET
j = json.load(open("net.json"))
nets = j["networks"]
assert j["run"]["id"] >= 1 and "window" in j["run"]["params"]
for n in nets:
    assert n["size"] == len(n["members"]) and n["members"]
    for e in n["evidence"]:
        assert e["seconds"] == abs(e["tb"] - e["ta"]) and e["key"]
    assert isinstance(n["indicators"], list) and isinstance(n["top"], dict)
rows = list(csv.DictReader(open("net.csv", newline="")))
assert len(rows) == len(nets)
for r, n in zip(rows, nets):
    assert int(r["size"]) == n["size"] and len(r["members"].split()) == n["size"]
g = ET.parse("net.graphml").getroot()
ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
nodes = g.findall(".//g:node", ns)
edges = g.findall(".//g:edge", ns)
assert len(nodes) == sum(n["size"] for n in nets)
assert len(edges) == sum(len(n["edges"]) for n in nets)
print("formats agree:", len(nets), "networks")
EOF
if grep -q "^formats agree" got; then ok "json, csv and graphml parse and agree ($(cat got))"; else
	bad "formats: $(cat got)"
fi
"$DW_BIN" cib networks --db gen.db >out 2>err
rc_is "networks on a store without a run" $? 1

# ------------------------------------------------------- 6. indicators
# A network of six accounts (one named like a handle in Meta's China report)
# repeatedly sharing links to amc239.com (a domain of Meta's Iran report)
# within seconds, in organic noise: detect --indicators marks it.
python3 - ind.csv <<'EOF2'
import random, sys
r = random.Random(3)
with open(sys.argv[1], "w") as f:
    f.write("account,time,post,shared,urls,hashtags\n")
    for k in range(20000):
        f.write("org%d,%d,o%d,s%d,https://site%d.com/x,\n" % (r.randrange(3000),
                1600000000 + r.randrange(30 * 86400), k, r.randrange(5000), r.randrange(300)))
    members = ["SaraSil39636921", "m1", "m2", "m3", "m4", "m5"]
    i = 0
    for e in range(25):
        t0 = 1600000000 + e * 86400 + r.randrange(3600)
        for m in members:
            if r.random() < 0.85:
                i += 1
                f.write("%s,%d,c%d,camp%d,https://www.amc239.com/story/%d?utm_source=x,#op\n"
                        % (m, t0 + r.randrange(20), i, e, e))
EOF2
imp --db ind.db --format generic ind.csv >out 2>err
rc_is "import the indicator scenario" $? 0
META="$DW_SHARED/data/cib/meta_threat_research/csv"
"$DW_BIN" cib detect --db ind.db --indicators "$META" >out 2>err
rc_is "detect --indicators DIR" $? 0
has "indicators loaded and matched" out "1 networks matched"
"$DW_BIN" cib networks --db ind.db --format json >net.json 2>err
python3 - <<'EOF2' >got 2>&1
import json
n = [n for n in json.load(open("net.json"))["networks"] if any(m["account"] == "SaraSil39636921" for m in n["members"])][0]
ind = {(i["kind"], i["indicator"]): i for i in n["indicators"]}
d = ind[("domain", "amc239.com")]
assert d["matched"] == ["amc239.com"] and d["source_file"] == "Q1_2023__Iran-based_CIB_network.csv", d
h = ind[("handle", "https://twitter.com/SaraSil39636921")]
assert h["matched"] == ["SaraSil39636921"], h
print("indicators ok")
EOF2
if grep -q "^indicators ok" got; then ok "domain and handle indicators stored with their source files"; else
	bad "indicators: $(cat got)"
fi
"$DW_BIN" cib detect --db ind.db --indicators does-not-exist.csv >out 2>err
rc_is "missing indicator file" $? 1

echo "cib_import: $pass passed, $fail failed (${SECONDS} s)"
[ $fail -eq 0 ]
