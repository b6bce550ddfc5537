/*
 * test_vis.c - the /24 visibility state against hand-computed counts:
 * coverage by less and more specifics, the full-feed threshold, levels,
 * withdrawals that keep or lose coverage, session resets, ADD-PATH, RIB
 * reloads, origins (most specific wins, AS_SET ambiguous) and bins.
 */
#include <stdio.h>
#include <string.h>

#include "darkwatch/vis.h"
#include "testutil.h"

/* 10/8 is Iran (10.1/16 Tehran), 20/8 the US, the rest unknown. */
static int geo(void *ctx, uint32_t a, struct dw_vis_geo *g)
{
	(void)ctx;
	if (a >> 24 == 10) {
		memcpy(g->country, "IR", 3);
		if ((a >> 16) == 0x0a01) {
			snprintf(g->region, sizeof(g->region), "IR-Tehran");
			snprintf(g->region_name, sizeof(g->region_name), "Tehran");
		}
	} else if (a >> 24 == 20) {
		memcpy(g->country, "US", 3);
	}
	return 0;
}

static struct dw_prefix P(const char *s)
{
	struct dw_prefix p;
	dw_prefix_parse(s, &p);
	return p;
}

static int add(struct dw_vis *v, int peer, const char *pfx, uint32_t origin)
{
	struct dw_prefix p = P(pfx);
	return dw_vis_announce(v, peer, &p, 0, 0, origin);
}

static int del(struct dw_vis *v, int peer, const char *pfx)
{
	struct dw_prefix p = P(pfx);
	return dw_vis_withdraw(v, peer, &p, 0, 0);
}

struct sink {
	uint32_t n, ir50[16], t[16];
	int bins;
};

static int emit(void *ctx, const struct dw_vis_point *pt)
{
	struct sink *s = ctx;
	s->n++;
	if (pt->etype == DW_VE_COUNTRY && pt->level == DW_VIS_50 &&
	    !strcmp(pt->code, "IR") && s->bins < 16) {
		s->ir50[s->bins] = pt->value;
		s->t[s->bins++] = pt->t;
	}
	return 0;
}

int main(void)
{
	struct dw_vis_conf conf = {1, 300}; /* full feed: more than 1 prefix */
	struct dw_vis *v;
	struct dw_addr a1, a2, a3;
	CHECK_EQ_INT(dw_vis_new(&conf, geo, NULL, &v), 0);
	dw_addr_parse("192.0.2.1", &a1);
	dw_addr_parse("192.0.2.2", &a2);
	dw_addr_parse("192.0.2.3", &a3);
	int p1 = dw_vis_peer(v, 1, &a1, 65001);
	int p2 = dw_vis_peer(v, 1, &a2, 65002);
	int p3 = dw_vis_peer(v, 1, &a3, 65003);
	CHECK_EQ_INT(dw_vis_peer(v, 1, &a1, 65001), p1);

	/* p1, p2 full (3 prefixes each); p3 partial (1 prefix, not more than 1) */
	add(v, p1, "10.0.0.0/16", 44244);   /* 256 /24s of IR */
	add(v, p1, "10.1.0.0/22", 58224);   /* 4 /24s, Tehran, more specific */
	add(v, p1, "20.0.0.0/24", 7018);
	add(v, p2, "10.0.0.0/23", 44244);   /* 2 /24s */
	add(v, p2, "10.1.0.0/24", 58224);
	add(v, p2, "10.1.1.128/25", 58224); /* counts as 10.1.1.0/24 */
	add(v, p3, "10.0.0.0/8", 12880);    /* partial peer: no effect */

	struct dw_vis_stats st;
	dw_vis_stats(v, &st);
	CHECK_EQ_INT(st.full_peers, 2);
	/* any: p1 covers 256 + 4 (IR), p2 covers 10.0.0-1, 10.1.0, 10.1.1 */
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_ANY), 260);
	/* 50 (> 1 of 2 peers) and 100: both peers: 10.0.0, 10.0.1, 10.1.0, 10.1.1 */
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 4);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_100), 4);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_25), 260);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_ANY), 1);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_50), 0);
	/* origins: the most specific prefix wins */
	CHECK_EQ_INT(dw_vis_count_asn(v, 58224, DW_VIS_50), 2);
	CHECK_EQ_INT(dw_vis_count_asn(v, 44244, DW_VIS_50), 2);
	CHECK_EQ_INT(dw_vis_count_asn(v, 12880, DW_VIS_ANY), 0); /* less specific only */
	CHECK_EQ_INT(dw_vis_count_asn(v, 58224, DW_VIS_ANY), 4);

	/* withdrawing a more specific keeps coverage under the /16 */
	del(v, p1, "10.1.0.0/22");
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_ANY), 256 + 2);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 2);
	/* the Tehran /24s: 10.1.0 and 10.1.1 at p2 only */
	add(v, p1, "10.1.0.0/22", 58224);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 4);
	/* withdrawing the /16 leaves p1 with 2 prefixes: still full (> 1) */
	del(v, p1, "10.0.0.0/16");
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_ANY), 4 + 2);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 2);
	add(v, p1, "10.0.0.0/16", 44244);
	/* p3 crosses the threshold and joins: 3 full peers, > 50% is 2 of 3 */
	add(v, p3, "30.0.0.0/24", 1);
	dw_vis_stats(v, &st);
	CHECK_EQ_INT(st.full_peers, 3);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_100), 4);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 260);
	del(v, p3, "30.0.0.0/24");
	dw_vis_stats(v, &st);
	CHECK_EQ_INT(st.full_peers, 2);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 4);

	/* the >/24 prefix: withdrawing it uncovers 10.1.1.0/24 at p2 */
	del(v, p2, "10.1.1.128/25");
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 3);
	add(v, p2, "10.1.1.128/25", 58224);

	/* bins: state at the end of each bin; a session reset in bin 2 */
	struct sink sk = {0};
	dw_vis_set_start(v, 1000 * 300);
	CHECK_EQ_INT(dw_vis_advance(v, 1000 * 300 + 10, emit, &sk), 0);
	CHECK_EQ_INT(sk.bins, 0);
	CHECK_EQ_INT(dw_vis_advance(v, 1001 * 300 + 5, emit, &sk), 0);
	CHECK_EQ_INT(sk.bins, 1);
	CHECK_EQ_INT(sk.ir50[0], 4);
	CHECK_EQ_INT(dw_vis_peer_down(v, p2), 0);
	dw_vis_stats(v, &st);
	CHECK_EQ_INT(st.full_peers, 1);
	CHECK_EQ_INT(dw_vis_flush(v, 1003 * 300, emit, &sk), 0);
	CHECK_EQ_INT(sk.bins, 3);
	CHECK_EQ_INT(sk.t[1], 1001 * 300);
	CHECK_EQ_INT(sk.ir50[1], 260); /* p1 alone: everything it covers */

	/* RIB reload of p2 restores it in bulk */
	dw_vis_rib_begin(v, p2);
	add(v, p2, "10.0.0.0/23", 44244);
	add(v, p2, "10.1.0.0/24", 58224);
	add(v, p2, "10.1.1.128/25", 58224);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 260); /* not yet */
	dw_vis_rib_end(v);
	CHECK_EQ_INT(dw_vis_count_country(v, "IR", DW_VIS_50), 4);

	/* ADD-PATH: covered while any path lives */
	struct dw_prefix q = P("20.0.1.0/24");
	dw_vis_announce(v, p2, &q, 1, 1, 7018);
	dw_vis_announce(v, p2, &q, 1, 2, 7018);
	dw_vis_announce(v, p1, &q, 0, 0, 7018);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_100), 1);
	dw_vis_withdraw(v, p2, &q, 1, 1);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_100), 1);
	dw_vis_withdraw(v, p2, &q, 1, 2);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_100), 0);

	/* AS_SET origin: visible, but no AS gets it */
	add(v, p1, "20.0.2.0/24", DW_ASN_AMBIGUOUS);
	add(v, p2, "20.0.2.0/24", DW_ASN_AMBIGUOUS);
	dw_vis_stats(v, &st);
	CHECK_EQ_INT(st.ambiguous, 1);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_50), 1);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_ANY), 3);

	/* a re-announcement replaces the route: one withdrawal removes it */
	add(v, p1, "20.0.3.0/24", 7018);
	add(v, p2, "20.0.3.0/24", 7018);
	add(v, p1, "20.0.3.0/24", 7018);
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_100), 2);
	del(v, p1, "20.0.3.0/24");
	CHECK_EQ_INT(dw_vis_count_country(v, "US", DW_VIS_100), 1);
	del(v, p2, "20.0.3.0/24");

	/* origin change on re-announcement moves the /24 between ASes */
	add(v, p1, "20.0.0.0/24", 3356);
	CHECK_EQ_INT(dw_vis_count_asn(v, 3356, DW_VIS_ANY), 1);
	CHECK_EQ_INT(dw_vis_count_asn(v, 7018, DW_VIS_ANY), 1); /* 20.0.1.0/24 */

	dw_vis_free(v);
	return dw_test_finish();
}
