/*
 * test_telescope.c - unit tests of the telescope stage (src/telescope/):
 * the packet decoder (pkt.c), the prefix-to-AS trie (pfx2as.c) and the
 * exact counter (count.c).
 *
 * Packets are built by hand (an IPv4 header and a TCP/UDP/ICMP header,
 * wrapped in a link layer), then cut, padded or given bad fields; each
 * table row names the frame and the expected decode result.  The counter
 * is checked for exactness: duplicates within and across batches, sources
 * on both sides of /16 boundaries, bins with and without packets, late
 * packets, and millions of distinct sources spread over every /16.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkwatch/err.h"
#include "darkwatch/hash.h"
#include "darkwatch/telescope.h"
#include "testutil.h"

#define SRC 0x01020304u /* 1.2.3.4 */
#define DST 0xc6120001u

/* ---- frame building ---- */

struct ipdesc {
	uint8_t vihl, proto, ttl;
	uint16_t len_adj; /* added to the real total length (wraps) */
	uint16_t frag;
	uint8_t tcp_off; /* data offset in words (TCP) */
	size_t l4len;    /* transport bytes after the IP header */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* IPv4 + transport at b; returns the bytes written. */
static size_t ip(uint8_t *b, const struct ipdesc *d, uint32_t src)
{
	size_t hlen = (size_t)(d->vihl & 15) * 4, n;

	if (hlen < 20)
		hlen = 20;
	n = hlen + d->l4len;
	memset(b, 0, n);
	b[0] = d->vihl;
	put16(b + 2, (uint16_t)(n + d->len_adj));
	put16(b + 4, 7);
	put16(b + 6, d->frag);
	b[8] = d->ttl;
	b[9] = d->proto;
	put32(b + 12, src);
	put32(b + 16, DST);
	if (d->proto == 6 && d->l4len >= 14) {
		put16(b + hlen, 40000);
		put16(b + hlen + 2, 445);
		put32(b + hlen + 4, 99);
		b[hlen + 12] = (uint8_t)(d->tcp_off << 4);
		b[hlen + 13] = 0x02; /* SYN */
	} else if (d->proto == 17 && d->l4len >= 4) {
		put16(b + hlen, 40000);
		put16(b + hlen + 2, 161);
	} else if (d->proto == 1 && d->l4len >= 1) {
		b[hlen] = 8; /* echo request */
	}
	return n;
}

static const struct ipdesc SYN = {0x45, 6, 64, 0, 0, 5, 20};

/* Link header for linktype with `tags` VLAN tags; returns its length. */
static size_t link_hdr(uint8_t *b, int lt, int tags, uint16_t etype)
{
	size_t n = 0;

	switch (lt) {
	case DW_TEL_DLT_EN10MB:
		memset(b, 0xaa, 12);
		n = 12;
		for (int i = 0; i < tags; i++) {
			put16(b + n, i ? 0x8100 : 0x88a8);
			put16(b + n + 2, (uint16_t)(100 + i));
			n += 4;
		}
		put16(b + n, etype);
		return n + 2;
	case DW_TEL_DLT_SLL:
		memset(b, 0, 14);
		put16(b + 14, etype);
		return 16;
	case DW_TEL_DLT_SLL2:
		memset(b, 0, 20);
		put16(b, etype);
		return 20;
	case DW_TEL_DLT_NULL:
		b[0] = 2;
		b[1] = b[2] = b[3] = 0;
		return 4;
	default:
		return 0;
	}
}

/* ---- decoder table ---- */

struct dcase {
	const char *name;
	int lt, tags;
	uint16_t etype;
	struct ipdesc d;
	long cut;     /* bytes removed from the end of the capture (<0: pad) */
	long wire_adj; /* wire length = caplen + cut + wire_adj */
	enum dw_tel_bad want;
	uint8_t want_l4;
	size_t want_payload;
};

static const struct dcase dcases[] = {
	{"raw syn", 101, 0, 0, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"raw ipv4 dlt 228", 228, 0, 0, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"eth syn", 1, 0, 0x0800, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"eth 1 tag", 1, 1, 0x0800, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"eth 4 tags (qinq)", 1, 4, 0x0800, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"eth 5 tags: too deep", 1, 5, 0x0800, SYN, 0, 0, DW_TEL_NOT_IPV4, 0, 0},
	{"eth ipv6", 1, 0, 0x86dd, SYN, 0, 0, DW_TEL_NOT_IPV4, 0, 0},
	{"eth padded to 60", 1, 0, 0x0800, SYN, -6, 0, DW_TEL_OK, 1, 0},
	{"sll", 113, 0, 0x0800, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"sll2", 276, 0, 0x0800, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"bsd null", 0, 0, 0, SYN, 0, 0, DW_TEL_OK, 1, 0},
	{"unknown linktype", 9999, 0, 0, SYN, 0, 0, DW_TEL_BAD_LINKTYPE, 0, 0},
	{"eth cut in macs", 1, 0, 0x0800, SYN, 50, 0, DW_TEL_LINK_TRUNC, 0, 0},
	{"eth cut in a tag", 1, 2, 0x0800, SYN, 42, 0, DW_TEL_LINK_TRUNC, 0, 0},
	{"sll cut", 113, 0, 0x0800, SYN, 45, 0, DW_TEL_LINK_TRUNC, 0, 0},
	{"ip 19 bytes", 101, 0, 0, SYN, 21, 0, DW_TEL_IP_TRUNC, 0, 0},
	{"raw empty", 101, 0, 0, SYN, 40, 0, DW_TEL_IP_TRUNC, 0, 0},
	{"eth says ipv4, version 6", 1, 0, 0x0800, {0x65, 6, 64, 0, 0, 5, 20},
	 0, 0, DW_TEL_IP_VERSION, 0, 0},
	{"ihl 4", 101, 0, 0, {0x44, 6, 64, 0, 0, 5, 20}, 0, 0, DW_TEL_BAD_IHL, 0, 0},
	{"ihl 0", 1, 1, 0x0800, {0x40, 6, 64, 0, 0, 5, 20}, 0, 0, DW_TEL_BAD_IHL, 0, 0},
	{"options beyond the capture", 101, 0, 0, {0x4f, 6, 64, 0, 0, 5, 20},
	 30, 0, DW_TEL_BAD_IHL, 0, 0},
	{"options ok", 101, 0, 0, {0x4f, 17, 64, 0, 0, 0, 8}, 0, 0, DW_TEL_OK, 1, 0},
	{"total length < header", 101, 0, 0, {0x45, 6, 64, (uint16_t)-30, 0, 5, 20},
	 0, 0, DW_TEL_BAD_TOTLEN, 0, 0},
	{"total length beyond the wire", 101, 0, 0, {0x45, 6, 64, 1, 0, 5, 20},
	 0, 0, DW_TEL_BAD_TOTLEN, 0, 0},
	{"total length beyond capture, within wire (snaplen)", 101, 0, 0,
	 {0x45, 17, 64, 0, 0, 0, 100}, 80, 0, DW_TEL_OK, 1, 12},
	{"tcp cut by snaplen", 101, 0, 0, SYN, 6, 0, DW_TEL_L4_TRUNC, 0, 0},
	{"tcp offset 4", 101, 0, 0, {0x45, 6, 64, 0, 0, 4, 20}, 0, 0,
	 DW_TEL_BAD_TCPOFF, 0, 0},
	{"tcp offset 15 in 20 bytes", 101, 0, 0, {0x45, 6, 64, 0, 0, 15, 20}, 0, 0,
	 DW_TEL_BAD_TCPOFF, 0, 0},
	{"tcp with payload", 101, 0, 0, {0x45, 6, 64, 0, 0, 5, 30}, 0, 0,
	 DW_TEL_OK, 1, 10},
	{"udp 7 bytes", 101, 0, 0, {0x45, 17, 64, 0, 0, 0, 7}, 0, 0,
	 DW_TEL_L4_TRUNC, 0, 0},
	{"icmp 7 bytes", 276, 0, 0x0800, {0x45, 1, 64, 0, 0, 0, 7}, 0, 0,
	 DW_TEL_L4_TRUNC, 0, 0},
	{"icmp", 1, 3, 0x0800, {0x45, 1, 64, 0, 0, 0, 8}, 0, 0, DW_TEL_OK, 1, 0},
	{"non-first fragment: no l4", 101, 0, 0, {0x45, 6, 64, 0, 0x0010, 5, 4},
	 0, 0, DW_TEL_OK, 0, 0},
	{"gre: no l4", 101, 0, 0, {0x45, 47, 64, 0, 0, 0, 4}, 0, 0, DW_TEL_OK, 0, 0},
};

static void test_decode(void)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		uint8_t buf[256], *frame;
		size_t n = link_hdr(buf, c->lt, c->tags, c->etype), cap, wire;
		struct dw_tel_pkt p;
		enum dw_tel_bad r;

		n += ip(buf + n, &c->d, SRC);
		if (c->cut < 0) {
			memset(buf + n, 0, (size_t)-c->cut);
			n += (size_t)-c->cut;
		}
		cap = c->cut > 0 ? (size_t)((long)n > c->cut ? (long)n - c->cut : 0) : n;
		wire = (size_t)((long)cap + (c->cut > 0 ? c->cut : 0) + c->wire_adj);
		/* exactly cap bytes, so ASan sees any read beyond them */
		frame = malloc(cap ? cap : 1);
		memcpy(frame, buf, cap);
		r = dw_tel_pkt_decode(c->lt, frame, cap, wire, &p);
		if (r != c->want)
			fprintf(stderr, "case '%s': got %s want %s\n", c->name,
				dw_tel_bad_name(r), dw_tel_bad_name(c->want));
		CHECK_EQ_INT(r, c->want);
		if (r == DW_TEL_OK && c->want == DW_TEL_OK) {
			CHECK_EQ_U64(p.src, SRC);
			CHECK_EQ_U64(p.dst, DST);
			CHECK_EQ_INT(p.has_l4, c->want_l4);
			CHECK_EQ_U64(p.payload_len, c->want_payload);
			if (p.payload_len)
				CHECK(p.payload >= frame &&
				      p.payload + p.payload_len <= frame + cap);
			if (c->d.proto == 6 && p.has_l4) {
				CHECK_EQ_INT(p.sport, 40000);
				CHECK_EQ_INT(p.dport, 445);
				CHECK_EQ_U64(p.tcp_seq, 99);
				CHECK_EQ_INT(p.tcp_flags, 0x02);
			}
		}
		free(frame);
	}
}

/* ---- prefix-to-AS ---- */

static char p2a_path[64];

static int write_p2a(void)
{
	static const char body[] =
		"; comment\n"
		"1.0.0.0/15\t100\n"
		"1.1.0.0/16\t200\n"
		"1.1.255.0/24\t300\n"
		"1.1.255.128/25\t301\n"
		"1.1.255.129/32\t302\n"
		"5.0.0.0/8\t500\n"
		"5.5.5.0/24\t{1,2}\n"
		"2001:db8::/32\t64500\n";
	int fd;

	snprintf(p2a_path, sizeof(p2a_path), "/tmp/test_telescope.XXXXXX");
	if ((fd = mkstemp(p2a_path)) < 0)
		return -1;
	if (write(fd, body, sizeof(body) - 1) != (ssize_t)(sizeof(body) - 1)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void test_pfx2as(struct dw_pfx2as **out)
{
	static const struct {
		uint32_t a;
		int covered;
		uint32_t asn;
	} cases[] = {
		{0x01000001, 1, 100}, {0x0100ffff, 1, 100}, {0x01010000, 1, 200},
		{0x0101fe01, 1, 200}, {0x0101ff00, 1, 300}, {0x0101ff7f, 1, 300},
		{0x0101ff80, 1, 301}, {0x0101ff81, 1, 302}, {0x0101ff82, 1, 301},
		{0x0101ffff, 1, 301}, {0x01020000, 0, 0},   {0x00ffffff, 0, 0},
		{0x05050505, 1, 0},   {0x05050605, 1, 500}, {0x05ffffff, 1, 500},
		{0x06000000, 0, 0},
	};
	struct dw_pfx2as_info info;
	struct dw_pfx2as *p = NULL;

	*out = NULL;
	CHECK_EQ_INT(write_p2a(), 0);
	CHECK_EQ_INT(dw_pfx2as_load(p2a_path, &p, &info), 0);
	if (!p)
		return;
	CHECK_EQ_U64(info.prefixes, 7);
	CHECK_EQ_U64(info.skipped_v6, 1);
	CHECK_EQ_U64(info.multi_origin, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t asn = 12345;
		CHECK_EQ_INT(dw_pfx2as_lookup(p, cases[i].a, &asn), cases[i].covered);
		CHECK_EQ_U64(asn, cases[i].asn);
	}
	*out = p;
}

/* ---- counter ---- */

#define MAXPTS 64

struct sink {
	struct {
		int64_t t;
		int etype;
		char code[32];
		uint64_t value;
	} pt[MAXPTS];
	int n;
};

static int collect(void *ctx, const struct dw_tel_point *p)
{
	struct sink *s = ctx;
	if (s->n == MAXPTS)
		return -1;
	s->pt[s->n].t = p->t;
	s->pt[s->n].etype = p->code ? (int)p->etype : -1;
	snprintf(s->pt[s->n].code, sizeof(s->pt[s->n].code), "%s",
		 p->code ? p->code : "");
	s->pt[s->n].value = p->value;
	s->n++;
	return 0;
}

/* The value of (t, etype, code) in s, or -1 if no such point. */
static long long value(const struct sink *s, int64_t t, int etype,
		       const char *code)
{
	for (int i = 0; i < s->n; i++)
		if (s->pt[i].t == t && s->pt[i].etype == etype &&
		    !strcmp(s->pt[i].code, code))
			return (long long)s->pt[i].value;
	return -1;
}

static int feed(struct dw_tel *t, int64_t ts, uint32_t src)
{
	uint8_t b[64];
	size_t n = ip(b, &SYN, src);
	return dw_tel_packet(t, 101, ts, b, n, n);
}

static void test_count_bins(const struct dw_pfx2as *p2a)
{
	/* (ts, source): sources on both sides of /16 and /24 boundaries */
	static const struct {
		int64_t ts;
		uint32_t src;
	} pk[] = {
		{0, 0x0100fffe}, {1, 0x0100fffe}, {2, 0x01010001}, {3, 0x01010001},
		{4, 0x0101ff01}, {5, 0x0101ff81}, {6, 0x01020001}, {59, 0x01000001},
		{60, 0x0101ff81}, {61, 0x0101ff82}, {62, 0x0101ff81},
		{119, 0x01010001},
		/* 120..179: nothing: no points */
		{180, 0x05050505}, {181, 0x05050606}, {100, 0x01000002} /* late */,
	};
	struct dw_tel_conf tc = {60, 0}; /* no filters: every packet counts */
	struct dw_tel_stats st;
	struct dw_tel *t = NULL;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(dw_tel_new(&tc, NULL, p2a, collect, &s, &t), 0);
	if (!t)
		return;
	for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++)
		CHECK_EQ_INT(feed(t, pk[i].ts, pk[i].src), 0);
	CHECK_EQ_INT(dw_tel_flush(t), 0);
	dw_tel_stats(t, &st);
	CHECK_EQ_U64(st.packets, 15);
	CHECK_EQ_U64(st.late, 1);
	CHECK_EQ_U64(st.counted, 14);
	CHECK_EQ_U64(st.bins, 3);
	/* bin 0: 1.0.255.254 1.1.0.1 1.1.255.1 1.1.255.129 1.2.0.1 1.0.0.1 */
	CHECK_EQ_INT(value(&s, 0, -1, ""), 6);
	CHECK_EQ_INT(value(&s, 0, DW_TE_ASN, "100"), 2);
	CHECK_EQ_INT(value(&s, 0, DW_TE_ASN, "200"), 1);
	CHECK_EQ_INT(value(&s, 0, DW_TE_ASN, "300"), 1);
	CHECK_EQ_INT(value(&s, 0, DW_TE_ASN, "302"), 1);
	CHECK_EQ_INT(value(&s, 0, DW_TE_ASN, "301"), -1);
	/* bin 60: 1.1.255.129 1.1.255.130 1.1.0.1; entities seen keep a 0 */
	CHECK_EQ_INT(value(&s, 60, -1, ""), 3);
	CHECK_EQ_INT(value(&s, 60, DW_TE_ASN, "100"), 0);
	CHECK_EQ_INT(value(&s, 60, DW_TE_ASN, "200"), 1);
	CHECK_EQ_INT(value(&s, 60, DW_TE_ASN, "301"), 1);
	CHECK_EQ_INT(value(&s, 60, DW_TE_ASN, "302"), 1);
	CHECK_EQ_INT(value(&s, 60, DW_TE_ASN, "300"), 0);
	CHECK_EQ_INT(value(&s, 120, -1, ""), -1);
	/* bin 180: 5.5.5.5 (ambiguous origin: no AS), 5.5.6.6 (AS 500) */
	CHECK_EQ_INT(value(&s, 180, -1, ""), 2);
	CHECK_EQ_INT(value(&s, 180, DW_TE_ASN, "500"), 1);
	CHECK_EQ_INT(value(&s, 180, DW_TE_ASN, "200"), 0);
	CHECK_EQ_U64(st.sources, 11);
	dw_tel_free(t);

	/* the unrouted filter: 1.2.0.1 is in no prefix, counted per source */
	memset(&s, 0, sizeof(s));
	tc.filters = 1u << DW_TF_UNROUTED;
	CHECK_EQ_INT(dw_tel_new(&tc, NULL, p2a, collect, &s, &t), 0);
	if (!t)
		return;
	for (size_t i = 0; i < 8; i++)
		CHECK_EQ_INT(feed(t, pk[i].ts, pk[i].src), 0);
	CHECK_EQ_INT(feed(t, 10, 0x01020001), 0);
	CHECK_EQ_INT(dw_tel_flush(t), 0);
	dw_tel_stats(t, &st);
	CHECK_EQ_INT(value(&s, 0, -1, ""), 5);
	CHECK_EQ_U64(st.filtered[DW_TF_UNROUTED], 1);
	dw_tel_free(t);
}

/*
 * Millions of distinct sources over every /16 (more than one batch of the
 * counter), each sent twice in different orders, plus the bin's edges:
 * 0.0.0.0 and 255.255.255.255 count too (no filters).
 */
static void test_count_many(void)
{
	const uint32_t n = 5000000, mul = 2654435761u; /* odd: a bijection */
	struct dw_tel_conf tc = {300, 0};
	struct dw_tel_stats st;
	struct dw_tel *t = NULL;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(dw_tel_new(&tc, NULL, NULL, collect, &s, &t), 0);
	if (!t)
		return;
	for (uint32_t i = 0; i < n; i++)
		(void)feed(t, 0, i * mul);
	for (uint32_t i = n; i-- > 0;)
		(void)feed(t, 299, i * mul);
	(void)feed(t, 100, 0xffffffffu);
	(void)feed(t, 100, 0);
	/* the next bin: half of them again */
	for (uint32_t i = 0; i < n; i += 2)
		(void)feed(t, 300, i * mul + 1);
	CHECK_EQ_INT(dw_tel_flush(t), 0);
	dw_tel_stats(t, &st);
	CHECK_EQ_U64(st.counted, 2ull * n + 2 + n / 2);
	CHECK_EQ_INT(value(&s, 0, -1, ""), n + 1); /* 0 is i = 0 */
	CHECK_EQ_INT(value(&s, 300, -1, ""), n / 2);
	CHECK_EQ_U64(st.peak_blocks, 65536);
	dw_tel_free(t);
}

static void put_word(uint8_t *p, uint32_t v, int le)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(le ? v >> (8 * i) : v >> (24 - 8 * i));
}

/*
 * The mapped reader of plain pcap files (input.c) against what libpcap gives:
 * both byte orders, a record longer than the snaplen cut to it, a last
 * record cut short (DW_ETRUNC after the good ones), and the SHA-256 computed
 * while reading equal to the file's.
 */
static void test_input_map(int le)
{
	static const uint32_t caplen[] = {40, 80, 40};
	uint8_t buf[24 + 3 * (16 + 80)];
	char path[] = "/tmp/dw-test-tel-map-XXXXXX", want[65], got[65], msg[256];
	struct dw_tel_input *in = NULL;
	struct dw_tel_frame f;
	size_t n = 24;
	int fd, rc;

	memset(buf, 0xab, sizeof(buf));
	put_word(buf, 0xa1b2c3d4u, le);
	buf[le ? 4 : 5] = 2; /* version 2.4 */
	buf[le ? 5 : 4] = 0;
	buf[le ? 6 : 7] = 4;
	buf[le ? 7 : 6] = 0;
	put_word(buf + 8, 0, le);
	put_word(buf + 12, 0, le);
	put_word(buf + 16, 64, le);  /* snaplen */
	put_word(buf + 20, 101, le); /* LINKTYPE_RAW */
	for (int i = 0; i < 3; i++) {
		put_word(buf + n, 1000 + (uint32_t)i, le);
		put_word(buf + n + 4, 0, le);
		put_word(buf + n + 8, caplen[i], le);
		put_word(buf + n + 12, 100, le);
		n += 16 + caplen[i];
	}
	n -= 30; /* the last record loses 30 of its 40 bytes */
	if ((fd = mkstemp(path)) < 0) {
		CHECK(0);
		return;
	}
	CHECK(write(fd, buf, n) == (ssize_t)n);
	close(fd);
	CHECK_EQ_INT(dw_sha256_file(path, want), 0);
	rc = dw_tel_input_file(path, &in, msg, sizeof(msg));
	CHECK_EQ_INT(rc, 0);
	if (rc == 0) {
		CHECK_EQ_INT(dw_tel_input_sha256(in, got), DW_EINVAL);
		CHECK_EQ_INT(dw_tel_input_next(in, &f), 1);
		CHECK_EQ_INT((int)f.ts, 1000);
		CHECK_EQ_INT((int)f.caplen, 40);
		CHECK_EQ_INT((int)f.wirelen, 100);
		CHECK_EQ_INT(dw_tel_input_next(in, &f), 1);
		CHECK_EQ_INT((int)f.ts, 1001);
		CHECK_EQ_INT((int)f.caplen, 64);
		CHECK_EQ_INT(dw_tel_input_next(in, &f), DW_ETRUNC);
		CHECK_EQ_INT(dw_tel_input_sha256(in, got), 0);
		CHECK_EQ_STR(got, want);
	}
	dw_tel_input_free(in);
	unlink(path);
}

int main(void)
{
	struct dw_pfx2as *p2a = NULL;

	test_decode();
	test_pfx2as(&p2a);
	if (p2a)
		test_count_bins(p2a);
	test_count_many();
	test_input_map(1);
	test_input_map(0);
	dw_pfx2as_free(p2a);
	if (p2a_path[0])
		unlink(p2a_path);
	return dw_test_finish();
}
