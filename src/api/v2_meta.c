/*
 * v2_meta.c - the /v2 endpoint table, and the endpoints about what the
 * store holds: entities/query, datasources, coverage, and the /v2 index.
 *
 * Part of the API (src/api/).  The table is the one list of endpoints and
 * of the parameters each knows: server.c builds cache keys and the
 * envelope's requestParameters from it, so a parameter missing here is
 * ignored like any unknown one.
 */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

#include "darkwatch/api.h"
#include "darkwatch/err.h"

static const char *const p_signals[] = {"from", "until", "datasource",
					"maxPoints", "subtype", NULL};
static const char *const p_alerts[] = {
	"from", "until", "entityType", "entityCode", "datasource", "limit",
	"page", "relatedTo", "ignoreMethods", "method", "format", "subtype", NULL};
static const char *const p_events[] = {
	"from", "until", "entityType", "entityCode", "datasource", "limit",
	"page", "relatedTo", "ignoreMethods", "method", "includeAlerts",
	"format", "overall", "orderBy", "extendWindow", "subtype", NULL};
static const char *const p_summary[] = {
	"from", "until", "entityType", "entityCode", "datasource", "limit",
	"page", "relatedTo", "ignoreMethods", "method", "orderBy", "format",
	"extendWindow", "subtype", NULL};
static const char *const p_entities[] = {"entityType", "entityCode",
					 "relatedTo", "search", "limit",
					 "page", "format", NULL};
static const char *const p_cib_runs[] = {"limit", "page", "format", NULL};
static const char *const p_cib_networks[] = {
	"run", "limit", "page", "orderBy", "minSize", "trace", "indicator",
	"format", NULL};
static const char *const p_cib_run[] = {"run", NULL};
static const char *const p_format[] = {"format", NULL};
static const char *const p_none[] = {NULL};

const struct dw_api_endpoint dw_api_endpoints[] = {
	{"signals/raw", 1, "signals", p_signals, dw_api_signals, NULL},
	{"outages/alerts", 0, "outages.alerts", p_alerts, dw_api_alerts, NULL},
	{"outages/events", 0, "outages.events", p_events, dw_api_events, NULL},
	{"outages/summary", 0, "outages.summary", p_summary, dw_api_summary, NULL},
	{"entities/query", 0, "entities", p_entities, dw_api_entities, NULL},
	{"datasources", 0, "datasources", p_format, dw_api_datasources, NULL},
	{"coverage", 0, "coverage", p_format, dw_api_coverage, NULL},
	{"cib/runs", 0, "cib.runs", p_cib_runs, dw_api_cib_runs, NULL},
	{"cib/networks", 0, "cib.networks", p_cib_networks, dw_api_cib_networks,
	 NULL},
	{"cib/networks", 1, "cib.network", p_cib_run, dw_api_cib_network, "id"},
	{"cib/accounts", 1, "cib.account", p_cib_run, dw_api_cib_account,
	 "name"},
	{"", 0, "index", p_none, dw_api_index, NULL},
};
const size_t dw_api_nendpoints =
	sizeof(dw_api_endpoints) / sizeof(dw_api_endpoints[0]);

/* ---- entities/query ---- */

struct ent_ctx {
	struct dw_api_req *r;
	json_t *data;
};

static int entity_row(void *ctx, const struct dw_query_entity *e)
{
	struct ent_ctx *c = ctx;
	struct dw_buf *b = &c->r->out;
	char fqid[300];
	json_t *o, *attrs;
	int rc;

	if (c->r->csv) {
		dw_api_fqid(e->type, e->code, fqid, sizeof(fqid));
		if ((rc = dw_api_csv_text(b, e->type)) < 0 ||
		    (rc = dw_api_csv_text(b, e->code)) < 0 ||
		    (rc = dw_api_csv_text(b, e->name ? e->name : e->code)) < 0 ||
		    (rc = dw_api_csv_text(b, fqid)) < 0)
			return rc;
		return dw_api_csv_end(b);
	}
	if (!(o = dw_api_entity(e)))
		return DW_ENOMEM;
	/* IODA's entities/query rows: {code, name, type, subnames, attrs} */
	attrs = json_incref(json_object_get(o, "attrs"));
	json_object_del(o, "attrs");
	if (dw_api_set(o, "subnames", json_array()) < 0 ||
	    dw_api_set(o, "attrs", attrs) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(c->data, o);
}

int dw_api_entities(struct dw_api_req *r)
{
	static const char *const cols[] = {"type", "code", "name", "fqid", NULL};
	struct dw_query_filter f;
	struct dw_api_lists l;
	struct ent_ctx c = {r, NULL};
	const char *search;
	int rc, fmt;

	if ((rc = dw_api_filter(r, &f, &l, DW_API_F_PAGE, 1000)) < 0 ||
	    (rc = dw_params_text(r->p, "search", 200, &search)) < 0 ||
	    (rc = dw_api_format(r, NULL, 0, &fmt)) < 0)
		return rc;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	c.data = r->data;
	rc = dw_query_entities(r->store, &f, search, entity_row, &c, &r->total);
	return rc < 0 ? rc : 0;
}

/* ---- datasources ---- */

static const struct {
	const char *ds, *name, *units;
} known[] = {
	{"bgp", "BGP", "visible /24 blocks"},
	{"ping-slash24", "Active Probing", "/24 blocks up"},
	{"ping-slash24-loss", "Active Probing (loss)", "% loss"},
	{"ping-slash24-latency", "Active Probing (latency)", "ms"},
	{"merit-nt", "Telescope (Merit)", "unique source IPs"},
	{"ucsd-nt", "Telescope (UCSD)", "unique source IPs"},
	{"telescope", "Telescope", "unique source IPs"},
	{"gtr", "Google Transparency Report", "normalised traffic"},
};

static int ds_row(void *ctx, const struct dw_query_datasource *d)
{
	struct dw_api_req *r = ctx;
	const char *name = d->datasource, *units = "";
	json_t *o;
	int rc;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].ds, d->datasource)) {
			name = known[i].name;
			units = known[i].units;
		}
	if (r->csv) {
		if ((rc = dw_api_csv_text(&r->out, d->datasource)) < 0 ||
		    (rc = dw_api_csv_text(&r->out, name)) < 0 ||
		    (rc = dw_api_csv_text(&r->out, units)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, d->step)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, d->series)) < 0)
			return rc;
		return dw_api_csv_end(&r->out);
	}
	if (!(o = json_object()) ||
	    dw_api_set(o, "datasource", json_string(d->datasource)) < 0 ||
	    dw_api_set(o, "name", json_string(name)) < 0 ||
	    dw_api_set(o, "units", json_string(units)) < 0 ||
	    dw_api_set(o, "nativeStep", json_integer(d->step)) < 0 ||
	    dw_api_set(o, "series", json_integer(d->series)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(r->data, o);
}

int dw_api_datasources(struct dw_api_req *r)
{
	static const char *const cols[] = {"datasource", "name", "units",
					   "nativeStep", "series", NULL};
	int rc, fmt;

	if ((rc = dw_api_format(r, NULL, 0, &fmt)) < 0)
		return rc;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	rc = dw_query_datasources(r->store, ds_row, r);
	if (rc >= 0)
		r->total = rc;
	return rc < 0 ? rc : 0;
}

/* ---- coverage ---- */

static int cov_row(void *ctx, const struct dw_query_coverage *c)
{
	struct dw_api_req *r = ctx;
	json_t *o;
	int rc;

	if (r->csv) {
		if ((rc = dw_api_csv_text(&r->out, c->datasource)) < 0 ||
		    (rc = dw_api_csv_text(&r->out, c->entity_type)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, c->step)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, c->series)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, c->first_t)) < 0 ||
		    (rc = dw_api_csv_int(&r->out, c->end_t)) < 0)
			return rc;
		return dw_api_csv_end(&r->out);
	}
	if (!(o = json_object()) ||
	    dw_api_set(o, "datasource", json_string(c->datasource)) < 0 ||
	    dw_api_set(o, "entityType", json_string(c->entity_type)) < 0 ||
	    dw_api_set(o, "step", json_integer(c->step)) < 0 ||
	    dw_api_set(o, "series", json_integer(c->series)) < 0 ||
	    dw_api_set(o, "from", json_integer(c->first_t)) < 0 ||
	    dw_api_set(o, "until", json_integer(c->end_t)) < 0) {
		json_decref(o);
		return DW_ENOMEM;
	}
	return dw_api_push(r->data, o);
}

int dw_api_coverage(struct dw_api_req *r)
{
	static const char *const cols[] = {"datasource", "entityType", "step",
					   "series", "from", "until", NULL};
	int rc, fmt;

	if ((rc = dw_api_format(r, NULL, 0, &fmt)) < 0)
		return rc;
	if ((rc = dw_api_list_begin(r, cols)) < 0)
		return rc;
	rc = dw_query_coverage(r->store, cov_row, r);
	if (rc >= 0)
		r->total = rc;
	return rc < 0 ? rc : 0;
}

/* ---- /v2/ : what is here ---- */

int dw_api_index(struct dw_api_req *r)
{
	if (!(r->data = json_array()))
		return DW_ENOMEM;
	for (size_t i = 0; i < dw_api_nendpoints; i++) {
		const struct dw_api_endpoint *e = &dw_api_endpoints[i];
		char path[96];
		if (!*e->path)
			continue;
		if (e->prefix && e->tail)
			snprintf(path, sizeof(path), "/v2/%s/{%s}", e->path,
				 e->tail);
		else
			snprintf(path, sizeof(path), "/v2/%s%s", e->path,
				 e->prefix ? "/{entityType}/{entityCode}" : "");
		if (dw_api_push(r->data, json_string(path)) < 0)
			return DW_ENOMEM;
	}
	if (dw_api_push(r->data, json_string("/v2/openapi.json")) < 0)
		return DW_ENOMEM;
	return 0;
}
