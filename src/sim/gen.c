/*
 * gen.c - the discrete-event routing simulation and its MRT output (see
 * sim/gen.h).
 *
 * State is one small record per (peer, prefix): how many events withdraw
 * the prefix as this peer sees it, whether a flap took it away, whether it
 * is announced to the collector now, its path variant and since when.  A
 * route is announced exactly when the peer carries the prefix, its session
 * is up, no event withdraws it and no flap is running; every action
 * recomputes that for the routes it touches and emits the difference as
 * UPDATEs (prefixes sharing a path packed into one message, as routers do).
 *
 * Paths are [peer AS, a tier-1 from `transit`, the origin's upstream, the
 * origin], chosen by a stable hash of (peer, origin, variant) so one
 * variant is one consistent path; path hunting before a withdrawal
 * announces a longer variant first.  MED and communities vary by peer so
 * the attributes look like a real feed.
 */
#include "sim/gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "darkwatch/err.h"
#include "darkwatch/mrt_writer.h"
#include "sim/rng.h"

#define SLOT 300
#define RIB_EVERY 28800
#define MAX_WITHDRAW 500 /* prefixes per UPDATE: stays under 4096 bytes */
#define MAX_ANNOUNCE 400
#define MAX_PATH 12

#define TRY(x)                   \
	do {                     \
		rc = (x);        \
		if (rc)          \
			goto fail; \
	} while (0)

enum act_type {
	A_EV_DOWN,   /* arg = event; flag = path hunting first */
	A_EV_UP,     /* arg = event */
	A_FLAP,      /* next flap of the peer (self-rescheduling) */
	A_FLAP_UP,   /* arg = prefix */
	A_PATH,      /* next single path change (self-rescheduling) */
	A_BURST,     /* next path change of a whole AS (self-rescheduling) */
	A_SESS_DOWN, /* peer reset */
	A_SESS_UP,
	A_REANNOUNCE /* table sent again after the session is back */
};

struct act {
	int64_t t;
	uint64_t seq;
	uint32_t arg;
	uint16_t peer;
	uint8_t type, flag;
};

struct rt {
	uint8_t wd;      /* events withdrawing the prefix, seen by the peer */
	uint8_t flap;    /* a flap took it away */
	uint8_t present; /* announced to the collector now */
	uint8_t variant; /* path variant */
	uint32_t since;  /* last announced (RIB "originated") */
};

struct gen {
	const struct dw_sim_world *w;
	const struct dw_sim_timeline *tl;
	const struct dw_sim_scenario *sc;
	const struct dw_sim_gen_conf *conf;
	struct rt *rt;           /* [peer * npfx + prefix] */
	uint8_t *up;             /* per peer: session established */
	int64_t *busy;           /* per prefix: a flap runs until then */
	int64_t (*quiet)[2];     /* no flap starts in these windows */
	size_t nquiet;
	struct act *heap;
	size_t nheap, aheap;
	uint64_t seq;
	struct dw_sim_rng rng;
	struct dw_mrt_writer **wr; /* per collector; NULL outside the window */
	char **wr_path;
	struct dw_buf msg, body, attrs;
	struct dw_prefix *pfx;   /* scratch, MAX_WITHDRAW */
	uint32_t *list;          /* scratch, npfx */
	struct dw_sim_gen_stats *st;
	char *err;
	size_t errlen;
};

/* --------------------------------------------------------------- heap */

static int act_before(const struct act *a, const struct act *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int push(struct gen *g, int64_t t, enum act_type type, uint16_t peer,
		uint32_t arg, uint8_t flag)
{
	size_t i;

	if (g->nheap == g->aheap) {
		size_t na = g->aheap ? g->aheap * 2 : 1024;
		struct act *nh = realloc(g->heap, na * sizeof(*nh));
		if (!nh)
			return DW_ENOMEM;
		g->heap = nh;
		g->aheap = na;
	}
	i = g->nheap++;
	g->heap[i] = (struct act){t, g->seq++, arg, peer, (uint8_t)type, flag};
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!act_before(&g->heap[i], &g->heap[p]))
			break;
		struct act tmp = g->heap[p];
		g->heap[p] = g->heap[i];
		g->heap[i] = tmp;
		i = p;
	}
	return 0;
}

static struct act pop(struct gen *g)
{
	struct act top = g->heap[0];
	size_t i = 0;

	g->heap[0] = g->heap[--g->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < g->nheap && act_before(&g->heap[l], &g->heap[m]))
			m = l;
		if (r < g->nheap && act_before(&g->heap[r], &g->heap[m]))
			m = r;
		if (m == i)
			break;
		struct act tmp = g->heap[m];
		g->heap[m] = g->heap[i];
		g->heap[i] = tmp;
		i = m;
	}
	return top;
}

/* -------------------------------------------------------------- state */

static struct rt *route(struct gen *g, size_t peer, size_t pfx)
{
	return &g->rt[peer * g->w->npfx + pfx];
}

static int carried(const struct gen *g, size_t peer, size_t pfx)
{
	return g->w->carry[peer * g->w->npfx + pfx];
}

static int wanted(const struct gen *g, size_t peer, const struct rt *r)
{
	return g->up[peer] && !r->wd && !r->flap;
}

/* -------------------------------------------------------------- paths */

static int in_path(const uint32_t *p, size_t n, uint32_t asn)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == asn)
			return 1;
	return 0;
}

static int is_transit(const struct dw_sim_scenario *sc, uint32_t asn)
{
	return in_path(sc->transit, sc->ntransit, asn);
}

/* Path from peer to the origin of AS index `as`; variant >= K: hunting. */
static size_t make_path(const struct gen *g, size_t peer, size_t as,
			unsigned variant, uint32_t *path)
{
	const struct dw_sim_scenario *sc = g->sc;
	const struct dw_sim_as *a = &sc->ases[as];
	uint32_t pas = g->w->peers[peer].p->asn, o = a->asn;
	uint64_t h = dw_sim_hash3(pas, o, variant);
	size_t n = 0;

	path[n++] = pas;
	if (o == pas)
		return n;
	if (!is_transit(sc, pas) || (h & 1) || variant >= sc->churn.variants) {
		for (size_t i = 0; i < sc->ntransit; i++) {
			uint32_t t1 = sc->transit[((h >> 8) + i) % sc->ntransit];
			if (t1 != o && !in_path(path, n, t1)) {
				path[n++] = t1;
				break;
			}
		}
	}
	if (variant >= sc->churn.variants) { /* hunting: one more hop */
		for (size_t i = 0; i < sc->ntransit; i++) {
			uint32_t t2 = sc->transit[((h >> 20) + i) % sc->ntransit];
			if (t2 != o && !in_path(path, n, t2)) {
				path[n++] = t2;
				break;
			}
		}
	}
	if (a->nupstreams) {
		uint32_t u = a->upstreams[(h >> 32) % a->nupstreams];
		if (u != o && !in_path(path, n, u))
			path[n++] = u;
	}
	path[n++] = o;
	if ((h >> 40) % 6 == 0 || variant >= sc->churn.variants)
		path[n++] = o; /* origin prepending */
	return n;
}

static void attr_spec(const struct gen *g, size_t peer, size_t as,
		      unsigned variant, uint32_t *path, uint32_t *comm,
		      struct dw_bgp_attr_spec *s)
{
	const struct dw_sim_wpeer *p = &g->w->peers[peer];
	uint32_t pas = p->p->asn, o = g->sc->ases[as].asn;

	memset(s, 0, sizeof(*s));
	s->origin = dw_sim_hash2(o, 7) % 9 == 0 ? DW_ORIGIN_INCOMPLETE
						: DW_ORIGIN_IGP;
	s->as4 = 1;
	s->path = path;
	s->path_len = make_path(g, peer, as, variant, path);
	s->nexthop = p->p->addr;
	if (p->index % 2) {
		s->has_med = 1;
		s->med = variant * 10;
	}
	if (pas <= 0xffff) {
		comm[0] = pas << 16 | (1000 + variant);
		comm[1] = pas << 16 | (2000 + (uint32_t)g->sc->ases[as].country);
		s->communities = comm;
		s->ncommunities = 2;
	}
}

/* ------------------------------------------------------------ output */

static int fail_file(struct gen *g, const char *path, int rc)
{
	snprintf(g->err, g->errlen, "%s: %s", path, dw_strerror(rc));
	return rc;
}

static struct dw_mrt_bgp4mp_hdr bgp4mp_hdr(const struct gen *g, size_t peer)
{
	const struct dw_sim_wpeer *p = &g->w->peers[peer];
	const struct dw_sim_collector *c = &g->sc->collectors[p->collector];
	struct dw_mrt_bgp4mp_hdr h;

	memset(&h, 0, sizeof(h));
	h.peer_as = p->p->asn;
	h.local_as = c->asn;
	h.peer = p->p->addr;
	h.local = c->addr;
	h.as4 = 1;
	return h;
}

static int write_rec(struct gen *g, int collector, int64_t t, uint16_t type,
		     uint16_t subtype, const struct dw_buf *b)
{
	int rc = dw_mrt_writer_record(g->wr[collector], (uint32_t)t, 0, type,
				      subtype, dw_buf_data(b), dw_buf_len(b));
	if (rc)
		return fail_file(g, g->wr_path[collector], rc);
	g->st->records++;
	return 0;
}

static int send_update(struct gen *g, size_t peer, int64_t t,
		       const struct dw_bgp_update_spec *u)
{
	struct dw_mrt_bgp4mp_hdr h = bgp4mp_hdr(g, peer);
	int rc;

	dw_buf_reset(&g->msg);
	dw_buf_reset(&g->body);
	if ((rc = dw_bgp_build_update(&g->msg, u)) ||
	    (rc = dw_mrt_build_bgp4mp_msg(&g->body, &h, dw_buf_data(&g->msg),
					  dw_buf_len(&g->msg)))) {
		snprintf(g->err, g->errlen, "building an UPDATE: %s",
			 dw_strerror(rc));
		return rc;
	}
	return write_rec(g, g->w->peers[peer].collector, t, DW_MRT_BGP4MP,
			 dw_mrt_bgp4mp_msg_subtype(1, 0, 0), &g->body);
}

static void to_prefix(const struct dw_sim_wpfx *w, struct dw_prefix *p)
{
	memset(p, 0, sizeof(*p));
	dw_addr_set_v4(&p->addr, w->addr);
	p->len = w->len;
}

static int send_withdraw(struct gen *g, size_t peer, int64_t t,
			 const uint32_t *idx, size_t n)
{
	struct dw_bgp_update_spec u;
	int rc = 0;

	if (!g->wr[g->w->peers[peer].collector])
		return 0;
	for (size_t i = 0; i < n && !rc; i += MAX_WITHDRAW) {
		size_t k = n - i < MAX_WITHDRAW ? n - i : MAX_WITHDRAW;
		for (size_t j = 0; j < k; j++)
			to_prefix(&g->w->pfx[idx[i + j]], &g->pfx[j]);
		memset(&u, 0, sizeof(u));
		u.withdraw = g->pfx;
		u.nwithdraw = k;
		rc = send_update(g, peer, t, &u);
	}
	return rc;
}

struct sort_ctx {
	const struct gen *g;
	size_t peer;
};

static int cmp_route(const void *a, const void *b, void *vctx)
{
	const struct sort_ctx *c = vctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct dw_sim_wpfx *px = &c->g->w->pfx[x], *py = &c->g->w->pfx[y];
	const struct rt *rx = &c->g->rt[c->peer * c->g->w->npfx + x];
	const struct rt *ry = &c->g->rt[c->peer * c->g->w->npfx + y];

	if (px->as != py->as)
		return (int)px->as - (int)py->as;
	if (rx->variant != ry->variant)
		return (int)rx->variant - (int)ry->variant;
	return x < y ? -1 : x > y;
}

/*
 * Announce idx[0..n) (sorted here by origin and variant) with their
 * current paths, or all with the hunting path when `hunt`.
 */
static int send_announce(struct gen *g, size_t peer, int64_t t, uint32_t *idx,
			 size_t n, int hunt)
{
	struct sort_ctx ctx = {g, peer};
	struct dw_bgp_update_spec u;
	struct dw_bgp_attr_spec a;
	uint32_t path[MAX_PATH], comm[2];
	size_t i = 0;
	int rc = 0;

	if (!g->wr[g->w->peers[peer].collector] || !n)
		return 0;
	qsort_r(idx, n, sizeof(*idx), cmp_route, &ctx);
	while (i < n && !rc) {
		const struct dw_sim_wpfx *first = &g->w->pfx[idx[i]];
		unsigned v = hunt ? g->sc->churn.variants
				  : route(g, peer, idx[i])->variant;
		size_t k = 0;
		while (i + k < n && k < MAX_ANNOUNCE &&
		       g->w->pfx[idx[i + k]].as == first->as &&
		       (hunt || route(g, peer, idx[i + k])->variant == v)) {
			to_prefix(&g->w->pfx[idx[i + k]], &g->pfx[k]);
			k++;
		}
		attr_spec(g, peer, first->as, v, path, comm, &a);
		memset(&u, 0, sizeof(u));
		u.attrs = &a;
		u.announce = g->pfx;
		u.nannounce = k;
		rc = send_update(g, peer, t, &u);
		i += k;
	}
	return rc;
}

static int send_state(struct gen *g, size_t peer, int64_t t, uint16_t from,
		      uint16_t to)
{
	struct dw_mrt_bgp4mp_hdr h = bgp4mp_hdr(g, peer);
	int c = g->w->peers[peer].collector, rc;

	if (!g->wr[c])
		return 0;
	dw_buf_reset(&g->body);
	if ((rc = dw_mrt_build_bgp4mp_state(&g->body, &h, from, to))) {
		snprintf(g->err, g->errlen, "building a state change: %s",
			 dw_strerror(rc));
		return rc;
	}
	return write_rec(g, c, t, DW_MRT_BGP4MP, dw_mrt_bgp4mp_state_subtype(1),
			 &g->body);
}

/* ------------------------------------------------------------ actions */

static int in_quiet(const struct gen *g, int64_t t)
{
	for (size_t i = 0; i < g->nquiet; i++)
		if (t >= g->quiet[i][0] && t < g->quiet[i][1])
			return 1;
	return 0;
}

/* A random prefix the peer announces now and no flap holds; -1 if none. */
static long pick_present(struct gen *g, size_t peer, int64_t t, int free_only)
{
	for (int tries = 0; tries < 16; tries++) {
		uint32_t i = dw_sim_rng_below(&g->rng, (uint32_t)g->w->npfx);
		if (route(g, peer, i)->present && (!free_only || g->busy[i] <= t))
			return i;
	}
	return -1;
}

static unsigned other_variant(struct gen *g, unsigned v)
{
	unsigned k = g->sc->churn.variants;
	if (k < 2)
		return 0;
	return (v + 1 + dw_sim_rng_below(&g->rng, k - 1)) % k;
}

static int do_event(struct gen *g, const struct act *a)
{
	const struct dw_sim_tevent *te = &g->tl->ev[a->arg];
	size_t peer = a->peer, n = 0;
	int rc = 0;

	for (size_t j = 0; j < te->npfx; j++) {
		uint32_t i = te->pfx[j];
		struct rt *r = route(g, peer, i);
		if (!carried(g, peer, i))
			continue;
		if (a->type == A_EV_DOWN && a->flag) { /* hunting first */
			if (r->present)
				g->list[n++] = i;
			continue;
		}
		if (a->type == A_EV_DOWN) {
			r->wd++;
			if (r->present) {
				r->present = 0;
				g->list[n++] = i;
			}
		} else {
			r->wd--;
			if (!r->present && wanted(g, peer, r)) {
				r->present = 1;
				r->since = (uint32_t)a->t;
				g->list[n++] = i;
			}
		}
	}
	if (a->type == A_EV_DOWN && a->flag) {
		TRY(send_announce(g, peer, a->t, g->list, n, 1));
		TRY(push(g, a->t + 5 + dw_sim_rng_below(&g->rng, 21), A_EV_DOWN,
			 a->peer, a->arg, 0));
	} else if (a->type == A_EV_DOWN) {
		TRY(send_withdraw(g, peer, a->t, g->list, n));
	} else {
		TRY(send_announce(g, peer, a->t, g->list, n, 0));
	}
fail:
	return rc;
}

static int do_flap(struct gen *g, const struct act *a)
{
	const struct dw_sim_churn *c = &g->sc->churn;
	size_t peer = a->peer;
	long i;
	int rc;

	TRY(push(g, a->t + 1 + (int64_t)dw_sim_rng_gap(&g->rng,
						       c->flaps_per_hour),
		 A_FLAP, a->peer, 0, 0));
	if (!g->up[peer] || in_quiet(g, a->t) ||
	    (i = pick_present(g, peer, a->t, 1)) < 0)
		return 0;
	uint32_t d = c->flap_min +
		     dw_sim_rng_below(&g->rng, c->flap_max - c->flap_min + 1);
	struct rt *r = route(g, peer, (size_t)i);
	uint32_t idx = (uint32_t)i;
	r->present = 0;
	r->flap = 1;
	g->busy[i] = a->t + d + 30;
	TRY(send_withdraw(g, peer, a->t, &idx, 1));
	TRY(push(g, a->t + d, A_FLAP_UP, a->peer, idx, 0));
fail:
	return rc;
}

static int do_flap_up(struct gen *g, const struct act *a)
{
	struct rt *r = route(g, a->peer, a->arg);
	uint32_t idx = a->arg;

	r->flap = 0;
	if (r->present || !wanted(g, a->peer, r))
		return 0;
	if (dw_sim_rng_below(&g->rng, 2))
		r->variant = (uint8_t)other_variant(g, r->variant);
	r->present = 1;
	r->since = (uint32_t)a->t;
	return send_announce(g, a->peer, a->t, &idx, 1, 0);
}

static int do_path(struct gen *g, const struct act *a)
{
	long i;
	int rc;

	TRY(push(g, a->t + 1 + (int64_t)dw_sim_rng_gap(
				       &g->rng, g->sc->churn.path_changes_per_hour),
		 A_PATH, a->peer, 0, 0));
	if ((i = pick_present(g, a->peer, a->t, 0)) < 0)
		return 0;
	struct rt *r = route(g, a->peer, (size_t)i);
	uint32_t idx = (uint32_t)i;
	r->variant = (uint8_t)other_variant(g, r->variant);
	r->since = (uint32_t)a->t;
	TRY(send_announce(g, a->peer, a->t, &idx, 1, 0));
fail:
	return rc;
}

static int do_burst(struct gen *g, const struct act *a)
{
	const struct dw_sim_world *w = g->w;
	uint32_t as, v;
	size_t n = 0;
	int rc;

	TRY(push(g, a->t + 1 + (int64_t)dw_sim_rng_gap(
				       &g->rng,
				       g->sc->churn.path_bursts_per_day / 24.0),
		 A_BURST, a->peer, 0, 0));
	as = dw_sim_rng_below(&g->rng, (uint32_t)g->sc->nases);
	v = dw_sim_rng_below(&g->rng, g->sc->churn.variants);
	for (size_t i = 0; i < w->npfx; i++) {
		struct rt *r = route(g, a->peer, i);
		if (w->pfx[i].as != as || !r->present || r->variant == v)
			continue;
		r->variant = (uint8_t)v;
		r->since = (uint32_t)a->t;
		g->list[n++] = (uint32_t)i;
	}
	TRY(send_announce(g, a->peer, a->t, g->list, n, 0));
fail:
	return rc;
}

static int do_session(struct gen *g, const struct act *a)
{
	size_t peer = a->peer, n = 0;
	int rc = 0;

	if (a->type == A_SESS_DOWN) {
		if (!g->up[peer])
			return 0;
		g->up[peer] = 0;
		for (size_t i = 0; i < g->w->npfx; i++)
			route(g, peer, i)->present = 0;
		return send_state(g, peer, a->t, 6, 1); /* Established→Idle */
	}
	if (a->type == A_SESS_UP) {
		if (g->up[peer])
			return 0;
		g->up[peer] = 1;
		TRY(send_state(g, peer, a->t, 1, 2));  /* Idle→Connect */
		TRY(send_state(g, peer, a->t, 2, 4));  /* →OpenSent */
		TRY(send_state(g, peer, a->t, 4, 5));  /* →OpenConfirm */
		TRY(send_state(g, peer, a->t, 5, 6));  /* →Established */
		return push(g, a->t + 2, A_REANNOUNCE, a->peer, 0, 0);
	}
	for (size_t i = 0; i < g->w->npfx; i++) {
		struct rt *r = route(g, peer, i);
		if (carried(g, peer, i) && !r->present && wanted(g, peer, r)) {
			r->present = 1;
			r->since = (uint32_t)a->t;
			g->list[n++] = (uint32_t)i;
		}
	}
	TRY(send_announce(g, peer, a->t, g->list, n, 0));
fail:
	return rc;
}

static int apply(struct gen *g, const struct act *a)
{
	switch (a->type) {
	case A_EV_DOWN:
	case A_EV_UP:
		return do_event(g, a);
	case A_FLAP:
		return do_flap(g, a);
	case A_FLAP_UP:
		return do_flap_up(g, a);
	case A_PATH:
		return do_path(g, a);
	case A_BURST:
		return do_burst(g, a);
	default:
		return do_session(g, a);
	}
}

/* -------------------------------------------------------------- files */

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* DIR/archive/<collector>/YYYY.MM/<kind>.YYYYMMDD.HHMM.gz, dirs made. */
static int file_path(struct gen *g, int c, const char *kind, int64_t t,
		     char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int len, rc;

	gmtime_r(&tt, &tm);
	len = snprintf(buf, n, "%s/%s/%04d.%02d", g->conf->archive_dir,
		       g->sc->collectors[c].name, tm.tm_year + 1900,
		       tm.tm_mon + 1);
	if (len < 0 || (size_t)len >= n)
		return DW_EINVAL;
	if ((rc = mkdirs(buf)))
		return fail_file(g, buf, rc);
	len = snprintf(buf + len, n - (size_t)len,
		       "/%s.%04d%02d%02d.%02d%02d.gz", kind, tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return len < 0 ? DW_EINVAL : 0;
}

static int open_file(struct gen *g, int c, const char *kind, int64_t t)
{
	int rc;

	TRY(file_path(g, c, kind, t, g->wr_path[c], 4096));
	rc = dw_mrt_writer_open(g->wr_path[c], DW_COMP_GZIP, g->sc->gzip_level,
				&g->wr[c]);
	if (rc)
		return fail_file(g, g->wr_path[c], rc);
fail:
	return rc;
}

static int close_file(struct gen *g, int c)
{
	struct stat sb;
	int rc;

	if (!g->wr[c])
		return 0;
	rc = dw_mrt_writer_close(g->wr[c]);
	dw_mrt_writer_free(g->wr[c]);
	g->wr[c] = NULL;
	if (rc)
		return fail_file(g, g->wr_path[c], rc);
	g->st->files++;
	if (stat(g->wr_path[c], &sb) == 0)
		g->st->bytes += (uint64_t)sb.st_size;
	return 0;
}

static int write_rib(struct gen *g, int c, int64_t t)
{
	const struct dw_sim_world *w = g->w;
	const struct dw_sim_collector *co = &g->sc->collectors[c];
	struct dw_mrt_rib_entry_spec e[1000];
	size_t off[1000], first = 0;
	struct dw_mrt_peer *peers = NULL;
	uint32_t path[MAX_PATH], comm[2], seq = 0;
	int rc;

	while (w->peers[first].collector != c)
		first++;
	TRY(open_file(g, c, "bview", t));
	peers = calloc(co->npeers, sizeof(*peers));
	if (!peers) {
		rc = DW_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < co->npeers; i++) {
		peers[i].addr = co->peers[i].addr;
		peers[i].asn = co->peers[i].asn;
		peers[i].bgp_id = dw_addr_v4(&co->peers[i].addr);
	}
	dw_buf_reset(&g->body);
	TRY(dw_mrt_build_peer_index(&g->body, dw_addr_v4(&co->addr), NULL,
				    peers, co->npeers));
	TRY(write_rec(g, c, t, DW_MRT_TABLE_DUMP_V2, DW_TD2_PEER_INDEX_TABLE,
		      &g->body));
	for (size_t i = 0; i < w->npfx; i++) {
		struct dw_prefix p;
		size_t n = 0;
		dw_buf_reset(&g->attrs);
		for (size_t k = 0; k < co->npeers; k++) {
			const struct rt *r = route(g, first + k, i);
			struct dw_bgp_attr_spec a;
			if (!r->present)
				continue;
			attr_spec(g, first + k, w->pfx[i].as, r->variant, path,
				  comm, &a);
			off[n] = dw_buf_len(&g->attrs);
			TRY(dw_bgp_build_attrs(&g->attrs, &a, DW_BGP_ATTRS_RIB));
			e[n].peer_index = (uint16_t)k;
			e[n].originated = r->since;
			e[n].path_id = 0;
			e[n].attrs_len = dw_buf_len(&g->attrs) - off[n];
			n++;
		}
		if (!n)
			continue;
		for (size_t k = 0; k < n; k++)
			e[k].attrs = dw_buf_data(&g->attrs) + off[k];
		to_prefix(&w->pfx[i], &p);
		dw_buf_reset(&g->body);
		TRY(dw_mrt_build_rib(&g->body, seq++, &p, e, n, 0));
		TRY(write_rec(g, c, t, DW_MRT_TABLE_DUMP_V2,
			      dw_mrt_rib_subtype(&p, 0), &g->body));
	}
	free(peers);
	return close_file(g, c);
fail:
	free(peers);
	if (g->errlen && !g->err[0])
		fail_file(g, g->wr_path[c], rc);
	return rc;
}

/* --------------------------------------------------------------- setup */

static int setup(struct gen *g, int64_t t0)
{
	const struct dw_sim_world *w = g->w;
	const struct dw_sim_scenario *sc = g->sc;
	const struct dw_sim_churn *c = &sc->churn;
	size_t np = w->npeers, nq = 0;
	int rc = 0;

	g->rt = calloc(np * (w->npfx ? w->npfx : 1), sizeof(*g->rt));
	g->up = calloc(np, 1);
	g->busy = calloc(w->npfx ? w->npfx : 1, sizeof(*g->busy));
	g->quiet = calloc(sc->nevents ? sc->nevents : 1, sizeof(*g->quiet));
	g->wr = calloc(sc->ncollectors, sizeof(*g->wr));
	g->wr_path = calloc(sc->ncollectors, sizeof(*g->wr_path));
	g->pfx = calloc(MAX_WITHDRAW, sizeof(*g->pfx));
	g->list = calloc(w->npfx ? w->npfx : 1, sizeof(*g->list));
	if (!g->rt || !g->up || !g->busy || !g->quiet || !g->wr ||
	    !g->wr_path || !g->pfx || !g->list)
		return DW_ENOMEM;
	for (size_t i = 0; i < sc->ncollectors; i++)
		if (!(g->wr_path[i] = calloc(1, 4096)))
			return DW_ENOMEM;
	for (size_t k = 0; k < np; k++) {
		g->up[k] = 1;
		for (size_t i = 0; i < w->npfx; i++) {
			struct rt *r = route(g, k, i);
			if (!carried(g, k, i))
				continue;
			r->present = 1;
			r->variant = (uint8_t)dw_sim_rng_below(&g->rng,
							       c->variants);
			r->since = (uint32_t)(t0 - 1 -
					      dw_sim_rng_below(&g->rng,
							       30 * 86400));
		}
		if (c->flaps_per_hour > 0)
			TRY(push(g, t0 + (int64_t)dw_sim_rng_gap(
						 &g->rng, c->flaps_per_hour),
				 A_FLAP, (uint16_t)k, 0, 0));
		if (c->path_changes_per_hour > 0)
			TRY(push(g, t0 + (int64_t)dw_sim_rng_gap(
						 &g->rng, c->path_changes_per_hour),
				 A_PATH, (uint16_t)k, 0, 0));
		if (c->path_bursts_per_day > 0)
			TRY(push(g, t0 + (int64_t)dw_sim_rng_gap(
						 &g->rng,
						 c->path_bursts_per_day / 24.0),
				 A_BURST, (uint16_t)k, 0, 0));
	}
	for (size_t ev = 0; ev < sc->nevents; ev++) {
		const struct dw_sim_event *e = &sc->events[ev];
		if (e->kind == DW_SIM_PEER_RESET) {
			size_t k = 0;
			while (w->peers[k].collector != e->collector)
				k++;
			k += (size_t)e->peer;
			TRY(push(g, e->start, A_SESS_DOWN, (uint16_t)k, 0, 0));
			TRY(push(g, e->end, A_SESS_UP, (uint16_t)k, 0, 0));
			g->quiet[nq][0] = e->start - c->flap_max - 60;
			g->quiet[nq][1] = e->end + 120;
			nq++;
			continue;
		}
		if (!g->tl->ev[ev].npfx)
			continue; /* dataplane_block: nothing in BGP */
		for (size_t k = 0; k < np; k++) {
			uint8_t hunt = dw_sim_rng_unit(&g->rng) < c->path_hunting;
			TRY(push(g, e->start + dw_sim_rng_below(&g->rng,
								c->propagation + 1),
				 A_EV_DOWN, (uint16_t)k, (uint32_t)ev, hunt));
			TRY(push(g, e->end + dw_sim_rng_below(&g->rng,
							      c->propagation + 1),
				 A_EV_UP, (uint16_t)k, (uint32_t)ev, 0));
		}
	}
	g->nquiet = nq;
	dw_buf_init(&g->msg, 65535);
	dw_buf_init(&g->body, 1u << 24);
	dw_buf_init(&g->attrs, 1u << 24);
fail:
	return rc;
}

static void teardown(struct gen *g)
{
	const struct dw_sim_scenario *sc = g->sc;
	for (size_t i = 0; g->wr && i < sc->ncollectors; i++)
		dw_mrt_writer_free(g->wr[i]);
	for (size_t i = 0; g->wr_path && i < sc->ncollectors; i++)
		free(g->wr_path[i]);
	dw_buf_free(&g->msg);
	dw_buf_free(&g->body);
	dw_buf_free(&g->attrs);
	free(g->wr_path);
	free(g->wr);
	free(g->list);
	free(g->pfx);
	free(g->quiet);
	free(g->busy);
	free(g->up);
	free(g->rt);
	free(g->heap);
}

int dw_sim_gen_run(const struct dw_sim_world *w,
		   const struct dw_sim_timeline *t,
		   const struct dw_sim_gen_conf *conf,
		   struct dw_sim_gen_stats *stats, char *err, size_t errlen)
{
	struct gen g;
	const struct dw_sim_scenario *sc = w->sc;
	int64_t t0 = sc->start - sc->start % RIB_EVERY, stop, s;
	int rc;

	memset(&g, 0, sizeof(g));
	memset(stats, 0, sizeof(*stats));
	g.w = w;
	g.tl = t;
	g.sc = sc;
	g.conf = conf;
	g.st = stats;
	g.err = err;
	g.errlen = errlen;
	if (errlen)
		err[0] = 0;
	dw_sim_rng_seed(&g.rng, conf->seed);
	stop = conf->out_until < sc->end ? conf->out_until : sc->end;
	if ((rc = setup(&g, t0))) {
		snprintf(err, errlen, "out of memory setting up the simulation");
		goto fail;
	}
	for (s = t0; s < stop; s += SLOT) {
		int out = s >= conf->out_from;
		for (size_t c = 0; out && c < sc->ncollectors; c++) {
			if (s % RIB_EVERY == 0)
				TRY(write_rib(&g, (int)c, s));
			TRY(open_file(&g, (int)c, "updates", s));
		}
		while (g.nheap && g.heap[0].t < s + SLOT) {
			struct act a = pop(&g);
			TRY(apply(&g, &a));
		}
		for (size_t c = 0; c < sc->ncollectors; c++)
			TRY(close_file(&g, (int)c));
		if (conf->progress)
			conf->progress(conf->progress_ctx,
				       (uint64_t)((s - t0) / SLOT + 1),
				       (uint64_t)((stop - t0 + SLOT - 1) / SLOT));
	}
fail:
	if (rc && errlen && !err[0])
		snprintf(err, errlen, "%s", dw_strerror(rc));
	teardown(&g);
	return rc;
}
