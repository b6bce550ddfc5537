/*
 * gen.c - the discrete-event routing simulation (see sim/gen.h).
 *
 * State is one small record per (peer, prefix) (struct dw_sim_route): how
 * many events withdraw the prefix as this peer sees it, whether a flap took
 * it away, whether it is announced to the collector now, its path variant
 * and since when.  A route is announced exactly when the peer carries the
 * prefix, its session is up, no event withdraws it and no flap runs; every
 * action recomputes that for the routes it touches and hands the
 * difference to the emitter (emit.c), which writes the UPDATEs.
 */
#include "sim/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "sim/emit.h"
#include "sim/rng.h"
#include "common/try.h"

#define SLOT      300
#define RIB_EVERY 28800

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

struct gen {
	const struct dw_sim_world *w;
	const struct dw_sim_timeline *tl;
	const struct dw_sim_scenario *sc;
	struct dw_sim_route *rt; /* [peer * npfx + prefix] */
	uint8_t *up;             /* per peer: session established */
	int64_t *busy;           /* per prefix: a flap runs until then */
	int64_t (*quiet)[2];     /* no flap starts in these windows */
	size_t nquiet;
	struct act *heap;
	size_t nheap, aheap;
	uint64_t seq;
	struct dw_sim_rng rng;
	struct dw_sim_emit *out;
	uint32_t *list; /* scratch, npfx */
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

static struct dw_sim_route *route(struct gen *g, size_t peer, size_t pfx)
{
	return &g->rt[peer * g->w->npfx + pfx];
}

static int carried(const struct gen *g, size_t peer, size_t pfx)
{
	return g->w->carry[peer * g->w->npfx + pfx];
}

static int wanted(const struct gen *g, size_t peer,
		  const struct dw_sim_route *r)
{
	return g->up[peer] && !r->wd && !r->flap;
}

/* -------------------------------------------------------------- paths */
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
		if (route(g, peer, i)->present &&
		    (!free_only || g->busy[i] <= t))
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
		struct dw_sim_route *r = route(g, peer, i);
		if (!carried(g, peer, i))
			continue;
		if (a->type == A_EV_DOWN && a->flag) { /* hunting first */
			if (r->present) {
				r->variant = (uint8_t)g->sc->churn.variants;
				r->since = (uint32_t)a->t;
				g->list[n++] = i;
			}
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
				if (r->variant >=
				    g->sc->churn.variants) /* hunted */
					r->variant = (uint8_t)dw_sim_rng_below(
						&g->rng, g->sc->churn.variants);
				r->present = 1;
				r->since = (uint32_t)a->t;
				g->list[n++] = i;
			}
		}
	}
	if (a->type == A_EV_DOWN && a->flag) {
		TRY(dw_sim_emit_announce(g->out, peer, a->t, g->list, n));
		TRY(push(g, a->t + 5 + dw_sim_rng_below(&g->rng, 21), A_EV_DOWN,
			 a->peer, a->arg, 0));
	} else if (a->type == A_EV_DOWN) {
		TRY(dw_sim_emit_withdraw(g->out, peer, a->t, g->list, n));
	} else {
		TRY(dw_sim_emit_announce(g->out, peer, a->t, g->list, n));
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

	TRY(push(g,
		 a->t + 1 + (int64_t)dw_sim_rng_gap(&g->rng, c->flaps_per_hour),
		 A_FLAP, a->peer, 0, 0));
	if (!g->up[peer] || in_quiet(g, a->t) ||
	    (i = pick_present(g, peer, a->t, 1)) < 0)
		return 0;
	uint32_t d = c->flap_min +
		     dw_sim_rng_below(&g->rng, c->flap_max - c->flap_min + 1);
	struct dw_sim_route *r = route(g, peer, (size_t)i);
	uint32_t idx = (uint32_t)i;
	r->present = 0;
	r->flap = 1;
	g->busy[i] = a->t + d + 30;
	TRY(dw_sim_emit_withdraw(g->out, peer, a->t, &idx, 1));
	TRY(push(g, a->t + d, A_FLAP_UP, a->peer, idx, 0));
fail:
	return rc;
}

static int do_flap_up(struct gen *g, const struct act *a)
{
	struct dw_sim_route *r = route(g, a->peer, a->arg);
	uint32_t idx = a->arg;

	r->flap = 0;
	if (r->present || !wanted(g, a->peer, r))
		return 0;
	if (dw_sim_rng_below(&g->rng, 2))
		r->variant = (uint8_t)other_variant(g, r->variant);
	r->present = 1;
	r->since = (uint32_t)a->t;
	return dw_sim_emit_announce(g->out, a->peer, a->t, &idx, 1);
}

static int do_path(struct gen *g, const struct act *a)
{
	long i;
	int rc;

	TRY(push(g,
		 a->t + 1 +
			 (int64_t)dw_sim_rng_gap(
				 &g->rng, g->sc->churn.path_changes_per_hour),
		 A_PATH, a->peer, 0, 0));
	if ((i = pick_present(g, a->peer, a->t, 0)) < 0)
		return 0;
	struct dw_sim_route *r = route(g, a->peer, (size_t)i);
	uint32_t idx = (uint32_t)i;
	r->variant = (uint8_t)other_variant(g, r->variant);
	r->since = (uint32_t)a->t;
	TRY(dw_sim_emit_announce(g->out, a->peer, a->t, &idx, 1));
fail:
	return rc;
}

static int do_burst(struct gen *g, const struct act *a)
{
	const struct dw_sim_world *w = g->w;
	uint32_t as, v;
	size_t n = 0;
	int rc;

	TRY(push(g,
		 a->t + 1 +
			 (int64_t)dw_sim_rng_gap(
				 &g->rng,
				 g->sc->churn.path_bursts_per_day / 24.0),
		 A_BURST, a->peer, 0, 0));
	as = dw_sim_rng_below(&g->rng, (uint32_t)g->sc->nases);
	v = dw_sim_rng_below(&g->rng, g->sc->churn.variants);
	for (size_t i = 0; i < w->npfx; i++) {
		struct dw_sim_route *r = route(g, a->peer, i);
		if (w->pfx[i].as != as || !r->present || r->variant == v)
			continue;
		r->variant = (uint8_t)v;
		r->since = (uint32_t)a->t;
		g->list[n++] = (uint32_t)i;
	}
	TRY(dw_sim_emit_announce(g->out, a->peer, a->t, g->list, n));
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
		return dw_sim_emit_state(g->out, peer, a->t, 6,
					 1); /* Established→Idle */
	}
	if (a->type == A_SESS_UP) {
		if (g->up[peer])
			return 0;
		g->up[peer] = 1;
		TRY(dw_sim_emit_state(g->out, peer, a->t, 1,
				      2)); /* Idle→Connect */
		TRY(dw_sim_emit_state(g->out, peer, a->t, 2,
				      4)); /* →OpenSent */
		TRY(dw_sim_emit_state(g->out, peer, a->t, 4,
				      5)); /* →OpenConfirm */
		TRY(dw_sim_emit_state(g->out, peer, a->t, 5,
				      6)); /* →Established */
		return push(g, a->t + 2, A_REANNOUNCE, a->peer, 0, 0);
	}
	for (size_t i = 0; i < g->w->npfx; i++) {
		struct dw_sim_route *r = route(g, peer, i);
		if (carried(g, peer, i) && !r->present && wanted(g, peer, r)) {
			r->present = 1;
			r->since = (uint32_t)a->t;
			g->list[n++] = (uint32_t)i;
		}
	}
	TRY(dw_sim_emit_announce(g->out, peer, a->t, g->list, n));
fail:
	return rc;
}

static int apply(struct gen *g, const struct act *a)
{
	switch (a->type) {
	case A_EV_DOWN:
	case A_EV_UP: return do_event(g, a);
	case A_FLAP: return do_flap(g, a);
	case A_FLAP_UP: return do_flap_up(g, a);
	case A_PATH: return do_path(g, a);
	case A_BURST: return do_burst(g, a);
	default: return do_session(g, a);
	}
}

/* -------------------------------------------------------------- files */

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
	g->list = calloc(w->npfx ? w->npfx : 1, sizeof(*g->list));
	if (!g->rt || !g->up || !g->busy || !g->quiet || !g->list)
		return DW_ENOMEM;
	for (size_t k = 0; k < np; k++) {
		g->up[k] = 1;
		for (size_t i = 0; i < w->npfx; i++) {
			struct dw_sim_route *r = route(g, k, i);
			if (!carried(g, k, i))
				continue;
			r->present = 1;
			r->variant =
				(uint8_t)dw_sim_rng_below(&g->rng, c->variants);
			r->since = (uint32_t)(t0 - 1 -
					      dw_sim_rng_below(&g->rng,
							       30 * 86400));
		}
		if (c->flaps_per_hour > 0)
			TRY(push(g,
				 t0 + (int64_t)dw_sim_rng_gap(
					      &g->rng, c->flaps_per_hour),
				 A_FLAP, (uint16_t)k, 0, 0));
		if (c->path_changes_per_hour > 0)
			TRY(push(g,
				 t0 + (int64_t)dw_sim_rng_gap(
					      &g->rng,
					      c->path_changes_per_hour),
				 A_PATH, (uint16_t)k, 0, 0));
		if (c->path_bursts_per_day > 0)
			TRY(push(g,
				 t0 + (int64_t)dw_sim_rng_gap(
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
			uint8_t hunt = dw_sim_rng_unit(&g->rng) <
				       c->path_hunting;
			TRY(push(g,
				 e->start +
					 dw_sim_rng_below(&g->rng,
							  c->propagation + 1),
				 A_EV_DOWN, (uint16_t)k, (uint32_t)ev, hunt));
			TRY(push(g,
				 e->end + dw_sim_rng_below(&g->rng,
							   c->propagation + 1),
				 A_EV_UP, (uint16_t)k, (uint32_t)ev, 0));
		}
	}
	g->nquiet = nq;
fail:
	return rc;
}

static void teardown(struct gen *g)
{
	dw_sim_emit_free(g->out);
	free(g->list);
	free(g->quiet);
	free(g->busy);
	free(g->up);
	free(g->rt);
	free(g->heap);
}

int dw_sim_gen_run(const struct dw_sim_world *w,
		   const struct dw_sim_timeline *t,
		   const struct dw_sim_gen_conf *conf,
		   struct dw_sim_out_stats *stats, char *err, size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	int64_t t0 = sc->start - sc->start % RIB_EVERY, stop, s;
	struct gen g;
	int rc;

	memset(&g, 0, sizeof(g));
	memset(stats, 0, sizeof(*stats));
	if (errlen)
		err[0] = 0;
	g.w = w;
	g.tl = t;
	g.sc = sc;
	dw_sim_rng_seed(&g.rng, conf->seed);
	stop = conf->out_until < sc->end ? conf->out_until : sc->end;
	if ((rc = setup(&g, t0)) ||
	    (rc = dw_sim_emit_new(w, g.rt, conf->archive_dir, stats, err,
				  errlen, &g.out))) {
		snprintf(err, errlen,
			 "out of memory setting up the simulation");
		goto fail;
	}
	for (s = t0; s < stop; s += SLOT) {
		if (s >= conf->out_from) {
			if (s % RIB_EVERY == 0)
				TRY(dw_sim_emit_ribs(g.out, s));
			TRY(dw_sim_emit_open(g.out, s));
		}
		while (g.nheap && g.heap[0].t < s + SLOT) {
			struct act a = pop(&g);
			TRY(apply(&g, &a));
		}
		TRY(dw_sim_emit_close(g.out));
		if (conf->progress)
			conf->progress(
				conf->progress_ctx,
				(uint64_t)((s - t0) / SLOT + 1),
				(uint64_t)((stop - t0 + SLOT - 1) / SLOT));
	}
fail:
	if (rc && errlen && !err[0])
		snprintf(err, errlen, "%s", dw_strerror(rc));
	teardown(&g);
	return rc;
}
