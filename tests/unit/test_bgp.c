/*
 * test_bgp.c - valid BGP decoding: attributes, the RFC 6793 AS4 merge, MP
 * next hops, OPEN with RFC 9072 extended parameters, NLRI iteration, and the
 * text forms of addresses (checked against inet_ntop on many addresses).
 *
 * The malformed side lives in test_malformed.c; this file pins what a correct
 * decoder must produce for correct input.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "darkwatch/bgp.h"
#include "testutil.h"

static struct dw_arena *arena;

static int decode(const uint8_t *p, size_t n, int as4, struct dw_bgp_attrs *a)
{
	struct dw_bgp_opts o = {(uint8_t)as4, 0, 0, 0, 0};
	enum dw_reason why = DW_R_NONE;
	dw_arena_reset(arena);
	int rc = dw_bgp_attrs_decode(p, n, &o, arena, a, &why);
	if (rc)
		fprintf(stderr, "  decode failed: %s\n", dw_reason_name(why));
	return rc;
}

/* Flatten a path to "1 2 {3,4}" for comparisons. */
static const char *path_str(const struct dw_aspath *p)
{
	static char buf[512];
	size_t n = 0;
	for (unsigned s = 0; s < p->nseg; s++) {
		const struct dw_aspath_seg *g = &p->seg[s];
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", s ? " " : "",
				      g->type == DW_AS_SET ? "{" : "");
		for (unsigned i = 0; i < g->count; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u",
					      i ? (g->type == DW_AS_SET ? "," : " ") : "",
					      g->asn[i]);
		if (g->type == DW_AS_SET)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "}");
	}
	buf[n] = 0;
	return buf;
}

static void test_basic_attrs(void)
{
	/* ORIGIN IGP, AS_PATH seq(65001 65002) 2-byte, NEXT_HOP, MED 7,
	 * LOCAL_PREF 100, ATOMIC_AGGREGATE, AGGREGATOR 65002 10.0.0.9,
	 * COMMUNITIES 65001:1 no-export */
	static const uint8_t a[] = {
		0x40, 1, 1, 0,
		0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0xfd, 0xea,
		0x40, 3, 4, 192, 0, 2, 1,
		0x80, 4, 4, 0, 0, 0, 7,
		0x40, 5, 4, 0, 0, 0, 100,
		0x40, 6, 0,
		0xc0, 7, 6, 0xfd, 0xea, 10, 0, 0, 9,
		0xc0, 8, 8, 0xfd, 0xe9, 0, 1, 0xff, 0xff, 0xff, 0x01,
	};
	struct dw_bgp_attrs at;
	CHECK_EQ_INT(decode(a, sizeof(a), 0, &at), 0);
	CHECK_EQ_INT(at.origin, 0);
	CHECK_EQ_STR(path_str(&at.aspath), "65001 65002");
	CHECK_EQ_INT(dw_addr_v4(&at.nexthop), 0xc0000201);
	CHECK_EQ_INT(at.med, 7);
	CHECK_EQ_INT(at.local_pref, 100);
	CHECK(dw_attrs_has(&at, DW_ATTR_ATOMIC_AGGREGATE));
	CHECK_EQ_INT(at.aggregator_as, 65002);
	CHECK_EQ_INT(dw_addr_v4(&at.aggregator_addr), 0x0a000009);
	CHECK_EQ_INT(at.communities.len, 8);
	CHECK_EQ_INT(at.nwarn, 0);
}

/*
 * RFC 6793 §4.2.3: AS_PATH "100 23456 23456 {300,400}" with AS4_PATH
 * "200000 300000 {300,400}" becomes "100 200000 300000 {300,400}".
 */
static void test_as4_merge(void)
{
	static const uint8_t a[] = {
		0x40, 2, 12, 2, 3, 0, 100, 0x5b, 0xa0, 0x5b, 0xa0, 1, 2, 1, 0x2c, 1, 0x90,
		0xc0, 17, 20, 2, 2, 0, 3, 0x0d, 0x40, 0, 4, 0x93, 0xe0,
		1, 2, 0, 0, 1, 0x2c, 0, 0, 1, 0x90,
	};
	uint8_t buf[sizeof(a)];
	memcpy(buf, a, sizeof(a));
	buf[2] = 14; /* AS_PATH length: 2+6 + 2+4 */
	struct dw_bgp_attrs at;
	CHECK_EQ_INT(decode(buf, sizeof(buf), 0, &at), 0);
	CHECK_EQ_STR(path_str(&at.aspath_raw), "100 23456 23456 {300,400}");
	CHECK_EQ_STR(path_str(&at.aspath), "100 200000 300000 {300,400}");
	/* with 4-byte sessions AS4_PATH is ignored: the path is AS_PATH */
	CHECK_EQ_INT(decode(buf, sizeof(buf), 1, &at), 0);
	CHECK_EQ_INT(at.aspath.seg == at.aspath_raw.seg, 1);
}

/* AS4_PATH longer than AS_PATH is ignored (RFC 6793). */
static void test_as4_longer_ignored(void)
{
	static const uint8_t a[] = {
		0x40, 2, 4, 2, 1, 0x5b, 0xa0,
		0xc0, 17, 10, 2, 2, 0, 3, 0x0d, 0x40, 0, 4, 0x93, 0xe0,
	};
	struct dw_bgp_attrs at;
	CHECK_EQ_INT(decode(a, sizeof(a), 0, &at), 0);
	CHECK_EQ_STR(path_str(&at.aspath), "23456");
}

/* AGGREGATOR not AS_TRANS: both AS4 attributes ignored. */
static void test_as4_aggregator(void)
{
	static const uint8_t a[] = {
		0x40, 2, 4, 2, 1, 0x5b, 0xa0,
		0xc0, 7, 6, 0x5b, 0xa0, 10, 0, 0, 1,
		0xc0, 17, 6, 2, 1, 0, 3, 0x0d, 0x40,
		0xc0, 18, 8, 0, 3, 0x0d, 0x40, 10, 0, 0, 2,
	};
	struct dw_bgp_attrs at;
	CHECK_EQ_INT(decode(a, sizeof(a), 0, &at), 0);
	CHECK_EQ_INT(at.aggregator_as, 200000);
	CHECK_EQ_INT(dw_addr_v4(&at.aggregator_addr), 0x0a000002);
	CHECK_EQ_STR(path_str(&at.aspath), "200000");
	uint8_t b[sizeof(a)];
	memcpy(b, a, sizeof(a));
	b[10] = 0, b[11] = 9; /* AGGREGATOR AS 9: not AS_TRANS */
	CHECK_EQ_INT(decode(b, sizeof(b), 0, &at), 0);
	CHECK_EQ_INT(at.aggregator_as, 9);
	CHECK_EQ_STR(path_str(&at.aspath), "23456");
}

static void test_mp_reach(void)
{
	/* IPv6 unicast, next hop global + link-local, NLRI 2001:db8::/32 */
	uint8_t a[64] = {0x80, 14, 0, 0, 2, 1, 32};
	size_t n = 7;
	uint8_t g[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t l[16] = {0xfe, 0x80, [15] = 2};
	memcpy(a + n, g, 16), n += 16;
	memcpy(a + n, l, 16), n += 16;
	a[n++] = 0; /* reserved */
	a[n++] = 32, a[n++] = 0x20, a[n++] = 0x01, a[n++] = 0x0d, a[n++] = 0xb8;
	a[2] = (uint8_t)(n - 3);
	struct dw_bgp_attrs at;
	CHECK_EQ_INT(decode(a, n, 1, &at), 0);
	CHECK_EQ_INT(at.mp_reach.afi, 2);
	CHECK_EQ_INT(at.mp_reach.nh_len, 32);
	CHECK_EQ_MEM(at.mp_reach.nexthop.b, g, 16);
	CHECK_EQ_MEM(at.mp_reach.nexthop_local.b, l, 16);
	size_t off = 0;
	struct dw_prefix p;
	uint32_t id;
	enum dw_reason why;
	CHECK_EQ_INT(dw_nlri_next(&at.mp_reach.nlri, &off, &p, &id, &why), 1);
	char txt[DW_PREFIX_STRLEN + 1];
	txt[dw_prefix_fmt(&p, txt)] = 0;
	CHECK_EQ_STR(txt, "2001:db8::/32");
	CHECK_EQ_INT(dw_nlri_next(&at.mp_reach.nlri, &off, &p, &id, &why), 0);

	/* RFC 6396 §4.3.4 abbreviated form in a RIB entry: length + next hop */
	static const uint8_t r[] = {0x80, 14, 17, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct dw_bgp_opts o = {1, 0, 1, 2, 1};
	enum dw_reason w;
	dw_arena_reset(arena);
	CHECK_EQ_INT(dw_bgp_attrs_decode(r, sizeof(r), &o, arena, &at, &w), 0);
	CHECK_EQ_INT(at.mp_reach.abbreviated, 1);
	CHECK_EQ_MEM(at.mp_reach.nexthop.b, g, 16);
}

static void test_open_rfc9072(void)
{
	/* OPEN, extended optional parameters: 255, 255, len16, then a
	 * capability parameter (type 2, 2-byte length) with 4-octet AS 200000 */
	uint8_t m[64];
	size_t n = 0;
	memset(m, 0xff, 16), n = 16;
	m[n++] = 0, m[n++] = 0; /* length, later */
	m[n++] = 1;             /* OPEN */
	m[n++] = 4;
	m[n++] = 0x5b, m[n++] = 0xa0; /* AS_TRANS */
	m[n++] = 0, m[n++] = 180;
	m[n++] = 10, m[n++] = 0, m[n++] = 0, m[n++] = 1;
	m[n++] = 255, m[n++] = 255, m[n++] = 0, m[n++] = 9;
	m[n++] = 2, m[n++] = 0, m[n++] = 6; /* capabilities, 6 bytes */
	m[n++] = 65, m[n++] = 4, m[n++] = 0, m[n++] = 3, m[n++] = 0x0d, m[n++] = 0x40;
	m[16] = 0, m[17] = (uint8_t)n;
	struct dw_bgp_msg msg;
	struct dw_bgp_opts o = {0};
	enum dw_reason why = DW_R_NONE;
	CHECK_EQ_INT(dw_bgp_msg_decode(m, n, &o, &msg, &why), 0);
	CHECK_EQ_INT(msg.u.open.ext_params, 1);
	CHECK_EQ_INT(msg.u.open.opt_len, 9);
	CHECK_EQ_INT(msg.u.open.cap_as4, 1);
	CHECK_EQ_INT(msg.u.open.as4, 200000);
	/* inconsistent: declared 9 but only 8 bytes follow */
	m[34] = 10;
	CHECK_EQ_INT(dw_bgp_msg_decode(m, n, &o, &msg, &why), DW_EMALFORMED);
	CHECK_EQ_INT(why, DW_R_OPEN_PARAMS);
}

static void test_nlri_addpath(void)
{
	/* path id 0 then 0.0.0.0/0, path id 7 then 10.0.0.0/8 */
	static const uint8_t ap[] = {0, 0, 0, 0, 0, 0, 0, 0, 7, 8, 10};
	struct dw_nlri nl = {1, 1, 1, {ap, sizeof(ap)}};
	size_t off = 0;
	struct dw_prefix p;
	uint32_t id = 99;
	enum dw_reason why;
	CHECK_EQ_INT(dw_nlri_next(&nl, &off, &p, &id, &why), 1);
	CHECK_EQ_INT(id, 0);
	CHECK_EQ_INT(p.len, 0);
	CHECK_EQ_INT(dw_nlri_next(&nl, &off, &p, &id, &why), 1);
	CHECK_EQ_INT(id, 7);
	CHECK_EQ_INT(p.len, 8);
	CHECK_EQ_INT(p.addr.b[0], 10);
	CHECK_EQ_INT(dw_nlri_guess_addpath(1, &nl.raw), 1);
	/* plain /0 then /8 */
	static const uint8_t pl[] = {0, 8, 10};
	struct dw_bytes b = {pl, sizeof(pl)};
	CHECK_EQ_INT(dw_nlri_guess_addpath(1, &b), 0);
	/* host bits are cleared: 11.13.0.0/13 is 11.8.0.0/13 */
	static const uint8_t hb[] = {13, 11, 13};
	struct dw_nlri h = {1, 1, 0, {hb, sizeof(hb)}};
	off = 0;
	CHECK_EQ_INT(dw_nlri_next(&h, &off, &p, &id, &why), 1);
	CHECK_EQ_INT(p.addr.b[1], 8);
}

/* dw_ip6_fmt must equal inet_ntop on every address, zero runs included. */
static void test_ip6_fmt(void)
{
	srand(7);
	for (int i = 0; i < 20000; i++) {
		uint8_t a[16];
		for (int j = 0; j < 16; j += 2) {
			int zero = rand() % 3 == 0;
			a[j] = zero ? 0 : (uint8_t)rand();
			a[j + 1] = zero ? 0 : (uint8_t)rand();
		}
		if (i % 10 == 0)
			memset(a, 0, 10), a[10] = a[11] = (i % 20) ? 0xff : 0;
		char want[INET6_ADDRSTRLEN], got[DW_ADDR_STRLEN + 1];
		inet_ntop(AF_INET6, a, want, sizeof(want));
		got[dw_ip6_fmt(a, got)] = 0;
		if (strcmp(got, want)) {
			CHECK_EQ_STR(got, want);
			break;
		}
	}
	CHECK(1);
}

static void test_prefix_parse(void)
{
	struct dw_prefix p;
	char txt[DW_PREFIX_STRLEN + 1];
	CHECK_EQ_INT(dw_prefix_parse("10.1.2.3/8", &p), 0);
	txt[dw_prefix_fmt(&p, txt)] = 0;
	CHECK_EQ_STR(txt, "10.0.0.0/8");
	CHECK_EQ_INT(dw_prefix_parse("10.0.0.0/33", &p), DW_EINVAL);
	CHECK_EQ_INT(dw_prefix_parse("2001:db8::1/129", &p), DW_EINVAL);
	CHECK_EQ_INT(dw_prefix_parse("2001:db8:ff::/40", &p), 0);
	txt[dw_prefix_fmt(&p, txt)] = 0;
	CHECK_EQ_STR(txt, "2001:db8::/40");
}

int main(void)
{
	arena = dw_arena_new(1u << 20);
	test_basic_attrs();
	test_as4_merge();
	test_as4_longer_ignored();
	test_as4_aggregator();
	test_mp_reach();
	test_open_rfc9072();
	test_nlri_addpath();
	test_ip6_fmt();
	test_prefix_parse();
	dw_arena_free(arena);
	return dw_test_finish();
}
