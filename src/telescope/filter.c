/*
 * filter.c - the telescope's noise filters (corsaro3's list, DOMAIN.md §1).
 *
 * Second step of the telescope stage, between the packet decoder (pkt.c)
 * and the source sets (count.c).  A darknet receives scans, worms and
 * backscatter; only packets that a host of the source network really sent
 * on its own should count, so anything likely spoofed (special-purpose or
 * broadcast-like sources, TTL >= 200, fragments, crafted headers), any reply
 * to someone else's spoofed traffic (backscatter), BitTorrent clients chasing
 * stale peers, and the big Internet-wide scanners (whose sources say nothing
 * about their network being up) are removed.  docs/TELESCOPE.md documents
 * every rule and its source.
 *
 * Key decision: one fixed order, first match wins, so each removed packet is
 * counted against exactly one filter and the counts add up.  Cheap header
 * tests come first; payload tests last.
 */
#include "darkwatch/telescope.h"

#include <string.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

static const struct {
	const char *name, *text;
} info[DW_TF__COUNT] = {
	{"special-src", "source in an RFC 6890 special-purpose block (private, "
			"loopback, link-local, CGN, documentation, multicast, "
			"reserved)"},
	{"same-src-dst", "source address equals destination address"},
	{"last-octet", "source address ends in .0 or .255"},
	{"ttl-200", "IP TTL of 200 or more (spoofing tools' defaults)"},
	{"fragment", "IP fragment (more-fragments set or offset not 0)"},
	{"abnormal-protocol", "IP protocol other than ICMP, TCP, UDP, "
			      "IPv6-in-IPv4, GRE, ESP"},
	{"port-0", "TCP or UDP source or destination port 0"},
	{"tcp-flags", "erratic TCP flags: none, SYN+FIN, SYN+RST, or "
		      "FIN+PSH+URG without ACK"},
	{"backscatter", "replies to spoofed traffic: TCP SYN-ACK or RST, ICMP "
			"replies and errors, well-formed DNS responses"},
	{"dns-resp", "UDP from port 53 that is not a standard DNS response "
		     "(header too short, a query, odd opcode or question count)"},
	{"bittorrent", "BitTorrent: handshake, DHT (bencoded d1:) or uTP "
		       "headers in UDP"},
	{"scanner", "large-scale scanner fingerprints: ZMap (IP ID 54321), "
		    "masscan (IP ID = dst ^ dport ^ seq)"},
	{"unrouted", "source in no prefix of the prefix-to-AS table "
		     "(spoofed; counted per source, needs --pfx2as)"},
};

const char *dw_tel_filter_name(enum dw_tel_filter f)
{
	return (unsigned)f < DW_TF__COUNT ? info[f].name : "unknown";
}

const char *dw_tel_filter_text(enum dw_tel_filter f)
{
	return (unsigned)f < DW_TF__COUNT ? info[f].text : "unknown filter";
}

int dw_tel_filter_find(const char *name)
{
	for (int i = 0; i < DW_TF__COUNT; i++)
		if (!strcmp(name, info[i].name))
			return i;
	return -1;
}

/* RFC 6890 special-purpose IPv4 blocks (and 240/4 up to broadcast). */
static int special(uint32_t a)
{
	static const struct {
		uint32_t net;
		uint8_t len;
	} blocks[] = {
		{0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10},
		{0x7f000000, 8},  {0xa9fe0000, 16}, {0xac100000, 12},
		{0xc0000000, 24}, {0xc0000200, 24}, {0xc0586300, 24},
		{0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24},
		{0xcb007100, 24}, {0xe0000000, 4},  {0xf0000000, 4},
	};
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if ((a & (0xffffffffu << (32 - blocks[i].len))) == blocks[i].net)
			return 1;
	return 0;
}

static int erratic_flags(uint8_t f)
{
	if (!(f & 0x3f))
		return 1;
	if ((f & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN) ||
	    (f & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST))
		return 1;
	return (f & (TH_FIN | TH_PSH | TH_URG | TH_ACK)) ==
	       (TH_FIN | TH_PSH | TH_URG);
}

/* A well-formed DNS response header: QR, opcode 0-2, one question. */
static int dns_response(const struct dw_tel_pkt *p)
{
	const uint8_t *d = p->payload;
	if (p->payload_len < 12 || !(d[2] & 0x80))
		return 0;
	if (((d[2] >> 3) & 15) > 2)
		return 0;
	return d[4] == 0 && d[5] == 1;
}

static int backscatter(const struct dw_tel_pkt *p)
{
	switch (p->proto) {
	case 6:
		return (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) ||
		       (p->tcp_flags & TH_RST);
	case 1:
		switch (p->icmp_type) {
		case 0: case 3: case 4: case 5: case 11: case 12: case 14:
		case 16: case 18:
			return 1;
		}
		return 0;
	case 17:
		return p->sport == 53 && dns_response(p);
	}
	return 0;
}

static int bittorrent(const struct dw_tel_pkt *p)
{
	static const char hs[] = "\x13" "BitTorrent protocol";
	const uint8_t *d = p->payload;
	size_t n = p->payload_len;

	if (n >= sizeof(hs) - 1 && !memcmp(d, hs, sizeof(hs) - 1))
		return 1;
	if (p->proto != 17)
		return 0;
	if (n >= 4 && d[0] == 'd' && d[1] == '1' && d[2] == ':' &&
	    (d[3] == 'a' || d[3] == 'r' || d[3] == 'e' || d[3] == 'q'))
		return 1;
	/* uTP (BEP 29): version 1, type 0-4, extension 0-2, 20-byte header */
	return n >= 20 && (d[0] & 15) == 1 && (d[0] >> 4) <= 4 && d[1] <= 2 &&
	       p->sport > 1023 && p->dport > 1023;
}

static int scanner(const struct dw_tel_pkt *p)
{
	if (p->ip_id == 54321)
		return 1;
	return p->proto == 6 && (p->tcp_flags & 0x3f) == TH_SYN &&
	       p->ip_id == ((p->dst ^ p->dport ^ p->tcp_seq) & 0xffff);
}

/* 1 if filter f removes p. */
static int match(int f, const struct dw_tel_pkt *p)
{
	int tcpudp = p->has_l4 && (p->proto == 6 || p->proto == 17);

	switch (f) {
	case DW_TF_SPECIAL_SRC: return special(p->src);
	case DW_TF_SAME_SRC_DST: return p->src == p->dst;
	case DW_TF_LAST_OCTET:
		return (p->src & 0xff) == 0 || (p->src & 0xff) == 0xff;
	case DW_TF_TTL200: return p->ttl >= 200;
	case DW_TF_FRAGMENT: return p->mf || p->frag_off;
	case DW_TF_ABNORMAL_PROTO:
		return p->proto != 1 && p->proto != 6 && p->proto != 17 &&
		       p->proto != 41 && p->proto != 47 && p->proto != 50;
	case DW_TF_PORT0: return tcpudp && (!p->sport || !p->dport);
	case DW_TF_TCP_FLAGS:
		return p->has_l4 && p->proto == 6 && erratic_flags(p->tcp_flags);
	case DW_TF_BACKSCATTER: return p->has_l4 && backscatter(p);
	case DW_TF_DNS_RESP:
		return p->has_l4 && p->proto == 17 && p->sport == 53 &&
		       !dns_response(p);
	case DW_TF_BITTORRENT: return tcpudp && bittorrent(p);
	case DW_TF_SCANNER: return scanner(p);
	}
	return 0;
}

int dw_tel_filter_match(const struct dw_tel_pkt *p, uint32_t enabled)
{
	for (int f = 0; f < DW_TF_UNROUTED; f++)
		if ((enabled & (1u << f)) && match(f, p))
			return f;
	return -1;
}
