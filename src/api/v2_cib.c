/*
 * v2_cib.c - /v2/cib/runs, /v2/cib/networks, /v2/cib/networks/{id} and
 * /v2/cib/accounts/{name}: what `darkwatch cib detect` found (coordinated
 * account networks, docs/CIB.md), in the same envelope, paging, CSV and
 * error conventions as the rest of /v2 (docs/API.md).
 *
 * Part of the API (src/api/); the SQL is in src/store/cib_query.c.
 * Key decisions:
 *  - Without run= every endpoint shows the latest *finished* run, so a
 *    detection in progress never shows half its networks.  An unknown run
 *    or network, or an unfinished run asked for by number, is a 404 with a
 *    JSON error; a store with no run at all gives an empty list (the
 *    dashboard works on stores holding only outage data).
 *  - JSON columns (params, stats, indicators, top) are sent parsed; a
 *    value that does not parse becomes {} or [] rather than a failure.
 *  - One network's detail is bounded (members, edges, evidence each up to
 *    a cap, strongest first) and says how many there are in all, so one
 *    request never grows with the size of the largest network.
 */
#include "api/api_int.h"
#include "common/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/api.h"
#include "darkwatch/cib.h"
#include "darkwatch/cib_query.h"
#include "darkwatch/err.h"

#define RUN_MAX 9007199254740991LL /* 2^53 - 1: exact in JSON clients */
#define ID_MAX 2147483647LL
#define NAME_MAX_BYTES 1024        /* account names (DW_STORE_TEXT_MAX) */
#define MEMBERS_MAX 5000
#define EDGES_MAX 20000
#define EVIDENCE_MAX 10000

#define NTRACES DW_CIB__NTRACE

/* enum dw_cib_trace's name (as cib_network.traces stores them). */
static const char *trace_name(int t)
{
	const char *n = dw_cib_trace_name(t);
	return n ? n : "unknown";
}

/* ---- shared pieces ---- */

/* A stored JSON text parsed, or a fresh empty array/object when it does
 * not parse to the expected type. */
static json_t *stored_json(const char *text, int want_array)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

	if (v && (want_array ? json_is_array(v) : json_is_object(v)))
		return v;
	json_decref(v);
	return want_array ? json_array() : json_object();
}

/* Trace list text to a JSON array of names: "retweet,url" as stored, or
 * (tolerated) a bit mask of enum dw_cib_trace. */
static json_t *traces_json(const char *s)
{
	json_t *a = json_array();
	const char *p = s;

	if (!a || !s)
		return a;
	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10) {
		long mask = strtol(s, NULL, 10);
		for (size_t i = 0; i < NTRACES; i++)
			if ((mask >> i) & 1)
				json_array_append_new(a, json_string(trace_name((int)i)));
		return a;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		while (n && (*p == ' ')) {
			p++;
			n--;
		}
		json_t *v = n ? json_stringn(p, n) : NULL; /* NULL: not UTF-8 */
		if (v && json_array_append_new(a, v) < 0) {
			json_decref(a);
			return NULL;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

/* Text from the store as a JSON string; bytes that are not UTF-8 (json_string
 * refuses them) become U+FFFD, so one odd name never fails a request. */
static json_t *jstr(const char *s)
{
	json_t *v;
	char *fix;
	size_t n, k = 0;

	if (!s)
		return json_null();
	if ((v = json_string(s)))
		return v;
	n = strlen(s);
	if (!(fix = malloc(3 * n + 1)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			fix[k++] = (char)c;
		} else {
			fix[k++] = (char)0xef;
			fix[k++] = (char)0xbf;
			fix[k++] = (char)0xbd;
		}
	}
	fix[k] = 0;
	v = json_string(fix);
	free(fix);
	return v;
}

static json_t *opt_time(int has, int64_t t)
{
	return has ? json_integer(t) : json_null();
}

/* A 404 with a JSON error saying what is missing. */
__attribute__((format(printf, 2, 3))) static int
not_found(struct dw_api_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->status = 404;
	return -ENOENT;
}

/*
 * run=: the run to show in *run (0 when there is none).  An explicit run
 * must exist and have finished (else 404); without it, the latest finished
 * run or 0.
 */
static int pick_run(struct dw_api_req *r, int64_t *run)
{
	struct dw_cibq_run info;
	int64_t want;
	int rc;

	*run = 0;
	if ((rc = dw_params_int(r->p, "run", 1, RUN_MAX, 0, &want)) < 0)
		return rc;
	if ((rc = dw_cibq_pick_run(r->store, want, &info)) < 0)
		return rc;
	if (!rc)
		return want ? not_found(r, "no detection run %lld in this store",
					(long long)want) : 0;
	if (!info.done)
		return not_found(r, "detection run %lld has not finished "
				 "(still running, or interrupted)",
				 (long long)want);
	*run = info.id;
	return 0;
}

/* The network fields shared by the list and the detail. */
static json_t *network_json(const struct dw_cibq_network *n)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (dw_api_set(o, "run", json_integer(n->run)) < 0 ||
	    dw_api_set(o, "id", json_integer(n->id)) < 0 ||
	    dw_api_set(o, "size", json_integer(n->size)) < 0 ||
	    dw_api_set(o, "score", dw_api_num(n->score)) < 0 ||
	    dw_api_set(o, "from", opt_time(n->has_first, n->first_t)) < 0 ||
	    dw_api_set(o, "until", opt_time(n->has_last, n->last_t)) < 0 ||
	    dw_api_set(o, "traces", traces_json(n->traces)) < 0 ||
	    dw_api_set(o, "indicators", stored_json(n->indicators, 1)) < 0 ||
	    dw_api_set(o, "top", stored_json(n->top, 0)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- /v2/cib/runs ---- */

static int run_row(void *ctx, const struct dw_cibq_run *x)
{
	struct dw_api_req *r = ctx;
	struct dw_buf *b = &r->out;
	json_t *o;
	int rc;

	if (r->csv) {
		if ((rc = dw_api_csv_int(b, x->id)) < 0 ||
		    (rc = dw_api_csv_int(b, x->started)) < 0 ||
		    (rc = x->done ? dw_api_csv_int(b, x->finished)
				  : dw_api_csv_null(b)) < 0 ||
		    (rc = dw_api_csv_text(b, x->params)) < 0 ||
		    (rc = dw_api_csv_text(b, x->stats)) < 0)
			return rc;
		return dw_api_csv_end(b);
	}
	if (!(o = json_object()) ||
	    dw_api_set(o, "id", json_integer(x->id)) < 0 ||
	    dw_api_set(o, "started", json_integer(x->started)) < 0 ||
	    dw_api_set(o, "finished", opt_time(x->done, x->finished)) < 0 ||
	    dw_api_set(o, "params", stored_json(x->params, 0)) < 0 ||
	    dw_api_set(o, "stats", stored_json(x->stats, 0)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(r->data, o);
}

int dw_api_cib_runs(struct dw_api_req *r)
{
	static const char *const cols[] = {"id", "started", "finished",
					   "params", "stats", NULL};
	int64_t limit, page;
	int rc, fmt;

	if ((rc = dw_params_int(r->p, "limit", 1, DW_API_LIMIT_MAX, 100,
				&limit)) < 0 ||
	    (rc = dw_params_int(r->p, "page", 0, 1000000, 0, &page)) < 0 ||
	    (rc = dw_api_format(r, NULL, 0, &fmt)) < 0)
		return rc;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	rc = dw_cibq_runs(r->store, limit, page * limit, run_row, r, &r->total);
	return rc < 0 ? rc : 0;
}

/* ---- /v2/cib/networks ---- */

static const char *const orders[] = {
	"score", "score/desc", "score/asc", "size", "size/desc", "size/asc",
	"first", "first/asc", "first/desc", "last", "last/desc", "last/asc"};
static const enum dw_cibq_order order_of[] = {
	DW_CIBQ_SCORE_DESC, DW_CIBQ_SCORE_DESC, DW_CIBQ_SCORE_ASC,
	DW_CIBQ_SIZE_DESC, DW_CIBQ_SIZE_DESC, DW_CIBQ_SIZE_ASC,
	DW_CIBQ_FIRST_ASC, DW_CIBQ_FIRST_ASC, DW_CIBQ_FIRST_DESC,
	DW_CIBQ_LAST_DESC, DW_CIBQ_LAST_DESC, DW_CIBQ_LAST_ASC};

static int indicator_names(struct dw_buf *b, const char *text)
{
	json_t *a = stored_json(text, 1), *v;
	struct dw_buf tmp;
	size_t i;
	int rc = 0, any = 0;

	dw_buf_init(&tmp, 1u << 20);
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(json_object_get(v, "indicator"));
		if (!s)
			continue;
		if ((any && (rc = dw_buf_put_u8(&tmp, ';')) < 0) ||
		    (rc = dw_buf_put_bytes(&tmp, s, strlen(s))) < 0)
			break;
		any = 1;
	}
	if (rc >= 0 && (rc = dw_buf_put_u8(&tmp, 0)) >= 0)
		rc = dw_api_csv_text(b, (const char *)dw_buf_data(&tmp));
	dw_buf_free(&tmp);
	json_decref(a);
	return rc;
}

static int network_row(void *ctx, const struct dw_cibq_network *n)
{
	struct dw_api_req *r = ctx;
	struct dw_buf *b = &r->out;
	int rc;

	if (!r->csv)
		return dw_api_push(r->data, network_json(n));
	if ((rc = dw_api_csv_int(b, n->run)) < 0 ||
	    (rc = dw_api_csv_int(b, n->id)) < 0 ||
	    (rc = dw_api_csv_int(b, n->size)) < 0 ||
	    (rc = dw_api_csv_num(b, n->score)) < 0 ||
	    (rc = n->has_first ? dw_api_csv_int(b, n->first_t)
			       : dw_api_csv_null(b)) < 0 ||
	    (rc = n->has_last ? dw_api_csv_int(b, n->last_t)
			      : dw_api_csv_null(b)) < 0 ||
	    (rc = dw_api_csv_text(b, n->traces)) < 0 ||
	    (rc = indicator_names(b, n->indicators)) < 0)
		return rc;
	return dw_api_csv_end(b);
}

int dw_api_cib_networks(struct dw_api_req *r)
{
	static const char *const cols[] = {"run", "id", "size", "score", "from",
					   "until", "traces", "indicators", NULL};
	const char *traces[NTRACES];
	struct dw_cibq_filter f = {0};
	int64_t page;
	int rc, fmt, ord, ind;

	if ((rc = dw_params_int(r->p, "limit", 1, DW_API_LIMIT_MAX, 100,
				&f.limit)) < 0 ||
	    (rc = dw_params_int(r->p, "page", 0, 1000000, 0, &page)) < 0 ||
	    (rc = dw_params_choice(r->p, "orderBy", orders,
				   sizeof(orders) / sizeof(orders[0]), 0,
				   &ord)) < 0 ||
	    (rc = dw_params_int(r->p, "minSize", 1, 1000000000, 1,
				&f.min_size)) < 0 ||
	    (rc = dw_params_list(r->p, "trace", 1, traces, NTRACES,
				 &f.ntraces)) < 0)
		return rc;
	for (size_t i = 0; i < f.ntraces; i++) {
		if (dw_cib_trace_parse(traces[i]) < 0)
			return dw_params_fail(r->p, "trace", "must be retweet, "
					      "url, domain, hashtag, image or "
					      "text (or a comma-separated list)");
	}
	if (dw_params_get(r->p, "indicator")) {
		if ((rc = dw_params_bool(r->p, "indicator", 0, &ind)) < 0)
			return rc;
		f.indicator = ind;
	} else {
		f.indicator = -1;
	}
	if ((rc = dw_api_format(r, NULL, 0, &fmt)) < 0 ||
	    (rc = pick_run(r, &f.run)) < 0)
		return rc;
	f.order = order_of[ord];
	f.offset = page * f.limit;
	f.traces = traces;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	r->total = 0;
	if (!f.run)
		return 0;
	rc = dw_cibq_networks(r->store, &f, network_row, r, &r->total);
	return rc < 0 ? rc : 0;
}

/* ---- /v2/cib/networks/{id} ---- */

static int one_network(void *ctx, const struct dw_cibq_network *n)
{
	json_t **out = ctx;
	return (*out = network_json(n)) ? 0 : DW_ENOMEM;
}

static int member_row(void *ctx, const struct dw_cibq_member *m)
{
	json_t *o = json_object();

	if (!o || dw_api_set(o, "id", json_integer(m->account)) < 0 ||
	    dw_api_set(o, "name", jstr(m->name)) < 0 ||
	    dw_api_set(o, "strength", dw_api_num(m->strength)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(ctx, o);
}

static int edge_row(void *ctx, const struct dw_cibq_edge *e)
{
	json_t *o = json_object();

	if (!o || dw_api_set(o, "a", json_integer(e->a)) < 0 ||
	    dw_api_set(o, "b", json_integer(e->b)) < 0 ||
	    dw_api_set(o, "aName", jstr(e->a_name)) < 0 ||
	    dw_api_set(o, "bName", jstr(e->b_name)) < 0 ||
	    dw_api_set(o, "weight", dw_api_num(e->weight)) < 0 ||
	    dw_api_set(o, "shared", json_integer(e->shared)) < 0 ||
	    dw_api_set(o, "traces", traces_json(e->traces)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(ctx, o);
}

static int evidence_row(void *ctx, const struct dw_cibq_evidence *e)
{
	json_t *o = json_object();
	int64_t d = e->tb - e->ta;

	if (!o || dw_api_set(o, "trace", json_string(trace_name(e->trace))) < 0 ||
	    dw_api_set(o, "objectId", json_integer(e->object)) < 0 ||
	    dw_api_set(o, "object", jstr(e->key)) < 0 ||
	    dw_api_set(o, "text", jstr(e->text)) < 0 ||
	    dw_api_set(o, "a", json_integer(e->a)) < 0 ||
	    dw_api_set(o, "b", json_integer(e->b)) < 0 ||
	    dw_api_set(o, "aName", jstr(e->a_name)) < 0 ||
	    dw_api_set(o, "bName", jstr(e->b_name)) < 0 ||
	    dw_api_set(o, "ta", json_integer(e->ta)) < 0 ||
	    dw_api_set(o, "tb", json_integer(e->tb)) < 0 ||
	    dw_api_set(o, "seconds", json_integer(d < 0 ? -d : d)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(ctx, o);
}

/* A path number 1..max ("12"), or -1. */
static int64_t path_id(const char *s, int64_t max)
{
	int64_t v = 0;

	if (!*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	return v >= 1 && v <= max ? v : -1;
}

/* Append list (members, edges, evidence) and its total to o. */
static int attach(json_t *o, const char *name, const char *total_name,
		  json_t *list, int64_t total)
{
	int rc;
	if ((rc = dw_api_set(o, name, list)) < 0)
		return rc;
	return dw_api_set(o, total_name, json_integer(total));
}

int dw_api_cib_network(struct dw_api_req *r)
{
	json_t *o = NULL, *members = NULL, *edges = NULL, *evidence = NULL;
	int64_t id = path_id(r->rest, ID_MAX), run, nm = 0, ne = 0, nv = 0;
	int rc;

	if (id < 0)
		return dw_params_fail(r->p, "id", "must be a network number "
				      "(1, 2, ...) as /v2/cib/networks lists");
	if ((rc = pick_run(r, &run)) < 0)
		return rc;
	if (!run)
		return not_found(r, "no finished detection run in this store "
				 "(network %lld)", (long long)id);
	if ((rc = dw_cibq_network(r->store, run, id, one_network, &o)) < 0)
		goto fail;
	if (!rc)
		return not_found(r, "no network %lld in this run", (long long)id);
	if (!(members = json_array()) || !(edges = json_array()) ||
	    !(evidence = json_array())) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if ((rc = dw_cibq_members(r->store, run, id, MEMBERS_MAX, member_row,
				  members, &nm)) < 0 ||
	    (rc = dw_cibq_edges(r->store, run, id, EDGES_MAX, edge_row, edges,
				&ne)) < 0 ||
	    (rc = dw_cibq_evidence(r->store, run, id, EVIDENCE_MAX,
				   evidence_row, evidence, &nv)) < 0)
		goto fail;
	rc = attach(o, "members", "membersTotal", members, nm);
	members = NULL;
	if (rc < 0)
		goto fail;
	rc = attach(o, "edges", "edgesTotal", edges, ne);
	edges = NULL;
	if (rc < 0)
		goto fail;
	rc = attach(o, "evidence", "evidenceTotal", evidence, nv);
	evidence = NULL;
	if (rc < 0)
		goto fail;
	r->data = o;
	return 0;
fail:
	json_decref(evidence);
	json_decref(edges);
	json_decref(members);
	json_decref(o);
	return rc;
}

/* ---- /v2/cib/accounts/{name} ---- */

static int membership_row(void *ctx, const struct dw_cibq_membership *m)
{
	json_t *o = json_object();

	if (!o || dw_api_set(o, "id", json_integer(m->network)) < 0 ||
	    dw_api_set(o, "size", json_integer(m->size)) < 0 ||
	    dw_api_set(o, "score", dw_api_num(m->score)) < 0 ||
	    dw_api_set(o, "strength", dw_api_num(m->strength)) < 0 ||
	    dw_api_set(o, "from", opt_time(m->has_first, m->first_t)) < 0 ||
	    dw_api_set(o, "until", opt_time(m->has_last, m->last_t)) < 0 ||
	    dw_api_set(o, "traces", traces_json(m->traces)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(ctx, o);
}

int dw_api_cib_account(struct dw_api_req *r)
{
	const char *name = r->rest;
	size_t n = strnlen(name, NAME_MAX_BYTES + 1);
	json_t *o = NULL, *acc = NULL, *nets = NULL;
	int64_t run, account;
	int rc;

	if (!n || n > NAME_MAX_BYTES || !dw_utf8_text_ok(name, n))
		return dw_params_fail(r->p, "name", "must be 1 to %d bytes of "
				      "UTF-8 text without control characters",
				      NAME_MAX_BYTES);
	if ((rc = pick_run(r, &run)) < 0)
		return rc;
	if ((rc = dw_cibq_account(r->store, name, &account)) < 0)
		return rc;
	if (!rc) {
		r->status = 404;
		snprintf(r->msg, sizeof(r->msg), "no account of that name in "
			 "this store");
		return -ENOENT;
	}
	if (!(o = json_object()) || !(acc = json_object()) ||
	    !(nets = json_array()) ||
	    dw_api_set(acc, "id", json_integer(account)) < 0 ||
	    dw_api_set(acc, "name", jstr(name)) < 0) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if (run && (rc = dw_cibq_memberships(r->store, run, account,
					     membership_row, nets)) < 0)
		goto fail;
	rc = dw_api_set(o, "account", acc);
	acc = NULL;
	if (rc < 0 || (rc = dw_api_set(o, "run", run ? json_integer(run)
						      : json_null())) < 0)
		goto fail;
	rc = dw_api_set(o, "networks", nets);
	nets = NULL;
	if (rc < 0)
		goto fail;
	r->data = o;
	return 0;
fail:
	json_decref(nets);
	json_decref(acc);
	json_decref(o);
	return rc;
}
