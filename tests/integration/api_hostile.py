#!/usr/bin/env python3
"""api_hostile.py BASE [LIMITED_BASE] - malformed and hostile requests
against `darkwatch serve` (loopback only).

Every answer must be a well-formed HTTP response below 500; API errors must
be JSON envelopes whose error names the bad parameter; static files must not
leak anything outside the web directory; after the barrage (and many
parallel requests) a normal request still answers 200.  With LIMITED_BASE (a
server started with a low --rate-limit) a burst must get 429 + Retry-After.
Prints one line per failure; exit 1 if any.
"""
import concurrent.futures
import json
import socket
import sys
import urllib.parse

base = sys.argv[1].rstrip("/")
limited = sys.argv[2].rstrip("/") if len(sys.argv) > 2 else None
u = urllib.parse.urlsplit(base)
HOST, PORT = u.hostname, u.port
assert HOST in ("127.0.0.1", "::1"), "loopback only"
fails = checks = 0


def check(cond, what):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print(f"  FAIL {what}")
    return cond


def raw(req: bytes, host=HOST, port=PORT, timeout=20):
    """Send raw bytes, read the whole answer (Connection: close)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(req)
        try:
            s.shutdown(socket.SHUT_WR)  # no more requests: answer and close
        except OSError:
            pass
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except (ConnectionResetError, socket.timeout):
            pass
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers = {}
    for h in head.split(b"\r\n")[1:]:
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def get(target: str, host=HOST, port=PORT, extra=b""):
    t = target.encode("latin-1") if isinstance(target, str) else target
    return raw(b"GET " + t + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra + b"\r\n",
               host, port)


def api(target, param=None, want=None):
    """An API request: no 5xx; a 4xx is a JSON envelope naming `param`."""
    st, h, body = get(target)
    ok = check(0 < st < 500, f"{target[:100]!r}: status {st}")
    if want is not None:
        check(st == want, f"{target[:100]!r}: status {st}, want {want}")
    if ok and st >= 400 and st != 414 and st != 431:
        try:
            doc = json.loads(body)
            check(doc["error"] and doc["data"] is None, f"{target[:80]!r}: error envelope")
            if param:
                check(f"'{param}'" in doc["error"], f"{target[:80]!r}: error names {param}: {doc['error']}")
        except (ValueError, KeyError, TypeError):
            check(False, f"{target[:80]!r}: {st} body is not a JSON envelope: {body[:120]!r}")
    return st, body


F = "from=1573776000&until=1573948800"
EV = "/v2/outages/events?" + F
# wrong types, bad values, negative and huge numbers
for q, p in [("from=abc&until=1", "from"), ("from=1&until=abc", "until"), ("from=5&until=5", "until"),
             ("from=1.5&until=9", "from"), ("from=-99999999999999999999&until=1", "from"),
             ("from=1&until=999999999999999999999999", "until"), ("from=0x10&until=99", "from"),
             ("from=2019-02-30&until=2019-03-02", "from"), ("from=2019-11-16T14:00+03:30&until=1574000000", "from")]:
    api("/v2/outages/events?" + q, p, 400)
for q, p in [("limit=-1", "limit"), ("limit=0", "limit"), ("limit=10001", "limit"),
             ("limit=99999999999999999999999", "limit"), ("limit=1e3", "limit"), ("limit=%2B5", "limit"),
             ("limit= 5", "limit"), ("page=-3", "page"), ("page=abc", "page"), ("page=1000001", "page"),
             ("extendWindow=-1", "extendWindow"), ("extendWindow=99999999999", "extendWindow"),
             ("includeAlerts=maybe", "includeAlerts"), ("overall=2", "overall"), ("format=xml", "format"),
             ("orderBy=score;DROP%20TABLE%20event", "orderBy"), ("entityType=planet", "entityType"),
             ("entityCode=IR", "entityType"), ("entityType=country&entityCode=IR,,US", "entityCode"),
             ("relatedTo=IR", "relatedTo"), ("relatedTo=planet/IR", "relatedTo"), ("relatedTo=country/", "relatedTo"),
             ("datasource=bgp'%20OR%201=1--", "datasource"), ("method=a%20b", "method"),
             ("ignoreMethods=x,,y", "ignoreMethods"), ("subtype=..%2F..", None)]:
    api(EV + "&" + q, p, 400 if p else None)
api("/v2/outages/events?" + F + "&entityType=country&entityCode=" + ",".join(["XX"] * 300), "entityCode", 400)
# signals: huge ranges, bad maxPoints, many codes, bad types in the path
S = "/v2/signals/raw/country/IR?"
api(S + "from=0&until=9999999999", "until", 400)
api(S + "from=0&until=253402300799", "until", 400)
api(S + F + "&maxPoints=0", "maxPoints", 400)
api(S + F + "&maxPoints=-5", "maxPoints", 400)
api(S + F + "&maxPoints=abc", "maxPoints", 400)
api("/v2/signals/raw/planet/IR?" + F, "entityType", 400)
api("/v2/signals/raw/country/" + ",".join(f"C{i}" for i in range(101)) + "?" + F, "entityCode", 400)
api("/v2/signals/raw/country/IR,,US?" + F, "entityCode", 400)
api("/v2/signals/raw/country?" + F, None, 404)
api("/v2/signals/raw/?" + F, None, 404)
api("/v2/signals/raw/country/IR?from=1573776000", "until", 400)
api("/v2/signals/raw/country/IR?" + F + "&datasource=bgp&maxPoints=1", None, 200)
big = ",".join(f"X{i}" for i in range(100))
api(f"/v2/signals/raw/country/{big}?from=0&until=8640000", None, 200)  # unknown codes: [[],...]
# SQL injection strings everywhere user text goes: must be data, never SQL
inj = ["' OR '1'='1", "IR'); DROP TABLE entity;--", "\" OR 1=1 --", "%' UNION SELECT * FROM sqlite_master --",
       "IR\\", "_%", "%%", "*", "'; ATTACH DATABASE '/tmp/x' AS x;--"]
for s in inj:
    q = urllib.parse.quote(s, safe="")
    st, body = api("/v2/entities/query?search=" + q)
    if st == 200:
        doc = json.loads(body)
        check(all(s.lower() in (e["code"] + e["name"]).lower() for e in doc["data"]),
              f"search={s!r} matched only literal text ({len(doc['data'])} rows)")
    api("/v2/entities/query?entityType=country&entityCode=" + q)
    api("/v2/outages/alerts?" + F + "&entityType=country&entityCode=" + q)
    api("/v2/outages/summary?" + F + "&relatedTo=country/" + q)
    api("/v2/signals/raw/country/" + q + "?" + F)
st, body = api("/v2/entities/query?entityType=country")
check(st == 200 and json.loads(body)["total"] > 0, "entity table intact after injection attempts")
# bad UTF-8, NUL bytes, control characters
for q in ["%ff%fe", "%c0%af", "%ed%a0%80", "a%00b", "%0d%0aX-Injected:%201", "%1b[31m", "\u00e9".encode().hex()]:
    api("/v2/entities/query?search=" + q)
    api("/v2/outages/events?" + F + "&entityType=country&entityCode=" + q)
    api("/v2/signals/raw/country/" + q + "?" + F)
st, h, _ = get("/v2/entities/query?search=%0d%0aX-Injected:%201")
check("x-injected" not in h, "no header injection")
api("/v2/entities/query?search=" + "a" * 201, "search", 400)
# long URLs: refused cleanly (414/431/400), not a crash
for n in (5000, 40000, 200000):
    st, _, _ = get("/v2/entities/query?search=" + "a" * n)
    check(0 < st < 500, f"URL of {n} bytes: status {st}")
    # libmicrohttpd drops the connection (no answer) when it cannot even
    # store that many arguments: acceptable, the server must just stay up
    st, _, _ = get("/v2/outages/events?" + F + "&" + "&".join(f"p{i}=1" for i in range(n // 8)))
    check(st < 500, f"{n // 8} parameters: status {st}")
# unknown endpoints and methods
api("/v2/nope", None, 404)
api("/v2/outages", None, 404)
api("/v2/../etc/passwd", None, 404)
st, _, _ = raw(b"POST /v2/datasources HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
check(st == 405, f"POST: {st}")
st, _, _ = raw(b"DELETE /v2/datasources HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
check(st == 405, f"DELETE: {st}")
# malformed HTTP
for req in [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
            b"GET /v2/datasources HTTP/1.1\r\n\r\n", b"GET /v2/datasources HTTP/1.0\r\n\r\n",
            b"GET /v2/datasources HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 60000 + b"\r\n\r\n",
            b"GET /v2/datasources HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"\x00\x01\x02\xff\r\n\r\n", b"GET /v2/datasources?from=%%%%&until=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]:
    try:
        st, _, _ = raw(req, timeout=3)
    except OSError:
        st = 0  # the server may just close: fine, as long as it stays up
    # 505 is HTTP's answer to an unknown protocol version (RFC 9110),
    # sent by libmicrohttpd before darkwatch sees the request
    check(st < 500 or (st == 505 and b"HTTP/9.9" in req), f"malformed request {req[:40]!r}: status {st}")

# static files: no traversal, no leak, SPA fallback, types, ETag
LEAK = (b"root:", b"SECRET-OUTSIDE")
for t in ["/../../../../etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
          "/assets/../../outside.txt", "//etc/passwd", "/leak", "/leak/passwd", "/.hidden", "/%2e%2e",
          "/..\\..\\etc\\passwd", "/a/b/../../../outside.txt", "/index.html%00.js", "/outside.txt"]:
    st, h, body = get(t)
    check(0 < st < 500, f"static {t}: status {st}")
    check(not any(x in body for x in LEAK), f"static {t}: leaked a file outside the web directory")
st, h, body = get("/")
check(st == 200 and h.get("content-type", "").startswith("text/html") and b"WEB-INDEX" in body, "index.html at /")
check(h.get("cache-control") == "no-cache", "index.html: Cache-Control no-cache")
st, h, body = get("/app.js")
check(st == 200 and h.get("content-type", "").startswith("text/javascript") and h.get("etag"), "app.js type and ETag")
st2, _, _ = get("/app.js", extra=b"If-None-Match: " + h.get("etag", "").encode() + b"\r\n")
check(st2 == 304, f"If-None-Match gives 304 ({st2})")
st, h, body = get("/entity/country/IR")
check(st == 200 and b"WEB-INDEX" in body, "SPA path gets index.html")
st, h, body = get("/missing.js")
check(st == 404, f"missing asset is 404 ({st})")

# many parallel requests
urls = ["/v2/datasources", "/v2/outages/events?" + F, "/v2/signals/raw/country/IR?" + F, "/",
        "/v2/outages/summary?" + F, "/v2/entities/query?search=ir", "/v2/outages/events?from=x&until=1"]
with concurrent.futures.ThreadPoolExecutor(64) as ex:
    res = list(ex.map(lambda i: get(urls[i % len(urls)])[0], range(600)))
check(all(0 < s < 500 for s in res), f"parallel: statuses {sorted(set(res))}")
check(res.count(200) >= 500, f"parallel: {res.count(200)} of 600 answered 200")

# still healthy
st, h, body = get("/v2/outages/events?" + F + "&format=ioda")
check(st == 200 and json.loads(body)["error"] is None, "a normal request answers after the barrage")

# rate limit
if limited:
    lu = urllib.parse.urlsplit(limited)
    sts = [get("/v2/datasources", lu.hostname, lu.port) for _ in range(40)]
    codes = [s for s, _, _ in sts]
    check(200 in codes and 429 in codes, f"rate limit: statuses {sorted(set(codes))}")
    for s, h, body in sts:
        if s == 429:
            check(int(h.get("retry-after", "0")) >= 1, "429 has Retry-After >= 1")
            check("rate limit" in json.loads(body)["error"], "429 body explains")
            break
    st, _, _ = get("/", lu.hostname, lu.port)
    check(st == 200, f"static files are not rate-limited ({st})")

print(f"  {checks} checks, {fails} failed")
sys.exit(1 if fails else 0)
