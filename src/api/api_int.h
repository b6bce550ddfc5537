/*
 * api_int.h - what the files of src/api/ share: the request a /v2 handler
 * fills, the endpoint table entry, and JSON/CSV output helpers.
 *
 * server.c owns HTTP (libmicrohttpd), caching and the envelope; the
 * handlers (v2_signals.c, v2_outages.c, v2_meta.c, v2_cib.c) only read
 * parameters, query the store and fill r->data (JSON) or r->csv
 * (text/csv).  So a handler never sees HTTP, and the envelope is written
 * in one place.
 */
#ifndef DW_API_INT_H
#define DW_API_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api/params.h"
#include "darkwatch/buf.h"
#include "darkwatch/query.h"
#include "darkwatch/store.h"

#define DW_API_CSV_MAX (256u << 20) /* largest CSV response */

struct dw_api_req {
	struct dw_store *store;
	struct dw_params *p;
	const char *rest;    /* path after the endpoint's prefix, or "" */
	int64_t now;         /* request time, epoch seconds */
	/* filled by the handler */
	json_t *data;        /* owned: the envelope's `data` */
	int64_t total;       /* rows before paging, or -1 (not a list) */
	int csv;             /* 1: the response is r->out as text/csv */
	struct dw_buf out;   /* CSV text */
	int status;          /* HTTP status for a non-parameter failure */
	char msg[256];       /* its message */
};

/* A handler: 0 done; DW_EINVAL bad parameter (p->err says which); a
 * negative code with r->status/r->msg set (404...) or a store failure. */
typedef int (*dw_api_handler)(struct dw_api_req *r);

struct dw_api_endpoint {
	const char *path;            /* after "/v2/", no trailing slash */
	int prefix;                  /* path + "/" + rest (signals/raw) */
	const char *type;            /* the envelope's type */
	const char *const *params;   /* known parameter names, NULL-ended */
	dw_api_handler run;
	const char *tail;            /* prefix: the one path parameter's name
					("id", "name"), or NULL for
					{entityType}/{entityCode} */
};

/* The endpoint table (v2_meta.c) and its size. */
extern const struct dw_api_endpoint dw_api_endpoints[];
extern const size_t dw_api_nendpoints;

/* Handlers. */
int dw_api_signals(struct dw_api_req *r);
int dw_api_alerts(struct dw_api_req *r);
int dw_api_events(struct dw_api_req *r);
int dw_api_summary(struct dw_api_req *r);
int dw_api_entities(struct dw_api_req *r);
int dw_api_datasources(struct dw_api_req *r);
int dw_api_coverage(struct dw_api_req *r);
int dw_api_index(struct dw_api_req *r);
int dw_api_cib_runs(struct dw_api_req *r);     /* v2_cib.c */
int dw_api_cib_networks(struct dw_api_req *r);
int dw_api_cib_network(struct dw_api_req *r);
int dw_api_cib_account(struct dw_api_req *r);

/* The embedded OpenAPI document (generated from src/api/openapi.json). */
extern const unsigned char dw_api_openapi_json[];
extern const size_t dw_api_openapi_json_len;

/* ---- helpers (v2_util.c) ---- */

/* Storage for the filter's lists; lives as long as the filter. */
struct dw_api_lists {
	const char *codes[DW_QUERY_LIST_MAX];
	const char *methods[DW_QUERY_LIST_MAX];
	const char *ignore[DW_QUERY_LIST_MAX];
};

enum {
	DW_API_F_TIME = 1,     /* from/until (required) */
	DW_API_F_PAGE = 2,     /* limit/page */
	DW_API_F_DS = 4,       /* datasource */
	DW_API_F_METHOD = 8,   /* method, ignoreMethods */
	DW_API_F_SUBTYPE = 16, /* subtype: "" by default, "*" for any */
};

/* subtype=: the main series ("") when absent, NULL (any) for "*". */
int dw_api_subtype(struct dw_api_req *r, const char **out);

/*
 * Parse the shared filter parameters (entityType, entityCode, relatedTo
 * always; others per flags) into f.  def_limit is limit's default.
 * 0 or DW_EINVAL.
 */
int dw_api_filter(struct dw_api_req *r, struct dw_query_filter *f,
		  struct dw_api_lists *l, unsigned flags, int64_t def_limit);

/* format=json|csv (and the extra choices given, index 2..); *csv set. */
int dw_api_format(struct dw_api_req *r, const char *const *extra,
		  size_t nextra, int *choice);

/* A JSON number: an integer when v is integral (|v| < 2^53), else real;
 * null when v is not finite. */
json_t *dw_api_num(double v);

/* IODA's entity object {type, code, name, attrs}; attrs always an object
 * holding at least fqid. */
json_t *dw_api_entity(const struct dw_query_entity *e);

/* The entity's fully qualified id ("geo.country.IR", "asn.44244"...). */
void dw_api_fqid(const char *type, const char *code, char *buf, size_t n);

/* The level name of an alert level (normal, warning, critical). */
const char *dw_api_level(int level);

/* json_object_set_new that turns a NULL value into a failure. */
int dw_api_set(json_t *o, const char *k, json_t *v);
/* json_array_append_new likewise. */
int dw_api_push(json_t *a, json_t *v);

/* CSV cells (RFC 4180 quoting; text starting with = + - @ gets a ' so
 * spreadsheets do not run it), then the record end. */
int dw_api_csv_text(struct dw_buf *b, const char *s);
int dw_api_csv_int(struct dw_buf *b, int64_t v);
int dw_api_csv_num(struct dw_buf *b, double v);
int dw_api_csv_null(struct dw_buf *b);
int dw_api_csv_end(struct dw_buf *b);
/* A header line from a NULL-ended list of names. */
int dw_api_csv_header(struct dw_buf *b, const char *const *names);

/* Start a list answer: the CSV header line (cols) when r->csv, else an
 * empty JSON array in r->data.  0, or DW_ENOMEM. */
int dw_api_list_begin(struct dw_api_req *r, const char *const *cols);

#endif
