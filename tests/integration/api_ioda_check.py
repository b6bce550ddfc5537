#!/usr/bin/env python3
"""api_ioda_check.py BASE DB TRUTH EVENTS_JSON - check `darkwatch serve`
against IODA's documented shapes with ioda_client.py (an IODA client that
only has its base URL changed), on a store built by sim + replay + detect.

EVENTS_JSON is `darkwatch events --format json` of the same store: the API
must serve the same events.  Prints one line per failed check; exit 1 if any.
"""
import json
import sys
import urllib.request

from ioda_client import ENVELOPE, Ioda, IodaError, dataframe

base, db, truth_path, events_path = sys.argv[1:5]
c = Ioda(base)
fails = 0
checks = 0


def check(cond, what):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
        print(f"  FAIL {what}")
    return cond


def envelope(doc, typ=None):
    check(isinstance(doc, dict) and all(k in doc for k in ENVELOPE),
          f"envelope keys {sorted(doc) if isinstance(doc, dict) else doc!r}")
    check(doc.get("error") is None, f"error is null ({doc.get('error')!r})")
    md = doc.get("metadata", {})
    check(isinstance(md.get("requestTime"), str) and isinstance(md.get("responseTime"), str),
          "metadata.requestTime/responseTime")
    check(isinstance(doc.get("requestParameters"), dict), "requestParameters is an object")
    if typ:
        check(doc.get("type") == typ, f"type {doc.get('type')!r} == {typ!r}")


truth = [l.strip().split(",") for l in open(truth_path)][1:]
onset = min(int(r[3]) for r in truth if r[0] == "country" and r[1] == "IR")
FROM, UNTIL = onset - 86400, onset + 6 * 3600

# --- datasources, entities ---------------------------------------------------
doc = c.get("datasources/")
envelope(doc, "datasources")
ds = [d["datasource"] for d in doc["data"]]
check("bgp" in ds, f"bgp among datasources {ds}")

doc = c.entities("country")
envelope(doc, "entities")
ir = [e for e in doc["data"] if e["code"] == "IR"]
check(len(ir) == 1, "entities/query?entityType=country lists IR")
for e in doc["data"]:
    check(set(e) >= {"code", "name", "type", "subnames", "attrs"} and isinstance(e["attrs"], dict),
          f"entity fields {sorted(e)}")
check(isinstance(doc.get("total"), int) and doc["total"] == len(doc["data"]), "entities total")
regions = c.entities("region", related="country/IR")["data"]
check(regions and all(r["code"].startswith("IR-") for r in regions), "relatedTo=country/IR gives IR regions")
asns = c.entities("asn", related="country/IR")["data"]
check(any(a["code"] == "44244" for a in asns), "relatedTo=country/IR gives AS44244")
hits = c.entities(search="iran")["data"]
check(hits and hits[0]["code"] == "IR", f"search=iran finds Iran first ({hits[:1]})")
p0 = c.entities("region", limit=2, page=0)
p1 = c.entities("region", limit=2, page=1)
check(len(p0["data"]) == 2 and p0["total"] == p1["total"] and p0["data"] != p1["data"],
      "paging entities with limit/page and total")

# --- signals -----------------------------------------------------------------
for frm, until in ((FROM, UNTIL), (FROM + 17, UNTIL + 123), (UNTIL - 3600, UNTIL + 7 * 86400)):
    doc = c.signals("country", "IR", frm, until, datasource="bgp")
    envelope(doc, "signals")
    data = doc["data"]
    check(isinstance(data, list) and len(data) == 1 and isinstance(data[0], list), "data is [[...]]")
    for s in data[0]:
        check(set(s) >= {"entityType", "entityCode", "entityName", "entityFqid", "datasource",
                         "subtype", "from", "until", "step", "nativeStep", "values"},
              f"series fields {sorted(s)}")
        check(len(s["values"]) == (s["until"] - s["from"]) // s["step"]
              and (s["until"] - s["from"]) % s["step"] == 0, "len(values) == (until-from)/step")
        check(s["step"] == s["nativeStep"], "step == nativeStep without maxPoints")
        check(s["from"] <= frm and s["until"] >= until, "the window covers the request")
        check(all(v is None or isinstance(v, (int, float)) for v in s["values"]), "values are numbers or null")
    check(len(data[0]) == 1 and data[0][0]["datasource"] == "bgp", "one bgp series (the main one)")
# past the end of the data: nulls, not zeros, not shorter arrays
s = c.signals("country", "IR", UNTIL - 3600, UNTIL + 7 * 86400)["data"][0][0]
check(s["values"][-1] is None, "bins after the data are null")
# the outage shows: the value after onset is lower than before
pts = dict(dataframe(c.signals("country", "IR", FROM, UNTIL)["data"][0][0]))
before, after = pts[onset - 3600], pts[onset + 3600]
check(after < before, f"IR drops at the truth's onset ({before} -> {after})")
doc = c.signals("country", "IR,US,XX", FROM, UNTIL, max_points=50)
check(len(doc["data"]) == 3 and doc["data"][2] == [], "one list per code, [] for an unknown code")
for s in doc["data"][0]:
    check(len(s["values"]) <= 50 and s["step"] % s["nativeStep"] == 0
          and len(s["values"]) == (s["until"] - s["from"]) // s["step"], "maxPoints downsamples")
check(c.signals("country", "XX", FROM, UNTIL)["data"] == [[]], "empty result is [[]]")
check(c.get(f"signals/raw/country/IR/?from={FROM}&until={UNTIL}&foo=bar")["data"][0] != [],
      "trailing slash and unknown parameters accepted")

# --- events ------------------------------------------------------------------
doc = c.events(FROM, UNTIL, "country", "IR")
envelope(doc, "outages.events")
codf = doc["data"]
check(codf, "events for IR (default format codf)")
for e in codf:
    check(set(e) >= {"location", "location_name", "start", "duration", "uncertainty", "status",
                     "fraction", "score", "overlaps_window", "method", "datasource"},
          f"codf fields {sorted(e)}")
    check(e["location"] == "country/IR", "codf location")
doc = c.events(FROM, UNTIL, "country", "IR", fmt="ioda", includeAlerts="true")
for e in doc["data"]:
    check(set(e) >= {"entity", "from", "until", "score", "datasource", "method"}, f"ioda fields {sorted(e)}")
    check(set(e["entity"]) >= {"type", "code", "name", "attrs"} and isinstance(e["entity"]["attrs"], dict),
          "ioda entity object")
    check(isinstance(e.get("alerts"), list) and e["alerts"], "includeAlerts gives the event's alerts")
main = [e for e in doc["data"] if e["datasource"] == "bgp"]
check(any(abs(e["from"] - onset) <= 600 for e in main), f"an IR bgp event starts at the truth's onset {onset}")
# the same events as `darkwatch events --format json`
cli = json.load(open(events_path))
want = sorted((e["method"], e["from"], round(e["score"], 1)) for e in cli
              if (e["entity_type"], e["entity_code"]) == ("country", "IR")
              and e["datasource"] == "bgp" and e["from"] < UNTIL
              and (e["until"] is None or e["until"] > FROM) and e["from"] >= FROM - 1209600)
got = sorted((e["method"], e["from"], round(e["score"], 1)) for e in main)
check(got == want, f"API events == `darkwatch events` ({got} vs {want})")
overall = c.events(FROM, UNTIL, "country", "IR", fmt="ioda", overall="true")["data"]
check(overall and all(e["datasource"] == "overall" for e in overall), "overall=true gives overall events")
doc = c.events(FROM, UNTIL, fmt="ioda", limit=1)
check(len(doc["data"]) == 1 and doc["total"] >= 1, "events limit and total")
pages = [c.events(FROM, UNTIL, fmt="ioda", limit=3, page=p)["data"] for p in range(3)]
allp = c.events(FROM, UNTIL, fmt="ioda", limit=9)["data"]
check(sum(pages, []) == allp, "pages concatenate to the unpaged list")
bys = c.events(FROM, UNTIL, orderBy="score/desc")["data"]
check([e["score"] for e in bys] == sorted((e["score"] for e in bys), reverse=True), "orderBy=score/desc")

# --- alerts ------------------------------------------------------------------
doc = c.alerts(FROM, UNTIL, "country", "IR", limit=100)
envelope(doc, "outages.alerts")
check(doc["data"], "alerts for IR")
for a in doc["data"]:
    check(set(a) >= {"datasource", "entity", "time", "level", "condition", "value", "historyValue",
                     "method"}, f"alert fields {sorted(a)}")
    check(a["level"] in ("normal", "warning", "critical"), "alert level")
    check(a["historyValue"] is None or isinstance(a["historyValue"], (int, float)), "historyValue")
    check(isinstance(a["entity"]["attrs"], dict), "alert entity attrs is an object")
    check(FROM <= a["time"] < UNTIL, "alert inside [from, until)")
ign = c.alerts(FROM, UNTIL, "country", "IR", ignoreMethods="median")["data"]
check(ign and all(a["method"] != "median" for a in ign), "ignoreMethods=median")

# --- summary -----------------------------------------------------------------
doc = c.summary(FROM, UNTIL, "country")
envelope(doc, "outages.summary")
rows = doc["data"]
check(rows and rows[0]["entity"]["code"] == "IR", f"IR tops the country summary ({rows[:1]})")
for r in rows:
    check(set(r) >= {"scores", "entity", "event_cnt"} and "overall" in r["scores"], f"summary fields {sorted(r)}")
sc = [r["scores"]["overall"] for r in rows]
check(sc == sorted(sc, reverse=True), "summary ordered by score")

# --- beyond IODA: coverage, csv, openapi ----------------------------------------
doc = c.get("coverage")
envelope(doc, "coverage")
cov = {(r["datasource"], r["entityType"]): r for r in doc["data"]}
check(("bgp", "country") in cov and cov[("bgp", "country")]["from"] <= FROM, "coverage for bgp/country")
csv = c.get("outages/events", **{"from": FROM, "until": UNTIL, "format": "csv",
                                 "entityType": "country", "entityCode": "IR"})
lines = csv.strip().split("\n")
check(lines[0].startswith("entity_type,entity_code") and len(lines) == 1 + len(codf), "events as CSV")
with urllib.request.urlopen(base.rstrip("/") + "/openapi.json") as r:
    spec = json.loads(r.read())
check(spec.get("openapi", "").startswith("3.") and all(
    p in spec["paths"] for p in ("/signals/raw/{entityType}/{entityCode}", "/outages/events",
                                 "/outages/alerts", "/outages/summary", "/entities/query",
                                 "/datasources", "/coverage")), "openapi document lists every endpoint")

# --- errors: IODA's 400 with the message in `error` -----------------------------
try:
    c.events("yesterday", UNTIL)
    check(False, "from=yesterday refused")
except IodaError as e:
    check(e.status == 400 and "from" in e.body["error"] and e.body["data"] is None,
          f"400 names the parameter ({e.body})")

print(f"  {checks} checks, {fails} failed")
sys.exit(1 if fails else 0)
