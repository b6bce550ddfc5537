#!/usr/bin/env python3
"""cib_plant.py - plant coordinated networks of known membership into real
organic activity, and score what `darkwatch cib detect` finds.

  cib_plant.py plant ORGANIC.csv OUT.csv TRUTH.csv [--seed N] [--url-domain D]
      ORGANIC: the CooRTweet layout (object_id,account_id,content_id,
      timestamp_share).  OUT: the planted activity in the generic layout
      (account,post,time,shared,url,hashtags,text).  TRUTH: account,network.
  cib_plant.py shuffle ORGANIC.csv OUT.csv [--seed N]
      The same rows with every time drawn uniformly over the data's span
      (a null model: popularity and activity kept, coordination destroyed).
  cib_plant.py members DB
      Print the latest finished run's networks as JSON {id: [names]}.
  cib_plant.py score DB TRUTH.csv BASELINE.json [--min-recall R]
      [--min-precision P] [--expect-missing NAME,...]
      Membership precision and recall per planted network and overall, and
      whether the organic networks are the ones found without planting
      (BASELINE "-": no such comparison).

The planted networks differ in size (4..30), trace (retweets of organic
objects, new URLs, hashtags, paraphrased texts), jitter (3..50 s inside the
default 60 s window; one spread over an hour that only a wider window sees),
participation (50..100% of members per event) and background (every member
also retweets organic objects at random times; one network's members are
hyperactive).
"""
import argparse
import csv
import json
import random
import sqlite3
import sys

WORDS = ("the people vote freedom government protest city today news truth "
         "lies media support against leader strong nation future enemy west "
         "peace war economy prices fuel youth streets police election rights "
         "women life justice tomorrow unity foreign agents chaos order "
         "security victory shame brave heroes martyrs internet").split()

# name: (members, events, jitter s, participation, style, organic per member)
NETWORKS = {
    "A-retweet-organic": (6, 20, 10, 0.9, "retweet-organic", 20),
    "B-url": (15, 25, 30, 0.6, "url", 20),
    "C-hashtag": (30, 25, 50, 0.7, "hashtag", 20),
    "D-text-paraphrase": (8, 20, 20, 0.8, "text", 20),
    "E-hyperactive": (12, 25, 5, 0.5, "retweet-organic", 300),
    "F-small-tight": (4, 30, 3, 1.0, "retweet-new", 20),
    "G-wide-1h": (10, 25, 3600, 0.8, "retweet-new", 20),
}


def read_organic(path):
    with open(path, newline="") as f:
        return [(r["object_id"], r["account_id"], r["content_id"],
                 int(r["timestamp_share"])) for r in csv.DictReader(f)]


def paraphrase(rng, base):
    w = list(base)
    for _ in range(rng.randint(1, 2)):
        w[rng.randrange(len(w))] = rng.choice(WORDS)
    return " ".join(w)


def plant(organic, out, truth, seed, url_domain=None):
    rng = random.Random(seed)
    rows = read_organic(organic)
    t0 = min(r[3] for r in rows)
    t1 = max(r[3] for r in rows)
    shares = {}
    for o, _, _, _ in rows:
        shares[o] = shares.get(o, 0) + 1
    mid = sorted(o for o, n in shares.items() if 3 <= n <= 20)
    allobj = sorted(shares)
    post = 0
    with open(out, "w", newline="") as f, open(truth, "w", newline="") as tf:
        w = csv.writer(f)
        tw = csv.writer(tf)
        w.writerow(["account", "post", "time", "shared", "url", "hashtags", "text"])
        tw.writerow(["account", "network"])
        for name, (size, events, jitter, part, style, bg) in NETWORKS.items():
            members = [f"{name}-m{i}" for i in range(size)]
            for m in members:
                tw.writerow([m, name])
            for e in range(events):
                te = rng.randint(t0, t1 - 3600)
                obj = rng.choice(mid) if style == "retweet-organic" else ""
                base = [rng.choice(WORDS) for _ in range(14)]
                for m in members:
                    if rng.random() >= part:
                        continue
                    t = te + rng.randint(0, jitter)
                    shared = url = tags = text = ""
                    if style == "retweet-organic":
                        shared = obj
                    elif style == "retweet-new":
                        shared = f"{name}-obj{e}"
                    elif style == "url":
                        host = url_domain or f"{name.lower()}-news.com"
                        url = f"https://www.{host}/story/{e}?utm_source=x"
                    elif style == "hashtag":
                        tags = f"#{name}{e % 6} #Campaign{e}"
                        shared = f"{name}-obj{e}"
                    elif style == "text":
                        text = paraphrase(rng, base)
                    w.writerow([m, f"plant{post}", t, shared, url, tags, text])
                    post += 1
            for m in members:
                for _ in range(bg):
                    w.writerow([m, f"plant{post}", rng.randint(t0, t1), rng.choice(allobj), "", "", ""])
                    post += 1


def shuffle(organic, out, seed):
    rng = random.Random(seed)
    rows = read_organic(organic)
    t0 = min(r[3] for r in rows)
    t1 = max(r[3] for r in rows)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["object_id", "account_id", "content_id", "timestamp_share"])
        for o, a, c, _ in rows:
            w.writerow([o, a, c, rng.randint(t0, t1)])


def members(db):
    con = sqlite3.connect(db)
    run = con.execute("select max(id) from cib_run where finished is not null").fetchone()[0]
    nets = {}
    if run is not None:
        for nid, name in con.execute(
                "select m.network_id, a.name from cib_member m join cib_account a "
                "on a.id = m.account_id where m.run_id = ? order by 1, 2", (run,)):
            nets.setdefault(str(nid), []).append(name)
    return nets


def jaccard(a, b):
    return len(a & b) / len(a | b) if a | b else 0.0


def score(db, truth, baseline, min_recall, min_precision, expect_missing):
    planted = {}
    with open(truth, newline="") as f:
        for r in csv.DictReader(f):
            planted.setdefault(r["network"], set()).add(r["account"])
    label_of = {a: n for n, s in planted.items() for a in s}
    found = {k: set(v) for k, v in members(db).items()}
    # baseline "-": no organic comparison (synthetic data, bench/cib_bench.sh)
    base = None if baseline == "-" else [set(v) for v in json.load(open(baseline)).values()]
    ok = True
    # each found network is labelled by the planted network most of its
    # members belong to, or "organic"
    labels = {}
    for k, s in found.items():
        votes = {}
        for a in s:
            votes[label_of.get(a, "organic")] = votes.get(label_of.get(a, "organic"), 0) + 1
        labels[k] = max(sorted(votes), key=lambda n: votes[n])
    print(f"{'planted network':22} {'size':>4} {'found':>5} {'in nets':>7} {'recall':>6} {'precision':>9}")
    tp_all = fp_all = fn_all = 0
    for name, s in planted.items():
        nets = [k for k in found if labels[k] == name]
        got = set().union(*(found[k] for k in nets)) if nets else set()
        tp = len(got & s)
        fp = len(got - s)
        fn = len(s - got)
        rec = tp / len(s)
        prec = tp / len(got) if got else 1.0
        print(f"{name:22} {len(s):4} {tp:5} {len(nets):7} {rec:6.3f} {prec:9.3f}")
        if name in expect_missing:
            continue
        tp_all += tp
        fp_all += fp
        fn_all += fn
    # planted accounts that landed in organic networks are false positives too
    leaked = [(k, sorted(found[k] & set(label_of))) for k in found
              if labels[k] == "organic" and found[k] & set(label_of)]
    for k, acc in leaked:
        fp_all += len(acc)
    recall = tp_all / (tp_all + fn_all) if tp_all + fn_all else 1.0
    precision = tp_all / (tp_all + fp_all) if tp_all + fp_all else 1.0
    print(f"overall membership: recall {recall:.3f}, precision {precision:.3f} "
          f"(excluding {', '.join(expect_missing) or 'none'})")
    if recall < min_recall or precision < min_precision:
        print(f"FAIL recall >= {min_recall} and precision >= {min_precision}")
        ok = False
    else:
        print(f"ok   recall >= {min_recall} and precision >= {min_precision}")
    if leaked:
        print(f"FAIL planted accounts in organic networks: {leaked[:3]}")
        ok = False
    else:
        print("ok   no planted account in an organic network")
    # organic networks: the ones found without planting, nothing new
    organic = [found[k] for k in found if labels[k] == "organic"]
    if base is None:
        print(f"organic networks: {len(organic)} (no baseline)")
        return ok
    unmatched = [sorted(s)[:3] for s in organic if not any(jaccard(s, b) >= 0.5 for b in base)]
    lost = [sorted(b)[:3] for b in base if not any(jaccard(s, b) >= 0.5 for s in organic)]
    print(f"organic networks: {len(base)} without planting, {len(organic)} with")
    if unmatched:
        print(f"FAIL organic networks that planting created: {unmatched[:3]}")
        ok = False
    else:
        print("ok   planting creates no organic network")
    if len(lost) > max(1, len(base) // 10):
        print(f"FAIL organic networks lost after planting: {len(lost)} {lost[:3]}")
        ok = False
    else:
        print(f"ok   organic networks kept after planting ({len(lost)} lost)")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plant")
    p.add_argument("organic"); p.add_argument("out"); p.add_argument("truth")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--url-domain", help="the domain network B links to (e.g. one of an indicator list)")
    p = sub.add_parser("shuffle")
    p.add_argument("organic"); p.add_argument("out")
    p.add_argument("--seed", type=int, default=7)
    p = sub.add_parser("members")
    p.add_argument("db")
    p = sub.add_parser("score")
    p.add_argument("db"); p.add_argument("truth"); p.add_argument("baseline")
    p.add_argument("--min-recall", type=float, default=0.9)
    p.add_argument("--min-precision", type=float, default=0.9)
    p.add_argument("--expect-missing", default="")
    a = ap.parse_args()
    if a.cmd == "plant":
        plant(a.organic, a.out, a.truth, a.seed, a.url_domain)
    elif a.cmd == "shuffle":
        shuffle(a.organic, a.out, a.seed)
    elif a.cmd == "members":
        print(json.dumps(members(a.db)))
    else:
        miss = [m for m in a.expect_missing.split(",") if m]
        return 0 if score(a.db, a.truth, a.baseline, a.min_recall, a.min_precision, miss) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
