/*
 * gen_synth.c - generate large, realistic synthetic MRT files for benchmarks.
 *
 * Real archives in ../shared/data are a few MB; a decoder benchmark needs
 * hundreds of MB to measure throughput rather than start-up.  This program
 * writes such files with the library's MRT writer (darkwatch/mrt_writer.h):
 *
 *   gen_synth --kind updates --out FILE [--size-mb 250] [--seed 1]
 *             [--compress gz|bz2|xz|none] [--peers 30] [--et]
 *   gen_synth --kind rib --out FILE ...
 *
 * `updates`: a RIS-like updates stream of BGP4MP_MESSAGE_AS4 records (or
 * BGP4MP_ET with --et) from ~30 peers, two thirds IPv4 sessions, one third
 * IPv6 sessions (MP_REACH/MP_UNREACH); AS paths of 3-8 hops ending at the
 * prefix's real origin, with 4-byte ASNs and some prepending; 0-10
 * communities; occasional MED, AGGREGATOR, AS_SET; 1-20 NLRI per message,
 * ~10% withdrawals, and a STATE_CHANGE_AS4 flap now and then.  Timestamps
 * only go forward.
 * `rib`: a TABLE_DUMP_V2 bview: one PEER_INDEX_TABLE, then RIB_IPV4_UNICAST
 * records for the whole IPv4 table followed by RIB_IPV6_UNICAST records; each
 * prefix is seen by a fraction of the peers chosen so the file lands near
 * --size-mb.
 *
 * Realism comes from real prefixes and origin ASNs: the pyasn tables in
 * ../shared/data/pfx2as (--pfx2as, --pfx2as6; read with zlib).  When they are
 * missing, random prefixes are used instead.  The output depends only on the
 * options and the seed (own PRNG, no time or address randomness), so two runs
 * give the same bytes and a benchmark file can be regenerated anywhere.
 * --size-mb counts uncompressed bytes.  It is a target, not a cap, for `rib`:
 * every prefix gets at least one entry, so the full table is never below
 * ~50 MiB.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "darkwatch/buf.h"
#include "darkwatch/mrt_writer.h"

#ifndef DW_SHARED_DEFAULT
#define DW_SHARED_DEFAULT "../shared"
#endif

#define LOCAL_AS 12654u /* RIPE NCC RIS */
#define START_TS 1573905600u /* 2019-11-16 12:00 UTC */

/* ------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r) /* splitmix64 */
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)((rnd(r) >> 32) * n >> 32) : 0;
}

static int chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

/* ------------------------------------------------------------ prefix pool */

struct route {
	struct dw_prefix p;
	uint32_t origin;
};

struct pool {
	struct route *v;
	size_t n, cap;
};

static int pool_add(struct pool *pl, const struct route *r)
{
	if (pl->n == pl->cap) {
		size_t ncap = pl->cap ? pl->cap * 2 : 65536, bytes;
		struct route *nv;
		if (__builtin_mul_overflow(ncap, sizeof(*nv), &bytes))
			return DW_ENOMEM;
		nv = realloc(pl->v, bytes);
		if (!nv)
			return DW_ENOMEM;
		pl->v = nv;
		pl->cap = ncap;
	}
	pl->v[pl->n++] = *r;
	return 0;
}

/* "prefix<TAB>asn" lines of family af; ';' lines are comments. */
static int pool_load(struct pool *pl, const char *path, int af)
{
	char line[256];
	gzFile f = gzopen(path, "rb");
	int rc = 0;

	if (!f)
		return -ENOENT;
	while (gzgets(f, line, sizeof(line))) {
		char *tab = strchr(line, '\t'), *slash, *end;
		struct route r;
		unsigned long len, asn;

		if (line[0] == ';' || !tab)
			continue;
		*tab = 0;
		slash = strchr(line, '/');
		if (!slash)
			continue;
		*slash = 0;
		memset(&r, 0, sizeof(r));
		if (inet_pton(af == DW_AF_INET ? AF_INET : AF_INET6, line,
			      r.p.addr.b) != 1)
			continue;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || len > (af == 4 ? 32u : 128u))
			continue;
		asn = strtoul(tab + 1, &end, 10);
		if (errno || end == tab + 1 || asn == 0 || asn > UINT32_MAX)
			continue;
		r.p.addr.af = (uint8_t)af;
		r.p.len = (uint8_t)len;
		r.origin = (uint32_t)asn;
		if ((rc = pool_add(pl, &r)) != 0)
			break;
	}
	gzclose(f);
	return rc;
}

/* Random table: /16-/24 (IPv4) or /32-/48 (IPv6), origins in runs. */
static int pool_random(struct pool *pl, int af, size_t n, struct rng *g)
{
	uint32_t origin = 0;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct route r;
		memset(&r, 0, sizeof(r));
		if (i % 4 == 0)
			origin = chance(g, 20) ? 131072 + below(g, 270000)
					       : 1 + below(g, 64000);
		r.origin = origin;
		r.p.addr.af = (uint8_t)af;
		if (af == DW_AF_INET) {
			uint32_t a = (uint32_t)(1 + i * 223 / n) << 24 |
				     below(g, 1u << 24);
			r.p.len = (uint8_t)(16 + below(g, 9));
			a &= ~0u << (32 - r.p.len);
			r.p.addr.b[0] = (uint8_t)(a >> 24);
			r.p.addr.b[1] = (uint8_t)(a >> 16);
			r.p.addr.b[2] = (uint8_t)(a >> 8);
		} else {
			r.p.addr.b[0] = 0x20;
			r.p.addr.b[1] = (uint8_t)(1 + i * 12 / n);
			for (int k = 2; k < 6; k++)
				r.p.addr.b[k] = (uint8_t)below(g, 256);
			r.p.len = (uint8_t)(32 + 4 * below(g, 5));
			dw_prefix_mask(&r.p);
		}
		rc = pool_add(pl, &r);
	}
	return rc;
}

/* ------------------------------------------------------------ peers, paths */

static const uint32_t tier1[] = {174,  209,  286,  701,  1239, 1299, 2828,
				 2914, 3257, 3320, 3356, 3491, 5511, 6453,
				 6461, 6762, 6830, 7018, 12956};
#define NTIER1 (sizeof(tier1) / sizeof(tier1[0]))

/* ASNs seen as RIS peers; a few 4-byte ones. */
static const uint32_t peer_asns[] = {
	3333,   1299,  174,    2914,  3356,  6939,   6453,  3257,  9002,
	20940,  8492,  13030,  24482, 37100, 57866,  34549, 47692, 211398,
	60150,  8455,  16347,  25091, 29608, 31019,  49544, 206499, 58511,
	293,    1103,  11686,  14907, 398465, 202365, 39120, 263075, 199524,
	328145, 56665, 140627, 7575};
#define NPEER_ASNS (sizeof(peer_asns) / sizeof(peer_asns[0]))

struct peer {
	struct dw_mrt_bgp4mp_hdr h;
	uint32_t bgp_id;
	uint8_t upstream;  /* index into tier1 when not itself a tier 1 */
	uint8_t sends_med;
	uint8_t ll;        /* IPv6 next hop with link-local */
	struct dw_addr ll_addr;
	uint16_t comm_base;
	uint32_t up_since;  /* session start, for RIB originated times */
};

static int is_tier1(uint32_t as)
{
	for (size_t i = 0; i < NTIER1; i++)
		if (tier1[i] == as)
			return 1;
	return 0;
}

static void make_peers(struct peer *pr, int n, int n6, struct rng *g)
{
	for (int i = 0; i < n; i++) {
		struct peer *p = &pr[i];
		int v6 = i >= n - n6;
		memset(p, 0, sizeof(*p));
		p->h.as4 = 1;
		p->h.peer_as = peer_asns[(size_t)i % NPEER_ASNS];
		p->h.local_as = LOCAL_AS;
		p->bgp_id = 0xc1000000u | (uint32_t)(i + 1) << 8 | 1;
		if (!v6) {
			/* AMS-IX-like peering LAN 80.249.208.0/21 */
			dw_addr_set_v4(&p->h.peer, 0x50f9d000u + 10u + (uint32_t)i * 7u);
			dw_addr_set_v4(&p->h.local, 0x50f9d000u + 5u);
		} else {
			static const uint8_t lan[16] = {0x20, 0x01, 0x07, 0xf8,
							0, 1};
			p->h.peer.af = p->h.local.af = DW_AF_INET6;
			memcpy(p->h.peer.b, lan, 16);
			memcpy(p->h.local.b, lan, 16);
			p->h.peer.b[8] = (uint8_t)(p->h.peer_as >> 24);
			p->h.peer.b[9] = (uint8_t)(p->h.peer_as >> 16);
			p->h.peer.b[10] = (uint8_t)(p->h.peer_as >> 8);
			p->h.peer.b[11] = (uint8_t)p->h.peer_as;
			p->h.peer.b[15] = (uint8_t)(i + 1);
			p->h.local.b[15] = 0xfe;
			p->ll = chance(g, 30);
			p->ll_addr.af = DW_AF_INET6;
			p->ll_addr.b[0] = 0xfe;
			p->ll_addr.b[1] = 0x80;
			p->ll_addr.b[15] = (uint8_t)(i + 1);
		}
		p->upstream = (uint8_t)below(g, NTIER1);
		p->sends_med = chance(g, 30);
		p->up_since = START_TS - 86400 - below(g, 60 * 86400);
		p->comm_base = (uint16_t)(p->h.peer_as <= 0xffff ? p->h.peer_as
								  : 0);
	}
}

/* Distinct middle ASNs: the origins of the table (deduplicated-ish). */
struct asns {
	uint32_t *v;
	size_t n;
};

static int make_transit(struct asns *t, const struct pool *pl,
			struct rng *g)
{
	size_t n = 4096; /* origins drawn by prefix count: big ASes recur */
	t->v = malloc(n * sizeof(*t->v));
	if (!t->v)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		t->v[i] = pl->n ? pl->v[below(g, (uint32_t)pl->n)].origin
				: 1 + below(g, 64000);
	t->n = n;
	return 0;
}

/* Everything that describes one announcement, with storage for arrays. */
struct route_attrs {
	struct dw_bgp_attr_spec a;
	uint32_t path[24], set[2], comm[10], large[6];
};

/*
 * Path of `peer` to `r`.  The tail (origin and its upstreams) depends on
 * the prefix so every peer agrees on it; `variant` changes the middle, as
 * path hunting does in an update stream.
 */
static void make_attrs(struct route_attrs *ra, const struct peer *p,
		       const struct route *r, const struct asns *tr,
		       unsigned variant, struct rng *g, int rib)
{
	struct dw_bgp_attr_spec *a = &ra->a;
	uint64_t h = mix64(((uint64_t)r->p.addr.b[0] << 56 |
			    (uint64_t)r->p.addr.b[1] << 48 |
			    (uint64_t)r->p.addr.b[2] << 40 |
			    (uint64_t)r->p.addr.b[3] << 32 |
			    (uint64_t)r->p.addr.b[5] << 16 |
			    (uint64_t)r->p.addr.b[4] << 8 | r->p.len) ^
			   r->origin);
	uint32_t hops[8];
	size_t nh = 0, want = 3 + (size_t)((h >> 8) % 6), n = 0;

	memset(a, 0, sizeof(*a));
	a->as4 = 1;
	hops[nh++] = p->h.peer_as;
	if (!is_tier1(p->h.peer_as))
		hops[nh++] = tier1[(p->upstream + (variant & 1)) % NTIER1];
	hops[nh++] = tier1[(h >> 16) % NTIER1];
	for (unsigned k = 0; nh < 7; k++)
		hops[nh++] = tr->v[(h >> (20 + 5 * k) ^ variant * k) % tr->n];
	/* keep want-1 hops of the head, then the origin */
	for (size_t i = 0; i < nh && n < want - 1; i++)
		if (n == 0 || ra->path[n - 1] != hops[i])
			if (hops[i] != r->origin)
				ra->path[n++] = hops[i];
	ra->path[n++] = r->origin;
	if ((h >> 40) % 100 < 8) /* origin prepends 1-4 times */
		for (unsigned k = 0; k < 1 + (h >> 48) % 4; k++)
			ra->path[n++] = r->origin;
	if (!rib && chance(g, 3)) { /* the peer prepends too */
		memmove(ra->path + 1, ra->path, n * sizeof(ra->path[0]));
		n++;
	}
	a->path = ra->path;
	a->path_len = n;
	a->origin = (h >> 56) % 10 == 0 ? DW_ORIGIN_INCOMPLETE : DW_ORIGIN_IGP;
	if (p->h.peer.af == DW_AF_INET) {
		a->nexthop = p->h.peer;
	} else {
		a->mp_nexthop = p->h.peer;
		if (p->ll)
			a->mp_nexthop_ll = p->ll_addr;
	}
	if (p->sends_med) {
		a->has_med = 1;
		a->med = (uint32_t)((h >> 4) % 50) * 10;
	}
	if ((h >> 20) % 100 < 4) { /* aggregated by the origin */
		a->has_aggregator = 1;
		a->aggregator_as = r->origin;
		dw_addr_set_v4(&a->aggregator_addr, (uint32_t)(h >> 32) | 1);
		if ((h >> 28) % 4 == 0) {
			a->atomic_aggregate = 1;
		} else if ((h >> 28) % 8 == 1) {
			ra->set[0] = tr->v[(h >> 3) % tr->n];
			ra->set[1] = tr->v[(h >> 13) % tr->n];
			a->set = ra->set;
			a->set_len = 2;
		}
	}
	/*
	 * Communities tag where a route was learnt: a few values per peer,
	 * the same for every prefix behind the same upstream (as real tags
	 * are, and so the file compresses like a real one).
	 */
	if ((h >> 36) % 10 >= 3) {
		size_t nc = 1 + (size_t)((h >> 44) % 10);
		uint16_t hi = p->comm_base ? p->comm_base
					   : (uint16_t)tier1[p->upstream];
		for (size_t i = 0; i < nc; i++)
			ra->comm[i] = (uint32_t)hi << 16 |
				      (uint32_t)((i + 1) * 1000 +
						 (((h >> 16) + i) % 8) * 10 +
						 (i == 0 ? variant : 0));
		a->communities = ra->comm;
		a->ncommunities = nc;
	}
	if (p->h.peer_as > 0xffff && chance(g, 50)) {
		ra->large[0] = p->h.peer_as;
		ra->large[1] = 1;
		ra->large[2] = (uint32_t)(h % 1000);
		a->large = ra->large;
		a->nlarge = 1;
	}
}

/* ------------------------------------------------------------ generators */

#define MAX_ENTRIES 256

struct gen {
	struct dw_mrt_writer *w;
	struct dw_buf body, msg;
	struct rng g;
	struct pool v4, v6;
	struct asns tr;
	struct peer peers[256];
	int npeers, npeers6;
	uint64_t target;
	uint64_t records;
	int et;
	struct route_attrs ra[MAX_ENTRIES]; /* RIB entries of one prefix */
	struct dw_buf at[MAX_ENTRIES];
};

static int emit(struct gen *G, uint64_t clock_us, uint16_t type,
		uint16_t subtype)
{
	int rc;

	if (G->et && type == DW_MRT_BGP4MP)
		type = DW_MRT_BGP4MP_ET;
	rc = dw_mrt_writer_record(G->w, (uint32_t)(clock_us / 1000000u),
				  (uint32_t)(clock_us % 1000000u), type,
				  subtype, G->body.data, G->body.len);
	dw_buf_reset(&G->body);
	G->records++;
	return rc;
}

static int flap(struct gen *G, const struct peer *p, uint64_t *clock)
{
	static const uint16_t seq[][2] = {{6, 1}, {1, 2}, {2, 4}, {4, 5}, {5, 6}};
	int rc = 0;

	for (size_t i = 0; i < 5 && !rc; i++) {
		*clock += (i == 1 ? 30000000u : 0) + below(&G->g, 200000);
		rc = dw_mrt_build_bgp4mp_state(&G->body, &p->h, seq[i][0],
					       seq[i][1]);
		if (!rc)
			rc = emit(G, *clock, DW_MRT_BGP4MP,
				  dw_mrt_bgp4mp_state_subtype(1));
	}
	return rc;
}

static int gen_updates(struct gen *G)
{
	struct route_attrs ra;
	struct dw_prefix pf[20];
	uint64_t clock = (uint64_t)START_TS * 1000000u;
	int rc = 0;

	while (!rc && dw_mrt_writer_bytes(G->w) < G->target) {
		int v6 = G->npeers6 && G->v6.n && chance(&G->g, 15);
		const struct peer *p =
			v6 ? &G->peers[G->npeers - G->npeers6 +
				       (int)below(&G->g, (uint32_t)G->npeers6)]
			   : &G->peers[below(&G->g,
					     (uint32_t)(G->npeers - G->npeers6))];
		const struct pool *pl = v6 ? &G->v6 : &G->v4;
		struct dw_bgp_update_spec u = {0};
		size_t at = below(&G->g, (uint32_t)pl->n), n = 0, want;
		uint32_t r = below(&G->g, 100);

		clock += below(&G->g, 20000); /* ~100 records per second */
		if (below(&G->g, 20000) == 0) { /* a session flaps */
			rc = flap(G, p, &clock);
			continue;
		}
		if (chance(&G->g, 10)) { /* withdrawal of 1-10 prefixes */
			want = 1 + below(&G->g, 10);
			for (; n < want && at + n < pl->n; n++)
				pf[n] = pl->v[at + n].p;
			u.withdraw = pf;
			u.nwithdraw = n;
		} else {
			want = r < 50 ? 1 : r < 70 ? 2 : r < 80 ? 3
						      : 4 + below(&G->g, 17);
			/* neighbours with the same origin share a path */
			for (; n < want && at + n < pl->n &&
			       pl->v[at + n].origin == pl->v[at].origin;
			     n++)
				pf[n] = pl->v[at + n].p;
			make_attrs(&ra, p, &pl->v[at], &G->tr,
				   below(&G->g, 4), &G->g, 0);
			u.attrs = &ra.a;
			u.announce = pf;
			u.nannounce = n;
		}
		dw_buf_reset(&G->msg);
		rc = dw_bgp_build_update(&G->msg, &u);
		if (!rc)
			rc = dw_mrt_build_bgp4mp_msg(&G->body, &p->h,
						     G->msg.data, G->msg.len);
		if (!rc)
			rc = emit(G, clock, DW_MRT_BGP4MP,
				  dw_mrt_bgp4mp_msg_subtype(1, 0, 0));
	}
	return rc;
}

static int rib_pool(struct gen *G, const struct pool *pl, int first,
		    int npeers, uint32_t *seq, uint64_t budget,
		    uint64_t *avg_entry)
{
	struct route_attrs *ra = G->ra;
	struct dw_buf *at = G->at;
	struct dw_mrt_rib_entry_spec e[MAX_ENTRIES];
	uint64_t start = dw_mrt_writer_bytes(G->w);
	int rc = 0;

	for (size_t i = 0; i < pl->n && !rc; i++) {
		/* share of peers that see this prefix, steered to the budget */
		uint64_t done = dw_mrt_writer_bytes(G->w) - start;
		uint64_t left = budget > done ? budget - done : 0;
		uint64_t slots = (uint64_t)(pl->n - i) * (uint64_t)npeers;
		uint64_t permille = left * 1000 / (slots * *avg_entry + 1);
		size_t n = 0;

		if (permille > 1000)
			permille = 1000;
		for (int k = 0; k < npeers && n < MAX_ENTRIES; k++) {
			if (below(&G->g, 1000) >= permille && !(n == 0 && k == npeers - 1))
				continue;
			make_attrs(&ra[n], &G->peers[first + k], &pl->v[i],
				   &G->tr, 0, &G->g, 1);
			dw_buf_reset(&at[n]);
			rc = dw_bgp_build_attrs(&at[n], &ra[n].a,
						DW_BGP_ATTRS_RIB);
			if (rc)
				break;
			e[n].peer_index = (uint16_t)(first + k);
			/* most routes date from the session's start */
			e[n].originated = chance(&G->g, 70)
				? G->peers[first + k].up_since
				: START_TS - below(&G->g, 30 * 86400);
			e[n].path_id = 0;
			e[n].attrs = at[n].data;
			e[n].attrs_len = at[n].len;
			n++;
		}
		if (rc)
			break;
		rc = dw_mrt_build_rib(&G->body, (*seq)++, &pl->v[i].p, e, n, 0);
		if (!rc) {
			size_t blen = G->body.len;
			rc = emit(G, (uint64_t)START_TS * 1000000u,
				  DW_MRT_TABLE_DUMP_V2,
				  dw_mrt_rib_subtype(&pl->v[i].p, 0));
			*avg_entry = (*avg_entry * 15 + blen / n) / 16;
		}
	}
	return rc;
}

static int gen_rib(struct gen *G)
{
	struct dw_mrt_peer mp[256];
	uint32_t seq = 0;
	uint64_t avg = 64, budget, total6 = 0;
	int n4 = G->npeers - G->npeers6, rc;

	for (int i = 0; i < G->npeers; i++) {
		mp[i].addr = G->peers[i].h.peer;
		mp[i].asn = G->peers[i].h.peer_as;
		mp[i].bgp_id = G->peers[i].bgp_id;
	}
	rc = dw_mrt_build_peer_index(&G->body, 0xc100041cu /* 193.0.4.28 */,
				     "", mp, (size_t)G->npeers);
	if (!rc)
		rc = emit(G, (uint64_t)START_TS * 1000000u,
			  DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE);
	/* split the budget by table size: IPv6 entries are a bit longer */
	if (G->npeers6 && G->v6.n)
		total6 = G->v6.n * (uint64_t)G->npeers6;
	budget = G->target - G->target * total6 /
				     (total6 + G->v4.n * (uint64_t)n4 + 1);
	if (!rc && n4 > 0)
		rc = rib_pool(G, &G->v4, 0, n4, &seq, budget, &avg);
	/* the IPv6 table always follows, with at least its share */
	avg = 80;
	if (!rc && total6) {
		uint64_t done = dw_mrt_writer_bytes(G->w);
		uint64_t left = G->target > done ? G->target - done : 0;
		if (left < G->target - budget)
			left = G->target - budget;
		rc = rib_pool(G, &G->v6, n4, G->npeers6, &seq, left, &avg);
	}
	return rc;
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gen_synth --kind updates|rib --out FILE [--size-mb N]\n"
		"                 [--seed N] [--compress gz|bz2|xz|none]\n"
		"                 [--level N] [--peers N] [--et]\n"
		"                 [--pfx2as FILE] [--pfx2as6 FILE]\n");
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max || s[0] == '-' ? -1 : 0;
}

static int comp_of(const char *s, enum dw_compress *c)
{
	if (!strcmp(s, "gz") || !strcmp(s, "gzip"))
		*c = DW_COMP_GZIP;
	else if (!strcmp(s, "bz2") || !strcmp(s, "bzip2"))
		*c = DW_COMP_BZIP2;
	else if (!strcmp(s, "xz"))
		*c = DW_COMP_XZ;
	else if (!strcmp(s, "none"))
		*c = DW_COMP_NONE;
	else
		return -1;
	return 0;
}

static const char *const comp_name[] = {"none", "gzip", "bzip2", "xz"};

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"kind", required_argument, NULL, 'k'},
		{"out", required_argument, NULL, 'o'},
		{"size-mb", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"compress", required_argument, NULL, 'c'},
		{"level", required_argument, NULL, 'l'},
		{"peers", required_argument, NULL, 'p'},
		{"et", no_argument, NULL, 'e'},
		{"pfx2as", required_argument, NULL, '4'},
		{"pfx2as6", required_argument, NULL, '6'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	static struct gen G;
	const char *kind = NULL, *out = NULL;
	char f4[1024], f6[1024];
	const char *shared = getenv("DW_SHARED");
	unsigned long size_mb = 250, seed = 1, level = 0, npeers = 30, v;
	enum dw_compress comp = DW_COMP_NONE;
	int have_comp = 0, c, rc = 0, status = 1;

	if (!shared || !*shared)
		shared = DW_SHARED_DEFAULT;
	snprintf(f4, sizeof(f4), "%s/data/pfx2as/ipasn_20140513.dat.gz", shared);
	snprintf(f6, sizeof(f6), "%s/data/pfx2as/ipasn6_20151101.dat.gz", shared);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kind = optarg; break;
		case 'o': out = optarg; break;
		case 's':
			if (num(optarg, 1u << 20, &size_mb))
				goto bad;
			break;
		case 'S':
			if (num(optarg, ~0ul, &seed))
				goto bad;
			break;
		case 'l':
			if (num(optarg, 9, &level))
				goto bad;
			break;
		case 'p':
			if (num(optarg, 256, &npeers) || npeers < 1)
				goto bad;
			break;
		case 'c':
			if (comp_of(optarg, &comp))
				goto bad;
			have_comp = 1;
			break;
		case 'e': G.et = 1; break;
		case '4': snprintf(f4, sizeof(f4), "%s", optarg); break;
		case '6': snprintf(f6, sizeof(f6), "%s", optarg); break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (!kind || !out || optind != argc ||
	    (strcmp(kind, "updates") && strcmp(kind, "rib")))
		goto bad;
	if (!have_comp)
		comp = ends_with(out, ".gz")    ? DW_COMP_GZIP
		       : ends_with(out, ".bz2") ? DW_COMP_BZIP2
		       : ends_with(out, ".xz")  ? DW_COMP_XZ
						: DW_COMP_NONE;

	G.g.s = seed;
	G.target = (uint64_t)size_mb << 20;
	dw_buf_init(&G.body, 16u << 20);
	dw_buf_init(&G.msg, DW_BGP_MAX_MSG);
	for (int i = 0; i < MAX_ENTRIES; i++)
		dw_buf_init(&G.at[i], 65535);
	if (pool_load(&G.v4, f4, DW_AF_INET) || G.v4.n == 0) {
		fprintf(stderr, "gen_synth: %s unusable, random IPv4 prefixes\n",
			f4);
		G.v4.n = 0;
		rc = pool_random(&G.v4, DW_AF_INET, 500000, &G.g);
	}
	if (!rc && (pool_load(&G.v6, f6, DW_AF_INET6) || G.v6.n == 0)) {
		fprintf(stderr, "gen_synth: %s unusable, random IPv6 prefixes\n",
			f6);
		G.v6.n = 0;
		rc = pool_random(&G.v6, DW_AF_INET6, 25000, &G.g);
	}
	if (!rc)
		rc = make_transit(&G.tr, &G.v4, &G.g);
	if (rc)
		goto fail;
	G.npeers = (int)npeers;
	G.npeers6 = (int)npeers / 3;
	make_peers(G.peers, G.npeers, G.npeers6, &G.g);

	rc = dw_mrt_writer_open(out, comp, (int)level, &G.w);
	if (rc)
		goto fail;
	rc = strcmp(kind, "rib") ? gen_updates(&G) : gen_rib(&G);
	v = (unsigned long)(dw_mrt_writer_bytes(G.w) >> 20);
	if (!rc)
		rc = dw_mrt_writer_close(G.w);
	if (rc)
		goto fail;
	fprintf(stderr, "gen_synth: %s: %llu records, %lu MiB raw (%s)\n", out,
		(unsigned long long)G.records, v, comp_name[comp]);
	status = 0;
	goto done;
bad:
	usage(stderr);
	status = 2;
	goto done;
fail:
	fprintf(stderr, "gen_synth: %s: %s\n", out ? out : "-", dw_strerror(rc));
done:
	dw_mrt_writer_free(G.w);
	dw_buf_free(&G.body);
	dw_buf_free(&G.msg);
	for (int i = 0; i < MAX_ENTRIES; i++)
		dw_buf_free(&G.at[i]);
	free(G.v4.v);
	free(G.v6.v);
	free(G.tr.v);
	return status;
}
