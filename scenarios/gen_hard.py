#!/usr/bin/env python3
"""gen_hard.py - harder detection scenarios with known truth (seeded).

The simulator's scenarios (iran-2019, quiet-week, peer-reset) give exact,
flat BGP series: real for what they test, easy for a detector.  This
generator writes what they lack, as CSV files `darkwatch signal import`
reads and one truth file per datasource in the simulator's format
(docs/SIM.md: entity_type,entity_code,kind,start,end,expected_change):

  group     datasource     step  what
  diurnal   ping-slash24    600  probing counts, daily swing 20-60 % and a
                                 weekend dip, 1 % noise; outages 40-100 %
                                 for 30 min - 12 h
  partial   bgp             300  flat /24 counts with jitter; partial
                                 outages 15-60 % for 1 h - 5 days, plus two
                                 shallow long drops (10 % for a day: the
                                 documented limit, reported as level shifts)
  shift     bgp             300  level shifts that are NOT outages: up
                                 +10..+60 %, down -4..-12 % (renumbering,
                                 a collector peer change); some entities get
                                 a real outage days later
  short     merit-nt         60  telescope-like noisy counts (Poisson,
                                 mean 200-2000); outages 2-30 min, 60-100 %
  hourly    gtr            3600  hourly traffic with a strong daily and
                                 weekly shape; outages 2-24 h, 50-100 %

expected_change is the change of the series' level at the start (negative
for a drop), in the series' units.  Shifts are not outages and have no
truth row.  28 days from 2024-01-01 (a Monday), so the weekly profile has
its three references.  Same seed, same files.

usage: gen_hard.py --out DIR [--seed N] [--days D] [--scale F]
  then for each DIR/<datasource>.csv:
    darkwatch signal import --db DB --datasource <datasource> --csv FILE
"""
import argparse
import math
import os
import random

START = 1704067200  # 2024-01-01T00:00Z, a Monday


def poisson(rng, lam):
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def outages(rng, n, days, step, dur_range, drop_range, avoid_first=3):
    """n non-overlapping (start, end, drop) on step boundaries."""
    out = []
    tries = 0
    while len(out) < n and tries < 1000:
        tries += 1
        dur = rng.randint(*dur_range) // step * step or step
        lo = START + avoid_first * 86400
        hi = START + days * 86400 - dur - 6 * 3600
        if hi <= lo:
            break
        s = rng.randrange(lo, hi) // step * step
        if any(s < e + 12 * 3600 and o < s + dur + 12 * 3600 for o, e, _ in out):
            continue
        out.append((s, s + dur, rng.uniform(*drop_range)))
    return sorted(out)


def factor_at(t, evs):
    f = 1.0
    for s, e, d in evs:
        if s <= t < e:
            f *= 1 - d
    return f


class Writer:
    def __init__(self, out):
        self.out = out
        self.files = {}
        self.truth = {}

    def row(self, ds, etype, code, name, t, v):
        f = self.files.get(ds)
        if f is None:
            f = self.files[ds] = open(os.path.join(self.out, ds + ".csv"), "w")
            f.write("entity_type,entity_code,entity_name,time,value\n")
        f.write(f"{etype},{code},{name},{t},{v}\n")

    def event(self, ds, etype, code, kind, s, e, change):
        self.truth.setdefault(ds, []).append(
            f"{etype},{code},{kind},{s},{e},{int(round(change))}")

    def close(self):
        for f in self.files.values():
            f.close()
        for ds, rows in self.truth.items():
            with open(os.path.join(self.out, f"truth-{ds}.csv"), "w") as f:
                f.write("entity_type,entity_code,kind,start,end,expected_change\n")
                f.write("\n".join(rows) + "\n")
        for ds in self.files:
            if ds not in self.truth:
                with open(os.path.join(self.out, f"truth-{ds}.csv"), "w") as f:
                    f.write("entity_type,entity_code,kind,start,end,expected_change\n")


def diurnal(rng, w, days, n):
    step = 600
    for i in range(n):
        code = f"DX{i:02d}"
        base = rng.uniform(500, 20000)
        amp = rng.uniform(0.2, 0.6)
        phase = rng.uniform(0, 2 * math.pi)
        wkend = rng.uniform(0.8, 0.95)
        evs = outages(rng, rng.randint(1, 2), days, step, (1800, 12 * 3600), (0.4, 1.0))
        for s, e, d in evs:
            w.event("ping-slash24", "region", code, "outage", s, e, -d * base)
        for t in range(START, START + days * 86400, step):
            x = (t - START) / 86400
            lvl = base * (1 + amp * math.sin(2 * math.pi * x + phase))
            if int(x) % 7 >= 5:
                lvl *= wkend
            v = lvl * factor_at(t, evs) * (1 + rng.gauss(0, 0.01))
            w.row("ping-slash24", "region", code, f"Diurnal {i}", t, max(0, int(v)))


def partial(rng, w, days, n):
    step = 300
    for i in range(n):
        code = str(64600 + i)
        base = rng.randint(200, 20000)
        evs = outages(rng, rng.randint(1, 3), days, step, (3600, 5 * 86400), (0.15, 0.6))
        if i < 2:  # the documented limit: a shallow drop that lasts a day
            evs = [(START + (10 + i) * 86400, START + (11 + i) * 86400, 0.10)]
        for s, e, d in evs:
            w.event("bgp", "asn", code, "partial_outage" if d >= 0.15 else "shallow_long",
                    s, e, -d * base)
        for t in range(START, START + days * 86400, step):
            v = base * factor_at(t, evs)
            if rng.random() < 0.02:  # a flapping /24 or two
                v -= rng.randint(1, 2)
            w.row("bgp", "asn", code, f"Partial {i}", t, max(0, int(round(v))))


def shift(rng, w, days, n):
    step = 300
    for i in range(n):
        code = str(64700 + i)
        base = rng.randint(500, 20000)
        shifts = []
        for _ in range(rng.randint(1, 2)):
            t = START + rng.randint(3 * 86400, (days - 8) * 86400) // step * step
            up = rng.random() < 0.5
            shifts.append((t, rng.uniform(0.10, 0.60) if up else -rng.uniform(0.04, 0.12)))
        shifts.sort()
        evs = []
        if i % 2 == 0:  # a real outage later on
            s = shifts[-1][0] + rng.randint(2, 5) * 86400 // step * step
            e = s + rng.randint(2, 24) * 3600
            if e < START + days * 86400 - 3600:
                evs.append((s, e, rng.uniform(0.5, 1.0)))
        for t in range(START, START + days * 86400, step):
            lvl = base
            for st, d in shifts:
                if t >= st:
                    lvl *= 1 + d
            if t in [s for s, _, _ in evs]:
                w.event("bgp", "asn", code, "outage", t, evs[0][1], -evs[0][2] * lvl)
            w.row("bgp", "asn", code, f"Shift {i}", t, int(round(lvl * factor_at(t, evs))))


def short(rng, w, days, n):
    step = 60
    for i in range(n):
        code = f"SX{i:02d}"
        lam = rng.uniform(200, 2000)
        evs = outages(rng, rng.randint(2, 4), days, step, (120, 1800), (0.6, 1.0), 1)
        for s, e, d in evs:
            w.event("merit-nt", "country", code, "outage", s, e, -d * lam)
        for t in range(START, START + days * 86400, step):
            w.row("merit-nt", "country", code, f"Short {i}", t,
                  poisson(rng, lam * factor_at(t, evs)))


def hourly(rng, w, days, n):
    step = 3600
    for i in range(n):
        code = f"HX{i:02d}"
        base = rng.uniform(1000, 100000)
        amp = rng.uniform(0.3, 0.7)
        wkend = rng.uniform(0.6, 0.85)
        evs = outages(rng, rng.randint(1, 2), days, step, (2 * 3600, 24 * 3600), (0.5, 1.0), 7)
        for s, e, d in evs:
            w.event("gtr", "country", code, "outage", s, e, -d * base)
        for t in range(START, START + days * 86400, step):
            x = (t - START) / 86400
            lvl = base * (1 + amp * math.sin(2 * math.pi * (x - 0.3)))
            if int(x) % 7 >= 5:
                lvl *= wkend
            v = lvl * factor_at(t, evs) * (1 + rng.gauss(0, 0.02))
            w.row("gtr", "country", code, f"Hourly {i}", t, round(max(0.0, v), 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the number of entities per group")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    w = Writer(a.out)
    k = lambda n: max(1, int(n * a.scale))
    diurnal(rng, w, a.days, k(40))
    partial(rng, w, a.days, k(30))
    shift(rng, w, a.days, k(20))
    short(rng, w, a.days, k(10))
    hourly(rng, w, a.days, k(20))
    w.close()


if __name__ == "__main__":
    main()
