#!/usr/bin/env python3
"""ioda_client.py - a small IODA API v2 client, written against IODA's
documented shapes (DOMAIN.md section 5), the way IODA's users script it.

It knows nothing of darkwatch: point BASE at https://api.ioda.inetintel.cc.gatech.edu/v2
or at `darkwatch serve` and the same calls work.  Used by api_ioda_client.sh
(which checks darkwatch against it) and handy by hand:

    python3 ioda_client.py http://127.0.0.1:8080/v2 country IR 1573862400 1574121600
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

ENVELOPE = ("type", "metadata", "requestParameters", "error", "perf", "data",
            "copyright")


class IodaError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body.get('error') if isinstance(body, dict) else body}")
        self.status = status
        self.body = body


class Ioda:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def get(self, path, **params):
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        url = f"{self.base}/{path.lstrip('/')}" + (f"?{q}" if q else "")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read()
                ctype = r.headers.get("Content-Type", "")
                status = r.status
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                raise IodaError(e.code, json.loads(body)) from None
            except ValueError:
                raise IodaError(e.code, body.decode("utf-8", "replace")) from None
        if "csv" in ctype:
            return body.decode("utf-8")
        doc = json.loads(body)
        assert status == 200
        return doc

    # --- the calls IODA's users make -------------------------------------
    def datasources(self):
        return self.get("datasources/")["data"]

    def entities(self, entity_type=None, code=None, related=None, search=None,
                 limit=None, page=None):
        return self.get("entities/query", entityType=entity_type, entityCode=code,
                        relatedTo=related, search=search, limit=limit, page=page)

    def signals(self, entity_type, codes, frm, until, datasource=None, max_points=None):
        return self.get(f"signals/raw/{entity_type}/{codes}", **{
            "from": frm, "until": until, "datasource": datasource,
            "maxPoints": max_points})

    def events(self, frm, until, entity_type=None, code=None, fmt=None, **kw):
        return self.get("outages/events", **{"from": frm, "until": until,
                        "entityType": entity_type, "entityCode": code,
                        "format": fmt}, **kw)

    def alerts(self, frm, until, entity_type=None, code=None, **kw):
        return self.get("outages/alerts", **{"from": frm, "until": until,
                        "entityType": entity_type, "entityCode": code}, **kw)

    def summary(self, frm, until, entity_type=None, code=None, **kw):
        return self.get("outages/summary", **{"from": frm, "until": until,
                        "entityType": entity_type, "entityCode": code}, **kw)


def dataframe(series):
    """(time, value) pairs of one signals/raw series, None for missing bins:
    what IODA users build from values[] with from and step."""
    return [(series["from"] + i * series["step"], v) for i, v in enumerate(series["values"])]


if __name__ == "__main__":
    base, etype, code, frm, until = sys.argv[1:6]
    c = Ioda(base)
    for s in c.signals(etype, code, frm, until)["data"][0]:
        pts = dataframe(s)
        print(s["datasource"], s["subtype"], len(pts), "bins,",
              sum(v is None for _, v in pts), "missing")
    for e in c.events(frm, until, etype, code, fmt="ioda")["data"]:
        print(e["datasource"], e["method"], e["from"], e["until"], round(e["score"]))
