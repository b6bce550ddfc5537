/*
 * v2_outages.c - /v2/outages/alerts, /v2/outages/events and
 * /v2/outages/summary: what the detectors (src/detect/) wrote, in IODA's
 * shapes (DOMAIN.md §5), as JSON or CSV.
 *
 * Part of the API (src/api/).  Key decisions:
 *  - events: `codf` is the default format as in IODA; `ioda` gives the
 *    entity objects.  An ongoing event (no end yet) ends at the request's
 *    `until` and says so (codf status 1, ioda `ongoing`).
 *  - summary scores one detection method (method=, default: the store's
 *    main method, see dw_query_default_method) so that two methods'
 *    events of one outage are not added up.  overall = the sum of the
 *    entity's overall events, or, when it has none in the window, its
 *    largest per-datasource score.
 */
#include "api/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/api.h"
#include "darkwatch/err.h"

#define EXTEND_DEFAULT 1209600 /* IODA's extendWindow: 14 days */
#define EVENT_ALERTS_MAX 10000

/* ---- alerts ---- */

static json_t *alert_json(const struct dw_query_alert *a, int with_entity)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (dw_api_set(o, "datasource", json_string(a->datasource)) < 0 ||
	    (with_entity && dw_api_set(o, "entity", dw_api_entity(&a->e)) < 0) ||
	    dw_api_set(o, "time", json_integer(a->t)) < 0 ||
	    dw_api_set(o, "level", json_string(dw_api_level(a->level))) < 0 ||
	    dw_api_set(o, "condition", json_string(a->condition)) < 0 ||
	    dw_api_set(o, "value", dw_api_num(a->value)) < 0 ||
	    dw_api_set(o, "historyValue", a->has_history
				? dw_api_num(a->history) : json_null()) < 0 ||
	    dw_api_set(o, "method", json_string(a->method)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int alert_row(void *ctx, const struct dw_query_alert *a)
{
	struct dw_api_req *r = ctx;
	struct dw_buf *b = &r->out;
	int rc;

	if (!r->csv)
		return dw_api_push(r->data, alert_json(a, 1));
	if ((rc = dw_api_csv_text(b, a->e.type)) < 0 ||
	    (rc = dw_api_csv_text(b, a->e.code)) < 0 ||
	    (rc = dw_api_csv_text(b, a->e.name ? a->e.name : a->e.code)) < 0 ||
	    (rc = dw_api_csv_text(b, a->datasource)) < 0 ||
	    (rc = dw_api_csv_text(b, a->method)) < 0 ||
	    (rc = dw_api_csv_int(b, a->t)) < 0 ||
	    (rc = dw_api_csv_text(b, dw_api_level(a->level))) < 0 ||
	    (rc = dw_api_csv_num(b, a->value)) < 0 ||
	    (rc = a->has_history ? dw_api_csv_num(b, a->history)
				 : dw_api_csv_null(b)) < 0 ||
	    (rc = dw_api_csv_text(b, a->condition)) < 0)
		return rc;
	return dw_api_csv_end(b);
}

int dw_api_alerts(struct dw_api_req *r)
{
	static const char *const cols[] = {
		"entity_type", "entity_code", "entity_name", "datasource",
		"method", "time", "level", "value", "history_value",
		"condition", NULL};
	struct dw_query_filter f;
	struct dw_api_lists l;
	int rc, fmt;

	if ((rc = dw_api_filter(r, &f, &l, DW_API_F_TIME | DW_API_F_PAGE |
				DW_API_F_DS | DW_API_F_METHOD | DW_API_F_SUBTYPE, 2000)) < 0 ||
	    (rc = dw_api_format(r, NULL, 0, &fmt)) < 0)
		return rc;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	rc = dw_query_alerts(r->store, &f, alert_row, r, &r->total);
	return rc < 0 ? rc : 0;
}

/* ---- events ---- */

enum { FMT_JSON, FMT_CSV, FMT_CODF, FMT_IODA };

struct ev_ctx {
	struct dw_api_req *r;
	int fmt, alerts;
	int64_t from, until;
	/* includeAlerts: events first, alerts after (no nested queries) */
	struct dw_query_event *evs;
	char **strs; /* copies of the events' strings, freed at the end */
	size_t n, cap;
};

static int64_t event_end(const struct ev_ctx *c, const struct dw_query_event *ev)
{
	if (!ev->open)
		return ev->t_end;
	return c->until > ev->t_start ? c->until : ev->t_start;
}

static json_t *event_json(const struct ev_ctx *c, const struct dw_query_event *ev)
{
	int64_t end = event_end(c, ev);
	json_t *o = json_object();
	char loc[400];
	int bad = !o;

	if (bad)
		return NULL;
	if (c->fmt == FMT_IODA) {
		bad = dw_api_set(o, "entity", dw_api_entity(&ev->e)) < 0 ||
		      dw_api_set(o, "from", json_integer(ev->t_start)) < 0 ||
		      dw_api_set(o, "until", json_integer(end)) < 0 ||
		      dw_api_set(o, "score", dw_api_num(ev->score)) < 0 ||
		      dw_api_set(o, "datasource", json_string(ev->datasource)) < 0 ||
		      dw_api_set(o, "method", json_string(ev->method)) < 0 ||
		      dw_api_set(o, "maxDrop", dw_api_num(ev->max_drop)) < 0 ||
		      dw_api_set(o, "ongoing", json_boolean(ev->open)) < 0;
	} else {
		snprintf(loc, sizeof(loc), "%s/%s", ev->e.type, ev->e.code);
		bad = dw_api_set(o, "location", json_string(loc)) < 0 ||
		      dw_api_set(o, "location_name", json_string(
				 ev->e.name ? ev->e.name : ev->e.code)) < 0 ||
		      dw_api_set(o, "start", json_integer(ev->t_start)) < 0 ||
		      dw_api_set(o, "duration", json_integer(end - ev->t_start)) < 0 ||
		      dw_api_set(o, "uncertainty", json_null()) < 0 ||
		      dw_api_set(o, "status", json_integer(ev->open ? 1 : 0)) < 0 ||
		      dw_api_set(o, "fraction", dw_api_num(ev->max_drop / 100)) < 0 ||
		      dw_api_set(o, "score", dw_api_num(ev->score)) < 0 ||
		      dw_api_set(o, "overlaps_window", json_boolean(
				 ev->t_start < c->from || end > c->until)) < 0 ||
		      dw_api_set(o, "method", json_string(ev->method)) < 0 ||
		      dw_api_set(o, "datasource", json_string(ev->datasource)) < 0;
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int event_csv(struct ev_ctx *c, const struct dw_query_event *ev)
{
	struct dw_buf *b = &c->r->out;
	int64_t end = event_end(c, ev);
	int rc;

	if ((rc = dw_api_csv_text(b, ev->e.type)) < 0 ||
	    (rc = dw_api_csv_text(b, ev->e.code)) < 0 ||
	    (rc = dw_api_csv_text(b, ev->e.name ? ev->e.name : ev->e.code)) < 0 ||
	    (rc = dw_api_csv_text(b, ev->datasource)) < 0 ||
	    (rc = dw_api_csv_text(b, ev->method)) < 0 ||
	    (rc = dw_api_csv_int(b, ev->t_start)) < 0 ||
	    (rc = dw_api_csv_int(b, end)) < 0 ||
	    (rc = dw_api_csv_int(b, end - ev->t_start)) < 0 ||
	    (rc = dw_api_csv_num(b, ev->score)) < 0 ||
	    (rc = dw_api_csv_num(b, ev->max_drop)) < 0 ||
	    (rc = dw_api_csv_int(b, ev->open)) < 0)
		return rc;
	return dw_api_csv_end(b);
}

static char *keep(struct ev_ctx *c, const char *s, size_t slot)
{
	return c->strs[slot] = strdup(s ? s : "");
}

/* Copy an event whose alerts are read after the event list is done. */
static int defer(struct ev_ctx *c, const struct dw_query_event *ev)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 64;
		struct dw_query_event *e = realloc(c->evs, ncap * sizeof(*e));
		if (!e)
			return DW_ENOMEM;
		c->evs = e;
		char **s = realloc(c->strs, ncap * 7 * sizeof(*s));
		if (!s)
			return DW_ENOMEM;
		c->strs = s;
		memset(c->strs + c->cap * 7, 0, (ncap - c->cap) * 7 * sizeof(*s));
		c->cap = ncap;
	}
	struct dw_query_event *d = &c->evs[c->n];
	size_t k = c->n * 7;
	*d = *ev;
	c->n++;
	d->e.type = keep(c, ev->e.type, k);
	d->e.code = keep(c, ev->e.code, k + 1);
	d->e.name = ev->e.name ? keep(c, ev->e.name, k + 2) : NULL;
	d->e.attrs = keep(c, ev->e.attrs, k + 3);
	d->datasource = keep(c, ev->datasource, k + 4);
	d->subtype = keep(c, ev->subtype, k + 5);
	d->method = keep(c, ev->method, k + 6);
	if (!d->e.type || !d->e.code || (ev->e.name && !d->e.name) ||
	    !d->e.attrs || !d->datasource || !d->subtype || !d->method)
		return DW_ENOMEM;
	return 0;
}

static int event_row(void *ctx, const struct dw_query_event *ev)
{
	struct ev_ctx *c = ctx;

	if (c->fmt == FMT_CSV)
		return event_csv(c, ev);
	if (c->alerts)
		return defer(c, ev);
	return dw_api_push(c->r->data, event_json(c, ev));
}

static int ev_alert_row(void *ctx, const struct dw_query_alert *a)
{
	return dw_api_push(ctx, alert_json(a, 0));
}

static int add_alerts(struct ev_ctx *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->n && rc >= 0; i++) {
		json_t *o = event_json(c, &c->evs[i]), *al = json_array();
		if (!o || !al || json_object_set_new(o, "alerts", al) < 0) {
			json_decref(o);
			return DW_ENOMEM;
		}
		if ((rc = dw_api_push(c->r->data, o)) < 0)
			break;
		rc = dw_query_event_alerts(c->r->store, &c->evs[i], c->until,
					   EVENT_ALERTS_MAX, ev_alert_row, al);
	}
	return rc < 0 ? rc : 0;
}

int dw_api_events(struct dw_api_req *r)
{
	static const char *const cols[] = {
		"entity_type", "entity_code", "entity_name", "datasource",
		"method", "from", "until", "duration", "score", "max_drop",
		"ongoing", NULL};
	static const char *const orders[] = {"time/asc", "time/desc",
					     "score/asc", "score/desc",
					     "start", "score"};
	static const enum dw_query_order omap[] = {
		DW_QUERY_TIME_ASC, DW_QUERY_TIME_DESC, DW_QUERY_SCORE_ASC,
		DW_QUERY_SCORE_DESC, DW_QUERY_TIME_ASC, DW_QUERY_SCORE_DESC};
	struct dw_query_filter f;
	struct dw_api_lists l;
	struct ev_ctx c = {r, 0, 0, 0, 0, NULL, NULL, 0, 0};
	int64_t extend;
	int rc, fmt, overall, order;

	if ((rc = dw_api_filter(r, &f, &l, DW_API_F_TIME | DW_API_F_PAGE |
				DW_API_F_DS | DW_API_F_METHOD | DW_API_F_SUBTYPE,
				DW_API_EVENTS_LIMIT)) < 0 ||
	    (rc = dw_params_choice(r->p, "format", (const char *const[]){
			"json", "csv", "codf", "ioda"}, 4, FMT_CODF, &fmt)) < 0 ||
	    (rc = dw_params_bool(r->p, "includeAlerts", 0, &c.alerts)) < 0 ||
	    (rc = dw_params_bool(r->p, "overall", 0, &overall)) < 0 ||
	    (rc = dw_params_choice(r->p, "orderBy", orders, 6, 0, &order)) < 0 ||
	    (rc = dw_params_int(r->p, "extendWindow", 0, 366 * 86400,
				EXTEND_DEFAULT, &extend)) < 0)
		return rc;
	c.fmt = fmt == FMT_JSON ? FMT_CODF : fmt;
	r->csv = fmt == FMT_CSV;
	c.from = f.from;
	c.until = f.until;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	rc = dw_query_events(r->store, &f, extend, overall, omap[order],
			     event_row, &c, &r->total);
	if (rc >= 0 && c.alerts && !r->csv)
		rc = add_alerts(&c);
	for (size_t i = 0; i < c.n * 7; i++)
		free(c.strs[i]);
	free(c.strs);
	free(c.evs);
	return rc < 0 ? rc : 0;
}

/* ---- summary ---- */

struct sum_ent {
	json_t *o;      /* the row, without scores.overall yet */
	json_t *scores;
	double overall, best;
	int has_overall;
	int64_t events, overall_events;
	char *code;     /* for a stable order among equal scores */
	char *type;
};

struct sum_ctx {
	struct dw_api_req *r;
	struct sum_ent *v;
	size_t n, cap;
	int64_t last_id;
};

static int sum_row(void *ctx, const struct dw_query_score *s)
{
	struct sum_ctx *c = ctx;
	struct sum_ent *e;

	if (!c->n || s->e.id != c->last_id) {
		if (c->n == c->cap) {
			size_t ncap = c->cap ? 2 * c->cap : 64;
			struct sum_ent *v = realloc(c->v, ncap * sizeof(*v));
			if (!v)
				return DW_ENOMEM;
			c->v = v;
			c->cap = ncap;
		}
		e = &c->v[c->n++];
		memset(e, 0, sizeof(*e));
		c->last_id = s->e.id;
		e->o = json_object();
		e->scores = json_object();
		e->code = strdup(s->e.code);
		e->type = strdup(s->e.type);
		if (!e->o || !e->scores || !e->code || !e->type ||
		    dw_api_set(e->o, "scores", json_incref(e->scores)) < 0 ||
		    dw_api_set(e->o, "entity", dw_api_entity(&s->e)) < 0)
			return DW_ENOMEM;
	}
	e = &c->v[c->n - 1];
	if (!strcmp(s->datasource, "overall")) {
		e->has_overall = 1;
		e->overall = s->score;
		e->overall_events = s->events;
		return 0;
	}
	if (s->score > e->best)
		e->best = s->score;
	e->events += s->events;
	return dw_api_set(e->scores, s->datasource, dw_api_num(s->score));
}

static int by_score_desc(const void *a, const void *b)
{
	const struct sum_ent *x = a, *y = b;
	if (x->overall != y->overall)
		return x->overall < y->overall ? 1 : -1;
	int t = strcmp(x->type, y->type);
	return t ? t : strcmp(x->code, y->code);
}

static int by_score_asc(const void *a, const void *b)
{
	const struct sum_ent *x = a, *y = b;
	if (x->overall != y->overall)
		return x->overall < y->overall ? -1 : 1;
	int t = strcmp(x->type, y->type);
	return t ? t : strcmp(x->code, y->code);
}

static int sum_out(struct sum_ctx *c, struct dw_query_filter *f)
{
	struct dw_api_req *r = c->r;
	int64_t end = f->limit > 0 ? f->offset + f->limit : (int64_t)c->n;
	int rc;

	for (size_t i = (size_t)f->offset; i < c->n && (int64_t)i < end; i++) {
		struct sum_ent *e = &c->v[i];
		json_t *ent = json_object_get(e->o, "entity");
		if (r->csv) {
			struct dw_buf *b = &r->out;
			if ((rc = dw_api_csv_text(b, e->type)) < 0 ||
			    (rc = dw_api_csv_text(b, e->code)) < 0 ||
			    (rc = dw_api_csv_text(b, json_string_value(
					json_object_get(ent, "name")))) < 0 ||
			    (rc = dw_api_csv_num(b, e->overall)) < 0 ||
			    (rc = dw_api_csv_int(b, e->events)) < 0)
				return rc;
			const char *k;
			json_t *v;
			char cell[400];
			size_t len = 0;
			cell[0] = 0;
			json_object_foreach(e->scores, k, v) {
				if (!strcmp(k, "overall"))
					continue;
				int w = snprintf(cell + len, sizeof(cell) - len,
						 "%s%s=%.6g", len ? ";" : "", k,
						 json_number_value(v));
				if (w < 0 || (size_t)w >= sizeof(cell) - len)
					break;
				len += (size_t)w;
			}
			if ((rc = dw_api_csv_text(b, cell)) < 0 ||
			    (rc = dw_api_csv_end(b)) < 0)
				return rc;
			continue;
		}
		if ((rc = dw_api_set(e->o, "event_cnt",
				     json_integer(e->events))) < 0 ||
		    (rc = dw_api_push(r->data, json_incref(e->o))) < 0)
			return rc;
	}
	return 0;
}

int dw_api_summary(struct dw_api_req *r)
{
	static const char *const cols[] = {"entity_type", "entity_code",
					   "entity_name", "overall_score",
					   "event_cnt", "scores", NULL};
	static const char *const orders[] = {"score/desc", "score/asc",
					     "score"};
	struct dw_query_filter f;
	struct dw_api_lists l;
	struct sum_ctx c = {r, NULL, 0, 0, 0};
	char method[DW_STORE_NAME_MAX + 1];
	const char *one[1] = {method};
	int64_t extend;
	int rc, fmt, order;

	if ((rc = dw_api_filter(r, &f, &l, DW_API_F_TIME | DW_API_F_PAGE |
				DW_API_F_DS | DW_API_F_METHOD | DW_API_F_SUBTYPE,
				DW_API_EVENTS_LIMIT)) < 0 ||
	    (rc = dw_api_format(r, NULL, 0, &fmt)) < 0 ||
	    (rc = dw_params_choice(r->p, "orderBy", orders, 3, 0, &order)) < 0 ||
	    (rc = dw_params_int(r->p, "extendWindow", 0, 366 * 86400,
				EXTEND_DEFAULT, &extend)) < 0)
		return rc;
	if (f.nmethods > 1)
		return dw_params_fail(r->p, "method", "summary scores one method");
	if (!f.nmethods) {
		if ((rc = dw_query_default_method(r->store, method,
						  sizeof(method))) < 0)
			return rc;
		if (rc > 0) {
			f.methods = one;
			f.nmethods = 1;
		}
	}
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	if ((rc = dw_query_scores(r->store, &f, extend, sum_row, &c)) < 0)
		goto out;
	for (size_t i = 0; i < c.n; i++) {
		struct sum_ent *e = &c.v[i];
		if (!e->has_overall)
			e->overall = e->best;
		if (!e->events)
			e->events = e->overall_events;
		if ((rc = dw_api_set(e->scores, "overall",
				     dw_api_num(e->overall))) < 0)
			goto out;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v),
		      order == 1 ? by_score_asc : by_score_desc);
	r->total = (int64_t)c.n;
	rc = sum_out(&c, &f);
out:
	for (size_t i = 0; i < c.n; i++) {
		json_decref(c.v[i].o);
		json_decref(c.v[i].scores);
		free(c.v[i].code);
		free(c.v[i].type);
	}
	free(c.v);
	return rc < 0 ? rc : 0;
}
