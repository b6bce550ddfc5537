/*
 * test_probe.c - the prober's model and safety parts, without sockets:
 * SipHash (reference vector), Trinocular's belief update (hand-computed
 * values), the hitlist reader (both layouts, bad rows), the token bucket
 * (no one-second window over 1.05 x the rate), the blocklist (built-in
 * ranges, user file, loopback-only mode), ICMP build/validate (spoofed,
 * tampered, truncated replies), and the engine on a simulated network:
 * dark blocks go down within one round and come back within one, a lossy
 * sparse block stays up, duplicates and late replies are counted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darkwatch/err.h"
#include "darkwatch/probe.h"
#include "probe/icmp.h"
#include "probe/siphash.h"
#include "probe/tbucket.h"
#include "testutil.h"

#define CHECK_NEAR(got, want, eps)                                            \
	do {                                                                  \
		double g_ = (got), w_ = (want);                               \
		dw_test_checks++;                                             \
		if (!(fabs(g_ - w_) <= (eps)))                                \
			dw_test_fail(__FILE__, __LINE__,                      \
				     "%s ~ %s: got %.12g, want %.12g", #got,  \
				     #want, g_, w_);                          \
	} while (0)

static uint32_t ip4(int a, int b, int c, int d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 |
	       (uint32_t)d;
}

static void test_siphash(void)
{
	/* SipHash paper, appendix A: key 00..0f, message 00..0e */
	uint64_t k[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
	uint8_t m[15];
	for (int i = 0; i < 15; i++)
		m[i] = (uint8_t)i;
	CHECK_EQ_U64(dw_siphash24(k, m, 15), 0xa129ca6149be45e5ull);
	/* empty message, reference vectors table entry 0 */
	CHECK_EQ_U64(dw_siphash24(k, m, 0), 0x726fdb47dd0e0e31ull);
}

static void test_belief(void)
{
	/* 0.99*0.5 / (0.99*0.5 + 0.01*(1 - 0.99/256)) */
	CHECK_NEAR(dw_belief_update(0.99, 0.5, 0), 0.495 / (0.495 + 0.01 * (1 - 0.99 / 256)), 1e-12);
	CHECK_NEAR(dw_belief_update(0.99, 0.5, 0), 0.9802730871253289, 1e-12);
	/* a reply to a block believed down: 0.01*0.5 / (0.005 + 0.99*0.99/256) */
	CHECK_NEAR(dw_belief_update(0.01, 0.5, 1), 0.005 / (0.005 + 0.99 * 0.99 / 256), 1e-12);
	CHECK_NEAR(dw_belief_update(0.01, 0.5, 1), 0.5663466218308925, 1e-12);
	/* second reply: clamped at 0.99 */
	CHECK_NEAR(dw_belief_update(0.5663466218308925, 0.5, 1), 0.99, 1e-12);
	/* A = 1 is capped at 0.99: one silence is not proof */
	CHECK_NEAR(dw_belief_update(0.99, 1.0, 0), 0.49845609204444885, 1e-12);
	CHECK_NEAR(dw_belief_update(0.49845609204444885, 1.0, 0), 0.01, 1e-12);
	/* A = 0.5: ten silences take 0.99 below 0.1 (9 do not) */
	double b = 0.99;
	for (int i = 0; i < 9; i++)
		b = dw_belief_update(b, 0.5, 0);
	CHECK_NEAR(b, 0.1668202367261, 1e-12);
	CHECK_EQ_INT(dw_belief_state(b), DW_BS_UNCERTAIN);
	b = dw_belief_update(b, 0.5, 0);
	CHECK_NEAR(b, 0.09132149896589128, 1e-12);
	CHECK_EQ_INT(dw_belief_state(b), DW_BS_DOWN);
	CHECK_EQ_INT(dw_belief_state(0.95), DW_BS_UP);
	CHECK_EQ_INT(dw_belief_state(0.9), DW_BS_UNCERTAIN);
	CHECK_EQ_INT(dw_belief_state(0.1), DW_BS_UNCERTAIN);
	/* clamps */
	CHECK_NEAR(dw_belief_update(0.01, 0.9, 0), 0.01, 0);
	CHECK_NEAR(dw_belief_update(0.99, 0.9, 1), 0.99, 0);
}

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_probe_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_hitlist(void)
{
	struct dw_hitlist *h = NULL;
	struct dw_hitlist_info in;
	char text[8192];
	size_t o = 0;
	o += (size_t)snprintf(text + o, sizeof(text) - o,
			      "# test\naddress,rate,asn\n");
	for (int i = 1; i <= 16; i++) /* eligible: 16 addresses, A = 0.5 */
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "198.51.7.%d,%s,AS64500\n", 17 - i,
				      i % 2 ? "0.25" : "0.75");
	o += (size_t)snprintf(text + o, sizeof(text) - o,
			      "203.0.9.1,0.9\n"       /* too few addresses */
			      "203.0.9.1,0.1\n"       /* duplicate */
			      "203.0.9.300,0.5\n"     /* bad address */
			      "203.0.9.2,1.5\n"       /* bad rate */
			      "203.0.9.3,0.5,ASx\n"); /* bad asn */
	char *path = write_tmp(text);
	CHECK_EQ_INT(dw_hitlist_load(path, &h, &in), 0);
	unlink(path);
	if (!h)
		return;
	CHECK_EQ_INT(in.layout, DW_HL_CSV);
	CHECK_EQ_INT(in.rows, 18);
	CHECK_EQ_INT(in.bad_rows, 3);
	CHECK_EQ_INT(in.first_bad_line, 21);
	CHECK_EQ_INT(in.dup_rows, 1);
	CHECK_EQ_INT(in.blocks, 2);
	CHECK_EQ_INT(in.eligible, 1);
	CHECK_EQ_INT(dw_hitlist_count(h), 2);
	const struct dw_hitlist_block *b = dw_hitlist_block(h, 0);
	CHECK_EQ_U64(b->base, ip4(198, 51, 7, 0));
	CHECK_EQ_INT(b->naddr, 16);
	CHECK_EQ_INT(b->octets[0], 1);
	CHECK_EQ_INT(b->octets[15], 16);
	CHECK_NEAR(b->a, 0.5, 1e-6);
	CHECK_EQ_INT(b->asn, 64500);
	CHECK(dw_hitlist_eligible(b));
	b = dw_hitlist_block(h, 1);
	CHECK_EQ_INT(b->naddr, 1);
	CHECK_NEAR(b->a, 0.9, 1e-6); /* the first of the duplicates */
	CHECK(!dw_hitlist_eligible(b));
	dw_hitlist_free(h);
	h = NULL;

	/* ISI response history: rate = ones in the last 16 censuses / 16 */
	path = write_tmp("#fsdb -F t hex_ip history score\n"
			 "0a0025d6\t1ffffffff\t99\n" /* 16/16 */
			 "0a002615\t3ff00\t99\n"     /* ff00: 8/16 */
			 "0a002713\t10000000\t36\n"  /* 0/16, ever responsive */
			 "0a002a01\t0\t0\n"          /* never: not in E(b) */
			 "zz\t1\t0\n"                /* bad */
			 "# |  comments\n");
	CHECK_EQ_INT(dw_hitlist_load(path, &h, &in), 0);
	unlink(path);
	if (!h)
		return;
	CHECK_EQ_INT(in.layout, DW_HL_ISI);
	CHECK_EQ_INT(in.rows, 3);
	CHECK_EQ_INT(in.bad_rows, 1);
	/* three addresses in three /24s: 0a0025, 0a0026, 0a0027 */
	CHECK_EQ_INT(dw_hitlist_count(h), 3);
	CHECK_EQ_INT(in.blocks, 3);
	b = dw_hitlist_block(h, 0);
	CHECK_EQ_U64(b->base, ip4(10, 0, 0x25, 0));
	CHECK_NEAR(b->a, 1.0, 1e-6);
	CHECK_NEAR(dw_hitlist_block(h, 1)->a, 0.5, 1e-6);
	CHECK_NEAR(dw_hitlist_block(h, 2)->a, 0.0, 1e-6);
	dw_hitlist_free(h);
	h = NULL;

	/* in memory (the simulator's model): the same grouping and rules */
	struct dw_hitlist_row rows[18];
	for (int i = 0; i < 16; i++)
		rows[i] = (struct dw_hitlist_row){ip4(198, 51, 7, 16 - i),
						  i % 2 ? 0.75f : 0.25f, 64500};
	rows[16] = (struct dw_hitlist_row){ip4(203, 0, 9, 1), 0.9f, 0};
	rows[17] = (struct dw_hitlist_row){ip4(203, 0, 9, 2), 1.5f, 0}; /* bad */
	CHECK_EQ_INT(dw_hitlist_from_rows(rows, 18, &h, &in), 0);
	if (!h)
		return;
	CHECK_EQ_INT(in.rows, 17);
	CHECK_EQ_INT(in.bad_rows, 1);
	CHECK_EQ_INT(dw_hitlist_count(h), 2);
	b = dw_hitlist_block(h, 0);
	CHECK_EQ_INT(b->naddr, 16);
	CHECK_EQ_INT(b->octets[0], 1);
	CHECK_NEAR(b->a, 0.5, 1e-6);
	CHECK_EQ_INT(b->asn, 64500);
	CHECK(dw_hitlist_eligible(b));
	CHECK(!dw_hitlist_eligible(dw_hitlist_block(h, 1)));
	dw_hitlist_free(h);
	h = NULL;
	CHECK_EQ_INT(dw_hitlist_from_rows(rows + 17, 1, &h, NULL), DW_EFORMAT);

	path = write_tmp("# nothing\n\n");
	CHECK_EQ_INT(dw_hitlist_load(path, &h, &in), DW_EFORMAT);
	unlink(path);
	CHECK_EQ_INT(dw_hitlist_load("/nonexistent/x", &h, NULL), -2);
}

/* Largest number of takes in any window [t, t + 1 s) of the given times. */
static size_t max_per_second(const uint64_t *t, size_t n)
{
	size_t best = 0, j = 0;
	for (size_t i = 0; i < n; i++) {
		while (t[i] - t[j] >= 1000000000ull)
			j++;
		if (i - j + 1 > best)
			best = i - j + 1;
	}
	return best;
}

static void test_tbucket(void)
{
	static const uint64_t rates[] = {1, 7, 10, 100, 999, 20000, 100000};
	static uint64_t when[400000];
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		struct dw_tbucket tb;
		uint64_t now = 5000000000ull, rate = rates[r];
		size_t n = 0;
		dw_tbucket_init(&tb, rate, now);
		/* a greedy caller, polling at irregular short intervals, with
		 * an idle pause in the middle (the bucket refills) */
		uint64_t end = now + 4000000000ull;
		while (now < end && n < 400000) {
			if (dw_tbucket_take(&tb, now))
				when[n++] = now;
			uint64_t w = dw_tbucket_wait_ns(&tb, now);
			now += w ? w : 1 + (n * 7919) % (500000000 / rate + 1);
			if (n == 3)
				now += 1500000000ull;
		}
		size_t best = max_per_second(when, n);
		dw_test_checks++;
		if (best > rate + rate / 20 || (double)best > 1.05 * (double)rate)
			dw_test_fail(__FILE__, __LINE__, "rate %llu: %zu in one second",
				     (unsigned long long)rate, best);
		/* and it does not starve: at least 95% of the rate overall */
		dw_test_checks++;
		if ((double)n < 0.95 * (double)rate * 2.5)
			dw_test_fail(__FILE__, __LINE__, "rate %llu: only %zu taken",
				     (unsigned long long)rate, n);
	}
	struct dw_tbucket tb;
	dw_tbucket_init(&tb, 1000, 0);
	CHECK_EQ_INT(dw_tbucket_take(&tb, 0), 1);
	CHECK_EQ_INT(dw_tbucket_take(&tb, 0), 0);
	CHECK_EQ_U64(dw_tbucket_wait_ns(&tb, 0), 1000000);
	CHECK_EQ_INT(dw_tbucket_take(&tb, 999999), 0);
	CHECK_EQ_INT(dw_tbucket_take(&tb, 1000000), 1);
	/* a long idle time fills up to the burst (50) and no more */
	int k = 0;
	while (dw_tbucket_take(&tb, 3600000000000ull))
		k++;
	CHECK_EQ_INT(k, 50);
}

static void test_blocklist(void)
{
	struct dw_blocklist *bl = NULL;
	uint64_t bad = 0;
	CHECK_EQ_INT(dw_blocklist_new(&bl), 0);
	if (!bl)
		return;
	static const struct {
		uint32_t a;
		int blocked;
	} cases[] = {
		{0x00000001, 1},          {0x0a000001, 1},
		{0x7f000001, 1},          {0x7f0a0b0c, 1},
		{0xa9fe0101, 1},          {0xac100001, 1},
		{0xac200001, 0},          {0xc0a80101, 1},
		{0xc0000201, 1},          {0xc6336401, 1},
		{0xcb007101, 1},          {0xe0000001, 1},
		{0xf0000001, 1},          {0xffffffff, 1},
		{0x64400001, 1},          {0x647fffff, 1},
		{0x64800000, 0},          {0x08080808, 0},
		{0x01010101, 0},          {0xc6120001, 1},
		{0xc6140001, 0},          {0xdfffffff, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_EQ_INT(dw_blocklist_blocked(bl, cases[i].a), cases[i].blocked);
	char *path = write_tmp("# user\n8.8.8.0/24\n1.1.1.1 # one\n\n");
	CHECK_EQ_INT(dw_blocklist_load(bl, path, &bad), 0);
	unlink(path);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, 0x08080808), 1);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, 0x08080908), 0);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, 0x01010101), 1);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, 0x01010102), 0);
	path = write_tmp("8.8.8.0/24\nnot-a-prefix\n");
	CHECK_EQ_INT(dw_blocklist_load(bl, path, &bad), DW_EMALFORMED);
	CHECK_EQ_INT(bad, 2);
	unlink(path);
	/* loopback mode: 127/8 opens, everything else closes */
	CHECK_EQ_INT(dw_blocklist_add(bl, ip4(127, 9, 0, 0), 16), 0);
	dw_blocklist_loopback_only(bl);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, ip4(127, 1, 2, 3)), 0);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, ip4(127, 9, 2, 3)), 1);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, ip4(128, 0, 0, 1)), 1);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, ip4(126, 255, 255, 255)), 1);
	CHECK_EQ_INT(dw_blocklist_blocked(bl, 0x01010102), 1);
	CHECK_EQ_INT(dw_blocklist_add(bl, 0, 33), DW_EINVAL);
	dw_blocklist_free(bl);
}

/* An IPv4 datagram around an ICMP message, as a raw socket returns it. */
static size_t wrap(uint8_t *out, uint32_t src, const uint8_t *icmp, size_t n)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[2] = (uint8_t)((20 + n) >> 8);
	out[3] = (uint8_t)(20 + n);
	out[8] = 64;
	out[9] = 1;
	for (int i = 0; i < 4; i++) {
		out[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		out[16 + i] = (uint8_t)(ip4(127, 0, 0, 1) >> (24 - 8 * i));
	}
	memcpy(out + 20, icmp, n);
	return 20 + n;
}

/* The echo reply a host would send to pkt. */
static size_t reply_to(uint8_t *out, uint32_t from, const uint8_t *pkt)
{
	uint8_t r[DW_PROBE_PKT_LEN];
	memcpy(r, pkt, sizeof(r));
	r[0] = 0;
	r[2] = r[3] = 0;
	uint16_t c = dw_icmp_cksum(r, sizeof(r));
	r[2] = (uint8_t)(c >> 8);
	r[3] = (uint8_t)c;
	return wrap(out, from, r, sizeof(r));
}

static void test_icmp(void)
{
	uint64_t key[2] = {0x1234, 0x5678}, other[2] = {1, 2};
	uint8_t pkt[DW_PROBE_PKT_LEN], d[128];
	struct dw_icmp_reply r;
	uint32_t dst = ip4(127, 3, 4, 5);
	uint64_t t = 1700000000123456789ull;

	dw_icmp_build(pkt, key, dst, t);
	CHECK(dw_icmp_is_request(pkt, sizeof(pkt)));
	CHECK(!dw_icmp_is_request(pkt, sizeof(pkt) - 1));
	size_t n = reply_to(d, dst, pkt);
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_OK);
	CHECK_EQ_U64(r.src, dst);
	CHECK_EQ_U64(r.t_ns, t);
	/* the right bytes from another address: spoofed */
	n = reply_to(d, dst + 1, pkt);
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_INVALID);
	/* another key (another prober, another run) */
	n = reply_to(d, dst, pkt);
	CHECK_EQ_INT(dw_icmp_parse(d, n, other, &r), DW_RK_INVALID);
	/* a tampered send time (checksum fixed up): invalid */
	uint8_t tp[DW_PROBE_PKT_LEN];
	memcpy(tp, pkt, sizeof(tp));
	tp[15] ^= 1;
	tp[2] = tp[3] = 0;
	uint16_t c = dw_icmp_cksum(tp, sizeof(tp));
	tp[2] = (uint8_t)(c >> 8);
	tp[3] = (uint8_t)c;
	n = reply_to(d, dst, tp);
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_INVALID);
	/* a broken checksum: malformed */
	n = reply_to(d, dst, pkt);
	d[30] ^= 0x40;
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_MALFORMED);
	/* every truncation is malformed, never a read past the end */
	n = reply_to(d, dst, pkt);
	for (size_t k = 0; k < n; k++) {
		uint8_t cut[128];
		memcpy(cut, d, k);
		enum dw_reply_kind kind = dw_icmp_parse(cut, k, key, &r);
		CHECK(kind == DW_RK_MALFORMED);
	}
	/* an echo request (ours, looped back) is not a reply */
	n = wrap(d, dst, pkt, sizeof(pkt));
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_OTHER);
	/* IP total length larger than the datagram */
	n = reply_to(d, dst, pkt);
	d[3] = (uint8_t)(d[3] + 4);
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_MALFORMED);
	/* a bad IHL */
	n = reply_to(d, dst, pkt);
	d[0] = 0x44;
	CHECK_EQ_INT(dw_icmp_parse(d, n, key, &r), DW_RK_MALFORMED);
}

/* ---------------------------------------------------------- engine */

struct world {
	int dark[8];        /* block i does not answer */
	int loss_pct[8];    /* random loss per block */
	int drop_first[8];  /* the first n probes of each round are lost */
	int seen[8];        /* probes this round */
	uint32_t rng;
};

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* One round: send what the engine asks, answer like the world, time in
 * 1 ms steps, timeout 100 ms.  Returns probes sent. */
static uint64_t run_round(struct dw_prober *p, struct world *w, uint64_t *now)
{
	uint8_t pkt[DW_PROBE_PKT_LEN], d[128];
	uint32_t dst;
	struct dw_prober_stats st0, st1;
	dw_prober_stats(p, &st0);
	memset(w->seen, 0, sizeof(w->seen));
	dw_prober_round_start(p, *now);
	for (int step = 0; step < 5000 && dw_prober_busy(p); step++) {
		while (dw_prober_next(p, *now, &dst, pkt)) {
			int blk = (int)((dst >> 8) & 7);
			if (w->dark[blk] || w->seen[blk]++ < w->drop_first[blk] || (int)(lcg(&w->rng) % 100) < w->loss_pct[blk])
				continue;
			size_t n = reply_to(d, dst, pkt);
			CHECK_EQ_INT(dw_prober_reply(p, d, n, *now + 500000), DW_RK_OK);
		}
		*now += 1000000;
		dw_prober_tick(p, *now);
	}
	dw_prober_round_end(p);
	dw_prober_stats(p, &st1);
	*now += 1000000000ull;
	return st1.sent - st0.sent;
}

static void test_engine(void)
{
	char text[1 << 16];
	size_t o = 0;
	/* blocks 127.0.0-7.0/24: 20 addresses each; block 5 is sparse
	 * (A = 0.3) and lossy, block 6 has A = 0.05 (not eligible), block 7
	 * has only 10 addresses (not eligible) */
	for (int b = 0; b < 8; b++)
		for (int a = 1; a <= (b == 7 ? 10 : 20); a++)
			o += (size_t)snprintf(text + o, sizeof(text) - o,
					      "127.0.%d.%d,%s\n", b, a,
					      b == 5 ? "0.3" : b == 6 ? "0.05" : "0.8");
	char *path = write_tmp(text);
	struct dw_hitlist *h = NULL;
	struct dw_prober *p = NULL;
	struct dw_prober_conf conf = DW_PROBER_CONF_DEFAULT;
	struct dw_prober_block_info bi;
	struct world w;
	uint64_t now = 1700000000000000000ull;

	memset(&w, 0, sizeof(w));
	w.rng = 42;
	CHECK_EQ_INT(dw_hitlist_load(path, &h, NULL), 0);
	unlink(path);
	if (!h)
		return;
	conf.timeout_ns = 100000000;
	conf.key[0] = 99;
	CHECK_EQ_INT(dw_prober_new(&conf, h, &p), 0);
	if (!p) {
		dw_hitlist_free(h);
		return;
	}
	CHECK_EQ_INT(dw_prober_count(p), 8);

	/* all up: one probe per eligible block (6) */
	CHECK_EQ_U64(run_round(p, &w, &now), 6);
	for (int b = 0; b < 6; b++) {
		dw_prober_block(p, (size_t)b, &bi);
		CHECK_EQ_INT(bi.state, DW_BS_UP);
		CHECK_NEAR(bi.belief, 0.99, 1e-12);
		uint32_t rtt[DW_PROBE_MAX_PER_ROUND];
		CHECK_EQ_INT(dw_prober_rtts(p, (size_t)b, rtt), 1);
		CHECK_EQ_INT(rtt[0], 500);
	}
	dw_prober_block(p, 6, &bi);
	CHECK(!bi.eligible);
	CHECK_EQ_INT(bi.probes, 0);

	/* block 2 goes dark: A = 0.8, belief 0.99 -> 0.952 -> 0.802 -> 0.45
	 * -> 0.14 -> 0.032: down after 5 silences, in this very round, then
	 * 3 confirmation silences (0.2^3 <= 0.01 < 0.2^2).  Block 3 loses
	 * its first 5 probes (down, unconfirmed), then answers: the first
	 * reply takes 0.032 to 0.87 (uncertain), the second to 0.99, so it
	 * ends the round up after 7 probes. */
	w.dark[2] = 1;
	w.drop_first[3] = 5;
	w.loss_pct[5] = 30; /* the sparse block gets lossy too */
	run_round(p, &w, &now);
	dw_prober_block(p, 2, &bi);
	CHECK_EQ_INT(bi.state, DW_BS_DOWN);
	CHECK_EQ_INT(bi.probes, 8);
	CHECK_EQ_INT(bi.replies, 0);
	dw_prober_block(p, 3, &bi);
	CHECK_EQ_INT(bi.state, DW_BS_UP);
	CHECK_EQ_INT(bi.probes, 7);
	CHECK_EQ_INT(bi.replies, 2);
	CHECK_NEAR(bi.belief, 0.99, 1e-12);
	w.drop_first[3] = 0;
	/* next rounds: one probe each, still down */
	for (int r = 0; r < 10; r++) {
		run_round(p, &w, &now);
		dw_prober_block(p, 2, &bi);
		CHECK_EQ_INT(bi.state, DW_BS_DOWN);
		CHECK_EQ_INT(bi.probes, 1);
		dw_prober_block(p, 5, &bi); /* sparse, lossy, alive: up */
		CHECK_EQ_INT(bi.state, DW_BS_UP);
	}
	/* it comes back: up again within one round, after 2 replies */
	w.dark[2] = 0;
	run_round(p, &w, &now);
	dw_prober_block(p, 2, &bi);
	CHECK_EQ_INT(bi.state, DW_BS_UP);
	CHECK_EQ_INT(bi.replies, 2);

	/* duplicates, late and spoofed replies are counted and ignored */
	uint8_t pkt[DW_PROBE_PKT_LEN], d[128];
	uint32_t dst;
	struct dw_prober_stats st;
	dw_prober_round_start(p, now);
	CHECK_EQ_INT(dw_prober_next(p, now, &dst, pkt), 1);
	size_t n = reply_to(d, dst, pkt);
	CHECK_EQ_INT(dw_prober_reply(p, d, n, now + 1000), DW_RK_OK);
	CHECK_EQ_INT(dw_prober_reply(p, d, n, now + 2000), DW_RK_DUP);
	CHECK_EQ_INT(dw_prober_reply(p, d, n, now + 200000000), DW_RK_LATE);
	n = reply_to(d, dst ^ 0x100, pkt);
	CHECK_EQ_INT(dw_prober_reply(p, d, n, now + 1000), DW_RK_INVALID);
	/* a late answer to a timed-out probe does not resurrect it */
	CHECK_EQ_INT(dw_prober_next(p, now, &dst, pkt), 1);
	dw_prober_tick(p, now + 100000000);
	n = reply_to(d, dst, pkt);
	CHECK_EQ_INT(dw_prober_reply(p, d, n, now + 150000000), DW_RK_LATE);
	dw_prober_round_end(p);
	dw_prober_stats(p, &st);
	CHECK_EQ_U64(st.replies[DW_RK_DUP], 1);
	CHECK_EQ_U64(st.replies[DW_RK_LATE], 2);
	CHECK_EQ_U64(st.replies[DW_RK_INVALID], 1);
	CHECK_EQ_U64(st.timeouts > 0, 1);

	/* addresses of E(b) are a permutation: 20 probes touch 20 addresses */
	{
		int seen[256] = {0}, distinct = 0;
		w.dark[0] = 1;
		for (int r = 0; r < 20; r++) {
			dw_prober_round_start(p, now);
			while (dw_prober_next(p, now, &dst, pkt))
				if ((dst >> 8 & 0xff) == 0 && !seen[dst & 0xff]++)
					distinct++;
			dw_prober_round_end(p);
		}
		CHECK_EQ_INT(distinct, 20);
	}
	dw_prober_free(p);
	dw_hitlist_free(h);
}

int main(void)
{
	test_siphash();
	test_belief();
	test_hitlist();
	test_tbucket();
	test_blocklist();
	test_icmp();
	test_engine();
	return dw_test_finish();
}
