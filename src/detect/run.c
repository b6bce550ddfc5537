/*
 * run.c - detection over the store: series -> detectors -> alert, event,
 * detect_state rows; then the per-entity "overall" events.
 *
 * Key decisions:
 *  - The saved state of a (series, method) is the event tracker followed
 *    by the detector's bytes, written in the same transaction as the rows
 *    they produced: state and rows never disagree after a kill.
 *  - Rows written: every non-normal alert, the normal alert that closes a
 *    run, and the series' event upserted at each of its bins (so an open
 *    event is visible with its score so far).  A retraction (a run judged
 *    a level shift) deletes the run's alerts and its event.
 *  - Batch mode always replays the series from its first point, so its
 *    result is the incremental result, bin for bin; only the writes are
 *    limited to [from, until).
 *  - Overall events are recomputed whole for each entity whose events
 *    changed, right after its last series (series come grouped by
 *    entity) and in the same transaction: cheap (a handful of rows),
 *    trivially idempotent, and never behind after a kill.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/detect_run.h"
#include "darkwatch/err.h"

struct ser {
	int64_t id, entity_id, step;
	char *ds, *sub, *etype, *ecode;
};

struct serlist {
	struct ser *v;
	size_t n, cap;
	const char *only_ds;
	int all_subtypes;
	int err;
};

struct pts {
	int64_t *t;
	double *v;
	size_t n, cap;
};

struct ctx {
	struct dw_store *s;
	const struct ser *se;
	const char *method;
	struct dw_event_state ev;
	int64_t from, until; /* writes limited to this range */
	int64_t now;         /* the bin being pushed */
	int changed;
	uint64_t rows, alerts, retracted;
};

static int add_series(void *c, const struct dw_store_series_row *r)
{
	struct serlist *l = c;
	if (l->only_ds && strcmp(l->only_ds, r->datasource))
		return 0;
	/* Other subtypes (BGP's other visibility levels, probing vantages)
	 * are the same signal again: detected only on request. */
	if (*r->subtype && !l->all_subtypes)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ser *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return DW_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	struct ser *s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	s->id = r->id;
	s->entity_id = r->entity_id;
	s->step = r->step;
	s->ds = strdup(r->datasource);
	s->sub = strdup(r->subtype);
	s->etype = strdup(r->entity_type);
	s->ecode = strdup(r->entity_code);
	l->n++;
	if (!s->ds || !s->sub || !s->etype || !s->ecode)
		return DW_ENOMEM;
	return 0;
}

static void serlist_free(struct serlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].ds);
		free(l->v[i].sub);
		free(l->v[i].etype);
		free(l->v[i].ecode);
	}
	free(l->v);
}

static int add_point(void *c, int64_t t, double v)
{
	struct pts *p = c;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		int64_t *nt = realloc(p->t, cap * sizeof(*nt));
		if (!nt)
			return DW_ENOMEM;
		p->t = nt;
		double *nv = realloc(p->v, cap * sizeof(*nv));
		if (!nv)
			return DW_ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->t[p->n] = t;
	p->v[p->n++] = v;
	return 0;
}

static int put_event(struct ctx *c, int64_t t_end)
{
	c->changed = 1;
	c->rows++;
	return dw_store_event_put(c->s, c->se->entity_id, c->se->ds, c->se->sub,
				  c->method, c->ev.t_start, t_end, c->ev.score,
				  c->ev.max_drop);
}

static int on_alert(void *p, const struct dw_alert *a)
{
	struct ctx *c = p;
	int r = dw_event_feed(&c->ev, a, c->se->step), rc;

	if (!r || a->t < c->from)
		return 0;
	if (a->t < c->until) {
		if ((rc = dw_store_alert_put(c->s, c->se->id, c->method, a->t,
					     a->level, a->value, a->history,
					     a->condition)) < 0)
			return rc;
		c->alerts++;
		c->rows++;
	}
	/* an event begun in the range is written to its end */
	if (c->ev.t_start >= c->until)
		return 0;
	return put_event(c, r == 3 ? a->t : DW_STORE_OPEN);
}

static int on_retract(void *p, int64_t t0)
{
	struct ctx *c = p;
	int rc;

	c->retracted++;
	c->changed = 1;
	if ((rc = dw_store_alert_delete(c->s, c->se->id, c->method, t0,
					c->now + 1)) < 0)
		return rc;
	if (c->ev.open && (rc = dw_store_event_delete(c->s, c->se->entity_id,
						      c->se->ds, c->se->sub, c->method,
						      c->ev.t_start,
						      c->ev.t_start + 1)) < 0)
		return rc;
	memset(&c->ev, 0, sizeof(c->ev));
	return 0;
}

static int save_state(struct ctx *c, const struct dw_detector *d)
{
	unsigned char *b = NULL, *all = NULL;
	size_t n = 0;
	int rc;

	if ((rc = dw_detector_save(d, &b, &n)) < 0)
		return rc;
	if (!(all = malloc(sizeof(c->ev) + n))) {
		free(b);
		return DW_ENOMEM;
	}
	memcpy(all, &c->ev, sizeof(c->ev));
	memcpy(all + sizeof(c->ev), b, n);
	rc = dw_store_state_put(c->s, c->se->id, c->method, dw_detector_last_t(d),
				all, sizeof(c->ev) + n);
	free(b);
	free(all);
	return rc;
}

/* Restore (series, method) from its saved state: 1 restored, 0 start afresh. */
static int load_state(struct ctx *c, struct dw_detector *d)
{
	unsigned char *b = NULL;
	size_t n = 0;
	int64_t last;
	int rc = dw_store_state_get(c->s, c->se->id, c->method, &last, &b, &n);

	if (rc == 1) {
		if (n < sizeof(c->ev) ||
		    dw_detector_load(d, b + sizeof(c->ev), n - sizeof(c->ev)) < 0)
			rc = 0;
		else
			memcpy(&c->ev, b, sizeof(c->ev));
	}
	free(b);
	return rc;
}

/* One (series, method). */
static int run_one(struct ctx *c, const struct dw_detect_params *p, int method,
		   const struct dw_detect_run_opts *o, struct pts *pts,
		   struct dw_detect_run_stats *st)
{
	const struct ser *se = c->se;
	struct dw_detector *d = NULL;
	struct dw_detect_sink sink = {on_alert, on_retract, c};
	int64_t after = INT64_MIN;
	int rc, restored = 0;

	memset(&c->ev, 0, sizeof(c->ev));
	c->from = INT64_MIN;
	c->until = INT64_MAX;
	if ((rc = dw_detector_new(method, p, c->se->step, &d)) < 0)
		return rc;
	if (!o->batch) {
		if ((rc = load_state(c, d)) < 0)
			goto out;
		restored = rc;
		if (restored)
			after = dw_detector_last_t(d);
		else
			st->state_reset++;
	} else {
		c->from = o->from;
		c->until = o->until;
	}
	if (!restored) {
		/* recompute: clear what the range will rewrite */
		int64_t f = o->batch ? o->from : INT64_MIN;
		int64_t u = o->batch ? o->until : INT64_MAX;
		if ((rc = dw_store_alert_delete(c->s, c->se->id, c->method, f, u)) < 0 ||
		    (rc = dw_store_event_delete(c->s, c->se->entity_id, c->se->ds,
						c->se->sub, c->method, f, u)) < 0)
			goto out;
		c->changed = 1;
	}
	/* only the bins the detector has not seen */
	pts->n = 0;
	if ((rc = dw_store_query_points(c->s, se->ds, se->etype, se->ecode, se->sub,
					after == INT64_MIN ? INT64_MIN : after + 1,
					INT64_MAX, add_point, pts)) < 0)
		goto out;
	for (size_t i = 0; i < pts->n; i++) {
		c->now = pts->t[i];
		if ((rc = dw_detector_push(d, pts->t[i], pts->v[i], &sink)) < 0)
			goto out;
		st->points++;
	}
	rc = save_state(c, d);
out:
	dw_detector_free(d);
	return rc;
}

/*
 * A series that is not detected (direction none): drop whatever an
 * earlier run or configuration wrote for it, so its events do not linger.
 */
static int forget_one(struct ctx *c)
{
	int rc;
	int64_t n = 0;
	unsigned char *b = NULL;
	size_t len = 0;

	if ((rc = dw_store_state_get(c->s, c->se->id, c->method, &n, &b,
				     &len)) <= 0)
		return rc; /* never detected, or already forgotten */
	free(b);
	c->changed = 1;
	if ((rc = dw_store_alert_delete(c->s, c->se->id, c->method, INT64_MIN,
					INT64_MAX)) < 0 ||
	    (rc = dw_store_event_delete(c->s, c->se->entity_id, c->se->ds,
					c->se->sub, c->method, INT64_MIN,
					INT64_MAX)) < 0)
		return rc;
	return dw_store_state_delete(c->s, c->se->id, c->method);
}

/* 1 if s ends with suffix */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/*
 * Which events make the overall one: each datasource's main series only
 * (subtype ""; BGP's other visibility levels are the same signal again,
 * and a product over them would count it five times), and not the
 * probing loss and latency series (not outage signals when they drop).
 */
static int overall_member(const struct dw_store_event_row *e)
{
	return !*e->subtype && !ends_with(e->datasource, "-loss") &&
	       !ends_with(e->datasource, "-latency");
}

static int collect(void *p, const struct dw_store_event_row *e)
{
	struct {
		struct dw_store_event_row *v;
		char (*key)[140];
		size_t n, cap;
	} *l = p;
	if (!overall_member(e))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (!v)
			return DW_ENOMEM;
		l->v = v;
		v = realloc(l->key, cap * sizeof(*l->key));
		if (!v)
			return DW_ENOMEM;
		l->key = v;
		l->cap = cap;
	}
	l->v[l->n] = *e;
	snprintf(l->key[l->n], sizeof(l->key[0]), "%s/%s", e->datasource, e->subtype);
	l->n++;
	return 0;
}

static int64_t end_of(int64_t t_end)
{
	return t_end == DW_STORE_OPEN ? INT64_MAX : t_end;
}

/*
 * Rebuild the overall events of (entity, method): clusters of overlapping
 * events of its series; score = product over series of their summed
 * scores in the cluster, max_drop = the largest.
 */
static int overall(struct dw_store *s, int64_t entity_id, const char *method,
		   uint64_t *nev)
{
	struct {
		struct dw_store_event_row *v;
		char (*key)[140];
		size_t n, cap;
	} l = {0};
	struct dw_store_event_filter f = {.entity_id = entity_id, .method = method,
					  .from = INT64_MIN, .until = INT64_MAX,
					  .exclude_overall = 1};
	int rc;

	if ((rc = dw_store_events(s, &f, collect, &l)) < 0)
		goto out;
	if ((rc = dw_store_event_delete(s, entity_id, "overall", "", method,
					INT64_MIN, INT64_MAX)) < 0)
		goto out;
	/* events come ordered by series then start; sort by start */
	for (size_t i = 1; i < l.n; i++)
		for (size_t j = i; j > 0 && l.v[j - 1].t_start > l.v[j].t_start; j--) {
			struct dw_store_event_row tv = l.v[j];
			char tk[140];
			l.v[j] = l.v[j - 1];
			l.v[j - 1] = tv;
			memcpy(tk, l.key[j], sizeof(tk));
			memcpy(l.key[j], l.key[j - 1], sizeof(tk));
			memcpy(l.key[j - 1], tk, sizeof(tk));
		}
	for (size_t i = 0; i < l.n;) {
		size_t j = i + 1;
		int64_t end = end_of(l.v[i].t_end);
		double maxd = l.v[i].max_drop, score = 1;
		while (j < l.n && l.v[j].t_start < end) {
			if (end_of(l.v[j].t_end) > end)
				end = end_of(l.v[j].t_end);
			if (l.v[j].max_drop > maxd)
				maxd = l.v[j].max_drop;
			j++;
		}
		/* product over series of each series' summed score */
		for (size_t a = i; a < j; a++) {
			int first = 1;
			for (size_t b = i; b < a; b++)
				if (!strcmp(l.key[a], l.key[b]))
					first = 0;
			if (!first)
				continue;
			double sum = 0;
			for (size_t b = a; b < j; b++)
				if (!strcmp(l.key[a], l.key[b]))
					sum += l.v[b].score;
			score *= sum;
		}
		if ((rc = dw_store_event_put(s, entity_id, "overall", "", method,
					     l.v[i].t_start,
					     end == INT64_MAX ? DW_STORE_OPEN : end,
					     score, maxd)) < 0)
			goto out;
		(*nev)++;
		i = j;
	}
	rc = 0;
out:
	free(l.v);
	free(l.key);
	return rc;
}

/* The overall events of entity e for the methods flagged in touched[]. */
static int flush_entity(struct dw_store *s, int64_t e, int touched[],
			uint64_t *nev)
{
	int rc = 0;
	for (int m = 0; m < DW_DETECT_NMETHODS && rc >= 0; m++)
		if (touched[m]) {
			rc = overall(s, e, dw_detect_method_name(m), nev);
			touched[m] = 0;
		}
	return rc;
}

int dw_detect_run(struct dw_store *s, const struct dw_detect_conf *conf,
		  const struct dw_detect_run_opts *o,
		  struct dw_detect_run_stats *st, char *msg, size_t msglen)
{
	struct serlist l = {.only_ds = o->datasource,
			    .all_subtypes = o->all_subtypes};
	struct pts pts = {0};
	int touched[DW_DETECT_NMETHODS] = {0};
	int64_t commit_rows = o->commit_rows > 0 ? o->commit_rows : 20000;
	uint64_t since_commit = 0;
	int rc, in_tx = 0;

	memset(st, 0, sizeof(*st));
	if (msglen)
		*msg = 0;
	if ((rc = dw_store_series_list(s, 0, 0, add_series, &l)) < 0)
		goto out;
	if ((rc = dw_store_begin(s)) < 0)
		goto out;
	in_tx = 1;
	/*
	 * Series come grouped by entity; an entity's overall events are rebuilt
	 * after its last series and committed with them, so a kill never leaves
	 * an entity's overall events behind its series' events.
	 */
	for (size_t i = 0; i < l.n; i++) {
		const struct ser *se = &l.v[i];
		struct dw_detect_params p;
		if (strcmp(se->ds, "overall")) {
			dw_detect_conf_get(conf, se->ds, &p);
			for (int m = 0; m < DW_DETECT_NMETHODS; m++) {
				if (o->method >= 0 && m != o->method)
					continue;
				struct ctx c = {.s = s, .se = se,
						.method = dw_detect_method_name(m)};
				if (p.direction == DW_DIRECTION_NONE)
					rc = forget_one(&c);
				else
					rc = run_one(&c, &p, m, o, &pts, st);
				if (rc < 0) {
					snprintf(msg, msglen, "%s %s/%s %s: %s", se->ds,
						 se->etype, se->ecode, c.method,
						 *dw_store_errmsg(s) ? dw_store_errmsg(s)
								     : dw_strerror(rc));
					goto out;
				}
				st->alerts += c.alerts;
				st->retracted += c.retracted;
				since_commit += c.rows;
				touched[m] |= c.changed;
			}
			st->series++;
		}
		if (i + 1 < l.n && l.v[i + 1].entity_id == se->entity_id)
			continue;
		if ((rc = flush_entity(s, se->entity_id, touched, &st->events)) < 0)
			goto out;
		if (since_commit >= (uint64_t)commit_rows) {
			if ((rc = dw_store_commit(s)) < 0 || (rc = dw_store_begin(s)) < 0)
				goto out;
			since_commit = 0;
		}
		if (o->progress)
			o->progress(o->ctx, i + 1, l.n);
	}
	rc = dw_store_commit(s);
	in_tx = rc < 0;
out:
	if (in_tx)
		dw_store_rollback(s);
	if (rc < 0 && msglen && !*msg)
		snprintf(msg, msglen, "%s", *dw_store_errmsg(s) ? dw_store_errmsg(s)
								: dw_strerror(rc));
	serlist_free(&l);
	free(pts.t);
	free(pts.v);
	return rc;
}
