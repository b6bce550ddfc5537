#!/usr/bin/env python3
"""telescope_pcap.py - crafted captures and a reference reader for the
telescope tests (telescope_filters.sh, telescope_real.sh).

  telescope_pcap.py craft DIR    write DIR/geo.csv, DIR/pfx2as.txt and one
                                 capture per filter class (DIR/f_<name>.pcap)
                                 plus DIR/malformed.pcap, and DIR/expect.json:
                                 the exact counts each must give
  telescope_pcap.py ref FILE BIN reference decode of a real capture (pcap or
                                 pcapng; Ethernet/VLAN/SLL/raw): JSON with
                                 ipv4, not_ipv4, unique sources summed over
                                 BIN-second bins, ttl>=200 and fragments

Standard library only (struct): an oracle independent of libpcap and of
darkwatch's decoder.
"""
import json
import os
import struct
import sys

T0 = 1573862400  # 2019-11-16T00:00Z, a multiple of 60
DST = 0xC6120000 + 0x100  # telescope addresses: 198.18.1.x (never a source)


def ip(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, l4, ttl=64, ipid=1, frag=0, ihl=5, totlen=None):
    opts = b"\0" * ((ihl - 5) * 4) if ihl > 5 else b""
    n = 20 + len(opts) + len(l4) if totlen is None else totlen
    h = struct.pack("!BBHHHBBHII", 0x40 | ihl, 0, n, ipid, frag, ttl, proto,
                    0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def tcp(sport, dport, flags, seq=1000, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags,
                       1024, 0, 0) + payload


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp(typ, code=0):
    return struct.pack("!BBHI", typ, code, 0, 0)


SYN = 0x02
LINKS = ["eth", "vlan", "qinq", "sll", "sll2", "raw"]
DLT = {"eth": 1, "vlan": 1, "qinq": 1, "sll": 113, "sll2": 276, "raw": 101}


def frame(kind, pkt):
    mac = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
    if kind == "eth":
        return mac + b"\x08\x00" + pkt
    if kind == "vlan":
        return mac + b"\x81\x00\x00\x64\x08\x00" + pkt
    if kind == "qinq":
        return mac + b"\x88\xa8\x00\x0a\x81\x00\x00\x64\x08\x00" + pkt
    if kind == "sll":
        return struct.pack("!HHH8sH", 0, 1, 6, b"\x66" * 8, 0x0800) + pkt
    if kind == "sll2":
        return struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6,
                           b"\x66" * 8) + pkt
    return pkt


def write_pcap(path, kind, pkts):
    """pkts: (ts, ip_packet_bytes[, wire_extra]) in time order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                            DLT[kind]))
        for p in pkts:
            ts, data = p[0], frame(kind, p[1])
            wire = len(data) + (p[2] if len(p) > 2 else 0)
            f.write(struct.pack("<IIII", ts, 0, len(data), wire) + data)


# --- the world: address blocks, their geo and origin -----------------------
WORLD = [  # (first, last, cc, region, pfx2as line or None)
    ("20.0.0.0", "20.0.255.255", "IR", "Tehran", "20.0.0.0/16\t64501"),
    ("20.1.0.0", "20.1.255.255", "IR", "Isfahan", "20.1.0.0/16\t64502"),
    ("30.0.0.0", "30.0.255.255", "DE", "Berlin", "30.0.0.0/16\t64503"),
    ("40.0.0.0", "40.0.255.255", "US", "Texas", None),  # unrouted
]
MORE_SPECIFIC = "20.1.128.0/17\t64504"  # inside Isfahan: LPM picks it


def base_traffic():
    """Two bins of clean traffic and its exact unique-source counts."""
    pk, exp = [], [{}, {}]
    srcs0 = ([("20.0.0.%d" % i, 1 + i % 3) for i in range(1, 6)] +      # AS64501
             [("20.1.0.%d" % i, 2) for i in range(1, 4)] +              # AS64502
             [("20.1.200.%d" % i, 1) for i in range(1, 3)] +            # AS64504
             [("30.0.0.%d" % i, 3) for i in range(1, 5)])               # AS64503
    srcs1 = [("30.0.1.%d" % i, 1) for i in range(1, 7)]                 # DE only
    for b, srcs in enumerate((srcs0, srcs1)):
        for k, (s, n) in enumerate(srcs):
            for j in range(n):
                l4 = tcp(40000 + k, 23 if j % 2 else 445, SYN, seq=7 + j)
                pk.append((T0 + 60 * b + (k + j) % 50, ipv4(ip(s), DST + k, 6, l4)))
    exp[0] = {"country/IR": 10, "country/DE": 4, "region/IR-Tehran": 5,
              "region/IR-Isfahan": 5, "region/DE-Berlin": 4, "asn/64501": 5,
              "asn/64502": 3, "asn/64504": 2, "asn/64503": 4,
              "geoasn/64501-IR": 5, "geoasn/64502-IR": 3,
              "geoasn/64504-IR": 2, "geoasn/64503-DE": 4}
    exp[1] = {k: 0 for k in exp[0]}
    exp[1].update({"country/DE": 6, "region/DE-Berlin": 6, "asn/64503": 6,
                   "geoasn/64503-DE": 6})
    return pk, exp


def noise(name):
    """Packets filter `name` removes (all in bin 0, new sources): a list of
    IP packets, and what disabling the filter adds: {entity: +n}, plus how
    many of them another filter then catches ("unrouted" sources)."""
    de = lambda i: ip("30.0.%d.%d" % (100 + len(name), i))  # fresh DE sources
    d = DST + 77
    if name == "special-src":
        p = [ipv4(ip("10.1.2.%d" % i), d, 6, tcp(1000, 80, SYN)) for i in (1, 2, 3)]
        p += [ipv4(ip("192.168.0.9"), d, 17, udp(5000, 53, b"x")),
              ipv4(ip("224.0.0.5"), d, 1, icmp(8))]
        return p, {}, 5  # off: 5 unrouted sources
    if name == "same-src-dst":
        return [ipv4(de(i), de(i), 6, tcp(1000, 80, SYN)) for i in (1, 2)], {"country/DE": 2}, 0
    if name == "last-octet":
        return [ipv4(de(0), d, 6, tcp(1, 80, SYN)), ipv4(de(255), d, 6, tcp(1, 80, SYN)),
                ipv4(de(255), d, 17, udp(9, 9, b"a"))], {"country/DE": 2}, 0
    if name == "ttl-200":
        return [ipv4(de(i), d, 6, tcp(1000, 80, SYN), ttl=200 + i) for i in (1, 2, 3)], {"country/DE": 3}, 0
    if name == "fragment":
        return [ipv4(de(1), d, 17, udp(5, 5, b"x" * 16), frag=0x2000),
                ipv4(de(2), d, 17, b"y" * 16, frag=0x0003),
                ipv4(de(2), d, 6, b"z" * 24, frag=0x2000 | 0x0010)], {"country/DE": 2}, 0
    if name == "abnormal-protocol":
        return [ipv4(de(i), d, p, b"\0" * 8) for i, p in ((1, 103), (2, 132), (3, 2))], {"country/DE": 3}, 0
    if name == "port-0":
        return [ipv4(de(1), d, 6, tcp(1000, 0, SYN)), ipv4(de(2), d, 17, udp(0, 53, b"q")),
                ipv4(de(3), d, 6, tcp(0, 80, SYN))], {"country/DE": 3}, 0
    if name == "tcp-flags":
        return [ipv4(de(1), d, 6, tcp(1000, 80, 0)), ipv4(de(2), d, 6, tcp(1000, 80, 0x03)),
                ipv4(de(3), d, 6, tcp(1000, 80, 0x40)), ipv4(de(4), d, 6, tcp(1000, 80, 0x29))], {"country/DE": 4}, 0
    if name == "backscatter":
        dns = struct.pack("!HHHHHH", 7, 0x8180, 1, 1, 0, 0) + b"\x01a\x00\x00\x01\x00\x01"
        return [ipv4(de(1), d, 6, tcp(80, 40000, 0x12)), ipv4(de(2), d, 6, tcp(80, 40000, 0x14)),
                ipv4(de(3), d, 1, icmp(0)), ipv4(de(4), d, 1, icmp(3, 1)),
                ipv4(de(5), d, 1, icmp(11)), ipv4(de(6), d, 17, udp(53, 40001, dns))], {"country/DE": 6}, 0
    if name == "dns-resp":
        q = struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x01a\x00\x00\x01\x00\x01"
        odd = struct.pack("!HHHHHH", 7, 0x8180, 3, 0, 0, 0)
        return [ipv4(de(1), d, 17, udp(53, 40001, q)), ipv4(de(2), d, 17, udp(53, 1434, b"\x01\x02")),
                ipv4(de(3), d, 17, udp(53, 40001, odd))], {"country/DE": 3}, 0
    if name == "bittorrent":
        return [ipv4(de(1), d, 17, udp(6881, 6881, b"d1:ad2:id20:abcdefghij0123456789e1:q4:pinge")),
                ipv4(de(2), d, 6, tcp(50000, 6881, 0x18, payload=b"\x13BitTorrent protocol" + b"\0" * 8)),
                ipv4(de(3), d, 17, udp(40000, 51413, b"\x41\x00\x12\x34" + b"\0" * 16))], {"country/DE": 3}, 0
    if name == "scanner":
        dst, dport, seq = d, 8080, 0x12345678
        return [ipv4(de(1), d, 6, tcp(1000, 80, SYN), ipid=54321),
                ipv4(de(2), d, 1, struct.pack("!BBHI", 8, 0, 0, 0), ipid=54321),
                ipv4(de(3), dst, 6, tcp(61000, dport, SYN, seq=seq),
                     ipid=(dst ^ dport ^ seq) & 0xFFFF)], {"country/DE": 3}, 0
    if name == "unrouted":
        return [ipv4(ip("40.0.0.%d" % i), d, 6, tcp(1000, 80, SYN)) for i in (1, 2, 3, 4)], {"country/US": 4, "region/US-Texas": 4}, 0
    raise SystemExit("unknown filter " + name)


FILTERS = ["special-src", "same-src-dst", "last-octet", "ttl-200", "fragment",
           "abnormal-protocol", "port-0", "tcp-flags", "backscatter",
           "dns-resp", "bittorrent", "scanner", "unrouted"]


def craft(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "geo.csv"), "w") as g:
        for first, last, cc, region, _ in WORLD:
            g.write("%s,%s,%s,%s,,%s\n" % (first, last, cc, region, region))
    with open(os.path.join(out, "pfx2as.txt"), "w") as p:
        p.write("; prefix-to-AS test table\n")
        for w in WORLD:
            if w[4]:
                p.write(w[4] + "\n")
        p.write(MORE_SPECIFIC + "\n2001:db8::/32\t64599\n")
    base, exp = base_traffic()
    expect = {"base": exp, "filters": {}}
    for i, name in enumerate(FILTERS):
        kind = LINKS[i % len(LINKS)]
        pk, delta, unrouted = noise(name)
        pkts = sorted(base + [(T0 + 30, p) for p in pk], key=lambda x: x[0])
        write_pcap(os.path.join(out, "f_%s.pcap" % name), kind, pkts)
        srcs = len({struct.unpack("!I", p[12:16])[0] for p in pk})
        expect["filters"][name] = {"link": kind, "removed": len(pk) if name != "unrouted" else srcs,
                                   "delta": delta, "unrouted_off": unrouted}
    # malformed: base traffic plus one packet per reason
    good = ipv4(ip("30.0.99.1"), DST, 6, tcp(1000, 80, SYN))
    bad = [
        (good[:12], 0),                                           # ip-truncated
        (bytes([0x44]) + good[1:], 0),                            # bad-ihl
        (ipv4(ip("30.0.99.2"), DST, 6, tcp(1, 80, SYN), totlen=400), 0),  # bad-total-length
        (ipv4(ip("30.0.99.3"), DST, 6, tcp(1, 80, SYN))[:30], 10),  # l4-truncated
        (bytes([0x65]) + good[1:], 0),                            # raw: v6 -> not-ipv4
    ]
    tcpoff = bytearray(ipv4(ip("30.0.99.4"), DST, 6, tcp(1, 80, SYN)))
    tcpoff[32] = 0x30  # data offset 3
    bad.append((bytes(tcpoff), 0))
    pkts = sorted(base + [(T0 + 31, b, x) for b, x in bad], key=lambda x: x[0])
    write_pcap(os.path.join(out, "malformed.pcap"), "raw", pkts)
    expect["malformed"] = {"ip-truncated": 1, "bad-ihl": 1, "bad-total-length": 1,
                           "l4-truncated": 1, "not-ipv4": 1, "bad-tcp-offset": 1}
    # snaplen-cut packets are fine: wire length beyond the capture
    pkts = [(T0 + 1, ipv4(ip("30.0.98.%d" % i), DST, 6, tcp(1, 80, SYN, payload=b"p" * 40))[:54], 500)
            for i in range(1, 4)]
    write_pcap(os.path.join(out, "snaplen.pcap"), "raw", pkts)
    with open(os.path.join(out, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1)


# --- reference reader ------------------------------------------------------
def records(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        link = struct.unpack("<I", data[20:24])[0]
        off = 24
        while off + 16 <= len(data):
            ts, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
            yield link, ts, data[off + 16:off + 16 + incl]
            off += 16 + incl
        return
    if magic != 0x0A0D0D0A:
        raise SystemExit("not pcap/pcapng: " + path)
    off, links, tsres = 0, [], 1e-6
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack("<H", body[:2])[0])
        elif btype == 6:
            ifid, hi, lo, cap, orig = struct.unpack("<IIIII", body[:20])
            ts = int(((hi << 32) | lo) * tsres)
            yield links[ifid], ts, body[20:20 + cap]
        off += blen


def ref(path, binsz):
    out = {"ipv4": 0, "not_ipv4": 0, "sources": 0, "ttl200": 0, "fragment": 0}
    bins = {}
    for link, ts, d in records(path):
        if link == 1:
            et, o = struct.unpack("!H", d[12:14])[0], 14
            while et in (0x8100, 0x88A8):
                et, o = struct.unpack("!H", d[o + 2:o + 4])[0], o + 4
        elif link == 113:
            et, o = struct.unpack("!H", d[14:16])[0], 16
        elif link in (101, 12):
            et, o = (0x0800 if d[0] >> 4 == 4 else 0), 0
        else:
            raise SystemExit("link type %d" % link)
        if et != 0x0800:
            out["not_ipv4"] += 1
            continue
        out["ipv4"] += 1
        ip_ = d[o:]
        src = ip_[12:16]
        bins.setdefault(ts - ts % binsz, set()).add(src)
        out["ttl200"] += ip_[8] >= 200
        frag = struct.unpack("!H", ip_[6:8])[0]
        out["fragment"] += ip_[8] < 200 and bool(frag & 0x3FFF)
    out["sources"] = sum(len(s) for s in bins.values())
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "craft":
        craft(sys.argv[2])
    else:
        ref(sys.argv[2], int(sys.argv[3]))
