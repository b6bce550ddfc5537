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
 *   gen_synth --kind ris --out DIR [--peers 30] [--prefixes 900000]
 *             [--updates 2000000] [--hours 1] [--flaps 0]
 *             [--part rib|updates|both] [--collector rrc00] [--seed 1]
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
 * `ris`: a RIS-layout archive (DIR/rrc00/YYYY.MM/bview... and updates...)
 * for `darkwatch replay`: a full table that every peer carries, then an hour
 * of updates of the same peers (see "RIS archive" below).
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
#include <sys/stat.h>
#include <zlib.h>

#include "darkwatch/archive.h"
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

/* ------------------------------------------------------------ RIS archive */

/*
 * `--kind ris`: a RIS-layout archive for the visibility benchmark
 * (bench/vis_bench.sh): DIR/<collector>/YYYY.MM/bview.YYYYMMDD.HHMM.gz, a
 * TABLE_DUMP_V2 full table in which EVERY peer carries every prefix (all
 * sessions IPv4, as many full-feed peers as --peers), then
 * updates.YYYYMMDD.HHMM.gz every 5 minutes for --hours with --updates prefix
 * events (announced plus withdrawn NLRI) of the same peers.
 *
 * The table: the real pfx2as IPv4 table, grown to --prefixes by adding
 * more-specifics of its own prefixes shorter than /24 (mostly /24s, some
 * halves and quarters; 85% keep the covering prefix's origin, the rest get a
 * customer's), or evenly thinned when --prefixes is smaller.  One prefix in
 * 200 beyond the target is held back from the RIB and appears during the
 * updates as a new route.
 *
 * The updates are events, each seen by several peers within the same second
 * or so, as a real routing change is: a path change (58% of events: new AS
 * path and communities, 1 in 100 also a new origin), a withdrawal (20%), the
 * return of a block withdrawn earlier (20%), a new prefix (2%).  An event
 * touches 1-20 neighbouring prefixes with the same origin (the block an AS
 * announces together); all peers see 25% of path changes and 20% of
 * withdrawals, the others reach 1-5 peers; a return or a new prefix reaches
 * every peer that lacks it.  60% of events fall on a fixed 2% of "unstable" prefixes, as churn
 * does.  --flaps N resets N sessions spread over the hour: the peer goes
 * down, comes back 30 s later and sends its whole table again (each prefix
 * counted as an update).  Timestamps grow with the events written, so the
 * files cover the hour evenly.
 *
 * This stays in gen_synth.c (past the ~800 line guide) because it reuses its
 * prefix pool, peers and path model; split it when a third kind arrives.
 */
#define RIS_T 1573891200u /* 2019-11-16 08:00 UTC, a RIS bview time */
#define RIS_STEP 300u
#define RING 4096

struct ris {
	const char *dir, *collector, *part;
	uint64_t seed;
	uint64_t prefixes, updates;
	unsigned hours, flaps, level;
	enum dw_compress comp;
	uint8_t *fresh;          /* pool index held back from the RIB */
	uint32_t *freshv, *hot;
	size_t nfresh, fresh_next, nhot;
	uint64_t *down;          /* bit peer * pool.n + i: withdrawn */
	struct {
		uint32_t at;
		uint8_t n;
	} ring[RING];            /* withdrawn blocks waiting to come back */
	size_t nring;
	uint32_t file_t;         /* start of the open updates file */
	uint64_t clock, elems, announced, withdrawn, msgs, files;
};

static uint32_t v4_of(const struct route *r)
{
	return dw_addr_v4(&r->p.addr);
}

static uint64_t v4_key(uint32_t a, unsigned len)
{
	return ((uint64_t)a << 8 | len) + 1;
}

/* Open-addressing set of prefix keys (never deletes; sized up front). */
struct kset {
	uint64_t *k;
	size_t mask;
};

static int kset_add(struct kset *s, uint64_t key)
{
	size_t i = (size_t)mix64(key) & s->mask;
	while (s->k[i]) {
		if (s->k[i] == key)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->k[i] = key;
	return 1;
}

static int route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	uint32_t p = v4_of(x), q = v4_of(y);
	if (p != q)
		return p < q ? -1 : 1;
	return (x->p.len > y->p.len) - (x->p.len < y->p.len);
}

/* Keep exactly `target` prefixes, evenly spread over the table. */
static void pool_thin(struct pool *pl, size_t target)
{
	size_t k = 0;
	for (size_t i = 0; i < pl->n; i++)
		if ((i + 1) * target / pl->n > i * target / pl->n)
			pl->v[k++] = pl->v[i];
	pl->n = k;
}

/* A more-specific of r: mostly a /24, sometimes a half or a quarter. */
static void more_specific(struct route *m, const struct route *r,
			  const struct pool *pl, size_t n0, struct rng *g)
{
	unsigned len = r->p.len, nl = 24;
	if (!chance(g, 70)) {
		unsigned span = 24 - len < 3 ? 24 - len : 3;
		nl = len + 1 + below(g, span);
	}
	uint32_t sub = below(g, 1u << (nl - len));
	uint32_t a = v4_of(r) | (nl < 32 ? sub << (32 - nl) : 0);
	memset(m, 0, sizeof(*m));
	dw_addr_set_v4(&m->p.addr, a);
	m->p.len = (uint8_t)nl;
	m->origin = chance(g, 85) ? r->origin : pl->v[below(g, (uint32_t)n0)].origin;
}

/* Grow (or thin) the IPv4 pool to `target` distinct prefixes, sorted. */
static int pool_full_table(struct pool *pl, size_t target, struct rng *g)
{
	struct kset set = {0};
	size_t n0 = pl->n, cap = 1;
	int rc = 0;

	if (n0 >= target) {
		pool_thin(pl, target);
		goto sort;
	}
	while (cap < 2 * target)
		cap *= 2;
	set.k = calloc(cap, sizeof(*set.k));
	if (!set.k)
		return DW_ENOMEM;
	set.mask = cap - 1;
	size_t k = 0;
	for (size_t i = 0; i < n0; i++) /* drop duplicates of the source */
		if (kset_add(&set, v4_key(v4_of(&pl->v[i]), pl->v[i].p.len)))
			pl->v[k++] = pl->v[i];
	pl->n = n0 = k;
	size_t elig = 0;
	for (size_t i = 0; i < n0; i++)
		elig += pl->v[i].p.len >= 8 && pl->v[i].p.len < 24;
	/* spread the additions evenly over the eligible prefixes, in passes */
	for (int pass = 0; pass < 16 && pl->n < target && elig && !rc; pass++) {
		size_t left = elig;
		for (size_t i = 0; i < n0 && pl->n < target && !rc; i++) {
			const struct route r = pl->v[i];
			if (r.p.len < 8 || r.p.len >= 24)
				continue;
			size_t need = target - pl->n;
			size_t q = need / left;
			if (below(g, (uint32_t)left) < need % left)
				q++;
			left--;
			for (size_t j = 0, tries = 0; j < q && tries < 4 * q + 4; tries++) {
				struct route m;
				more_specific(&m, &r, pl, n0, g);
				if (!kset_add(&set, v4_key(v4_of(&m), m.p.len)))
					continue;
				if ((rc = pool_add(pl, &m)) != 0)
					break;
				j++;
			}
		}
	}
	free(set.k);
	if (rc)
		return rc;
sort:
	qsort(pl->v, pl->n, sizeof(*pl->v), route_cmp);
	return 0;
}

/* Path of the file holding time t (RIB when rib); directories created. */
static int ris_path(const struct ris *R, int rib, uint32_t t, char *buf,
		    size_t len)
{
	char rel[512];
	int rc = dw_archive_path(R->collector, rib, t, rel, sizeof(rel));
	if (rc < 0)
		return rc;
	if ((size_t)snprintf(buf, len, "%s/%s", R->dir, rel) >= len)
		return DW_EINVAL;
	for (char *s = buf + 1; (s = strchr(s, '/')); s++) { /* mkdir -p */
		*s = 0;
		rc = mkdir(buf, 0777) < 0 && errno != EEXIST ? -errno : 0;
		*s = '/';
		if (rc)
			return rc;
	}
	return 0;
}

static int ris_open(struct gen *G, struct ris *R, int rib, uint32_t t)
{
	char path[1024];
	int rc = ris_path(R, rib, t, path, sizeof(path));
	if (!rc)
		rc = dw_mrt_writer_open(path, R->comp, (int)R->level, &G->w);
	if (!rc)
		R->files++;
	return rc;
}

static int ris_close(struct gen *G)
{
	int rc = dw_mrt_writer_close(G->w);
	dw_mrt_writer_free(G->w);
	G->w = NULL;
	return rc;
}

static int is_down(const struct gen *G, const struct ris *R, int peer, size_t i)
{
	uint64_t b = (uint64_t)peer * G->v4.n + i;
	return (R->down[b >> 6] >> (b & 63)) & 1;
}

static void set_down(struct gen *G, struct ris *R, int peer, size_t i, int on)
{
	uint64_t b = (uint64_t)peer * G->v4.n + i, m = (uint64_t)1 << (b & 63);
	R->down[b >> 6] = on ? R->down[b >> 6] | m : R->down[b >> 6] & ~m;
}

static int gen_ris_rib(struct gen *G, struct ris *R)
{
	struct dw_mrt_peer mp[256];
	struct dw_mrt_rib_entry_spec e[MAX_ENTRIES];
	uint32_t seq = 0;
	int rc;

	G->g.s = mix64(R->seed ^ 0x7269627669657731ull); /* same with --part */
	G->records = 0;
	if ((rc = ris_open(G, R, 1, RIS_T)) != 0)
		return rc;
	for (int i = 0; i < G->npeers; i++) {
		mp[i].addr = G->peers[i].h.peer;
		mp[i].asn = G->peers[i].h.peer_as;
		mp[i].bgp_id = G->peers[i].bgp_id;
	}
	rc = dw_mrt_build_peer_index(&G->body, 0xc100041cu, "", mp,
				     (size_t)G->npeers);
	if (!rc)
		rc = emit(G, (uint64_t)RIS_T * 1000000u, DW_MRT_TABLE_DUMP_V2,
			  DW_TD2_PEER_INDEX_TABLE);
	for (size_t i = 0; i < G->v4.n && !rc; i++) {
		const struct route *r = &G->v4.v[i];
		if (R->fresh[i])
			continue;
		for (int k = 0; k < G->npeers && !rc; k++) {
			make_attrs(&G->ra[k], &G->peers[k], r, &G->tr, 0, &G->g, 1);
			dw_buf_reset(&G->at[k]);
			rc = dw_bgp_build_attrs(&G->at[k], &G->ra[k].a,
						DW_BGP_ATTRS_RIB);
			e[k].peer_index = (uint16_t)k;
			e[k].originated = chance(&G->g, 70)
				? G->peers[k].up_since
				: RIS_T - 1 - below(&G->g, 30 * 86400);
			e[k].path_id = 0;
			e[k].attrs = G->at[k].data;
			e[k].attrs_len = G->at[k].len;
		}
		if (!rc)
			rc = dw_mrt_build_rib(&G->body, seq++, &r->p, e,
					      (size_t)G->npeers, 0);
		if (!rc)
			rc = emit(G, (uint64_t)RIS_T * 1000000u,
				  DW_MRT_TABLE_DUMP_V2, dw_mrt_rib_subtype(&r->p, 0));
	}
	int c = ris_close(G);
	fprintf(stderr, "gen_synth: RIB: %u peers x %u prefixes, %llu records\n",
		(unsigned)G->npeers, seq, (unsigned long long)G->records);
	return rc ? rc : c;
}

/* Write the body as a record at R->clock, moving to the next file first. */
static int ris_emit(struct gen *G, struct ris *R, uint16_t subtype)
{
	int rc;
	while (R->clock / 1000000u >= (uint64_t)R->file_t + RIS_STEP) {
		if ((rc = ris_close(G)) != 0 ||
		    (rc = ris_open(G, R, 0, R->file_t + RIS_STEP)) != 0)
			return rc;
		R->file_t += RIS_STEP;
	}
	return emit(G, R->clock, DW_MRT_BGP4MP, subtype);
}

/* Clock of the next message: progress through the hour, never backwards. */
static void ris_tick(struct gen *G, struct ris *R)
{
	uint64_t span = (uint64_t)R->hours * 3600u * 1000000u;
	uint64_t t0 = (uint64_t)RIS_T * 1000000u;
	uint64_t due = t0 + (R->updates ? R->elems * span / R->updates : 0);
	R->clock += 1 + below(&G->g, 2000);
	if (R->clock < due)
		R->clock = due;
	if (R->clock >= t0 + span)
		R->clock = t0 + span - 1;
}

/* One UPDATE from peer k: announce (attrs of r, variant) or withdraw pf. */
static int ris_msg(struct gen *G, struct ris *R, int k, const struct dw_prefix *pf,
		   size_t n, const struct route *r, unsigned variant)
{
	struct route_attrs ra;
	struct dw_bgp_update_spec u = {0};
	const struct peer *p = &G->peers[k];
	int rc;

	if (!n)
		return 0;
	if (r) {
		make_attrs(&ra, p, r, &G->tr, variant, &G->g, 0);
		u.attrs = &ra.a;
		u.announce = pf;
		u.nannounce = n;
		R->announced += n;
	} else {
		u.withdraw = pf;
		u.nwithdraw = n;
		R->withdrawn += n;
	}
	R->elems += n;
	R->msgs++;
	ris_tick(G, R);
	dw_buf_reset(&G->msg);
	rc = dw_bgp_build_update(&G->msg, &u);
	if (!rc)
		rc = dw_mrt_build_bgp4mp_msg(&G->body, &p->h, G->msg.data, G->msg.len);
	return rc ? rc : ris_emit(G, R, dw_mrt_bgp4mp_msg_subtype(1, 0, 0));
}

/* Up to `want` neighbours of `at` (same origin, none held back). */
static size_t ris_block(const struct gen *G, const struct ris *R, size_t at,
			size_t want)
{
	size_t n = 1;
	while (n < want && at + n < G->v4.n && !R->fresh[at + n] &&
	       G->v4.v[at + n].origin == G->v4.v[at].origin)
		n++;
	return n;
}

enum { EV_PATH, EV_WITHDRAW, EV_RESTORE };

/* Apply one event to peers ks[0..nk) over the block [at, at+n). */
static int ris_apply(struct gen *G, struct ris *R, int ev, const int *ks, int nk,
		     size_t at, size_t n, const struct route *r, unsigned variant)
{
	struct dw_prefix pf[20];
	int rc = 0;
	for (int j = 0; j < nk && !rc; j++) {
		size_t m = 0;
		for (size_t i = at; i < at + n; i++) {
			int d = is_down(G, R, ks[j], i);
			if ((ev == EV_WITHDRAW && d) || (ev == EV_RESTORE && !d))
				continue;
			set_down(G, R, ks[j], i, ev == EV_WITHDRAW);
			pf[m++] = G->v4.v[i].p;
		}
		rc = ris_msg(G, R, ks[j], pf, m, ev == EV_WITHDRAW ? NULL : r,
			     variant);
	}
	return rc;
}

/* Peers an event reaches: all of them (pct_all %) or 1-5 at random. */
static int ris_peers(struct gen *G, int *ks, unsigned pct_all)
{
	int np = G->npeers, nk = chance(&G->g, pct_all) ? np : 1 + (int)below(&G->g, 5);
	for (int i = 0; i < np; i++)
		ks[i] = i;
	if (nk > np)
		nk = np;
	for (int i = 0; i < nk && nk < np; i++) { /* partial shuffle */
		int j = i + (int)below(&G->g, (uint32_t)(np - i)), t = ks[i];
		ks[i] = ks[j];
		ks[j] = t;
	}
	return nk;
}

static int ris_event(struct gen *G, struct ris *R)
{
	static const size_t sizes[] = {1, 1, 1, 1, 1, 2, 2, 3};
	int ks[256], nk;
	uint32_t r = below(&G->g, 100);
	size_t at, n;

	if (r < 2 && R->fresh_next < R->nfresh) { /* a new route */
		at = R->freshv[R->fresh_next++];
		nk = ris_peers(G, ks, 100);
		return ris_apply(G, R, EV_RESTORE, ks, nk, at, 1, &G->v4.v[at], 0);
	}
	if (r < 22 && R->nring) { /* a withdrawn block comes back */
		size_t k = below(&G->g, (uint32_t)R->nring);
		at = R->ring[k].at;
		n = R->ring[k].n;
		R->ring[k] = R->ring[--R->nring];
		nk = ris_peers(G, ks, 100);
		return ris_apply(G, R, EV_RESTORE, ks, nk, at, n, &G->v4.v[at],
				 below(&G->g, 4));
	}
	/* a block: 60% on the unstable prefixes, 1-20 of them */
	at = chance(&G->g, 60) ? R->hot[below(&G->g, (uint32_t)R->nhot)]
			       : below(&G->g, (uint32_t)G->v4.n);
	while (R->fresh[at])
		at = (at + 1) % G->v4.n;
	n = chance(&G->g, 80) ? sizes[below(&G->g, 8)] : 4 + below(&G->g, 17);
	n = ris_block(G, R, at, n);
	if (r < 42) {
		nk = ris_peers(G, ks, 20);
		if (R->nring < RING) {
			R->ring[R->nring].at = (uint32_t)at;
			R->ring[R->nring++].n = (uint8_t)n;
		}
		return ris_apply(G, R, EV_WITHDRAW, ks, nk, at, n, NULL, 0);
	}
	struct route moved = G->v4.v[at];
	if (chance(&G->g, 1)) /* the origin changes (MOAS, hijack, transfer) */
		moved.origin = G->tr.v[below(&G->g, (uint32_t)G->tr.n)];
	nk = ris_peers(G, ks, 25);
	return ris_apply(G, R, EV_PATH, ks, nk, at, n, &moved, below(&G->g, 4));
}

/* Session reset of peer k: down, up 30 s later, then its whole table. */
static int ris_flap(struct gen *G, struct ris *R, int k)
{
	static const uint16_t seq[][2] = {{6, 1}, {1, 2}, {2, 4}, {4, 5}, {5, 6}};
	struct dw_prefix pf[20];
	int rc = 0;

	for (size_t i = 0; i < 5 && !rc; i++) {
		R->clock += (i == 1 ? 30000000u : 0) + below(&G->g, 200000);
		rc = dw_mrt_build_bgp4mp_state(&G->body, &G->peers[k].h, seq[i][0],
					       seq[i][1]);
		if (!rc)
			rc = ris_emit(G, R, dw_mrt_bgp4mp_state_subtype(1));
	}
	for (size_t i = 0; i < G->v4.n && !rc;) {
		size_t n = ris_block(G, R, i, 20), m = 0;
		for (size_t j = i; j < i + n; j++)
			if (!is_down(G, R, k, j))
				pf[m++] = G->v4.v[j].p;
		rc = ris_msg(G, R, k, pf, m, &G->v4.v[i], 0);
		i += n;
	}
	return rc;
}

static int gen_ris_updates(struct gen *G, struct ris *R)
{
	uint32_t end = RIS_T + R->hours * 3600u;
	unsigned flaps_done = 0;
	int rc;

	G->g.s = mix64(R->seed ^ 0x7570646174657331ull); /* same with --part */
	G->records = 0;
	R->files = 0;
	R->clock = (uint64_t)RIS_T * 1000000u;
	R->file_t = RIS_T;
	if ((rc = ris_open(G, R, 0, RIS_T)) != 0)
		return rc;
	while (!rc && R->elems < R->updates) {
		if (flaps_done < R->flaps &&
		    R->elems >= R->updates * (2 * flaps_done + 1) / (2 * R->flaps)) {
			rc = ris_flap(G, R, (int)(flaps_done * 7 % (unsigned)G->npeers));
			flaps_done++;
		} else {
			rc = ris_event(G, R);
		}
	}
	/* every 5-minute file of the period exists, even an empty one */
	while (!rc && R->file_t + RIS_STEP < end) {
		if ((rc = ris_close(G)) == 0)
			rc = ris_open(G, R, 0, R->file_t + RIS_STEP);
		R->file_t += RIS_STEP;
	}
	int c = ris_close(G);
	fprintf(stderr,
		"gen_synth: updates: %llu files, %llu records (%llu UPDATE "
		"messages), %llu prefix events: %llu announced, %llu withdrawn, "
		"%u session resets\n",
		(unsigned long long)R->files,
		(unsigned long long)G->records, (unsigned long long)R->msgs,
		(unsigned long long)R->elems, (unsigned long long)R->announced,
		(unsigned long long)R->withdrawn, flaps_done);
	return rc ? rc : c;
}

static int gen_ris(struct gen *G, struct ris *R)
{
	size_t nfresh = (size_t)R->prefixes / 200, total = (size_t)R->prefixes + nfresh;
	size_t words;
	int rc;

	G->npeers6 = 0;
	make_peers(G->peers, G->npeers, 0, &G->g);
	for (int i = 0; i < G->npeers; i++)
		if (G->peers[i].up_since > RIS_T)
			G->peers[i].up_since = RIS_T - 86400;
	if ((rc = pool_full_table(&G->v4, total, &G->g)) != 0)
		return rc;
	if (G->v4.n < total) /* a small random table could not grow */
		nfresh = G->v4.n / 201;
	R->fresh = calloc(G->v4.n, 1);
	R->freshv = calloc(nfresh + 1, sizeof(*R->freshv));
	R->hot = calloc(G->v4.n / 50 + 1, sizeof(*R->hot));
	words = ((uint64_t)G->npeers * G->v4.n + 63) / 64;
	R->down = calloc(words, sizeof(*R->down));
	if (!R->fresh || !R->freshv || !R->hot || !R->down)
		return DW_ENOMEM;
	for (size_t k = 0; k < nfresh; k++) { /* spaced >= 200 apart */
		size_t i = k * G->v4.n / nfresh + 100;
		R->fresh[i] = 1;
		R->freshv[R->nfresh++] = (uint32_t)i;
		for (int p = 0; p < G->npeers; p++)
			set_down(G, R, p, i, 1);
	}
	for (size_t i = 0; i < G->v4.n; i++)
		if (!R->fresh[i] && mix64(i ^ 0x5bd1e995u) % 50 == 0)
			R->hot[R->nhot++] = (uint32_t)i;
	if (!R->nhot)
		R->hot[R->nhot++] = 0;
	if (strcmp(R->part, "updates"))
		rc = gen_ris_rib(G, R);
	if (!rc && strcmp(R->part, "rib") && R->updates)
		rc = gen_ris_updates(G, R);
	return rc;
}

static void ris_free(struct ris *R)
{
	free(R->fresh);
	free(R->freshv);
	free(R->hot);
	free(R->down);
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gen_synth --kind updates|rib --out FILE [--size-mb N]\n"
		"                 [--seed N] [--compress gz|bz2|xz|none]\n"
		"                 [--level N] [--peers N] [--et]\n"
		"                 [--pfx2as FILE] [--pfx2as6 FILE]\n"
		"       gen_synth --kind ris --out DIR [--peers 30]\n"
		"                 [--prefixes 900000] [--updates 2000000]\n"
		"                 [--hours 1] [--flaps 0] [--part rib|updates|both]\n"
		"                 [--collector rrc00] [--seed N] [--level N]\n");
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
		{"prefixes", required_argument, NULL, 'P'},
		{"updates", required_argument, NULL, 'U'},
		{"hours", required_argument, NULL, 'H'},
		{"flaps", required_argument, NULL, 'F'},
		{"part", required_argument, NULL, 'T'},
		{"collector", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	static struct gen G;
	static struct ris R = {.collector = "rrc00", .part = "both",
			       .prefixes = 900000, .updates = 2000000,
			       .hours = 1};
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
		case 'P':
			if (num(optarg, 1ul << 24, &v) || v < 1)
				goto bad;
			R.prefixes = v;
			break;
		case 'U':
			if (num(optarg, 1ul << 32, &v))
				goto bad;
			R.updates = v;
			break;
		case 'H':
			if (num(optarg, 24, &v) || v < 1)
				goto bad;
			R.hours = (unsigned)v;
			break;
		case 'F':
			if (num(optarg, 1000, &v))
				goto bad;
			R.flaps = (unsigned)v;
			break;
		case 'T':
			if (strcmp(optarg, "rib") && strcmp(optarg, "updates") &&
			    strcmp(optarg, "both"))
				goto bad;
			R.part = optarg;
			break;
		case 'C':
			if (dw_archive_layout_of(optarg) != DW_LAYOUT_RIS)
				goto bad;
			R.collector = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (!kind || !out || optind != argc ||
	    (strcmp(kind, "updates") && strcmp(kind, "rib") && strcmp(kind, "ris")))
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
	if (!rc && !strcmp(kind, "ris")) {
		if ((rc = make_transit(&G.tr, &G.v4, &G.g)) != 0)
			goto fail;
		G.npeers = (int)npeers;
		R.dir = out;
		R.seed = seed;
		R.level = (unsigned)level;
		R.comp = DW_COMP_GZIP; /* the RIS layout names files .gz */
		if ((rc = gen_ris(&G, &R)) != 0)
			goto fail;
		status = 0;
		goto done;
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
	ris_free(&R);
	return status;
}
