/*
 * params.h - query-string parameters of one API request: lookup,
 * validation, and the error message that names the bad parameter.
 *
 * Sits between the HTTP server (server.c collects the decoded arguments)
 * and the /v2 handlers (which ask for typed values).  Separate from both so
 * the validation rules are unit-tested without a server
 * (tests/unit/test_api_params.c).
 *
 * Key decisions:
 *  - Each typed getter validates completely (syntax, range, UTF-8) and on
 *    failure writes "Invalid parameter 'NAME': why" into p->err and
 *    returns DW_EINVAL; the server turns that into HTTP 400.  Raw values
 *    are never echoed in messages (they may be bytes that are not text).
 *  - Absent parameters give the caller's default (or DW_EINVAL when
 *    required); an empty value counts as absent, as in IODA.
 *  - The first occurrence of a repeated name wins; unknown names are
 *    ignored, as IODA does.
 *  - Strings returned are borrowed from the request (or from p's pool for
 *    split lists): valid until dw_params_free.
 */
#ifndef DW_API_PARAMS_H
#define DW_API_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define DW_PARAMS_MAX 128        /* arguments kept per request */
#define DW_PARAMS_POOL (64u << 10) /* bytes for split lists */

struct dw_params {
	size_t n;
	const char *name[DW_PARAMS_MAX];
	const char *value[DW_PARAMS_MAX];
	int too_many;              /* more than DW_PARAMS_MAX arguments */
	char err[320];
	const char *bad;           /* name of the parameter in err */
	char pool[DW_PARAMS_POOL];
	size_t used;
};

/* Empty p (no arguments). */
void dw_params_init(struct dw_params *p);

/* Record an argument (borrowed strings); first occurrence wins. */
void dw_params_add(struct dw_params *p, const char *name, const char *value);

/* The raw value of name, or NULL when absent or empty. */
const char *dw_params_get(const struct dw_params *p, const char *name);

/* Set p->err for `name` (printf-style why); returns DW_EINVAL. */
__attribute__((format(printf, 3, 4))) int
dw_params_fail(struct dw_params *p, const char *name, const char *fmt, ...);

/*
 * A time: epoch seconds or an ISO 8601 UTC time (dw_time_parse).  Absent:
 * *out = def, or DW_EINVAL when required.  Returns 1 present, 0 absent, <0.
 */
int dw_params_time(struct dw_params *p, const char *name, int required,
		   int64_t def, int64_t *out);

/* A decimal integer in [min, max]; absent gives def.  1/0/<0 as above. */
int dw_params_int(struct dw_params *p, const char *name, int64_t min,
		  int64_t max, int64_t def, int64_t *out);

/* true/false/1/0/yes/no (any case); absent gives def. */
int dw_params_bool(struct dw_params *p, const char *name, int def, int *out);

/*
 * One of choices[0..n) (exact); absent gives def.  *out is the index.
 */
int dw_params_choice(struct dw_params *p, const char *name,
		     const char *const *choices, size_t n, int def, int *out);

/* An entity type (continent, country, region, asn, geoasn) or NULL. */
int dw_params_entity_type(struct dw_params *p, const char *name,
			  const char **out);

/* A datasource or method name ([A-Za-z0-9._-]{1,64}) or NULL. */
int dw_params_ident(struct dw_params *p, const char *name, const char **out);

/* UTF-8 text without control characters, 1..max bytes, or NULL. */
int dw_params_text(struct dw_params *p, const char *name, size_t max,
		   const char **out);

/*
 * A comma-separated list split into items[0..*n) (at most max items, each
 * valid text of 1..DW_STORE_CODE_MAX bytes; empty items refused).  With
 * ident set, items must be identifiers as for dw_params_ident.
 */
int dw_params_list(struct dw_params *p, const char *name, int ident,
		   const char **items, size_t max, size_t *n);

/*
 * The same for a value that is not a query argument (the entity codes in
 * the path of /v2/signals/raw/TYPE/CODES), reported under `name`.
 */
int dw_params_split(struct dw_params *p, const char *name, const char *value,
		    int ident, const char **items, size_t max, size_t *n);

/* relatedTo: "type/code" (IODA also writes "type:code"); NULLs if absent. */
int dw_params_related(struct dw_params *p, const char *name,
		      const char **type, const char **code);

#endif
