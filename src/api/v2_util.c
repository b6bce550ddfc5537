/*
 * v2_util.c - what the /v2 handlers share: the common filter parameters,
 * format=, entity objects and fqids, numbers, CSV cells.
 *
 * Part of the API (src/api/); every handler builds its rows from these, so
 * the field names and formats IODA clients depend on are written once.
 */
#include "api/api_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/api.h"
#include "darkwatch/err.h"

int dw_api_filter(struct dw_api_req *r, struct dw_query_filter *f,
		  struct dw_api_lists *l, unsigned flags, int64_t def_limit)
{
	struct dw_params *p = r->p;
	int64_t page = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	if (flags & DW_API_F_TIME) {
		if ((rc = dw_params_time(p, "from", 1, 0, &f->from)) < 0 ||
		    (rc = dw_params_time(p, "until", 1, 0, &f->until)) < 0)
			return rc;
		if (f->until <= f->from)
			return dw_params_fail(p, "until", "must be after from");
	}
	if ((rc = dw_params_entity_type(p, "entityType", &f->entity_type)) < 0 ||
	    (rc = dw_params_list(p, "entityCode", 0, l->codes,
				 DW_QUERY_LIST_MAX, &f->ncodes)) < 0 ||
	    (rc = dw_params_related(p, "relatedTo", &f->related_type,
				    &f->related_code)) < 0)
		return rc;
	if (f->ncodes && !f->entity_type)
		return dw_params_fail(p, "entityType", "required with entityCode");
	f->codes = l->codes;
	if ((flags & DW_API_F_DS) &&
	    (rc = dw_params_ident(p, "datasource", &f->datasource)) < 0)
		return rc;
	if (flags & DW_API_F_METHOD) {
		if ((rc = dw_params_list(p, "method", 1, l->methods,
					 DW_QUERY_LIST_MAX, &f->nmethods)) < 0 ||
		    (rc = dw_params_list(p, "ignoreMethods", 1, l->ignore,
					 DW_QUERY_LIST_MAX, &f->nignore)) < 0)
			return rc;
		f->methods = l->methods;
		f->ignore = l->ignore;
	}
	if ((flags & DW_API_F_SUBTYPE) &&
	    (rc = dw_api_subtype(r, &f->subtype)) < 0)
		return rc;
	if (flags & DW_API_F_PAGE) {
		if ((rc = dw_params_int(p, "limit", 1, DW_API_LIMIT_MAX,
					def_limit, &f->limit)) < 0 ||
		    (rc = dw_params_int(p, "page", 0, 1000000, 0, &page)) < 0)
			return rc;
		f->offset = page * f->limit;
	}
	return 0;
}

int dw_api_subtype(struct dw_api_req *r, const char **out)
{
	const char *v = dw_params_get(r->p, "subtype");
	int rc;

	if (v && !strcmp(v, "*")) {
		*out = NULL;
		return 0;
	}
	if ((rc = dw_params_ident(r->p, "subtype", out)) < 0)
		return rc;
	if (!*out)
		*out = "";
	return 0;
}

int dw_api_format(struct dw_api_req *r, const char *const *extra,
		  size_t nextra, int *choice)
{
	const char *names[8] = {"json", "csv"};
	size_t n = 2;
	int rc;

	for (size_t i = 0; i < nextra && n < 8; i++)
		names[n++] = extra[i];
	if ((rc = dw_params_choice(r->p, "format", names, n, 0, choice)) < 0)
		return rc;
	r->csv = *choice == 1;
	return 0;
}

json_t *dw_api_num(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

void dw_api_fqid(const char *type, const char *code, char *buf, size_t n)
{
	if (!strcmp(type, "asn") || !strcmp(type, "geoasn"))
		snprintf(buf, n, "%s.%s", type, code);
	else
		snprintf(buf, n, "geo.%s.%s", type, code);
}

json_t *dw_api_entity(const struct dw_query_entity *e)
{
	char fqid[300];
	json_t *o = json_object(), *attrs = NULL;

	if (!o)
		return NULL;
	if (e->attrs)
		attrs = json_loads(e->attrs, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	dw_api_fqid(e->type, e->code, fqid, sizeof(fqid));
	if (!attrs || (!json_object_get(attrs, "fqid") &&
		       json_object_set_new(attrs, "fqid", json_string(fqid)) < 0) ||
	    dw_api_set(o, "type", json_string(e->type)) < 0 ||
	    dw_api_set(o, "code", json_string(e->code)) < 0 ||
	    dw_api_set(o, "name", json_string(e->name ? e->name : e->code)) < 0 ||
	    dw_api_set(o, "attrs", attrs) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *dw_api_level(int level)
{
	return level >= 2 ? "critical" : level == 1 ? "warning" : "normal";
}

int dw_api_set(json_t *o, const char *k, json_t *v)
{
	if (!v)
		return DW_ENOMEM;
	return json_object_set_new(o, k, v) < 0 ? DW_ENOMEM : 0;
}

int dw_api_push(json_t *a, json_t *v)
{
	if (!v)
		return DW_ENOMEM;
	return json_array_append_new(a, v) < 0 ? DW_ENOMEM : 0;
}

static int sep(struct dw_buf *b)
{
	if (b->len && b->data[b->len - 1] != '\n')
		return dw_buf_put_u8(b, ',');
	return 0;
}

int dw_api_csv_text(struct dw_buf *b, const char *s)
{
	int rc, quote = 0;

	if (!s)
		s = "";
	if ((rc = sep(b)) < 0)
		return rc;
	if (strpbrk(s, ",\"\r\n"))
		quote = 1;
	if (quote && (rc = dw_buf_put_u8(b, '"')) < 0)
		return rc;
	if (strchr("=+-@", s[0]) && s[0] && (rc = dw_buf_put_u8(b, '\'')) < 0)
		return rc;
	for (const char *c = s; *c; c++) {
		if (*c == '"' && (rc = dw_buf_put_u8(b, '"')) < 0)
			return rc;
		if ((rc = dw_buf_put_u8(b, (uint8_t)*c)) < 0)
			return rc;
	}
	return quote ? dw_buf_put_u8(b, '"') : 0;
}

int dw_api_csv_int(struct dw_buf *b, int64_t v)
{
	char tmp[32];
	int rc, n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	if ((rc = sep(b)) < 0)
		return rc;
	return dw_buf_put_bytes(b, tmp, (size_t)n);
}

int dw_api_csv_num(struct dw_buf *b, double v)
{
	char tmp[40];
	int rc, n;

	if ((rc = sep(b)) < 0)
		return rc;
	if (!isfinite(v))
		return 0;
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		n = snprintf(tmp, sizeof(tmp), "%" PRId64, (int64_t)v);
	else if ((n = snprintf(tmp, sizeof(tmp), "%.15g", v)) > 0 &&
		 strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	return dw_buf_put_bytes(b, tmp, (size_t)n);
}

int dw_api_csv_null(struct dw_buf *b)
{
	return sep(b);
}

int dw_api_csv_end(struct dw_buf *b)
{
	return dw_buf_put_u8(b, '\n');
}

int dw_api_csv_header(struct dw_buf *b, const char *const *names)
{
	int rc;
	for (size_t i = 0; names[i]; i++)
		if ((rc = dw_api_csv_text(b, names[i])) < 0)
			return rc;
	return dw_api_csv_end(b);
}

int dw_api_list_begin(struct dw_api_req *r, const char *const *cols)
{
	if (r->csv)
		return dw_api_csv_header(&r->out, cols);
	return (r->data = json_array()) ? 0 : DW_ENOMEM;
}
