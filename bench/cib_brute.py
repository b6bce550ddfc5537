#!/usr/bin/env python3
"""cib_brute.py - the coordinated-account engine's candidate pairs, by brute
force, from a store's tables; compared with what the engine computed.

  cib_brute.py DB ENGINE_PAIRS.csv [--window 60] [--traces 0x1f]
      [--popular-share 0.01] [--popular-min 50]

ENGINE_PAIRS.csv is bench/cib_pairs' output on the same store.  For every
trace in the mask (the text trace is not recomputed here: its objects are
the engine's MinHash clusters), every object, every two actions of distinct
accounts on it: the pair co-acted if the times are at most WINDOW apart
(counted once per pair and object).  Weights follow docs/CIB.md, Detection
2-3: N = accounts active in the trace, objects reached by more than
max(popular_min, popular_share * N) accounts ignored, idf(o) = ln(1 + N /
n(o)), S(a) = sum of idf over a's distinct non-popular objects, each
co-action adds idf(o) / sqrt(S(a) S(b)); traces are summed.  All pairs per
object, no window tricks: O(sum of n(o)^2), fine for a sample.

Prints the number of pairs each side found and the differences; exit 0 when
both have exactly the same pairs with the same shared counts and weights
within 1e-6.
"""
import argparse
import math
import sqlite3
import sys
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("engine")
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--traces", type=lambda s: int(s, 0), default=0x1F)
    ap.add_argument("--popular-share", type=float, default=0.01)
    ap.add_argument("--popular-min", type=int, default=50)
    a = ap.parse_args()
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    shared = defaultdict(int)
    weight = defaultdict(float)
    traces = defaultdict(int)
    for trace in range(5):
        if not a.traces & (1 << trace):
            continue
        acts = defaultdict(list)
        for o, t, acc in con.execute(
                "select object_id, t, account_id from cib_action where trace = ?", (trace,)):
            acts[o].append((t, acc))
        if not acts:
            continue
        accounts = {acc for v in acts.values() for _, acc in v}
        n_all = len(accounts)
        cut = max(a.popular_min, a.popular_share * n_all)
        idf = {}
        mass = defaultdict(float)
        for o, v in acts.items():
            n = len({acc for _, acc in v})
            if n > cut:
                continue
            idf[o] = math.log(1 + n_all / n)
            for acc in {acc for _, acc in v}:
                mass[acc] += idf[o]
        for o, w in idf.items():
            v = acts[o]
            seen = set()
            for i in range(len(v)):
                for j in range(i + 1, len(v)):
                    (ti, ai), (tj, aj) = v[i], v[j]
                    if ai == aj or abs(ti - tj) > a.window:
                        continue
                    p = (min(ai, aj), max(ai, aj))
                    if p in seen:
                        continue
                    seen.add(p)
                    shared[p] += 1
                    weight[p] += w / math.sqrt(mass[ai] * mass[aj])
                    traces[p] |= 1 << trace
    eng = {}
    with open(a.engine) as f:
        next(f)
        for line in f:
            x, y, s, w, tr = line.rstrip("\n").split(",")
            eng[(int(x), int(y))] = (int(s), float(w), int(tr))
    only_b = [p for p in shared if p not in eng]
    only_e = [p for p in eng if p not in shared]
    diff = [p for p in shared if p in eng and (
        eng[p][0] != shared[p] or abs(eng[p][1] - weight[p]) > 1e-6 or eng[p][2] != traces[p])]
    print(f"brute force: {len(shared)} pairs, {sum(shared.values())} co-actions; "
          f"engine: {len(eng)} pairs; only brute {len(only_b)}, only engine "
          f"{len(only_e)}, different {len(diff)}")
    for p in (only_b[:3] + only_e[:3] + diff[:3]):
        print(f"  {p}: brute {shared.get(p)}/{weight.get(p)}/{traces.get(p)} engine {eng.get(p)}")
    return 0 if not (only_b or only_e or diff) and shared else 1


if __name__ == "__main__":
    sys.exit(main())
