/*
 * v2_signals.c - /v2/signals/raw/{entityType}/{entityCode}: time series
 * in IODA's shape, `data: [[series, ...] per entity code]`.
 *
 * Part of the API (src/api/); reads points through darkwatch/query.h.
 *
 * Key decisions (what IODA clients rely on, DOMAIN.md §5):
 *  - from is rounded down to the series' step and until up, so the
 *    returned [from, until) is whole bins and len(values) == (until -
 *    from) / step exactly; a bin without a point is null.
 *  - Without maxPoints, step == nativeStep.  With it, consecutive bins
 *    are averaged in groups of ceil(bins / maxPoints) (missing bins
 *    ignored, an all-missing group is null); until then grows to a whole
 *    group.
 *  - One inner list per requested code, in request order (empty for an
 *    unknown code), so a single unknown code gives `[[]]`.
 *  - Range and size caps (DW_API_RANGE_MAX, DW_API_VALUES_MAX) are checked
 *    before any point is read: a huge request costs nothing.
 */
#include "api/api_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/api.h"
#include "darkwatch/err.h"

#define CODES_MAX 100
#define SERIES_MAX 64 /* per entity */

struct ser {
	int64_t id, step;
	char ds[DW_STORE_NAME_MAX + 1], sub[DW_STORE_NAME_MAX + 1];
};

struct ser_list {
	const char *ds, *sub; /* filters or NULL */
	struct ser v[SERIES_MAX];
	size_t n;
};

static int ser_row(void *ctx, const struct dw_store_series_row *r)
{
	struct ser_list *l = ctx;
	struct ser *s;

	if ((l->ds && strcmp(l->ds, r->datasource)) ||
	    (l->sub && strcmp(l->sub, r->subtype ? r->subtype : "")))
		return 0;
	if (l->n >= SERIES_MAX)
		return 0;
	s = &l->v[l->n++];
	s->id = r->id;
	s->step = r->step;
	snprintf(s->ds, sizeof(s->ds), "%s", r->datasource);
	snprintf(s->sub, sizeof(s->sub), "%s", r->subtype ? r->subtype : "");
	return 0;
}

struct bins {
	double *v;   /* NAN: missing */
	int64_t from, step, n;
};

static int point_row(void *ctx, int64_t t, double value)
{
	struct bins *b = ctx;
	int64_t i = (t - b->from) / b->step;
	if (i >= 0 && i < b->n)
		b->v[i] = value;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* The returned window of a series: whole bins over [from, until). */
static void window(int64_t from, int64_t until, int64_t step, int64_t *f0,
		   int64_t *n)
{
	*f0 = floor_div(from, step) * step;
	*n = (until - *f0 + step - 1) / step;
}

static json_t *series_json(struct dw_api_req *r, const struct dw_query_entity *e,
			   const struct ser *s, int64_t from, int64_t until,
			   int64_t max_points, int *err)
{
	struct bins b = {NULL, 0, s->step, 0};
	int64_t group = 1, m, step;
	json_t *o = NULL, *vals = NULL;
	char fqid[300];
	int rc;

	window(from, until, s->step, &b.from, &b.n);
	if (!(b.v = malloc((size_t)b.n * sizeof(*b.v)))) {
		*err = DW_ENOMEM;
		return NULL;
	}
	for (int64_t i = 0; i < b.n; i++)
		b.v[i] = NAN;
	if ((rc = dw_store_series_points(r->store, s->id, b.from, b.from + b.n * s->step,
					  point_row, &b)) < 0) {
		*err = rc;
		goto fail;
	}
	if (max_points > 0 && b.n > max_points)
		group = (b.n + max_points - 1) / max_points;
	m = (b.n + group - 1) / group;
	step = s->step * group;
	if (!(vals = json_array()))
		goto nomem;
	for (int64_t g = 0; g < m; g++) {
		double sum = 0;
		int64_t k = 0;
		for (int64_t i = g * group; i < (g + 1) * group && i < b.n; i++)
			if (!isnan(b.v[i])) {
				sum += b.v[i];
				k++;
			}
		if (dw_api_push(vals, k ? dw_api_num(group == 1 ? sum : sum / (double)k)
					: json_null()) < 0)
			goto nomem;
	}
	dw_api_fqid(e->type, e->code, fqid, sizeof(fqid));
	if (!(o = json_object()) ||
	    dw_api_set(o, "entityType", json_string(e->type)) < 0 ||
	    dw_api_set(o, "entityCode", json_string(e->code)) < 0 ||
	    dw_api_set(o, "entityName", json_string(e->name ? e->name : e->code)) < 0 ||
	    dw_api_set(o, "entityFqid", json_string(fqid)) < 0 ||
	    dw_api_set(o, "datasource", json_string(s->ds)) < 0 ||
	    dw_api_set(o, "subtype", json_string(s->sub)) < 0 ||
	    dw_api_set(o, "from", json_integer(b.from)) < 0 ||
	    dw_api_set(o, "until", json_integer(b.from + m * step)) < 0 ||
	    dw_api_set(o, "step", json_integer(step)) < 0 ||
	    dw_api_set(o, "nativeStep", json_integer(s->step)) < 0 ||
	    dw_api_set(o, "values", vals) < 0) {
		vals = NULL; /* owned by o, or freed by dw_api_set */
		goto nomem;
	}
	free(b.v);
	return o;
nomem:
	*err = DW_ENOMEM;
fail:
	json_decref(vals);
	json_decref(o);
	free(b.v);
	return NULL;
}

struct ent_hit {
	int found;
	char name[DW_STORE_TEXT_MAX + 1];
	int has_name;
	int64_t id;
};

static int ent_row(void *ctx, const struct dw_query_entity *e)
{
	struct ent_hit *h = ctx;
	h->found = 1;
	h->id = e->id;
	h->has_name = e->name != NULL;
	snprintf(h->name, sizeof(h->name), "%s", e->name ? e->name : "");
	return 0;
}

int dw_api_signals(struct dw_api_req *r)
{
	const char *codes[CODES_MAX], *ds, *sub;
	struct ser_list *lists = NULL;
	struct ent_hit *hits = NULL;
	char type[DW_STORE_NAME_MAX + 1];
	const char *slash = strchr(r->rest, '/');
	size_t ncodes = 0;
	int64_t from, until, maxp, total = 0;
	int rc;

	if (!slash || slash == r->rest || (size_t)(slash - r->rest) >= sizeof(type)) {
		r->status = 404;
		snprintf(r->msg, sizeof(r->msg), "use /v2/signals/raw/"
			 "{entityType}/{entityCode}");
		return -ENOENT;
	}
	memcpy(type, r->rest, (size_t)(slash - r->rest));
	type[slash - r->rest] = 0;
	if (!dw_store_entity_type_valid(type))
		return dw_params_fail(r->p, "entityType", "must be continent, "
				      "country, region, asn or geoasn");
	if ((rc = dw_params_split(r->p, "entityCode", slash + 1, 0, codes,
				  CODES_MAX, &ncodes)) < 0)
		return rc;
	if (!ncodes)
		return dw_params_fail(r->p, "entityCode", "required");
	if ((rc = dw_params_time(r->p, "from", 1, 0, &from)) < 0 ||
	    (rc = dw_params_time(r->p, "until", 1, 0, &until)) < 0 ||
	    (rc = dw_params_ident(r->p, "datasource", &ds)) < 0 ||
	    (rc = dw_api_subtype(r, &sub)) < 0 ||
	    (rc = dw_params_int(r->p, "maxPoints", 1, DW_API_VALUES_MAX, 0,
				&maxp)) < 0)
		return rc;
	if (until <= from)
		return dw_params_fail(r->p, "until", "must be after from");
	if (until - from > DW_API_RANGE_MAX)
		return dw_params_fail(r->p, "until", "until - from must be at "
				      "most %d days", DW_API_RANGE_MAX / 86400);
	if (!(lists = calloc(ncodes, sizeof(*lists))) ||
	    !(hits = calloc(ncodes, sizeof(*hits)))) {
		rc = DW_ENOMEM;
		goto out;
	}
	/* Find every series first: the size check needs them all. */
	for (size_t i = 0; i < ncodes; i++) {
		struct dw_query_filter f = {0};
		f.entity_type = type;
		f.codes = &codes[i];
		f.ncodes = 1;
		if ((rc = dw_query_entities(r->store, &f, NULL, ent_row,
					    &hits[i], NULL)) < 0)
			goto out;
		if (!hits[i].found)
			continue;
		lists[i].ds = ds;
		lists[i].sub = sub;
		if ((rc = dw_store_series_list(r->store, hits[i].id, 0, ser_row,
					       &lists[i])) < 0)
			goto out;
		for (size_t k = 0; k < lists[i].n; k++) {
			int64_t f0, n;
			window(from, until, lists[i].v[k].step, &f0, &n);
			total += maxp && n > maxp ? maxp : n;
		}
	}
	if (total > DW_API_VALUES_MAX) {
		rc = dw_params_fail(r->p, maxp ? "maxPoints" : "until",
				    "the response would hold %lld values, more "
				    "than %d: shorten from/until, ask for fewer "
				    "entity codes or set maxPoints",
				    (long long)total, DW_API_VALUES_MAX);
		goto out;
	}
	if (!(r->data = json_array())) {
		rc = DW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ncodes; i++) {
		json_t *inner = json_array();
		struct dw_query_entity e = {hits[i].id, type, codes[i],
					    hits[i].has_name ? hits[i].name : NULL,
					    "{}"};
		if ((rc = dw_api_push(r->data, inner)) < 0)
			goto out;
		for (size_t k = 0; k < lists[i].n; k++) {
			json_t *o = series_json(r, &e, &lists[i].v[k], from,
						until, maxp, &rc);
			if (!o || (rc = dw_api_push(inner, o)) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(lists);
	free(hits);
	return rc;
}
