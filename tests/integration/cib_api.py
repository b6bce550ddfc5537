#!/usr/bin/env python3
"""cib_api.py - the /v2/cib/ endpoints of `darkwatch serve` (loopback only).

    cib_api.py fixture DB       fill the cib tables of an existing store with
                                the fixture below (three runs, three networks
                                in the latest finished run)
    cib_api.py check BASE       every endpoint's shape, paging and totals,
                                CSV, 400s naming the parameter, 404s, and
                                hostile inputs that must never get a 5xx
    cib_api.py empty BASE       a store without any cib run: empty lists and
                                404s, never an error
    cib_api.py synth CSV        write a small activity file (generic layout)
                                with three planted coordinated groups in noise
    cib_api.py real BASE JSON   the API on a store made by `cib import` +
                                `cib detect` of that file agrees with
                                `darkwatch cib networks --format json` (JSON)

The fixture is written with SQL because `darkwatch cib import` / `cib detect`
were being written at the same time; FIXTURE describes what the checks
expect, so switching to a real import + detect means replacing fixture() and
the expected values in EXPECT (see docs/CIB.md, "API and dashboard").
Prints one line per failure; exit 1 if any.
"""
import json
import socket
import sqlite3
import sys
import urllib.parse

# ---------------------------------------------------------------- fixture

ACCOUNTS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
            "ivan", "judy", "mallory", "zoë ünïcode"]
T0 = 1700000000
# (trace, key)
OBJECTS = [(0, "1001"), (0, "1002"), (1, "https://news.example/a"), (2, "news.example"),
           (3, "iran"), (3, "mahsa"), (5, "text-cluster-1"), (4, "phash:ab12")]
TEXT = "The same paraphrased message, posted by many accounts within seconds"

# run 2 (latest finished): network id -> (size, score, traces, indicators, top,
# members [(name, strength)], edges [(a, b, weight, shared, traces)],
# evidence [(object index, a, b, ta offset, tb offset)])
NETS = {
    1: (4, 9.5, "retweet,url,text",
        json.dumps([{"indicator": "news.example", "kind": "domain",
                     "source_file": "meta_2023_q1.csv", "matched": ["news.example"]}]),
        json.dumps({"domain": [{"key": "news.example", "count": 8}],
                    "hashtag": [{"key": "iran", "count": 5}],
                    "retweet": [{"key": "1001", "count": 4}]}),
        [("alice", 3.0), ("bob", 2.5), ("carol", 2.0), ("dave", 1.0)],
        [("alice", "bob", 1.0, 6, "retweet,url"), ("alice", "carol", 0.8, 5, "retweet"),
         ("bob", "carol", 0.7, 4, "url,text"), ("carol", "dave", 0.5, 3, "text"),
         ("alice", "dave", 0.5, 3, "retweet")],
        [(0, "alice", "bob", 0, 4), (0, "alice", "carol", 0, 9), (1, "bob", "carol", 100, 130),
         (2, "alice", "bob", 200, 201), (6, "carol", "dave", 300, 345), (6, "bob", "carol", 310, 300)]),
    2: (3, 4.0, "hashtag", "[]", "{}",
        [("erin", 1.5), ("frank", 1.2), ("grace", 0.9)],
        [("erin", "frank", 0.6, 3, "hashtag"), ("erin", "grace", 0.5, 3, "hashtag"),
         ("frank", "grace", 0.4, 3, "hashtag")],
        [(4, "erin", "frank", 1000, 1010), (5, "erin", "grace", 2000, 2050), (4, "frank", "grace", 1005, 1012)]),
    3: (3, 1.5, "domain,hashtag", "not json at all", "{\"domain\": 5}",
        [("heidi", 0.8), ("ivan", 0.7), ("zoë ünïcode", 0.3)],
        [("heidi", "ivan", 0.4, 3, "domain"), ("ivan", "zoë ünïcode", 0.3, 3, "hashtag")],
        [(3, "heidi", "ivan", 5000, 5030), (7, "ivan", "zoë ünïcode", 6000, 6001)]),
}
RUN1 = (1, 2.0, "retweet", [("alice", 1.0), ("bob", 1.0), ("mallory", 0.5)])


def fixture(db):
    """Add the fixture's cib rows to the store `db` (schema 3, created by any
    darkwatch verb that opens it read-write)."""
    c = sqlite3.connect(db)
    ids = {}
    for i, n in enumerate(ACCOUNTS, 1):
        c.execute("INSERT INTO cib_account(id, name) VALUES(?, ?)", (i, n))
        ids[n] = i
    for i, (tr, key) in enumerate(OBJECTS, 1):
        c.execute("INSERT INTO cib_object(id, trace, key) VALUES(?, ?, ?)", (i, tr, key))
    # posts and actions: the text cluster's posts hold TEXT
    pid = 0
    for name in ("carol", "dave", "bob"):
        pid += 1
        t = T0 + {"carol": 300, "dave": 345, "bob": 310}[name]
        c.execute("INSERT INTO cib_post(id, key, account_id, t, text) VALUES(?, ?, ?, ?, ?)",
                  (pid, f"p{pid}", ids[name], t, TEXT + ("" if name == "carol" else "!")))
        c.execute("INSERT INTO cib_action(trace, object_id, t, account_id, post_id) VALUES(5, 7, ?, ?, ?)",
                  (t, ids[name], pid))
    pid += 1
    c.execute("INSERT INTO cib_post(id, key, account_id, t, text) VALUES(?, '1001', ?, ?, ?)",
              (pid, ids["erin"], T0 - 50, "the original post that was retweeted"))
    c.execute("INSERT INTO cib_run(id, started, finished, params, stats) VALUES(1, ?, ?, ?, ?)",
              (T0 + 9000, T0 + 9100, json.dumps({"window": 60, "traces": ["retweet"]}),
               json.dumps({"edges": 3, "networks": 1})))
    c.execute("INSERT INTO cib_run(id, started, finished, params, stats) VALUES(2, ?, ?, ?, ?)",
              (T0 + 9200, T0 + 9300, json.dumps({"window": 60, "traces": ["retweet", "url", "hashtag", "text"]}),
               json.dumps({"edges": 10, "networks": 3, "weight_cut": 0.25})))
    c.execute("INSERT INTO cib_run(id, started, finished, params) VALUES(3, ?, NULL, '{\"window\": 3600}')",
              (T0 + 9400,))
    for nid, (size, score, traces, ind, top, members, edges, ev) in NETS.items():
        ts = [T0 + e[3] for e in ev] + [T0 + e[4] for e in ev]
        c.execute("INSERT INTO cib_network(run_id, id, size, score, first_t, last_t, traces, indicators, top) "
                  "VALUES(2, ?, ?, ?, ?, ?, ?, ?, ?)", (nid, size, score, min(ts), max(ts), traces, ind, top))
        for n, s in members:
            c.execute("INSERT INTO cib_member VALUES(2, ?, ?, ?)", (nid, ids[n], s))
        for a, b, w, sh, tr in edges:
            c.execute("INSERT INTO cib_edge VALUES(2, ?, ?, ?, ?, ?, ?)", (nid, ids[a], ids[b], w, sh, tr))
        for o, a, b, ta, tb in ev:
            c.execute("INSERT INTO cib_evidence VALUES(2, ?, ?, ?, ?, ?, ?)",
                      (nid, o + 1, ids[a], ids[b], T0 + ta, T0 + tb))
    nid, score, traces, members = RUN1
    c.execute("INSERT INTO cib_network(run_id, id, size, score, first_t, last_t, traces) "
              "VALUES(1, 1, 3, ?, ?, ?, ?)", (score, T0, T0 + 60, traces))
    for n, s in members:
        c.execute("INSERT INTO cib_member VALUES(1, 1, ?, ?)", (ids[n], s))
    c.execute("INSERT INTO cib_edge VALUES(1, 1, ?, ?, 1.0, 3, 'retweet')", (ids["alice"], ids["bob"]))
    # the unfinished run has a network that must never be shown by default
    c.execute("INSERT INTO cib_network(run_id, id, size, score, traces) VALUES(3, 1, 50, 99.0, 'url')")
    c.commit()
    c.close()


# ---------------------------------------------------------------- client

fails = checks = 0


def check(cond, what):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print(f"  FAIL {what}")
    return cond


def raw_get(base, target):
    u = urllib.parse.urlsplit(base)
    assert u.hostname in ("127.0.0.1", "::1"), "loopback only"
    t = target.encode("latin-1") if isinstance(target, str) else target
    with socket.create_connection((u.hostname, u.port), timeout=20) as s:
        s.sendall(b"GET " + t + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    status = int(line[1]) if len(line) > 1 and line[1].isdigit() else 0
    headers = {}
    for h in head.split(b"\r\n")[1:]:
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def api(base, target, want=200, param=None):
    """GET target; status must be `want`; a 4xx names `param`.  Returns the
    parsed envelope (or None) and the headers."""
    st, h, body = raw_get(base, target)
    check(0 < st < 500, f"{target[:100]!r}: status {st} (never 5xx)")
    if want is not None:
        check(st == want, f"{target[:100]!r}: status {st}, want {want}: {body[:200]!r}")
    doc = None
    if h.get("content-type", "").startswith("application/json"):
        try:
            doc = json.loads(body)
        except ValueError:
            check(False, f"{target[:80]!r}: body is not JSON")
    if st >= 400 and st not in (414, 431):
        ok = check(doc is not None and doc.get("error") and doc.get("data") is None,
                   f"{target[:80]!r}: {st} must be a JSON error envelope")
        if ok and param:
            check(f"'{param}'" in doc["error"], f"{target[:80]!r}: error names {param}: {doc['error']}")
    return doc, h


def envelope(doc, typ, what):
    keys = {"type", "metadata", "requestParameters", "error", "perf", "data", "copyright"}
    check(doc is not None and keys <= set(doc), f"{what}: envelope keys {sorted(doc or {})}")
    if doc:
        check(doc["type"] == typ, f"{what}: type {doc['type']!r}, want {typ!r}")
        check(doc["error"] is None, f"{what}: error {doc['error']!r}")


def csv_rows(body):
    import csv
    import io
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def check_fixture(base):
    # ---- index and OpenAPI
    doc, _ = api(base, "/v2/")
    for p in ("/v2/cib/runs", "/v2/cib/networks", "/v2/cib/networks/{id}", "/v2/cib/accounts/{name}"):
        check(doc and p in doc["data"], f"/v2/ lists {p}")
    st, _, body = raw_get(base, "/v2/openapi.json")
    paths = json.loads(body).get("paths", {}) if st == 200 else {}
    for p in ("/cib/runs", "/cib/networks", "/cib/networks/{id}", "/cib/accounts/{name}"):
        check(p in paths, f"openapi.json describes {p} (servers: /v2)")

    # ---- runs
    doc, h = api(base, "/v2/cib/runs")
    envelope(doc, "cib.runs", "runs")
    runs = doc["data"] if doc else []
    check([r["id"] for r in runs] == [3, 2, 1], f"runs newest first: {[r['id'] for r in runs]}")
    check(doc and doc.get("total") == 3 and h.get("x-total-count") == "3", "runs total 3")
    if len(runs) == 3:
        check(isinstance(runs[1]["params"], dict) and runs[1]["params"]["window"] == 60, "run params parsed")
        check(isinstance(runs[1]["stats"], dict) and runs[1]["stats"]["networks"] == 3, "run stats parsed")
        check(runs[0]["finished"] is None and runs[0]["stats"] == {}, "unfinished run: finished null")
        check(set(runs[2]) >= {"id", "started", "finished", "params", "stats"}, "run fields")
    doc, _ = api(base, "/v2/cib/runs?limit=2&page=1")
    check(doc and [r["id"] for r in doc["data"]] == [1] and doc["total"] == 3, "runs page 1 of limit 2")
    st, h, body = raw_get(base, "/v2/cib/runs?format=csv")
    rows = csv_rows(body) if st == 200 else []
    check(st == 200 and h.get("content-type", "").startswith("text/csv"), "runs CSV content type")
    check(rows and rows[0] == ["id", "started", "finished", "params", "stats"] and len(rows) == 4,
          f"runs CSV rows {rows[:2]}")

    # ---- networks (latest finished run = 2)
    doc, h = api(base, "/v2/cib/networks")
    envelope(doc, "cib.networks", "networks")
    nets = doc["data"] if doc else []
    check([n["id"] for n in nets] == [1, 2, 3], f"networks by score: {[n['id'] for n in nets]}")
    check(doc and doc["total"] == 3 and h.get("x-total-count") == "3", "networks total 3")
    if nets:
        n1 = nets[0]
        check(set(n1) >= {"run", "id", "size", "score", "from", "until", "traces", "indicators", "top"},
              f"network fields {sorted(n1)}")
        check(n1["run"] == 2 and n1["size"] == 4 and n1["score"] == 9.5, "network 1 values")
        check(n1["traces"] == ["retweet", "url", "text"], f"traces array {n1['traces']}")
        check(n1["from"] == T0 and n1["until"] == T0 + 345, f"period {n1['from']}..{n1['until']}")
        check(isinstance(n1["indicators"], list) and n1["indicators"][0]["indicator"] == "news.example",
              "indicators parsed")
        check(n1["top"]["domain"][0] == {"key": "news.example", "count": 8}, "top parsed")
        check(nets[2]["indicators"] == [] and nets[2]["top"] == {"domain": 5},
              "malformed indicators become [] (a valid object stays as stored)")
    for q, ids in [("orderBy=size/asc", [2, 3, 1]), ("orderBy=size", [1, 2, 3]), ("orderBy=score/asc", [3, 2, 1]),
                   ("orderBy=first", [1, 2, 3]), ("orderBy=last", [3, 2, 1]), ("minSize=4", [1]),
                   ("minSize=5", []), ("trace=hashtag", [2, 3]), ("trace=retweet,domain", [1, 3]),
                   ("trace=image", []), ("indicator=true", [1]), ("indicator=false", [2, 3]),
                   ("run=1", [1]), ("run=2&limit=1&page=2", [3]), ("limit=2", [1, 2])]:
        doc, _ = api(base, "/v2/cib/networks?" + q)
        got = [n["id"] for n in doc["data"]] if doc else None
        check(got == ids, f"networks?{q}: {got}, want {ids}")
    doc, _ = api(base, "/v2/cib/networks?limit=2&page=1")
    check(doc and [n["id"] for n in doc["data"]] == [3] and doc["total"] == 3, "networks page 1 total 3")
    doc, _ = api(base, "/v2/cib/networks?limit=2&page=7")
    check(doc and doc["data"] == [] and doc["total"] == 3, "a page past the end keeps the total")
    doc, _ = api(base, "/v2/cib/networks?trace=hashtag&limit=1")
    check(doc and doc["total"] == 2, "total counts the filtered networks")
    doc, _ = api(base, "/v2/cib/networks?run=1")
    check(doc and doc["data"][0]["run"] == 1 and doc["data"][0]["size"] == 3, "run=1 shows that run")
    st, h, body = raw_get(base, "/v2/cib/networks?format=csv")
    rows = csv_rows(body) if st == 200 else []
    check(rows and rows[0] == ["run", "id", "size", "score", "from", "until", "traces", "indicators"],
          f"networks CSV header {rows[:1]}")
    check(len(rows) == 4 and rows[1][:4] == ["2", "1", "4", "9.5"] and rows[1][6] == "retweet,url,text"
          and rows[1][7] == "news.example", f"networks CSV row {rows[1:2]}")
    check(h.get("x-total-count") == "3", "CSV carries X-Total-Count")

    # ---- one network
    doc, _ = api(base, "/v2/cib/networks/1")
    envelope(doc, "cib.network", "network 1")
    d = doc["data"] if doc else {}
    check(d.get("id") == 1 and d.get("run") == 2 and d.get("size") == 4, "network 1 head")
    mem = d.get("members", [])
    check([m["name"] for m in mem] == ["alice", "bob", "carol", "dave"], f"members by strength {mem}")
    check(mem and set(mem[0]) == {"id", "name", "strength"} and mem[0]["strength"] == 3.0, "member fields")
    ed = d.get("edges", [])
    check(len(ed) == 5 and d.get("edgesTotal") == 5 and d.get("membersTotal") == 4, f"{len(ed)} edges")
    ids = {m["name"]: m["id"] for m in mem}
    if ed:
        e0 = ed[0]
        check(e0["a"] == ids.get("alice") and e0["b"] == ids.get("bob") and e0["aName"] == "alice"
              and e0["bName"] == "bob" and e0["weight"] == 1.0 and e0["shared"] == 6
              and e0["traces"] == ["retweet", "url"], f"strongest edge {e0}")
        check(all(e["a"] in ids.values() and e["b"] in ids.values() for e in ed), "edges join members")
    ev = d.get("evidence", [])
    check(len(ev) == 6 and d.get("evidenceTotal") == 6, f"{len(ev)} evidence rows")
    if ev:
        check(set(ev[0]) >= {"trace", "object", "objectId", "text", "a", "b", "aName", "bName", "ta", "tb", "seconds"},
              f"evidence fields {sorted(ev[0])}")
        check(ev[0]["trace"] == "retweet" and ev[0]["object"] == "1001" and ev[0]["seconds"] == 4
              and ev[0]["aName"] == "alice" and ev[0]["bName"] == "bob", f"first evidence {ev[0]}")
        check(ev[0]["text"] == "the original post that was retweeted", "retweet evidence shows the original post")
        txt = [e for e in ev if e["trace"] == "text"]
        check(len(txt) == 2 and all(e["text"] and e["text"].startswith(TEXT) for e in txt),
              f"text evidence carries the post's text: {txt}")
        check(any(e["seconds"] == 10 and e["ta"] > e["tb"] for e in txt), "seconds apart is absolute")
        check([e["ta"] for e in ev] == sorted(e["ta"] for e in ev), "evidence by time")
        url = [e for e in ev if e["trace"] == "url"]
        check(url and url[0]["text"] is None, "url evidence: text null")
    doc, _ = api(base, "/v2/cib/networks/3")
    d = doc["data"] if doc else {}
    check([m["name"] for m in d.get("members", [])] == ["heidi", "ivan", "zoë ünïcode"], "unicode member name")
    check(d.get("indicators") == [] and len(d.get("evidence", [])) == 2, "network 3 detail")
    check(d.get("evidence") and d["evidence"][1]["trace"] == "image", "image trace name")
    doc, _ = api(base, "/v2/cib/networks/1?run=1")
    check(doc and [m["name"] for m in doc["data"]["members"]] == ["alice", "bob", "mallory"], "network 1 of run 1")
    doc, _ = api(base, "/v2/cib/networks/1/")
    check(doc and doc["data"]["id"] == 1, "trailing slash accepted")
    api(base, "/v2/cib/networks/4", 404)
    api(base, "/v2/cib/networks/99999", 404)
    api(base, "/v2/cib/networks/2?run=1", 404)
    api(base, "/v2/cib/networks/1?run=3", 404)
    api(base, "/v2/cib/networks/1?run=77", 404)
    for bad in ("0", "-1", "abc", "1.5", "1e3", "99999999999999999999", "%2B1", "1/2", "%27%20OR%201=1"):
        api(base, "/v2/cib/networks/" + bad, 400, "id")

    # ---- accounts
    doc, _ = api(base, "/v2/cib/accounts/alice")
    envelope(doc, "cib.account", "account alice")
    d = doc["data"] if doc else {}
    check(d.get("account", {}).get("name") == "alice" and d.get("run") == 2, f"account head {d}")
    nets = d.get("networks", [])
    check(len(nets) == 1 and nets[0]["id"] == 1 and nets[0]["strength"] == 3.0 and nets[0]["size"] == 4,
          f"alice's networks {nets}")
    check(doc and doc["requestParameters"].get("name") == "alice", "requestParameters names the account")
    doc, _ = api(base, "/v2/cib/accounts/mallory")
    check(doc and doc["data"]["networks"] == [], "mallory is in no network of run 2")
    doc, _ = api(base, "/v2/cib/accounts/mallory?run=1")
    check(doc and [n["id"] for n in doc["data"]["networks"]] == [1] and doc["data"]["run"] == 1, "mallory in run 1")
    doc, _ = api(base, "/v2/cib/accounts/" + urllib.parse.quote("zoë ünïcode"))
    check(doc and doc["data"]["networks"][0]["id"] == 3, "percent-encoded unicode account name")
    api(base, "/v2/cib/accounts/nobody", 404)
    api(base, "/v2/cib/accounts/alice?run=3", 404)
    api(base, "/v2/cib/accounts/alice?run=x", 400, "run")
    api(base, "/v2/cib/accounts", 404)
    api(base, "/v2/cib/accounts/a%00b", None)  # libmicrohttpd ends the path at the NUL
    for bad in ("%ff%fe", "%0d%0aX-Injected:%201", "a" * 1025, "%1b[31m"):
        api(base, "/v2/cib/accounts/" + bad, 400, "name")

    # ---- bad parameters are 400s naming the parameter
    for q, p in [("run=0", "run"), ("run=-1", "run"), ("run=abc", "run"), ("run=99999999999999999999", "run"),
                 ("limit=0", "limit"), ("limit=10001", "limit"), ("limit=x", "limit"), ("page=-1", "page"),
                 ("page=1000001", "page"), ("orderBy=score;DROP%20TABLE%20cib_network", "orderBy"),
                 ("orderBy=name", "orderBy"), ("minSize=0", "minSize"), ("minSize=abc", "minSize"),
                 ("trace=tweet", "trace"), ("trace=url,,hashtag", "trace"),
                 ("trace=url'%20OR%201=1--", "trace"), ("trace=" + ",".join(["url"] * 7), "trace"),
                 ("indicator=maybe", "indicator"), ("format=xml", "format")]:
        api(base, "/v2/cib/networks?" + q, 400, p)
    for q, p in [("limit=0", "limit"), ("page=x", "page"), ("format=tsv", "format")]:
        api(base, "/v2/cib/runs?" + q, 400, p)
    api(base, "/v2/cib/networks/1?run=0", 400, "run")

    # ---- hostile inputs: never a 5xx, tables intact
    inj = ["' OR '1'='1", "alice'); DROP TABLE cib_account;--", "\" OR 1=1 --",
           "%' UNION SELECT * FROM sqlite_master --", "alice\\", "_%", "*", "..", "../../etc/passwd"]
    for s in inj:
        q = urllib.parse.quote(s, safe="")
        api(base, "/v2/cib/accounts/" + q, None)
        api(base, "/v2/cib/networks/" + q, None)
        api(base, "/v2/cib/networks?trace=" + q, None)
        api(base, "/v2/cib/networks?orderBy=" + q, None)
        api(base, "/v2/cib/networks?run=" + q, None)
    for n in (5000, 40000):
        st, _, _ = raw_get(base, "/v2/cib/accounts/" + "a" * n)
        check(0 < st < 500, f"account name of {n} bytes: status {st}")
    st, _, _ = raw_get(base, "/v2/cib/networks?" + "&".join(f"x{i}=1" for i in range(200)))
    check(st == 400, f"200 parameters: {st}")
    # many clients at once, cached and not: every answer right
    import concurrent.futures
    targets = [f"/v2/cib/networks/{1 + i % 3}?run=2" if i % 4 else f"/v2/cib/networks?limit={1 + i % 7}"
               for i in range(300)] + [f"/v2/cib/accounts/{n}" for n in ACCOUNTS[:11]] * 5
    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        res = list(ex.map(lambda t: (t, raw_get(base, t)), targets))
    bad = [(t, r[0]) for t, r in res if r[0] != 200 or json.loads(r[2])["error"] is not None]
    check(not bad, f"{len(targets)} parallel requests all answered 200: {bad[:3]}")
    sizes = {t: len(json.loads(r[2])["data"]["members"]) for t, r in res if "/networks/" in t}
    check(all(sizes[f"/v2/cib/networks/{k}?run=2"] == NETS[k][0] for k in NETS), f"parallel detail sizes {sizes}")
    doc, _ = api(base, "/v2/cib/networks")
    check(doc and doc["total"] == 3, "cib tables intact after injection attempts")
    doc, _ = api(base, "/v2/cib/accounts/alice")
    check(doc and doc["data"]["networks"], "accounts intact after injection attempts")


# ---------------------------------------------------------------- real

def synth(path):
    """Noise plus three planted groups: reposts seconds apart (A), the same
    links (B), near-identical texts (C).  Deterministic."""
    import random
    rnd = random.Random(7)
    rows = []
    t0 = 1610000000
    n = 0

    def row(acct, t, shared="", url="", text=""):
        nonlocal n
        n += 1
        rows.append([acct, str(t), f"s{n}", shared, url, text])

    for i in range(60):  # organic accounts, random reposts over ten days
        for _ in range(40):
            row(f"organic{i}", t0 + rnd.randrange(864000), shared=f"orig{rnd.randrange(3000)}")
    for k in range(20):  # A: six accounts repost the same post within 10 s
        t = t0 + 3600 * k + 7
        for m in range(6):
            row(f"A{m}", t + rnd.randrange(10), shared=f"campaignA{k}")
    for k in range(15):  # B: five accounts post the same link within 20 s
        t = t0 + 5000 * k + 11
        for m in range(5):
            row(f"B{m}", t + rnd.randrange(20), url=f"https://spam.example/story/{k}")
    words = ("the people demand justice now and the government must answer for what it did to them "
             "across every city where families still wait for news of the ones taken away last year").split()
    for k in range(10):  # C: four accounts post near-identical texts within 30 s
        t = t0 + 7000 * k + 13
        base = list(words)
        rnd.shuffle(base)
        for m in range(4):
            row(f"C{m}", t + rnd.randrange(30), text=" ".join(base + ["share" if m % 2 else "now!"]))
    import csv
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account", "time", "post", "shared", "url", "text"])
        w.writerows(rows)


def check_real(base, cli_json):
    cli = json.load(open(cli_json))
    want = cli["networks"]
    check(len(want) >= 2, f"detect found at least two of the planted groups ({len(want)} networks)")
    doc, _ = api(base, "/v2/cib/runs")
    check(doc and doc["data"] and doc["data"][0]["id"] == cli["run"]["id"], "runs: the latest run is the CLI's")
    check(doc and doc["data"][0]["params"] == cli["run"]["params"], "run params as the CLI prints them")
    doc, h = api(base, "/v2/cib/networks?limit=10000")
    got = doc["data"] if doc else []
    check([n["id"] for n in got] == [n["id"] for n in want], f"network ids {[n['id'] for n in got]}")
    check(doc and doc["total"] == len(want), "total = the CLI's networks")
    for g, w in zip(got, want):
        check(g["size"] == w["size"] and abs(g["score"] - w["score"]) < 1e-9 and g["traces"] == w["traces"]
              and g["from"] == w["first_t"] and g["until"] == w["last_t"], f"network {w['id']} head")
        doc, _ = api(base, f"/v2/cib/networks/{w['id']}")
        d = doc["data"] if doc else {}
        members = {m["name"] for m in d.get("members", [])}
        check(members == {m["account"] for m in w["members"]} and d.get("membersTotal") == w["size"],
              f"network {w['id']} members")
        check(len(d.get("edges", [])) == len(w.get("edges", [])), f"network {w['id']} edges")
        check(len(d.get("evidence", [])) == len(w.get("evidence", [])), f"network {w['id']} evidence")
        ids = {m["id"] for m in d.get("members", [])}
        check(all(e["a"] in ids and e["b"] in ids for e in d.get("edges", [])), f"network {w['id']}: edges join members")
        check(all(e["aName"] in members and e["bName"] in members for e in d.get("evidence", [])),
              f"network {w['id']}: evidence between members")
        check(all(e["seconds"] == abs(e["tb"] - e["ta"]) for e in d.get("evidence", [])), f"network {w['id']}: seconds")
        txt = [e for e in d.get("evidence", []) if e["trace"] == "text"]
        check(all(e["text"] for e in txt), f"network {w['id']}: text evidence carries the text")
        first = next(iter(members))
        doc, _ = api(base, "/v2/cib/accounts/" + urllib.parse.quote(first, safe=""))
        check(doc and w["id"] in [n["id"] for n in doc["data"]["networks"]], f"account {first} in network {w['id']}")
    st, _, body = raw_get(base, "/v2/cib/networks?format=csv&limit=10000")
    check(st == 200 and len(csv_rows(body)) == len(want) + 1, "CSV has a row per network")


def check_empty(base):
    doc, h = api(base, "/v2/cib/networks")
    envelope(doc, "cib.networks", "networks of an empty store")
    check(doc and doc["data"] == [] and doc["total"] == 0 and h.get("x-total-count") == "0", "no networks, total 0")
    doc, _ = api(base, "/v2/cib/runs")
    check(doc and doc["data"] == [] and doc["total"] == 0, "no runs")
    st, _, body = raw_get(base, "/v2/cib/networks?format=csv")
    check(st == 200 and body.decode().strip() == "run,id,size,score,from,until,traces,indicators", "empty CSV has its header")
    api(base, "/v2/cib/networks/1", 404)
    api(base, "/v2/cib/networks?run=1", 404)
    api(base, "/v2/cib/accounts/alice", 404)
    doc, _ = api(base, "/v2/datasources")
    check(doc is not None, "outage endpoints still answer")


def main():
    verb = sys.argv[1] if len(sys.argv) > 1 else ""
    if not ((verb in ("fixture", "check", "empty", "synth") and len(sys.argv) == 3) or
            (verb == "real" and len(sys.argv) == 4)):
        print(__doc__)
        return 2
    if verb == "fixture":
        fixture(sys.argv[2])
        return 0
    if verb == "synth":
        synth(sys.argv[2])
        return 0
    base = sys.argv[2].rstrip("/")
    if verb == "real":
        check_real(base, sys.argv[3])
    else:
        (check_fixture if verb == "check" else check_empty)(base)
    print(f"cib_api: {checks - fails} of {checks} checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
