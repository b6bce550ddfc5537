/*
 * probing.c - the simulated world's active-probing signal: the REAL
 * Trinocular engine driven against a responder model (see probing.h).
 *
 * Why a model and not packets: the demo and the scenario tests need the
 * probing signal of ~100,000 /24s over days of rounds, in seconds, and no
 * test may send a packet beyond this machine.  The real prober with real
 * packets is what tests/integration/probe_netns.sh exercises; here the
 * engine (dw_prober_*, the belief of belief.c) is the same code, only the
 * network is replaced: every probe the engine hands out is answered, or
 * not, by the model, as the IPv4 echo reply a host would send.
 *
 * The model, per /24 of the world (docs/SIM.md, "Probing"):
 *  - a hitlist-like population, a pure function of the /24 (seed-free, like
 *    the world): 60% of the /24s have fewer than 15 ever-responsive
 *    addresses (never probed: Trinocular tracks ~40% of the routed /24s),
 *    the rest 15-74 addresses
 *    around a block response rate (55% steady 0.85-1, 35% medium 0.45-0.85,
 *    10% sparse 0.15-0.45), each address within +-0.1 of it;
 *  - an address answers with its rate times (1 - the block's path loss,
 *    0-3%), drawn per probe from (seed, address, send time), after an RTT of
 *    the country's base (20-220 ms) plus the block's (0-40 ms) plus up to
 *    25% jitter;
 *  - it never answers while its /24 is not routed (no announced world
 *    prefix covers it, by the timeline's withdrawals and the visibility
 *    rule of timeline.c) or while a `dataplane_block` of its origin AS is
 *    active.
 * Entities are static, as a hitlist's are: a /24 counts for the origin of
 * its most specific world prefix and for its geo.csv location.
 *
 * Clock: round t (a multiple of 600 s) starts at t; the engine's probes are
 * sent in waves: every queued probe at the wave's time, the replies arrive
 * after their RTT (< the 3-s timeout), then the clock moves on by the
 * timeout, unanswered probes expire (dw_prober_tick) and the follow-up
 * probes form the next wave.  At most 15 waves: a round takes < 50 s.
 */
#include "sim/probing.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "darkwatch/probe.h"
#include "sim/rng.h"

#define ROUND_S 600
#define NS 1000000000ull
#define TIMEOUT_NS (3 * NS)
#define RTT_MAX_US 2900000u /* keeps every reply within the timeout */
#define HBINS 3000          /* RTT histogram: 1-ms bins */
#define VANTAGE 0xc0000201u /* 192.0.2.1, the replies' destination */
#define SALT 0x70726f62696e67ull
#define ENT_PER_BLOCK 4

struct blk {
	uint32_t x24;     /* address >> 8 */
	uint16_t as;      /* index into sc->ases: the static origin */
	uint16_t region;  /* global region index */
	float base;       /* the block's response rate around which E(b)'s are */
	uint32_t rtt_us;  /* base RTT */
	uint16_t loss_pm; /* path loss, per mille */
	uint8_t dark;     /* now: 0 answers, 1 unrouted, 2 data-plane block */
	uint8_t eligible;
};

struct acc {
	uint64_t blocks, up, probes, replies, nrtt;
};

struct pend {
	uint32_t dst, rtt_us;
	uint8_t pkt[DW_PROBE_PKT_LEN];
};

struct ps {
	const struct dw_sim_world *w;
	const struct dw_sim_timeline *t;
	const struct dw_sim_scenario *sc;
	const struct dw_sim_probing_conf *conf;
	struct blk *b;
	size_t n;
	uint32_t *idx; /* /24 -> index + 1 in b, 0 = free slot */
	uint32_t idx_mask;
	struct dw_hitlist *hl;
	struct dw_prober *pr;
	uint16_t *owd;    /* per world prefix: active withdrawals */
	uint8_t *active;  /* per event: active at the last refresh */
	uint8_t *dpas;    /* per AS: a dataplane_block is active */
	uint8_t *d0, *d1; /* truth: dark before / after an event */
	struct pend *pend;
	size_t npend;
	size_t nent;
	char (*code)[128];
	const char **etype;
	struct acc *acc;
	uint32_t *hist; /* [nent][HBINS] */
	FILE *f[3];
	char *err;
	size_t errlen;
};

/* ------------------------------------------------------------ the model */

static double u01(uint64_t h)
{
	return dw_sim_unit(h);
}

/* |E(b)| and the block's rate, a pure function of the /24. */
static unsigned population(uint32_t x24, float *base)
{
	uint64_t h = dw_sim_hash2(SALT, x24);
	double c = u01(dw_sim_hash2(h, 2)), v = u01(dw_sim_hash2(h, 3));
	if (u01(h) < 0.6) {
		*base = (float)(0.3 + 0.6 * v);
		return 1 + (unsigned)(dw_sim_hash2(h, 1) % 14);
	}
	*base = (float)(c < 0.55 ? 0.85 + 0.15 * v
			: c < 0.90 ? 0.45 + 0.40 * v : 0.15 + 0.30 * v);
	return 15 + (unsigned)(dw_sim_hash2(h, 1) % 60);
}

static float addr_rate(const struct blk *b, unsigned octet)
{
	double r = b->base + 0.2 * (u01(dw_sim_hash3(SALT, b->x24, octet)) - 0.5);
	return (float)(r < 0.02 ? 0.02 : r > 1 ? 1 : r);
}

static uint32_t slot_of(const struct ps *S, uint32_t x24)
{
	return (uint32_t)(((uint64_t)x24 * 0x9e3779b97f4a7c15ull) >> 32) &
	       S->idx_mask;
}

/* Index of /24 x24 in S->b, or -1 (open addressing, see build()). */
static long find(const struct ps *S, uint32_t x24)
{
	for (uint32_t k = slot_of(S, x24); S->idx[k]; k = (k + 1) & S->idx_mask)
		if (S->b[S->idx[k] - 1].x24 == x24)
			return (long)S->idx[k] - 1;
	return -1;
}

/* 1 and the RTT when dst answers a probe sent at t_ns. */
static int answers(const struct ps *S, uint32_t dst, uint64_t t_ns,
		   uint32_t *rtt_us)
{
	long i = find(S, dst >> 8);
	if (i < 0 || S->b[i].dark)
		return 0;
	const struct blk *b = &S->b[i];
	double p = addr_rate(b, dst & 255) * (1.0 - b->loss_pm / 1000.0);
	uint64_t h = dw_sim_hash3(S->conf->seed, dst, t_ns);
	if (u01(h) >= p)
		return 0;
	double us = b->rtt_us * (1.0 + 0.25 * u01(dw_sim_hash2(h, 7)));
	*rtt_us = us > RTT_MAX_US ? RTT_MAX_US : (uint32_t)us;
	return 1;
}

static uint16_t cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* What the host sends back: IPv4 header + the request echoed as a reply. */
static void echo_reply(const struct pend *q, uint8_t ip[20 + DW_PROBE_PKT_LEN])
{
	static const uint8_t hdr[12] = {0x45, 0, 0, 20 + DW_PROBE_PKT_LEN,
					0,    0, 0x40, 0, 52, 1, 0, 0};
	memcpy(ip, hdr, sizeof(hdr));
	put32(ip + 12, q->dst);
	put32(ip + 16, VANTAGE);
	uint16_t c = cksum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	uint8_t *icmp = ip + 20;
	memcpy(icmp, q->pkt, DW_PROBE_PKT_LEN);
	icmp[0] = 0; /* echo reply */
	icmp[2] = icmp[3] = 0;
	c = cksum(icmp, DW_PROBE_PKT_LEN);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

static int is_withdrawal(enum dw_sim_kind k)
{
	return k == DW_SIM_WITHDRAW || k == DW_SIM_PARTIAL_WITHDRAW ||
	       k == DW_SIM_REGION_WITHDRAW || k == DW_SIM_COUNTRY_WITHDRAW;
}

/* dark[i] of every block with the events flagged in act active. */
static void darkness(struct ps *S, const uint8_t *act, uint8_t *dark)
{
	const struct dw_sim_scenario *sc = S->sc;
	int any = 0;
	memset(S->owd, 0, (S->w->npfx ? S->w->npfx : 1) * sizeof(*S->owd));
	memset(S->dpas, 0, sc->nases);
	for (size_t e = 0; e < sc->nevents; e++) {
		const struct dw_sim_event *ev = &sc->events[e];
		if (!act[e])
			continue;
		if (is_withdrawal(ev->kind)) {
			for (size_t j = 0; j < S->t->ev[e].npfx; j++)
				S->owd[S->t->ev[e].pfx[j]]++;
			any = 1;
		} else if (ev->kind == DW_SIM_DATAPLANE_BLOCK &&
			   ev->as_idx >= 0) {
			S->dpas[ev->as_idx] = 1;
		}
	}
	for (size_t i = 0; i < S->n; i++) {
		const struct blk *b = &S->b[i];
		if (any && dw_sim_visible_prefix(S->w, S->owd, b->x24) < 0)
			dark[i] = 1;
		else
			dark[i] = S->dpas[b->as] ? 2 : 0;
	}
}

/* Bring the blocks' darkness to time t (recomputed when events change). */
static void refresh(struct ps *S, int64_t t, int force)
{
	const struct dw_sim_scenario *sc = S->sc;
	int changed = force;
	for (size_t e = 0; e < sc->nevents; e++) {
		const struct dw_sim_event *ev = &sc->events[e];
		uint8_t a = ev->kind != DW_SIM_PEER_RESET && ev->start <= t &&
			    t < ev->end;
		if (a != S->active[e]) {
			S->active[e] = a;
			changed = 1;
		}
	}
	if (!changed)
		return;
	darkness(S, S->active, S->d0);
	for (size_t i = 0; i < S->n; i++)
		S->b[i].dark = S->d0[i];
}

/* ------------------------------------------------------------ the world */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The world's /24s, their static origin and location, and the hitlist. */
static int build(struct ps *S)
{
	const struct dw_sim_world *w = S->w;
	uint32_t *x = NULL;
	struct dw_hitlist_row *rows = NULL;
	size_t nx = 0, k = 0, nrows = 0;
	int rc = DW_ENOMEM;

	for (size_t i = 0; i < w->npfx; i++)
		nx += w->pfx[i].len <= 24 ? (size_t)1 << (24 - w->pfx[i].len) : 1;
	if (!(x = malloc((nx ? nx : 1) * sizeof(*x))))
		goto out;
	for (size_t i = 0; i < w->npfx; i++) {
		size_t m = w->pfx[i].len <= 24 ? (size_t)1 << (24 - w->pfx[i].len)
						: 1;
		for (size_t j = 0; j < m; j++)
			x[k++] = (w->pfx[i].addr >> 8) + (uint32_t)j;
	}
	qsort(x, nx, sizeof(*x), cmp_u32);
	k = 0;
	for (size_t i = 0; i < nx; i++)
		if ((!k || x[k - 1] != x[i]) && w->loc24[x[i]])
			x[k++] = x[i];
	if (!k) {
		rc = DW_EINVAL;
		snprintf(S->err, S->errlen, "probing: the world has no /24");
		goto out;
	}
	if (!(S->b = calloc(k, sizeof(*S->b))) ||
	    !(S->owd = calloc(w->npfx ? w->npfx : 1, sizeof(*S->owd))) ||
	    !(rows = malloc(k * 74 * sizeof(*rows))))
		goto out;
	S->n = k;
	size_t slots = 4;
	while (slots < 2 * k)
		slots *= 2;
	if (!(S->idx = calloc(slots, sizeof(*S->idx))))
		goto out;
	S->idx_mask = (uint32_t)(slots - 1);
	for (size_t i = 0; i < k; i++) {
		struct blk *b = &S->b[i];
		int p = dw_sim_visible_prefix(w, S->owd, x[i]);
		b->x24 = x[i];
		uint32_t sl = slot_of(S, x[i]);
		while (S->idx[sl])
			sl = (sl + 1) & S->idx_mask;
		S->idx[sl] = (uint32_t)i + 1;
		b->as = p >= 0 ? w->pfx[p].as : 0;
		b->region = (uint16_t)(w->loc24[x[i]] - 1);
		int c = S->sc->regions[b->region].country;
		uint64_t hc = dw_sim_hash2(SALT + 1,
					   (uint64_t)(S->sc->countries[c].code[0] << 8 |
						      S->sc->countries[c].code[1]));
		uint64_t hb = dw_sim_hash2(SALT + 2, x[i]);
		b->rtt_us = (uint32_t)(20000 + hc % 200000 + hb % 40000);
		b->loss_pm = (uint16_t)((hb >> 32) % 30);
		unsigned need = population(x[i], &b->base);
		uint32_t asn = S->sc->ases[b->as].asn;
		/* selection sampling: `need` distinct octets of 1..254 */
		for (unsigned o = 1; o <= 254 && need; o++) {
			if (u01(dw_sim_hash3(SALT + 3, x[i], o)) * (255 - o) >= need)
				continue;
			rows[nrows++] = (struct dw_hitlist_row){
				x[i] << 8 | o, addr_rate(b, o), asn};
			need--;
		}
	}
	if ((rc = dw_hitlist_from_rows(rows, nrows, &S->hl, NULL)) < 0)
		goto out;
	if (dw_hitlist_count(S->hl) != S->n) {
		rc = DW_EINVAL; /* every /24 has at least one address */
		snprintf(S->err, S->errlen, "probing: hitlist of %zu blocks "
			 "for %zu /24s", dw_hitlist_count(S->hl), S->n);
		goto out;
	}
	for (size_t i = 0; i < S->n; i++)
		S->b[i].eligible =
			(uint8_t)dw_hitlist_eligible(dw_hitlist_block(S->hl, i));
	rc = 0;
out:
	free(rows);
	free(x);
	return rc;
}

/* Entity codes: countries, regions, ASes, geoasns, in that order. */
static int entities(struct ps *S)
{
	const struct dw_sim_scenario *sc = S->sc;
	size_t nc = sc->ncountries, nr = sc->nregions, na = sc->nases;
	S->nent = nc + nr + 2 * na;
	if (!(S->code = calloc(S->nent, sizeof(*S->code))) ||
	    !(S->etype = calloc(S->nent, sizeof(*S->etype))) ||
	    !(S->acc = calloc(S->nent, sizeof(*S->acc))) ||
	    !(S->hist = calloc(S->nent * HBINS, sizeof(*S->hist))))
		return DW_ENOMEM;
	for (size_t i = 0; i < nc; i++) {
		S->etype[i] = "country";
		snprintf(S->code[i], sizeof(S->code[i]), "%s",
			 sc->countries[i].code);
	}
	for (size_t i = 0; i < nr; i++) {
		S->etype[nc + i] = "region";
		dw_sim_region_code(sc, (int)i, S->code[nc + i],
				   sizeof(S->code[nc + i]));
	}
	for (size_t i = 0; i < na; i++) {
		S->etype[nc + nr + i] = "asn";
		snprintf(S->code[nc + nr + i], sizeof(S->code[0]), "%" PRIu32,
			 sc->ases[i].asn);
		S->etype[nc + nr + na + i] = "geoasn";
		snprintf(S->code[nc + nr + na + i], sizeof(S->code[0]),
			 "%" PRIu32 "-%s", sc->ases[i].asn,
			 sc->countries[sc->ases[i].country].code);
	}
	return 0;
}

static void block_ents(const struct ps *S, const struct blk *b,
		       size_t e[ENT_PER_BLOCK])
{
	const struct dw_sim_scenario *sc = S->sc;
	size_t nc = sc->ncountries, nr = sc->nregions, na = sc->nases;
	e[0] = (size_t)sc->regions[b->region].country;
	e[1] = nc + b->region;
	e[2] = nc + nr + b->as;
	e[3] = nc + nr + na + b->as;
}

/* ----------------------------------------------------------- the truth */

static int cmp_ev(const void *a, const void *b, void *ctx)
{
	const struct dw_sim_scenario *sc = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (sc->events[x].start != sc->events[y].start)
		return sc->events[x].start < sc->events[y].start ? -1 : 1;
	return (x > y) - (x < y);
}

static size_t primary_ent(const struct ps *S, const struct dw_sim_event *ev)
{
	const struct dw_sim_scenario *sc = S->sc;
	switch (ev->kind) {
	case DW_SIM_REGION_WITHDRAW: return sc->ncountries + (size_t)ev->region;
	case DW_SIM_COUNTRY_WITHDRAW: return (size_t)ev->country;
	default:
		return ev->as_idx >= 0 ? sc->ncountries + sc->nregions +
						 (size_t)ev->as_idx
				       : SIZE_MAX;
	}
}

/*
 * One row per event and entity: the eligible blocks the event darkens that
 * were not dark already (events applied in start order, as timeline.c
 * does), as a negative change; the primary entity first.
 */
static int write_truth(struct ps *S, size_t *written)
{
	const struct dw_sim_scenario *sc = S->sc;
	size_t *ord = NULL, no = 0;
	int64_t *chg = NULL;
	uint8_t *act = NULL;
	FILE *f = NULL;
	int rc = DW_ENOMEM;

	*written = 0;
	if (!(ord = malloc((sc->nevents + 1) * sizeof(*ord))) ||
	    !(chg = calloc(S->nent, sizeof(*chg))) ||
	    !(act = calloc(sc->nevents + 1, 1)))
		goto out;
	for (size_t e = 0; e < sc->nevents; e++)
		if (sc->events[e].kind != DW_SIM_PEER_RESET)
			ord[no++] = e;
	qsort_r(ord, no, sizeof(*ord), cmp_ev, (void *)sc);
	if (!(f = fopen(S->conf->truth_path, "w"))) {
		rc = -errno;
		snprintf(S->err, S->errlen, "%s: %s", S->conf->truth_path,
			 strerror(errno));
		goto out;
	}
	fprintf(f, "entity_type,entity_code,kind,start,end,expected_change\n");
	for (size_t k = 0; k < no; k++) {
		const struct dw_sim_event *ev = &sc->events[ord[k]];
		for (size_t j = 0; j < no; j++) {
			const struct dw_sim_event *o = &sc->events[ord[j]];
			act[ord[j]] = j < k && o->end > ev->start;
		}
		if (ev->start >= S->conf->until || ev->end <= S->conf->from)
			continue;
		darkness(S, act, S->d0);
		act[ord[k]] = 1;
		darkness(S, act, S->d1);
		act[ord[k]] = 0;
		memset(chg, 0, S->nent * sizeof(*chg));
		for (size_t i = 0; i < S->n; i++) {
			size_t e[ENT_PER_BLOCK];
			if (!S->b[i].eligible || S->d0[i] || !S->d1[i])
				continue;
			block_ents(S, &S->b[i], e);
			for (int j = 0; j < ENT_PER_BLOCK; j++)
				chg[e[j]]--;
		}
		size_t pe = primary_ent(S, ev);
		for (size_t x = 0; x <= S->nent; x++) {
			size_t en = x == 0 ? pe : x - 1; /* the primary first */
			if (en >= S->nent || (x && (en == pe || !chg[en])))
				continue;
			fprintf(f, "%s,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 "\n",
				S->etype[en], S->code[en],
				dw_sim_kind_name(ev->kind), ev->start, ev->end,
				chg[en]);
			(*written)++;
		}
	}
	rc = 0;
out:
	if (f && (ferror(f) | fclose(f)) && !rc) {
		rc = DW_EIO;
		snprintf(S->err, S->errlen, "%s: write failed",
			 S->conf->truth_path);
	}
	free(act);
	free(chg);
	free(ord);
	return rc;
}

/* ----------------------------------------------------------- the rounds */

/* One round of the real engine at t against the model. */
static void run_round(struct ps *S, int64_t t)
{
	uint64_t now = (uint64_t)t * NS;
	uint8_t ip[20 + DW_PROBE_PKT_LEN];

	dw_prober_round_start(S->pr, now);
	while (dw_prober_busy(S->pr)) {
		refresh(S, (int64_t)(now / NS), 0);
		S->npend = 0;
		struct pend *q = &S->pend[0];
		while (dw_prober_next(S->pr, now, &q->dst, q->pkt)) {
			if (answers(S, q->dst, now, &q->rtt_us))
				q = &S->pend[++S->npend];
		}
		for (size_t k = 0; k < S->npend; k++) {
			echo_reply(&S->pend[k], ip);
			dw_prober_reply(S->pr, ip, sizeof(ip),
					now + (uint64_t)S->pend[k].rtt_us * 1000);
		}
		now += TIMEOUT_NS;
		dw_prober_tick(S->pr, now);
	}
	dw_prober_round_end(S->pr);
}

/* Per-entity tallies of the round just ended, one line per file each. */
static int write_round(struct ps *S, int64_t t)
{
	memset(S->acc, 0, S->nent * sizeof(*S->acc));
	memset(S->hist, 0, S->nent * HBINS * sizeof(*S->hist));
	for (size_t i = 0; i < S->n; i++) {
		struct dw_prober_block_info bi;
		uint32_t rtt[DW_PROBE_MAX_PER_ROUND];
		size_t e[ENT_PER_BLOCK];
		if (!S->b[i].eligible)
			continue;
		dw_prober_block(S->pr, i, &bi);
		size_t nr = dw_prober_rtts(S->pr, i, rtt);
		block_ents(S, &S->b[i], e);
		for (int j = 0; j < ENT_PER_BLOCK; j++) {
			struct acc *a = &S->acc[e[j]];
			uint32_t *h = S->hist + e[j] * HBINS;
			a->blocks++;
			a->up += bi.state == DW_BS_UP;
			a->probes += bi.probes;
			a->replies += bi.replies;
			a->nrtt += nr;
			for (size_t r = 0; r < nr; r++)
				h[rtt[r] / 1000 < HBINS ? rtt[r] / 1000 : HBINS - 1]++;
		}
	}
	for (size_t en = 0; en < S->nent; en++) {
		const struct acc *a = &S->acc[en];
		if (!a->blocks)
			continue;
		fprintf(S->f[0], "%s,%s,%" PRId64 ",%" PRIu64 ",%d\n", S->etype[en],
			S->code[en], t, a->up, ROUND_S);
		if (a->probes)
			fprintf(S->f[1], "%s,%s,%" PRId64 ",%.3f,%d\n",
				S->etype[en], S->code[en], t,
				100.0 * (double)(a->probes - a->replies) /
					(double)a->probes,
				ROUND_S);
		if (a->nrtt) { /* the median, to the millisecond */
			const uint32_t *h = S->hist + en * HBINS;
			uint64_t c = 0;
			unsigned ms = 0;
			while (ms + 1 < HBINS && (c += h[ms]) * 2 < a->nrtt)
				ms++;
			fprintf(S->f[2], "%s,%s,%" PRId64 ",%u.5,%d\n",
				S->etype[en], S->code[en], t, ms, ROUND_S);
		}
	}
	return 0;
}

static const char *const FILES[3] = {"ping-slash24.csv",
				     "ping-slash24-loss.csv",
				     "ping-slash24-latency.csv"};

static int open_files(struct ps *S)
{
	char path[4096];
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s", S->conf->dir, FILES[k]);
		if (!(S->f[k] = fopen(path, "w"))) {
			int rc = -errno;
			snprintf(S->err, S->errlen, "%s: %s", path,
				 strerror(errno));
			return rc;
		}
		fprintf(S->f[k], "entity_type,entity_code,time,value,step\n");
	}
	return 0;
}

static int close_files(struct ps *S, int rc)
{
	for (int k = 0; k < 3; k++) {
		if (!S->f[k])
			continue;
		if ((ferror(S->f[k]) | fclose(S->f[k])) && !rc) {
			rc = DW_EIO;
			snprintf(S->err, S->errlen, "%s/%s: write failed",
				 S->conf->dir, FILES[k]);
		}
		S->f[k] = NULL;
	}
	return rc;
}

static void ps_free(struct ps *S)
{
	dw_prober_free(S->pr);
	dw_hitlist_free(S->hl);
	free(S->hist);
	free(S->acc);
	free(S->etype);
	free(S->code);
	free(S->pend);
	free(S->d1);
	free(S->d0);
	free(S->dpas);
	free(S->active);
	free(S->owd);
	free(S->idx);
	free(S->b);
}

int dw_sim_probing_run(const struct dw_sim_world *w,
		       const struct dw_sim_timeline *t,
		       const struct dw_sim_probing_conf *conf,
		       struct dw_sim_probing_info *st, char *err,
		       size_t errlen)
{
	struct dw_prober_conf pc = DW_PROBER_CONF_DEFAULT;
	struct dw_prober_stats ps;
	struct ps S;
	int64_t t0, t1;
	int rc;

	memset(&S, 0, sizeof(S));
	memset(st, 0, sizeof(*st));
	S.w = w;
	S.t = t;
	S.sc = w->sc;
	S.conf = conf;
	S.err = err;
	S.errlen = errlen;
	if ((rc = build(&S)) || (rc = entities(&S)))
		goto out;
	rc = DW_ENOMEM;
	if (!(S.active = calloc(S.sc->nevents + 1, 1)) ||
	    !(S.dpas = calloc(S.sc->nases + 1, 1)) ||
	    !(S.d0 = calloc(S.n, 1)) || !(S.d1 = calloc(S.n, 1)) ||
	    !(S.pend = calloc(S.n + 1, sizeof(*S.pend))))
		goto out;
	pc.timeout_ns = TIMEOUT_NS;
	pc.seed = dw_sim_hash2(conf->seed, 1);
	pc.key[0] = dw_sim_hash2(conf->seed, 2);
	pc.key[1] = dw_sim_hash2(conf->seed, 3);
	if ((rc = dw_prober_new(&pc, S.hl, &S.pr)) < 0)
		goto out;
	st->blocks = S.n;
	for (size_t i = 0; i < S.n; i++)
		st->eligible += S.b[i].eligible;
	if ((rc = write_truth(&S, &st->truth_rows)) || (rc = open_files(&S)))
		goto out;
	t0 = S.sc->start + (ROUND_S - S.sc->start % ROUND_S) % ROUND_S;
	t1 = conf->until;
	refresh(&S, t0, 1);
	for (int64_t r = t0; r < t1; r += ROUND_S) {
		run_round(&S, r);
		st->rounds++;
		if (r >= conf->from) {
			write_round(&S, r);
			st->written++;
		}
		if (conf->progress && st->rounds % 16 == 0)
			conf->progress(conf->progress_ctx, st->rounds,
				       (uint64_t)((t1 - t0 + ROUND_S - 1) / ROUND_S));
	}
	dw_prober_stats(S.pr, &ps);
	st->probes = ps.sent;
	st->replies = ps.replies[DW_RK_OK];
	rc = 0;
out:
	rc = close_files(&S, rc);
	if (rc == DW_ENOMEM)
		snprintf(err, errlen, "out of memory simulating probing");
	ps_free(&S);
	return rc;
}
